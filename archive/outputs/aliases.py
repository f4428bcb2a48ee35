"""documents/OLD-NAME.html: a page for each earlier name a record keeps, sending the reader on.

A `<meta http-equiv="refresh">` opens the document's page at once (it works from disk, and
without script); the page also says where the document went, with a link.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..render import Output, Planning

NAME = "aliases"
VERSION = 1


def plan(planning: Planning) -> Iterable[Output]:
    """One page an alias: its key digests the entry it sends the reader to (its page and title)."""
    for alias in planning.site.aliases:
        inputs = [planning.digests[alias.entry.doc.file]]
        yield planning.page(
            NAME, VERSION, alias.page, "alias.html", inputs, title="This page has moved", entry=alias.entry
        )
