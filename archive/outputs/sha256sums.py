"""SHA256SUMS: the raw copies' SHA-256, in the form `sha256sum -c` reads, run in the site's root.

One line per raw copy, `HEX  raw/NAME`, sorted by path (not by date: a record's new date moves
no line). A name holding a backslash is written as GNU coreutils writes it: the line starts
with a backslash and the name's own backslashes are doubled. The digests are the seeds',
checked against their bytes when each raw copy is made.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable

from ..render import Output, Planning, digest

NAME = "SHA256SUMS"
VERSION = 1


def plan(planning: Planning) -> Iterable[Output]:
    """One file, made from every raw copy's path and SHA-256."""
    listed = sorted(zip(map(RAW_OF, planning.site.entries), map(SHA256_OF, planning.site.entries), strict=True))
    key = planning.key(NAME, VERSION, digest("\0".join(map("\0".join, listed))))
    yield Output("SHA256SUMS", key, lambda: sha256sums(listed))


def sha256sums(listed: list[tuple[str, str]]) -> bytes:
    """The file's bytes from (path, hex SHA-256) pairs, in their order."""
    return "".join(map(sha256sum_line, listed)).encode("utf-8", "surrogateescape")


def sha256sum_line(item: tuple[str, str]) -> str:
    """One line as `sha256sum` writes it (text mode: two spaces)."""
    path, sha256 = item
    if "\\" in path or "\n" in path or "\r" in path:
        escaped = path.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")
        return f"\\{sha256}  {escaped}\n"
    return f"{sha256}  {path}\n"


RAW_OF = operator.attrgetter("raw")
SHA256_OF = operator.attrgetter("doc.sha256")
