"""The ``aanhetwoord`` command line for residents, staff and CI: ``cli`` wires each command to its module.

The commands stand above the pipeline and use it; nothing in the pipeline imports them.
"""
