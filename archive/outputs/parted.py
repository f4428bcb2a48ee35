"""The pages of a listing split into parts (see archive/parts.py), shared by the index and the listings.

A split listing is a summary page (its span, its newest documents, every period with its count)
and one page per part, linked in order by `rel="prev"`/`"next"`. Each part's key declares
exactly the entries it shows and its neighbours' names, so that adding one document rewrites
its period's parts and the summary, nothing else of the listing.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Iterator, Sequence
from typing import NamedTuple

from .. import parts
from ..derive import Entry
from ..keys import digest
from ..render import FILE_OF, Output, Planning

DATE_TEXT = operator.attrgetter("doc.date.text")
FIRST_SEVEN = operator.itemgetter(slice(7))
"""An entry's month key (`2022-09`, or `2022` when known only to the year) is its date's text
cut to seven characters, without a qualifier (`2022-09-01?` -> `2022-09`, `2022~` -> `2022`)."""
NEWEST = 10
"""How many of its newest documents a split listing's summary shows."""


class Link(NamedTuple):
    """A page of the site as a link shows it."""

    path: str
    label: str


class PeriodRow(NamedTuple):
    """A period as a summary lists it: its parts' pages, first to last."""

    label: str
    count: int  # type: ignore[assignment]  # the field, for templates; tuple's count() method is not used
    pages: tuple[str, ...]


class YearRow(NamedTuple):
    """A year as a summary lists it: its one page, or its periods (months) when it is split."""

    label: str
    count: int  # type: ignore[assignment]  # the field, for templates
    page: str
    periods: tuple[PeriodRow, ...]


class Split(NamedTuple):
    """What a split listing's summary shows besides its own heading."""

    years: tuple[YearRow, ...]
    newest: tuple[Entry, ...]
    """Its newest entries, newest first."""
    first: str
    last: str
    """The dates of its first and last entries, as shown."""
    pages: int
    """How many parts it has."""


def limit() -> int:
    """The most entries on one listing page (read at each build: tests set a small one)."""
    return parts.LIMIT


def split_listing(
    planning: Planning, producer: str, version: int, folder: str, listing: Link, entries: Sequence[Entry]
) -> tuple[Split, str, Iterator[Output]]:
    """A split listing's summary (with the digest of all it shows) and the Outputs of its parts,
    `folder/PART.html`; `listing` is the summary page the parts lead back to."""
    size = limit()
    found, pages = split_of(entries, size)
    paths = [f"{folder}/{part.name}.html" for part in pages]
    first_page = {part.period: path for part, path in zip(reversed(pages), reversed(paths), strict=True)}
    pages_of: dict[str, list[str]] = {}
    for part, path in zip(pages, paths, strict=True):
        pages_of.setdefault(part.period, []).append(path)
    years: dict[str, list[PeriodRow]] = {}
    for period in found:
        row = PeriodRow(period.label, len(period.members), tuple(pages_of[period.key]))
        years.setdefault(period.key[:4], []).append(row)
    rows = tuple(
        YearRow(
            year, sum(p.count for p in inside), first_page.get(year, ""), () if year in first_page else tuple(inside)
        )
        for year, inside in years.items()
    )
    newest = tuple(reversed(entries[-NEWEST:]))
    summary = Split(rows, newest, entries[0].doc.date.label, entries[-1].doc.date.label, len(pages))
    links = [Link(path, part.label) for part, path in zip(pages, paths, strict=True)]
    digests = planning.digests
    shown = digest(size, rows, summary.first, summary.last, "\0".join(digests[e.doc.file] for e in newest))
    outputs = (
        part_page(planning, producer, version, listing, part, links, at, [entries[i] for i in part.members], size)
        for at, part in enumerate(pages)
    )
    return summary, shown, outputs


def split_of(entries: Sequence[Entry], size: int) -> tuple[list[parts.Period], list[parts.Part]]:
    """The periods and parts of a listing of `entries` (in date order), at most `size` to a part."""
    texts = map(FIRST_SEVEN, map(DATE_TEXT, entries))
    return parts.split(list(map(str.rstrip, texts, itertools.repeat("?~"))), size)  # by builtins


def part_paths(folder: str, entries: Sequence[Entry]) -> list[str]:
    """The parts of a listing of `entries`, `folder/PART.html` as split_listing names them; none
    when the listing is one page. For the sitemap, which lists them without making them."""
    size = limit()
    if not parts.is_split(len(entries), size):
        return []
    return [f"{folder}/{part.name}.html" for part in split_of(entries, size)[1]]


def part_page(
    planning: Planning,
    producer: str,
    version: int,
    listing: Link,
    part: parts.Part,
    links: list[Link],
    at: int,
    shown: list[Entry],
    size: int,
) -> Output:
    """One part: its entries, a way back to the summary and links to the parts before and after it."""
    previous = links[at - 1] if at > 0 else None
    following = links[at + 1] if at + 1 < len(links) else None
    listed = "\0".join(map(planning.digests.__getitem__, map(FILE_OF, shown)))
    inputs = [digest(size, listing, part.name, part.label, previous, following, listed)]
    return planning.page(
        producer,
        version,
        links[at].path,
        "part.html",
        inputs,
        True,
        title=f"{listing.label}: {part.label}",
        listing=listing,
        part=part,
        entries=shown,
        previous=previous,
        following=following,
    )
