"""names.lock: a page name, once given to a document, never passes to another document.

Documents of one title come, go and are retitled across builds; after every build each name the
site uses (a document's page, a page that sends the reader on, a page that says a document is
gone) is read back to the seed it stands for, and no name may ever stand for another seed. The
lock is written only by a successful build, only with what is new, and a build with nothing new
is the no-change build.
"""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from archive_model import Model, assert_same_as_clean
from conftest import PROJECT, Archive, reported
from hypothesis import given, settings
from hypothesis import strategies as st

import build

LOCK_HEADER = (
    "# names.lock: every page name the build of this archive has given to a document, a line each:\n"
    "# the name, a tab, and the seed file (under seeds/) it belongs to. A name here belongs to its\n"
    "# seed for good: no other document ever takes it. The build adds the names it gives and never\n"
    "# removes one. Commit this file with metadata.yaml and seeds/; resolve a merge by keeping both\n"
    "# sides' lines.\n"
)
MOVED = re.compile(r'<meta http-equiv="refresh" content="0; url=\.\./documents/([a-z0-9-]+)\.html">')
GONE = re.compile(r"the seed file <code>([^<]+)</code>, which is no longer in this archive")


def lock_lines(*pairs: tuple[str, str]) -> str:
    return LOCK_HEADER + "".join(f"{name}\t{seed}\n" for name, seed in pairs)


def names_in(site: Path) -> dict[str, str]:
    """Every name the site uses for one document, with that document's seed: its page (from
    metadata.json), a page that sends the reader on (to the page it names), a tombstone (the
    seed it names). The lists of a shared title's documents stand for no one seed."""
    pages = {doc["page"]: doc["file"] for doc in json.loads((site / "metadata.json").read_text())["documents"]}
    names = {Path(page).stem: file for page, file in pages.items()}
    for path in sorted((site / "documents").glob("*.html")):
        text = path.read_text("utf-8")
        if moved := MOVED.search(text):
            names[path.stem] = pages[f"documents/{moved[1]}.html"]
        elif gone := GONE.search(text):
            names[path.stem] = gone[1]
    return names


def add(name: str, title: str, date: str) -> Callable[[Model], None]:
    return lambda model: model.add(name, title, date)


def delete(name: str) -> Callable[[Model], None]:
    return lambda model: model.delete(name)


def retitle(name: str, title: str) -> Callable[[Model], None]:
    return lambda model: model.set(name, "title", title)


STEPS: list[tuple[str, Callable[[Model], None]]] = [
    ("c.txt titled Wire comes: a.txt and c.txt share the title", add("c.txt", "Wire", "2022-03")),
    ("a.txt goes: c.txt is alone, but wire stays a.txt's", delete("a.txt")),
    ("d.txt titled Wire comes", add("d.txt", "Wire", "2022-04")),
    ("c.txt becomes Cable: d.txt is alone with the title", retitle("c.txt", "Cable")),
    ("d.txt goes", delete("d.txt")),
    ("e.txt titled Wire comes", add("e.txt", "Wire", "2022-05")),
    ("a.txt comes back: it and e.txt share the title", add("a.txt", "Wire", "2022-01")),
    ("b.txt becomes Wire too", retitle("b.txt", "Wire")),
    ("e.txt and a.txt go: b.txt is alone", lambda model: delete("e.txt")(model) or delete("a.txt")(model)),
    ("c.txt becomes Wire again", retitle("c.txt", "Wire")),
]


def test_no_name_ever_passes_to_another_seed_across_builds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """After each step: every name stands for the seed it stood for first; the site equals a
    clean build's (from the same folder, names.lock included); a second build is the no-change one."""
    model = Model(tmp_path / "archive")
    model.add("a.txt", "Wire", "2022-01")
    model.add("b.txt", "Other", "2022-02")
    model.write()
    site = tmp_path / "site"
    held: dict[str, tuple[str, str]] = {}
    """Each name seen, with its seed and the step it was first seen at."""
    for number, (what, change) in enumerate([("start", lambda model: None), *STEPS]):
        change(model)
        model.write()
        assert build.main(["--root", str(model.root), "--out", str(site), "--quiet"]) == 0
        for name, seed in names_in(site).items():
            first_seed, first_step = held.setdefault(name, (seed, what))
            assert seed == first_seed, f"{what}: {name} stands for {seed}, and for {first_seed} at {first_step!r}"
        assert_same_as_clean(model.root, site, tmp_path / f"clean{number}", what)
        capsys.readouterr()
        assert build.main(["--root", str(model.root), "--out", str(site), "--verbose"]) == 0
        out, err = capsys.readouterr()
        assert reported(out)[1] == 0 and "nothing changed" in err, f"{what}: the second build was not the no-change one"
        if what.startswith("a.txt comes back"):
            listed = (site / "documents" / "wire.html").read_text("utf-8")
            assert "2 documents share this title" in listed, "the bare name lists the documents of its own seed's title"
    assert names_in(site) == {
        "other": "b.txt",
        "cable": "c.txt",
        "wire": "a.txt",
        "wire--a": "a.txt",
        "wire--b": "b.txt",
        "wire--c": "c.txt",
        "wire--d": "d.txt",
        "wire--e": "e.txt",
    }
    pages = {path.stem: path.read_text("utf-8") for path in (site / "documents").glob("*.html")}
    assert sorted(name for name, text in pages.items() if "No longer in this archive" in text) == [
        "wire",
        "wire--a",
        "wire--d",
        "wire--e",
    ]
    assert sorted(name for name, text in pages.items() if MOVED.search(text)) == ["cable", "other"]
    assert (model.root / "names.lock").read_text("utf-8") == lock_lines(
        ("cable", "c.txt"),
        ("other", "b.txt"),
        ("wire", "a.txt"),
        ("wire--a", "a.txt"),
        ("wire--b", "b.txt"),
        ("wire--c", "c.txt"),
        ("wire--d", "d.txt"),
        ("wire--e", "e.txt"),
    )


def remove_beta(archive: Archive) -> None:
    """b.txt (Beta) leaves the archive."""
    (archive.root / "seeds" / "b.txt").unlink()
    text = (archive.root / "metadata.yaml").read_text()
    (archive.root / "metadata.yaml").write_text(text[: text.index("  b.txt:")])


def test_the_build_adds_the_names_it_gives_after_success_only_and_never_removes_one(archive: Archive, run) -> None:  # type: ignore[no-untyped-def]
    lock = archive.root / "names.lock"
    assert run("check", "--root", ".").status == 0
    assert not lock.exists(), "check writes nothing"
    text = (archive.root / "metadata.yaml").read_text()
    (archive.root / "metadata.yaml").write_text(text.replace("stance: against", "stance: agains"))
    assert run("--root", ".").status == 1
    assert not lock.exists(), "a refused build writes no name"
    (archive.root / "metadata.yaml").write_text(text)
    assert run("--root", ".").status == 0
    assert lock.read_text("utf-8") == lock_lines(("alpha", "a.txt"), ("beta", "b.txt"))
    written = lock.stat()
    (archive.root / "seeds" / "a.txt").write_text("First document, edited.\n")
    assert run("--root", ".").status == 0
    assert (lock.stat().st_ino, lock.stat().st_mtime_ns) == (written.st_ino, written.st_mtime_ns), "nothing new"
    remove_beta(archive)
    assert run("--root", ".").status == 0
    assert lock.read_text("utf-8") == lock_lines(("alpha", "a.txt"), ("beta", "b.txt")), "a name is never removed"
    gone = (archive.site / "documents" / "beta.html").read_text("utf-8")
    assert "<code>b.txt</code>, which is no longer in this archive" in gone
    assert '<a href="../index.html">list of documents</a>' in gone and '<a href="../search.html">search</a>' in gone
    assert not list(archive.root.glob(".names.lock*")), "no temporary file left"


def test_a_slug_or_alias_the_lock_gives_another_seed_is_refused_at_its_record(archive: Archive, run) -> None:  # type: ignore[no-untyped-def]
    assert run("--root", ".").status == 0
    remove_beta(archive)
    (archive.root / "seeds" / "c.txt").write_text("Third.\n")
    (archive.root / "seeds" / "d.txt").write_text("Fourth.\n")
    with open(archive.root / "metadata.yaml", "a") as metadata:
        metadata.write(
            "  c.txt:\n    title: Gamma\n    slug: beta\n    publisher: P\n    date: 2022-01-01\n    stance: for\n"
            "  d.txt:\n    title: Delta\n    aliases: [alpha]\n    publisher: P\n    date: 2022-01-02\n    stance: for\n"
        )
    before = (archive.site / "documents" / "alpha.html").read_bytes()
    result = run("--root", ".")
    assert result.status == 1
    assert result.err.splitlines() == [
        "metadata.yaml:17: documents.c.txt.slug: 'beta' belongs to b.txt (names.lock:7);"
        " a page name never passes to another document",
        "metadata.yaml:23: documents.d.txt.aliases: 'alpha' belongs to a.txt (names.lock:6);"
        " a page name never passes to another document",
        "2 problems found; nothing was written.",
    ]
    assert (archive.site / "documents" / "alpha.html").read_bytes() == before


def test_every_bad_line_of_the_lock_is_named_with_the_other_problems(archive: Archive, run) -> None:  # type: ignore[no-untyped-def]
    lines = ["alpha\ta.txt", "no tab here", "Bad_Name\ta.txt", "gamma\t.hidden", "alpha\tb.txt", "<<<<<<< HEAD"]
    (archive.root / "names.lock").write_text(LOCK_HEADER + "\n".join(lines) + "\n")
    text = (archive.root / "metadata.yaml").read_text()
    (archive.root / "metadata.yaml").write_text(text.replace("stance: against", "stance: agains"))
    result = run("check", "--root", ".")
    assert result.status == 1
    assert result.err.splitlines() == [
        "metadata.yaml:21: documents.b.txt.stance: 'agains' is not one of: for, against (did you mean 'against'?)",
        "names.lock:7: expected a page name, a tab and a seed file's name",
        "names.lock:8: 'Bad_Name' is not a page name: lowercase letters, digits and hyphens",
        "names.lock:9: the seed file's name starts with a dot (a hidden file, which the build ignores)",
        "names.lock:10: 'alpha' is locked already at line 6",
        "names.lock:11: expected a page name, a tab and a seed file's name",
        "6 problems found; nothing was written.",
    ]


def test_the_bag_and_the_export_carry_the_lock(archive: Archive, run) -> None:  # type: ignore[no-untyped-def]
    assert run("--root", ".").status == 0
    lock = (archive.root / "names.lock").read_bytes()
    assert run("bag", "bag.zip", "--root", ".").status == 0
    with zipfile.ZipFile(archive.root / "bag.zip") as bag:
        assert bag.read("bag/data/names.lock") == lock
        manifest = bag.read("bag/manifest-sha256.txt").decode()
    assert "  data/names.lock\n" in manifest
    assert run("export", "exported", "--root", ".").status == 0
    assert (archive.root / "exported" / "names.lock").read_bytes() == lock


def test_the_sitemap_leaves_out_the_pages_of_names_no_document_has_now(archive: Archive, run) -> None:  # type: ignore[no-untyped-def]
    assert run("--root", ".", "--base-url", "https://example.org/a/").status == 0
    remove_beta(archive)
    text = (archive.root / "metadata.yaml").read_text()
    (archive.root / "metadata.yaml").write_text(text.replace("title: Alpha", "title: Alpha Prime"))
    assert run("--root", ".", "--base-url", "https://example.org/a/").status == 0
    assert "This page has moved" in (archive.site / "documents" / "alpha.html").read_text()
    assert "No longer in this archive" in (archive.site / "documents" / "beta.html").read_text()
    sitemap = (archive.site / "sitemap.xml").read_text()
    assert "documents/alpha-prime.html" in sitemap
    assert "documents/alpha.html" not in sitemap and "documents/beta.html" not in sitemap


def test_a_build_of_the_archive_as_committed_leaves_its_names_lock_as_it_is(tmp_path: Path) -> None:
    """`make site` on a fresh clone changes no tracked file: the committed names.lock holds every
    name the archive's build gives."""
    root = tmp_path / "archive"
    root.mkdir()
    shutil.copytree(PROJECT / "seeds", root / "seeds")
    for name in ("metadata.yaml", "names.lock"):
        shutil.copyfile(PROJECT / name, root / name)
    assert build.main(["--root", str(root), "--out", str(tmp_path / "site"), "--quiet"]) == 0
    assert (root / "names.lock").read_bytes() == (PROJECT / "names.lock").read_bytes()


def test_a_lock_deleted_by_hand_frees_the_names_of_documents_gone_and_the_build_equals_a_clean_one(
    tmp_path: Path,
) -> None:
    """What deleting names.lock costs: c.txt, alone with the title Wire but named wire--c while
    wire was a.txt's, takes wire. The build after the deletion derives every name again (the lock
    is not the one its state was placed with), so that it equals a clean build."""
    model = Model(tmp_path / "archive")
    model.add("a.txt", "Wire", "2022-01")
    model.add("b.txt", "Other", "2022-02")
    model.write()
    site = tmp_path / "site"
    for change in (lambda model: None, add("c.txt", "Wire", "2022-03"), delete("a.txt")):
        change(model)
        model.write()
        assert build.main(["--root", str(model.root), "--out", str(site), "--quiet"]) == 0
    assert names_in(site) == {"other": "b.txt", "wire": "a.txt", "wire--a": "a.txt", "wire--c": "c.txt"}
    (model.root / "names.lock").unlink()
    model.set("b.txt", "date", "2022-02-02")
    model.write()
    assert build.main(["--root", str(model.root), "--out", str(site), "--quiet"]) == 0
    assert names_in(site) == {"other": "b.txt", "wire": "c.txt"}
    assert_same_as_clean(model.root, site, tmp_path / "clean", "names.lock deleted")


def test_a_lock_whose_line_endings_a_checkout_made_crlf_is_read_as_it_was(archive: Archive, run) -> None:  # type: ignore[no-untyped-def]
    crlf = (LOCK_HEADER + "alpha\ta.txt\nbeta\tb.txt\n").replace("\n", "\r\n").encode()
    (archive.root / "names.lock").write_bytes(crlf)
    result = run("--root", ".")
    assert (result.status, result.err.startswith("names.lock")) == (0, False)
    assert (archive.root / "names.lock").read_bytes() == crlf, "nothing new: the file is left as it is"


def test_a_lock_the_build_cannot_write_fails_it_before_any_page_bears_a_new_name(  # type: ignore[no-untyped-def]
    archive: Archive, run, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run("--root", ".").status == 0
    before = {path: path.read_bytes() for path in archive.site.rglob("*") if path.is_file()}
    (archive.root / "seeds" / "c.txt").write_text("Third.\n")
    with open(archive.root / "metadata.yaml", "a") as metadata:
        metadata.write("  c.txt:\n    title: Gamma\n    publisher: P\n    date: 2022-01-01\n    stance: for\n")

    def refused(path: Path, data: bytes) -> None:
        raise PermissionError(13, "Permission denied")

    with monkeypatch.context() as patch:
        patch.setattr("archive.namelock.write_lock", refused)
        result = run("--root", ".")
    assert result.status == 1
    assert result.err.splitlines() == [
        "names.lock: cannot write: Permission denied; the names this build gave are not locked yet",
        "1 problem found; nothing was written.",
    ]
    assert {path: path.read_bytes() for path in archive.site.rglob("*") if path.is_file()} == before
    assert run("--root", ".").status == 0
    assert "gamma\tc.txt\n" in (archive.root / "names.lock").read_text("utf-8")
    assert (archive.site / "documents" / "gamma.html").exists()


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("-alpha\ta.txt", "'-alpha' is not a page name: lowercase letters, digits and hyphens"),
        ("alpha-\ta.txt", "'alpha-' is not a page name: lowercase letters, digits and hyphens"),
        ("al---pha\ta.txt", "'al---pha' is not a page name: lowercase letters, digits and hyphens"),
        ("beta\tb.txt", "'beta' is locked already at line 7"),
    ],
)
def test_a_lock_read_by_builtins_is_the_lock_read_line_by_line(tmp_path: Path, line: str, message: str) -> None:
    from archive import namelock

    good = ["alpha\ta.txt", "beta\tb.txt", "al--pha\tc.d_e-f.txt", "x0\t0.txt"]
    text = LOCK_HEADER + "\n".join(good) + "\n"
    quick = namelock.plain_lock(text)
    assert quick is not None
    assert (list(quick[0].items()), list(quick[1].items())) == (
        [("alpha", "a.txt"), ("beta", "b.txt"), ("al--pha", "c.d_e-f.txt"), ("x0", "0.txt")],
        [("alpha", 6), ("beta", 7), ("al--pha", 8), ("x0", 9)],
    )
    bad = LOCK_HEADER + "\n".join([*good, line]) + "\n"
    assert namelock.plain_lock(bad) is None
    (tmp_path / "names.lock").write_text(bad)
    lock, problems = namelock.read_lock(tmp_path / "names.lock", "names.lock")
    assert [(problem.line, problem.message) for problem in problems] == [(10, message)]
    assert dict(lock.seeds) == dict(quick[0])


PAGE_NAMES = st.from_regex(r"[a-z0-9]{1,3}(?:--?[a-z0-9]{1,3}){0,2}", fullmatch=True)
SEED_NAMES = st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,6}", fullmatch=True)
LOCKS = st.dictionaries(PAGE_NAMES, SEED_NAMES, max_size=12)


@settings(max_examples=300, deadline=None)
@given(LOCKS)
def test_a_lock_as_the_build_writes_it_is_read_as_line_by_line(seeds: dict[str, str]) -> None:
    from archive import namelock

    text = namelock.lock_text(seeds)
    written, plain = namelock.read_as_written(text), namelock.plain_lock(text)
    assert written is not None and plain is not None
    assert [list(part.items()) for part in written] == [list(part.items()) for part in plain]
    assert written[0] == seeds


@pytest.mark.parametrize(
    ("text", "why"),
    [
        (lock_lines(("beta", "b.txt"), ("alpha", "a.txt")), "not sorted"),
        (lock_lines(("alpha", "a.txt"), ("alpha", "b.txt")), "a name twice"),
        (lock_lines(("alpha", "a.txt")) + "# a comment\n", "a comment"),
        (lock_lines(("alpha", "a.txt")) + "\n", "a blank line"),
        (lock_lines(("alpha", "a.txt")).replace("\n", "\r\n"), "CRLF"),
        (lock_lines(("alpha", "a.txt")).removesuffix("\n"), "no newline at the end"),
        (lock_lines(("alpha-", "a.txt")), "not a page name"),
        (lock_lines(("al---pha", "a.txt")), "not a page name"),
        (lock_lines(("alpha", ".a.txt")), "a hidden seed file"),
        (lock_lines(("alpha", "a.txt")).replace("# names.lock", "# Names.lock"), "another header"),
    ],
)
def test_a_lock_not_as_the_build_writes_it_is_left_to_the_reading_line_by_line(text: str, why: str) -> None:
    from archive import namelock

    assert namelock.read_as_written(text) is None, why


@settings(max_examples=300, deadline=None)
@given(LOCKS, LOCKS)
def test_names_added_to_a_lock_as_written_are_spliced_where_they_sort(
    held: dict[str, str], given: dict[str, str]
) -> None:
    from archive import namelock

    added = {name: seed for name, seed in given.items() if name not in held}
    text = namelock.lock_text(held)
    assert namelock.spliced(text, sorted(held), added) == namelock.lock_text({**held, **added})


def test_a_name_the_build_adds_goes_where_it_sorts_in_a_lock_as_written_or_edited_by_hand(
    archive: Archive, run
) -> None:  # type: ignore[no-untyped-def]
    lock = archive.root / "names.lock"
    assert run("--root", ".").status == 0
    by_hand = lock.read_text("utf-8").replace("beta\t", "# kept by hand\nbeta\t")
    archive.seed("c.txt", "Third document.\n")
    with (archive.root / "metadata.yaml").open("a") as metadata:
        metadata.write(
            "  c.txt:\n    title: Ampersand\n    publisher: Daily One\n    date: 2022-10-01\n    stance: for\n"
        )
    assert run("--root", ".").status == 0
    expected = lock_lines(("alpha", "a.txt"), ("ampersand", "c.txt"), ("beta", "b.txt"))
    assert lock.read_text("utf-8") == expected, "spliced into the lock the last build wrote"
    lock.write_text(by_hand)
    assert run("--root", ".").status == 0
    assert lock.read_text("utf-8") == expected, "a lock edited by hand is written whole, in order"


@pytest.mark.parametrize("text", [LOCK_HEADER, "# names given by hand, none yet\n\n"], ids=["header", "comment"])
def test_a_lock_of_no_name_is_an_empty_one(archive: Archive, run, text: str) -> None:  # type: ignore[no-untyped-def]
    lock = archive.root / "names.lock"
    lock.write_text(text)
    assert run("--root", ".").status == 0
    assert lock.read_text("utf-8") == lock_lines(("alpha", "a.txt"), ("beta", "b.txt"))
