"""about.html: the archive's description, its stance vocabulary, how dates are shown, how to check a copy."""

from __future__ import annotations

from collections.abc import Iterable

from ..render import Output, Planning

NAME = "about"
VERSION = 1


def plan(planning: Planning) -> Iterable[Output]:
    """One page; what it shows of the archive is in every page's key already."""
    yield planning.page(NAME, VERSION, "about.html", "about.html", [], title="About this archive")
