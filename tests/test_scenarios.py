"""Incremental builds, step by step: after each change the site equals a clean build's, file for file.

Each scenario starts from one archive of seven documents, builds it, then applies its steps one
build at a time. After every step the incremental site (built on the last one, with its state)
is compared with a clean build of the same input, the manifest included. A step also says
whether the build may place the few changed documents into the last build's order (`placed`)
or must derive the whole archive again, so that each scenario exercises the path it means to.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from archive_model import Model, SeeAlso, assert_same_as_clean
from conftest import files_under

import build
from archive.outputs import filters

Step = tuple[str, Callable[[Model], None], bool]
"""What a step does (for messages), the change, and whether its build places documents into the last order."""

DOCUMENTS = [
    ("a.txt", "Alpha", "2022-01-10", "for", "Daily One"),
    ("b.txt", "Bravo", "2022-02", "against", "Weekly Two"),
    ("c.txt", "Charlie", "2022-03-05?", "for", "Daily One"),
    ("d.txt", "Delta", "2022-04-01", "against", "Weekly Two"),
    ("e.txt", "Echo", "2022-05~", "for", "Daily One"),
    ("f.txt", "Foxtrot", "2022-06-20", "for", "Weekly Two"),
    ("g.txt", "Golf", "2022-07-01", "against", "Daily One"),
]
"""In chronological order: a.txt first, g.txt last."""


def seven_documents(tmp_path: Path) -> tuple[Model, Path]:
    """The model of DOCUMENTS, written out, and where its site goes (not built yet)."""
    model = Model(tmp_path / "archive")
    for name, title, date, stance, publisher in DOCUMENTS:
        model.add(name, title, date, stance, publisher)
    model.write()
    return model, tmp_path / "site"


def retitle(name: str, title: str) -> Callable[[Model], None]:
    return lambda model: model.set(name, "title", title)


def redate(name: str, date: str) -> Callable[[Model], None]:
    return lambda model: model.set(name, "date", date)


def delete(*names: str) -> Callable[[Model], None]:
    return lambda model: [model.delete(name) for name in names] and None


def rewrite_seed(name: str, text: str) -> Callable[[Model], None]:
    def change(model: Model) -> None:
        model.texts[name] = text

    return change


def replace_everywhere(field: str, old: str, new: str) -> Callable[[Model], None]:
    """Every record whose `field` is `old` gets `new` (a publisher renamed, a stance no longer used)."""

    def change(model: Model) -> None:
        for record in model.docs.values():
            if record[field] == old:
                record[field] = new

    return change


def drop_stance(key: str) -> Callable[[Model], None]:
    return lambda model: model.stances.pop(key) and None


def add(name: str, title: str, date: str) -> Callable[[Model], None]:
    return lambda model: model.add(name, title, date)


def keep_names(name: str, *aliases: str) -> Callable[[Model], None]:
    """The record's `aliases`: these earlier page names (none: the field removed)."""
    return lambda model: model.set(name, "aliases", list(aliases) if aliases else None)


def both(*changes: Callable[[Model], None]) -> Callable[[Model], None]:
    return lambda model: [change(model) for change in changes] and None


SCENARIOS: dict[str, list[Step]] = {
    "delete the first document": [("delete a.txt", delete("a.txt"), True)],
    "delete a middle document": [("delete d.txt", delete("d.txt"), True)],
    "delete the last document": [("delete g.txt", delete("g.txt"), True)],
    "delete two neighbours": [("delete c.txt and d.txt", delete("c.txt", "d.txt"), True)],
    "add a document between two": [("add x.txt in April", add("x.txt", "X-ray", "2022-04-15"), True)],
    "re-date a document across others": [
        ("move b.txt after e.txt", redate("b.txt", "2022-05-20"), True),
        ("move it back to the start", redate("b.txt", "2021"), True),
        ("make its date uncertain only", redate("b.txt", "2021?"), True),
    ],
    "two documents given the same title, then one renamed back": [
        ("c.txt titled Echo", retitle("c.txt", "Echo"), False),
        ("a.txt titled Echo too", retitle("a.txt", "Echo"), False),
        ("c.txt renamed back", retitle("c.txt", "Charlie"), False),
        ("a.txt renamed back", retitle("a.txt", "Alpha"), False),
    ],
    "documents of one title come and go, an earlier name kept": [
        ("c.txt titled Alpha: both names get a suffix", retitle("c.txt", "Alpha"), False),
        ("x.txt titled Alpha comes", add("x.txt", "Alpha", "2022-06-01"), False),
        ("a.txt goes", delete("a.txt"), False),
        ("c.txt keeps the name Charlie", keep_names("c.txt", "charlie"), False),
        ("a new Charlie comes, named with a suffix", add("y.txt", "Charlie", "2023"), False),
        ("x.txt goes: c.txt alone is Alpha", delete("x.txt"), False),
    ],
    "a retitled page keeps its earlier name": [
        ("d.txt becomes Delta Prime", retitle("d.txt", "Delta Prime"), True),
        ("d.txt keeps the name delta", keep_names("d.txt", "delta"), False),
        ("a new Delta comes, named with a suffix", add("z.txt", "Delta", "2022-04-02"), False),
        ("the earlier name dropped", keep_names("d.txt"), False),
    ],
    "a publisher renamed everywhere": [
        ("Weekly Two becomes Weekly 2", replace_everywhere("publisher", "Weekly Two", "Weekly 2"), False)
    ],
    "a stance removed from use, then from the vocabulary": [
        ("no document is against", replace_everywhere("stance", "against", "for"), True),
        ("'against' leaves the vocabulary", drop_stance("against"), True),
    ],
    "a seed's bytes edited": [
        ("e.txt gets a longer text", rewrite_seed("e.txt", "Text of e.txt, longer now.\n"), True),
        ("e.txt gets a text of the same size", rewrite_seed("e.txt", "TEXT OF E.TXT, LONGER NOW.\n"), True),
    ],
    "a template and a static file edited": [
        ("document.html edited", lambda model: model.edit_template("document.html", "Text as captured"), True),
        ("base.html edited", lambda model: model.edit_template("base.html", "Skip to content"), True),
        ("a stylesheet added", lambda model: model.edit_static("extra.css", "p { margin: 0 }\n"), True),
        ("the stylesheet edited", lambda model: model.edit_static("extra.css", "p { margin: 1em }\n"), True),
    ],
    "a.txt goes and a new Alpha comes in one build: the name alpha stays a.txt's": [
        ("a.txt goes, a new Alpha comes", both(delete("a.txt"), add("z.txt", "Alpha", "2022-06-25")), False),
        ("the new Alpha moves to the end", redate("z.txt", "2023"), False),
    ],
    "a document retitled, then its neighbour deleted": [
        ("d.txt becomes Delta Prime", retitle("d.txt", "Delta Prime"), True),
        ("e.txt goes", delete("e.txt"), True),
    ],
}


@pytest.mark.parametrize("steps", SCENARIOS.values(), ids=SCENARIOS.keys())
def test_after_each_step_the_site_equals_a_clean_build(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], steps: list[Step]
) -> None:
    model, site = seven_documents(tmp_path)
    assert build.main(["--root", str(model.root), "--out", str(site), "--quiet"]) == 0
    for number, (what, change, placed) in enumerate(steps):
        change(model)
        model.write()
        capsys.readouterr()
        assert build.main(["--root", str(model.root), "--out", str(site), "--verbose"]) == 0
        said = capsys.readouterr().err
        assert ("placed into the last build's order" in said) == placed, f"{what}: {said}"
        assert_same_as_clean(model.root, site, tmp_path / f"clean{number}", what)


SPLIT_STEPS: list[Step] = [
    (
        "three more in April: its month in two parts",
        both(*(add(f"p{n}.txt", f"April {w}", f"2022-04-1{n}") for n, w in enumerate(["one", "two", "six"]))),
        True,
    ),
    ("one in 2021: a year of its own", add("y.txt", "Yesteryear", "2021-06"), True),
    ("one dated to 2022 only: the month unknown", add("u.txt", "Undated", "2022"), True),
    ("April's first part loses one", delete("p0.txt"), True),
    ("a document moves from April to 2023", redate("p1.txt", "2023-02-02"), True),
    (
        "down to three documents: one page again",
        delete("a.txt", "b.txt", "c.txt", "d.txt", "e.txt", "f.txt", "p2.txt", "u.txt"),
        False,
    ),
]
"""With listings of at most 3 documents and lists of at most 2 groups: the index, the stances and
the publishers split into years, months and parts, and back to one page."""


def test_after_each_step_a_split_site_equals_a_clean_build(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from archive import parts, timeline

    monkeypatch.setattr(parts, "LIMIT", 3)
    monkeypatch.setattr(parts, "GROUP_LIMIT", 2)
    monkeypatch.setattr(timeline, "MARKS_AT_MOST", 5)
    test_after_each_step_the_site_equals_a_clean_build(tmp_path, capsys, SPLIT_STEPS)
    assert not (tmp_path / "site" / "index").exists()


def test_a_renamed_page_is_named_on_stderr_with_the_alias_that_keeps_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    model, site = seven_documents(tmp_path)
    monkeypatch.chdir(model.root)
    assert build.main(["--root", ".", "--out", str(site), "--quiet"]) == 0
    model.set("d.txt", "title", "Delta Prime")
    model.write()
    capsys.readouterr()
    assert build.main(["--root", ".", "--out", str(site), "--quiet"]) == 0
    assert capsys.readouterr().err.splitlines() == [
        "metadata.yaml:26: documents.d.txt: its page was delta.html and is now delta-prime.html;"
        ' add "aliases: [delta]" to keep links to it working'
    ]
    model.set("d.txt", "aliases", ["delta"])  # type: ignore[arg-type]
    model.write()
    assert build.main(["--root", ".", "--out", str(site), "--quiet"]) == 0
    assert capsys.readouterr().err == ""
    moved = (site / "documents" / "delta.html").read_text("utf-8")
    assert '<meta http-equiv="refresh" content="0; url=../documents/delta-prime.html">' in moved
    assert '<a href="../documents/delta-prime.html">Delta Prime</a>' in moved


MANIFEST_DAMAGE = {
    "corrupt manifest": "{ not json",
    "manifest of another version": '{"generator": "verbatim-archive", "version": 0, "files": {}}',
    "manifest of the wrong shape": '{"generator": "verbatim-archive", "version": 4, "paths": ["index.html"], "keys": [7], "sizes": []}',
}


def cited_as(page: str) -> tuple[str, ...]:
    """A document page's citation files, in the order the build names them."""
    return (f"cite/{page}.bib", f"cite/{page}.csl.json", f"cite/{page}.ris")


@pytest.mark.parametrize("damaged", MANIFEST_DAMAGE.values(), ids=MANIFEST_DAMAGE.keys())
def test_without_a_readable_manifest_the_files_a_build_no_longer_makes_are_kept_and_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], damaged: str
) -> None:
    """The one case where an incremental site differs from a clean one: nothing shows that the
    files an earlier build made are the build's own, so those it no longer makes stay, named."""
    model, site = seven_documents(tmp_path)
    assert build.main(["--root", str(model.root), "--out", str(site), "--quiet"]) == 0
    old_page = (site / "documents" / "alpha.html").read_bytes()
    (site / ".archive-manifest.json").write_text(damaged)
    model.set("a.txt", "title", "Alpha Prime")
    model.delete("g.txt")  # its page and raw copy go too
    model.write()
    capsys.readouterr()
    assert build.main(["--root", str(model.root), "--out", str(site), "--quiet"]) == 0
    assert capsys.readouterr().err.splitlines() == [
        f"{model.root}/metadata.yaml:11: documents.a.txt: its page was alpha.html and is now alpha-prime.html;"
        ' add "aliases: [alpha]" to keep links to it working',
        *(
            f"{site}/{path}: kept, though this build does not make it: the site's manifest was damaged or from"
            " another version, so nothing shows that an earlier build wrote it"
            for path in (
                *cited_as("alpha"),
                *cited_as("golf"),
                "filters/2f.js",  # g.txt's filter record was alone in its shard
                "raw/g.txt",
                "texts/alpha.js",
                "texts/golf.js",
            )
        ),
    ]
    assert build.main(["--root", str(model.root), "--out", str(tmp_path / "clean"), "--quiet"]) == 0
    clean = files_under(tmp_path / "clean")
    kept = files_under(site)
    assert kept["documents/alpha.html"] != old_page  # names.lock keeps the names: a.txt's moved, g.txt's is gone
    assert b"This page has moved" in kept["documents/alpha.html"]
    assert b"No longer in this archive" in kept["documents/golf.html"]
    assert kept.pop("filters/2f.js").startswith(b'window.ArchiveFilter.shard("2f",[["golf",')
    assert filters.shard_of("g.txt") == "2f"
    assert kept.pop("raw/g.txt") == b"Text of g.txt\n"
    for path in (*cited_as("alpha"), *cited_as("golf")):
        assert kept.pop(path)
    assert kept.pop("texts/alpha.js").startswith('\ufeffArchiveTexts.register("alpha",'.encode("utf-16-le"))
    assert kept.pop("texts/golf.js").startswith('\ufeffArchiveTexts.register("golf",'.encode("utf-16-le"))
    assert kept == clean
    model.set("c.txt", "date", "2022-03-06")  # with a manifest again, nothing more is said
    model.write()
    assert build.main(["--root", str(model.root), "--out", str(site), "--quiet"]) == 0
    assert capsys.readouterr().err == ""


def manifest_of(site: Path) -> dict[str, object]:
    return json.loads((site / ".archive-manifest.json").read_text("utf-8"))  # type: ignore[no-any-return]


def test_the_manifest_lists_every_file_with_its_size_and_sha256(tmp_path: Path) -> None:
    """After a first build, an edit that moves no file (a seed's bytes), one that renames a page,
    an addition and a removal: each manifest agrees with the files on disk."""
    model, site = seven_documents(tmp_path)
    changes = [
        lambda model: None,
        rewrite_seed("e.txt", "Text of e.txt, longer now.\n"),
        retitle("c.txt", "Charlie Prime"),
        add("x.txt", "X-ray", "2022-04-15"),
        delete("g.txt"),
    ]
    for change in changes:
        change(model)
        model.write()
        assert build.main(["--root", str(model.root), "--out", str(site), "--quiet"]) == 0
        manifest = manifest_of(site)
        on_disk = files_under(site, lambda path: path != ".archive-manifest.json")
        assert sorted(manifest["paths"]) == sorted(on_disk)  # type: ignore[call-overload]
        listed = dict(zip(manifest["paths"], zip(manifest["sizes"], manifest["sha256"], strict=True), strict=True))  # type: ignore[call-overload]
        assert listed == {path: (len(data), hashlib.sha256(data).hexdigest()) for path, data in on_disk.items()}  # type: ignore[arg-type]


def test_a_site_with_a_manifest_of_the_previous_version_is_upgraded_in_place(tmp_path: Path) -> None:
    """Version 4 had no SHA-256: its files are made again, and what it lists but is no longer made goes."""
    model, site = seven_documents(tmp_path)
    assert build.main(["--root", str(model.root), "--out", str(site), "--quiet"]) == 0
    old = manifest_of(site)
    (site / "documents" / "retired.html").write_text("a page the earlier version made")
    (site / "notes.txt").write_text("a file of someone's own")
    paths, keys, sizes = old["paths"], old["keys"], old["sizes"]
    upgraded = {"generator": "verbatim-archive", "version": 4, "paths": [*paths, "documents/retired.html"]}  # type: ignore[list-item]
    upgraded.update(keys=[*keys, "0" * 32], sizes=[*sizes, 31])  # type: ignore[list-item]
    (site / ".archive-manifest.json").write_text(json.dumps(upgraded))
    assert build.main(["--root", str(model.root), "--out", str(site), "--quiet"]) == 0
    assert manifest_of(site) == old
    assert not (site / "documents" / "retired.html").exists()
    assert (site / "notes.txt").read_text() == "a file of someone's own"


@pytest.mark.parametrize("declared", [True, False], ids=["declared", "left undeclared"])
def test_a_dependency_across_documents_is_one_more_declared_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, declared: bool
) -> None:
    """A producer whose files show another document's title stays current when it declares that
    document's digest; left undeclared, the stale file is caught by the comparison with a clean build."""
    from archive import outputs

    monkeypatch.setattr(outputs, "PRODUCERS", [*outputs.PRODUCERS, SeeAlso(declared)])
    model, site = seven_documents(tmp_path)
    assert build.main(["--root", str(model.root), "--out", str(site), "--quiet"]) == 0
    assert (site / "see-also" / "a.txt.txt").read_text() == "Alpha: see also Bravo\n"
    model.set("b.txt", "title", "Bravo Prime")
    model.write()
    assert build.main(["--root", str(model.root), "--out", str(site), "--quiet"]) == 0
    if declared:
        assert_same_as_clean(model.root, site, tmp_path / "clean", "b.txt retitled")
        assert (site / "see-also" / "a.txt.txt").read_text() == "Alpha: see also Bravo Prime\n"
    else:
        with pytest.raises(AssertionError) as failed:
            assert_same_as_clean(model.root, site, tmp_path / "clean", "b.txt retitled")
        assert str(failed.value).splitlines()[0] == (
            "b.txt retitled: these files differ from a clean build's: ['.archive-manifest.json', 'see-also/a.txt.txt']"
        )


class SeeAlsoWorded(SeeAlso):
    """The next version of SeeAlso: the same inputs, other words."""

    VERSION = 2

    def plan(self, planning):  # type: ignore[no-untyped-def]
        for output in super().plan(planning):
            yield output._replace(make=lambda make=output.make: make().replace(b"see also", b"next:"))


def test_a_producer_of_another_version_makes_its_files_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from archive import outputs

    model, site = seven_documents(tmp_path)
    for note, producer in ((None, SeeAlso()), ("A note.", SeeAlsoWorded())):
        monkeypatch.setattr(outputs, "PRODUCERS", [*outputs.PRODUCERS[:-1], producer, outputs.PRODUCERS[-1]])
        model.set("g.txt", "note", note)  # an edit, so that the build does not stop at "nothing changed"
        model.write()
        assert build.main(["--root", str(model.root), "--out", str(site), "--quiet"]) == 0
    assert (site / "see-also" / "a.txt.txt").read_text() == "Alpha: next: Bravo\n"
    assert_same_as_clean(model.root, site, tmp_path / "clean", "SeeAlso of version 2")
