"""Write: put the planned site on disk, making only what changed and touching only what it wrote.

The output folder carries a manifest of the files this generator wrote there, each with the
key of what it was made from and its size. An output whose key is unchanged and whose file
is intact is not made again; one that is made is written only if its bytes differ from the
file's. A file is removed only when the manifest says this generator wrote it.

Writing is two-phase: every file to write is first written in full under a temporary name
beside its target; only when all are on disk are they renamed into place. A failure in the
first phase (disk full, permission denied, a seed that changed) leaves the previous site as
it was. A first build into an empty folder has no site to keep: it writes every file in place
in a hidden folder (FIRST_BUILD), then moves what that holds into the output folder, a dozen
renames instead of one per file. A failure, or the next build after a kill, removes it all.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import itertools
import json
import operator
import os
import shutil
import sys
import time
from collections.abc import Callable, Mapping, Sequence, Set
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

from . import GENERATOR, store
from .problems import Invalid, Problem, shown
from .render import Output, Remembering

MANIFEST = ".archive-manifest.json"
MANIFEST_VERSION = 5
"""Version 5 adds each file's SHA-256. A manifest of version 4 is read too (see read_manifest)."""
UPGRADED_VERSIONS = (4,)
PARALLEL_FROM = 400
"""Make outputs in parallel processes when at least this many need making."""
CHUNK = 250
FIRST_BUILD = ".first-build.archive-tmp"
"""The hidden folder a first build is written in, inside the output folder (see `place_first`)."""


class Written(NamedTuple):
    """What a write did."""

    written: int
    unchanged: int
    removed: int
    kept: tuple[str, ...] = ()
    """Files in the site this build does not make, kept because its manifest could not be read
    (damaged, or from another version): nothing shows that an earlier build wrote them."""


class Made(NamedTuple):
    """An output made in the first phase: its size, and its temporary file if it must be written.

    A tuple: worker processes send 20,000 of them back, and a dataclass pickles slower."""

    path: str
    size: int
    sha256: str
    """Hex SHA-256 of the bytes made, for the manifest."""
    temporary: str | None
    placed: str | None = None
    """The file itself, when a first build wrote it in place in FIRST_BUILD (see `write_site`)."""


class Manifest(NamedTuple):
    """What the manifest says about the files a build wrote: their paths, in the order of the
    build's outputs, and each one's key, size and SHA-256 at the same place (columns: a build
    that plans the same files in the same order compares and copies them by builtins)."""

    paths: list[str]
    keys: list[str]
    sizes: list[int]
    sha256: list[str]
    """Empty in a manifest of an earlier version, which did not record them."""


NO_MANIFEST = Manifest([], [], [], [])


PATH = operator.itemgetter(0)
KEY = operator.itemgetter(1)


def check_output(out: Path, root: Path, seeds: Path) -> None:
    """Refuse an output folder whose contents the build could damage."""
    out, root, seeds = out.resolve(), root.resolve(), seeds.resolve()
    where = shown(out)
    refuse = None
    if out == root:
        refuse = "is the archive's own folder; choose a folder inside it, such as _site"
    elif out.is_relative_to(seeds) or seeds.is_relative_to(out):
        refuse = "contains or is inside seeds/; the build never writes near the documents"
    elif (out / "metadata.yaml").exists():
        refuse = "holds a metadata.yaml: it looks like an archive's folder, not a site"
    elif out.exists() and not out.is_dir():
        refuse = "is a file, not a folder"
    elif out.is_dir() and any(out.iterdir()) and not (out / MANIFEST).is_file():
        refuse = f"is a folder with files this generator did not write (no {MANIFEST}); choose an empty or new folder"
    if refuse:
        raise Invalid([Problem(where, 0, f"refusing to build here: the output folder {refuse}")])


def read_manifest(out: Path) -> Manifest:
    """Every file the previous build wrote; empty when there is no manifest, or one from another version
    or of another shape.

    A manifest of an earlier version this one upgrades (UPGRADED_VERSIONS) is read for what it
    has, so that the build removes what the earlier one wrote and no longer makes; it has no
    SHA-256, so every file is made (and its SHA-256 taken) once more."""
    try:
        data = json.loads((out / MANIFEST).read_text("utf-8"))
        version = data.get("version") if data.get("generator") == GENERATOR else None
        if version != MANIFEST_VERSION and version not in UPGRADED_VERSIONS:
            return NO_MANIFEST
        paths, keys, sizes = data["paths"], data["keys"], data["sizes"]
        sha256 = data["sha256"] if version == MANIFEST_VERSION else []
        columns = ((paths, str), (keys, str), (sizes, int), (sha256, str))
        typed = all(type(column) is list and set(map(type, column)) <= {kind} for column, kind in columns)
        if typed and len(paths) == len(keys) == len(sizes) == len(set(paths)) and len(sha256) in (0, len(paths)):
            return Manifest(paths, keys, sizes, sha256)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass
    return NO_MANIFEST


def write_site(
    outputs: list[Output],
    out: Path,
    jobs: int = 2,
    progress: bool = False,
    settled: Set[str] = frozenset(),
    folders: Set[str] | None = None,
    memo: Mapping[str, Remembering] | None = None,
) -> Written:
    """Make what changed, write what differs, remove what the previous build wrote and this one did not.

    `settled` names output folders in which no file was added or removed since the last
    build: an output there whose key is unchanged is taken as intact without a stat.
    `folders`, the folders of all outputs, when known: all settled, no output's folder need be
    looked up (the common case of a rebuild, 20,000 lookups at 10,000 documents). `memo`: the
    parts of the build's memo the outputs add to (see make_outputs). The journal
    (kept by the store, beside the output) lists the files being staged, then being renamed, so
    that a build killed at any point is finished or undone by the next one (`recover`).
    """
    out.mkdir(parents=True, exist_ok=True)
    recover(out)
    before = read_manifest(out)
    if not (out / MANIFEST).is_file():
        write_manifest(out, NO_MANIFEST)  # claim the folder first: a build killed now still owns what it wrote
    paths, keys = list(map(PATH, outputs)), list(map(KEY, outputs))
    same_order = before.paths == paths
    listed = None if same_order else places_in(before, paths)
    known: Sequence[str | None] = before.keys if listed is None else list(map([*before.keys, None].__getitem__, listed))
    """The key each output's file was made from, at the output's place (None: not made before)."""
    if not before.paths or not before.sha256:
        places = list(range(len(outputs)))
    elif folders is not None and folders <= settled:
        places = list(itertools.compress(range(len(outputs)), map(operator.ne, known, keys)))  # by builtins
    else:
        sizes = dict(zip(before.paths, before.sizes, strict=True))
        changed = map(stale, outputs, known, itertools.repeat(sizes), itertools.repeat(out), itertools.repeat(settled))
        places = list(itertools.compress(range(len(outputs)), changed))
    todo = list(map(outputs.__getitem__, places))
    first = not before.paths and set(os.listdir(out)) <= {MANIFEST}  # no site to keep whole: written aside, then moved
    store.note_journal(out, "placing" if first else "staging", [o.path for o in todo])
    if first:
        made = make_outputs(todo, out / FIRST_BUILD, jobs, progress, first, memo or {})
        place_first(out)
    else:
        made = make_outputs(todo, out, jobs, progress, memo=memo or {})
        store.note_journal(out, "renaming", [item.path for item in made if item.temporary])
        folder = str(out)
        for item in made:
            if item.temporary:
                os.replace(item.temporary, os.path.join(folder, item.path))
    store.clear_journal(out)
    removed = [] if listed is None else removed_paths(before, paths, listed)
    for path in removed:
        (out / path).unlink(missing_ok=True)
        remove_empty_parents(out / path, out)
    after = Manifest(paths, keys, *carried_over(before, listed))
    for i, item in zip(places, made, strict=True):  # an output not made has its size and SHA-256 as before
        after.sizes[i], after.sha256[i] = item.size, item.sha256
    if made or removed or not same_order or before.keys != keys or not (out / MANIFEST).is_file():
        write_manifest(out, after)  # with no output made or removed, the keys and sizes are as before
    written = sum(1 for item in made if item.temporary or item.placed)
    kept = unaccounted(out, after) if not before.paths and not first else ()
    return Written(written, len(outputs) - written, len(removed), kept)


def places_in(before: Manifest, paths: list[str]) -> list[int]:
    """Where the manifest `before` lists each of these paths (-1 where it does not): the place
    of each output's file in its columns."""
    at = dict(zip(before.paths, itertools.count()))
    return list(map(at.get, paths, itertools.repeat(-1)))


def removed_paths(before: Manifest, paths: list[str], listed: list[int]) -> list[str]:
    """The files the manifest `before` lists that are not among these paths, sorted; `listed`:
    where `before` lists each path (see places_in). When as many paths are listed as `before`
    has (the paths of each are unique), there are none, found without hashing 20,000 paths again."""
    if len(paths) - listed.count(-1) == len(before.paths):
        return []
    return sorted(set(before.paths).difference(paths))


def carried_over(before: Manifest, listed: list[int] | None) -> tuple[list[int], list[str]]:
    """The size and SHA-256 of each output's file as the manifest `before` has them, at the
    output's place (0 and "" where it has none: the file is made). `listed`: where `before` lists
    each output's file (see places_in); None when it lists them all in the same order."""
    if not before.sha256:
        count = len(before.paths) if listed is None else len(listed)
        return [0] * count, [""] * count  # every file is made
    if listed is None:
        return list(before.sizes), list(before.sha256)
    sizes, sha256 = [*before.sizes, 0], [*before.sha256, ""]  # -1: the last
    return list(map(sizes.__getitem__, listed)), list(map(sha256.__getitem__, listed))


def unaccounted(out: Path, manifest: Manifest) -> tuple[str, ...]:
    """The files in the site that the manifest does not list (itself aside), sorted."""
    found: list[str] = []
    for folder, _, names in os.walk(out):
        relative = os.path.relpath(folder, out).replace(os.sep, "/")
        found.extend(name if relative == "." else f"{relative}/{name}" for name in names)
    listed = set(manifest.paths)
    return tuple(sorted(path for path in found if path not in listed and path != MANIFEST))


def folders_of(outputs: list[Output]) -> set[str]:
    """The folders the outputs go in, from the site's root ("" for the root itself)."""
    return set(map(FIRST, map(operator.methodcaller("rpartition", "/"), map(PATH, outputs))))


def count_pages(outputs: list[Output]) -> int:
    """How many of the outputs are pages."""
    return sum(map(operator.methodcaller("endswith", ".html"), map(PATH, outputs)))


FIRST = operator.itemgetter(0)


def stale(output: Output, known: str | None, sizes: Mapping[str, int], out: Path, settled: Set[str]) -> bool:
    """True when an output must be made: new, made from something else than `known` (the key its
    file was made from), or its file not intact (not of the size in `sizes`)."""
    if known != output.key:
        return True
    if output.path.rpartition("/")[0] in settled:
        return False
    try:
        return os.stat(out / output.path).st_size != sizes[output.path]
    except OSError:
        return True


def place_first(out: Path) -> None:
    """Move a first build's files from FIRST_BUILD into the output folder: its folders, then the
    files beside index.html, index.html last."""
    staged = out / FIRST_BUILD
    names = sorted(os.listdir(staged), key=lambda name: (not (staged / name).is_dir(), name == "index.html", name))
    for name in names:
        os.rename(staged / name, out / name)
    staged.rmdir()


def make_outputs(
    todo: list[Output],
    out: Path,
    jobs: int,
    progress: bool,
    first: bool = False,
    memo: Mapping[str, Remembering] = MappingProxyType({}),
) -> list[Made]:
    """Make every output in `todo` and stage the ones whose bytes changed, in order of `todo`.

    `first`: a first build, made in `out` (FIRST_BUILD, created here) with every file written
    in place; a failure removes `out` and all it holds.

    Worker processes make them, a range each, when there are many: the outputs that list
    entries together, the others in chunks. What each range adds to the parts of the memo in
    `memo` comes back with what it made, and is added to them here.
    """
    folders = sorted({"", *(o.path.rpartition("/")[0] for o in todo)})  # "": `out` itself, new in a first build
    created = [folder for folder in folders if not (out / folder).is_dir()]
    for folder in created:
        (out / folder).mkdir(parents=True, exist_ok=True)
    report = Progress(len(todo), shown=progress)
    listing = [(i, o) for i, o in enumerate(todo) if o.lists]
    work = listing + [(i, o) for i, o in enumerate(todo) if not o.lists]
    ranges = [(0, len(listing))] * bool(listing)
    ranges += [(start, min(start + CHUNK, len(work))) for start in range(len(listing), len(work), CHUNK)]
    global _WORK
    _WORK = (work, str(out), first, memo)
    gc.freeze()  # forked workers share the parent's objects instead of copying them on touch
    results: list[tuple[list[tuple[int, Made]], list[Problem] | None]] = []
    try:
        if jobs > 1 and len(work) >= PARALLEL_FROM:
            import multiprocessing  # only here: a rebuild that makes a few files needs no workers

            with multiprocessing.get_context("fork").Pool(jobs) as pool:
                for items, problems, remembered in pool.imap_unordered(make_range, ranges):
                    results.append((items, problems))
                    for part, entries in remembered.items():
                        memo[part].update(entries)
                    report.advance(len(items))
        else:
            for span in ranges:
                items, problems, _ = make_range(span)  # made here: the memo has what they added
                results.append((items, problems))
                report.advance(len(items))
    finally:
        _WORK = None
        report.done()
    problems = [p for _, found in results for p in found or ()]
    made = [item for items, _ in results for _, item in items]
    if problems:
        discard(made)
        for folder in reversed(created):  # a failed build leaves no empty folders behind
            with contextlib.suppress(OSError):
                (out / folder).rmdir()
        raise Invalid(problems)
    by_index = {i: item for items, _ in results for i, item in items}
    return [by_index[i] for i in range(len(todo))]


_WORK: tuple[list[tuple[int, Output]], str, bool, Mapping[str, Remembering]] | None = None
"""The work of one make_outputs call, set before worker processes fork so they inherit it."""


def make_range(
    span: tuple[int, int],
) -> tuple[list[tuple[int, Made]], list[Problem] | None, dict[str, dict[str, Any]]]:
    """Make outputs start..end of the current work; with what they added to the memo."""
    assert _WORK is not None
    work, out, first, memo = _WORK
    for entries in memo.values():
        entries.take()  # what the process had added before is not this range's
    made, problems = make_each(work[span[0] : span[1]], out, first)
    return made, problems, {part: entries.take() for part, entries in memo.items()}


def make_each(
    work: list[tuple[int, Output]], out: str, first: bool = False
) -> tuple[list[tuple[int, Made]], list[Problem] | None]:
    """Make these outputs (each with its place in the build's list); problems instead of an exception."""
    made: list[tuple[int, Made]] = []
    try:
        for index, output in work:
            made.append((index, make_one(output, out, first)))
    except Invalid as invalid:
        discard([item for _, item in made])
        return [], invalid.problems
    except BaseException:
        discard([item for _, item in made])
        raise
    return made, None


def make_one(output: Output, out: str, first: bool = False) -> Made:
    """Make one output; write it to a temporary file unless the file already has these bytes.

    `first`: write it in place, in the hidden folder of a first build. Never in the site itself:
    a build killed between creating a file and finishing it would leave it torn for all to see.
    """
    data = output.make()
    target = os.path.join(out, output.path)
    sha256 = output.sha256 or hashlib.sha256(data).hexdigest()
    if first:
        write_new(target, data)
        return Made(output.path, len(data), sha256, None, target)
    if same_bytes(target, data):
        return Made(output.path, len(data), sha256, None)
    temporary = temporary_name(target)
    write_new(temporary, data)
    return Made(output.path, len(data), sha256, temporary)


def write_new(path: str, data: bytes) -> None:
    """Write a file that this build creates; removed again when writing it fails.

    Written by the file descriptor: a buffered stream would also stat the file, ask whether it
    is a terminal and seek, three system calls per file (60,000 for a site of 10,000 documents).
    """
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        try:
            with memoryview(data) as view:
                done = 0
                while done < len(view):
                    done += os.write(fd, view[done:])
        finally:
            os.close(fd)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(path)
        raise


def temporary_name(target: str | Path) -> str:
    """Where a file is staged before it is renamed into place (one build at a time: see lock)."""
    folder, name = os.path.split(target)
    return os.path.join(folder, f".{name}.archive-tmp")


def recover(out: Path) -> None:
    """Finish or undo what a killed build left (the journal the store keeps says what): renames
    are completed, staged files removed."""
    shutil.rmtree(out / FIRST_BUILD, ignore_errors=True)  # never part of a site, even when the journal is lost
    journal = store.read_journal(out)
    if journal is None:
        return
    phase, paths = journal
    for path in paths:
        temporary, target = temporary_name(out / path), out / path
        if not os.path.exists(temporary):
            continue
        if phase == "renaming":
            os.replace(temporary, target)
        else:
            os.unlink(temporary)
    if phase == "placing":  # a first build, killed: what it moved from FIRST_BUILD goes too
        for path in paths:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(out / path)
                remove_empty_parents(out / path, out)
    store.clear_journal(out)


def same_bytes(path: str, data: bytes) -> bool:
    """True when the file at path holds exactly these bytes (read only when the size matches)."""
    try:
        if os.stat(path).st_size != len(data):
            return False
        with open(path, "rb") as stream:
            return stream.read() == data
    except OSError:
        return False


def discard(made: list[Made]) -> None:
    """Remove the temporary files of a first phase that will not be completed."""
    for item in made:
        for file in (item.temporary, item.placed):
            if file:
                Path(file).unlink(missing_ok=True)


def write_manifest(out: Path, manifest: Manifest) -> None:
    """Write the manifest atomically: the files' paths in the order of the build's outputs, their
    keys, sizes and SHA-256, as four lists (read and written faster than a mapping of a small
    list a file). The bytes are those of `json.dumps(..., separators=(",", ":"),
    sort_keys=True)`, made by joining the lists where that gives the same (see `json_list`) and
    written piece by piece: the whole text of 20,000 files is never put together."""
    columns = {
        "generator": json.dumps(GENERATOR),
        "keys": json_list(manifest.keys),
        "paths": json_list(manifest.paths),
        "sha256": json_list(manifest.sha256),
        "sizes": str(manifest.sizes).replace(" ", ""),  # "[1, 2]" -> "[1,2]"
        "version": str(MANIFEST_VERSION),
    }
    pieces = [piece for name, value in columns.items() for piece in (f',"{name}":', value)]
    pieces[0] = pieces[0].removeprefix(",")
    temporary = temporary_name(out / MANIFEST)
    with open(temporary, "w", encoding="utf-8") as stream:
        stream.writelines(["{", *pieces, "}\n"])
    os.replace(temporary, out / MANIFEST)


PLAIN_JSON = bytes(range(0x20, 0x7F)).translate(None, b'"\\')
"""What JSON writes as it stands between quotes: printable ASCII but `"` and `\\`."""


def json_list(texts: list[str]) -> str:
    """A list of texts as `json.dumps(texts, separators=(",", ":"))` writes it: joined as they
    are when every one is plain (see PLAIN_JSON: paths, keys and digests nearly always are), a
    quarter of the time json takes for 20,000."""
    joined = '","'.join(texts)
    if texts and joined.isascii() and joined.encode().translate(None, PLAIN_JSON) == b'"' * (2 * len(texts) - 2):
        return '["' + joined + '"]'  # nothing left but the separators' quotes
    return json.dumps(texts, separators=(",", ":"))


def remove_empty_parents(path: Path, out: Path) -> None:
    """Remove folders left empty by a removal, up to (not including) the output folder."""
    for parent in path.parents:
        if parent == out or not parent.is_relative_to(out):
            return
        try:
            parent.rmdir()
        except OSError:
            return


class Progress:
    """A one-line progress count on a terminal, shown only once a build has run for a second."""

    def __init__(
        self, total: int, shown: bool, stream: Any = sys.stderr, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.total, self.count, self.stream, self.clock, self.enabled = total, 0, stream, clock, shown
        self.started = clock()
        self.visible = False

    def advance(self, count: int) -> None:
        self.count += count
        if self.enabled and self.clock() - self.started >= 1.0:
            self.stream.write(f"\rmaking files: {self.count:,} of {self.total:,}")
            self.stream.flush()
            self.visible = True

    def done(self) -> None:
        if self.visible:
            self.stream.write("\r\033[K")
            self.stream.flush()
