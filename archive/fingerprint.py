"""A rebuild with nothing to do, told without reading any input: one digest of the metadata of every input.

Before anything heavy is imported, the build stats its inputs (the archive's files and
folders named in ARCHIVE_FILES and ARCHIVE_FOLDERS, templates, static files, the generator's
own code and libraries) and takes one digest of it all. This module only computes it:
store.py keeps the last successful build's, in a file read without SQLite, and decides from
it and the output's folders whether anything changed (`store.unchanged`). Only the standard
library here, and files.py and problems.py, which use nothing else: importing this module must
stay cheap.

A file changed within the file system's clock tick of the last build could keep its size
and times; like git's "racy" entries, such a fingerprint is never trusted (any input changed
at or after the moment the fingerprint was written sends the build down the full path).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import operator
import os
from pathlib import Path
from typing import cast

from .files import FileRule, MiB, read_file
from .problems import Invalid, Problem, shown

CODE = Path(__file__).resolve().parent


STATS: dict[str, os.stat_result] = {}
"""The stat of every input as inputs_digest found it, by path: the seeds' are not taken twice."""
LISTINGS: dict[str, list[os.DirEntry[str]]] = {}
"""The entries of every folder inputs_digest walked, by path and sorted by name: seeds/ is not listed twice."""


def input_stats(paths: list[Path], folders: list[Path]) -> tuple[str, int]:
    """Digest of the stat of these files and of every file under these folders; the newest ctime.

    Taken by builtins, each folder's entries relative to the open folder: the seeds' stats are
    most of a rebuild with nothing to do, and a loop in Python and looking up each full path
    again would add to the system calls themselves."""
    STATS.clear()
    LISTINGS.clear()
    files = list(map(str, paths))
    found = list(map(stat_or_none, files))
    for folder in map(str, folders):
        walk(folder, files, found)
    if None in found:
        STATS.update((path, st) for path, st in zip(files, found, strict=True) if st is not None)
        stats = [b"missing" if st is None else STAT_TEXT % STAT_FIELDS(st) for st in found]
    else:
        every = cast(list[os.stat_result], found)
        STATS.update(zip(files, every, strict=True))
        stats = list(map(STAT_TEXT.__mod__, map(STAT_FIELDS, every)))
    newest = max(map(max, map(TIMES, STATS.values())), default=0)
    names = hashlib.sha256("\0".join(files).encode("utf-8", "surrogateescape")).digest()  # no NUL in a path
    return hashlib.sha256(names + b"\0".join(stats)).hexdigest(), newest


STAT_TEXT = b"%d %d %d %d %d"
STAT_FIELDS = operator.attrgetter("st_size", "st_mtime_ns", "st_ctime_ns", "st_ino", "st_mode")
TIMES = operator.attrgetter("st_ctime_ns", "st_mtime_ns")
NAME, PATH = operator.attrgetter("name"), operator.attrgetter("path")
IS_FOLDER = operator.methodcaller("is_dir", follow_symlinks=False)


def walk(folder: str, files: list[str], found: list[os.stat_result | None]) -> None:
    """Add every entry under a folder, folders included (a new empty one counts too), to `files`,
    and its stat to `found` (None for one gone meanwhile): the folder's entries sorted by name,
    then those of each folder among them in turn. A folder that cannot be listed is itself added."""
    try:
        with os.scandir(folder) as listed:
            listing = LISTINGS[folder] = sorted(listed, key=NAME)
    except OSError:
        files.append(folder)
        found.append(stat_or_none(folder))
        return
    files.extend(map(PATH, listing))
    found.extend(stats_in(folder, list(map(NAME, listing))))
    for entry in filter(IS_FOLDER, listing):
        walk(entry.path, files, found)


def stats_in(folder: str, names: list[str]) -> list[os.stat_result | None]:
    """The stat of each name in a folder (None for one gone), taken relative to the open folder
    where the system allows: the folder's path is not looked up again for each name."""
    if os.stat not in os.supports_dir_fd:
        return [stat_or_none(os.path.join(folder, name)) for name in names]
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return [stat_or_none(os.path.join(folder, name)) for name in names]
    try:
        return list(map(functools.partial(os.stat, dir_fd=fd), names))
    except OSError:  # one went meanwhile: each again, on its own
        return [stat_or_none(name, fd) for name in names]
    finally:
        os.close(fd)


def stat_or_none(path: str, dir_fd: int | None = None) -> os.stat_result | None:
    """The stat of a path (following links), or None when it cannot be taken."""
    try:
        return os.stat(path, dir_fd=dir_fd)
    except OSError:
        return None


LIBRARIES = ("jinja2", "markupsafe", "markdown_it", "mdurl", "yaml", "slugify", "text_unidecode")
"""What a site's bytes depend on besides this code: another version of one means a full build."""


@functools.cache
def library_files() -> tuple[Path, ...]:
    """The file each library starts from (found without importing it): reinstalling it changes its stat."""
    specs = [importlib.util.find_spec(name) for name in LIBRARIES]
    return tuple(Path(spec.origin) for spec in specs if spec is not None and spec.origin)


@functools.cache
def libraries() -> str:
    """Digest of the libraries' files as installed, for state made with their help (see store.version)."""
    stats = []
    for path in library_files():
        try:
            st = os.stat(path)
            stats.append(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ino}")
        except OSError:
            stats.append(f"{path}\0missing")
    return hashlib.sha256("\n".join(stats).encode("utf-8", "surrogateescape")).hexdigest()[:16]


def generator() -> str:
    """The digest of the generator: its code (every file of `code_files`, by its bytes) and the
    libraries it renders with (`libraries`). The one version of all a build remembers (see
    store.version), and what every output's key starts from (see theme.Theme.code): a change
    to either makes everything again."""
    hasher = hashlib.sha256()
    for path in code_files():
        with contextlib.suppress(OSError):
            hasher.update(path.read_bytes())
        hasher.update(b"\0")
    hasher.update(libraries().encode())
    return hasher.hexdigest()


def code_files() -> list[Path]:
    """The generator's own code: every module of the archive package, its outputs included, and build.py."""
    return [*sorted(CODE.rglob("*.py")), CODE.parent / "build.py"]


ARCHIVE_FILES = ("metadata.yaml",)
"""The files of an archive (from its root) a build reads: one more input of the digest is one more name here."""
ARCHIVE_FOLDERS = ("seeds",)
"""The folders of an archive (from its root) whose every file a build may read."""


def inputs_digest(root: Path, settings: str, template_dirs: list[Path], static_dirs: list[Path]) -> tuple[str, int]:
    """The digest of all inputs of a build (the generator and its libraries too), with the newest change time.

    names.lock counts by its bytes, not its stat: the build itself writes it, just before it
    records its fingerprint (see with_lock), too close in time for a stat to be trusted."""
    files = [*(root / name for name in ARCHIVE_FILES), *code_files(), *library_files()]
    folders = [*(root / name for name in ARCHIVE_FOLDERS), *template_dirs, *static_dirs]
    stats, newest = input_stats(files, folders)
    return hashlib.sha256(f"{settings}\0{stats}".encode()).hexdigest() + lock_state(root / LOCK), newest


def lock_state(path: Path) -> str:
    """names.lock as the inputs' digest counts it: the digest of its bytes (`lock_digest`), or
    "unreadable" for what `read_lock_file` refuses (the build then goes the full way, and
    reading the lock says what is wrong)."""
    try:
        return lock_digest(read_lock_file(path))
    except Invalid:
        return "unreadable"


def read_lock_file(path: Path) -> bytes | None:
    """names.lock's bytes; None when there is none. Invalid when it is not a regular file (a
    folder, a named pipe, a device), is larger than MAX_LOCK_BYTES or cannot be read: it is read
    as metadata.yaml is (see files.read_file), never opened to block or read without end."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise Invalid([Problem(shown(path), 0, f"cannot be read: {error.strerror}")]) from None
    return read_file(path, MAX_LOCK_BYTES, LOCK_FILE, info)


LOCK = "names.lock"
"""The file of names given (see namelock.py), beside metadata.yaml: an input counted by its bytes."""
LOCK_FILE = FileRule("names.lock is a text file, a page name and its seed file a line", "was removed while it was read")
MAX_LOCK_BYTES = 64 * MiB
"""The largest lock read: some 700,000 names (a line is some 90 bytes), a file that never ends not at all."""


def lock_digest(data: bytes | None) -> str:
    """The digest of names.lock's bytes; "" for no file."""
    return hashlib.sha256(data).hexdigest() if data is not None else ""


def with_lock(digest: str, lock: str) -> str:
    """The digest of the inputs (see inputs_digest) with names.lock's digest `lock` for the one it
    was made with: what the inputs are once the build has written the lock."""
    return digest[:64] + lock
