"""Shared helpers: tiny archives written into tmp_path, and build.py run as a user runs it."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

import build

PROJECT = Path(__file__).resolve().parent.parent

STANCES = """\
stances:
  for:
    label: For
    description: Supports it.
  against:
    label: Against
    description: Opposes it.
"""


def files_under(
    folder: Path, keep: Callable[[str], bool] = lambda path: True, read: Callable[[Path], object] = Path.read_bytes
) -> dict[str, object]:
    """Every file under a folder, by its path from the folder (with `/`), sorted: `read` of each
    (its bytes unless told), for the paths `keep` accepts."""
    return {
        path: read(p)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and keep(path := p.relative_to(folder).as_posix())
    }


def visible(path: str) -> bool:
    """A file a reader of the site sees: none in a hidden folder or with a hidden name."""
    return not any(part.startswith(".") for part in path.split("/"))


def not_manifest(path: str) -> bool:
    """Any file but the manifest (it records what a build wrote, not what the site is)."""
    return path != ".archive-manifest.json"


@dataclass
class Result:
    """What a run of build.py did: exit status and the text the user saw."""

    status: int
    out: str
    err: str


REPORT_LINE = re.compile(
    r"built ([0-9,]+) pages: ([0-9,]+) files written, ([0-9,]+) unchanged, ([0-9,]+) removed"
    r" in [0-9]+\.[0-9]{2} s -> (.+)\n"
)
"""The line a build ends with; only its seconds differ from one run to the next."""


def reported(out: str) -> tuple[int, int, int, int, str]:
    """The numbers a build reports (pages, files written, unchanged, removed) and the index it
    points at; fails unless `out` is exactly that one line, so "13 removed" is never "3 removed"."""
    found = REPORT_LINE.fullmatch(out)
    assert found, f"not exactly one report line: {out!r}"
    pages, written, unchanged, removed = (int(found[i].replace(",", "")) for i in range(1, 5))
    return pages, written, unchanged, removed, found[5]


@dataclass
class Archive:
    """A small archive on disk: metadata.yaml plus seeds/."""

    root: Path

    @property
    def site(self) -> Path:
        return self.root / "_site"

    def seed(self, name: str, data: bytes | str) -> Path:
        path = self.root / "seeds" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode() if isinstance(data, str) else data)
        return path

    def metadata(self, text: str) -> Path:
        path = self.root / "metadata.yaml"
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    def documents(self, records: str, title: str = "Test archive") -> Path:
        """metadata.yaml with a standard archive section and stances, and these records."""
        body = textwrap.indent(textwrap.dedent(records), "  ")
        return self.metadata(f"archive:\n  title: {title}\n  language: en\n{STANCES}documents:\n{body}")


@pytest.fixture
def archive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Archive:
    """An archive of two documents in tmp_path, with tmp_path as the working folder."""
    monkeypatch.chdir(tmp_path)
    made = Archive(tmp_path)
    made.seed("a.txt", "First document.\nIt has two lines.\n")
    made.seed("b.txt", "Second document, “quoted”.\n")
    made.documents("""\
        a.txt:
          title: Alpha
          publisher: Daily One
          date: 2022-09-01
          stance: for
        b.txt:
          title: Beta
          publisher: Weekly Two
          date: "2022-08"
          stance: against
    """)
    return made


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    """Run build.py's main with these arguments; return status and output."""

    def run(*args: str) -> Result:
        try:
            status = build.main(list(args))
        except SystemExit as exit:
            status = int(exit.code or 0)
        captured = capsys.readouterr()
        return Result(status, captured.out, captured.err)

    return run
