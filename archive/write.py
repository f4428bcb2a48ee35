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
import itertools
import operator
import os
import shutil
from collections.abc import Mapping, Sequence, Set
from pathlib import Path
from typing import NamedTuple

from . import store
from .make import make_outputs, temporary_name
from .manifest import (
    MANIFEST,
    NO_MANIFEST,
    Manifest,
    carried_over,
    inside_site,
    places_in,
    read_manifest,
    removed_paths,
    write_manifest,
)
from .problems import Invalid, Problem, shown
from .render import Output, Remembering

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
    refuse_linked_folders(out, folders if folders is not None else folders_of(outputs))
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
    removed = [] if listed is None else [path for path in removed_paths(before, paths, listed) if not linked(out, path)]
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


def unaccounted(out: Path, manifest: Manifest) -> tuple[str, ...]:
    """The files in the site that the manifest does not list (itself aside), sorted."""
    found: list[str] = []
    for folder, _, names in os.walk(out):
        relative = os.path.relpath(folder, out).replace(os.sep, "/")
        found.extend(name if relative == "." else f"{relative}/{name}" for name in names)
    listed = set(manifest.paths)
    return tuple(sorted(path for path in found if path not in listed and path != MANIFEST))


def refuse_linked_folders(out: Path, folders: Set[str]) -> None:
    """Refuse to write when a folder the outputs go in (or one of its parents) is a symbolic
    link in the site: the files written or removed there would be another folder's."""
    found = sorted({prefix for folder in folders if folder for prefix in parents_in(folder) if is_link(out, prefix)})
    if found:
        problem = "is a link to another folder, and the build writes only into folders of its own; make it a folder"
        raise Invalid([Problem(shown(out / folder), 0, problem) for folder in found])


def linked(out: Path, path: str) -> bool:
    """Whether a file of the site is reached through a folder that is a symbolic link."""
    return any(is_link(out, prefix) for prefix in parents_in(path.rpartition("/")[0]) if prefix)


def parents_in(folder: str) -> list[str]:
    """A folder of the site and each folder it is in, from the site's root: `a/b` -> `a`, `a/b`."""
    parts = folder.split("/")
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def is_link(out: Path, folder: str) -> bool:
    """Whether a folder of the site (from its root) is a symbolic link."""
    return os.path.islink(os.path.join(out, folder))


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


def recover(out: Path) -> None:
    """Finish or undo what a killed build left (the journal the store keeps says what): renames
    are completed, staged files removed."""
    shutil.rmtree(out / FIRST_BUILD, ignore_errors=True)  # never part of a site, even when the journal is lost
    journal = store.read_journal(out)
    if journal is None:
        return
    phase, listed = journal
    paths = [path for path in listed if inside_site(path) and not linked(out, path)]  # never out of the site
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


def remove_empty_parents(path: Path, out: Path) -> None:
    """Remove folders left empty by a removal, up to (not including) the output folder."""
    for parent in path.parents:
        if parent == out or not parent.is_relative_to(out):
            return
        try:
            parent.rmdir()
        except OSError:
            return
