"""about.html: the archive's description, its stance vocabulary, how dates are shown, how to check a copy."""

from __future__ import annotations

from collections.abc import Iterable

from ..render import Output, Planning
from . import bag_zip

NAME = "about"
VERSION = 2


def plan(planning: Planning) -> Iterable[Output]:
    """One page; what it shows of the archive is in every page's key already, but for the link to
    the bag, there when `archive.bag_in_site` is true."""
    bag = bag_zip.PATH if planning.site.archive.bag_in_site else ""
    yield planning.page(NAME, VERSION, "about.html", "about.html", [bag], title="About this archive", bag=bag)
