"""The plain data every stage passes on: frozen, with no behaviour beyond what it derives."""

from __future__ import annotations

from dataclasses import dataclass, field

from .dates import PartialDate


@dataclass(frozen=True)
class Seed:
    """One file found in `seeds/`: what reading it once told (its bytes are not kept)."""

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

    def __reduce__(self) -> tuple[type[Seed], tuple[object, ...]]:
        """Pickled as its fields (the worker processes that read seeds send 10,000 back)."""
        return Seed, (self.name, self.path, self.size, self.sha256, self.utf8_error, self.first_line, self.stat)


@dataclass(frozen=True)
class Stance:
    """One term of the archive's controlled stance vocabulary."""

    key: str
    label: str
    description: str
    """Markdown."""


@dataclass(frozen=True)
class Document:
    """A seed with its validated record: everything a page about it needs."""

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


@dataclass(frozen=True)
class Archive:
    """The whole validated input: the archive's description, its vocabulary, its documents."""

    title: str
    description: str
    language: str
    stances: tuple[Stance, ...]
    documents: tuple[Document, ...]
    seeds: dict[str, Seed] = field(compare=False)
    """Seeds by file name, for the raw copies."""
