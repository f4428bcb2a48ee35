"""static/: the stylesheet and any other file of the theme's static folders, copied as they are."""

from __future__ import annotations

import functools
from collections.abc import Iterable

from ..keys import digest
from ..render import Output, Planning

NAME = "static"
VERSION = 1


def plan(planning: Planning) -> Iterable[Output]:
    """Each static file; its key is the digest of its bytes."""
    for path, file in planning.theme.static.items():
        data = file.read_bytes()
        yield Output(path, planning.key(NAME, VERSION, digest(data)), functools.partial(bytes, data))
