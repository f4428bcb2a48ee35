"""SHA256SUMS: the raw copies' SHA-256, in the form `sha256sum -c` reads, run in the site's root.

One line per raw copy, `HEX  raw/NAME`, sorted by path (not by date: a record's new date moves
no line). A seed's name holds no backslash or line break (the loader refuses them), which
`sha256sum` would have to escape. The digests are the seeds', checked against their bytes
when each raw copy is made.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable

from ..bag import sha256sums
from ..keys import digest
from ..render import Output, Planning

NAME = "SHA256SUMS"
VERSION = 1


def plan(planning: Planning) -> Iterable[Output]:
    """One file, made from every raw copy's path and SHA-256."""
    listed = sorted(zip(map(RAW_OF, planning.site.entries), map(SHA256_OF, planning.site.entries), strict=True))
    key = planning.key(NAME, VERSION, digest("\0".join(map("\0".join, listed))))
    yield Output("SHA256SUMS", key, lambda: sha256sums(listed))


RAW_OF = operator.attrgetter("raw")
SHA256_OF = operator.attrgetter("doc.sha256")
