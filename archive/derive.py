"""Derive: everything the pages need that the input only implies.

Chronological order, page names, neighbours and the listings (by month, stance, publisher).
Each later feature (search, timeline, shared passages, exports) is one more function here.
"""

from __future__ import annotations

import bisect
import itertools
import operator
import re
from collections.abc import Collection, Iterable
from typing import Any, NamedTuple

from .model import Archive, Document, Stance, from_fields
from .problems import Invalid, Problem

SLUG_LENGTH = 80
PATCH_AT_MOST = 100
"""More documents added, changed or removed than this since the last placement: derive them all."""
LINE = Document._fields.index("line")
SLUG = Document._fields.index("slug")
DATE = Document._fields.index("date")
CAPTURED = Document._fields.index("captured")
FILE = operator.itemgetter(Document._fields.index("file"))
PUBLISHER = operator.itemgetter(Document._fields.index("publisher"))


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
    citation_files: bool = True
    """Whether each document has its `cite/` files (the page links them)."""


class Placement(NamedTuple):
    """Where the last build placed each document, and the digests and page keys it made of them.

    A build that finds only a few documents added, changed or removed since places those few
    into it, and takes every other document's place, page name, digest and page key from it:
    the result is what deriving and digesting the whole archive gives, at a fraction of the cost.
    """

    docs: list[tuple[Any, ...]]
    """Each Document as plain values (its dates as their parts), in chronological order."""
    slugs: list[str]
    publisher_pages: dict[str, str]
    digests: list[str]
    """Each entry's digest (see render.entry_digest)."""
    salted: str
    """What every document page's key was made from besides its entries' digests."""
    keys: list[str]
    """Each document page's key."""

    def files(self) -> list[str]:
        """Each document's file name, in the order placed."""
        return list(map(FILE, self.docs))


class Patch(NamedTuple):
    """What differs from the last build's placement, when the site was placed from it."""

    fresh: frozenset[str]
    """The documents added or changed since: their entries are digested again."""
    near: frozenset[str]
    """The documents whose neighbours may differ: their pages' keys are made again."""
    changed: int
    """Documents added, changed or removed."""


class Site(NamedTuple):
    """The archive as the pages see it."""

    archive: Archive
    info: ArchiveInfo
    entries: tuple[Entry, ...]
    """Every document, in chronological order."""
    months: tuple[Group, ...]
    stances: tuple[Group, ...]
    publishers: tuple[Group, ...]
    patch: Patch | None = None
    """Set when the documents were placed from the last build's placement (see Placement)."""


def derive_site(
    archive: Archive, metadata_path: str, slug_memo: dict[str, str] | None = None, last: Placement | None = None
) -> Site:
    """Order the documents, name their pages and build the listings.

    With `last`, the last build's placement, a few changed documents are placed into it
    instead (see `patched`); it is the same site.
    """
    slugify_memo = SlugMemo(slug_memo if slug_memo is not None else {})
    placed = patched(archive.documents, last, slugify_memo) if last is not None else None
    if placed is not None:
        ordered, slugs, publisher_pages, patch = placed
    else:
        ordered = sorted(archive.documents, key=chronological)
        slugs = assign_slugs(ordered, metadata_path, slugify_memo)
        publisher_pages = name_publisher_pages((doc.publisher for doc in ordered), slugify_memo)
        patch = None
    entries = make_entries(ordered, slugs, publisher_pages)
    return Site(
        archive=archive,
        info=ArchiveInfo(
            archive.title,
            archive.description,
            archive.language,
            tuple(Term(s.key, s.label, s.description, f"stances/{s.key}.html") for s in archive.stances),
            archive.citation_files,
        ),
        entries=entries,
        months=group_by_month(entries),
        stances=group_by_stance(entries, archive.stances),
        publishers=group_by_publisher(entries, publisher_pages),
        patch=patch,
    )


def make_entries(ordered: list[Document], slugs: dict[str, str], publisher_pages: dict[str, str]) -> tuple[Entry, ...]:
    """The documents as entries, in order: made column by column, by builtins (a loop of
    Entry(...) in Python costs an incremental build of 10,000 documents 40 ms)."""
    files = list(map(FILE, ordered))
    names = list(map(slugs.__getitem__, files))
    columns = (
        ordered,
        names,
        map("documents/{}.html".format, names),
        map(raw_path, files),
        map(publisher_pages.__getitem__, map(PUBLISHER, ordered)),
    )
    return tuple(map(from_fields(Entry), zip(*columns, strict=True)))


def patched(
    documents: tuple[Document, ...], last: Placement, title_slug: SlugMemo
) -> tuple[list[Document], dict[str, str], dict[str, str], Patch] | None:
    """The documents in order, their page names and the publishers' pages, from the last
    build's placement with the documents that differ from it placed anew; None when they must
    all be derived: too many differ, the publishers are not the same, an explicit slug is
    involved, or a page name could pass to another document (see `freed_is_wanted`).

    A document that differs only in its line is the same: nothing a page shows changed.
    """
    try:
        return place_anew(documents, last, title_slug)
    except (TypeError, ValueError, IndexError, KeyError, AttributeError):
        return None  # a placement of another shape


def place_anew(
    documents: tuple[Document, ...], last: Placement, title_slug: SlugMemo
) -> tuple[list[Document], dict[str, str], dict[str, str], Patch] | None:
    """`patched`, for a placement of the right shape."""
    by_file = dict(zip(map(FILE, documents), documents, strict=True))
    files = last.files()
    current: list[Any] = list(map(by_file.get, files))  # None for a document removed
    same = list(map(operator.eq, current, last.docs))  # compared by builtins: 10,000 documents in 2 ms
    gone: list[int] = []
    """Places in the last order of the documents removed or changed since."""
    for i in itertools.compress(range(len(same)), map(operator.not_, same)):
        doc, old = current[i], last.docs[i]
        if doc is not None and doc[:LINE] == old[:LINE] and doc[LINE + 1 :] == old[LINE + 1 :]:
            same[i] = True
        elif len(gone) < PATCH_AT_MOST:
            gone.append(i)
        else:
            return None
    kept = list(itertools.compress(current, same))
    placed = set(files).difference(files[i] for i in gone)
    fresh = [by_file[file] for file in sorted(by_file.keys() - placed)]
    if len(placed) != len(kept) or len(fresh) + len(gone) > PATCH_AT_MOST:
        return None
    if any(doc.slug is not None for doc in fresh) or any(last.docs[i][SLUG] is not None for i in gone):
        return None  # explicit slugs are taken before any other: derive them all
    if set(map(PUBLISHER, documents)) != last.publisher_pages.keys():
        return None  # publishers' pages are named in alphabetical order
    slugs = dict(zip(files, last.slugs, strict=True))
    freed = [last.slugs[i] for i in gone]
    if any(freed_is_wanted(slug, last.slugs) for slug in freed):
        return None
    held = set(last.slugs).difference(freed)
    for doc in fresh:
        base = title_slug(doc.title, doc.file)
        if base in held:
            return None  # the document would be named after another one, which might move
        held.add(base)
        slugs[doc.file] = base
    for doc in fresh:
        bisect.insort(kept, doc, key=chronological)
    changed = {doc.file for doc in fresh}.union(files[i] for i in gone)
    near = neighbours(kept, fresh, files, gone, by_file)
    return kept, slugs, last.publisher_pages, Patch(frozenset(doc.file for doc in fresh), frozenset(near), len(changed))


def freed_is_wanted(slug: str, slugs: list[str]) -> bool:
    """Whether another document could take a page name that was freed: one that was named
    after it (`slug-2`, ...), or after the same name as it (`x-3` when `x-2` is freed)."""
    stem = re.sub(r"-[0-9]+$", "", slug)
    pattern = re.compile(f"^(?:{re.escape(slug)}|{re.escape(stem)})-[0-9]+$", re.M)
    return any(match.group() != slug for match in pattern.finditer("\n".join(slugs)))


def neighbours(
    ordered: list[Document], fresh: list[Document], files: list[str], gone: list[int], present: dict[str, Document]
) -> set[str]:
    """The documents next to a fresh one now, or next to a removed or changed one before."""
    near: set[str] = set()
    for doc in fresh:
        at = bisect.bisect_left(ordered, chronological(doc), key=chronological)
        near.update(other.file for other in ordered[max(at - 1, 0) : at + 2])
    for i in gone:
        near.update(files[j] for j in (i - 1, i + 1) if 0 <= j < len(files) and files[j] in present)
    return near


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
        return self.memo[text] or cut_slug(quick_slugify(fallback)) or "document"


def title_slug(text: str) -> str:
    """The slug of a title (or a publisher's name), cut at a word boundary; empty when it has no letters."""
    return cut_slug(quick_slugify(text))


def quick_slugify(text: str) -> str:
    """slugify(text), as python-slugify makes it; for ASCII text without `&` (most titles) by
    its own steps, without importing it (its import costs an incremental build 10 ms or more).

    For ASCII, NFKC normalization and transliteration change nothing, and with no `&` there is
    no HTML entity to decode: what is left is quotes, case, commas between digits and the
    characters a slug does not keep. The tests compare the two on any ASCII text.
    """
    if text.isascii() and "&" not in text:
        text = NUMBER_COMMA.sub("", QUOTES.sub("-", text).lower())
        return DASHES.sub("-", NOT_IN_SLUG.sub("-", text)).strip("-")
    from slugify import slugify

    return slugify(text)


QUOTES = re.compile(r"'+")
NUMBER_COMMA = re.compile(r"(?<=\d),(?=\d)")
NOT_IN_SLUG = re.compile(r"[^-a-zA-Z0-9]+")
DASHES = re.compile(r"-{2,}")
"""python-slugify's patterns for these steps."""


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


ORDER = ""
"""The key of the placement's order, publishers' pages and salt among its rows (no file is named "")."""


def placement_rows(
    site: Site, digests: dict[str, str], salted: str, keys: list[str], files: Collection[str] | None = None
) -> dict[str, tuple[Any, ...]]:
    """The site's placement as the store keeps it, a row a document (see Placement): by its
    file, its Document as plain values (its date as its parts), page name, digest and page key;
    by ORDER, the files in order, the publishers' pages and the salt. `files`: the documents
    whose rows to make (None: all)."""
    order = list(digests)
    rows: dict[str, tuple[Any, ...]] = {ORDER: (order, {group.label: group.page for group in site.publishers}, salted)}
    placed = zip(site.entries, digests.values(), keys, strict=True)
    for entry, digest, key in placed if files is None else itertools.compress(placed, map(files.__contains__, order)):
        doc = entry.doc
        captured = tuple(doc.captured) if doc.captured is not None else None
        plain = (*doc[:DATE], tuple(doc.date), *doc[DATE + 1 : CAPTURED], captured, *doc[CAPTURED + 1 :])
        rows[doc.file] = (plain, entry.slug, digest, key)
    return rows


def placement_from(rows: dict[str, Any]) -> Placement | None:
    """The placement kept as `placement_rows` made it; None for anything else."""
    try:
        order, publisher_pages, salted = rows[ORDER]
        placed = list(map(rows.__getitem__, order))
        docs, slugs, digests, keys = (list(map(operator.itemgetter(i), placed)) for i in range(4))
    except (KeyError, TypeError, ValueError, IndexError):
        return None
    if not isinstance(publisher_pages, dict) or not isinstance(salted, str):
        return None
    return Placement(docs, slugs, publisher_pages, digests, salted, keys)
