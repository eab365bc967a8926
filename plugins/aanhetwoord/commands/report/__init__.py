"""``aanhetwoord report``: where voices are heard and where they are missing, for staff.

Active neighbourhoods fill a story site by themselves; the quiet ones stay unheard unless
someone looks. The report puts the quiet neighbourhoods first, shows how stories spread over
themes, communities and months, and lists the editorial work that waits: stories before their
date, drafts, consent that should be asked again, and problems in stories.

It reads the stories through the same pipeline as the site (validator and catalogue, with
drafts visible) and never touches the site itself: it is not part of what residents see. The
output is plain text for the terminal, a standalone HTML file with charts drawn as inline SVG
(no scripts, nothing loaded from elsewhere), or JSON for other tools.

The package has one module per job: ``model`` (the report as data), ``counting`` (stories to
report), ``text_output``, ``json_output`` and ``html_output``, and ``command`` (the arguments).
"""

from __future__ import annotations

from .counting import make_report, months_before
from .html_output import html_report
from .json_output import json_report
from .model import Count, Report, StoryLine
from .text_output import text_report

__all__ = [
    "Count",
    "Report",
    "StoryLine",
    "html_report",
    "json_report",
    "make_report",
    "months_before",
    "text_report",
]
