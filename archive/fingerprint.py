"""A no-change rebuild in milliseconds: one digest of the metadata of every input.

Before anything heavy is imported, the build stats its inputs (metadata.yaml, every seed,
templates, static files, the generator's own code) and the output's folders, and compares
a digest of it all with the one the last successful build left. Only stdlib here: importing
this module must stay cheap.

A file changed within the file system's clock tick of the last build could keep its size
and times; like git's "racy" entries, such a fingerprint is never trusted (any input changed
at or after the moment the fingerprint was written sends the build down the full path).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import itertools
import json
import marshal
import mmap
import operator
import os
import zlib
from pathlib import Path
from typing import Any

CODE = Path(__file__).resolve().parent


def cache_dir(out: Path) -> Path:
    """The folder beside the output where the build keeps its state: `_site` -> `._site.cache`.

    Beside, not inside: what is in the output is the site, identical for identical input.
    """
    out = Path(os.path.abspath(out))
    return out.parent / f".{out.name}.cache"


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
    """Digest of the libraries' files as installed, for state made with their help (memo, records)."""
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
    """The digest of all inputs of a build (the generator and its libraries too), with the newest change time."""
    code = [*code_files(), *library_files()]
    stats, newest = input_stats([root / "metadata.yaml", *code], [root / "seeds", *template_dirs, *static_dirs])
    return hashlib.sha256(f"{settings}\0{stats}".encode()).hexdigest(), newest


def output_folders(out: Path, folders: list[str]) -> dict[str, int]:
    """The modification time of each output folder: removing or adding a file there changes it."""
    times = {}
    for folder in folders:
        try:
            times[folder] = os.stat(out / folder).st_mtime_ns
        except OSError:
            times[folder] = -1
    return times


def unchanged(out: Path, digest: str, newest: int) -> dict[str, int] | None:
    """The summary of the last build when nothing changed since; None when anything may have."""
    try:
        path = cache_dir(out) / "fingerprint.json"
        written = os.stat(path).st_mtime_ns
        data = json.loads(path.read_text("utf-8"))
        if data["inputs"] != digest or newest >= written:
            return None
        if output_folders(out, list(data["folders"])) != data["folders"]:
            return None
        return {key: int(value) for key, value in data["summary"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def settled_folders(out: Path) -> set[str]:
    """Output folders where no file was added or removed since the last build (their time is as recorded)."""
    try:
        recorded = json.loads((cache_dir(out) / "fingerprint.json").read_text("utf-8"))["folders"]
        now = output_folders(out, list(recorded))
        return {folder for folder, time in recorded.items() if time == now[folder] and time != -1}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return set()


def forget(out: Path) -> None:
    """Invalidate the fingerprint before the output changes (a build killed midway must not look done)."""
    (cache_dir(out) / "fingerprint.json").unlink(missing_ok=True)


def remember(out: Path, digest: str, folders: list[str], summary: dict[str, int]) -> None:
    """Record the fingerprint of a successful build (best effort: without it, builds take the full path)."""
    data = {"inputs": digest, "folders": output_folders(out, folders), "summary": summary}
    keep(out, "fingerprint.json", json.dumps(data, sort_keys=True).encode())


SLACK = 0.01
"""State that differs from what is kept in no more entries than this share of the archive
(and no more than `most`) is not written again: the next build remakes those few entries,
which costs less than writing all 10,000 again after each added document."""


def worth_writing(changed: int, size: int, kept: int, most: int = 100) -> bool:
    """Whether state of `size` entries is worth writing, when `changed` of them differ from the
    `kept` entries written before (none kept: always)."""
    return changed > 0 and (kept == 0 or changed > min(most, int(size * SLACK)))


def keep(out: Path, name: str, data: bytes) -> None:
    """Write a file of the build's state beside the output, atomically; best effort (state is a cache)."""
    folder = cache_dir(out)
    try:
        folder.mkdir(exist_ok=True)
        temporary = folder / f"{name}.{os.getpid()}.tmp"
        temporary.write_bytes(data)
        os.replace(temporary, folder / name)
    except OSError:
        pass


CHECK = 4
"""Bytes of the CRC-32 a state file ends with: a file damaged in any way is not read as state.

A check against damage (a torn or truncated write, a flipped bit), not against tampering:
whoever can write the state folder can write the site beside it. CRC-32 checks the 17 MB a
10,000-document archive keeps in 5 ms, where BLAKE2b took 21."""


def keep_state(out: Path, name: str, data: bytes) -> None:
    """Keep a file of the build's state, with the check read_state makes."""
    keep(out, name, data + zlib.crc32(data).to_bytes(CHECK, "big"))


def read_state(out: Path, name: str) -> memoryview | None:
    """A file of the build's state, as kept; None when there is none, or it is damaged.

    A view of the file mapped into memory, not a copy read into it: each megabyte a build
    touches for the first time costs it half a millisecond, and a mapped file is touched
    sixteen pages at a time. State files are replaced whole, never written in place, so a
    mapped one does not change while it is read.
    """
    try:
        with open(cache_dir(out) / name, "rb") as stream:
            data = memoryview(mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ))
    except (OSError, ValueError):  # ValueError: an empty file cannot be mapped
        return None
    body = data[:-CHECK]
    return body if len(data) > CHECK and zlib.crc32(body).to_bytes(CHECK, "big") == data[-CHECK:] else None


SEEDS_VERSION = 2


def read_seeds(out: Path, folder: Path) -> tuple[dict[str, Any], int]:
    """What the last build read of each seed, and the moment it wrote that down (file system time).

    Seeds changed at or after that moment are read again whatever their stat says. Made by
    builtins, column by column (10,000 seeds in a loop of Python calls took 20 ms).
    """
    from .model import Seed, from_fields

    try:
        written = os.stat(cache_dir(out) / "seeds.marshal").st_mtime_ns
        data = marshal.loads(read_state(out, "seeds.marshal") or b"")
        if data["version"] != SEEDS_VERSION:
            return {}, 0
        rows = data["seeds"]
        names, stats, shas, errors, firsts = (list(map(operator.itemgetter(i), rows)) for i in range(5))
        texts = set(map(type, itertools.chain(names, shas, firsts)))
        if texts - {str} or set(map(len, stats)) - {4} or set(map(type, itertools.chain.from_iterable(stats))) - {int}:
            return {}, 0
        paths = map(os.path.join(folder, "").__add__, names)
        columns = (names, paths, map(operator.itemgetter(0), stats), shas, errors, firsts, stats)
        seeds = map(from_fields(Seed), zip(*columns, strict=True))
        return dict(zip(names, seeds, strict=True)), written
    except (OSError, ValueError, EOFError, KeyError, IndexError, TypeError, AttributeError):
        return {}, 0


def write_seeds(out: Path, seeds: dict[str, Any], known: dict[str, Any]) -> None:
    """Write down what was read of each seed (best effort), unless only a few differ from
    what is `known` (read_seeds) and the next build can read those few again."""
    changed = len(known.keys() - seeds.keys()) + sum(known.get(name) is not seed for name, seed in seeds.items())
    if not worth_writing(changed, len(seeds), len(known)):
        return
    rows = [(name, seed.stat, seed.sha256, seed.utf8_error, seed.first_line) for name, seed in sorted(seeds.items())]
    with contextlib.suppress(ValueError):
        keep_state(out, "seeds.marshal", marshal.dumps({"version": SEEDS_VERSION, "seeds": rows}))


MEMO_PARTS = ("slugs", "rows", "lines", "markdown", "templates")
"""Title -> slug; entry -> listing row (UTF-8); entry -> metadata.json line (UTF-8);
Markdown -> HTML; template -> the templates it names (see derive and render)."""


def read_memo(out: Path, version: str) -> dict[str, dict[str, Any]]:
    """What earlier builds remembered (MEMO_PARTS), if made by this `version`."""
    try:
        data = marshal.loads(read_state(out, "memo.marshal") or b"")
        if isinstance(data, dict) and data.get("version") == version:
            return {part: dict(data[part]) for part in MEMO_PARTS}
    except (OSError, ValueError, EOFError, TypeError, KeyError):
        pass
    return {part: {} for part in MEMO_PARTS}


def memo_keys(memo: dict[str, dict[str, Any]]) -> dict[str, set[str]]:
    """What the memo holds, to tell later what a build added to it and took from it."""
    return {part: set(entries) for part, entries in memo.items()}


def write_memo(out: Path, version: str, memo: dict[str, dict[str, Any]], read: dict[str, set[str]]) -> None:
    """Remember slugs, rows and lines for the next build (best effort), unless they differ in
    only a few entries from what was `read` (memo_keys): the next build remakes those few."""
    changed = sum(len(memo[part].keys() ^ keys) for part, keys in read.items())
    if not worth_writing(changed, sum(map(len, memo.values())), sum(map(len, read.values()))):
        return
    try:
        data = marshal.dumps({"version": version, **memo})
    except ValueError:
        return
    keep_state(out, "memo.marshal", data)
