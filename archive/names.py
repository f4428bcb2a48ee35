"""Page names: what each document's page is called, and the names that must never move.

A document's page is named after its `slug` field when it has one, else after its title. When
titles collide (their slugs are the same), or a title's name is already another document's
slug or alias, EACH such document's name gets a suffix made from its seed file's name, after
`--` (`wire-story--wire-a`): never from the order, so that adding or removing a document of
the same title never moves another's name. A title's slug never holds `--` (slugify leaves
single hyphens), nor does a `slug` field, so a suffixed name is never a plain one. The bare
name of titles two or more documents share becomes a page that lists them (see derive).

`aliases` in a record keep earlier names: each becomes a page that sends the reader on. No
two documents may claim one name, as slug or alias.

names.lock (see namelock.py) holds every name the build has given, with the seed it was given
to: a title's name locked to another seed makes the document take its suffixed name, as for a
collision (and a suffixed name locked to another seed takes a digest of the file's name, then
a number); a `slug` or an alias locked to another seed is refused. The names are a function of
the documents and the lock alone, so that an incremental build and a clean one agree.
"""

from __future__ import annotations

import collections
import hashlib
import operator
import re
from collections.abc import Callable, Iterable, Mapping

from .model import Document
from .namelock import EMPTY, NameLock
from .problems import Invalid, Problem

SLUG_LENGTH = 80
SUFFIX_LENGTH = 32
"""The longest suffix made from a seed file's name (cut at a hyphen where there is one)."""
SUFFIX = "--"
LINE = operator.attrgetter("line")
"""What separates a title's slug from the suffix made from the seed file's name."""


class SlugMemo:
    """python-slugify, remembered: text -> slug (slugify is deterministic, and slow at 10,000 titles).

    `memo` holds the slugs made before; `find`, when given, finds more of those (in the store:
    see `look_up`), and `made` gets the slugs made now, for the store to remember."""

    def __init__(self, memo: dict[str, str] | None = None, find: Callable[[set[str]], dict[str, str]] | None = None):
        self.memo = memo if memo is not None else {}
        self.find = find
        self.made: dict[str, str] = {}

    def look_up(self, texts: Iterable[str]) -> None:
        """Find at once the slugs made before of those of these texts the memo does not hold
        (one question to the store instead of one a text)."""
        missing = set(texts).difference(self.memo)
        if self.find is not None and missing:
            self.memo.update(self.find(missing))

    def add(self, made: dict[str, str]) -> None:
        """Slugs made elsewhere (by the processes that parse records)."""
        self.memo.update(made)
        self.made.update(made)

    def __call__(self, text: str, fallback: str) -> str:
        """A page name from a title, cut at a word boundary; from the fallback when it has no letters."""
        if text not in self.memo:
            self.memo[text] = self.made[text] = title_slug(text)
        return self.memo[text] or cut_slug(quick_slugify(fallback)) or "document"


def title_slug(text: str) -> str:
    """The slug of a title (or a publisher's name), cut at a word boundary; empty when it has no letters."""
    return cut_slug(quick_slugify(text))


def quick_slugify(text: str) -> str:
    """slugify(text), as python-slugify makes it; for ASCII text without `&` (most titles) by
    its own steps, without importing it (an incremental build that names a few pages need not).

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


def cut_slug(slug: str, length: int = SLUG_LENGTH) -> str:
    """A slug no longer than `length`, cut at a hyphen where there is one."""
    if len(slug) > length:
        cut = slug[: length + 1].rfind("-")
        slug = slug[: cut if cut > 0 else length].strip("-")
    return slug


def file_suffix(file: str) -> str:
    """The suffix a seed file's name gives a page name: its name without the extension, as a
    slug (`Wire A.txt` -> `wire-a`); a digest of the name when that has no letters or digits."""
    stem = file.rpartition(".")[0] or file
    return cut_slug(quick_slugify(stem), SUFFIX_LENGTH) or file_digest(file)


def file_digest(file: str) -> str:
    """Six hex digits from a seed file's name: what tells apart names that are otherwise the same."""
    return hashlib.blake2b(file.encode("utf-8", "surrogatepass"), digest_size=3).hexdigest()


def assign_names(
    documents: Iterable[Document], metadata_path: str, slug_of: SlugMemo, lock: NameLock = EMPTY
) -> dict[str, str]:
    """Each document's page name, by its file (see the module's docstring); Invalid when two
    documents claim one name (as slug or alias), or a document claims a name the lock gives
    another seed. The same documents and lock give the same names in any order."""
    documents = list(documents)
    claims = claimed_names(documents, metadata_path, lock)
    names = {doc.file: doc.slug for doc in documents if doc.slug is not None}
    by_base: dict[str, list[Document]] = {}
    for doc in documents:
        if doc.slug is None:
            by_base.setdefault(slug_of(doc.title, doc.file), []).append(doc)
    locked = lock.seeds
    for base, docs in by_base.items():
        if len(docs) == 1 and claims.get(base, docs[0]) is docs[0] and locked.get(base, docs[0].file) == docs[0].file:
            names[docs[0].file] = base
        else:
            names.update(suffixed(base, docs, claims, locked))
    problems = [
        Problem(
            metadata_path,
            claims[name].line,
            f"documents.{claims[name].file}.aliases: '{name}' is the page name of {doc.file} (line {doc.line})",
        )
        for doc in documents
        if claims.get(name := names[doc.file], doc) is not doc
    ]
    if problems:
        raise Invalid(problems)
    return names


def claimed_names(documents: list[Document], metadata_path: str, lock: NameLock = EMPTY) -> dict[str, Document]:
    """The names documents claim, as slug or alias, by the document; Invalid when two claim one
    (slugs are claimed first: an alias that is another document's slug is the one refused), or
    when the lock gives a name claimed to another seed."""
    owner: dict[str, tuple[Document, str]] = {}
    problems = []
    slugs = [(doc, "slug", doc.slug) for doc in documents if doc.slug is not None]
    aliases = [(doc, "aliases", alias) for doc in documents for alias in doc.aliases or ()]
    for doc, field, name in slugs + aliases:
        other, how = owner.setdefault(name, (doc, field))
        holder = lock.seeds.get(name, doc.file)
        if other is not doc:
            what = "the slug" if how == "slug" else "an alias"
            message = f"documents.{doc.file}.{field}: '{name}' is already {what} of {other.file} (line {other.line})"
            problems.append(Problem(metadata_path, doc.line, message))
        elif holder != doc.file:
            message = (
                f"documents.{doc.file}.{field}: '{name}' belongs to {holder} ({lock.path}:{lock.lines[name]});"
                " a page name never passes to another document"
            )
            problems.append(Problem(metadata_path, doc.line, message))
    if problems:
        raise Invalid(sorted(problems, key=LINE))
    return {name: doc for name, (doc, _) in owner.items()}


def suffixed(base: str, docs: list[Document], claims: dict[str, Document], locked: Mapping[str, str]) -> dict[str, str]:
    """The names of documents whose titles share a slug (or whose slug another document claims
    or the lock gives another seed): the slug, `--` and the file's suffix; a digest of the
    file's name after that where two files give one suffix or the name is another's (claimed,
    or locked to another seed), and a number after the digest while it still is."""
    names = {doc.file: f"{base}{SUFFIX}{file_suffix(doc.file)}" for doc in docs}
    counts = collections.Counter(names.values())

    def taken(name: str, doc: Document) -> bool:
        return claims.get(name, doc) is not doc or locked.get(name, doc.file) != doc.file

    for doc in docs:
        name = names[doc.file]
        if counts[name] > 1 or taken(name, doc):
            stem = name = f"{name}-{file_digest(doc.file)}"
            number = 1
            while taken(name, doc):
                number += 1
                name = f"{stem}-{number}"
            names[doc.file] = name
    return names


def shared_base(name: str) -> str | None:
    """The title's slug a suffixed page name was made from; None for a name without a suffix."""
    base, separator, _ = name.partition(SUFFIX)
    return base if separator else None


def suffixed_bases(names: Iterable[str]) -> list[str]:
    """The bases of the suffixed names among these (see shared_base); none looked for one
    by one when no name has a suffix (one lookup by builtins over all the names)."""
    names = list(names)
    if SUFFIX not in "\n".join(names):
        return []
    return [*filter(None, map(shared_base, names))]
