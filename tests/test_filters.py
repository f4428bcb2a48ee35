"""The filter data (filters/*.js): one record per document, in shards chosen by the seed's name.

The browser side (static/filters.js) is tested in tests/browser/test_filters.py; the random
sequences of tests/test_incremental.py check that an incremental build writes these files as a
clean one does.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from conftest import Archive, files_under

from archive.outputs import filters

CALL = re.compile(r"window\.ArchiveFilter\.(manifest|shard)\((.*)\);\n", re.DOTALL)


def registered(path: Path) -> tuple[str, list[object]]:
    """What a filter script registers: the method it calls and its arguments, read as JSON."""
    found = CALL.fullmatch(path.read_text("utf-8"))
    assert found, f"{path.name} is not one ArchiveFilter call"
    return found[1], json.loads(f"[{found[2]}]")


def records(site: Path) -> dict[str, list[object]]:
    """Every record of the site's filter data, by page, checking each is in the shard it names."""
    method, (manifest,) = registered(site / "filters" / "shards.js")
    assert method == "manifest"
    found: dict[str, list[object]] = {}
    for name in manifest["shards"]:
        method, (shard, rows) = registered(site / "filters" / f"{name}.js")
        assert (method, shard) == ("shard", name)
        found.update({row[0]: row for row in rows})
    on_disk = sorted(p.name for p in (site / "filters").iterdir())
    assert on_disk == sorted([*(f"{name}.js" for name in manifest["shards"]), "shards.js"])  # every shard, listed
    return found


def test_each_document_has_one_record_saying_what_metadata_json_says(archive: Archive, run) -> None:
    archive.seed("c.txt", "Third.\n")
    with open(archive.root / "metadata.yaml", "a", encoding="utf-8") as stream:
        stream.write('  c.txt:\n    title: "Gamma </script>\\u2028"\n    publisher: Daily One\n')
        stream.write('    date: "2021?"\n    stance: for\n    language: fr\n')
    assert run("--root", ".").status == 0
    documents = json.loads((archive.site / "metadata.json").read_text("utf-8"))["documents"]
    expected = {
        doc["page"][len("documents/") : -len(".html")]: [
            doc["page"][len("documents/") : -len(".html")],
            doc["title"],
            {"Daily One": "daily-one", "Weekly Two": "weekly-two"}[doc["publisher"]],
            doc["publisher"],
            doc["stance"],
            doc["date"],
            {"2022-09-01": "2022-09-01", "2022-08": "2022-08-01", "2021?": "2021-01-01"}[doc["date"]],
            doc.get("language", ""),
        ]
        for doc in documents
    }
    assert records(archive.site) == expected
    assert expected["gamma-script"][1] == "Gamma </script>\u2028"
    assert "\u2028" not in (archive.site / "filters" / f"{filters.shard_of('c.txt')}.js").read_text("utf-8")


def test_the_shard_is_a_function_of_the_seed_name_only() -> None:
    names = [f"{n:03d}_{n * 7919:x}.txt" for n in range(2000)]
    shards = [filters.shard_of(name) for name in names]
    assert shards == [filters.shard_of(name) for name in reversed(names)][::-1]
    assert len(set(shards)) == filters.SHARDS  # spread over all of them
    assert all(re.fullmatch("[0-3][0-9a-f]", shard) for shard in shards)


def test_adding_one_document_rewrites_its_shard_and_at_most_the_list_of_shards(archive: Archive, run) -> None:
    for n in range(40):
        archive.seed(f"doc{n}.txt", f"Document {n}.\n")
        with open(archive.root / "metadata.yaml", "a", encoding="utf-8") as stream:
            stream.write(
                f'  doc{n}.txt:\n    title: Doc {n}\n    publisher: Daily One\n    date: "2020"\n    stance: for\n'
            )
    assert run("--root", ".").status == 0
    for n in range(40, 46):
        before = files_under(archive.site / "filters")
        archive.seed(f"doc{n}.txt", f"Document {n}.\n")
        with open(archive.root / "metadata.yaml", "a", encoding="utf-8") as stream:
            stream.write(
                f'  doc{n}.txt:\n    title: Doc {n}\n    publisher: Daily One\n    date: "2020"\n    stance: for\n'
            )
        assert run("--root", ".").status == 0
        after = files_under(archive.site / "filters")
        changed = sorted(path for path in after if before.get(path) != after[path])
        shard = f"{filters.shard_of(f'doc{n}.txt')}.js"
        assert changed in ([shard], [shard, "shards.js"])
        assert (changed == [shard]) == (shard in before)  # the list changes only for a new shard


def test_a_removed_document_s_empty_shard_is_removed_and_unlisted(archive: Archive, run) -> None:
    assert run("--root", ".").status == 0
    shard = filters.shard_of("b.txt")
    assert shard != filters.shard_of("a.txt")
    assert (archive.site / "filters" / f"{shard}.js").is_file()
    (archive.root / "seeds" / "b.txt").unlink()
    text = (archive.root / "metadata.yaml").read_text()
    (archive.root / "metadata.yaml").write_text(text[: text.index("  b.txt:")])
    assert run("--root", ".").status == 0
    assert not (archive.site / "filters" / f"{shard}.js").exists()
    assert list(records(archive.site)) == ["alpha"]
