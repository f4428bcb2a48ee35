"""The manifest: every file this generator wrote in the site, with the key it was made from,
its size and its SHA-256.

It stays in the site (`verify` and a bag check the files against it) and is the one thing
that says a file is this generator's: the write stage removes a file only when the last
manifest lists it. It is written whole or not at all (a temporary file, then a rename).
"""

from __future__ import annotations

import itertools
import json
import os
import posixpath
from pathlib import Path
from typing import NamedTuple

from . import GENERATOR
from .make import temporary_name

MANIFEST = ".archive-manifest.json"
MANIFEST_VERSION = 5
"""Version 5 adds each file's SHA-256. A manifest of version 4 is read too (see read_manifest)."""
UPGRADED_VERSIONS = (4,)


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


def places_in(before: Manifest, paths: list[str]) -> list[int]:
    """Where the manifest `before` lists each of these paths (-1 where it does not): the place
    of each output's file in its columns."""
    at = dict(zip(before.paths, itertools.count()))
    return list(map(at.get, paths, itertools.repeat(-1)))


def removed_paths(before: Manifest, paths: list[str], listed: list[int]) -> list[str]:
    """The files the manifest `before` lists that are not among these paths, sorted; `listed`:
    where `before` lists each path (see places_in). When as many paths are listed as `before`
    has (the paths of each are unique), there are none, found without hashing 20,000 paths again.

    Only paths inside the site (see `inside_site`): a manifest changed by hand or by anyone
    else that lists `../notes.txt` or `/home/me/notes.txt` never has the build remove them."""
    if len(paths) - listed.count(-1) == len(before.paths):
        return []
    return sorted(filter(inside_site, set(before.paths).difference(paths)))


def inside_site(path: str) -> bool:
    """True for a plain relative path that stays inside the site: not absolute, and without
    an empty, `.` or `..` part (such as every path this generator writes)."""
    return bool(path) and not path.startswith("/") and posixpath.normpath(path) == path and not path.startswith("..")


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
