"""Store: the one place where the build remembers, from one build to the next, what it made.

Beside the output (`_site` -> `._site.cache/`, never inside: the site is what the input makes)
one SQLite database, `state.sqlite3`, holds for each KIND a mapping of text keys to values
marshal can keep. What is kept per document is keyed by what it was made from (a record, and
a chunk of records, by the digest of their text, a listing row by its entry's digest, a slug
by its title; a seed by its name, with the stat it was read at), so a value never goes stale:
a key the build no longer asks for is simply dropped, and one it asks for and does not find is
made again.

The whole database carries one version: a digest of the generator's code and of the libraries
it renders with. State of another version, or a damaged database (garbage, a torn or truncated
file, a missing table: any error SQLite or marshal reports), is not used: the store starts
empty and the build is a full one. SQLite's transactions keep the file whole when a build is
killed (it is not synced to the disk: a cache, like the site's other state, need not survive a
power cut whole); its pages carry no checksum, so a bit flipped on the disk inside a value
goes unseen.

A build reads what it needs, asks the store to remember what changed and to keep only what is
live, and commits once: nothing is written before `commit`, so a build that waits for another
never holds the database meanwhile.

Three small files sit beside the database and are read without SQLite (a rebuild with nothing
to do does not import it; this module imports it only when a build opens the database):
the fingerprint of the last successful build (the digest of its inputs that fingerprint.py
computes, the times of the output's folders, what it built), the lock that lets one build at a
time write a site, and the journal of the write in progress (what write.py stages and renames).
This module is the only one that names the folder or opens, writes or removes anything in it.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import marshal
import os
import sys
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .problems import Invalid, Problem, shown

if TYPE_CHECKING:
    import sqlite3

DATABASE = "state.sqlite3"
KINDS = (
    "seeds",
    "records",
    "chunks",
    "slugs",
    "rows",
    "lines",
    "csv",
    "markdown",
    "templates",
    "compiled",
    "placement",
    "search",
    "terms",
)
"""What the store keeps (see `Store`)."""
FINGERPRINT, LOCK, JOURNAL = "fingerprint.json", "lock", "journal.json"
Recall = Callable[[str, Iterable[str]], dict[str, Any]]
"""What earlier builds remembered of a kind, by these keys: those found (`Store.get`, or
`nothing_recalled` for a build without a store)."""


def nothing_recalled(kind: str, keys: Iterable[str]) -> dict[str, Any]:
    """What a build without a store recalls: nothing."""
    return {}


def state_folder(out: Path) -> Path:
    """The folder beside the output where the build keeps its state: `_site` -> `._site.cache`."""
    out = Path(os.path.abspath(out))
    return out.parent / f".{out.name}.cache"


def lock_path(out: Path) -> Path:
    """The file a build locks while it writes the site (see `locked`)."""
    return state_folder(out) / LOCK


def journal_path(out: Path) -> Path:
    """The file that lists what the write in progress touches (see `note_journal`)."""
    return state_folder(out) / JOURNAL


# ---------------------------------------------------------------- the last build's fingerprint


def last_build(out: Path) -> tuple[Any, int]:
    """The fingerprint the last successful build left, and the moment it was written (file
    system time); ({}, 0) when there is none or it cannot be read. Read once a build."""
    path = state_folder(out) / FINGERPRINT
    try:
        written = os.stat(path).st_mtime_ns
        return json.loads(path.read_text("utf-8")), written
    except (OSError, ValueError):
        return {}, 0


def unchanged(out: Path, last: tuple[Any, int], digest: str, newest: int) -> dict[str, int] | None:
    """What the last build (`last`, see last_build) built, when nothing changed since: the
    digest of the inputs is the same (see fingerprint.inputs_digest), no input changed at or
    after the fingerprint was written (`newest`), and no file was added to or removed from the
    output's folders. None when anything may have changed."""
    try:
        data, written = last
        if data["inputs"] != digest or newest >= written:
            return None
        if output_folders(out, list(data["folders"])) != data["folders"]:
            return None
        return {key: int(value) for key, value in data["summary"].items()}
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def settled_folders(out: Path, last: tuple[Any, int]) -> set[str]:
    """Output folders where no file was added or removed since the last build (`last`, see
    last_build: their time is as it recorded). Should another build have written the site
    since `last` was read, the folders it added files to or removed files from have another
    time than `last` recorded: they are not settled."""
    try:
        recorded = last[0]["folders"]
        now = output_folders(out, list(recorded))
        return {folder for folder, time in recorded.items() if time == now[folder] and time != -1}
    except (ValueError, KeyError, TypeError, AttributeError):
        return set()


def record_build(out: Path, digest: str, folders: list[str], summary: dict[str, int]) -> None:
    """Write the fingerprint of a successful build, atomically: the digest of its inputs, the
    times of the output's `folders`, and `summary` (best effort: without it, builds take the full path)."""
    data = {"inputs": digest, "folders": output_folders(out, folders), "summary": summary}
    folder = state_folder(out)
    try:
        folder.mkdir(exist_ok=True)
        temporary = folder / f"{FINGERPRINT}.{os.getpid()}.tmp"
        temporary.write_text(json.dumps(data, sort_keys=True), "utf-8")
        os.replace(temporary, folder / FINGERPRINT)
    except OSError:
        pass


def forget_fingerprint(out: Path) -> None:
    """Remove the fingerprint before the output changes (a build killed midway must not look done)."""
    with contextlib.suppress(OSError):
        (state_folder(out) / FINGERPRINT).unlink(missing_ok=True)


def output_folders(out: Path, folders: list[str]) -> dict[str, int]:
    """The modification time of each output folder: removing or adding a file there changes it."""
    times = {}
    for folder in folders:
        try:
            times[folder] = os.stat(out / folder).st_mtime_ns
        except OSError:
            times[folder] = -1
    return times


# ---------------------------------------------------------------- the lock and the journal


LOCK_WAIT = 120.0
"""Seconds a build waits for another build of the same site before it gives up."""


@contextlib.contextmanager
def locked(out: Path) -> Iterator[None]:
    """Hold the lock on an output folder: one build at a time writes a site; others wait."""
    lock = lock_path(out)
    lock.parent.mkdir(parents=True, exist_ok=True)
    with open(lock, "a+b") as stream:
        deadline = time.monotonic() + LOCK_WAIT
        waiting = False
        while True:
            try:
                fcntl.flock(stream, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    message = (
                        f"another build has been writing this site for over {LOCK_WAIT:g} s; wait for it, or stop it"
                    )
                    raise Invalid([Problem(shown(out), 0, message)]) from None
                if not waiting:
                    print(f"waiting for another build of {shown(out)} to finish ...", file=sys.stderr)
                    waiting = True
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(stream, fcntl.LOCK_UN)


def note_journal(out: Path, phase: str, paths: list[str]) -> None:
    """Record, before it starts, which files of the site a phase of the write touches (atomically)."""
    journal = journal_path(out)
    journal.parent.mkdir(parents=True, exist_ok=True)
    temporary = journal.with_name(journal.name + ".tmp")
    temporary.write_text(json.dumps({"phase": phase, "paths": paths}), "utf-8")
    os.replace(temporary, journal)


def read_journal(out: Path) -> tuple[str, list[str]] | None:
    """The phase and the files a killed write left in the journal; None when there is no journal
    or it cannot be read (it is then removed)."""
    journal = journal_path(out)
    try:
        data = json.loads(journal.read_text("utf-8"))
        return str(data["phase"]), [str(p) for p in data["paths"]]
    except (OSError, ValueError, KeyError, TypeError):
        journal.unlink(missing_ok=True)
        return None


def clear_journal(out: Path) -> None:
    """Remove the journal: the write it describes is finished, or undone."""
    journal_path(out).unlink(missing_ok=True)


# ---------------------------------------------------------------- the database


def version() -> str:
    """The one version of all the state: the digest of the generator's code and of the libraries
    it renders with (see fingerprint.generator)."""
    from .fingerprint import generator

    return generator()


class Store:
    """What earlier builds remembered, and what this one will remember (see the module's docstring).

    Each kind maps text keys to values marshal can keep (text, bytes, numbers, tuples, lists,
    dictionaries of those). Reading is best effort: a damaged database reads as an empty one.

    A kind's entries are kept in BUCKETS rows, each a marshal'd dictionary of the entries whose
    keys fall in it: SQLite spends more on a row than marshal on an entry, and a build reads
    most entries but writes few. `get` reads only the buckets
    of the keys asked for. A commit writes again only the buckets that hold an entry written or
    deleted.
    """

    def __init__(self, path: Path | None, db: sqlite3.Connection | None, written: int = 0, generator: str = "") -> None:
        self.path, self.db = path, db
        self.generator = generator or version()
        """The version of the state this store writes (see `version`)."""
        self.written = written
        """When the state read was written (file system time, 0 for none): what changed at or
        after that moment may have changed unseen since it was remembered."""
        self.pid = os.getpid()
        self.read: dict[str, dict[int, dict[str, Any]]] = {}
        """The buckets read of each kind, by number (an empty one for a bucket the database does
        not have): what `keep` and `keep_only` compare with. Never handed out: callers get
        dictionaries of their own."""
        self.read_keys: dict[str, set[str]] = {}
        """The keys of every entry of a kind, once asked for (see `keys`)."""
        self.pending: dict[str, dict[str, Any]] = {}
        """Entries to write at commit, by kind."""
        self.gone: dict[str, set[str]] = {}
        """Keys to delete at commit, by kind."""

    @classmethod
    def open(cls, out: Path) -> Store:
        """The state kept beside `out`; empty when there is none, or it is of another version or damaged."""
        import sqlite3

        path = state_folder(out) / DATABASE
        generator = version()
        try:
            written = os.stat(path).st_mtime_ns
            db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        except (OSError, sqlite3.Error):
            return cls(path, None, 0, generator)
        try:
            row = db.execute("SELECT value FROM meta WHERE name = 'version'").fetchone()
            if row is not None and row[0] == generator:
                db.execute("PRAGMA synchronous = OFF")  # a cache: whole after a kill, not synced for a power cut
                return cls(path, db, written, generator)
        except sqlite3.DatabaseError:
            pass
        db.close()
        return cls(path, None, 0, generator)

    def all(self, kind: str) -> dict[str, Any]:
        """Every entry of a kind, by key (a dictionary the caller may change)."""
        found: dict[str, Any] = {}
        for entries in self.buckets(kind, None).values():
            found.update(entries)
        return found

    def get(self, kind: str, keys: Iterable[str]) -> dict[str, Any]:
        """The entries of a kind with these keys, those it has (only their buckets are read)."""
        keys = list(keys)
        numbers = list(map(bucket_of, keys))
        buckets = self.buckets(kind, set(numbers))
        return {
            key: entries[key] for key, number in zip(keys, numbers, strict=True) if key in (entries := buckets[number])
        }

    def buckets(self, kind: str, numbers: set[int] | None) -> dict[int, dict[str, Any]]:
        """The buckets of a kind read so far, these numbers (None: all) among them: those not yet
        read are read now."""
        read = self.read.setdefault(kind, {})
        wanted = set(range(BUCKETS)) if numbers is None else numbers
        missing = wanted.difference(read)
        if missing:
            found = self.fetch(kind, None if len(missing) == BUCKETS else missing)
            read.update((number, found.get(number, {})) for number in missing)
            self.read_keys.pop(kind, None)
        return read

    def keys(self, kind: str) -> set[str]:
        """The keys of every entry of a kind the store has (as read: not counting this build's changes)."""
        buckets = self.buckets(kind, None)
        if kind not in self.read_keys:
            self.read_keys[kind] = set().union(*buckets.values())
        return self.read_keys[kind]

    def remember(self, kind: str, entries: Mapping[str, Any]) -> None:
        """Write these entries at commit."""
        self.pending.setdefault(kind, {}).update(entries)
        self.gone.get(kind, set()).difference_update(entries)

    def forget(self, kind: str, keys: Iterable[str]) -> None:
        """Delete these entries at commit (those remembered too)."""
        keys = set(keys)
        self.gone.setdefault(kind, set()).update(keys)
        pending = self.pending.get(kind, {})
        for key in keys.intersection(pending):
            del pending[key]

    def keep_only(self, kind: str, live: Iterable[str]) -> None:
        """Delete at commit every entry of a kind but these (and those remembered)."""
        self.gone[kind] = self.keys(kind).difference(live, self.pending.get(kind, ()))

    def keep(self, kind: str, entries: Mapping[str, Any]) -> None:
        """Make a kind hold exactly these entries at commit, for a kind whose keys say what their
        values are made from: the entries whose keys the store does not have are written, and the
        keys it has that are not here are deleted."""
        self.remember(kind, {key: entries[key] for key in entries.keys() - self.keys(kind)})
        self.keep_only(kind, entries)

    def commit(self) -> None:
        """Write what was remembered and delete what was not kept, in one transaction (best effort).

        A store that was refused is replaced by a new database of this version, with what this
        build remembered: the rest is made again when needed."""
        if self.path is None or os.getpid() != self.pid or not (self.pending or any(self.gone.values())):
            return
        import sqlite3

        try:
            if self.db is not None:
                try:
                    self.write(self.db)
                except (ValueError, EOFError, TypeError, sqlite3.DatabaseError) as error:
                    self.db.rollback()
                    if isinstance(error, sqlite3.OperationalError):
                        raise  # busy, or locked by another build: not damage
                    self.refuse()
                    self.replace()
            else:
                self.replace()
        except (OSError, sqlite3.Error):
            pass  # state is a cache: the next build makes again what this one could not keep
        self.pending, self.gone = {}, {}

    def close(self) -> None:
        """Close the database (the store reads nothing more)."""
        if self.db is not None and os.getpid() == self.pid:
            self.db.close()
        self.db = None

    def write(self, db: sqlite3.Connection) -> None:
        """Write again every bucket with an entry remembered or gone, in one transaction (the
        buckets are read in it: what another build wrote meanwhile stays)."""
        db.execute("BEGIN IMMEDIATE")
        for kind in self.pending.keys() | self.gone.keys():
            buckets = self.changed_buckets(db, kind)
            rows = [(kind, number, marshal.dumps(entries)) for number, entries in buckets.items() if entries]
            db.executemany("INSERT OR REPLACE INTO buckets VALUES (?, ?, ?)", rows)
            empty = [(kind, number) for number, entries in buckets.items() if not entries]
            db.executemany("DELETE FROM buckets WHERE kind = ? AND number = ?", empty)
        db.execute("COMMIT")

    def changed_buckets(self, db: sqlite3.Connection, kind: str) -> dict[int, dict[str, Any]]:
        """The buckets of a kind that hold an entry remembered or gone, as they will be."""
        pending, gone = self.pending.get(kind, {}), self.gone.get(kind, set())
        written, deleted = list(map(bucket_of, pending)), list(map(bucket_of, gone))  # once a key
        numbers = {*written, *deleted}
        buckets: dict[int, dict[str, Any]] = dict.fromkeys(numbers, {})
        buckets.update(read_buckets(db, kind, numbers))
        buckets = {number: dict(entries) for number, entries in buckets.items()}
        for number, (key, value) in zip(written, pending.items(), strict=True):
            buckets[number][key] = value
        for number, key in zip(deleted, gone, strict=True):
            buckets[number].pop(key, None)
        return buckets

    def replace(self) -> None:
        """Write a new database of this version with what is pending, and put it in place of the old one."""
        import sqlite3

        assert self.path is not None
        self.path.parent.mkdir(exist_ok=True)
        temporary = self.path.with_name(f"{DATABASE}.{os.getpid()}.tmp")
        temporary.unlink(missing_ok=True)
        db = sqlite3.connect(temporary, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode = OFF")  # a new file, put in place only when complete
            db.execute("PRAGMA synchronous = OFF")  # a cache, as the one it replaces: not synced for a power cut
            db.execute("BEGIN")
            db.execute("CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
            db.execute("INSERT INTO meta VALUES ('version', ?)", (self.generator,))
            db.execute(
                "CREATE TABLE buckets (kind TEXT, number INTEGER, entries BLOB NOT NULL, PRIMARY KEY (kind, number))"
                " WITHOUT ROWID"
            )
            db.execute("COMMIT")
            self.gone = {}
            self.write(db)
        finally:
            db.close()
        os.replace(temporary, self.path)

    def fetch(self, kind: str, numbers: set[int] | None) -> dict[int, dict[str, Any]]:
        """These buckets of a kind (None: all), those there are; none when the store has no
        database (or is asked from a worker process, which must not use its parent's connection)."""
        import sqlite3

        if self.db is None or os.getpid() != self.pid:
            return {}
        try:
            return read_buckets(self.db, kind, numbers)
        except (sqlite3.DatabaseError, ValueError, EOFError, TypeError):
            self.refuse()
            return {}

    def refuse(self) -> None:
        """Take a damaged database for none: nothing more is read from it, and commit replaces it."""
        if self.db is not None:
            with contextlib.suppress(Exception):
                self.db.close()
        self.db = None
        self.read, self.read_keys = {}, {}


def read_buckets(db: sqlite3.Connection, kind: str, numbers: set[int] | None) -> dict[int, dict[str, Any]]:
    """These buckets of a kind (None: all), those there are; TypeError for one that is not a dictionary."""
    query = "SELECT number, entries FROM buckets WHERE kind = ?"
    if numbers is not None:
        query += f" AND number IN ({', '.join(map(str, sorted(numbers)))})"
    buckets = {number: marshal.loads(data) for number, data in db.execute(query, (kind,)).fetchall()}
    if not all(isinstance(entries, dict) for entries in buckets.values()):
        raise TypeError("a bucket that is not a dictionary")
    return buckets


def compact(value: Any) -> bytes:
    """A value the store can keep, as bytes a fraction of its size (marshal'd, then deflated
    fast): for a large value made in a worker process, which crosses to the build's process and
    into the database as these bytes. `expanded` gives it back."""
    return zlib.compress(marshal.dumps(value), 1)


def expanded(data: Any) -> Any:
    """The value `compact` made these bytes of; None for anything else (damaged, or not bytes):
    what the store kept is a cache, and a value it cannot read is made again."""
    if not isinstance(data, bytes):
        return None
    try:
        return marshal.loads(zlib.decompress(data))
    except (zlib.error, ValueError, EOFError, TypeError):
        return None


BUCKETS = 256
"""Buckets a kind's entries are kept in (see Store)."""


def bucket_of(key: str) -> int:
    """The bucket an entry is kept in, by its key."""
    return zlib.crc32(key.encode("utf-8", "surrogatepass")) % BUCKETS
