"""compare.html: two documents side by side; which two is in the address (`#a=PAGE&b=PAGE`).

The page is the same for every pair: `static/compare.js` reads the address, takes each
document's facts from the filter data and its exact text from the search's text files.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..render import Output, Planning

NAME = "compare"
VERSION = 1


def plan(planning: Planning) -> Iterable[Output]:
    """One page; it shows nothing of any document until its script runs."""
    yield planning.page(NAME, VERSION, "compare.html", "compare.html", [], title="Side by side")
