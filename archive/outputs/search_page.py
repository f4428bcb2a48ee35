"""search.html: the search page; static/search.js fills its results from the index in search/,
and static/filters.js gives it the filter form (templates/_filters.html) that narrows them."""

from __future__ import annotations

from collections.abc import Iterable

from ..render import Output, Planning

NAME = "search_page"
VERSION = 2


def plan(planning: Planning) -> Iterable[Output]:
    """One page; it has the filter form when the archive has documents (its key says which)."""
    count = 1 if planning.site.entries else 0
    yield planning.page(NAME, VERSION, "search.html", "search.html", [str(count)], title="Search", count=count)
