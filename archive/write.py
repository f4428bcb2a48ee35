"""Write: put the rendered site on disk, touching only what changed and only what it wrote.

The output folder carries a manifest of the files this generator wrote there. A file is
rewritten only when its bytes changed, each write goes to a temporary name and is renamed
into place, and a file is removed only when the manifest says this generator wrote it.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from . import GENERATOR
from .problems import Invalid, Problem, shown

MANIFEST = ".archive-manifest.json"
MANIFEST_VERSION = 1


@dataclass(frozen=True)
class Written:
    """What a write did."""

    written: int
    unchanged: int
    removed: int


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


def read_manifest(out: Path) -> dict[str, str]:
    """path -> sha256 of every file the previous build wrote; empty when there is none."""
    try:
        data = json.loads((out / MANIFEST).read_text("utf-8"))
        if data.get("generator") == GENERATOR and data.get("version") == MANIFEST_VERSION:
            return {str(k): str(v) for k, v in data["files"].items()}
    except (OSError, ValueError, KeyError, AttributeError):
        pass
    return {}


def write_site(files: dict[str, bytes], out: Path) -> Written:
    """Write what changed, remove what the previous build wrote and this one did not.

    Two phases: every changed file is first written in full to a temporary name beside its
    target; only when all are on disk are they renamed into place. A failure in the first
    phase (disk full, permission denied) leaves the previous site as it was.
    """
    out.mkdir(parents=True, exist_ok=True)
    before = read_manifest(out)
    after = {path: hashlib.sha256(data).hexdigest() for path, data in files.items()}
    changed = [path for path in files if before.get(path) != after[path] or not is_intact(out / path, len(files[path]))]
    staged = stage_files({path: files[path] for path in changed}, out)
    for temporary, target in staged:
        os.replace(temporary, target)
    stale = sorted(set(before) - set(after))
    for path in stale:
        (out / path).unlink(missing_ok=True)
        remove_empty_parents(out / path, out)
    if before != after or not (out / MANIFEST).is_file():
        manifest = {"generator": GENERATOR, "version": MANIFEST_VERSION, "files": after}
        data = (json.dumps(manifest, indent=0, sort_keys=True) + "\n").encode()
        for temporary, target in stage_files({MANIFEST: data}, out):
            os.replace(temporary, target)
    return Written(len(changed), len(files) - len(changed), len(stale))


def is_intact(path: Path, size: int) -> bool:
    """True when the file is there with the size it had when written."""
    try:
        return path.stat().st_size == size
    except OSError:
        return False


def stage_files(files: dict[str, bytes], out: Path) -> list[tuple[Path, Path]]:
    """Write each file to a temporary name beside its target: (temporary, target) pairs.

    On any failure the temporary files written so far are removed and the error raised.
    """
    staged: list[tuple[Path, Path]] = []
    try:
        for path, data in files.items():
            target = out / path
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
            staged.append((Path(name), target))
            with os.fdopen(fd, "wb") as stream:
                stream.write(data)
            os.chmod(name, 0o644)
    except BaseException:
        for temporary, target in staged:
            temporary.unlink(missing_ok=True)
            remove_empty_parents(temporary, out)
        raise
    return staged


def remove_empty_parents(path: Path, out: Path) -> None:
    """Remove folders left empty by a removal, up to (not including) the output folder."""
    for parent in path.parents:
        if parent == out or not parent.is_relative_to(out):
            return
        try:
            parent.rmdir()
        except OSError:
            return
