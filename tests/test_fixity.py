"""Take it away and prove it intact: metadata.csv and datapackage.json read by Frictionless,
SHA256SUMS by `sha256sum -c`, the bag by the Library of Congress `bagit` package, the corpus by
a JSON reader, and `verify` naming each file of a site that differs from what the build wrote."""

from __future__ import annotations

import csv
import errno
import hashlib
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from archive_model import Model, assert_same_as_clean, build_quietly
from conftest import Archive

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "tiny"
TINY_SEEDS = ["pamphlet.txt", "wire-a.txt", "wire-b.txt", "zh.txt"]


@pytest.fixture
def tiny(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Archive:
    """The tiny fixture archive (CRLF, a control character, Chinese, a note with a line break), built."""
    shutil.copytree(FIXTURE, tmp_path / "tiny")
    monkeypatch.chdir(tmp_path / "tiny")
    made = Archive(tmp_path / "tiny")
    build_quietly(made.root, made.site)
    return made


def documents(site: Path) -> list[dict[str, str]]:
    return list(json.loads((site / "metadata.json").read_text("utf-8"))["documents"])


# metadata.csv and datapackage.json


def test_the_data_package_is_valid_for_frictionless(tiny: Archive) -> None:
    frictionless = pytest.importorskip("frictionless")
    report = frictionless.validate(str(tiny.site / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert [task.name for task in report.tasks] == ["metadata-csv", "metadata-json"]


def test_frictionless_reads_the_records_of_metadata_json_from_metadata_csv(tiny: Archive) -> None:
    """The byte order mark does not reach the first column's name, a note keeps its line break,
    and an optional field that is not set is read as missing."""
    frictionless = pytest.importorskip("frictionless")
    package = frictionless.Package(str(tiny.site / "datapackage.json"))
    rows = package.get_resource("metadata-csv").read_rows()
    read = [{name: value for name, value in row.to_dict().items() if value is not None} for row in rows]
    for row in read:
        if "aliases" in row:
            row["aliases"] = row["aliases"].split(" ")
    assert read == documents(tiny.site)
    assert any("\n" in row.get("note", "") for row in read)


def test_a_captured_date_and_aliases_reach_the_table_as_frictionless_reads_it(tiny: Archive, run) -> None:
    frictionless = pytest.importorskip("frictionless")
    metadata = tiny.root / "metadata.yaml"
    text = metadata.read_text("utf-8").replace(
        "  pamphlet.txt:\n", '  pamphlet.txt:\n    captured: "2023-01?"\n    aliases: [pamphlet, the-old-one]\n', 1
    )
    metadata.write_text(text, "utf-8")
    assert run("--root", ".", "--quiet").status == 0
    report = frictionless.validate(str(tiny.site / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    rows = frictionless.Package(str(tiny.site / "datapackage.json")).get_resource("metadata-csv").read_rows()
    first = rows[0].to_dict()
    assert (first["captured"], first["aliases"]) == ("2023-01?", "pamphlet the-old-one")
    assert documents(tiny.site)[0]["aliases"] == ["pamphlet", "the-old-one"]


def test_a_stance_outside_the_vocabulary_and_a_date_that_is_not_edtf_fail_frictionless(tiny: Archive) -> None:
    """The schema constrains what it says it does (the test above would pass with no constraints)."""
    frictionless = pytest.importorskip("frictionless")
    data = (tiny.site / "metadata.csv").read_text("utf-8-sig")
    data = data.replace(",2022-09-01,for,", ",1 Sept 2022,pro,")
    (tiny.site / "metadata.csv").write_text(data, "utf-8-sig")
    report = frictionless.validate(str(tiny.site / "datapackage.json"))
    errors = report.flatten(["rowNumber", "fieldName", "type"])
    assert errors == [[4, "date", "constraint-error"], [4, "stance", "constraint-error"]]


def test_metadata_csv_is_utf8_with_a_byte_order_mark_crlf_and_every_column(tiny: Archive) -> None:
    data = (tiny.site / "metadata.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbffile,title,publisher,date,stance,sha256,page,raw,author,source_url,")
    assert data.endswith(b"\r\n") and data.count(b"\r\n") == 5  # a header, four rows
    with open(tiny.site / "metadata.csv", encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert [row["title"] for row in rows] == ["Old pamphlet", "报告", "Wire story", "Wire story"]
    assert rows[2]["source_url"] == "https://example.org/wire?id=1&x=<y>"
    assert rows[0]["source_url"] == ""


def test_the_data_package_names_the_stance_vocabulary_and_a_date_pattern(tiny: Archive) -> None:
    package = json.loads((tiny.site / "datapackage.json").read_text("utf-8"))
    fields = {field["name"]: field for field in package["resources"][0]["schema"]["fields"]}
    assert fields["stance"]["constraints"] == {"enum": ["for", "against", "neutral"], "required": True}
    assert fields["date"]["type"] == "string"
    assert package["name"] == "tiny-fixture-archive"


def test_adding_a_document_leaves_datapackage_json_as_it_is(archive: Archive, run) -> None:
    assert run("--root", ".").status == 0
    before = (archive.site / "datapackage.json").stat().st_mtime_ns
    archive.seed("c.txt", "Third.\n")
    with open(archive.root / "metadata.yaml", "a", encoding="utf-8") as stream:
        stream.write("  c.txt:\n    title: Gamma\n    publisher: Daily One\n    date: 2022\n    stance: for\n")
    assert run("--root", ".").status == 0
    assert (archive.site / "datapackage.json").stat().st_mtime_ns == before
    assert "c.txt,Gamma," in (archive.site / "metadata.csv").read_text("utf-8-sig")


# SHA256SUMS


def test_sha256sum_checks_every_raw_copy(tiny: Archive) -> None:
    if shutil.which("sha256sum") is None:
        pytest.skip("sha256sum (GNU coreutils) is not installed")
    checked = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=tiny.site, capture_output=True, text=True)
    assert (checked.returncode, checked.stderr) == (0, "")
    assert checked.stdout.splitlines() == [f"raw/{name}: OK" for name in TINY_SEEDS]
    assert (tiny.site / "SHA256SUMS").read_text().splitlines() == [
        hashlib.sha256((tiny.root / "seeds" / name).read_bytes()).hexdigest() + f"  raw/{name}" for name in TINY_SEEDS
    ]


def test_sha256sum_names_a_tampered_raw_copy(tiny: Archive) -> None:
    if shutil.which("sha256sum") is None:
        pytest.skip("sha256sum (GNU coreutils) is not installed")
    with open(tiny.site / "raw" / "zh.txt", "ab") as stream:
        stream.write(b" ")
    checked = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=tiny.site, capture_output=True, text=True)
    assert checked.returncode == 1
    assert "raw/zh.txt: FAILED" in checked.stdout.splitlines()


# verify


def test_verify_passes_on_a_fresh_build(tiny: Archive, run) -> None:
    result = run("verify", "--out", "_site")
    assert (result.status, result.err) == (0, "")
    assert result.out == (
        "verified 60 files of _site: no difference from the manifest, SHA256SUMS and metadata.json"
        " (4 raw copies); 0 files not in the manifest\n"
    )


def test_verify_names_a_tampered_raw_copy_and_a_tampered_page(tiny: Archive, run) -> None:
    raw = tiny.site / "raw" / "wire-a.txt"
    listed = hashlib.sha256(raw.read_bytes()).hexdigest()
    page = tiny.site / "documents" / "old-pamphlet.html"
    page_listed = hashlib.sha256(page.read_bytes()).hexdigest()
    raw.write_bytes(raw.read_bytes().replace(b"wire", b"fire", 1))
    page.write_bytes(page.read_bytes().replace(b"Old pamphlet", b"New pamphlet"))
    result = run("verify", "--out", "_site")
    now, page_now = hashlib.sha256(raw.read_bytes()).hexdigest(), hashlib.sha256(page.read_bytes()).hexdigest()
    assert result.status == 1
    assert result.out.splitlines() == [
        f"_site/documents/old-pamphlet.html: changed: its SHA-256 is {page_now}; the manifest says {page_listed}",
        f"_site/raw/wire-a.txt: changed: its SHA-256 is {now}; the manifest, SHA256SUMS and metadata.json say {listed}",
    ]
    assert result.err == "2 files differ from the site's records\n"


def test_verify_names_each_record_that_disagrees(tiny: Archive, run) -> None:
    """A raw copy changed along with SHA256SUMS (as someone covering their tracks would) still
    differs from the manifest and metadata.json; SHA256SUMS itself differs from the manifest."""
    raw = tiny.site / "raw" / "zh.txt"
    listed = hashlib.sha256(raw.read_bytes()).hexdigest()
    raw.write_bytes(b"Other text.\n")
    now = hashlib.sha256(b"Other text.\n").hexdigest()
    sums = tiny.site / "SHA256SUMS"
    sums_listed = hashlib.sha256(sums.read_bytes()).hexdigest()
    sums.write_text(sums.read_text().replace(listed, now))
    result = run("verify", "--out", "_site")
    sums_now = hashlib.sha256(sums.read_bytes()).hexdigest()
    assert result.status == 1
    assert result.out.splitlines() == [
        f"_site/SHA256SUMS: changed: its SHA-256 is {sums_now}; the manifest says {sums_listed}",
        f"_site/raw/zh.txt: changed: its SHA-256 is {now}; the manifest and metadata.json say {listed}",
    ]


def test_verify_names_a_missing_file_and_reports_a_file_it_did_not_write(tiny: Archive, run) -> None:
    (tiny.site / "raw" / "pamphlet.txt").unlink()
    (tiny.site / "CNAME").write_text("archive.example.org\n")
    result = run("verify", "--out", "_site")
    assert result.status == 1
    assert result.out.splitlines() == [
        "_site/raw/pamphlet.txt: missing; the manifest, SHA256SUMS and metadata.json list it",
        "_site/CNAME: not in the manifest; not written by the build (not an error)",
    ]
    assert result.err == "1 file differs from the site's records\n"


def test_a_file_the_build_did_not_write_is_not_an_error(tiny: Archive, run) -> None:
    (tiny.site / "CNAME").write_text("archive.example.org\n")
    result = run("verify", "--out", "_site", "--quiet")
    assert (result.status, result.out, result.err) == (
        0,
        "_site/CNAME: not in the manifest; not written by the build (not an error)\n",
        "",
    )


def test_verify_reports_unreadable_records_at_their_lines(tiny: Archive, run) -> None:
    sums = tiny.site / "SHA256SUMS"
    lines = sums.read_text().splitlines()
    sums.write_text("\n".join([lines[0], "not a checksum line", *lines[1:]]) + "\n")
    (tiny.site / "metadata.json").write_text('{\n  "documents": [\n')
    result = run("verify", "--out", "_site")
    assert (result.status, result.out) == (1, "")
    assert result.err.splitlines() == [
        "_site/SHA256SUMS:2: is not a line sha256sum -c reads: 64 hexadecimal digits, two spaces and a path",
        "_site/metadata.json:3: is not JSON: Expecting value",
        "2 problems found; nothing was written.",
    ]


def test_verify_without_a_manifest_is_refused(tmp_path: Path, run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "site").mkdir()
    result = run("verify", "--out", "site")
    assert (result.status, result.out) == (1, "")
    assert result.err.splitlines() == [
        "site/.archive-manifest.json: no manifest: not a site this generator built, or not its root folder;"
        " name the site with --out",
        "1 problem found; nothing was written.",
    ]


def test_a_manifest_path_outside_the_site_is_refused(tiny: Archive, run) -> None:
    manifest = tiny.site / ".archive-manifest.json"
    data = json.loads(manifest.read_text())
    data["paths"][0] = "../metadata.yaml"
    manifest.write_text(json.dumps(data))
    result = run("verify", "--out", "_site")
    assert result.status == 1
    assert result.err.splitlines()[0] == (
        "_site/.archive-manifest.json: lists '../metadata.yaml', not a path inside the site"
    )


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["verify", "x"], "verify takes no file or folder, got 'x'"),
        (["bag"], "bag needs the file to write, ending in .zip: python build.py bag FILE.zip"),
        (["bag", "archive.tar"], "bag needs the file to write, ending in .zip: python build.py bag FILE.zip"),
        (["export"], "export needs the folder to write: python build.py export DIR"),
        (["export", "out", "--out", "_site"], "export writes out; --out goes with build and verify"),
        (["build", "x"], "build takes no file or folder, got 'x'"),
    ],
)
def test_argument_mistakes_exit_2_with_the_usage(archive: Archive, run, args: list[str], error: str) -> None:
    result = run(*args)
    assert (result.status, result.out) == (2, "")
    assert result.err.startswith("usage: build.py ")
    assert result.err.endswith(f"build.py: error: {error}\n")
    assert not archive.site.exists()


# bag


def test_the_bag_is_valid_for_the_library_of_congress_bagit_package(tiny: Archive, run, tmp_path: Path) -> None:
    bagit = pytest.importorskip("bagit")
    result = run("bag", "--root", ".", str(tmp_path / "tiny-bag.zip"))
    assert (result.status, result.err) == (0, "")
    with zipfile.ZipFile(tmp_path / "tiny-bag.zip") as bag:
        bag.extractall(tmp_path / "unzipped")
    found = bagit.Bag(str(tmp_path / "unzipped" / "tiny-bag"))
    found.validate()  # raises BagValidationError with every difference
    assert found.version_info == (1, 0)
    assert sorted(found.tagfile_entries()) == ["bag-info.txt", "bagit.txt", "manifest-sha256.txt"]
    assert found.info["Payload-Oxum"] == f"{sum(p.stat().st_size for p in found_payload(tmp_path))}.7"
    payload = tmp_path / "unzipped" / "tiny-bag" / "data"
    assert sorted(p.name for p in (payload / "seeds").iterdir()) == TINY_SEEDS
    for name in TINY_SEEDS:
        assert (payload / "seeds" / name).read_bytes() == (tiny.root / "seeds" / name).read_bytes()
    assert (payload / "metadata.yaml").read_bytes() == (tiny.root / "metadata.yaml").read_bytes()
    assert (payload / "names.lock").read_bytes() == (tiny.root / "names.lock").read_bytes()


def found_payload(tmp_path: Path) -> list[Path]:
    return [p for p in (tmp_path / "unzipped" / "tiny-bag" / "data").rglob("*") if p.is_file()]


def test_bagit_notices_a_changed_file_in_the_bag(tiny: Archive, run, tmp_path: Path) -> None:
    """The validation above could fail: a bag whose seed was changed after bagging does not pass."""
    bagit = pytest.importorskip("bagit")
    assert run("bag", "--root", ".", str(tmp_path / "tiny-bag.zip")).status == 0
    with zipfile.ZipFile(tmp_path / "tiny-bag.zip") as bag:
        bag.extractall(tmp_path / "unzipped")
    (tmp_path / "unzipped" / "tiny-bag" / "data" / "seeds" / "zh.txt").write_bytes(b"changed")
    with pytest.raises(bagit.BagValidationError):
        bagit.Bag(str(tmp_path / "unzipped" / "tiny-bag")).validate()


def test_the_bag_holds_the_metadata_folder_and_sha256sums_of_the_seeds(tiny: Archive, run, tmp_path: Path) -> None:
    (tiny.root / "metadata").mkdir()
    (tiny.root / "metadata" / "more.yaml").write_text("documents: {}\n")
    (tiny.root / "metadata" / ".hidden.yaml").write_text("documents: {}\n")
    (tiny.root / "metadata" / "notes.txt").write_text("not metadata\n")
    assert run("bag", "--root", ".", str(tmp_path / "b.zip"), "--quiet").status == 0
    with zipfile.ZipFile(tmp_path / "b.zip") as bag:
        names = bag.namelist()
        sums = bag.read("b/data/SHA256SUMS").decode()
        bag.extractall(tmp_path / "unzipped")
    assert names == sorted(names)
    assert [n for n in names if n.startswith("b/data/metadata")] == [
        "b/data/metadata.yaml",
        "b/data/metadata/more.yaml",
    ]
    assert sums.splitlines()[0] == hashlib.sha256((tiny.root / "seeds" / "pamphlet.txt").read_bytes()).hexdigest() + (
        "  seeds/pamphlet.txt"
    )
    if shutil.which("sha256sum"):
        checked = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=tmp_path / "unzipped" / "b" / "data")
        assert checked.returncode == 0


def test_the_zipped_bag_is_the_same_bytes_every_time(tiny: Archive, run, tmp_path: Path) -> None:
    assert run("bag", "--root", ".", str(tmp_path / "one" / "bag.zip"), "--quiet").status == 0
    (tiny.root / "seeds" / "zh.txt").touch()  # a newer modification time changes nothing
    assert run("bag", "--root", ".", str(tmp_path / "two" / "bag.zip"), "--quiet").status == 0
    assert (tmp_path / "one" / "bag.zip").read_bytes() == (tmp_path / "two" / "bag.zip").read_bytes()
    with zipfile.ZipFile(tmp_path / "one" / "bag.zip") as bag:
        entries = bag.infolist()
    assert {(e.date_time, e.external_attr >> 16, e.create_system) for e in entries} == {
        ((1980, 1, 1, 0, 0, 0), 0o100644, 3)
    }


def test_a_bag_of_invalid_input_is_refused_and_not_written(archive: Archive, run, tmp_path: Path) -> None:
    archive.seed("c.txt", "No record.\n")
    result = run("bag", "--root", ".", str(tmp_path / "b.zip"))
    assert result.status == 1
    assert (
        result.err.splitlines()[0]
        == "seeds/c.txt: has no record in metadata.yaml; add one under 'documents:', for example:"
    )
    assert not (tmp_path / "b.zip").exists()


def test_nothing_is_exported_or_bagged_into_seeds(archive: Archive, run) -> None:
    result = run("bag", "--root", ".", "seeds/bag.zip")
    assert (result.status, result.err) == (
        1,
        "seeds/bag.zip: is inside seeds/; nothing is ever written near the documents\n"
        "1 problem found; nothing was written.\n",
    )
    assert not (archive.root / "seeds" / "bag.zip").exists()


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["export", "afile"], "afile: is a file: export writes its files into a folder"),
        (["export", "afile/corpus"], "afile/corpus: cannot write: Not a directory"),
        (["bag", "afile/bag.zip"], "afile: cannot write: it is a file, where a folder is needed"),
    ],
)
def test_an_export_or_bag_that_cannot_be_written_is_a_problem_not_a_traceback(
    archive: Archive, run, args: list[str], says: str
) -> None:
    (archive.root / "afile").write_text("in the way\n")
    result = run(*args, "--root", ".")
    assert (result.status, result.err.splitlines()) == (1, [says, "1 problem found; nothing was written."])
    assert (archive.root / "afile").read_text() == "in the way\n"


def test_an_export_that_fails_part_way_leaves_the_earlier_export_as_it_was(
    archive: Archive, run, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run("export", "out", "--root", ".", "--quiet").status == 0
    before = {path.name: path.read_bytes() for path in (archive.root / "out").iterdir()}
    (archive.root / "seeds" / "b.txt").write_text("Second document, edited.\n")
    real_open = open

    def disk_full_at_the_ris(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        if str(path).endswith(".citations.ris.archive-tmp"):
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", disk_full_at_the_ris)
    result = run("export", "out", "--root", ".")
    assert result.err.splitlines() == [
        "out/.citations.ris.archive-tmp: cannot write: No space left on device",
        "1 problem found; nothing was written.",
    ]
    assert {path.name: path.read_bytes() for path in (archive.root / "out").iterdir()} == before


def test_bag_in_site_puts_the_bag_in_the_site_and_links_it_from_the_about_page(tiny: Archive, run) -> None:
    bagit = pytest.importorskip("bagit")
    metadata = tiny.root / "metadata.yaml"
    metadata.write_text(metadata.read_text().replace("  language: en\n", "  language: en\n  bag_in_site: true\n", 1))
    assert run("--root", ".", "--quiet").status == 0
    assert '<a href="bag.zip">bag.zip</a>' in (tiny.site / "about.html").read_text()
    assert run("bag", "--root", ".", "elsewhere/bag.zip", "--quiet").status == 0
    assert (tiny.site / "bag.zip").read_bytes() == (tiny.root / "elsewhere" / "bag.zip").read_bytes()
    with zipfile.ZipFile(tiny.site / "bag.zip") as bag:
        bag.extractall(tiny.root / "unzipped")
    bagit.Bag(str(tiny.root / "unzipped" / "bag")).validate()
    assert run("verify", "--root", ".", "--quiet").status == 0


def test_a_bag_in_site_setting_that_is_not_true_or_false_is_refused(tiny: Archive, run) -> None:
    metadata = tiny.root / "metadata.yaml"
    metadata.write_text(metadata.read_text().replace("  language: en\n", '  language: en\n  bag_in_site: "yes"\n', 1))
    result = run("--root", ".")
    assert (result.status, result.err) == (
        1,
        "metadata.yaml:6: archive.bag_in_site: expected true or false, got text\n1 problem found; nothing was written.\n",
    )


def test_the_bag_in_the_site_is_made_again_when_a_seed_changes_and_equals_a_clean_build(tmp_path: Path) -> None:
    model = Model(tmp_path / "archive")
    model.settings["bag_in_site"] = True
    model.add("a.txt", "Alpha", "2022")
    model.add("b.txt", "Beta", "2022-09")
    model.write()
    site = tmp_path / "site"
    build_quietly(model.root, site)
    first = (site / "bag.zip").read_bytes()
    for step, edit in enumerate(
        [
            lambda: model.texts.update({"a.txt": "Changed.\n"}),
            lambda: model.add("c.txt", "Gamma", "2021"),
            lambda: model.set("b.txt", "title", "Beta Prime"),
            lambda: model.settings.update({"bag_in_site": False}),
            lambda: model.settings.update({"bag_in_site": True}),
        ]
    ):
        edit()
        model.write()
        build_quietly(model.root, site)
        assert_same_as_clean(model.root, site, tmp_path / f"clean{step}", f"step {step}")
    assert (site / "bag.zip").read_bytes() != first


# export


def test_export_writes_the_corpus_with_every_text_as_decoded(tiny: Archive, run, tmp_path: Path) -> None:
    result = run("export", "--root", ".", str(tmp_path / "out"))
    assert (result.status, result.err) == (0, "")
    lines = (tmp_path / "out" / "corpus.jsonl").read_text("utf-8").splitlines()
    corpus = [json.loads(line) for line in lines]
    records = documents(tiny.site)
    assert [{k: v for k, v in doc.items() if k != "text"} for doc in corpus] == records
    for doc in corpus:
        seed = (tiny.root / "seeds" / doc["file"]).read_bytes()
        assert doc["text"] == seed.decode(doc.get("encoding", "utf-8"))
    assert "\a.\r\nWindows" in corpus[3]["text"]  # control characters and CRLF as they stand


def test_export_leaves_out_a_byte_order_mark(archive: Archive, run, tmp_path: Path) -> None:
    archive.seed("a.txt", "\ufeffFirst line.\r\nSecond.\r".encode())
    assert run("export", "--root", ".", "out", "--quiet").status == 0
    corpus = [json.loads(line) for line in (archive.root / "out" / "corpus.jsonl").open(encoding="utf-8")]
    assert [doc["text"] for doc in corpus] == ["Second document, “quoted”.\n", "First line.\r\nSecond.\r"]


def test_export_writes_every_citation_for_bibtexparser_rispy_and_citeproc(tiny: Archive, run) -> None:
    bibtexparser = pytest.importorskip("bibtexparser")
    rispy = pytest.importorskip("rispy")
    citeproc = pytest.importorskip("citeproc")
    from citeproc.source.json import CiteProcJSON

    from archive.citation import citation_key

    result = run("export", "--root", ".", "out", "--base-url", "https://example.org/a/")
    assert (result.status, result.err) == (0, "")
    keys = [citation_key(doc["file"]) for doc in documents(tiny.site)]
    library = bibtexparser.parse_string((tiny.root / "out" / "citations.bib").read_text("utf-8"))
    assert [entry.key for entry in library.entries] == keys and not library.failed_blocks
    records = rispy.loads((tiny.root / "out" / "citations.ris").read_text("utf-8"))
    assert [record["id"] for record in records] == keys
    assert records[1]["urls"][0] == "https://example.org/a/documents/report-zh.html"
    items = json.loads((tiny.root / "out" / "citations.csl.json").read_text("utf-8"))
    assert [item["id"] for item in items] == keys
    source = CiteProcJSON(items)
    style = citeproc.CitationStylesStyle("harvard-cite-them-right", validate=False)
    bibliography = citeproc.CitationStylesBibliography(style, source, citeproc.formatter.plain)
    bibliography.register(citeproc.Citation([citeproc.CitationItem(key) for key in keys]))
    rendered = [str(item) for item in bibliography.bibliography()]
    assert len(rendered) == 4 and any("Old pamphlet" in item for item in rendered)
    # the same citations as each document's own cite/ files
    assert run("--root", ".", "--quiet", "--base-url", "https://example.org/a/").status == 0
    built = [(tiny.site / "cite" / f"{Path(doc['page']).stem}.ris").read_bytes() for doc in documents(tiny.site)]
    assert (tiny.root / "out" / "citations.ris").read_bytes() == b"\r\n".join(built)
