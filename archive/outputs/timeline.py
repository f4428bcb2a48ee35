"""timeline.html: the archive's coverage at a glance, drawn at build time as inline SVG, and as a table.

Its key is a digest of the drawing itself (archive/timeline.py): every mark's or count's place,
title and link. A change that moves nothing on it (a note edited) leaves it as it is.
"""

from __future__ import annotations

from collections.abc import Iterable

from .. import timeline
from ..keys import digest
from ..render import Output, Planning

NAME = "timeline"
VERSION = 1


def plan(planning: Planning) -> Iterable[Output]:
    """One page, from the layout of every document's date and stance."""
    site = planning.site
    items = [timeline.Item(e.doc.date, e.doc.stance, e.doc.title, e.page) for e in site.entries]
    drawing = timeline.layout(items, [(term.key, term.label) for term in site.info.stances])
    languages = {e.page: e.doc.language for e in site.entries if e.doc.language}
    inputs = [digest(drawing, languages)]
    yield planning.page(
        NAME, VERSION, "timeline.html", "timeline.html", inputs, title="Timeline", timeline=drawing, languages=languages
    )
