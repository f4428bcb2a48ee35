"""Fuzzing the loader, the validator and the page renderer with hypothesis.

Any metadata.yaml and any seeds either build or are refused: exit 0 or 1, never a
traceback. A refusal lists problems compiler style (`path:line: message` or `path: message`,
a seed's stub record aside) and ends with the summary; a build shows every seed verbatim.

Three kinds of metadata.yaml: arbitrary text (YAML-ish characters, any Unicode, any bytes),
a valid file with a few characters inserted, deleted or replaced, and structured-but-wrong
mappings (wrong types, missing and unknown keys, odd Unicode, huge numbers, nested lists)
written out by PyYAML. The budget is bounded for CI: FUZZ_EXAMPLES (default 200) examples.
"""

from __future__ import annotations

import contextlib
import datetime
import io
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import yaml
from html_text import browser_newlines, verbatim_text
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import build
from archive.problems import ESCAPED

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "200"))

# -- seeds -------------------------------------------------------------------------------

ODD_NAMES = st.text(st.characters(codec="utf-8", exclude_characters="/\x00"), min_size=1, max_size=10).filter(
    lambda name: name not in (".", "..")
)
NAMES = st.sampled_from(["a.txt", "b.txt", "c.txt", "Doc One.txt"]) | ODD_NAMES
ANY_TEXT = st.text(max_size=40)
"""Any code points at all: controls, noncharacters, lone surrogates."""
NICE_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cc", "Cs", "Cn"]), min_size=1, max_size=40)
TEXT = NICE_TEXT | ANY_TEXT
NICE_NAMES = st.sampled_from(
    ["a.txt", "b.txt", "Doc One.txt", "中文.txt", "a&b <c>.txt", "x#y?z%.txt"]
) | st.from_regex(r"[a-zA-Z0-9][a-zA-Z0-9 ._-]{0,8}[a-zA-Z0-9]", fullmatch=True)
SEED_TEXT = st.text(st.characters(codec="utf-8"), max_size=200) | st.sampled_from(
    ["</pre><script>alert(1)</script>", "\r\n\r\n", "\n", "\x00\x85\ufffe\U0010ffff", "{{ 7*7 }}", "\ufeffBOM"]
)
TEXT_ENCODINGS = [
    "utf-8",
    "utf-8-sig",
    "latin-1",
    "windows-1252",
    "utf-16",
    "utf-32",
    "utf-7",
    "raw_unicode_escape",
    "unicode_escape",
    "gb18030",
    "shift_jis",
    "cp037",
]
ENCODINGS = [*TEXT_ENCODINGS, "idna", "punycode", "ascii", "rot13", "base64", "klingon"]


@st.composite
def seed_bytes(draw: st.DrawFn, encoding: str | None, clean: bool = False) -> bytes:
    """A seed's bytes: mostly text in the record's encoding, sometimes any bytes at all."""
    if not clean and draw(st.integers(0, 4)) == 0:
        return draw(st.binary(max_size=200))
    text = draw(SEED_TEXT.filter(bool) if clean else SEED_TEXT)
    try:
        return text.encode(encoding or "utf-8", "ignore")
    except (LookupError, TypeError, UnicodeError, ValueError):
        return text.encode("utf-8")


# -- metadata ----------------------------------------------------------------------------

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(10**40), 10**40)
    | st.floats()
    | TEXT
    | st.dates()
    | st.datetimes()
    | st.binary(max_size=8)
)
WRONG = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3), max_leaves=8
)
NICE_DATES = st.builds(
    lambda day, precision, qualifier: day.isoformat()[:precision] + qualifier,
    st.dates(min_value=datetime.date(1000, 1, 1), max_value=datetime.date(2025, 12, 31)),
    st.sampled_from([4, 7, 10]),
    st.sampled_from(["", "?", "~"]),
)
DATES = (
    st.from_regex(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?[?~]?", fullmatch=True)
    | st.sampled_from(["2022-09-01", "2022-09", "2022", "2022-09-01?", "2022~", "2022-02-30", "9999", "0000"])
    | st.dates().map(str)
    | st.dates()
    | TEXT
)
FIELDS = ["title", "publisher", "date", "stance", "author", "source_url", "language", "slug", "note", "encoding"]
OPTIONAL = {
    "author": NICE_TEXT,
    "note": NICE_TEXT | st.sampled_from(["[x](javascript:alert(1))", "<script>alert(1)</script>", "*a* `b`"]),
    "source_url": st.sampled_from(["https://example.org/a?b=1&c=<x>", "http://例え.jp/パス", "https://x.org/#\"'>"]),
    "language": st.sampled_from(["en", "zh-Hans", "ar", "pt-BR"]),
    "slug": st.from_regex(r"[a-z0-9]{1,5}(-[a-z0-9]{1,5}){0,2}", fullmatch=True),
}
"""Optional fields with valid values, for the archives meant to build."""


def damaged(draw: st.DrawFn, record: dict[Any, Any], names: list[str]) -> dict[Any, Any]:
    """Sometimes a record with a value of the wrong type, a field gone or an unknown one."""
    for _ in range(draw(st.integers(0, 2)) if draw(st.integers(0, 3)) == 0 else 0):
        what = draw(st.sampled_from(["wrong", "missing", "unknown"]))
        name = draw(st.sampled_from(names))
        if what == "wrong":
            record[name] = draw(WRONG)
        elif what == "missing":
            record.pop(name, None)
        else:
            record[draw(TEXT | st.sampled_from(["titel", "stanse", "<<", "="]))] = draw(WRONG)
    return record


@st.composite
def structured(draw: st.DrawFn) -> tuple[bytes, dict[str, bytes]]:
    """A metadata mapping much like a real one, with seeds to match: half of them valid.

    The other half are more or less wrong: wrong types, fields missing or unknown, odd
    Unicode, impossible dates, records without seeds.
    """
    clean = draw(st.booleans())
    text, dates, names = (NICE_TEXT, NICE_DATES, NICE_NAMES) if clean else (TEXT, DATES, NAMES)
    keys = ["for", "against", "neutral"] if clean else ["for", "against", "neutral", "Not A Key"]
    stance_keys = draw(st.lists(st.sampled_from(keys), min_size=1, max_size=3, unique=True))
    stances = {key: {"label": draw(text), "description": draw(text)} for key in stance_keys}
    documents: dict[Any, Any] = {}
    seeds: dict[str, bytes] = {}
    for name in draw(st.lists(names, min_size=1, max_size=3, unique_by=str.casefold)):
        record: dict[Any, Any] = {
            "title": draw(text),
            "publisher": draw(text),
            "date": draw(dates),
            "stance": draw(st.sampled_from(stance_keys) if clean else st.sampled_from(stance_keys) | TEXT),
        }
        if draw(st.booleans()):
            record["encoding"] = draw(st.sampled_from(TEXT_ENCODINGS if clean else ENCODINGS))
        for field in draw(st.lists(st.sampled_from(sorted(OPTIONAL)), max_size=3, unique=True)):
            record[field] = draw(OPTIONAL[field] if clean else TEXT)
        documents[name] = record
        if clean or draw(st.integers(0, 9)):
            encoding = record.get("encoding")
            seeds[name] = draw(seed_bytes(encoding if isinstance(encoding, str) else None, clean))
    data: dict[Any, Any] = {
        "archive": {"title": draw(text), "language": "en"},
        "stances": stances,
        "documents": documents,
    }
    if not clean:
        for key in stance_keys:
            damaged(draw, stances[key], ["label", "description"])
        for record in documents.values():
            damaged(draw, record, FIELDS)
        data = damaged(draw, data, ["archive", "stances", "documents"])
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=draw(st.booleans()))
    return text.encode("utf-8", "surrogatepass"), seeds


VALID = """\
archive:
  title: Fuzzed
stances:
  for:
    label: For
    description: Supports it.
documents:
  a.txt:
    title: Alpha
    publisher: Daily One
    date: 2022-09-01
    stance: for
  b.txt:
    title: "Beta"
    publisher: Weekly Two
    date: "2022-08"
    stance: for
    note: |
      A *note*.
"""
YAMLISH = st.sampled_from(list(":-?[]{},&*!|>'\"#%@`~\t\n\r \\") + ["---", "...", "<<", "!!", "\ufeff"])


@st.composite
def mutated(draw: st.DrawFn) -> tuple[bytes, dict[str, bytes]]:
    """The valid file with a few characters inserted, deleted or replaced."""
    text = VALID
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        new = draw(YAMLISH | st.characters())
        text = draw(
            st.sampled_from([text[:at] + new + text[at:], text[:at] + text[at + 1 :], text[:at] + new + text[at + 1 :]])
        )
    seeds = {"a.txt": draw(seed_bytes("utf-8")), "b.txt": draw(seed_bytes("utf-8"))}
    return text.encode("utf-8", "surrogatepass"), seeds


@st.composite
def arbitrary(draw: st.DrawFn) -> tuple[bytes, dict[str, bytes]]:
    """Any text (YAML-ish characters and any Unicode), or any bytes."""
    text = draw(
        st.lists(YAMLISH | st.characters() | st.sampled_from(["a", "archive", "title", "documents"]), max_size=60).map(
            "".join
        )
    )
    data = text.encode("utf-8", "surrogatepass") if draw(st.integers(0, 4)) else draw(st.binary(max_size=100))
    return data, {"a.txt": draw(seed_bytes("utf-8"))}


ARCHIVES = st.one_of(structured(), structured(), mutated(), arbitrary())
"""Structured archives half the time: they are the ones that get as far as pages."""

# -- the test ----------------------------------------------------------------------------

PREFIX = re.compile(r"(metadata\.yaml|seeds(/.+?)?)(:[0-9]+)?: \S")
SUMMARY = re.compile(r"([0-9]+) problems? found; nothing was written\.")


def write_archive(root: Path, metadata: bytes, seeds: dict[str, bytes]) -> None:
    (root / "metadata.yaml").write_bytes(metadata)
    (root / "seeds").mkdir()
    for name, data in seeds.items():
        (root / "seeds" / name).write_bytes(data)


def run_build(root: Path) -> tuple[int, str]:
    """build.main in `root`: exit status and stderr. Any exception escapes: it is a bug."""
    err, out = io.StringIO(), io.StringIO()
    cwd = os.getcwd()
    os.chdir(root)
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
            status = build.main(["--root", ".", "--quiet"])
    finally:
        os.chdir(cwd)
    assert out.getvalue() == ""
    return status, err.getvalue()


def assert_problems_listed(err: str) -> None:
    """Each line a problem with its path (or a line of a stub record), then the summary."""
    assert not ESCAPED.search(err.replace("\n", "")), err
    lines = err.split("\n")
    assert lines[-1] == "", err
    summary = SUMMARY.fullmatch(lines[-2])
    assert summary, err
    problems, stub = 0, 0
    for line in lines[:-2]:
        if stub:
            assert line.startswith("  "), err
            stub -= 1
            continue
        assert PREFIX.match(line), f"{line!r} in\n{err}"
        problems += 1
        if line.endswith("has no record in metadata.yaml; add one under 'documents:', for example:"):
            stub = 5
    assert stub == 0 and problems == int(summary.group(1)), err


def assert_pages_are_verbatim(root: Path, seeds: dict[str, bytes]) -> None:
    site = root / "_site"
    records = json.loads((site / "metadata.json").read_text("utf-8"))["documents"]
    assert sorted(record["file"] for record in records) == sorted(seeds)
    for record in records:
        raw = seeds[record["file"]]
        assert (site / record["raw"]).read_bytes() == raw
        page = (site / record["page"]).read_bytes().decode("utf-8")
        text = raw.decode(record.get("encoding", "utf-8"))
        assert verbatim_text(page) == browser_newlines(text)


@given(ARCHIVES)
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_any_input_builds_verbatim_or_is_refused_with_messages(archive: tuple[bytes, dict[str, bytes]]) -> None:
    metadata, seeds = archive
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        try:
            write_archive(root, metadata, seeds)
        except OSError:  # a name this file system refuses (too long, say): not our input
            return
        status, err = run_build(root)
        event(f"exit {status}")
        assert status in (0, 1), err
        if status == 1:
            assert_problems_listed(err)
        else:
            assert err == ""
            assert_pages_are_verbatim(root, seeds)
