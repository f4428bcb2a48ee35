"""names.lock: every page name the build has given to a document, so that none ever passes to another.

The lock sits beside metadata.yaml and is committed with the archive, as Cargo.lock is with a
crate: text, one line a name, `NAME<TAB>SEED` (SEED is the seed's file name under seeds/, the
document's identity, as feed ids and citation keys use it), sorted by name, under a comment
header. A name in it belongs to its seed for good (see names.assign_names): no other document
takes it, and while no document uses it, it is a page that sends the reader on to its seed's
document or, once the seed has left the archive, says so (see derive.locked_pages).

The build reads it like any input and adds the names it gave once the archive has loaded
without a problem, before it writes the pages that bear them (a page is never published under a
name the lock does not hold), atomically, never removing a line, and not at all when it gave no new name; `check` never
writes it. A missing lock is an empty one, written by the next build.
"""

from __future__ import annotations

import bisect
import itertools
import operator
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from .fields import PAGE_NAME
from .fingerprint import LOCK as FILE_NAME
from .fingerprint import lock_digest, read_lock_file
from .problems import Invalid, Problem
from .seeds import seed_name_problem

if TYPE_CHECKING:
    from .derive import Site

HEADER = (
    "# names.lock: every page name the build of this archive has given to a document, a line each:\n"
    "# the name, a tab, and the seed file (under seeds/) it belongs to. A name here belongs to its\n"
    "# seed for good: no other document ever takes it. The build adds the names it gives and never\n"
    "# removes one. Commit this file with metadata.yaml and seeds/; resolve a merge by keeping both\n"
    "# sides' lines.\n"
)


class NameLock(NamedTuple):
    """The lock as read: each locked name's seed and line, and the digest of the file's bytes."""

    seeds: Mapping[str, str]
    """Page name -> the seed file it belongs to."""
    lines: Mapping[str, int]
    """Page name -> its line in the file (for messages)."""
    digest: str
    """SHA-256 of the file's bytes ("" when there is no file): what the build's state checks it against."""
    path: str = FILE_NAME
    """The file, as the user would type it (for messages)."""
    data: bytes | None = None
    """The file's bytes (None when there is none)."""
    as_written: bool = False
    """Whether the file is exactly what `lock_text` writes for its names (see `read_as_written`): a
    name the build adds is then spliced into its bytes, not written with every other again."""


EMPTY = NameLock({}, {}, "")


def read_lock(path: Path, shown_path: str) -> tuple[NameLock, list[Problem]]:
    """The lock at `path` (none: an empty lock), with a problem for every line that is not a
    comment, a blank line or `NAME<TAB>SEED` naming a page name once, or one for a file that
    cannot be read as a lock. A UTF-8 byte order mark at its start is passed over."""
    try:
        data = read_lock_file(path)
    except Invalid as invalid:
        return NameLock({}, {}, "", shown_path), invalid.problems
    if data is None:
        return NameLock({}, {}, "", shown_path), []
    seeds: dict[str, str] = {}
    lines: dict[str, int] = {}
    problems = []
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        return NameLock({}, {}, lock_digest(data), shown_path, data), [
            Problem(shown_path, 0, f"is not valid UTF-8 (byte {error.start:,}); restore it from version control")
        ]
    written = read_as_written(text) if not text.startswith(BOM) else None
    text = text.removeprefix(BOM)
    if written is not None:
        return NameLock(written[0], written[1], lock_digest(data), shown_path, data, True), []
    plain = plain_lock(text)
    if plain is not None:
        return NameLock(plain[0], plain[1], lock_digest(data), shown_path, data), []
    for number, line in enumerate(text.split("\n"), 1):
        line = line.removesuffix("\r")  # a checkout that turned line endings into CRLF
        if not line or line.startswith("#"):
            continue
        name, tab, seed = line.partition("\t")
        message = line_problem(name, tab, seed, lines)
        if message is not None:
            problems.append(Problem(shown_path, number, message))
            continue
        seeds[name], lines[name] = seed, number
    return NameLock(seeds, lines, lock_digest(data), shown_path, data), problems


BOM = "\ufeff"
"""A byte order mark, which some editors put at the start of a UTF-8 file."""
BODY_AS_WRITTEN = re.compile(r"(?:[a-z0-9-]+\t[A-Za-z0-9_][A-Za-z0-9._-]*\n)*")
"""What follows the header in a lock as the build writes it: PLAIN_LINEs, each ended by a newline."""
FIRST_LINE = HEADER.count("\n") + 1
"""The number of the line the first name is on, in a lock as the build writes it."""


def read_as_written(text: str) -> tuple[dict[str, str], dict[str, int]] | None:
    """The seed and line of each name when `text` is exactly what `lock_text` writes for them:
    the header, then a PLAIN_LINE a name, sorted by name, each name once; None otherwise.

    The lock every build reads is most often the one the last build wrote: it is checked by one
    pattern over the whole text and split by builtins, without looking for the comments and
    blank lines a lock edited by hand may hold (see `plain_lock`)."""
    if not text.startswith(HEADER) or not BODY_AS_WRITTEN.fullmatch(text, len(HEADER)):
        return None
    parts = text[len(HEADER) :].replace("\n", "\t").split("\t")  # name, seed, ..., "": one tab a line
    names = parts[0:-1:2]
    joined = "\n" + "\n".join(names) + "\n"
    if "\n-" in joined or "-\n" in joined or "---" in joined:
        return None  # not a PAGE_NAME
    if not all(map(operator.lt, names, names[1:])):
        return None  # not sorted, or a name twice
    lines = range(FIRST_LINE, FIRST_LINE + len(names))
    return dict(zip(names, parts[1::2], strict=True)), dict(zip(names, lines, strict=True))


PLAIN_LINE = re.compile(r"[a-z0-9-]+\t[A-Za-z0-9_][A-Za-z0-9._-]*")
"""A line of the lock as the build writes it, for a seed file name of ASCII letters, digits and
`._-` (not starting with a dot), when its name is a PAGE_NAME too: a name of these characters
that neither starts nor ends with a hyphen, nor holds three in a row (see `plain_lock`)."""


def plain_lock(text: str) -> tuple[dict[str, str], dict[str, int]] | None:
    """The seed and line of each name, when every line but comments and blank ones is a
    PLAIN_LINE and no name comes twice; None otherwise (`read_lock` then reads it line by line,
    for its messages). Read by builtins, for every build reads the whole lock: the reading line
    by line is left for a lock that needs its messages."""
    if "\r" in text:
        return None
    lines = text.split("\n")
    numbers = [number for number, line in enumerate(lines, 1) if line and line[0] != "#"]
    body = [lines[number - 1] for number in numbers]
    if not body:
        return {}, {}  # comments and blank lines alone
    if not all(map(PLAIN_LINE.fullmatch, body)):
        return None
    parts = "\t".join(body).split("\t")  # name, seed, name, seed, ...: one tab a line
    names = "\n" + "\n".join(parts[0::2]) + "\n"
    if "\n-" in names or "-\n" in names or "---" in names:
        return None  # not a PAGE_NAME
    seeds = dict(zip(parts[0::2], parts[1::2], strict=True))
    if len(seeds) != len(body):
        return None
    return seeds, dict(zip(seeds, numbers, strict=True))


def line_problem(name: str, tab: str, seed: str, lines: Mapping[str, int]) -> str | None:
    """What is wrong with one line of the lock, or None."""
    if not tab:
        return "expected a page name, a tab and a seed file's name"
    if not PAGE_NAME.fullmatch(name):
        return f"'{name[:80]}' is not a page name: lowercase letters, digits and hyphens"
    wrong = seed_name_problem(seed)
    if wrong is not None:
        return f"the seed file's name {wrong}"
    if name in lines:
        return f"'{name}' is locked already at line {lines[name]}"
    return None


def lock_text(seeds: Mapping[str, str]) -> str:
    """The lock's text: the header, then a line a name, sorted by name."""
    return HEADER + "".join(f"{name}\t{seeds[name]}\n" for name in sorted(seeds))


def spliced(text: str, names: list[str], added: Mapping[str, str]) -> str:
    """`lock_text` of the names of a lock read `as_written` (`text`, whose `names` are in order) and
    of `added` (names it does not hold), made by inserting the added lines where they sort:
    the same text, without formatting and sorting every name again."""
    pieces, start = [], 0
    for name in sorted(added):
        at = bisect.bisect(names, name)
        end = len(text) if at == len(names) else text.index(f"\n{names[at]}\t", max(start - 1, 0)) + 1
        pieces += [text[start:end], f"{name}\t{added[name]}\n"]
        start = end
    return "".join([*pieces, text[start:]])


def new_names(given: Iterable[tuple[str, str]], lock: NameLock) -> dict[str, str]:
    """The names given now (name, seed) that the lock does not hold yet (in no order: the lock
    sorts them; found by builtins)."""
    names = dict(given)
    return {name: names[name] for name in names.keys() - lock.seeds.keys()}


def given_names(site: Site) -> Iterable[tuple[str, str]]:
    """Every name the site gives a document, with its seed: page names and the aliases records
    keep (by builtins when no record keeps an alias)."""
    docs = list(map(DOC, site.entries))
    if not any(map(ALIASES, docs)):
        return zip(map(SLUG, site.entries), map(FILE, docs), strict=True)
    return ((name, entry.doc.file) for entry in site.entries for name in (entry.slug, *(entry.doc.aliases or ())))


DOC, SLUG = operator.attrgetter("doc"), operator.attrgetter("slug")
FILE, ALIASES = operator.attrgetter("file"), operator.attrgetter("aliases")


def lock_after(site: Site) -> tuple[bytes | None, int]:
    """names.lock as a successful build of `site` leaves it (its bytes, None for no file), and
    how many names that build adds: the file as it is when the build gives no new name."""
    lock = site.lock
    docs = list(map(DOC, site.entries))
    if any(map(ALIASES, docs)):
        added = new_names(given_names(site), lock)
    else:  # the page names alone, those the lock does not hold found by builtins
        slugs = list(map(SLUG, site.entries))
        unheld = map(operator.not_, map(lock.seeds.__contains__, slugs))
        added = dict(itertools.compress(zip(slugs, map(FILE, docs), strict=True), unheld))
    if not added:
        return lock.data, 0
    if lock.as_written and lock.data is not None:
        return spliced(lock.data.decode("utf-8"), list(lock.seeds), added).encode("utf-8"), len(added)
    return lock_text({**lock.seeds, **added}).encode("utf-8"), len(added)


def write_lock(path: Path, data: bytes) -> None:
    """Write the lock whole or not at all (a temporary file, then a rename)."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
