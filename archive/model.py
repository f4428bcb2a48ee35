"""The plain data every stage passes on: frozen, with no behaviour beyond what it derives."""

from __future__ import annotations

from dataclasses import dataclass, field

from .dates import PartialDate


@dataclass(frozen=True)
class Seed:
    """One file found in `seeds/`, exactly as it is on disk."""

    name: str
    """The file name, which is also the record's key in metadata.yaml."""
    raw: bytes
    """Every byte of the file: the raw copy in the site is these bytes."""
    sha256: str
    """Hex SHA-256 of `raw`, shown on the document's page."""


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
    text: str
    """The seed decoded (UTF-8 unless `encoding` says otherwise); the page shows exactly this."""
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
