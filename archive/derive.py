"""Derive: everything the pages need that the input only implies.

Chronological order, page names, neighbours and the listings (by month, stance, publisher).
Each later feature (search, timeline, shared passages, exports) is one more function here.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from .model import Archive, Document, Stance, chronological, made_by_name
from .namelock import EMPTY, NameLock
from .names import SUFFIX, SlugMemo, assign_names, shared_base
from .placement import Patch, Placement, patched, sources_of

FILE = operator.attrgetter("file")
TITLE = operator.attrgetter("title")
PUBLISHER = operator.attrgetter("publisher")


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


class Alias(NamedTuple):
    """An earlier page name of a document (see Document.aliases): a page that sends the reader on."""

    page: str
    """Path of the page from the site root, e.g. `documents/old-name.html`."""
    entry: Entry
    """The document it sends the reader to."""


class Gone(NamedTuple):
    """A page name the lock gives a seed no longer in the archive: a page that says so (a tombstone)."""

    page: str
    """Path of the page from the site root, e.g. `documents/old-name.html`."""
    seed: str
    """The seed file the name belonged to."""


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
    titles: tuple[Group, ...] = ()
    """The documents of each title two or more share, listed at the page their bare name would have."""
    aliases: tuple[Alias, ...] = ()
    """Every earlier page name a record keeps, and every locked name no page uses whose seed is
    in the archive, in the order of the names."""
    gone: tuple[Gone, ...] = ()
    """Every locked name whose seed has left the archive, in the order of the names."""
    lock: NameLock = EMPTY
    """names.lock as this build read it."""
    sources: Mapping[str, str] = {}
    """What each document was made from, by its file (see `sources_of`): what the next build's
    placement compares."""


def derive_site(
    archive: Archive,
    metadata_path: str,
    slug_memo: SlugMemo | dict[str, str] | None = None,
    last: Placement | None = None,
    lock: NameLock = EMPTY,
    records: Mapping[str, str] | None = None,
) -> Site:
    """Order the documents, name their pages and build the listings.

    With `last`, the last build's placement, a few changed documents are placed into it
    instead (see `patched`); it is the same site. `slug_memo`: the slugs of titles and
    publishers made before (see SlugMemo). `lock`: the names given before (see namelock).
    `records`: the digest of each document's record, by its file (see records.record_digest).
    """
    slugify_memo = slug_memo if isinstance(slug_memo, SlugMemo) else SlugMemo(slug_memo)
    sources = sources_of(archive.documents, records)
    placed = patched(archive.documents, sources, last, slugify_memo, lock) if last is not None else None
    if placed is not None:
        ordered, slugs, publisher_pages, patch = placed
    else:
        slugify_memo.look_up(itertools.chain(map(TITLE, archive.documents), map(PUBLISHER, archive.documents)))
        ordered = sorted(archive.documents, key=chronological)
        slugs = assign_names(ordered, metadata_path, slugify_memo, lock)
        publisher_pages = name_publisher_pages((doc.publisher for doc in ordered), slugify_memo)
        patch = None
    entries = make_entries(ordered, slugs, publisher_pages)
    titles = group_by_shared_title(entries, lock)
    redirects, gone = locked_pages(entries, titles, lock)
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
        titles=titles,
        aliases=alias_pages(entries, redirects),
        gone=gone,
        lock=lock,
        sources=sources,
    )


def make_entries(ordered: list[Document], slugs: dict[str, str], publisher_pages: dict[str, str]) -> tuple[Entry, ...]:
    """The documents as entries, in order: made column by column, by builtins, not by a loop of
    Entry(...) in Python (an incremental build makes every entry again)."""
    files = list(map(FILE, ordered))
    names = list(map(slugs.__getitem__, files))
    columns: dict[str, Iterable[Any]] = {
        "doc": ordered,
        "slug": names,
        "page": map("documents/{}.html".format, names),
        "raw": raw_paths(files),
        "publisher_page": map(publisher_pages.__getitem__, map(PUBLISHER, ordered)),
    }
    return tuple(made_by_name(Entry, columns))


ALIASES = operator.attrgetter("aliases")
DOC = operator.attrgetter("doc")


def raw_path(file: str) -> str:
    """Where a seed's raw copy goes: its own name, made to end in .txt when it does not.

    A static host picks the type of a file by its ending: a seed named `x.html` or `x.svg`,
    copied as it is, would be served as a page and run whatever scripts it holds. With `.txt`
    added it is served as the plain text it is, still byte for byte.
    """
    return f"raw/{file}" if file.lower().endswith(".txt") else f"raw/{file}.txt"


def raw_paths(files: list[str]) -> Iterable[str]:
    """`raw_path` of each file: by builtins when every name ends in `.txt` in small letters, as
    most do, instead of one call in Python a name."""
    if "".join(map(TXT_END, files)) == ".txt" * len(files):
        return map("raw/{}".format, files)
    return map(raw_path, files)


TXT_END = operator.itemgetter(slice(-4, None))


def unique(base: str, taken: set[str]) -> str:
    """`base`, or `base-2`, `base-3`, ... whichever is free first; marks it taken."""
    name, number = base, 1
    while name in taken:
        number += 1
        name = f"{base}-{number}"
    taken.add(name)
    return name


def group_by_shared_title(entries: tuple[Entry, ...], lock: NameLock = EMPTY) -> tuple[Group, ...]:
    """The documents of each title two or more share (their names carry a suffix: see names.py),
    listed at the bare name unless a document claims it or the lock gives it a seed not among
    them (it leads to that seed's document, or says it is gone: see locked_pages); in the order
    of the bare names."""
    if SUFFIX not in "\n".join(map(SLUG_OF, entries)):
        return ()  # no suffixed name: found by builtins, as most archives are
    suffixed = [entry for entry in entries if shared_base(entry.slug) is not None]
    if not suffixed:
        return ()
    claimed = {entry.slug for entry in entries}.union(*filter(None, map(ALIASES, map(DOC, entries))))
    groups = grouped(suffixed, [shared_base(entry.slug) or "" for entry in suffixed])
    return tuple(
        Group(base, shared_label(members), f"documents/{base}.html", tuple(members))
        for base, members in sorted(groups.items())
        if len(members) > 1 and base not in claimed and lock.seeds.get(base) in (None, *map(FILE_OF_ENTRY, members))
    )


def shared_label(entries: list[Entry]) -> str:
    """The title the documents share (the titles, when their slugs only are the same)."""
    return " / ".join(dict.fromkeys(entry.doc.title for entry in entries))


def alias_pages(entries: tuple[Entry, ...], locked: Iterable[tuple[str, Entry]] = ()) -> tuple[Alias, ...]:
    """A page for every earlier name a record keeps but the one its page has now, and for each
    locked name no page uses whose seed is in the archive (`locked`: name, entry), by name."""
    aliased = [entry for entry in entries if entry.doc.aliases]
    found = {alias: entry for entry in aliased for alias in entry.doc.aliases or () if alias != entry.slug}
    found.update(locked)
    return tuple(Alias(f"documents/{name}.html", found[name]) for name in sorted(found))


def locked_pages(
    entries: tuple[Entry, ...], titles: tuple[Group, ...], lock: NameLock
) -> tuple[list[tuple[str, Entry]], tuple[Gone, ...]]:
    """The locked names no document's page, alias or shared title's list uses: (name, entry)
    where the name's seed is in the archive under another name (its page sends the reader on),
    and a Gone for each whose seed has left it; by name."""
    if not lock.seeds:
        return [], ()
    if sum(map(lock.seeds.__contains__, map(SLUG_OF, entries))) == len(lock.seeds):
        return [], ()  # every locked name is a page's (no two pages have one name): the common case, by builtins
    by_file = dict(zip(map(FILE_OF_ENTRY, entries), entries, strict=True))
    used = {*map(SLUG_OF, entries), *(group.key for group in titles)}
    used.update(*filter(None, map(ALIASES, map(DOC, entries))))
    unused = sorted(lock.seeds.keys() - used)
    redirects = [(name, by_file[lock.seeds[name]]) for name in unused if lock.seeds[name] in by_file]
    gone = tuple(Gone(f"documents/{name}.html", lock.seeds[name]) for name in unused if lock.seeds[name] not in by_file)
    return redirects, gone


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


SLUG_OF = operator.attrgetter("slug")
FILE_OF_ENTRY = operator.attrgetter("doc.file")
