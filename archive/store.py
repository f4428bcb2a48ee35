"""Store: the one place where the build remembers, from one build to the next, what it made.

Beside the output (`_site` -> `._site.cache/`, never inside: the site is what the input makes)
one SQLite database, `state.sqlite3`, holds one table per KIND, each mapping a text key to a
value marshal can keep. What is kept per document is keyed by what it was made from (a seed by
its name with its stat, a record by the digest of its text, a listing row by its entry's
digest, a slug by its title), so a value never goes stale: a key the build no longer asks for
is simply dropped, and one it asks for and does not find is made again.

The whole database carries one version: a digest of the generator's code and of the libraries
it renders with. State of another version, or a damaged database (garbage, a torn or truncated
file, a missing table: any error SQLite or marshal reports), is not used: the store starts
empty and the build is a full one. SQLite's transactions keep the file whole when a build is
killed; its pages carry no checksum, so a bit flipped on the disk inside a value goes unseen.

A build reads what it needs, asks the store to remember what changed and to keep only what is
live, and commits once: nothing is written before `commit`, so a build that waits for another
never holds the database meanwhile.

Three small files sit beside the database and are read without SQLite (importing it costs a
rebuild with nothing to do 7 ms): the fingerprint of the last build's inputs (see
fingerprint.py), the lock that lets one build at a time write a site, and the journal of the
write in progress (see write.py). Only this module names the folder and its files.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import marshal
import operator
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import sqlite3

CODE = Path(__file__).resolve().parent
DATABASE = "state.sqlite3"
KINDS = ("seeds", "records", "slugs", "rows", "lines", "markdown", "templates", "compiled", "placement")
"""What the store keeps, a table each (see `Store`)."""
FINGERPRINT, LOCK, JOURNAL = "fingerprint.json", "lock", "journal.json"
ABSENT = object()


def state_folder(out: Path) -> Path:
    """The folder beside the output where the build keeps its state: `_site` -> `._site.cache`."""
    out = Path(os.path.abspath(out))
    return out.parent / f".{out.name}.cache"


def lock_path(out: Path) -> Path:
    """The file a build locks while it writes the site (see write.locked)."""
    return state_folder(out) / LOCK


def journal_path(out: Path) -> Path:
    """The file that lists what the write in progress touches (see write.note)."""
    return state_folder(out) / JOURNAL


def read_fingerprint(out: Path) -> tuple[Any, int] | None:
    """The fingerprint the last successful build left, and the moment it was written (file
    system time); None when there is none or it cannot be read."""
    path = state_folder(out) / FINGERPRINT
    try:
        written = os.stat(path).st_mtime_ns
        return json.loads(path.read_text("utf-8")), written
    except (OSError, ValueError):
        return None


def keep_fingerprint(out: Path, data: dict[str, Any]) -> None:
    """Write the fingerprint of a successful build, atomically (best effort: without it, builds take the full path)."""
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


def version() -> str:
    """The one version of all the state: the generator's code and the libraries it renders with."""
    from .fingerprint import libraries

    hasher = hashlib.sha256()
    for path in [*sorted(CODE.glob("*.py")), CODE.parent / "build.py"]:
        with contextlib.suppress(OSError):
            hasher.update(path.read_bytes())
        hasher.update(b"\0")
    hasher.update(libraries().encode())
    return hasher.hexdigest()


class Store:
    """What earlier builds remembered, and what this one will remember (see the module's docstring).

    Each kind maps text keys to values marshal can keep (text, bytes, numbers, tuples, lists,
    dictionaries of those). Reading is best effort: a damaged database reads as an empty one.
    """

    def __init__(self, path: Path | None, db: sqlite3.Connection | None, written: int = 0) -> None:
        self.path, self.db = path, db
        self.written = written
        """When the state read was written (file system time, 0 for none): what changed at or
        after that moment may have changed unseen since it was remembered."""
        self.pid = os.getpid()
        self.read: dict[str, dict[str, Any]] = {}
        """What `all` returned, by kind: what `keep` and `keep_only` compare with."""
        self.pending: dict[str, dict[str, Any]] = {}
        """Entries to write at commit, by kind."""
        self.gone: dict[str, set[str]] = {}
        """Keys to delete at commit, by kind."""

    @classmethod
    def open(cls, out: Path) -> Store:
        """The state kept beside `out`; empty when there is none, or it is of another version or damaged."""
        import sqlite3

        path = state_folder(out) / DATABASE
        try:
            written = os.stat(path).st_mtime_ns
            db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        except (OSError, sqlite3.Error):
            return cls(path, None)
        try:
            row = db.execute("SELECT value FROM meta WHERE name = 'version'").fetchone()
            if row is not None and row[0] == version():
                return cls(path, db, written)
        except sqlite3.DatabaseError:
            pass
        db.close()
        return cls(path, None)

    def all(self, kind: str) -> dict[str, Any]:
        """Every entry of a kind, by key (a dictionary the caller may change)."""
        rows = self.query(f"SELECT key, value FROM {kind}", ())  # noqa: S608 - kind is one of KINDS
        try:
            found = dict(zip(map(FIRST, rows), map(marshal.loads, map(SECOND, rows)), strict=True))
        except (ValueError, EOFError, TypeError):
            self.refuse()
            found = {}
        self.read[kind] = dict(found)
        return found

    def get(self, kind: str, keys: Iterable[str]) -> dict[str, Any]:
        """The entries of a kind with these keys, those it has."""
        keys = list(keys)
        found: dict[str, Any] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            rows = self.query(f"SELECT key, value FROM {kind} WHERE key IN ({marks})", chunk)  # noqa: S608
            try:
                found.update(zip(map(FIRST, rows), map(marshal.loads, map(SECOND, rows)), strict=True))
            except (ValueError, EOFError, TypeError):
                self.refuse()
                return {}
        return found

    def remember(self, kind: str, entries: Mapping[str, Any]) -> None:
        """Write these entries at commit."""
        self.pending.setdefault(kind, {}).update(entries)
        self.gone.get(kind, set()).difference_update(entries)

    def keep_only(self, kind: str, live: Iterable[str]) -> None:
        """Delete at commit every entry of a kind but these (and those remembered)."""
        live = set(live)
        known = self.read[kind].keys() if kind in self.read else self.keys(kind)
        self.gone[kind] = {key for key in known if key not in live} - self.pending.get(kind, {}).keys()

    def keep(self, kind: str, entries: Mapping[str, Any]) -> None:
        """Make a kind hold exactly these entries at commit: write those that differ from what
        `all` read, delete the others."""
        read = self.read.get(kind, {})
        self.remember(kind, {k: v for k, v in entries.items() if not same(read.get(k, ABSENT), v)})
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
                self.write(self.db)
            else:
                self.replace()
        except (OSError, sqlite3.Error):
            with contextlib.suppress(sqlite3.Error):
                if self.db is not None and self.db.in_transaction:
                    self.db.rollback()
        self.pending, self.gone = {}, {}

    def close(self) -> None:
        """Close the database (the store reads nothing more)."""
        if self.db is not None and os.getpid() == self.pid:
            self.db.close()
        self.db = None

    def write(self, db: sqlite3.Connection) -> None:
        """Apply what is pending, in one transaction."""
        db.execute("BEGIN IMMEDIATE")
        for kind, keys in self.gone.items():
            db.executemany(f"DELETE FROM {kind} WHERE key = ?", ((key,) for key in keys))  # noqa: S608
        for kind, entries in self.pending.items():
            rows = zip(entries.keys(), map(marshal.dumps, entries.values()), strict=True)
            db.executemany(f"INSERT OR REPLACE INTO {kind} (key, value) VALUES (?, ?)", rows)  # noqa: S608
        db.execute("COMMIT")

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
            db.execute("BEGIN")
            db.execute("CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
            db.execute("INSERT INTO meta VALUES ('version', ?)", (version(),))
            for kind in KINDS:
                db.execute(f"CREATE TABLE {kind} (key TEXT PRIMARY KEY, value BLOB NOT NULL)")
            db.execute("COMMIT")
            self.gone = {}
            self.write(db)
        finally:
            db.close()
        os.replace(temporary, self.path)

    def query(self, sql: str, parameters: Iterable[str]) -> list[Any]:
        """The rows a query gives; none when the store has no database (or is asked from a
        worker process, which must not use its parent's connection)."""
        import sqlite3

        if self.db is None or os.getpid() != self.pid:
            return []
        try:
            return self.db.execute(sql, tuple(parameters)).fetchall()
        except sqlite3.DatabaseError:
            self.refuse()
            return []

    def keys(self, kind: str) -> set[str]:
        """Every key of a kind."""
        return set(map(FIRST, self.query(f"SELECT key FROM {kind}", ())))  # noqa: S608

    def refuse(self) -> None:
        """Take a damaged database for none: nothing more is read from it, and commit replaces it."""
        if self.db is not None:
            with contextlib.suppress(Exception):
                self.db.close()
        self.db = None
        self.read = {}


def same(old: Any, new: Any) -> bool:
    """Whether a value read is the one to keep (the same object, mostly: compared without looking inside)."""
    return old is new or (type(old) is type(new) and old == new)


FIRST, SECOND = operator.itemgetter(0), operator.itemgetter(1)
