"""Placement: where the last build placed each document, and the few documents placed into it anew.

A build that finds only a few documents added, changed or removed since the last one places
those few into the last placement (`patched`), and takes every other document's place, page
name, digest and page key from it: the site is the one deriving the whole archive gives (see
derive.derive_site), at a fraction of the cost. The store keeps the placement a row a
document (`placement_rows`, `placement_from`).
"""

from __future__ import annotations

import bisect
import itertools
import operator
from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from .model import Document, chronological
from .namelock import EMPTY, NameLock
from .names import SlugMemo, shared_base, suffixed_bases
from .problems import Problem

if TYPE_CHECKING:  # named in annotations only: derive imports this module
    from .derive import Site

FILE = operator.attrgetter("file")
TITLE = operator.attrgetter("title")
PUBLISHER = operator.attrgetter("publisher")
SHA256 = operator.attrgetter("sha256")
ALIASES = operator.attrgetter("aliases")
DOC = operator.attrgetter("doc")
SLUG_OF = operator.attrgetter("slug")
FILE_OF_ENTRY = operator.attrgetter("doc.file")
ALIASES_OF_ENTRY = operator.attrgetter("doc.aliases")

PATCH_AT_MOST = 100
"""More documents added, changed or removed than this since the last placement: derive them all."""


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
