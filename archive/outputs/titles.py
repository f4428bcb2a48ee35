"""documents/TITLE.html: where titles collide, the bare name lists the documents of that title.

Each of those documents has a page named after its title and its seed file (see names.py);
the bare name, which one of them may have had before, leads to all of them.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..keys import digest
from ..render import FILE_OF, Output, Planning

NAME = "titles"
VERSION = 1


def plan(planning: Planning) -> Iterable[Output]:
    """One page a shared title: its key digests the documents it lists."""
    for group in planning.site.titles:
        listed = "\0".join(map(planning.digests.__getitem__, map(FILE_OF, group.entries)))
        inputs = [digest(group.key, group.label, listed)]
        title = f"Documents titled “{group.label}”"
        yield planning.page(NAME, VERSION, group.page, "title.html", inputs, True, title=title, group=group)
