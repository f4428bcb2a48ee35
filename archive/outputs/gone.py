"""documents/NAME.html: a page for each locked name whose seed has left the archive (a tombstone).

names.lock keeps every page name the build has given (see namelock.py); a name whose seed is no
longer in the archive is never given to another document: its page says the document is gone,
names the seed file, and leads to the index and the search.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..render import Output, Planning

NAME = "gone"
VERSION = 1


def plan(planning: Planning) -> Iterable[Output]:
    """One page a name: its key digests the seed file it names (the template's is added by `page`)."""
    for gone in planning.site.gone:
        yield planning.page(
            NAME, VERSION, gone.page, "gone.html", [gone.seed], title="No longer in this archive", seed=gone.seed
        )
