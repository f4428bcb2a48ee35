"""The record cache of metadata.yaml (archive/records.py): never a different archive than a full parse.

A build that remembers each record's text parses only new records; whatever the edit,
its result must be the full path's: the same Archive (documents, lines and all), or the
same problems. Hypothesis edits a valid file at random (characters, whole lines, quotes,
indentation, flow mappings, block scalars, comments) and compares the two.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive import composing, records, store
from archive.load import parse_metadata, read_metadata
from archive.problems import Invalid
from archive.seeds import load_seeds
from archive.validate import validate

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "200"))
NAMES = ["a.txt", "b.txt", "c.txt", "d.txt"]
BASE = """\
archive:
  title: Records
  language: en
stances:
  for: {label: For, description: Supports it.}
  against:
    label: Against
    description: Opposes it.
documents:
  # the records
  a.txt:
    title: "Alpha: one"
    publisher: Daily One
    date: 2022-09-01
    stance: for
  b.txt:
    title: 'Beta # two'
    publisher: Weekly Two
    date: "2022-08?"
    stance: against
    note: |
      A note
        kept as written.

  c.txt: {title: Gamma, publisher: Daily One, date: "2021", stance: for}
  d.txt:
    title: >-
      Delta folded
      over lines
    publisher: "Weekly
      Two"
    date: 2020-01-02~
    stance: against
    source_url: https://example.org/d
"""
SNIPPETS = [
    "\n",
    " ",
    "  ",
    "\n  e.txt:\n    title: E\n",
    "\n  a.txt:\n",
    '"',
    "'",
    "{",
    "}",
    "#",
    ":",
    "- ",
    "? ",
    "|",
    ">",
    "&x ",
    "*x",
    "!!str ",
    "---\n",
    "\n  ",
    "\ndocuments:\n",
    "\nextra: 1\n",
    "\t",
    "\r",
    "\n    title: Twice\n",
    "\n  # a comment\n",
    "\n#\n",
    "2022",
    "x",
    "é",
]


def full(root: Path) -> tuple[str, object]:
    """The full path's verdict: the archive, or the problems."""
    seeds, _ = load_seeds(root / "seeds")
    metadata = root / "metadata.yaml"
    try:
        return "ok", validate(parse_metadata(read_metadata(metadata), "metadata.yaml"), seeds, metadata, root / "seeds")
    except Invalid as invalid:
        return "invalid", [str(p) for p in invalid.problems]


Memory = dict[str, dict[str, Any]]
"""What a build remembers of the records, by kind (`chunks`, `records`), as the store keeps it."""


def recall_from(memory: Memory) -> store.Recall:
    """A store's `get` over `memory`."""
    return lambda kind, keys: {key: memory[kind][key] for key in keys if key in memory.get(kind, {})}


def cached(root: Path, memory: Memory) -> tuple[str, object]:
    """The cached path's verdict."""
    seeds, _ = load_seeds(root / "seeds")
    try:
        archive, _ = records.load_archive(root / "metadata.yaml", seeds, root / "seeds", recall_from(memory))
        return "ok", archive
    except Invalid as invalid:
        return "invalid", [str(p) for p in invalid.problems]


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in NAMES:
        (tmp_path / "seeds").mkdir(exist_ok=True)
        (tmp_path / "seeds" / name).write_text(f"The text of {name}.\n", encoding="utf-8")
    (tmp_path / "metadata.yaml").write_text(BASE, encoding="utf-8")
    return tmp_path


def remembered(root: Path) -> Memory:
    """What a build of the base file remembers."""
    seeds, _ = load_seeds(root / "seeds")
    _, memory = records.load_archive(root / "metadata.yaml", seeds, root / "seeds", None)
    assert memory is not None and memory.made == memory.chunks.keys()  # a full parse makes every chunk
    return {"chunks": memory.chunks, "records": memory.records()}


def test_the_base_file_is_split_into_its_four_records() -> None:
    split = records.split_records(BASE)
    assert split is not None
    assert [line for line, _ in split.records] == [11, 16, 25, 26]
    assert split.records[2][1] == '  c.txt: {title: Gamma, publisher: Daily One, date: "2021", stance: for}\n'
    assert split.head.count("\n") == BASE.count("\n")
    assert "Alpha" not in split.head and "Records" in split.head


def test_unchanged_records_are_not_parsed_again(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    memory = remembered(root)
    parsed: list[str] = []
    real = composing.parse_record
    monkeypatch.setattr(composing, "parse_record", lambda record, *a: parsed.append(record[:8]) or real(record, *a))
    path = root / "metadata.yaml"
    path.write_text(BASE.replace("Gamma", "Gamma revised"), encoding="utf-8")
    assert cached(root, memory) == full(root)
    assert parsed == ["  c.txt:"]


def test_a_moved_record_keeps_its_fields_and_gets_its_new_line(root: Path) -> None:
    memory = remembered(root)
    moved = BASE.replace("documents:\n", "documents:\n\n\n")
    (root / "metadata.yaml").write_text(moved, encoding="utf-8")
    verdict = cached(root, memory)
    assert verdict == full(root)
    assert verdict[0] == "ok"
    assert [doc.line for doc in verdict[1].documents] == [13, 18, 27, 28]  # type: ignore[attr-defined]


def test_a_key_line_inside_a_quoted_text_is_not_taken_for_a_record(root: Path) -> None:
    memory = remembered(root)
    tricky = BASE.replace('    title: "Alpha: one"', '    title: "Alpha: one\n  b.txt:\n    title: not a record"')
    (root / "metadata.yaml").write_text(tricky, encoding="utf-8")
    assert cached(root, memory) == full(root)


def test_a_remembered_record_of_a_seed_in_another_encoding_gives_its_document(root: Path) -> None:
    (root / "seeds" / "b.txt").write_bytes("Caf\u00e9 in Latin-1.\n".encode("latin-1"))
    (root / "metadata.yaml").write_text(
        BASE.replace("    stance: against\n    note", "    stance: against\n    encoding: latin-1\n    note")
    )
    memory = remembered(root)
    (root / "metadata.yaml").write_text((root / "metadata.yaml").read_text().replace("Gamma", "Gamma revised"))
    verdict = cached(root, memory)
    assert verdict == full(root) and verdict[0] == "ok"
    assert verdict[1].documents[1].encoding == "latin-1"  # type: ignore[attr-defined]
    (root / "seeds" / "b.txt").write_bytes(b"")
    assert cached(root, memory) == full(root)


def test_records_after_a_line_separator_in_quotes_keep_their_lines(root: Path) -> None:
    """libyaml counts U+2028 and U+2029 as line breaks; records are placed on the lines LF counts."""
    (root / "metadata.yaml").write_text(BASE.replace('"Alpha: one"', "'Alpha:\u2028one\u2029'"), encoding="utf-8")
    memory = remembered(root)
    (root / "metadata.yaml").write_text(
        BASE.replace('"Alpha: one"', "'Alpha:\u2028one\u2029'").replace("Gamma", "Gamma revised"), encoding="utf-8"
    )
    verdict = cached(root, memory)
    assert verdict == full(root) and verdict[0] == "ok"
    assert [doc.line for doc in verdict[1].documents] == [11, 16, 25, 26]  # type: ignore[attr-defined]
    assert verdict[1].documents[0].title == "Alpha:\u2028one\u2029"  # type: ignore[attr-defined]
    split = records.split_records((root / "metadata.yaml").read_text("utf-8"))
    assert split is not None
    texts = [record for _, record in split.records]
    assert composing.parse_chunk((texts, "metadata.yaml", STANCES)) is not None


def test_a_cache_from_elsewhere_is_ignored(root: Path) -> None:
    memory = remembered(root)
    chunks, kept = memory["chunks"], memory["records"]
    for other in (
        {},
        {"chunks": {"garbage": "x"}},
        {"chunks": dict.fromkeys(chunks, "junk")},
        {"chunks": dict.fromkeys(chunks, ([],) * records.WIDTH)},
        {"chunks": {key: chunk[:-1] for key, chunk in chunks.items()}},
        {"records": dict.fromkeys(kept, "junk")},
        {"records": dict.fromkeys(kept, ("a.txt", ()))},
        {"chunks": {key: (*chunk[:1], *([None] * len(chunk[0]) for _ in chunk[1:])) for key, chunk in chunks.items()}},
    ):
        assert cached(root, other) == full(root)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    edits=st.lists(
        st.tuples(st.integers(0, len(BASE)), st.integers(0, 3), st.sampled_from(SNIPPETS) | st.text(max_size=3)),
        min_size=1,
        max_size=4,
    ),
    drop_seed=st.none() | st.sampled_from(NAMES),
    every=st.sampled_from([1, 2, records.CHUNK_EVERY]),
)
def test_any_edit_gives_what_a_full_parse_gives(
    root: Path, edits: list[tuple[int, int, str]], drop_seed: str | None, every: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(records, "CHUNK_EVERY", every)  # chunks of one record, of some, of all four
    (root / "metadata.yaml").write_text(BASE, encoding="utf-8")
    memory = remembered(root)
    text = BASE
    for position, deleted, inserted in edits:
        position = min(position, len(text))
        text = text[:position] + inserted + text[position + deleted :]
    (root / "metadata.yaml").write_text(text, encoding="utf-8", errors="surrogatepass")
    if drop_seed:
        (root / "seeds" / drop_seed).rename(root / "seeds" / f".{drop_seed}")
    try:
        assert cached(root, memory) == full(root)
    finally:
        if drop_seed:
            (root / "seeds" / f".{drop_seed}").rename(root / "seeds" / drop_seed)


def test_a_record_added_at_the_end_is_the_only_one_parsed(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    memory = remembered(root)
    (root / "seeds" / "e.txt").write_text("The fifth.\n", encoding="utf-8")
    path = root / "metadata.yaml"
    path.write_text(BASE + "  e.txt:\n    title: Epsilon\n    publisher: P\n    date: 2019\n    stance: for\n", "utf-8")
    parsed: list[str] = []
    real = composing.parse_record
    monkeypatch.setattr(composing, "parse_record", lambda record, *a: parsed.append(record[:8]) or real(record, *a))
    verdict = cached(root, memory)
    assert verdict == full(root)
    assert [doc.file for doc in verdict[1].documents] == [*NAMES, "e.txt"]  # type: ignore[attr-defined]
    assert parsed == ["  e.txt:"]


def many_records(root: Path, count: int = 40) -> list[str]:
    """`count` more seeds, and their records as metadata.yaml would hold them, in order."""
    names = [f"n{number:02}.txt" for number in range(count)]
    for name in names:
        (root / "seeds" / name).write_text(f"The text of {name}.\n", encoding="utf-8")
    return [
        f"  {name}:\n    title: Number {number}\n    publisher: P\n    date: 2019\n    stance: for\n"
        for number, name in enumerate(names)
    ]


def parsed_records(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The start of each record parsed on its own from now on."""
    parsed: list[str] = []
    parse = composing.parse_record
    monkeypatch.setattr(composing, "parse_record", lambda record, *a: parsed.append(record[:8]) or parse(record, *a))
    return parsed


def test_an_edit_in_a_file_of_many_chunks_makes_one_chunk_again(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(records, "CHUNK_EVERY", 4)
    many = BASE + "".join(many_records(root))
    path = root / "metadata.yaml"
    path.write_text(many, encoding="utf-8")
    memory = remembered(root)
    assert len(memory["chunks"]) > 5 and len(memory["records"]) == 44
    asked: list[str] = []
    real = recall_from(memory)
    path.write_text(many.replace("title: Number 20\n", "title: Number twenty\n"), encoding="utf-8")
    parsed = parsed_records(monkeypatch)
    seeds, _ = load_seeds(root / "seeds")
    recall = lambda kind, keys: asked.extend([kind] * len(keys := list(keys))) or real(kind, keys)  # noqa: E731
    archive, kept = records.load_archive(path, seeds, root / "seeds", recall)
    assert ("ok", archive) == full(root)
    assert parsed == ["  n20.tx"]
    assert kept is not None and len(kept.made) in (1, 2)  # the edited record's chunk (and the next, if its end moved)
    assert kept.made == kept.chunks.keys() - memory["chunks"].keys()
    assert len(kept.records().keys() - memory["records"].keys()) == 1  # the edited record's new text
    assert asked.count("chunks") == len(kept.chunks) and 1 <= asked.count("records") < 44 / 2


def test_records_put_in_another_order_are_not_parsed_again(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(records, "CHUNK_EVERY", 4)
    texts = many_records(root)
    path = root / "metadata.yaml"
    path.write_text(BASE + "".join(texts), encoding="utf-8")
    memory = remembered(root)
    path.write_text(BASE + "".join(reversed(texts)), encoding="utf-8")
    parsed = parsed_records(monkeypatch)
    seeds, _ = load_seeds(root / "seeds")
    archive, kept = records.load_archive(path, seeds, root / "seeds", recall_from(memory))
    assert ("ok", archive) == full(root) and parsed == []
    assert kept is not None and kept.chunks.keys() != memory["chunks"].keys()  # the chunks are new, not the records


def test_a_chunk_of_another_shape_is_made_again_to_be_written_over(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(records, "CHUNK_EVERY", 4)
    path = root / "metadata.yaml"
    path.write_text(BASE + "".join(many_records(root)), encoding="utf-8")
    memory = remembered(root)
    damaged = sorted(memory["chunks"])[0]
    memory["chunks"][damaged] = memory["chunks"][damaged][:-1]
    parsed = parsed_records(monkeypatch)
    seeds, _ = load_seeds(root / "seeds")
    archive, kept = records.load_archive(path, seeds, root / "seeds", recall_from(memory))
    assert ("ok", archive) == full(root) and parsed == []  # its records are each remembered
    assert kept is not None and kept.made == {damaged} and records.fits_any(kept.chunks[damaged])


def test_a_stance_no_longer_declared_is_found_in_a_remembered_record(root: Path) -> None:
    memory = remembered(root)
    narrower = BASE.replace("  against:\n    label: Against\n    description: Opposes it.\n", "")
    (root / "metadata.yaml").write_text(narrower, encoding="utf-8")
    verdict = cached(root, memory)
    assert verdict == full(root) and verdict[0] == "invalid"
    assert verdict[1] == [
        "metadata.yaml:17: documents.b.txt.stance: 'against' is not one of: for",
        "metadata.yaml:30: documents.d.txt.stance: 'against' is not one of: for",
    ]


STANCES = ["for", "against"]


@settings(max_examples=EXAMPLES, deadline=None)
@given(
    edits=st.lists(
        st.tuples(st.integers(0, len(BASE)), st.integers(0, 3), st.sampled_from(SNIPPETS) | st.text(max_size=3)),
        max_size=4,
    ),
    size=st.integers(1, 4),
)
def test_records_parsed_together_are_each_as_parsed_alone(edits: list[tuple[int, int, str]], size: int) -> None:
    text = BASE
    for position, deleted, inserted in edits:
        position = min(position, len(text))
        text = text[:position] + inserted + text[position + deleted :]
    split = records.split_records(text)
    if split is None:
        return
    texts = [record for _, record in split.records]
    schema = composing.document_schema(STANCES)
    for start in range(0, len(texts), size):
        chunk = texts[start : start + size]
        together = composing.parse_chunk((chunk, "metadata.yaml", STANCES))
        if together is not None:
            assert together == [composing.parse_record(record, "metadata.yaml", schema) for record in chunk]


def test_the_base_records_parse_together() -> None:
    split = records.split_records(BASE)
    assert split is not None
    texts = [record for _, record in split.records]
    schema = composing.document_schema(STANCES)
    alone = [composing.parse_record(record, "metadata.yaml", schema) for record in texts]
    assert None not in alone
    assert composing.parse_chunk((texts, "metadata.yaml", STANCES)) == alone
    assert composing.parse_chunk((texts[1:3], "metadata.yaml", STANCES)) == alone[1:3]


def test_a_first_build_of_many_records_parses_them_in_workers(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(records, "PARALLEL_FROM", 2)
    monkeypatch.setattr(records, "MAX_NEW", 1)
    chunks: list[int] = []
    real = records.parse_in_parallel
    monkeypatch.setattr(records, "parse_in_parallel", lambda new, *a: chunks.append(len(new)) or real(new, *a))
    seeds, _ = load_seeds(root / "seeds")
    slugs: dict[str, str] = {}
    archive, memory = records.load_archive(root / "metadata.yaml", seeds, root / "seeds", None, 2, slugs)
    assert chunks == [4] and ("ok", archive) == full(root)
    assert slugs["Alpha: one"] == "alpha-one" and slugs["Weekly Two"] == "weekly-two" and len(slugs) == 6
    assert memory is not None and cached(root, {"chunks": memory.chunks, "records": memory.records()}) == full(root)
    broken = BASE.replace("    stance: against\n    note", "    stance: sideways\n    note")
    (root / "metadata.yaml").write_text(broken, encoding="utf-8")
    with pytest.raises(Invalid) as raised:
        records.load_archive(root / "metadata.yaml", seeds, root / "seeds", None, jobs=2)
    assert [str(p) for p in raised.value.problems] == full(root)[1]
    assert chunks == [4, 4]


def test_records_in_the_usual_forms_are_each_parsed_alone_as_together() -> None:
    usual = [
        '  a.txt:\n    title: "Alpha: “one” 中文 😀"\n    publisher: Daily One\n    date: 2022-09-01\n    stance: for\n',
        "  b b.txt:\n    title: 'Beta # two'\n    publisher: People's Daily\n    date: \"2022-08?\"\n    stance: against\n\n",
        '  "c.txt":\n      title: Gamma\n      publisher: "A \'B\'"\n      date: 2021\n      stance: for',
    ]
    schema = composing.document_schema(STANCES)
    alone = [composing.parse_record(record, "metadata.yaml", schema) for record in usual]
    assert [name for name, _ in filter(None, alone)] == ["a.txt", "b b.txt", "c.txt"]
    assert alone[0] is not None and alone[0][1]["title"] == "Alpha: “one” 中文 😀"
    assert alone[1] is not None and alone[1][1]["publisher"] == "People's Daily"
    assert composing.parse_chunk((usual, "metadata.yaml", STANCES)) == alone


def test_the_records_of_a_chunk_gone_leave_the_store(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from archive.memory import keep_records
    from archive.store import Store

    monkeypatch.setattr(records, "CHUNK_EVERY", 4)
    texts = many_records(root)
    path = root / "metadata.yaml"
    path.write_text(BASE + "".join(texts), encoding="utf-8")
    seeds, _ = load_seeds(root / "seeds")
    store = Store.open(tmp_path / "out")
    _, first = records.load_archive(path, seeds, root / "seeds", store.get)
    assert first is not None
    keep_records(store, first)
    store.commit()
    store = Store.open(tmp_path / "out")
    path.write_text(BASE + "".join(texts).replace("title: Number 20\n", "title: Number twenty\n"), encoding="utf-8")
    _, second = records.load_archive(path, seeds, root / "seeds", store.get)
    assert second is not None and 0 < len(second.made) < len(second.chunks)
    keep_records(store, second)
    store.commit()
    kept = Store.open(tmp_path / "out")
    assert kept.all("chunks").keys() == second.chunks.keys()
    assert kept.all("records").keys() == set(second.digests().values())  # the edited record's old text is gone
