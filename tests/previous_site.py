"""A refused build leaves the previous site exactly as it was: the check every bad input shares."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import files_under


def tree(folder: Path) -> dict[str, object]:
    """Every file under folder: bytes and modification time."""
    return files_under(folder, read=lambda p: (p.read_bytes(), p.stat().st_mtime_ns))


class PreviousSite:
    """A site built from a valid archive before a test breaks the input."""

    def __init__(self, site: Path, run: Any) -> None:
        self.site, self.run = site, run
        result = run("--root", ".", "--quiet")
        assert (result.status, result.err) == (0, ""), result.err
        self.before = tree(site)

    def refuse(self, *args: str, check: bool = True) -> list[str]:
        """Build again, expecting a refusal; the lines the user saw on stderr.

        Checks that the build exits with status 1, prints nothing on stdout and no
        traceback, that the site is untouched and (unless the input changes during the
        build, so that a second run would see other input) that `check` says the same.
        """
        result = self.run(*(args or ("--root", ".")))
        assert result.status == 1, f"status {result.status}\n{result.out}{result.err}"
        assert "Traceback" not in result.err
        assert result.out == ""
        assert tree(self.site) == self.before, "a refused build changed the previous site"
        if check:
            checked = self.run("check", "--root", ".")
            assert (checked.status, checked.out, checked.err) == (1, "", result.err)
        return result.err.split("\n")[:-1]
