"""The intake service: residents without an account send a story with a photo through a web form.

Each accepted story becomes a branch ``inzending/<date>-<slug>-<id>`` in the site's repository
(optionally pushed, with a pull/merge request), for staff to review like any other change;
consent goes into a private register outside the repository. See ``docs/beheer/intake.md``.

Modules, in the order a post meets them: :mod:`settings`, :mod:`app` (the web service),
:mod:`abuse`, :mod:`upload`, :mod:`photo`, :mod:`form`, :mod:`submission` (with
:mod:`gitstore` and :mod:`register`), :mod:`forge`; :mod:`withdrawal` for the private link and
:mod:`command` for ``aanhetwoord intake``.
"""
