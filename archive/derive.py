"""Derive: everything the pages need that the input only implies.

Chronological order, page names, neighbours and the listings (by month, stance, publisher).
Each later feature (search, timeline, shared passages, exports) is one more function here.
"""

from __future__ import annotations

import bisect
import itertools
import operator
from collections.abc import Collection, Iterable, Mapping
from typing import Any, NamedTuple

from .model import Archive, Document, Stance, made_by_name
from .namelock import EMPTY, NameLock
from .names import SUFFIX, SlugMemo, assign_names, shared_base
from .problems import Problem

PATCH_AT_MOST = 100
"""More documents added, changed or removed than this since the last placement: derive them all."""
FILE = operator.attrgetter("file")
TITLE = operator.attrgetter("title")
PUBLISHER = operator.attrgetter("publisher")
SHA256 = operator.attrgetter("sha256")


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


class Placement(NamedTuple):
    """Where the last build placed each document, and the digests and page keys it made of them.

    A build that finds only a few documents added, changed or removed since places those few
    into it, and takes every other document's place, page name, digest and page key from it:
    the result is what deriving and digesting the whole archive gives, at a fraction of the cost.
    """

    files: list[str]
    """Each document's file name, in chronological order."""
    sources: list[str]
    """What each document was made from (see `sources_of`), in the same order."""
    titles: list[str]
    """Each document's title (a removed one's slug may be unused now)."""
    claims: list[bool]
    """Whether each document claims a name (see `claims_a_name`)."""
    slugs: list[str]
    publisher_pages: dict[str, str]
    digests: list[str]
    """Each entry's digest (see render.entry_digest)."""
    salted: str
    """What every document page's key was made from besides its entries' digests."""
    keys: list[str]
    """Each document page's key."""
    lock: str = ""
    """The digest of names.lock as the build that placed them left it (see namelock.NameLock.digest)."""


class Patch(NamedTuple):
    """What differs from the last build's placement, when the site was placed from it."""

    fresh: frozenset[str]
    """The documents added or changed since: their entries are digested again."""
    near: frozenset[str]
    """The documents whose neighbours may differ: their pages' keys are made again."""
    changed: int
    """Documents added, changed or removed."""
    left: frozenset[str] = frozenset()
    """The titles the documents removed or changed since had (their slugs may be unused now)."""


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


def sources_of(documents: tuple[Document, ...], records: Mapping[str, str] | None) -> dict[str, str]:
    """What each document is made from, by its file: the digest of its record (see
    records.record_digest: its text, after what validating it depended on) and its seed's
    SHA-256. Two builds that find the same show the same document, but for its line. Without
    the records' digests (no store, or a metadata.yaml not in the plain layout), its fields but
    its line, as text."""
    files = list(map(FILE, documents))
    if records is not None and all(map(records.__contains__, files)):
        made_from = map("{}\0{}".format, map(records.__getitem__, files), map(SHA256, documents))
        return dict(zip(files, made_from, strict=True))
    return {doc.file: repr(tuple(doc._replace(line=0))) for doc in documents}


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


def patched(
    documents: tuple[Document, ...],
    sources: Mapping[str, str],
    last: Placement,
    title_slug: SlugMemo,
    lock: NameLock = EMPTY,
) -> tuple[list[Document], dict[str, str], dict[str, str], Patch] | None:
    """The documents in order, their page names and the publishers' pages, from the last
    build's placement with the documents that differ from it placed anew; None when they must
    all be derived: too many differ, the publishers are not the same, an explicit slug is
    involved, a page name could pass to another document, or names.lock is not the one the
    last build left (its names weigh on every document's).

    A document made from the same record and seed (`sources`, see `sources_of`) is the same,
    whatever its line: nothing a page shows changed.
    """
    if last.lock != lock.digest:
        return None
    try:
        return place_anew(documents, sources, last, title_slug, lock)
    except (TypeError, ValueError, IndexError, KeyError, AttributeError):
        return None  # a placement of another shape


def place_anew(
    documents: tuple[Document, ...],
    sources: Mapping[str, str],
    last: Placement,
    title_slug: SlugMemo,
    lock: NameLock = EMPTY,
) -> tuple[list[Document], dict[str, str], dict[str, str], Patch] | None:
    """`patched`, for a placement of the right shape."""
    by_file = dict(zip(map(FILE, documents), documents, strict=True))
    files = last.files
    current: list[Any] = list(map(by_file.get, files))  # None for a document removed
    same = list(map(operator.eq, map(sources.get, files), last.sources))  # by builtins
    gone = list(itertools.compress(range(len(same)), map(operator.not_, same)))
    """Places in the last order of the documents removed or changed since."""
    if len(gone) > PATCH_AT_MOST:
        return None
    kept = list(itertools.compress(current, same))
    placed = set(files).difference(files[i] for i in gone)
    fresh = [by_file[file] for file in sorted(by_file.keys() - placed)]
    if len(placed) != len(kept) or len(fresh) + len(gone) > PATCH_AT_MOST:
        return None
    if any(claims_a_name(doc) for doc in fresh) or any(last.claims[i] for i in gone):
        return None  # names claimed by slug or alias weigh on others' names: derive them all
    if set(map(PUBLISHER, documents)) != last.publisher_pages.keys():
        return None  # publishers' pages are named in alphabetical order
    if any(shared_base(last.slugs[i]) is not None for i in gone):
        return None  # a title shared by others, whose names might lose their suffixes
    slugs = dict(zip(files, last.slugs, strict=True))
    held = set(last.slugs).difference(last.slugs[i] for i in gone)
    held.update(suffixed_bases(held), *filter(None, map(ALIASES, documents)))
    title_slug.look_up(doc.title for doc in fresh)
    for doc in fresh:
        base = title_slug(doc.title, doc.file)
        if base in held or lock.seeds.get(base, doc.file) != doc.file:
            return None  # the document's title collides with another's, or its name is claimed or locked
        held.add(base)
        slugs[doc.file] = base
    for doc in fresh:
        bisect.insort(kept, doc, key=chronological)
    changed = {doc.file for doc in fresh}.union(files[i] for i in gone)
    near = neighbours(kept, fresh, files, gone, by_file)
    left = frozenset(last.titles[i] for i in gone)
    patch = Patch(frozenset(doc.file for doc in fresh), frozenset(near), len(changed), left)
    return kept, slugs, last.publisher_pages, patch


def claims_a_name(doc: Document) -> bool:
    """Whether a document names its page (`slug`) or keeps earlier names (`aliases`)."""
    return doc.slug is not None or bool(doc.aliases)


ALIASES = operator.attrgetter("aliases")
DOC = operator.attrgetter("doc")


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


def raw_paths(files: list[str]) -> Iterable[str]:
    """`raw_path` of each file: by builtins when every name ends in `.txt` in small letters, as
    most do, instead of one call in Python a name."""
    if "".join(map(TXT_END, files)) == ".txt" * len(files):
        return map("raw/{}".format, files)
    return map(raw_path, files)


TXT_END = operator.itemgetter(slice(-4, None))


def chronological(doc: Document) -> tuple[object, ...]:
    """Sort key: the earliest day the date can be, then the title, then the file name."""
    return (doc.date.earliest, doc.title.casefold(), doc.title, doc.file)


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


def suffixed_bases(names: Iterable[str]) -> list[str]:
    """The bases of the suffixed names among these (see names.shared_base); none looked for one
    by one when no name has a suffix (one lookup by builtins over all the names)."""
    names = list(names)
    if SUFFIX not in "\n".join(names):
        return []
    return [*filter(None, map(shared_base, names))]


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
    by_file = dict(zip(map(FILE_OF_ENTRY, entries), entries, strict=True))
    used = {*map(SLUG_OF, entries), *(group.key for group in titles)}
    used.update(*filter(None, map(ALIASES, map(DOC, entries))))
    unused = sorted(lock.seeds.keys() - used)
    redirects = [(name, by_file[lock.seeds[name]]) for name in unused if lock.seeds[name] in by_file]
    gone = tuple(Gone(f"documents/{name}.html", lock.seeds[name]) for name in unused if lock.seeds[name] not in by_file)
    return redirects, gone


def renamed_pages(site: Site, last: Placement, metadata_path: str) -> list[Problem]:
    """What the build says of each document whose page the last build (`last`) named otherwise:
    which alias keeps links to the old name working. Nothing where the old name is kept already
    (an alias of the document, or the list of the documents of its title), or is claimed by another.
    names.lock keeps the old name too (its page sends the reader on), but only while the lock is
    kept: the alias keeps it in the record itself."""
    entries = site.entries
    if site.patch is not None:  # by builtins, as the aliases below
        entries = tuple(itertools.compress(entries, map(site.patch.fresh.__contains__, map(FILE_OF_ENTRY, entries))))
    before = last_slugs(last, [entry.doc.file for entry in entries])
    listed = {group.key: {entry.doc.file for entry in group.entries} for group in site.titles}
    kept = filter(None, map(ALIASES_OF_ENTRY, site.entries))
    claimed = {f"documents/{alias}.html" for aliases in kept for alias in aliases}
    notices = []
    for entry in entries:
        old = before.get(entry.doc.file)
        if (
            old is None
            or old == entry.slug
            or entry.doc.file in listed.get(old, ())
            or f"documents/{old}.html" in claimed
        ):
            continue
        add = f'add "aliases: [{old}]"' if not entry.doc.aliases else f'add "{old}" to its aliases'
        renamed = f"its page was {old}.html and is now {entry.slug}.html"
        message = f"documents.{entry.doc.file}: {renamed}; {add} to keep links to it working"
        notices.append(Problem(metadata_path, entry.doc.line, message))
    return notices


def last_slugs(last: Placement, files: list[str]) -> dict[str, str]:
    """The page names the last build gave these files (those it placed). A few are looked up in
    its list of files: a mapping of them all would hash every name."""
    if len(files) > PATCH_AT_MOST // 10:
        return dict(zip(last.files, last.slugs, strict=True))
    where = {file: last.files.index(file) for file in files if file in last.files}
    return {file: last.slugs[at] for file, at in where.items()}


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
"""The key of the placement's order, publishers' pages, salt and lock among its rows (no file is named "")."""


def placement_rows(
    site: Site,
    digests: dict[str, str],
    salted: str,
    keys: list[str],
    files: Collection[str] | None = None,
    lock: str = "",
) -> dict[str, tuple[Any, ...]]:
    """The site's placement as the store keeps it, a row a document (see Placement): by its
    file, what it was made from, its title, whether it claims a name, its page name, digest and
    page key; by ORDER, the files in order, the publishers' pages, the salt and the digest of
    names.lock as this build leaves it (`lock`). `files`: the documents whose rows to make (None: all)."""
    order = list(digests)
    publisher_pages = {group.label: group.page for group in site.publishers}
    rows: dict[str, tuple[Any, ...]] = {ORDER: (order, publisher_pages, salted, lock)}
    entries, made, page_keys = list(site.entries), list(digests.values()), keys
    if files is not None:
        chosen = list(map(files.__contains__, order))
        entries = list(itertools.compress(entries, chosen))
        made, page_keys = list(itertools.compress(made, chosen)), list(itertools.compress(page_keys, chosen))
    docs = list(map(DOC, entries))
    names = list(map(FILE, docs))
    claims = map(claims_a_name, docs)
    sources = map(site.sources.__getitem__, names)
    placed = zip(sources, map(TITLE, docs), claims, map(SLUG_OF, entries), made, page_keys, strict=True)
    rows.update(zip(names, placed, strict=True))
    return rows


SLUG_OF = operator.attrgetter("slug")
FILE_OF_ENTRY = operator.attrgetter("doc.file")
ALIASES_OF_ENTRY = operator.attrgetter("doc.aliases")


def placement_from(rows: dict[str, Any]) -> Placement | None:
    """The placement kept as `placement_rows` made it; None for anything else."""
    try:
        order, publisher_pages, salted, lock = rows[ORDER]
        placed = list(map(rows.__getitem__, order))
        sources, titles, claims, slugs, digests, keys = (list(map(operator.itemgetter(i), placed)) for i in range(6))
    except (KeyError, TypeError, ValueError, IndexError):
        return None
    if not isinstance(order, list) or not isinstance(publisher_pages, dict) or not isinstance(salted, str):
        return None
    if not isinstance(lock, str):
        return None
    return Placement(
        files=order,
        sources=sources,
        titles=titles,
        claims=claims,
        slugs=slugs,
        publisher_pages=publisher_pages,
        digests=digests,
        salted=salted,
        keys=keys,
        lock=lock,
    )
