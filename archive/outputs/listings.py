"""stances/ and publishers/: the list of each kind of group, and one page per group listing its documents."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from ..derive import Group
from ..render import FILE_OF, Output, Planning, digest

NAME = "listings"
VERSION = 1


class Listing(NamedTuple):
    """A group as a list of groups shows it: no entries, only their count."""

    key: str
    label: str
    page: str
    count: int  # type: ignore[assignment]  # the field, for templates; tuple's count() method is not used
    description: str


def plan(planning: Planning) -> Iterable[Output]:
    """For stances, then publishers: the page listing the groups, then each group's page."""
    site = planning.site
    for kind, title, groups in (("stance", "Stances", site.stances), ("publisher", "Publishers", site.publishers)):
        listings = tuple(Listing(g.key, g.label, g.page, len(g.entries), g.description) for g in groups)
        inputs = [digest(kind, listings)]
        yield planning.page(
            NAME, VERSION, f"{kind}s/index.html", "groups.html", inputs, title=title, groups=listings, kind=kind
        )
        yield from (group_page(planning, group, kind) for group in groups)


def group_page(planning: Planning, group: Group, kind: str) -> Output:
    """The page listing one stance's or one publisher's documents: its key digests theirs."""
    listed = "\0".join(map(planning.digests.__getitem__, map(FILE_OF, group.entries)))
    inputs = [digest(kind, group.key, group.label, group.description, listed)]
    title = f"{kind.capitalize()}: {group.label}"
    return planning.page(NAME, VERSION, group.page, "group.html", inputs, True, title=title, group=group, kind=kind)
