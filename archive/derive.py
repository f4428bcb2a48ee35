"""Derive: everything the pages need that the input only implies.

Chronological order, page names, neighbours and the listings (by month, stance, publisher).
Each later feature (search, timeline, shared passages, exports) is one more function here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from slugify import slugify
from slugify.slugify import DISALLOWED_CHARS_PATTERN

from .model import Archive, Document, Stance
from .problems import Invalid, Problem

SLUG_LENGTH = 80


class Entry(NamedTuple):
    """A document placed in the site (a tuple, as Document is)."""

    doc: Document
    slug: str
    page: str
    """Path of its page from the site root, e.g. `documents/some-title.html`."""
    raw: str
    """Path of its byte-identical copy from the site root, e.g. `raw/000_x.txt`."""
    publisher_page: str
    """Path of the listing of its publisher's documents."""


class Group(NamedTuple):
    """A listing of entries: one month, one stance or one publisher."""

    key: str
    label: str
    page: str
    """Path of the listing's page from the site root ("" for months, listed on the index)."""
    entries: tuple[Entry, ...]
    description: str = ""


class Term(NamedTuple):
    """One stance of the vocabulary, with the page that lists its documents."""

    key: str
    label: str
    description: str
    page: str


class ArchiveInfo(NamedTuple):
    """What every page may show about the archive as a whole: all a page gets beside its own data."""

    title: str
    description: str
    language: str
    stances: tuple[Term, ...]


class Site(NamedTuple):
    """The archive as the pages see it."""

    archive: Archive
    info: ArchiveInfo
    entries: tuple[Entry, ...]
    """Every document, in chronological order."""
    months: tuple[Group, ...]
    stances: tuple[Group, ...]
    publishers: tuple[Group, ...]


def derive_site(archive: Archive, metadata_path: str, slug_memo: dict[str, str] | None = None) -> Site:
    """Order the documents, name their pages and build the listings."""
    ordered = sorted(archive.documents, key=chronological)
    slugify_memo = SlugMemo(slug_memo if slug_memo is not None else {})
    slugs = assign_slugs(ordered, metadata_path, slugify_memo)
    publisher_pages = name_publisher_pages((doc.publisher for doc in ordered), slugify_memo)
    entries = tuple(
        Entry(
            doc,
            slugs[doc.file],
            f"documents/{slugs[doc.file]}.html",
            raw_path(doc.file),
            publisher_pages[doc.publisher],
        )
        for doc in ordered
    )
    return Site(
        archive=archive,
        info=ArchiveInfo(
            archive.title,
            archive.description,
            archive.language,
            tuple(Term(s.key, s.label, s.description, f"stances/{s.key}.html") for s in archive.stances),
        ),
        entries=entries,
        months=group_by_month(entries),
        stances=group_by_stance(entries, archive.stances),
        publishers=group_by_publisher(entries, publisher_pages),
    )


def raw_path(file: str) -> str:
    """Where a seed's raw copy goes: its own name, made to end in .txt when it does not.

    A static host picks the type of a file by its ending: a seed named `x.html` or `x.svg`,
    copied as it is, would be served as a page and run whatever scripts it holds. With `.txt`
    added it is served as the plain text it is, still byte for byte.
    """
    return f"raw/{file}" if file.lower().endswith(".txt") else f"raw/{file}.txt"


def chronological(doc: Document) -> tuple[object, ...]:
    """Sort key: the earliest day the date can be, then the title, then the file name."""
    return (doc.date.earliest, doc.title.casefold(), doc.title, doc.file)


class SlugMemo:
    """python-slugify, remembered: text -> slug (slugify is deterministic, and slow at 10,000 titles)."""

    def __init__(self, memo: dict[str, str]) -> None:
        self.memo = memo

    def __call__(self, text: str, fallback: str) -> str:
        """A page name from a title, cut at a word boundary; from the fallback when it has no letters."""
        if text not in self.memo:
            self.memo[text] = title_slug(text)
        return self.memo[text] or cut_slug(slugify(fallback)) or "document"


def title_slug(text: str) -> str:
    """The slug of a title (or a publisher's name), cut at a word boundary; empty when it has no letters."""
    return cut_slug(quick_slugify(text))


def quick_slugify(text: str) -> str:
    """slugify(text), without its transliteration pass (a loop in Python) where it changes nothing.

    ASCII is its own transliteration; `&` is left to the full path, because slugify decodes
    HTML entities (`&#233;`) after transliterating.
    """
    if text.isascii() and "&" not in text:
        return slugify(text, allow_unicode=True, regex_pattern=DISALLOWED_CHARS_PATTERN)
    return slugify(text)


def cut_slug(slug: str) -> str:
    """A slug no longer than SLUG_LENGTH, cut at a hyphen where there is one."""
    if len(slug) > SLUG_LENGTH:
        cut = slug[: SLUG_LENGTH + 1].rfind("-")
        slug = slug[: cut if cut > 0 else SLUG_LENGTH].strip("-")
    return slug


def assign_slugs(ordered: list[Document], metadata_path: str, title_slug: SlugMemo) -> dict[str, str]:
    """Page names: explicit slugs first (colliding ones are an error), then titles made unique.

    Documents that share a title keep it in chronological order: the first takes the plain
    name, later ones `-2`, `-3`, ... A `slug` field pins a page name for good.
    """
    slugs: dict[str, str] = {}
    owner: dict[str, Document] = {}
    problems = []
    for doc in ordered:
        if doc.slug is None:
            continue
        if doc.slug in owner:
            other = owner[doc.slug]
            problems.append(
                Problem(
                    metadata_path,
                    doc.line,
                    f"documents.{doc.file}.slug: '{doc.slug}' is already the slug of {other.file} (line {other.line})",
                )
            )
        owner[doc.slug] = doc
        slugs[doc.file] = doc.slug
    if problems:
        raise Invalid(problems)
    taken = set(owner)
    for doc in ordered:
        if doc.file not in slugs:
            slugs[doc.file] = unique(title_slug(doc.title, doc.file), taken)
    return slugs


def unique(base: str, taken: set[str]) -> str:
    """`base`, or `base-2`, `base-3`, ... whichever is free first; marks it taken."""
    name, number = base, 1
    while name in taken:
        number += 1
        name = f"{base}-{number}"
    taken.add(name)
    return name


def grouped(entries: Iterable[Entry], keys: Iterable[str]) -> dict[str, list[Entry]]:
    """Entries by their keys (one each, in the same order), keeping their order within each group."""
    groups: dict[str, list[Entry]] = {}
    for entry, key in zip(entries, keys, strict=True):
        members = groups.get(key)
        if members is None:
            groups[key] = [entry]
        else:
            members.append(entry)
    return groups


def group_by_month(entries: tuple[Entry, ...]) -> tuple[Group, ...]:
    """Chronological groups by month; dates known only to the year form their own group."""
    groups = grouped(entries, [e.doc.date.machine[:7] for e in entries])
    return tuple(Group(key, members[0].doc.date.month_label, "", tuple(members)) for key, members in groups.items())


def group_by_stance(entries: tuple[Entry, ...], stances: tuple[Stance, ...]) -> tuple[Group, ...]:
    """One listing per stance, in the vocabulary's order, empty ones included."""
    groups = grouped(entries, [e.doc.stance for e in entries])
    return tuple(
        Group(s.key, s.label, f"stances/{s.key}.html", tuple(groups.get(s.key, ())), s.description) for s in stances
    )


def name_publisher_pages(publishers: Iterable[str], title_slug: SlugMemo) -> dict[str, str]:
    """The page of each publisher, named from its name and unique, alphabetically assigned."""
    taken: set[str] = set()
    names = sorted(set(publishers), key=lambda n: (n.casefold(), n))
    return {name: f"publishers/{unique(title_slug(name, 'publisher'), taken)}.html" for name in names}


def group_by_publisher(entries: tuple[Entry, ...], pages: dict[str, str]) -> tuple[Group, ...]:
    """One listing per publisher, alphabetical."""
    groups = grouped(entries, [e.doc.publisher for e in entries])
    return tuple(
        Group(pages[name].removeprefix("publishers/").removesuffix(".html"), name, pages[name], tuple(groups[name]))
        for name in pages
    )
