"""search.html: the search page; static/search.js fills its results from the index in search/."""

from __future__ import annotations

from collections.abc import Iterable

from ..render import Output, Planning

NAME = "search_page"
VERSION = 1


def plan(planning: Planning) -> Iterable[Output]:
    """One page; what it shows of the archive is in every page's key already."""
    yield planning.page(NAME, VERSION, "search.html", "search.html", [], title="Search")
