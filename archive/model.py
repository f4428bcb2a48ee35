"""The plain data every stage passes on: frozen, with no behaviour beyond what it derives."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, NamedTuple, TypeVar

from .dates import PartialDate

T = TypeVar("T", bound=NamedTuple)


def made_by_name(kind: type[T], columns: Mapping[str, Iterable[Any]]) -> Iterator[T]:
    """Records of a named tuple class from one column of values per field, named: what
    `kind(field=value, ...)` makes for each row, made by builtins (mapped over 10,000 rows it
    makes them without a call in Python each). TypeError when a field is missing or unknown."""
    fields: tuple[str, ...] = kind._fields
    if columns.keys() != set(fields):
        raise TypeError(f"{kind.__name__} has the fields {', '.join(fields)}, not {', '.join(columns)}")
    return map(functools.partial(tuple.__new__, kind), zip(*map(columns.__getitem__, fields), strict=True))


class Seed(NamedTuple):
    """One file found in `seeds/`: what reading it once told (its bytes are not kept).

    A tuple, as Document is: a build makes one of each for every document, and a tuple is made
    faster than a frozen dataclass (and pickled faster to and from the processes that read seeds)."""

    name: str
    """The file name, which is also the record's key in metadata.yaml."""
    path: str
    size: int
    sha256: str
    """Hex SHA-256 of the file's bytes, shown on the document's page."""
    utf8_error: tuple[int, int, int] | None
    """Where the bytes stop being UTF-8: (offset, line, byte); None when they are UTF-8."""
    first_line: str
    """The first non-blank line (decoded leniently), for the record a seed without one is offered."""
    stat: tuple[int, int, int, int] = (0, 0, 0, 0)
    """(size, mtime_ns, ctime_ns, inode) when read: an unchanged file need not be read again."""


class Stance(NamedTuple):
    """One term of the archive's controlled stance vocabulary."""

    key: str
    label: str
    description: str
    """Markdown."""


class Document(NamedTuple):
    """A seed with its validated record: everything a page about it needs (a tuple, as Seed is)."""

    file: str
    """The seed's file name."""
    title: str
    publisher: str
    date: PartialDate
    stance: str
    """A key of the stance vocabulary."""
    sha256: str
    size: int
    """Size of the seed in bytes."""
    line: int
    """Line of the record in metadata.yaml, for messages."""
    author: str | None = None
    source_url: str | None = None
    language: str | None = None
    slug: str | None = None
    """An explicit page name that fixes the page's address for good."""
    encoding: str | None = None
    note: str | None = None
    """Markdown: what the archivist tells the reader about this copy."""
    aliases: tuple[str, ...] | None = None
    """Earlier page names of the document: each becomes a page that sends the reader on to its page."""
    captured: PartialDate | None = None
    """When the copy was made: the accessed date of citations."""


class Archive(NamedTuple):
    """The whole validated input: the archive's description, its vocabulary, its documents."""

    title: str
    description: str
    language: str
    stances: tuple[Stance, ...]
    documents: tuple[Document, ...]
    seeds: dict[str, Seed]
    """Seeds by file name, for the raw copies."""
    bag_in_site: bool = False
    """`archive.bag_in_site`: the site also carries the archive as a zipped BagIt bag (see outputs/bag.py)."""
    base_url: str = ""
    """`archive.base_url`: where the site will be published (`--base-url` wins), ending in `/`."""
    citation_files: bool = True
    """`archive.citation_files`: whether each document gets its `cite/` files."""


def chronological(doc: Document) -> tuple[object, ...]:
    """Sort key: the earliest day the date can be, then the title, then the file name."""
    return (doc.date.earliest, doc.title.casefold(), doc.title, doc.file)
