"""index.html: every document in chronological order, grouped by month."""

from __future__ import annotations

from collections.abc import Iterable

from ..render import Output, Planning, digest

NAME = "index"
VERSION = 1


def plan(planning: Planning) -> Iterable[Output]:
    """The index lists every entry: its key digests all their digests, the months and the summary."""
    site = planning.site
    entries = site.entries
    months = [(m.key, m.label) for m in site.months]
    summary = {
        "count": len(entries),
        "publisher_count": len(site.publishers),
        "first": entries[0].doc.date.label if entries else "",
        "last": entries[-1].doc.date.label if entries else "",
    }
    inputs = [digest("\0".join(planning.digests.values()), months, summary)]
    yield planning.page(
        NAME, VERSION, "index.html", "index.html", inputs, True, title=site.info.title, months=site.months, **summary
    )
