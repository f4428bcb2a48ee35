"""Seeds: every file in seeds/ read once, as bytes, with what pages and validation need of it.

Each seed is read as every input is (see archive/files.py): the SHA-256 shown is of the very
bytes copied. A seed an earlier build read is taken as it was when its stat shows it
unchanged (see `still_known`); many seeds to read are read by two worker processes.
"""

from __future__ import annotations

import hashlib
import itertools
import operator
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .files import FileRule, MiB, read_file
from .model import Seed, made_by_name
from .problems import ESCAPED, Invalid, Problem, printable, shown

MAX_SEED_BYTES = 64 * MiB
"""The largest seed read: a document page larger than this would not open in a browser anyway."""
SEED_FILE = FileRule(
    "seeds/ holds one file per document", "disappeared while the build was reading seeds/; run the build again"
)


SeedsRead = tuple[dict[str, Seed] | None, list[Problem]]


def load_seeds(
    folder: Path,
    known: dict[str, Seed] | None = None,
    trusted_before: int = 0,
    stats: dict[str, os.stat_result] | None = None,
) -> SeedsRead:
    """Read every file in `seeds/` (hidden files aside) once, with problems for the rest.

    A seed in `known` (what an earlier build read) whose size, times and inode are unchanged,
    and whose last change is older than `trusted_before` (nanoseconds, file system time), is
    taken as it was without reading it again; `stats` holds the stat of seeds taken earlier
    in this build. None instead of the seeds when the folder is missing.
    """
    return start_loading_seeds(folder, known, trusted_before, stats)()


def remembered_seeds(rows: dict[str, Any], folder: Path) -> dict[str, Seed]:
    """The seeds as an earlier build read them, from what the store keeps of each (see `seed_rows`);
    none when the rows are of another shape.

    Made by builtins, column by column, not in a loop of Python calls: a rebuild makes them all."""
    try:
        names, values = list(rows), list(rows.values())
        stats, shas, errors, firsts = (list(map(operator.itemgetter(i), values)) for i in range(4))
        texts = set(map(type, itertools.chain(shas, firsts)))
        if texts - {str} or set(map(len, stats)) - {4} or set(map(type, itertools.chain.from_iterable(stats))) - {int}:
            return {}
        paths = map(os.path.join(folder, "").__add__, names)
        columns = {
            "name": names,
            "path": paths,
            "size": map(operator.itemgetter(0), stats),
            "sha256": shas,
            "utf8_error": errors,
            "first_line": firsts,
            "stat": stats,
        }
        return dict(zip(names, made_by_name(Seed, columns), strict=True))
    except (ValueError, TypeError, IndexError, KeyError):
        return {}


def seed_rows(seeds: dict[str, Seed], known: dict[str, Seed]) -> dict[str, tuple[Any, ...]]:
    """What the store keeps of each seed read anew (not taken from `known`), by its name:
    its stat, SHA-256, UTF-8 error and first line (found by builtins, not in a loop of Python
    calls: a rebuild compares every seed)."""
    anew = itertools.compress(seeds.values(), map(operator.is_not, map(known.get, seeds), seeds.values()))
    return {seed.name: (seed.stat, seed.sha256, seed.utf8_error, seed.first_line) for seed in anew}


def start_loading_seeds(
    folder: Path,
    known: dict[str, Seed] | None = None,
    trusted_before: int = 0,
    stats: dict[str, os.stat_result] | None = None,
    listing: list[os.DirEntry[str]] | None = None,
) -> Callable[[], SeedsRead]:
    """load_seeds, begun: with many seeds to read, worker processes read them while the caller
    goes on (with metadata.yaml); calling what this returns waits for them.

    `stats` and `listing`: the seeds' stats and the folder's entries (sorted), if taken already."""
    if folder.exists() and not folder.is_dir():
        problem = Problem(
            shown(folder), 0, "is a file, not a folder: put one file per document in a folder named seeds"
        )
        return lambda: (None, [problem])
    if not folder.is_dir():
        return lambda: (None, [Problem(shown(folder), 0, "no such folder: put one file per document here")])
    try:
        entries = listing if listing is not None else sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as error:
        problem = Problem(shown(folder), 0, f"cannot be read: {error.strerror}")
        return lambda: (None, [problem])
    known, stats = known or {}, stats or {}
    visible = [entry for entry in entries if not entry.name.startswith(".")]
    names = list(map(NAME, visible))
    seeds = list(map(known.get, names))
    kept = unchanged_seeds(visible, seeds, stats, trusted_before)
    found: dict[str, Seed | None] = dict(zip(names, seeds, strict=True))
    """Every seed by name, in order: as an earlier build read it when its stat shows it unchanged,
    else None until it is read (an item of `work`)."""
    work = []
    for i in itertools.compress(range(len(kept)), map(operator.not_, kept)):
        entry = visible[i]
        found[entry.name] = None
        work.append((folder, entry.name, entry.path, entry.is_symlink(), seeds[i], trusted_before))

    def gathered(results: list[Seed | list[Problem]]) -> SeedsRead:
        problems = []
        for item, result in zip(work, results, strict=True):
            if isinstance(result, Seed):
                found[item[1]] = result
            else:
                problems.extend(result)
        return {name: seed for name, seed in found.items() if seed is not None}, problems

    if len(work) < PARALLEL_FROM or (os.cpu_count() or 1) < 2:
        return lambda: gathered([seed_or_problems(item) for item in work])
    import multiprocessing  # only here: a rebuild that makes a few files needs no workers

    pool = multiprocessing.get_context("fork").Pool(2)
    pending = pool.map_async(seed_or_problems, work, chunksize=256)

    def finish() -> SeedsRead:
        try:
            return gathered(pending.get())
        finally:
            pool.close()
            pool.join()

    return finish


PARALLEL_FROM = 500
"""Read and hash seeds in two processes when at least this many must be read."""


def unchanged_seeds(
    entries: list[os.DirEntry[str]], seeds: list[Seed | None], stats: dict[str, os.stat_result], trusted_before: int
) -> list[bool]:
    """For each entry of seeds/, whether it is the seed an earlier build read (`seeds`, None
    where none did), unchanged by its stat (see `still_known`).

    Decided by builtins over all the entries at once, not in a loop of Python calls (a rebuild
    compares every seed); an entry with no known seed or no stat (one added) is compared as
    one that matches nothing."""
    infos = list(map(stats.get, map(PATH, entries)))
    if None in infos:
        infos = [NO_STAT if info is None else info for info in infos]
    if None in seeds:
        seeds = [NO_SEED if seed is None else seed for seed in seeds]
    not_links = map(operator.not_, map(operator.methodcaller("is_symlink"), entries))
    regular = map(stat.S_ISREG, map(MODE, infos))
    trusted = map(trusted_before.__gt__, map(CTIME, infos))
    same = map(operator.eq, map(STAT, seeds), map(SEED_STAT, infos))
    return list(map(all, zip(not_links, regular, trusted, same, strict=True)))


NAME, PATH, STAT = operator.attrgetter("name"), operator.attrgetter("path"), operator.attrgetter("stat")
MODE, CTIME = operator.attrgetter("st_mode"), operator.attrgetter("st_ctime_ns")
SEED_STAT = operator.attrgetter("st_size", "st_mtime_ns", "st_ctime_ns", "st_ino")
"""A seed's stat as seed_stat makes it."""


NO_STAT = os.stat_result((0,) * os.stat_result.n_fields)
"""Stands for a stat not taken: not a regular file, so no seed is taken as unchanged by it."""
NO_SEED = Seed._make((None,) * len(Seed._fields))
"""Stands for no seed read before: its stat (None) is no file's."""


def seed_stat(info: os.stat_result) -> tuple[int, int, int, int]:
    """What a seed's stat must keep for it to be taken as unchanged: size, times and inode."""
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


def still_known(known: Seed | None, info: os.stat_result, trusted_before: int) -> bool:
    """True when a seed an earlier build read is, by its stat, the same file, changed before that
    build wrote down what it read (a change within the same clock tick could keep the stat)."""
    trusted = info.st_ctime_ns < trusted_before and stat.S_ISREG(info.st_mode)
    return known is not None and trusted and known.stat == seed_stat(info)


def seed_or_problems(item: tuple[Path, str, str, bool, Seed | None, int]) -> Seed | list[Problem]:
    """read_seed for one (folder, name, path, is a link, known, trusted before), problems as a value."""
    try:
        return read_seed(*item)
    except Invalid as invalid:
        return invalid.problems


def read_seed(folder: Path, name: str, path_text: str, is_link: bool, known: Seed | None, trusted_before: int) -> Seed:
    """What one seed holds, refusing what is not a regular file inside the folder.

    A link to a file inside seeds/ is read as that file; a link anywhere else is refused.
    """
    bad_name = seed_name_problem(name)
    if bad_name:
        raise Invalid([Problem(f"{shown(folder)}/{printable(name)}", 0, f"the file name {bad_name}: rename the file")])
    if is_link:
        check_link(Path(path_text), folder, f"{shown(folder)}/{printable(name)}")
    try:
        info = os.stat(path_text)
    except OSError:
        info = None
    if known and info is not None and still_known(known, info, trusted_before):
        return known
    now = seed_stat(info) if info is not None else (-1, 0, 0, 0)
    return describe_seed(name, path_text, read_file(path_text, MAX_SEED_BYTES, SEED_FILE, info), now)


def describe_seed(name: str, path: str, raw: bytes, now: tuple[int, int, int, int]) -> Seed:
    """What validation and pages need to know of a seed's bytes, so the bytes need not be kept."""
    try:
        raw.decode("utf-8")
        error = None
    except UnicodeDecodeError as bad:
        error = (bad.start, raw.count(b"\n", 0, bad.start) + 1, raw[bad.start])
    head = raw[:4096].decode("utf-8", "replace")
    first_line = next((line.strip() for line in head.splitlines() if line.strip()), "")
    return Seed(name, path, len(raw), hashlib.sha256(raw).hexdigest(), error, first_line, now)


def seed_name_problem(name: str) -> str | None:
    """What makes `name` unusable as a seed's file name and record key, or None.

    The name is a key in metadata.yaml, a path in the site and text on pages, so it must be
    one plain file name a page can show.
    """
    if not name:
        return "is empty"
    if "/" in name or "\\" in name:
        return "is a path"
    if name.startswith("."):
        return "starts with a dot (a hidden file, which the build ignores)"
    if name != name.strip():
        return "starts or ends with a space"
    bad = ESCAPED.search(name)
    if bad and "\udc80" <= bad.group() <= "\udcff":
        return f"is not valid UTF-8 (byte 0x{ord(bad.group()) - 0xDC00:02x})"
    if bad:
        return f"holds the character U+{ord(bad.group()):04X}, which a page cannot show"
    return None


def check_link(path: Path, folder: Path, where: str) -> None:
    """Refuse a symbolic link that leads nowhere or out of seeds/."""
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):
        raise Invalid([Problem(where, 0, "is a link that leads nowhere")]) from None
    if not target.is_relative_to(folder.resolve()):
        raise Invalid(
            [Problem(where, 0, f"is a link to {printable(str(target))}, outside seeds/: copy the file in instead")]
        )
