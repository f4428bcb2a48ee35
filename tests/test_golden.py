"""A golden snapshot of a tiny fixture archive: any change to the output shows as a diff.

Regenerate on purpose with `UPDATE_GOLDEN=1 make test` and review the diff before committing.
"""

from __future__ import annotations

import difflib
import os
import shutil
from pathlib import Path

from conftest import files_under

import build

HERE = Path(__file__).resolve().parent
FIXTURE = HERE / "fixtures" / "tiny"
GOLDEN = HERE / "golden" / "tiny"


def files(folder: Path) -> dict[str, object]:
    """The site's files; the build's own state (.archive-*) depends on the generator's code, so it is left out."""
    return files_under(folder, lambda path: not path.rpartition("/")[2].startswith(".archive-"))


def test_tiny_archive_matches_the_golden_snapshot(tmp_path: Path) -> None:
    out = tmp_path / "site"
    assert build.main(["--root", str(FIXTURE), "--out", str(out), "--quiet"]) == 0
    built = files(out)
    if os.environ.get("UPDATE_GOLDEN"):
        shutil.rmtree(GOLDEN, ignore_errors=True)
        shutil.copytree(out, GOLDEN, ignore=shutil.ignore_patterns(".archive-*"))
    golden = files(GOLDEN)
    assert sorted(built) == sorted(golden), "the site's files differ from the snapshot's"
    for path, data in built.items():
        if data != golden[path]:
            diff = difflib.unified_diff(
                golden[path].decode("utf-8", "replace").splitlines(),
                data.decode("utf-8", "replace").splitlines(),
                f"golden/{path}",
                f"built/{path}",
                lineterm="",
            )
            raise AssertionError("\n".join(diff))
