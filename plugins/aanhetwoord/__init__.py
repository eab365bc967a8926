"""Aan het woord: communities of a municipality tell their own stories.

The package is a pipeline you can follow in its module names:
``load`` → ``validate`` → ``catalogue`` → ``render`` → ``write``, tied together in
``pipeline``. The core imports nothing from a site engine; ``adapters`` map it onto one.
``commands`` is the command line on top of it; ``intake`` is the web form, a service of its own.
"""

__version__ = "0.1.0"
