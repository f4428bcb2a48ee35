"""index.html: every document in chronological order, grouped by month; split into parts when long.

An archive of at most `parts.LIMIT` documents has one index page listing them all. A larger
one has a summary at `index.html` (its span, the newest documents, every period with its
count) and the documents in parts, `index/PERIOD.html` (see archive/parts.py).
"""

from __future__ import annotations

from collections.abc import Iterable

from .. import parts
from ..keys import digest
from ..render import Output, Planning
from .parted import Link, limit, split_listing

NAME = "index"
VERSION = 2


def plan(planning: Planning) -> Iterable[Output]:
    """The index; split, its summary's key digests what it shows, each part's the entries it lists."""
    site = planning.site
    entries = site.entries
    summary = {
        "count": len(entries),
        "publisher_count": len(site.publishers),
        "first": entries[0].doc.date.label if entries else "",
        "last": entries[-1].doc.date.label if entries else "",
    }
    title = site.info.title
    if parts.is_split(len(entries), limit()):
        listing = Link("index.html", "Documents")
        split, shown, outputs = split_listing(planning, NAME, VERSION, "index", listing, entries)
        inputs = [digest(shown, summary)]
        context = {"title": title, "split": split, **summary}
        yield planning.page(NAME, VERSION, "index.html", "index.html", inputs, True, **context)
        yield from outputs
        return
    months = [(m.key, m.label) for m in site.months]
    inputs = [digest("\0".join(planning.digests.values()), months, summary)]
    yield planning.page(
        NAME, VERSION, "index.html", "index.html", inputs, True, title=title, months=site.months, split=None, **summary
    )
