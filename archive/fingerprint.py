"""A no-change rebuild in milliseconds: one digest of the metadata of every input.

Before anything heavy is imported, the build stats its inputs (metadata.yaml, every seed,
templates, static files, the generator's own code) and the output's folders, and compares
a digest of it all with the one the last successful build left (kept by store.py, in a file
read without SQLite). Only stdlib here: importing this module must stay cheap.

A file changed within the file system's clock tick of the last build could keep its size
and times; like git's "racy" entries, such a fingerprint is never trusted (any input changed
at or after the moment the fingerprint was written sends the build down the full path).
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import marshal
import os
from pathlib import Path
from typing import Any

from . import store

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
    stats: list[tuple[int, ...] | None] = []
    for path in files:
        try:
            st = STATS[path] = os.stat(path)
        except OSError:
            stats.append(None)
            continue
        stats.append((st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_mode))
    newest = max((max(st.st_ctime_ns, st.st_mtime_ns) for st in STATS.values()), default=0)
    return hashlib.sha256(marshal.dumps((files, stats), 2)).hexdigest(), newest  # version 2: no back-references


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


def inputs_digest(root: Path, settings: str, template_dirs: list[Path], static_dirs: list[Path]) -> tuple[str, int]:
    """The digest of all inputs of a build (the generator and its libraries too), with the newest change time.

    names.lock counts by its bytes, not its stat: the build itself writes it, just before it
    records its fingerprint (see with_lock), too close in time for a stat to be trusted."""
    code = [*code_files(), *library_files()]
    stats, newest = input_stats([root / "metadata.yaml", *code], [root / "seeds", *template_dirs, *static_dirs])
    try:
        lock = lock_digest((root / LOCK).read_bytes())
    except FileNotFoundError:
        lock = lock_digest(None)
    except OSError:
        lock = "unreadable"
    return hashlib.sha256(f"{settings}\0{stats}".encode()).hexdigest() + lock, newest


LOCK = "names.lock"
"""The file of names given (see namelock.py), beside metadata.yaml."""


def lock_digest(data: bytes | None) -> str:
    """The digest of names.lock's bytes; "" for no file."""
    return hashlib.sha256(data).hexdigest() if data is not None else ""


def with_lock(digest: str, lock: str) -> str:
    """The digest of the inputs (see inputs_digest) with names.lock's digest `lock` for the one it
    was made with: what the inputs are once the build has written the lock."""
    return digest[:64] + lock


def output_folders(out: Path, folders: list[str]) -> dict[str, int]:
    """The modification time of each output folder: removing or adding a file there changes it."""
    times = {}
    for folder in folders:
        try:
            times[folder] = os.stat(out / folder).st_mtime_ns
        except OSError:
            times[folder] = -1
    return times


def last_build(out: Path) -> tuple[Any, int]:
    """The fingerprint the last successful build left and when it was written (see
    store.read_fingerprint); ({}, 0) when there is none. Read once a build."""
    return store.read_fingerprint(out) or ({}, 0)


def unchanged(out: Path, last: tuple[Any, int], digest: str, newest: int) -> dict[str, int] | None:
    """The summary of the last build (`last`, see last_build) when nothing changed since; None
    when anything may have."""
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
    """Record the fingerprint of a successful build (best effort: without it, builds take the full path)."""
    store.keep_fingerprint(out, {"inputs": digest, "folders": output_folders(out, folders), "summary": summary})
