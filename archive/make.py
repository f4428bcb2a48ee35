"""Make: the outputs that must be made, made (in worker processes when many) and staged.

Each output's bytes are made and written under a temporary name beside their target, unless
the file there has these bytes already; the write stage renames them into place once all are
made (see write.write_site). What the outputs add to the build's memo while they are made
comes back from the worker processes with what they made.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

from .problems import Invalid, Problem
from .render import Output, Remembering

PARALLEL_FROM = 400
"""Make outputs in parallel processes when at least this many need making."""
CHUNK = 250


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
