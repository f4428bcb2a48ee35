"""Faults: a build killed at any moment, two builds at once, a lock held too long."""

from __future__ import annotations

import fcntl
import json
import os
import queue
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import PROJECT, Archive, reported
from conftest import files_under as files
from conftest import visible as is_visible

import archive.write as writer
from archive import store
from archive.make import temporary_name

DOCUMENTS = 200


def make_archive(  # noqa: PLR0913
    root: Path,
    title: str,
    renamed: set[int] = set(),  # noqa: B006
    removed: set[int] = set(),  # noqa: B006
    added: int = 0,
    names: str = "forgotten",
) -> None:
    """An archive of DOCUMENTS documents whose titles (and so page names) depend on `title`; or,
    with the other arguments, as many with a few renamed, removed or added. Its names.lock is
    removed (these builds are about writing files, not names: each site is named as if first
    built) unless `names` is "kept"."""
    if names != "kept":
        (root / "names.lock").unlink(missing_ok=True)
    seeds = root / "seeds"
    seeds.mkdir(parents=True, exist_ok=True)
    records = []
    for number in range(DOCUMENTS + added):
        name = f"{number:04d}.txt"
        if number in removed:
            (seeds / name).unlink(missing_ok=True)
            continue
        if not (seeds / name).exists():
            (seeds / name).write_text(f"Document {number}\n" + "A line of text, “quoted”.\n" * 40, "utf-8")
        records.append(
            f"  {name}:\n    title: {'Renamed' if number in renamed else title} {number} of the set\n"
            f'    publisher: P{number % 7}\n    date: "2022-{1 + number % 12:02d}"\n    stance: for\n'
        )
    (root / "metadata.yaml").write_text(
        "archive:\n  title: Many\nstances:\n  for:\n    label: For\n    description: D.\ndocuments:\n"
        + "".join(records),
        "utf-8",
    )


def visible(site: dict[str, object]) -> dict[str, object]:
    """The files of a site a reader sees: none in a hidden folder or with a hidden name."""
    return {path: data for path, data in site.items() if is_visible(path)}


def build_command(root: Path, out: Path) -> list[str]:
    return [sys.executable, str(PROJECT / "build.py"), "--root", str(root), "--out", str(out), "--quiet"]


def test_a_build_killed_at_any_moment_leaves_a_complete_site(tmp_path: Path) -> None:
    """Killed at random moments of full builds; the phases are each hit, and checked, by
    test_a_build_killed_at_a_chosen_point_leaves_whole_files_and_the_next_equals_a_clean_one."""
    root, site = tmp_path / "archive", tmp_path / "site"
    sites = {}
    for title in ("Old", "New"):
        make_archive(root, title)
        started = time.monotonic()
        subprocess.run(build_command(root, tmp_path / title), check=True)
        sites[title] = (files(tmp_path / title), time.monotonic() - started)
    subprocess.run(build_command(root, site), check=True)  # the site now shows "New"
    for run in range(20):
        before, after = ("New", "Old") if run % 2 == 0 else ("Old", "New")
        make_archive(root, after)
        (old, _), (new, duration) = sites[before], sites[after]
        process = subprocess.Popen(build_command(root, site))
        time.sleep(random.Random(run).uniform(0, duration))
        process.send_signal(signal.SIGKILL)
        process.wait()
        now = files(site)
        shown = visible(now)
        assert all(data in (old.get(path), new.get(path)) for path, data in shown.items()), f"run {run}: a torn file"
        assert visible(old).keys() <= shown.keys() or visible(new).keys() <= shown.keys(), (
            f"run {run}: neither site is complete"
        )
        subprocess.run(build_command(root, site), check=True)
        rebuilt = files(site)
        assert {p: d for p, d in rebuilt.items() if p != ".archive-manifest.json"} == {
            p: d for p, d in new.items() if p != ".archive-manifest.json"
        }, f"run {run}: the build after the kill differs from a clean build"
        assert not [p for p in rebuilt if p.endswith(".archive-tmp")]


def test_a_first_build_killed_at_any_moment_leaves_whole_files_and_is_undone(tmp_path: Path) -> None:
    root = tmp_path / "archive"
    clean = {}
    for title in ("Second", "First"):
        make_archive(root, title)
        started = time.monotonic()
        subprocess.run(build_command(root, tmp_path / title), check=True)
        clean[title], duration = files(tmp_path / title), time.monotonic() - started
    placing = 0
    for run in range(8):
        make_archive(root, "First")
        site = tmp_path / f"site{run}"
        process = subprocess.Popen(build_command(root, site))
        journal = tmp_path / f".site{run}.cache" / "journal.json"
        if run < 6:
            time.sleep(random.Random(run).uniform(0, duration))
        else:  # the moment it starts putting files in place
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and '"placing"' not in (journal.read_text() if journal.exists() else ""):
                time.sleep(0.001)
        process.send_signal(signal.SIGKILL)
        process.wait()
        placing += journal.exists() and json.loads(journal.read_text())["phase"] == "placing"
        shown = visible(files(site)) if site.exists() else {}
        assert all(data == clean["First"][path] for path, data in shown.items()), f"run {run}: a torn file"
        make_archive(root, "Second")  # every page name changes: what the killed build placed must go
        subprocess.run(build_command(root, site), check=True)
        assert files(site) == clean["Second"], f"run {run}: the build after the kill differs from a clean build"
    assert placing, "no run was killed while placing files"


KILLED_MID_WRITE = """
import os, runpy, signal, stat, sys
real, calls, dies_at = os.write, [], int(sys.argv[1])
def write(fd, data):
    calls.extend([fd] if stat.S_ISREG(os.fstat(fd).st_mode) else [])  # files, not pipes to workers
    if len(calls) == dies_at:  # half of this file is on disk when the build and its workers die
        real(fd, bytes(data[: len(data) // 2]))
        os.killpg(0, signal.SIGKILL)
    return real(fd, data)
os.write = write
sys.argv = sys.argv[2:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


@pytest.mark.parametrize("cache", ["kept", "lost"])
@pytest.mark.parametrize("file", [1, 50, DOCUMENTS * 3 // 4])
def test_a_first_build_killed_halfway_through_a_file_shows_no_part_of_it(tmp_path: Path, file: int, cache: str) -> None:
    root, site = tmp_path / "archive", tmp_path / "site"
    make_archive(root, "First")
    subprocess.run(build_command(root, tmp_path / "clean"), check=True)
    command = [sys.executable, "-c", KILLED_MID_WRITE, str(file), *build_command(root, site)[1:]]
    killed = subprocess.run(command, start_new_session=True, timeout=60)
    assert killed.returncode == -signal.SIGKILL
    clean = files(tmp_path / "clean")
    shown = visible(files(site))
    assert all(data == clean[path] for path, data in shown.items()), "a torn file"
    if cache == "lost":  # its journal with it: the hidden folder still goes
        shutil.rmtree(tmp_path / ".site.cache")
    subprocess.run(build_command(root, site), check=True)
    assert files(site) == clean


KILLED_AT = """
import os, runpy, signal, stat, sys
sys.path.insert(0, os.environ["TESTS"])
from archive_model import SeeAlso  # a producer whose files depend on other documents
from archive import outputs
outputs.PRODUCERS.append(SeeAlso())
real_write, real_replace = os.write, os.replace
kind, _, number = sys.argv[1].partition(":")
calls = []
def die():
    os.killpg(0, signal.SIGKILL)
def write(fd, data):  # a file being staged: half of it is on disk when the build dies
    if kind == "write" and stat.S_ISREG(os.fstat(fd).st_mode):
        calls.append(fd)
        if len(calls) == int(number):
            real_write(fd, bytes(data[: len(data) // 2]))
            die()
    return real_write(fd, data)
def replace(source, target, *rest):  # a staged file renamed into place, or the manifest written
    name = os.path.basename(target)
    if kind == "rename" and str(source).endswith(".archive-tmp") and name != ".archive-manifest.json":
        calls.append(target)
        if len(calls) == int(number):
            die()
    if kind == "manifest" and name == ".archive-manifest.json":
        die()
    return real_replace(source, target, *rest)
os.write, os.replace = write, replace
sys.argv = sys.argv[2:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""

KILL_POINTS = {
    "staging, first file": ("write:1", "staging"),
    "staging, tenth file": ("write:10", "staging"),
    "renaming, first file": ("rename:1", "renaming"),
    "renaming, eighth file": ("rename:8", "renaming"),
    "after the renames, before the manifest": ("manifest:", "outside the write"),
}
"""Where a build is killed (see KILLED_AT), and the phase its journal must then name."""


@pytest.mark.parametrize("point", KILL_POINTS.values(), ids=KILL_POINTS.keys())
@pytest.mark.parametrize("path", ["incremental", "full"])
def test_a_build_killed_at_a_chosen_point_leaves_whole_files_and_the_next_equals_a_clean_one(
    tmp_path: Path, path: str, point: tuple[str, str]
) -> None:
    """The incremental path places a few changed documents into the last build's order; the full
    path renames every document. The kill happens where `point` says; the journal shows the
    phase it happened in. Every build here also has the producer for tests whose files show
    another document's title (archive_model.SeeAlso)."""
    where, phase = point

    def with_see_also(out: Path, kill: str = "none:", *options: str) -> list[str]:
        """The build, with the producer for tests among the outputs, killed where `kill` says."""
        return [sys.executable, "-c", KILLED_AT, kill, *build_command(root, out)[1:], *options]

    environment = {**os.environ, "TESTS": str(PROJECT / "tests")}
    root, site = tmp_path / "archive", tmp_path / "site"
    make_archive(root, "Title")
    subprocess.run(with_see_also(site), check=True, env=environment)
    old = files(site)
    if path == "incremental":  # few enough changes to be placed into the last build's order
        make_archive(root, "Title", renamed={10, 100, 150}, removed={50, 51}, added=2, names="kept")
    else:
        make_archive(root, "Renamed", names="kept")
    shutil.copytree(root, tmp_path / "copy")  # the clean build reads the names.lock the others read
    clean_command = with_see_also(tmp_path / "clean")
    clean_command[clean_command.index("--root") + 1] = str(tmp_path / "copy")
    subprocess.run(clean_command, check=True, env=environment)
    new = files(tmp_path / "clean")
    assert new["see-also/0009.txt.txt"].endswith(b": see also Renamed 10 of the set\n")  # another document's title
    command = [arg for arg in with_see_also(site, where, "--verbose") if arg != "--quiet"]
    killed = subprocess.run(
        command, start_new_session=True, timeout=60, capture_output=True, text=True, env=environment
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    placed = "placed into the last build's order" in killed.stderr
    assert placed == (path == "incremental"), killed.stderr
    journal = tmp_path / ".site.cache" / "journal.json"
    assert (json.loads(journal.read_text())["phase"] if journal.exists() else "outside the write") == phase
    shown = visible(files(site))
    assert all(data in (old.get(name), new.get(name)) for name, data in shown.items()), "a torn file"
    subprocess.run(with_see_also(site), check=True, env=environment)
    rebuilt = files(site)
    assert rebuilt == new, "the build after the kill differs from a clean build"


def test_a_second_build_waits_for_the_first(tmp_path: Path) -> None:
    """The test holds the site's lock as a first build does; the second build waits, and goes on
    only once the lock is released."""
    root, site = tmp_path / "archive", tmp_path / "site"
    make_archive(root, "Title")
    subprocess.run(build_command(root, tmp_path / "clean"), check=True)
    (tmp_path / ".site.cache").mkdir()
    with open(tmp_path / ".site.cache" / "lock", "a+b") as first:
        fcntl.flock(first, fcntl.LOCK_EX)
        second = subprocess.Popen(build_command(root, site), cwd=tmp_path, stderr=subprocess.PIPE, text=True)
        try:
            assert first_line(second, 60) == "waiting for another build of site to finish ...\n"
            assert second.poll() is None, "the second build finished while the first held the lock"
            assert not site.exists()
            fcntl.flock(first, fcntl.LOCK_UN)
            assert second.wait(timeout=60) == 0
        finally:
            second.kill()
            second.wait()
    assert second.stderr is not None and second.stderr.read() == ""
    assert files(site) == files(tmp_path / "clean")


def first_line(process: subprocess.Popen[str], seconds: float) -> str:
    """The first line a process writes on stderr; a failure if none comes within `seconds`."""
    lines: queue.Queue[str] = queue.Queue()
    stream = process.stderr
    assert stream is not None
    threading.Thread(target=lambda: lines.put(stream.readline()), daemon=True).start()
    try:
        return lines.get(timeout=seconds)
    except queue.Empty:
        raise AssertionError(f"nothing on stderr within {seconds} s") from None


def test_a_build_held_up_too_long_says_so(archive: Archive, run, monkeypatch: pytest.MonkeyPatch) -> None:
    assert run("--root", ".").status == 0
    (archive.root / "seeds" / "a.txt").write_text("Changed.\n")
    monkeypatch.setattr(store, "LOCK_WAIT", 0.2)
    with open(archive.root / "._site.cache" / "lock", "a+b") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        result = run("--root", ".")
    assert result.status == 1
    assert result.err.splitlines() == [
        "waiting for another build of _site to finish ...",
        "_site: another build has been writing this site for over 0.2 s; wait for it, or stop it",
        "1 problem found; nothing was written.",
    ]
    assert run("--root", ".").status == 0


def test_recovery_finishes_renames_and_undoes_staging(tmp_path: Path) -> None:
    out, journal = tmp_path / "site", store.journal_path(tmp_path / "site")
    out.mkdir()
    for name in ("a.html", "b.html"):
        (out / name).write_text("old")
        Path(temporary_name(out / name)).write_text("new")
    store.note_journal(out, "renaming", ["a.html"])
    writer.recover(out)
    assert (out / "a.html").read_text() == "new" and not Path(temporary_name(out / "a.html")).exists()
    store.note_journal(out, "staging", ["b.html"])
    writer.recover(out)
    assert (out / "b.html").read_text() == "old" and not Path(temporary_name(out / "b.html")).exists()
    assert not journal.exists()


OUTSIDE = ["../victim.txt", "documents/../../victim.txt", "{absolute}"]
"""Paths out of the site, as a manifest or a journal changed by hand (or by anyone) may list them."""


def test_a_manifest_listing_files_out_of_the_site_never_has_them_removed(archive: Archive, run, tmp_path: Path) -> None:
    victims = [archive.root / "victim.txt", tmp_path / "victim.txt"]
    assert run("--root", ".").status == 0
    manifest = archive.site / ".archive-manifest.json"
    data = json.loads(manifest.read_text())
    for path in [*OUTSIDE, "documents/old.html"]:
        data["paths"].append(path.format(absolute=victims[1]))
        data["keys"].append("k")
        data["sizes"].append(9)
        data["sha256"].append("0" * 64)
    manifest.write_text(json.dumps(data))
    for victim in victims:
        victim.write_text("not the build's\n")
    (archive.site / "documents" / "old.html").write_text("the build's, no longer made\n")
    (archive.root / "seeds" / "a.txt").write_text("First document, edited.\n")
    result = run("--root", ".")
    assert result.status == 0
    assert reported(result.out)[3] == 1, "the one path inside the site that is no longer made"
    assert not (archive.site / "documents" / "old.html").exists()
    assert [victim.read_text() for victim in victims] == ["not the build's\n"] * 2


def test_a_journal_listing_files_out_of_the_site_never_has_them_removed(archive: Archive, run, tmp_path: Path) -> None:
    victims = [archive.root / "victim.txt", tmp_path / "victim.txt"]
    assert run("--root", ".").status == 0
    for victim in victims:
        victim.write_text("not the build's\n")
    store.note_journal(archive.site, "placing", [path.format(absolute=victims[1]) for path in OUTSIDE])
    (archive.root / "seeds" / "a.txt").write_text("First document, edited.\n")
    assert run("--root", ".").status == 0
    assert [victim.read_text() for victim in victims] == ["not the build's\n"] * 2
    assert not store.journal_path(archive.site).exists()


def test_a_folder_of_the_site_that_is_a_link_elsewhere_is_refused_and_nothing_there_changes(
    archive: Archive, run, tmp_path: Path
) -> None:
    assert run("--root", ".").status == 0
    elsewhere = tmp_path / "elsewhere"
    shutil.move(archive.site / "documents", elsewhere)
    (archive.site / "documents").symlink_to(elsewhere)
    before = {path.name: path.read_bytes() for path in elsewhere.iterdir()}
    (archive.root / "seeds" / "a.txt").write_text("First document, edited.\n")
    result = run("--root", ".")
    assert (result.status, result.err.splitlines()) == (
        1,
        [
            "_site/documents: is a link to another folder, and the build writes only into folders of its own;"
            " make it a folder",
            "1 problem found; nothing was written.",
        ],
    )
    assert {path.name: path.read_bytes() for path in elsewhere.iterdir()} == before


def test_a_file_the_manifest_lists_behind_a_link_is_never_removed(archive: Archive, run, tmp_path: Path) -> None:
    assert run("--root", ".").status == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "old.html").write_text("not the build's\n")
    (archive.site / "gone").symlink_to(elsewhere)
    manifest = archive.site / ".archive-manifest.json"
    data = json.loads(manifest.read_text())
    data["paths"].append("gone/old.html")
    data["keys"].append("k")
    data["sizes"].append(9)
    data["sha256"].append("0" * 64)
    manifest.write_text(json.dumps(data))
    (archive.root / "seeds" / "a.txt").write_text("First document, edited.\n")
    assert run("--root", ".").status == 0
    assert (elsewhere / "old.html").read_text() == "not the build's\n"
