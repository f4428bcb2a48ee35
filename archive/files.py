"""Files: one input file read defensively, once.

A file's type and size are checked before it is opened and again on the open file (so a named
pipe never blocks the build and a file swapped in between is still caught), and it is read
once: what is hashed, shown and copied are the same bytes.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import NamedTuple

from .problems import Invalid, Problem, shown

MiB = 1024 * 1024


class FileRule(NamedTuple):
    """What to say when a file is not what it should be."""

    expected: str
    """What the file should be, e.g. `seeds/ holds one file per document`."""
    missing: str
    """The message when the file is not there (any more)."""


def read_file(path: str | Path, limit: int, rule: FileRule, info: os.stat_result | None = None) -> bytes:
    """A regular file's bytes, read once; Invalid for anything else, or anything over `limit`.

    The type and size are checked before opening (a device is never opened) and again on
    the open file (a named pipe opened without blocking is never read); a file that grows
    past the limit while it is read is caught by reading one byte more than the limit.
    It is read with a buffer of the file's own size (a buffer of the limit would cost more
    than the read itself). `info`: the file's stat, when the caller has just taken it.
    """
    try:
        check_file(info or os.stat(path), limit, rule, path)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
        try:
            info = os.fstat(fd)
            check_file(info, limit, rule, path)
            data = read_to_end(fd, info.st_size, limit)
        finally:
            os.close(fd)
    except FileNotFoundError:
        raise Invalid([Problem(shown(path), 0, rule.missing)]) from None
    except OSError as error:
        raise Invalid([Problem(shown(path), 0, f"cannot be read: {error.strerror}")]) from None
    if len(data) > limit:
        raise Invalid(
            [Problem(shown(path), 0, f"grew past the limit of {limit // MiB} MiB per file while it was read")]
        )
    return data


def read_to_end(fd: int, size: int, limit: int) -> bytes:
    """Read an open file to its end, or to one byte past `limit`; `size` is what its stat said."""
    parts = []
    total = 0
    want = size + 1
    while total <= limit:
        chunk = os.read(fd, min(want, limit + 1 - total))
        if not chunk:
            break
        parts.append(chunk)
        total += len(chunk)
        want = max(want - len(chunk), 1 << 16)
    return parts[0] if len(parts) == 1 else b"".join(parts)


def check_file(info: os.stat_result, limit: int, rule: FileRule, path: str | Path) -> None:
    """Refuse what is not a regular file, or is larger than `limit`."""
    where = shown(path) if not stat.S_ISREG(info.st_mode) or info.st_size > limit else ""
    mode = info.st_mode
    if stat.S_ISDIR(mode):
        raise Invalid([Problem(where, 0, f"is a folder: {rule.expected}")])
    if not stat.S_ISREG(mode):
        kind = "a named pipe" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else "a device"
        raise Invalid([Problem(where, 0, f"is {kind}, not a regular file: {rule.expected}")])
    if info.st_size > limit:
        size = f"{info.st_size / MiB:,.1f}"
        raise Invalid([Problem(where, 0, f"is {size} MiB, larger than the limit of {limit // MiB} MiB per file")])
