"""stances/ and publishers/: the list of each kind of group, and one page per group listing its documents.

A group of more than `parts.LIMIT` documents is split as the index is: its page
(`stances/KEY.html`, `publishers/SLUG.html`) becomes a summary, and its documents go in parts
(`stances/KEY/PERIOD.html`, ...). A list of more than `parts.GROUP_LIMIT` groups is cut into
numbered pages (`publishers/index.html`, `publishers/index_2.html`, ...).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import NamedTuple

from .. import parts
from ..derive import Group
from ..keys import digest
from ..render import FILE_OF, Output, Planning
from .parted import Link, limit, split_listing

NAME = "listings"
VERSION = 2


class Listing(NamedTuple):
    """A group as a list of groups shows it: no entries, only their count."""

    key: str
    label: str
    page: str
    count: int  # type: ignore[assignment]  # the field, for templates; tuple's count() method is not used
    description: str


def plan(planning: Planning) -> Iterable[Output]:
    """For stances, then publishers: the pages listing the groups, then each group's page (and parts)."""
    site = planning.site
    for kind, title, groups in (("stance", "Stances", site.stances), ("publisher", "Publishers", site.publishers)):
        listings = tuple(Listing(g.key, g.label, g.page, len(g.entries), g.description) for g in groups)
        yield from group_lists(planning, kind, title, listings)
        for group in groups:
            yield from group_pages(planning, group, kind)


def group_lists(planning: Planning, kind: str, title: str, listings: tuple[Listing, ...]) -> Iterator[Output]:
    """The list of a kind's groups: one page, or numbered pages of `parts.GROUP_LIMIT` groups."""
    pages = parts.pages_of(len(listings), parts.GROUP_LIMIT)
    paths = [parts.numbered(f"{kind}s/index.html", number) for number in range(1, len(pages) + 1)]
    for at, shown in enumerate(pages):
        listed = listings[shown.start : shown.stop]
        pager = None
        if len(pages) > 1:
            previous = Link(paths[at - 1], f"page {at}") if at > 0 else None
            following = Link(paths[at + 1], f"page {at + 2}") if at + 1 < len(paths) else None
            span = f"{listed[0].label} to {listed[-1].label}" if listed else ""
            pager = {"number": at + 1, "count": len(pages), "previous": previous, "following": following, "span": span}
        inputs = [digest(kind, listed, pager)]
        page_title = title if at == 0 else f"{title}, page {at + 1} of {len(pages)}"
        yield planning.page(
            NAME, VERSION, paths[at], "groups.html", inputs, title=page_title, groups=listed, kind=kind, pager=pager
        )


def group_pages(planning: Planning, group: Group, kind: str) -> Iterator[Output]:
    """The page listing one stance's or one publisher's documents (its key digests theirs), or,
    for a long one, its summary and its parts."""
    title = f"{kind.capitalize()}: {group.label}"
    if parts.is_split(len(group.entries), limit()):
        folder = group.page.removesuffix(".html")
        split, shown, outputs = split_listing(planning, NAME, VERSION, folder, Link(group.page, title), group.entries)
        inputs = [digest(kind, group.key, group.label, group.description, shown)]
        yield planning.page(
            NAME, VERSION, group.page, "group.html", inputs, True, title=title, group=group, kind=kind, split=split
        )
        yield from outputs
        return
    listed = "\0".join(map(planning.digests.__getitem__, map(FILE_OF, group.entries)))
    inputs = [digest(kind, group.key, group.label, group.description, listed)]
    yield planning.page(
        NAME, VERSION, group.page, "group.html", inputs, True, title=title, group=group, kind=kind, split=None
    )
