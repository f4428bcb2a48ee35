"""Incremental builds: only what changed is written, and the result is always a clean build's.

The equivalence test drives random sequences of changes (add, edit, delete seeds and records,
edit templates and static files), builds incrementally after each, and compares the output
with a clean build of the same input, byte for byte.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import time
from pathlib import Path
from unittest import mock

import pytest
from archive_model import Model, SeeAlso, assert_same_as_clean, build_quietly
from conftest import PROJECT, Archive, files_under, not_manifest, reported
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_store import DAMAGES, database, flip_page_type, rows_of

from archive import fingerprint, store


def site_files(folder: Path) -> dict[str, object]:
    """The site's files (the manifest aside: it records what was written, not what the site is)."""
    return files_under(folder, not_manifest)


def mtimes(folder: Path) -> dict[str, object]:
    return files_under(folder, read=lambda p: p.stat().st_mtime_ns)


def manifest_keys(site: Path) -> dict[str, str]:
    """Each file's key, as the build's manifest records it."""
    manifest = json.loads((site / ".archive-manifest.json").read_text("utf-8"))
    return dict(zip(manifest["paths"], manifest["keys"], strict=True))


def written_between(before: dict[str, int], after: dict[str, int]) -> list[str]:
    return sorted(path for path, mtime in after.items() if before.get(path) != mtime)


def add_document(
    archive: Archive, name: str, title: str, date: str, stance: str = "for", publisher: str = "Daily One"
) -> None:
    archive.seed(name, f"{title}\n\nThe text of {name}.\n")
    with open(archive.root / "metadata.yaml", "a", encoding="utf-8") as stream:
        stream.write(
            f'  {name}:\n    title: {title}\n    publisher: {publisher}\n    date: "{date}"\n    stance: {stance}\n'
        )


def test_adding_a_seed_rewrites_exactly_what_shows_it(archive: Archive, run) -> None:
    add_document(archive, "c.txt", "Gamma", "2022-08-15")
    add_document(archive, "d.txt", "Delta", "2022-09-10", stance="against", publisher="Weekly Two")
    assert run("--root", ".").status == 0
    before = mtimes(archive.site)
    add_document(archive, "e.txt", "Epsilon", "2022-08-20")
    result = run("--root", ".")
    assert result.status == 0
    # Beta (2022-08) < Gamma (08-15) < Epsilon (08-20) < Alpha (09-01) < Delta (09-10)
    assert written_between(before, mtimes(archive.site)) == [
        ".archive-manifest.json",
        "SHA256SUMS",
        "cite/epsilon.bib",
        "cite/epsilon.csl.json",
        "cite/epsilon.ris",
        "documents/alpha.html",  # its earlier neighbour is now Epsilon
        "documents/epsilon.html",
        "documents/gamma.html",  # its later neighbour is now Epsilon
        "filters/0d.js",  # Epsilon's filter record: a shard of its own so far,
        "filters/shards.js",  # so the list of shards changes too
        "index.html",
        "metadata.csv",
        "metadata.json",
        "publishers/daily-one.html",
        "publishers/index.html",  # the count of Daily One's documents
        "raw/e.txt",
        "search/d-0-0.js",
        "search/meta.js",
        "search/t-0-0.js",
        "search/t-0-1.js",  # five documents have two shards, four had one
        "stances/for.html",
        "stances/index.html",  # the count of the stance's documents
        "texts/epsilon.js",
        "timeline.html",  # its mark
    ]
    assert reported(result.out) == (16, 23, 42, 0, "_site/index.html")


def test_a_few_added_documents_are_placed_into_the_last_order_not_derived_again(archive: Archive, run) -> None:
    assert run("--root", ".").status == 0
    add_document(archive, "c.txt", "Gamma", "2022-08-15")
    assert "3 documents valid, 1 placed into the last build's order" in run("--root", ".", "--verbose").err
    add_document(archive, "d.txt", "Alpha", "2022-07-01")  # a.txt's title too: both names change, all are derived
    assert "4 documents valid, all placed" in run("--root", ".", "--verbose").err
    assert [p.name for p in sorted((archive.site / "documents").iterdir())] == [
        "alpha--a.html",
        "alpha--d.html",
        "alpha.html",  # lists a.txt and d.txt
        "beta.html",
        "gamma.html",
    ]
    assert "<title>Documents titled “Alpha”" in (archive.site / "documents" / "alpha.html").read_text()
    assert run("--root", ".", "--out", "clean").status == 0
    assert site_files(archive.site) == site_files(archive.root / "clean")


def test_editing_a_template_rewrites_only_pages_made_with_it(archive: Archive, run) -> None:
    assert run("--root", ".").status == 0
    before = mtimes(archive.site)
    (archive.root / "templates").mkdir()
    shutil.copy(PROJECT / "templates" / "about.html", archive.root / "templates" / "about.html")
    with open(archive.root / "templates" / "about.html", "a", encoding="utf-8") as stream:
        stream.write("{# a comment changes the template, not the page #}\n")
    assert run("--root", ".").status == 0
    assert written_between(before, mtimes(archive.site)) == [".archive-manifest.json"]  # keys only
    text = (archive.root / "templates" / "about.html").read_text().replace("<h2>Dates</h2>", "<h2>On dates</h2>")
    (archive.root / "templates" / "about.html").write_text(text)
    assert run("--root", ".").status == 0
    assert written_between(before, mtimes(archive.site)) == [".archive-manifest.json", "about.html"]


def test_a_file_deleted_from_the_site_is_made_again(archive: Archive, run) -> None:
    assert run("--root", ".").status == 0
    (archive.site / "documents" / "alpha.html").unlink()
    result = run("--root", ".")
    assert reported(result.out) == (13, 1, 42, 0, "_site/index.html")
    assert (archive.site / "documents" / "alpha.html").is_file()


@pytest.mark.parametrize(
    "damage",
    [
        lambda site: (site / ".archive-manifest.json").write_text("{ not json"),
        lambda site: (site / ".archive-manifest.json").write_text(
            json.dumps({"generator": "verbatim-archive", "version": 0, "files": {}})
        ),
        lambda site: (site / ".archive-manifest.json").write_text(
            json.dumps(
                {"generator": "verbatim-archive", "version": 4, "paths": ["index.html"], "keys": [7], "sizes": []}
            )
        ),
        lambda site: shutil.rmtree(site.parent / f".{site.name}.cache"),
        lambda site: (site.parent / f".{site.name}.cache" / "fingerprint.json").write_text("[]"),
        *(lambda site, damage=damage: damage(database(site)) for damage in DAMAGES.values()),
    ],
    ids=[
        "corrupt manifest",
        "manifest of another version",
        "manifest of the wrong shape",
        "no cache",
        "corrupt fingerprint",
        *(f"database: {name}" for name in DAMAGES),
    ],
)
def test_a_missing_corrupt_or_foreign_state_means_a_full_build_not_a_crash(archive: Archive, run, damage) -> None:
    assert run("--root", ".").status == 0
    damage(archive.site)
    text = (archive.root / "metadata.yaml").read_text().replace("title: Alpha", "title: Alpha Prime")
    (archive.root / "metadata.yaml").write_text(text)
    result = run("--root", ".")
    assert result.status == 0, result.err
    assert run("--root", ".", "--out", "clean").status == 0
    files = site_files(archive.site)
    for left in ("cite/alpha.bib", "cite/alpha.ris", "cite/alpha.csl.json"):
        files.pop(left, None)  # left where the manifest that lists it is lost
    assert b"This page has moved" in files["documents/alpha.html"]  # names.lock keeps the name: both builds make it
    files.pop("texts/alpha.js", None)
    assert files == site_files(archive.root / "clean")


@pytest.mark.parametrize("table", ["meta", "buckets"])
def test_a_state_database_changed_in_one_byte_is_not_believed(archive: Archive, run, table: str) -> None:
    assert run("--root", ".").status == 0
    flip_page_type(database(archive.site), table)
    text = (archive.root / "metadata.yaml").read_text().replace("title: Alpha", "title: Alpha Prime")
    (archive.root / "metadata.yaml").write_text(text)
    assert run("--root", ".").status == 0
    assert run("--root", ".", "--out", "clean").status == 0
    assert site_files(archive.site) == site_files(archive.root / "clean")
    with contextlib.closing(sqlite3.connect(database(archive.site))) as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]  # replaced whole


TEMPLATE_EDITS = ["<h2>Dates</h2>", "Text as captured", "Skip to content"]
TITLES = ["Alpha", "Beta", "Wire", "Wire", "Omega", "Zeta"]
"""Titles for new and retitled documents; `Wire` twice, so that documents often share a title."""
DATES = ["2021~", "2022", "2022-08", "2022-08-20", "2022-09-01?", "2022-10-05", "2023-01"]
DOCUMENT = st.integers(0, 9)
"""A document by its place among the model's documents (sorted by name), modulo their number."""
OPERATION = st.one_of(
    st.tuples(st.just("add"), DOCUMENT, st.sampled_from(TITLES), st.sampled_from(DATES)),
    st.tuples(st.just("delete"), DOCUMENT),
    st.tuples(st.just("redate"), DOCUMENT, st.sampled_from(DATES)),
    st.tuples(st.just("retitle"), DOCUMENT, st.sampled_from(TITLES)),
    st.tuples(st.just("delete"), DOCUMENT),
    st.tuples(st.just("redate"), DOCUMENT, st.sampled_from(DATES)),
    st.tuples(st.just("add"), DOCUMENT, st.sampled_from(TITLES), st.sampled_from(DATES)),
    st.tuples(st.just("restance"), DOCUMENT, st.sampled_from(["for", "against"])),
    st.tuples(st.just("republish"), DOCUMENT, st.sampled_from(["Daily One", "Weekly Two", "Third"])),
    st.tuples(st.just("retext"), DOCUMENT, st.text(min_size=1, max_size=20)),
    st.tuples(
        st.just("template"),
        st.sampled_from(["document.html", "base.html", "_item.html", "about.html"]),
        st.sampled_from(TEMPLATE_EDITS),
    ),
    st.tuples(st.just("static"), st.sampled_from(["a", "b"])),
    st.tuples(st.just("alias"), DOCUMENT, st.sampled_from([None, "wire", "beta--s1", "was-here"])),
    st.tuples(st.just("describe"), st.sampled_from(["For", "Pro"]), st.sampled_from(["Supports.", "Backs *it*."])),
    st.tuples(
        st.just("annotate"), DOCUMENT, st.sampled_from([None, "A *note*.", "See [the source](https://example.org)."])
    ),
    st.tuples(st.just("capture"), DOCUMENT, st.sampled_from([None, "2022-10", "2022-10-03?"])),
    st.tuples(st.just("byline"), DOCUMENT, st.sampled_from([None, "Jane Doe"])),
    st.tuples(
        st.just("setting"), st.sampled_from(["base_url", "citation_files", "bag_in_site"]), st.sampled_from([0, 1])
    ),
)
"""Edits of the input. Adding, deleting and re-dating come twice, so that as many changes move
documents (and their neighbours) as touch one page; `describe` and `annotate` change Markdown
(a stance's description, a note); `alias` gives a record an earlier name, which may be the name
of a title (`wire`) or of a suffixed page."""
START = [("s0.txt", "Alpha", "2022-08"), ("s1.txt", "Beta", "2022-08-20"), ("s2.txt", "Wire", "2022-09-01?")]
"""The archive every sequence starts from: three documents, so that the first change can remove a middle one."""


def apply(model: Model, operation: tuple) -> None:  # type: ignore[type-arg]
    """One edit of the input, on the model (written out after)."""
    kind, *args = operation
    names = sorted(model.docs)
    pick = names[args[0] % len(names)] if names and args and isinstance(args[0], int) else None
    if kind == "add":
        model.add(f"doc{args[0]}.txt", args[1], args[2])
    elif pick and kind == "delete":
        model.delete(pick)
    elif pick and kind in FIELD_OF:
        model.set(pick, FIELD_OF[kind], args[1])
    elif pick and kind == "retext":
        model.texts[pick] = args[1]
    elif kind == "template":
        model.edit_template(args[0], args[1])
    elif kind == "static":
        model.edit_static(f"{args[0]}.css", f"/* {os.urandom(2).hex()} */\n")
    elif kind == "describe":
        model.stances["for"] = (args[0], args[1])
    elif kind == "setting":
        values = {
            "base_url": [None, "https://example.org/model/"],
            "citation_files": [None, False],
            "bag_in_site": [None, True],
        }
        value = values[args[0]][args[1]]
        model.settings.pop(args[0], None)
        model.settings.update({args[0]: value} if value is not None else {})
    elif pick and kind == "alias" and locked_to(model.root, args[1]) not in (None, pick):
        return  # names.lock gives the name to another seed for good: the build would refuse it
    elif pick and kind == "alias":  # a name is claimed by one record at most: the others give it up
        for record in model.docs.values():
            if record.get("aliases") == [args[1]]:
                del record["aliases"]
        model.set(pick, "aliases", [args[1]] if args[1] else None)


def locked_to(root: Path, name: str) -> str | None:
    """The seed names.lock gives `name` to, if any."""
    lock = root / "names.lock"
    lines = lock.read_text("utf-8").splitlines() if lock.exists() else []
    return dict(line.split("\t", 1) for line in lines if line and not line.startswith("#")).get(name)


FIELD_OF = {
    "redate": "date",
    "retitle": "title",
    "restance": "stance",
    "republish": "publisher",
    "annotate": "note",
    "capture": "captured",
    "byline": "author",
}
EXAMPLES = int(os.environ.get("INCREMENTAL_EXAMPLES", "150"))
"""Sequences tried per run. In CI (CI set) Hypothesis derandomizes: the same sequences every run."""


@given(operations=st.lists(OPERATION, min_size=1, max_size=7))
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_incremental_builds_equal_clean_builds(tmp_path_factory: pytest.TempPathFactory, operations) -> None:  # type: ignore[no-untyped-def]
    """A producer for tests whose files show another document's title (SeeAlso) is one of the
    outputs. A failure names the sequence of operations; Hypothesis prints it, and a blob to
    replay it with `@reproduce_failure`."""
    from archive import outputs

    with mock.patch.object(outputs, "PRODUCERS", [*outputs.PRODUCERS, SeeAlso()]):
        check_incremental_builds(tmp_path_factory.mktemp("model"), operations)


@given(operations=st.lists(OPERATION, min_size=1, max_size=7))
@settings(
    max_examples=max(EXAMPLES // 3, 10),
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_incremental_builds_equal_clean_builds_with_listings_split(  # type: ignore[no-untyped-def]
    tmp_path_factory: pytest.TempPathFactory, operations
) -> None:
    """As above, with limits so small that the archive's listings cross them back and forth: the
    index, stances and publishers split into periods and parts (more than 3 documents, more
    than 2 groups), and the timeline draws counts rather than marks (more than 4 documents)."""
    from archive import parts, timeline

    with (
        mock.patch.object(parts, "LIMIT", 3),
        mock.patch.object(parts, "GROUP_LIMIT", 2),
        mock.patch.object(timeline, "MARKS_AT_MOST", 4),
    ):
        check_incremental_builds(tmp_path_factory.mktemp("model"), operations)


def test_adding_a_document_to_a_split_archive_rewrites_its_period_and_the_summaries(
    archive: Archive, run, monkeypatch: pytest.MonkeyPatch
) -> None:
    from archive import parts

    monkeypatch.setattr(parts, "LIMIT", 2)
    for number, date in enumerate(["2019-03-01", "2019-05-01", "2020-01-01", "2021-02-01", "2021-06-01"]):
        add_document(archive, f"x{number}.txt", f"Extra {number}", date)
    assert run("--root", ".").status == 0
    assert (archive.site / "index/2019.html").exists() and (archive.site / "stances/for/2021.html").exists()
    before, keys = mtimes(archive.site), manifest_keys(archive.site)
    add_document(archive, "y.txt", "Yankee", "2020-07-01")
    assert run("--root", ".").status == 0
    now = manifest_keys(archive.site)
    remade = [path for path in sorted(now) if keys.get(path) != now[path]]
    # 2020 now holds two documents: still one period, within the limit of 2; no other part is
    # made again (its key is the same), nor written
    assert (
        [".archive-manifest.json", *remade]
        == written_between(before, mtimes(archive.site))
        == [
            ".archive-manifest.json",
            "SHA256SUMS",
            "cite/yankee.bib",
            "cite/yankee.csl.json",
            "cite/yankee.ris",
            "documents/extra-2.html",  # its later neighbour is now Yankee
            "documents/extra-3.html",  # its earlier neighbour is now Yankee
            "documents/yankee.html",
            "filters/2e.js",  # the filter record of y.txt
            "filters/shards.js",  # the list of shards: 2e is new
            "index.html",  # the count of 2020
            "index/2020.html",
            "metadata.csv",
            "metadata.json",
            "publishers/daily-one.html",
            "publishers/daily-one/2020.html",
            "publishers/index.html",
            "raw/y.txt",
            "search/d-0-0.js",  # the index: the new document's terms
            "search/meta.js",
            "search/t-0-0.js",
            "search/t-0-1.js",
            "stances/for.html",
            "stances/for/2020.html",
            "stances/index.html",
            "texts/yankee.js",
            "timeline.html",
        ]
    )


def check_incremental_builds(root: Path, operations) -> None:  # type: ignore[no-untyped-def]
    model = Model(root / "archive")
    for name, title, date in START:
        model.add(name, title, date)
    model.write()
    incremental = root / "incremental"
    build_quietly(model.root, incremental)
    for number, operation in enumerate(operations):
        apply(model, operation)
        model.write()
        build_quietly(model.root, incremental)
        assert_same_as_clean(model.root, incremental, root / f"clean{number}", f"after {operations[: number + 1]}")


def test_state_that_changed_a_little_is_written_at_once_and_only_what_changed(archive: Archive, run) -> None:
    assert run("--root", ".").status == 0
    before = rows_of(archive.site)
    lock = (archive.root / "names.lock").read_bytes()
    archive.seed("c.txt", "A third document.\n")
    metadata = (archive.root / "metadata.yaml").read_text()
    with open(archive.root / "metadata.yaml", "a", encoding="utf-8") as stream:
        stream.write("  c.txt:\n    title: Gamma\n    publisher: Daily One\n    date: 2022\n    stance: for\n")
    assert run("--root", ".").status == 0
    after = rows_of(archive.site)
    changed = {
        kind: sorted(k for k in before[kind].keys() | after[kind].keys() if before[kind].get(k) != after[kind].get(k))
        for kind in after
    }
    assert {kind: len(keys) for kind, keys in changed.items()} == {
        "seeds": 1,
        "records": 1,
        "chunks": 2,  # the chunk of records the new one joins, before and after
        "slugs": 1,
        "rows": 1,
        "lines": 1,
        "csv": 1,
        "markdown": 0,
        "templates": 0,
        "compiled": 0,
        "placement": 3,
        "search": 3,  # the new text's number of terms, its page name's hash, its title's terms
        "terms": 1,  # the terms of the texts of its bucket of the search index
    }
    assert changed["seeds"] == ["c.txt"] and changed["slugs"] == ["Gamma"]
    assert changed["placement"] == ["", "b.txt", "c.txt"]  # the order, the new document and its neighbour
    assert all(after[kind].keys() >= before[kind].keys() for kind in after if kind != "chunks")
    assert len(after["chunks"]) == len(before["chunks"])  # the chunk the record joined, made again
    assert run("--root", ".", "--out", "clean").status == 0
    assert site_files(archive.site) == site_files(archive.root / "clean")
    (archive.root / "seeds" / "c.txt").unlink()
    (archive.root / "metadata.yaml").write_text(metadata)
    (archive.root / "names.lock").write_bytes(lock)  # else gamma stays c.txt's, a page of its own
    assert run("--root", ".").status == 0
    assert rows_of(archive.site) == before  # what is no longer live is gone


def test_another_version_of_a_library_means_a_full_build(archive: Archive, run, monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    library = tmp_path / "library.py"
    library.write_text("version = 1\n")
    monkeypatch.setattr(fingerprint, "library_files", lambda: (library,))
    fingerprint.libraries.cache_clear()
    assert run("--root", ".").status == 0
    assert "nothing changed" in run("--root", ".", "--verbose").err
    version = store.version()
    library.write_text("version = 2.0\n")
    fingerprint.libraries.cache_clear()
    result = run("--root", ".", "--verbose")
    assert "inputs changed" in result.err and "all placed" in result.err
    with contextlib.closing(sqlite3.connect(database(archive.site))) as db:
        assert db.execute("SELECT value FROM meta").fetchall() == [(store.version(),)] != [(version,)]
    fingerprint.libraries.cache_clear()


def test_a_seed_edited_in_place_with_its_old_size_and_time_is_read_again(archive: Archive, run) -> None:
    assert run("--root", ".").status == 0
    seed = archive.root / "seeds" / "a.txt"
    before = seed.stat()
    seed.write_text("First document.\nIt has two LINES.\n")
    os.utime(seed, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert seed.stat().st_size == before.st_size and seed.stat().st_mtime_ns == before.st_mtime_ns
    assert run("--root", ".").status == 0
    assert "It has two LINES." in (archive.site / "documents" / "alpha.html").read_text()
    assert (archive.site / "raw" / "a.txt").read_bytes() == seed.read_bytes()


def test_unchanged_seeds_are_not_read_again(archive: Archive, run, monkeypatch: pytest.MonkeyPatch) -> None:
    import archive.seeds as loader

    assert run("--root", ".").status == 0
    time.sleep(0.02)  # past the file system clock tick of the build that recorded them
    assert run("--root", ".").status == 0  # records the seeds as older than the record
    (archive.root / "metadata.yaml").write_text(
        (archive.root / "metadata.yaml").read_text().replace("Alpha", "Alpha Two")
    )
    read: list[str] = []
    real = loader.read_file
    monkeypatch.setattr(loader, "read_file", lambda path, *rest: read.append(path.name) or real(path, *rest))
    assert run("--root", ".").status == 0
    assert "a.txt" not in read and "b.txt" not in read


def test_known_seeds_are_checked_by_builtins_as_still_known_checks_them(tmp_path: Path) -> None:
    """unchanged_seeds decides for all seeds at once what still_known decides for each: a seed
    unchanged, resized, touched, changed after it was written down, a link, a fifo."""
    from archive.model import Seed
    from archive.seeds import seed_stat, still_known, unchanged_seeds

    names = ["same.txt", "resized.txt", "touched.txt", "late.txt", "link.txt", "fifo"]
    for name in names[:4]:
        (tmp_path / name).write_text("text\n")
    os.symlink(tmp_path / "same.txt", tmp_path / "link.txt")
    os.mkfifo(tmp_path / "fifo")
    stats = {str(tmp_path / name): os.stat(tmp_path / name) for name in names}
    trusted_before = max(info.st_ctime_ns for info in stats.values()) + 1
    known = [
        Seed(name, str(tmp_path / name), 5, "0" * 64, None, "text", seed_stat(stats[str(tmp_path / name)]))
        for name in names
    ]
    known[1] = known[1]._replace(stat=(6, *known[1].stat[1:]))
    known[2] = known[2]._replace(stat=(5, known[2].stat[1] - 1, *known[2].stat[2:]))
    entries = sorted(os.scandir(tmp_path), key=lambda entry: names.index(entry.name))
    for trusted in (trusted_before, stats[str(tmp_path / "late.txt")].st_ctime_ns):
        expected = [
            not entry.is_symlink() and still_known(seed, stats[entry.path], trusted)
            for entry, seed in zip(entries, known, strict=True)
        ]
        assert unchanged_seeds(entries, list(known), stats, trusted) == expected
        assert unchanged_seeds(entries, [*known[:-1], None], stats, trusted) == [*expected[:-1], False]
    assert expected[:5] == [True, False, False, False, False]  # late.txt: changed at the moment it was written down


def test_every_field_of_a_document_but_its_line_is_in_its_digest() -> None:
    """A page's key covers what it may show: a change to any field re-makes it; moving the record does not."""
    from archive.dates import parse_date
    from archive.derive import Entry
    from archive.model import Document
    from archive.render import entry_digest

    doc = Document("a.txt", "Alpha", "Daily", parse_date("2022"), "for", "0" * 64, 10, 3)
    entry = Entry(doc, "alpha", "documents/alpha.html", "raw/a.txt", "publishers/daily.html")
    changes = {"file": "b.txt", "date": parse_date("2022?"), "size": 11, "line": 4}
    for name in Document._fields:
        value = changes.get(name, "None" if Document._field_defaults.get(name, "") is None else "other")
        changed = entry._replace(doc=doc._replace(**{name: value}))
        assert (entry_digest(changed) == entry_digest(entry)) == (name == "line"), name
    for name in Entry._fields:
        if name != "doc":
            changed = entry._replace(**{name: "other"})
            assert entry_digest(changed) != entry_digest(entry), name


def test_the_generator_s_digest_covers_every_module_of_the_package() -> None:
    """A change to any module (an output's producer included) is a change of the generator."""
    import importlib.util
    import pkgutil

    import archive

    modules = [m.name for m in pkgutil.walk_packages(archive.__path__, "archive.")]
    assert "archive.outputs.documents" in modules
    files = {path.resolve() for path in fingerprint.code_files()}
    for name in modules:
        spec = importlib.util.find_spec(name)
        assert spec is not None and spec.origin is not None and Path(spec.origin).resolve() in files, name
