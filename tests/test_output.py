"""The output folder: refused where it could do damage, changed only where the site changed."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PROJECT, Archive, files_under, reported
from hypothesis import given
from hypothesis import strategies as st

from archive.cli import NO_BASE_ADDRESS

NOTICE = NO_BASE_ADDRESS + "\n"
"""What a build without a base address says it left out (the fixture's archive has none)."""


def tree(folder: Path) -> dict[str, object]:
    """Every file under folder: bytes and modification time."""
    return files_under(folder, read=lambda p: (p.read_bytes(), p.stat().st_mtime_ns))


def test_first_build_reports_what_it_did(archive: Archive, run) -> None:
    result = run("--root", ".")
    assert (result.status, result.err) == (0, NOTICE)
    assert reported(result.out) == (13, 43, 0, 0, "_site/index.html")


def record_offered(name: str, title: str) -> list[str]:
    """The lines that offer a record to paste for a seed without one, in the archive fixture."""
    return [
        f"seeds/{name}: has no record in metadata.yaml; add one under 'documents:', for example:",
        f"  {name}:",
        f'    title: "{title}"',
        '    publisher: ""',
        '    date: ""            # YYYY-MM-DD, YYYY-MM or YYYY, then ? if uncertain or ~ if approximate',
        '    stance: ""          # for | against',
    ]


def test_the_command_prints_all_it_says_and_exits_with_its_status_through_a_pipe(archive: Archive) -> None:
    """build.py ends with os._exit (the heap is not freed object by object): what it printed
    must still reach a pipe, and its status the caller."""
    command = [sys.executable, str(PROJECT / "build.py"), "--root", "."]
    buffered = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}
    built = subprocess.run(command, capture_output=True, text=True, cwd=archive.root, env=buffered)
    assert (built.returncode, built.stderr) == (0, NOTICE)
    assert reported(built.stdout) == (13, 43, 0, 0, "_site/index.html")
    archive.seed("c.txt", "A document without a record.\n")
    refused = subprocess.run(command, capture_output=True, text=True, cwd=archive.root, env=buffered)
    assert (refused.returncode, refused.stdout) == (1, "")
    assert refused.stderr.splitlines() == [
        *record_offered("c.txt", "A document without a record."),
        "1 problem found; nothing was written.",
    ]


def test_rebuild_without_change_writes_nothing(archive: Archive, run) -> None:
    assert run("--root", ".").status == 0
    before = tree(archive.site)
    result = run("--root", ".")
    assert (result.status, result.err) == (0, "")
    assert reported(result.out) == (13, 0, 43, 0, "_site/index.html")
    assert tree(archive.site) == before


def test_failed_build_leaves_the_previous_site_exactly_as_it_was(archive: Archive, run) -> None:
    assert run("--root", ".").status == 0
    before = tree(archive.site)
    archive.seed("c.txt", "A new document without a record.\n")
    (archive.root / "metadata.yaml").write_text(
        (archive.root / "metadata.yaml").read_text().replace("stance: for", "stance: nope")
    )
    result = run("--root", ".")
    assert (result.status, result.out) == (1, "")
    assert result.err.splitlines() == [
        "metadata.yaml:16: documents.a.txt.stance: 'nope' is not one of: for, against",
        *record_offered("c.txt", "A new document without a record."),
        "2 problems found; nothing was written.",
    ]
    assert tree(archive.site) == before


def test_removing_a_document_removes_only_its_files(archive: Archive, run) -> None:
    assert run("--root", ".").status == 0
    (archive.site / "notes-of-mine.txt").write_text("someone else's file")
    (archive.root / "seeds" / "b.txt").unlink()
    text = (archive.root / "metadata.yaml").read_text()
    (archive.root / "metadata.yaml").write_text(text[: text.index("  b.txt:")])
    result = run("--root", ".")
    assert (result.status, result.err) == (0, NOTICE)
    assert reported(result.out) == (12, 14, 22, 7, "_site/index.html")
    assert not (archive.site / "raw" / "b.txt").exists()
    assert "No longer in this archive" in (archive.site / "documents" / "beta.html").read_text()  # names.lock keeps it
    assert not (archive.site / "publishers" / "weekly-two.html").exists()
    assert (archive.site / "notes-of-mine.txt").read_text() == "someone else's file"


def test_a_changed_record_rewrites_only_what_shows_it(archive: Archive, run) -> None:
    assert run("--root", ".").status == 0
    before = tree(archive.site)
    text = (archive.root / "metadata.yaml").read_text().replace("publisher: Daily One", "publisher: Daily One Ltd")
    (archive.root / "metadata.yaml").write_text(text)
    assert run("--root", ".").status == 0
    after = tree(archive.site)
    changed = sorted(p for p in after if before.get(p) != after[p])
    assert changed == [
        ".archive-manifest.json",
        "cite/alpha.bib",
        "cite/alpha.csl.json",
        "cite/alpha.ris",
        "documents/alpha.html",
        "filters/18.js",  # alpha's filter record names its publisher
        "index.html",
        "metadata.csv",
        "metadata.json",
        "publishers/daily-one-ltd.html",
        "publishers/index.html",
        "search/d-0-0.js",  # the publisher a result shows
        "search/meta.js",  # the lengths of the documents' terms
        "search/t-0-0.js",  # the publisher's words
        "stances/for.html",
    ]


@pytest.mark.parametrize(
    ("out", "message"),
    [
        (".", "is the archive's own folder; choose a folder inside it, such as _site"),
        ("seeds", "contains or is inside seeds/; the build never writes near the documents"),
        ("seeds/site", "contains or is inside seeds/; the build never writes near the documents"),
        ("..", "contains or is inside seeds/; the build never writes near the documents"),
    ],
)
def test_output_folders_that_are_refused(archive: Archive, run, out: str, message: str) -> None:
    result = run("--root", ".", "--out", out)
    where = os.path.abspath(out) if out == ".." else os.path.normpath(out)
    assert (result.status, result.out) == (1, "")
    assert result.err.splitlines() == [
        f"{where}: refusing to build here: the output folder {message}",
        "1 problem found; nothing was written.",
    ]


def test_refuses_a_folder_with_someone_elses_files(archive: Archive, run) -> None:
    (archive.root / "other").mkdir()
    (archive.root / "other" / "thesis.docx").write_text("years of work")
    result = run("--root", ".", "--out", "other")
    assert (result.status, result.out) == (1, "")
    assert result.err.splitlines() == [
        "other: refusing to build here: the output folder is a folder with files this generator did not write"
        " (no .archive-manifest.json); choose an empty or new folder",
        "1 problem found; nothing was written.",
    ]
    assert (archive.root / "other" / "thesis.docx").read_text() == "years of work"
    assert sorted(p.name for p in (archive.root / "other").iterdir()) == ["thesis.docx"]


def test_refuses_a_folder_holding_metadata(archive: Archive, run, tmp_path_factory) -> None:
    other = tmp_path_factory.mktemp("another-archive")
    (other / "metadata.yaml").write_text("archive: {}\n")
    result = run("--root", ".", "--out", str(other))
    assert (result.status, result.out) == (1, "")
    assert result.err.splitlines() == [
        f"{other}: refusing to build here: the output folder holds a metadata.yaml:"
        " it looks like an archive's folder, not a site",
        "1 problem found; nothing was written.",
    ]
    assert sorted(p.name for p in other.iterdir()) == ["metadata.yaml"]


def test_an_empty_existing_folder_is_fine(archive: Archive, run) -> None:
    (archive.root / "empty").mkdir()
    assert run("--root", ".", "--out", "empty").status == 0
    assert (archive.root / "empty" / "index.html").is_file()


def test_seeds_are_never_touched(archive: Archive, run) -> None:
    before = tree(archive.root / "seeds")
    assert run("--root", ".").status == 0
    assert run("--root", ".").status == 0
    assert tree(archive.root / "seeds") == before


def test_a_failed_write_is_a_clear_error_and_leaves_the_previous_site(
    archive: Archive, run, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run("--root", ".").status == 0
    before = tree(archive.site)
    text = (archive.root / "metadata.yaml").read_text().replace("title: Alpha", "title: Alpha Two")
    (archive.root / "metadata.yaml").write_text(text)
    real_write, calls = os.write, []

    def disk_fills_up(fd: int, data: bytes) -> int:
        calls.append(fd)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, "No space left on device", str(archive.site / "index.html"))
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", disk_fills_up)
    result = run("--root", ".")
    assert result.status == 1
    assert result.err.splitlines() == [
        "_site/index.html: cannot write: No space left on device; the previous site is unchanged",
        "1 problem found; nothing was written.",
    ]
    assert tree(archive.site) == before


def test_progress_shows_only_on_a_terminal_after_a_second() -> None:
    import io

    from archive.make import Progress

    now = [0.0]
    stream = io.StringIO()
    progress = Progress(3000, shown=True, stream=stream, clock=lambda: now[0])
    progress.advance(1000)
    assert stream.getvalue() == ""
    now[0] = 1.5
    progress.advance(1000)
    progress.done()
    assert stream.getvalue() == "\rmaking files: 2,000 of 3,000\r\033[K"
    quiet = io.StringIO()
    off = Progress(3000, shown=False, stream=quiet, clock=lambda: now[0])
    off.advance(3000)
    off.done()
    assert quiet.getvalue() == ""


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{% if %}", "templates/about.html:3: Expected an expression, got 'end of statement block'"),
        (
            "{{ nothing_here }}",
            "templates/about.html:3: 'nothing_here' is undefined (while rendering a page: UndefinedError)",
        ),
        ("{{ 1 / 0 }}", "templates/about.html:3: division by zero (while rendering a page: ZeroDivisionError)"),
        (
            "{{ 'pages: ' + archive.stances|length }}",
            'templates/about.html:3: can only concatenate str (not "int") to str (while rendering a page: TypeError)',
        ),
    ],
)
def test_an_error_in_a_template_of_ones_own_names_its_line(archive: Archive, run, body: str, message: str) -> None:
    assert run("--root", ".").status == 0
    before = tree(archive.site)
    (archive.root / "templates").mkdir()
    (archive.root / "templates" / "about.html").write_text(
        f'{{% extends "base.html" %}}\n{{% block main %}}\n{body}\n{{% endblock %}}\n'
    )
    result = run("--root", ".")
    assert (result.status, result.err.splitlines()) == (1, [message, "1 problem found; nothing was written."])
    assert tree(archive.site) == before


def test_a_template_of_ones_own_that_is_not_utf8_names_its_first_bad_byte(archive: Archive, run) -> None:
    assert run("--root", ".").status == 0
    before = tree(archive.site)
    (archive.root / "templates").mkdir()
    (archive.root / "templates" / "about.html").write_bytes(b'{% extends "base.html" %}\n{# caf\xe9 #}\n')
    result = run("--root", ".")
    assert (result.status, result.err.splitlines()) == (
        1,
        [
            "templates/about.html:2: is not valid UTF-8: byte 0xe9 at offset 32; save it as UTF-8",
            "1 problem found; nothing was written.",
        ],
    )
    assert tree(archive.site) == before


def test_a_first_build_that_fails_while_making_pages_leaves_no_empty_folders(archive: Archive, run) -> None:
    (archive.root / "templates").mkdir()
    (archive.root / "templates" / "document.html").write_text("{{ link('x') }}\n")
    result = run("--root", ".")
    assert (result.status, result.err.splitlines()) == (
        1,
        [
            "templates/document.html:1: 'link' is undefined (while rendering a page: UndefinedError)",
            "1 problem found; nothing was written.",
        ],
    )
    assert sorted(p.name for p in archive.site.iterdir()) == [".archive-manifest.json"]


def test_a_first_build_that_fails_after_placing_files_removes_them(archive: Archive, run) -> None:
    (archive.root / "templates").mkdir()
    (archive.root / "templates" / "document.html").write_text(
        '{% extends "base.html" %}{% block main %}{{ entry.doc.title }}'
        "{% if entry.doc.title == 'Beta' %}{{ link('x') }}{% endif %}{% endblock %}\n"
    )
    result = run("--root", ".")
    assert (result.status, result.out, result.err.splitlines()) == (
        1,
        "",
        [
            "templates/document.html:1: 'link' is undefined (while rendering a page: UndefinedError)",
            "1 problem found; nothing was written.",
        ],
    )
    assert sorted(p.name for p in archive.site.iterdir()) == [".archive-manifest.json"]
    (archive.root / "templates" / "document.html").unlink()
    assert run("--root", ".").status == 0
    assert sorted(p.name for p in (archive.site / "documents").iterdir()) == ["alpha.html", "beta.html"]


@pytest.mark.parametrize(
    ("out", "reason"),
    [
        ("/", "contains or is inside seeds/; the build never writes near the documents"),
        (
            "~",
            "is a folder with files this generator did not write (no .archive-manifest.json); choose an empty or new folder",
        ),
    ],
    ids=["the file system's root", "the home folder"],
)
def test_refuses_the_root_and_the_home_folder_and_writes_nothing_beside_them(
    archive: Archive, run, out: str, reason: str
) -> None:
    folder = Path(os.path.expanduser(out))
    cache = folder.parent / f".{folder.name}.cache"
    result = run("--root", ".", "--out", str(folder))
    assert result.err.splitlines() == [
        f"{folder}: refusing to build here: the output folder {reason}",
        "1 problem found; nothing was written.",
    ]
    assert not cache.exists() and not (folder / ".archive-manifest.json").exists()


@pytest.mark.parametrize(
    "paths",
    [
        [],
        ["index.html", "documents/a-b.html", "raw/x y~!#[]{}.txt"],
        ['raw/say "hi".txt'],
        ["raw/back\\slash.txt"],
        ["raw/café.txt", "raw/\u2028.txt"],
        ["raw/\x7f.txt", "raw/tab\t.txt"],
    ],
    ids=["empty", "plain", "quote", "backslash", "not ASCII", "control characters"],
)
def test_the_manifest_is_written_as_json_writes_it_and_read_back(tmp_path: Path, paths: list[str]) -> None:
    from archive import manifest as manifests

    manifest = manifests.Manifest(
        paths, [f"key of {path}" for path in paths], list(range(len(paths))), ["ab"] * len(paths)
    )
    manifests.write_manifest(tmp_path, manifest)
    expected = {
        "generator": "verbatim-archive",
        "version": manifests.MANIFEST_VERSION,
        "paths": paths,
        "keys": [f"key of {path}" for path in paths],
        "sizes": list(range(len(paths))),
        "sha256": ["ab"] * len(paths),
    }
    assert (tmp_path / manifests.MANIFEST).read_text("utf-8") == json.dumps(
        expected, separators=(",", ":"), sort_keys=True
    ) + "\n"
    assert manifests.read_manifest(tmp_path) == manifest


@given(st.lists(st.text(alphabet=st.sampled_from('ab"\\,\x1f\x7f ~é\u2028'), max_size=6), max_size=5))
def test_a_list_of_texts_is_joined_only_where_json_writes_the_same(texts: list[str]) -> None:
    from archive import manifest as manifests

    assert manifests.json_list(texts) == json.dumps(texts, separators=(",", ":"))


def test_the_commands_the_command_line_accepts_are_the_ones_build_runs() -> None:
    """archive/cli.py lists the commands argparse accepts; build.py runs them: the same set."""
    import build
    from archive.cli import COMMANDS

    assert set(COMMANDS) == {"build", "check", "serve", *build.TAKE_AWAY}
