"""A no-change rebuild in milliseconds: one digest of the metadata of every input.

Before anything heavy is imported, the build stats its inputs (the archive's files and
folders named in ARCHIVE_FILES and ARCHIVE_FOLDERS, templates, static files, the generator's
own code and libraries) and takes one digest of it all. This module only computes it:
store.py keeps the last successful build's, in a file read without SQLite, and decides from
it and the output's folders whether anything changed (`store.unchanged`). Only stdlib here:
importing this module must stay cheap.

A file changed within the file system's clock tick of the last build could keep its size
and times; like git's "racy" entries, such a fingerprint is never trusted (any input changed
at or after the moment the fingerprint was written sends the build down the full path).
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
from pathlib import Path

CODE = Path(__file__).resolve().parent


STATS: dict[str, os.stat_result] = {}
"""The stat of every input as inputs_digest found it, by path: the seeds' are not taken twice."""
LISTINGS: dict[str, list[os.DirEntry[str]]] = {}
"""The entries of every folder inputs_digest walked, by path and sorted by name: seeds/ is not listed twice."""


def input_stats(paths: list[Path], folders: list[Path]) -> tuple[str, int]:
    """Digest of the stat of these files and of every file under these folders; the newest ctime."""
    STATS.clear()
    LISTINGS.clear()
    files = [*map(str, paths), *(p for folder in folders for p in walk(str(folder)))]
    stats: list[bytes] = []
    for path in files:
        try:
            st = STATS[path] = os.stat(path)
        except OSError:
            stats.append(b"missing")
            continue
        stats.append(b"%d %d %d %d %d" % (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_mode))
    newest = max((max(st.st_ctime_ns, st.st_mtime_ns) for st in STATS.values()), default=0)
    names = hashlib.sha256("\0".join(files).encode("utf-8", "surrogateescape")).digest()  # no NUL in a path
    return hashlib.sha256(names + b"\0".join(stats)).hexdigest(), newest


def walk(folder: str) -> list[str]:
    """Every entry under a folder, sorted, folders included (a new empty one counts too)."""
    try:
        entries = {entry.name: entry for entry in os.scandir(folder)}
    except OSError:
        return [folder]
    listing = LISTINGS[folder] = [entries[name] for name in sorted(entries)]
    found: list[str] = []
    for entry in listing:
        found.append(entry.path)
        if entry.is_dir(follow_symlinks=False):
            found.extend(walk(entry.path))
    return found


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
    try:
        lock = lock_digest((root / LOCK).read_bytes())
    except FileNotFoundError:
        lock = lock_digest(None)
    except OSError:
        lock = "unreadable"
    return hashlib.sha256(f"{settings}\0{stats}".encode()).hexdigest() + lock, newest


LOCK = "names.lock"
"""The file of names given (see namelock.py), beside metadata.yaml: an input counted by its bytes."""


def lock_digest(data: bytes | None) -> str:
    """The digest of names.lock's bytes; "" for no file."""
    return hashlib.sha256(data).hexdigest() if data is not None else ""


def with_lock(digest: str, lock: str) -> str:
    """The digest of the inputs (see inputs_digest) with names.lock's digest `lock` for the one it
    was made with: what the inputs are once the build has written the lock."""
    return digest[:64] + lock
