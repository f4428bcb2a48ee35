"""The store: what the build remembers between builds, in one SQLite database beside the site.

What it keeps comes back as it was put in; nothing is written before commit; and a database
of another version, or damaged in any way SQLite can tell (garbage, a truncated file, a page
that is no longer a page, a missing table), reads as an empty store and is replaced whole.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import marshal
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import PROJECT, Archive
from hypothesis import given
from hypothesis import strategies as st

from archive import make, store
from archive.outputs import PRODUCERS
from archive.render import made_parts
from archive.store import Store


def database(out: Path) -> Path:
    return store.state_folder(out) / store.DATABASE


def rows_of(out: Path) -> dict[str, dict[str, object]]:
    """Every row of every table of a site's database, read without the store (the placement,
    bytes marshal made, and the search terms, bytes store.compact made, as their
    values: marshal writes equal values as other bytes at times)."""
    values: dict[str, dict[str, object]] = {kind: {} for kind in store.KINDS}
    with contextlib.closing(sqlite3.connect(database(out))) as db:
        for kind, number, entries in db.execute("SELECT kind, number, entries FROM buckets"):
            assert all(store.bucket_of(key) == number for key in marshal.loads(entries))
            values[kind].update(marshal.loads(entries))
    placement = values["placement"].items()
    values["placement"] = {key: marshal.loads(value) if isinstance(value, bytes) else value for key, value in placement}
    terms = values["terms"].items()
    values["terms"] = {key: store.expanded(value) if isinstance(value, bytes) else value for key, value in terms}
    return values


def execute(path: Path, sql: str) -> None:
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.execute(sql)
        db.commit()


def flip_page_type(path: Path, table: str = "buckets") -> None:
    """Flip every bit of the byte that says what kind of page a table's first page is."""
    with contextlib.closing(sqlite3.connect(path)) as db:
        (root,) = db.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()
        (size,) = db.execute("PRAGMA page_size").fetchone()
    data = bytearray(path.read_bytes())
    data[(root - 1) * size] ^= 0xFF
    path.write_bytes(bytes(data))


DAMAGES: dict[str, Callable[[Path], None]] = {
    "garbage": lambda path: path.write_bytes(b"\xe9junk" * 1000),
    "empty": lambda path: path.write_bytes(b""),
    "truncated": lambda path: os.truncate(path, path.stat().st_size // 2),
    "a byte flipped in a page": flip_page_type,
    "another version": lambda path: execute(path, "UPDATE meta SET value = 'another' WHERE name = 'version'"),
    "a table missing": lambda path: execute(path, "DROP TABLE buckets"),
}
"""Ways a site's database can be other than this build's (each takes the database's path)."""


def filled(out: Path) -> None:
    """A store beside `out` with a few entries of each kind, committed."""
    kept = Store.open(out)
    for kind in store.KINDS:
        kept.remember(kind, {"one": f"{kind} 1", "two": (2, b"\x00two", None, [2.5])})
    kept.commit()
    kept.close()


def test_what_is_remembered_comes_back_after_commit_as_it_was(tmp_path: Path) -> None:
    out = tmp_path / "site"
    fresh = Store.open(out)
    assert fresh.all("rows") == {} and fresh.written == 0
    fresh.close()
    filled(out)
    kept = Store.open(out)
    assert kept.all("records") == {"one": "records 1", "two": (2, b"\x00two", None, [2.5])}
    assert kept.get("seeds", ["two", "three"]) == {"two": (2, b"\x00two", None, [2.5])}
    assert kept.written == database(out).stat().st_mtime_ns
    kept.close()


def test_nothing_is_written_before_commit(tmp_path: Path) -> None:
    out = tmp_path / "site"
    filled(out)
    before = rows_of(out)
    kept = Store.open(out)
    kept.remember("rows", {"three": b"3"})
    kept.keep_only("seeds", ["one"])
    assert rows_of(out) == before
    kept.commit()
    kept.close()
    after = rows_of(out)
    assert set(after["rows"]) == {"one", "two", "three"} and set(after["seeds"]) == {"one"}


def test_keep_writes_what_differs_and_deletes_what_is_not_kept(tmp_path: Path) -> None:
    out = tmp_path / "site"
    filled(out)
    kept = Store.open(out)
    lines = kept.all("lines")
    kept.keep("lines", {"two": lines["two"], "three": "new"})
    assert kept.pending == {"lines": {"three": "new"}} and kept.gone == {"lines": {"one"}}
    kept.commit()
    kept.close()
    assert Store.open(out).all("lines") == {"two": (2, b"\x00two", None, [2.5]), "three": "new"}


def test_many_keys_are_got_at_once(tmp_path: Path) -> None:
    out = tmp_path / "site"
    kept = Store.open(out)
    kept.remember("slugs", {f"title {n}": f"slug-{n}" for n in range(2000)})
    kept.commit()
    kept = Store.open(out)
    found = kept.get("slugs", [f"title {n}" for n in range(0, 4000, 3)])
    assert found == {f"title {n}": f"slug-{n}" for n in range(0, 2000, 3)}


def test_keys_that_are_not_utf8_or_not_ascii_are_kept_and_found(tmp_path: Path) -> None:
    """A key with a lone surrogate (a file's name that is not UTF-8), or not ASCII, or empty,
    lands in the bucket it is looked up in."""
    keys = [f"title {n}" for n in range(1000)] + ["\udcff name", "東京", "é" * 300, ""]
    out = tmp_path / "site"
    kept = Store.open(out)
    kept.remember("slugs", {key: f"slug {n}" for n, key in enumerate(keys)})
    kept.commit()
    assert rows_of(out)["slugs"] == {key: f"slug {n}" for n, key in enumerate(keys)}  # each in bucket_of's bucket
    assert Store.open(out).get("slugs", keys[-4:]) == {key: f"slug {n}" for n, key in enumerate(keys) if n >= 1000}


@pytest.mark.parametrize("damage", DAMAGES.values(), ids=DAMAGES.keys())
def test_a_foreign_or_damaged_database_reads_as_empty_and_is_replaced(
    tmp_path: Path, damage: Callable[[Path], None]
) -> None:
    out = tmp_path / "site"
    filled(out)
    damage(database(out))
    refused = Store.open(out)
    assert {kind: refused.all(kind) for kind in store.KINDS} == dict.fromkeys(store.KINDS, {})
    refused.remember("rows", {"three": b"3"})
    refused.commit()
    refused.close()
    assert rows_of(out) == {kind: {"three": b"3"} if kind == "rows" else {} for kind in store.KINDS}
    assert Store.open(out).all("rows") == {"three": b"3"}


def test_a_value_marshal_cannot_read_is_taken_for_damage(tmp_path: Path) -> None:
    out = tmp_path / "site"
    filled(out)
    execute(
        database(out), f"UPDATE buckets SET entries = x'ff00' WHERE kind = 'rows' AND number = {store.bucket_of('one')}"
    )
    refused = Store.open(out)
    assert refused.all("rows") == {} and refused.all("seeds") == {}


def test_a_bucket_found_damaged_at_commit_means_a_new_database(tmp_path: Path) -> None:
    out = tmp_path / "site"
    filled(out)
    number = store.bucket_of("one")
    execute(database(out), f"UPDATE buckets SET entries = x'ff00' WHERE kind = 'compiled' AND number = {number}")
    kept = Store.open(out)
    assert kept.all("rows") != {}
    kept.remember("compiled", {"one": b"new"})
    kept.commit()
    kept.close()
    assert rows_of(out) == {kind: {"one": b"new"} if kind == "compiled" else {} for kind in store.KINDS}


def test_the_fingerprint_lock_and_journal_are_files_beside_the_database(tmp_path: Path) -> None:
    out = tmp_path / "site"
    folder = tmp_path / ".site.cache"
    assert (store.lock_path(out), store.journal_path(out)) == (folder / "lock", folder / "journal.json")
    assert store.last_build(out) == ({}, 0)
    store.record_build(out, "digest", [], {"pages": 1})
    recorded = {"inputs": "digest", "folders": {}, "summary": {"pages": 1}}
    assert store.last_build(out) == (recorded, (folder / "fingerprint.json").stat().st_mtime_ns)
    store.forget_fingerprint(out)
    assert store.last_build(out) == ({}, 0) and sorted(os.listdir(folder)) == []
    store.note_journal(out, "staging", ["a.html"])
    assert json.loads((folder / "journal.json").read_text()) == {"phase": "staging", "paths": ["a.html"]}
    assert store.read_journal(out) == ("staging", ["a.html"])
    store.clear_journal(out)
    assert store.read_journal(out) is None and sorted(os.listdir(folder)) == []


def test_records_validated_under_other_stances_are_validated_again(archive: Archive, run) -> None:  # type: ignore[no-untyped-def]
    assert run("--root", ".").status == 0
    text = (archive.root / "metadata.yaml").read_text()
    (archive.root / "metadata.yaml").write_text(
        text.replace("  against:\n    label: Against\n", "  opposed:\n    label: Against\n")
    )
    result = run("--root", ".")
    assert (result.status, result.err.splitlines()) == (
        1,
        [
            "metadata.yaml:21: documents.b.txt.stance: 'against' is not one of: for, opposed",
            "1 problem found; nothing was written.",
        ],
    )


def test_what_worker_processes_make_is_remembered_as_what_the_build_makes_itself(
    archive: Archive, run, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(make, "PARALLEL_FROM", 1)  # every output made by a worker process
    assert run("--root", ".", "--jobs", "2").status == 0
    assert run("--root", ".", "--out", "alone", "--jobs", "1").status == 0
    made, alone = rows_of(archive.site), rows_of(archive.root / "alone")
    parts = made_parts(PRODUCERS)[0]
    assert all(made[part] for part in parts), {part: len(made[part]) for part in parts}
    assert {part: made[part] for part in parts} == {part: alone[part] for part in parts}


def test_templates_no_longer_used_are_not_kept_compiled(archive: Archive, run) -> None:  # type: ignore[no-untyped-def]
    assert run("--root", ".").status == 0
    compiled = set(rows_of(archive.site)["compiled"])
    override = archive.root / "templates" / "about.html"
    override.parent.mkdir()
    override.write_text('{% extends "base.html" %}{% block main %}<p>Ours.</p>{% endblock %}')
    assert run("--root", ".").status == 0
    assert len(set(rows_of(archive.site)["compiled"]) - compiled) == 1  # the archive's own about.html
    override.unlink()
    assert run("--root", ".").status == 0
    assert set(rows_of(archive.site)["compiled"]) == compiled


def test_a_rebuild_with_nothing_changed_opens_no_database(archive: Archive, run) -> None:  # type: ignore[no-untyped-def]
    """The fast path reads the fingerprint the store keeps in a file of its own: neither SQLite
    nor the heavy stages are imported (a new process, so that nothing imported earlier counts)."""
    assert run("--root", ".").status == 0
    code = (
        "import sys, build; status = build.main(['--root', '.', '--quiet']);"
        " print(status, *(name for name in ('sqlite3', 'jinja2', 'yaml') if name in sys.modules))"
    )
    environment = {**os.environ, "PYTHONPATH": str(PROJECT)}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=archive.root, capture_output=True, text=True, env=environment, check=True
    )
    assert done.stdout == "0\n"
    (archive.root / "seeds" / "a.txt").write_text("Changed.\n")
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=archive.root, capture_output=True, text=True, env=environment, check=True
    )
    assert done.stdout == "0 sqlite3 jinja2 yaml\n"  # a change: the whole build, the store opened


def test_a_part_of_the_memo_is_read_only_for_a_producer_registered_to_use_it(
    archive: Archive, run, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """metadata.csv's rows are read whole before the plan while its producer is registered, and
    not at all (nor forgotten) once it is not."""
    from archive import outputs

    read: list[str] = []
    every = Store.all
    monkeypatch.setattr(Store, "all", lambda self, kind: read.append(kind) or every(self, kind))
    assert run("--root", ".").status == 0
    (archive.root / "seeds" / "a.txt").write_text("Changed.\n")
    read.clear()
    assert run("--root", ".").status == 0
    assert {"csv", "lines", "search"} <= set(read)
    monkeypatch.setattr(outputs, "PRODUCERS", [p for p in outputs.PRODUCERS if p.NAME != "metadata.csv"])
    (archive.root / "seeds" / "a.txt").write_text("Changed again.\n")
    read.clear()
    assert run("--root", ".").status == 0
    assert "csv" not in read and {"lines", "search"} <= set(read)
    assert len(rows_of(archive.site)["csv"]) == 2  # kept for when it is registered again


def test_after_an_addition_only_the_new_text_is_cut_into_search_terms(archive: Archive, run, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from archive.outputs import search

    cut: list[str] = []
    body_terms = search.body_terms
    monkeypatch.setattr(search, "body_terms", lambda text: cut.append(text) or body_terms(text))
    assert run("--root", ".", "--jobs", "1").status == 0
    assert sorted(cut) == ["First document.\nIt has two lines.\n", "Second document, “quoted”.\n"]
    assert rows_of(archive.site)["terms"] == {"0": {sha256_of(text): search.packed(body_terms(text)) for text in cut}}
    archive.seed("c.txt", "Third document.\n")
    text = (archive.root / "metadata.yaml").read_text()
    (archive.root / "metadata.yaml").write_text(
        text + "  c.txt:\n    title: Gamma\n    publisher: Daily One\n    date: 2022-10\n    stance: for\n"
    )
    cut.clear()
    assert run("--root", ".", "--jobs", "1").status == 0
    assert cut == ["Third document.\n"]
    (archive.root / "seeds" / "a.txt").unlink()
    (archive.root / "metadata.yaml").write_text(
        (archive.root / "metadata.yaml")
        .read_text()
        .replace("  a.txt:\n    title: Alpha\n    publisher: Daily One\n    date: 2022-09-01\n    stance: for\n", "")
    )
    assert run("--root", ".", "--jobs", "1").status == 0
    assert cut == ["Third document.\n"]  # nothing more to cut: the texts left are remembered
    remembered = rows_of(archive.site)["terms"]
    assert sorted(remembered["0"]) == sorted(map(sha256_of, ["Second document, “quoted”.\n", "Third document.\n"]))


@given(
    st.one_of(
        st.text(),
        st.builds(str.__mul__, st.sampled_from(["a ", "中文 ", "x\u2028"]), st.sampled_from([0, 1, 255, 256, 600])),
    )
)
def test_a_texts_search_terms_come_back_as_they_were_kept(text: str) -> None:
    from archive.outputs import search

    terms = search.body_terms(text)
    assert search.unpacked(search.packed(terms)) == terms


@given(
    st.recursive(
        st.none() | st.integers() | st.text() | st.binary(),
        lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
    )
)
def test_a_compacted_value_comes_back_and_damaged_bytes_come_back_as_none(value: object) -> None:
    data = store.compact(value)
    assert store.expanded(data) == value
    assert store.expanded(data[:-1]) is None  # deflate's last byte cut: a truncated stream
    assert store.expanded(b"x" + data) is None
    assert store.expanded(data.decode("latin-1")) is None  # not bytes


def sha256_of(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
