"""The catalogue of bad input: what the user sees for each, exactly, and that nothing is lost.

Every case starts from the two-document archive of conftest.py, builds it, breaks it, and
builds again: the build must exit 1 with exactly these lines on stderr (summary included, no
traceback), `check` must say the same, and the site built before must be untouched, byte for
byte and mtime for mtime (tests/previous_site.py). tests/test_validate.py holds the cases
that were there first; this file does not repeat them.

The archive's metadata.yaml, for the line numbers below:

     1 archive:                 12   a.txt:
     2   title: Test archive    13     title: Alpha
     3   language: en           14     publisher: Daily One
     4 stances:                 15     date: 2022-09-01
     5   for:                   16     stance: for
     6     label: For           17   b.txt:
     7     description: ...     18     title: Beta
     8   against:               19     publisher: Weekly Two
     9     label: Against       20     date: "2022-08"
    10     description: ...     21     stance: against
    11 documents:
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from conftest import Archive
from previous_site import PreviousSite

from archive import seeds as loader

Break = Callable[[Archive], None]
ONE = "1 problem found; nothing was written."
LOCK_IS = "names.lock is a text file, a page name and its seed file a line"
NEXT_YEAR = datetime.date.today().year + 1
STUB_DATE = '    date: ""            # YYYY-MM-DD, YYYY-MM or YYYY, then ? if uncertain or ~ if approximate'
STUB_STANCE = '    stance: ""          # for | against'


@dataclass(frozen=True)
class Case:
    """One bad input: how to break the archive, and every line the user then sees."""

    id: str
    breaks: Break
    says: list[str]


def edit(*pairs: str) -> Break:
    """Replace each `old` by `new` in metadata.yaml (pairs: old, new, old, new, ...)."""

    def breaks(archive: Archive) -> None:
        path = archive.root / "metadata.yaml"
        text = path.read_text("utf-8")
        for old, new in zip(pairs[::2], pairs[1::2], strict=True):
            assert text.count(old) == 1, old
            text = text.replace(old, new)
        path.write_text(text, "utf-8")

    return breaks


def metadata(data: str | bytes) -> Break:
    """Replace metadata.yaml by these bytes."""

    def breaks(archive: Archive) -> None:
        (archive.root / "metadata.yaml").write_bytes(data.encode() if isinstance(data, str) else data)

    return breaks


def recoded(encoding: str) -> Break:
    """metadata.yaml as it is, but saved in another encoding."""

    def breaks(archive: Archive) -> None:
        path = archive.root / "metadata.yaml"
        path.write_bytes(path.read_text("utf-8").replace("Alpha", "Alphé").encode(encoding))

    return breaks


def seed(name: str | bytes, data: bytes) -> Break:
    """Add a file to seeds/ (a bytes name for one that is not UTF-8)."""

    def breaks(archive: Archive) -> None:
        folder = os.fsencode(archive.root / "seeds")
        with open(os.path.join(folder, os.fsencode(name)), "wb") as stream:
            stream.write(data)

    return breaks


def both(*steps: Break) -> Break:
    def breaks(archive: Archive) -> None:
        for step in steps:
            step(archive)

    return breaks


def fifo(relative: str) -> Break:
    """A named pipe where a file should be: opening it for reading would block forever."""

    def breaks(archive: Archive) -> None:
        path = archive.root / relative
        path.unlink()
        os.mkfifo(path)

    return breaks


def sparse(relative: str, mebibytes: int) -> Break:
    """A file grown to this size, sparse: it takes no room and no time to make."""

    def breaks(archive: Archive) -> None:
        with open(archive.root / relative, "r+b") as stream:
            stream.truncate(mebibytes * 1024 * 1024)

    return breaks


def link_loop(archive: Archive) -> None:
    (archive.root / "seeds" / "loop.txt").symlink_to("loop.txt")


def metadata_folder(archive: Archive) -> None:
    (archive.root / "metadata.yaml").unlink()
    (archive.root / "metadata.yaml").mkdir()


def lock_folder(archive: Archive) -> None:
    (archive.root / "names.lock").unlink()
    (archive.root / "names.lock").mkdir()


def lock_device(archive: Archive) -> None:
    """names.lock a link to a device that never ends: read whole, it would fill the memory."""
    (archive.root / "names.lock").unlink()
    (archive.root / "names.lock").symlink_to("/dev/zero")


def seeds_file(archive: Archive) -> None:
    for path in (archive.root / "seeds").iterdir():
        path.unlink()
    (archive.root / "seeds").rmdir()
    (archive.root / "seeds").write_text("not a folder")


NFD = unicodedata.normalize("NFD", "bé.txt")


def nfd_seed(archive: Archive) -> None:
    """The seed's name in decomposed form (as some file systems keep it), the key composed."""
    (archive.root / "seeds" / "b.txt").rename(archive.root / "seeds" / NFD)
    edit("  b.txt:", "  bé.txt:")(archive)


A_RECORD = "    title: Alpha\n    publisher: Daily One\n    date: 2022-09-01\n    stance: for\n"
B_RECORD = '    title: Beta\n    publisher: Weekly Two\n    date: "2022-08"\n    stance: against\n'
FIRST_SEED_STUB = [
    "seeds/a.txt: has no record in metadata.yaml; add one under 'documents:', for example:",
    "  a.txt:",
    '    title: "First document."',
    '    publisher: ""',
    STUB_DATE,
    STUB_STANCE,
]
SECOND_SEED_STUB = [
    "seeds/b.txt: has no record in metadata.yaml; add one under 'documents:', for example:",
    "  b.txt:",
    '    title: "Second document, “quoted”."',
    '    publisher: ""',
    STUB_DATE,
    STUB_STANCE,
]
LAUGHS = "".join(f"  l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 9)}]\n" for n in range(1, 10))


CASES = [
    # names.lock as a file
    Case("lock-is-a-folder", lock_folder, [f"names.lock: is a folder: {LOCK_IS}", ONE]),
    Case(
        "lock-is-a-named-pipe", fifo("names.lock"), [f"names.lock: is a named pipe, not a regular file: {LOCK_IS}", ONE]
    ),
    Case("lock-is-a-device", lock_device, [f"names.lock: is a device, not a regular file: {LOCK_IS}", ONE]),
    Case(
        "lock-too-large",
        sparse("names.lock", 70),
        ["names.lock: is 70.0 MiB, larger than the limit of 64 MiB per file", ONE],
    ),
    # metadata.yaml as a file
    Case("metadata-is-a-folder", metadata_folder, ["metadata.yaml: is a folder: metadata.yaml is a text file", ONE]),
    Case(
        "metadata-is-a-named-pipe",
        fifo("metadata.yaml"),
        ["metadata.yaml: is a named pipe, not a regular file: metadata.yaml is a text file", ONE],
    ),
    Case(
        "metadata-not-utf8",
        recoded("latin-1"),
        ["metadata.yaml:13: is not valid UTF-8: byte 0xe9 at offset 201; save it as UTF-8", ONE],
    ),
    Case(
        "metadata-utf16",
        recoded("utf-16"),
        ["metadata.yaml:1: is UTF-16 (it starts with a UTF-16 byte order mark): save it as UTF-8", ONE],
    ),
    Case(
        "metadata-too-large",
        sparse("metadata.yaml", 20),
        ["metadata.yaml: is 20.0 MiB, larger than the limit of 16 MiB per file", ONE],
    ),
    Case(
        "control-character-in-yaml",
        edit("title: Alpha", "title: Al\x07pha"),
        ["metadata.yaml:13: character U+0007 (column 14) is not allowed in YAML: remove it", ONE],
    ),
    # U+2028 and U+2029 where YAML reads them as line breaks that change the text (in quotes YAML keeps them)
    Case(
        "line-separator-in-plain-text",
        edit("title: Alpha", "title: Alpha\u2028Omega"),
        [
            "metadata.yaml:13: character U+2028 (column 17) is read by YAML as a line break here,"
            " which would change the text: write \\u2028 inside double quotes",
            ONE,
        ],
    ),
    Case(
        "paragraph-separator-in-a-literal-block",
        edit("stance: for\n", "stance: for\n    note: |\n      One\u2029two\n"),
        [
            "metadata.yaml:18: character U+2029 (column 10) is read by YAML as a line break here,"
            " which would change the text: write \\u2029 inside double quotes",
            ONE,
        ],
    ),
    Case(
        "line-separator-in-a-folded-block",
        edit("stance: for\n", "stance: for\n    note: >\n      One\u2028      two\n"),
        [
            "metadata.yaml:18: character U+2028 (column 10) is read by YAML as a line break here,"
            " which would change the text: write \\u2028 inside double quotes",
            ONE,
        ],
    ),
    Case(
        "line-separator-in-a-comment",
        edit("stance: for\n", "stance: for  # a comment\u2028that goes on\n"),
        [
            "metadata.yaml:16: character U+2028 (column 29) is read by YAML as a line break here,"
            " which would change the text: write \\u2028 inside double quotes",
            ONE,
        ],
    ),
    Case(
        "paragraph-separator-after-a-value",
        edit('date: "2022-08"', 'date: "2022-08"\u2029'),
        [
            "metadata.yaml:20: character U+2029 (column 20) is read by YAML as a line break here,"
            " which would change the text: write \\u2029 inside double quotes",
            ONE,
        ],
    ),
    Case(
        "line-separator-after-a-space-in-quotes",
        edit("title: Beta", "title: 'Beta \u2028Gamma'"),
        [
            "metadata.yaml:18: character U+2028 (column 18) follows a space inside quotes, which YAML drops before"
            " a line break: write \\u2028 inside double quotes",
            ONE,
        ],
    ),
    Case(
        "paragraph-separator-after-a-backslash-in-double-quotes",
        edit("publisher: Weekly Two", 'publisher: "Weekly\\\u2029Two"'),
        [
            "metadata.yaml:19: character U+2029 (column 24) follows a backslash inside double quotes, which makes"
            " YAML drop it: write \\u2029 instead",
            ONE,
        ],
    ),
    # YAML structure
    Case(
        "document-is-text",
        metadata("just a sentence\n"),
        ["metadata.yaml:1: metadata.yaml: expected the sections archive, stances and documents, got text", ONE],
    ),
    Case(
        "document-is-null",
        metadata("~\n"),
        ["metadata.yaml:1: metadata.yaml: expected the sections archive, stances and documents, got nothing", ONE],
    ),
    Case(
        "two-yaml-documents",
        edit("documents:\n", "---\ndocuments:\n"),
        [
            "metadata.yaml:11: a second YAML document starts here: metadata.yaml is one document,"
            " so remove the '---' or the '...' before it",
            ONE,
        ],
    ),
    Case(
        "bad-escape-in-quotes",
        edit("title: Alpha", 'title: "Al\\qpha"'),
        ["metadata.yaml:13: YAML syntax error (column 15): found unknown escape character", ONE],
    ),
    Case(
        "unclosed-quote",
        edit("title: Beta", 'title: "Beta'),
        ["metadata.yaml:20: YAML syntax error (column 12): did not find expected key", ONE],
    ),
    Case(
        "nesting-too-deep",
        edit("title: Alpha", "title: " + "[" * 100_000),
        [
            "metadata.yaml:13: lists and mappings are nested more than 20 deep here;"
            " metadata.yaml needs three levels (section, record, field)",
            ONE,
        ],
    ),
    Case(
        "more-unknown-tags",
        edit(
            "title: Alpha",
            "title: !!binary QWxwaGE=",
            "publisher: Daily One",
            "publisher: !custom Daily One",
            "stance: for",
            "stance: !!set {for}",
        ),
        [
            "metadata.yaml:13: unknown tag 'tag:yaml.org,2002:binary': metadata.yaml holds plain text, numbers, lists and mappings",
            "metadata.yaml:14: unknown tag '!custom': metadata.yaml holds plain text, numbers, lists and mappings",
            "metadata.yaml:16: unknown tag 'tag:yaml.org,2002:set': metadata.yaml holds plain text, numbers, lists and mappings",
            "3 problems found; nothing was written.",
        ],
    ),
    Case(
        "tag-that-does-not-fit",
        edit("title: Alpha", "title: !!map Alpha"),
        ["metadata.yaml:13: the tag 'tag:yaml.org,2002:map' does not fit this value: leave the tag out", ONE],
    ),
    Case(
        "alias-inside-one-record",
        edit("stance: for", "stance: for\n    note: &n hello\n    author: *n"),
        ["metadata.yaml:18: anchors and aliases (&, *) are not supported: write the value out", ONE],
    ),
    Case(
        "tag-on-a-list-in-a-record",
        edit("stance: for", "stance: for\n    aliases: !custom [old-name]"),
        [
            "metadata.yaml:17: unknown tag '!custom': metadata.yaml holds plain text, numbers, lists and mappings",
            ONE,
        ],
    ),
    Case(
        "merge-key-and-alias",
        edit("  b.txt:\n", "  b.txt:\n    <<: *base\n", "  a.txt:\n", "  a.txt: &base\n"),
        ["metadata.yaml:18: anchors and aliases (&, *) are not supported: write the value out", ONE],
    ),
    # text a page cannot show, written as a YAML escape
    Case(
        "escaped-control-character",
        edit("title: Alpha", 'title: "Alpha\\e[2J"'),
        [
            "metadata.yaml:13: documents.a.txt.title: holds the character U+001B, which a page cannot show: remove it",
            ONE,
        ],
    ),
    # libyaml refuses to decode an escaped lone surrogate; PyYAML's pure-Python loader would
    # let it through, and validate would refuse it like the noncharacter below.
    Case(
        "escaped-lone-surrogate",
        edit("publisher: Daily One", 'publisher: "Daily \\ud800One"'),
        ["metadata.yaml:14: YAML syntax error (column 25): found invalid Unicode character escape code", ONE],
    ),
    Case(
        "escaped-noncharacter",
        edit("label: For", 'label: "For\\uFFFE"'),
        ["metadata.yaml:6: stances.for.label: holds the character U+FFFE, which a page cannot show: remove it", ONE],
    ),
    # the archive section
    Case(
        "archive-title-missing",
        edit("  title: Test archive\n", ""),
        ["metadata.yaml:1: archive: missing required field 'title'", ONE],
    ),
    Case(
        "archive-title-empty",
        edit("title: Test archive", 'title: ""'),
        ["metadata.yaml:2: archive.title: is empty", ONE],
    ),
    Case(
        "archive-title-wrong-type",
        edit("title: Test archive", "title: {name: Test archive}"),
        ["metadata.yaml:2: archive.title: expected text, got a mapping", ONE],
    ),
    Case(
        "archive-section-missing",
        edit("archive:\n  title: Test archive\n  language: en\n", ""),
        ["metadata.yaml:1: missing section 'archive'", ONE],
    ),
    Case(
        "archive-is-a-list",
        edit("  title: Test archive\n  language: en\n", "  - Test archive\n"),
        ["metadata.yaml:2: archive: expected a mapping of field: value, got a list", ONE],
    ),
    # the stance vocabulary
    Case(
        "stances-is-a-list",
        edit(
            "  for:\n    label: For\n    description: Supports it.\n  against:\n    label: Against\n"
            "    description: Opposes it.\n",
            "  - for\n  - against\n",
        ),
        ["metadata.yaml:5: stances: expected a mapping of stance key -> label, description, got a list", ONE],
    ),
    Case(
        "stances-empty",
        edit(
            "stances:\n  for:\n    label: For\n    description: Supports it.\n  against:\n    label: Against\n"
            "    description: Opposes it.\n",
            "stances: {}\n",
        ),
        ["metadata.yaml:4: stances: declare at least one stance", ONE],
    ),
    Case(
        "stance-key-not-a-page-name",
        edit("  for:\n", "  For Us:\n"),
        [
            "metadata.yaml:5: stances: 'For Us' is not a stance key: use lowercase letters, digits and hyphens",
            "metadata.yaml:16: documents.a.txt.stance: 'for' is not one of: against",
            "2 problems found; nothing was written.",
        ],
    ),
    Case(
        "stance-label-missing",
        edit("    label: For\n", ""),
        ["metadata.yaml:5: stances.for: missing required field 'label'", ONE],
    ),
    Case(
        "stance-label-empty", edit("label: For", 'label: "  "'), ["metadata.yaml:6: stances.for.label: is empty", ONE]
    ),
    Case(
        "stance-description-missing",
        edit("    description: Supports it.\n", ""),
        ["metadata.yaml:5: stances.for: missing required field 'description'", ONE],
    ),
    Case(
        "stance-description-wrong-type",
        edit("description: Supports it.", "description: [Supports, it]"),
        ["metadata.yaml:7: stances.for.description: expected text, got a list", ONE],
    ),
    Case(
        "stance-description-empty",
        edit("description: Opposes it.", "description:"),
        ["metadata.yaml:10: stances.against.description: is empty", ONE],
    ),
    Case(
        "stance-label-wrong-type",
        edit("label: For", "label: 1"),
        ["metadata.yaml:6: stances.for.label: expected text, got a number (put it in quotes)", ONE],
    ),
    Case(
        "stance-unknown-field",
        edit("label: Against", "lable: Against"),
        [
            "metadata.yaml:8: stances.against: missing required field 'label'",
            "metadata.yaml:9: stances.against: unknown field 'lable' (did you mean 'label'?)",
            "2 problems found; nothing was written.",
        ],
    ),
    # the documents section and its records
    Case(
        "documents-is-a-list",
        edit("  a.txt:\n" + A_RECORD + "  b.txt:\n" + B_RECORD, "  - a.txt\n  - b.txt\n"),
        [
            "metadata.yaml:12: documents: expected a mapping of seed file name -> record, got a list",
            *FIRST_SEED_STUB,
            *SECOND_SEED_STUB,
            "3 problems found; nothing was written.",
        ],
    ),
    Case(
        "record-is-empty",
        edit("  b.txt:\n" + B_RECORD, "  b.txt:\n"),
        ["metadata.yaml:17: documents.b.txt: expected a mapping of field: value, got nothing", ONE],
    ),
    Case(
        "record-is-text",
        edit("  b.txt:\n" + B_RECORD, "  b.txt: Beta\n"),
        ["metadata.yaml:17: documents.b.txt: expected a mapping of field: value, got text", ONE],
    ),
    Case(
        "publisher-missing",
        edit("    publisher: Daily One\n", ""),
        ["metadata.yaml:12: documents.a.txt: missing required field 'publisher'", ONE],
    ),
    Case(
        "date-missing",
        edit("    date: 2022-09-01\n", ""),
        ["metadata.yaml:12: documents.a.txt: missing required field 'date'", ONE],
    ),
    Case(
        "stance-missing",
        edit("    stance: against\n", ""),
        ["metadata.yaml:17: documents.b.txt: missing required field 'stance'", ONE],
    ),
    Case(
        "every-field-missing",
        edit(B_RECORD, "    {}\n"),
        [
            "metadata.yaml:17: documents.b.txt: missing required field 'date'",
            "metadata.yaml:17: documents.b.txt: missing required field 'publisher'",
            "metadata.yaml:17: documents.b.txt: missing required field 'stance'",
            "metadata.yaml:17: documents.b.txt: missing required field 'title'",
            "4 problems found; nothing was written.",
        ],
    ),
    Case(
        "publisher-empty",
        edit("publisher: Daily One", "publisher:"),
        ["metadata.yaml:14: documents.a.txt.publisher: is empty", ONE],
    ),
    Case(
        "date-empty",
        edit('date: "2022-08"', 'date: ""'),
        ["metadata.yaml:20: documents.b.txt.date: is empty: write a date such as 2022-09-01, 2022-09 or 2022", ONE],
    ),
    Case(
        "stance-empty", edit("stance: for", 'stance: ""'), ["metadata.yaml:16: documents.a.txt.stance: is empty", ONE]
    ),
    Case(
        "stance-misspelt",
        edit("stance: against", "stance: agianst"),
        [
            "metadata.yaml:21: documents.b.txt.stance: 'agianst' is not one of: for, against (did you mean 'against'?)",
            ONE,
        ],
    ),
    Case(
        "publisher-wrong-type",
        edit("publisher: Daily One", "publisher: {name: Daily One}"),
        ["metadata.yaml:14: documents.a.txt.publisher: expected text, got a mapping", ONE],
    ),
    Case(
        "date-wrong-type",
        edit("date: 2022-09-01", "date: [2022, 9, 1]"),
        [
            "metadata.yaml:15: documents.a.txt.date: expected a date such as 2022-09-01, 2022-09 or 2022, got a list",
            ONE,
        ],
    ),
    Case(
        "date-a-decimal",
        edit("date: 2022-09-01", "date: 2022.9"),
        [
            "metadata.yaml:15: documents.a.txt.date: '2022.9' is not a date: use YYYY-MM-DD, YYYY-MM or YYYY,"
            " optionally followed by ? (uncertain) or ~ (approximate)",
            ONE,
        ],
    ),
    Case(
        "stance-wrong-type",
        edit("stance: for", "stance: 1"),
        ["metadata.yaml:16: documents.a.txt.stance: expected text, got a number (put it in quotes)", ONE],
    ),
    # dates
    Case(
        "date-not-a-leap-year",
        edit("date: 2022-09-01", "date: 1900-02-29"),
        ["metadata.yaml:15: documents.a.txt.date: '1900-02-29' does not exist: February 1900 has 28 days", ONE],
    ),
    Case(
        "date-year-zero",
        edit("date: 2022-09-01", 'date: "0000"'),
        ["metadata.yaml:15: documents.a.txt.date: '0000' has year 0000, which no calendar here knows", ONE],
    ),
    Case(
        "date-far-in-the-future",
        edit("date: 2022-09-01", "date: 9999-01-01"),
        [
            f"metadata.yaml:15: documents.a.txt.date: '9999-01-01' is in the future: dates up to {NEXT_YEAR}-12-31 are accepted",
            ONE,
        ],
    ),
    Case(
        "date-just-past-the-bound",
        edit('date: "2022-08"', f'date: "{NEXT_YEAR + 1}~"'),
        [
            f"metadata.yaml:20: documents.b.txt.date: '{NEXT_YEAR + 1}~' is in the future:"
            f" dates up to {NEXT_YEAR}-12-31 are accepted",
            ONE,
        ],
    ),
    Case(
        "date-in-other-digits",
        edit("date: 2022-09-01", "date: ２０２２-09-01"),
        [
            "metadata.yaml:15: documents.a.txt.date: '２０２２-09-01' is not a date: use YYYY-MM-DD, YYYY-MM or YYYY,"
            " optionally followed by ? (uncertain) or ~ (approximate)",
            ONE,
        ],
    ),
    # optional fields
    Case(
        "url-with-a-space",
        edit("stance: for", "stance: for\n    source_url: https://example.org/a page"),
        [
            "metadata.yaml:17: documents.a.txt.source_url: 'https://example.org/a page' is not an http:// or https:// address:"
            " it holds a space; write spaces as %20",
            ONE,
        ],
    ),
    Case(
        "url-broken-host",
        edit("stance: for", "stance: for\n    source_url: http://[::1/x"),
        ["metadata.yaml:17: documents.a.txt.source_url: 'http://[::1/x' is not an http:// or https:// address", ONE],
    ),
    Case(
        "encoding-not-for-text",
        edit("stance: for", "stance: for\n    encoding: rot13"),
        [
            "metadata.yaml:17: documents.a.txt.encoding: 'rot13' is not a text encoding"
            " (e.g. utf-8, windows-1252, latin-1, gb18030)",
            ONE,
        ],
    ),
    # record keys
    Case(
        "key-empty",
        edit("  b.txt:\n", '  "":\n'),
        [
            "metadata.yaml:17: documents.: '' is not a plain file name in seeds/: it is empty",
            *SECOND_SEED_STUB,
            "2 problems found; nothing was written.",
        ],
    ),
    Case(
        "key-with-a-tab",
        edit("  b.txt:\n", '  "b\\tx.txt":\n'),
        [
            "metadata.yaml:17: documents.b\\tx.txt: 'b\\tx.txt' is not a plain file name in seeds/:"
            " it holds the character U+0009, which a page cannot show",
            *SECOND_SEED_STUB,
            "2 problems found; nothing was written.",
        ],
    ),
    Case(
        "key-with-a-leading-space",
        edit("  b.txt:\n", '  " b.txt":\n'),
        [
            "metadata.yaml:17: documents. b.txt: ' b.txt' is not a plain file name in seeds/: it starts or ends with a space",
            *SECOND_SEED_STUB,
            "2 problems found; nothing was written.",
        ],
    ),
    Case(
        "key-not-text",
        edit("  b.txt:\n", "  ? [b.txt]\n  :\n"),
        [
            "metadata.yaml:17: documents: a key must be plain text",
            *SECOND_SEED_STUB,
            "2 problems found; nothing was written.",
        ],
    ),
    Case(
        "key-in-another-normalization",
        nfd_seed,
        [
            f"metadata.yaml:17: documents.bé.txt: no such file in seeds/ ('{NFD}' there is the same name in another"
            " Unicode normalization (NFC/NFD); retype the key or rename the file so they match)",
            f"seeds/{NFD}: has no record in metadata.yaml; add one under 'documents:', for example:",
            f'  "{NFD}":',
            '    title: "Second document, “quoted”."',
            '    publisher: ""',
            STUB_DATE,
            STUB_STANCE,
            "2 problems found; nothing was written.",
        ],
    ),
    # seeds
    Case(
        "seed-is-a-named-pipe",
        fifo("seeds/a.txt"),
        ["seeds/a.txt: is a named pipe, not a regular file: seeds/ holds one file per document", ONE],
    ),
    Case(
        "seed-too-large",
        sparse("seeds/a.txt", 100),
        ["seeds/a.txt: is 100.0 MiB, larger than the limit of 64 MiB per file", ONE],
    ),
    Case("seed-link-loop", link_loop, ["seeds/loop.txt: is a link that leads nowhere", ONE]),
    Case(
        "seeds-is-a-file",
        seeds_file,
        ["seeds: is a file, not a folder: put one file per document in a folder named seeds", ONE],
    ),
    Case(
        "seed-name-not-utf8",
        seed(b"c\xff.txt", b"text\n"),
        ["seeds/c\\uDCFF.txt: the file name is not valid UTF-8 (byte 0xff): rename the file", ONE],
    ),
    Case(
        "seed-name-with-newline",
        seed("c\n.txt", b"text\n"),
        ["seeds/c\\n.txt: the file name holds the character U+000A, which a page cannot show: rename the file", ONE],
    ),
    Case(
        "seed-name-with-backslash",
        seed("c\\d.txt", b"text\n"),
        ["seeds/c\\d.txt: the file name is a path: rename the file", ONE],
    ),
    Case(
        "seed-name-trailing-space",
        seed("c.txt ", b"text\n"),
        ["seeds/c.txt : the file name starts or ends with a space: rename the file", ONE],
    ),
    Case(
        "seed-needs-a-quoted-key",
        seed("[draft] c.txt", b"\xef\xbb\xbfDraft: \x1b[1mbold\x1b[0m\n"),
        [
            "seeds/[draft] c.txt: has no record in metadata.yaml; add one under 'documents:', for example:",
            '  "[draft] c.txt":',
            '    title: "\ufeffDraft: [1mbold[0m"',
            '    publisher: ""',
            STUB_DATE,
            STUB_STANCE,
            ONE,
        ],
    ),
    Case(
        "seed-not-in-its-declared-encoding",
        both(edit("stance: for", "stance: for\n    encoding: ascii"), seed("a.txt", b"Caf\xc3\xa9\n")),
        [
            "seeds/a.txt:1: is not valid ascii: byte 0xc3 at offset 3; if the file is in another encoding,"
            " name it in its record, e.g. encoding: windows-1252",
            ONE,
        ],
    ),
    Case(
        "seed-only-a-byte-order-mark",
        both(edit("stance: for", "stance: for\n    encoding: utf-8-sig"), seed("a.txt", b"\xef\xbb\xbf")),
        ["seeds/a.txt: decodes to no text as utf-8-sig: a document needs some text", ONE],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_input(archive: Archive, run, case: Case) -> None:
    previous = PreviousSite(archive.site, run)
    case.breaks(archive)
    assert previous.refuse() == case.says


def test_catalogue_ids_are_unique() -> None:
    assert len({case.id for case in CASES}) == len(CASES)


def test_billion_laughs_is_refused_at_once_without_expanding(archive: Archive, run) -> None:
    previous = PreviousSite(archive.site, run)
    edit("  language: en\n", "  language: en\n  l0: &l0 lol\n" + LAUGHS)(archive)
    lines = previous.refuse()  # expanded, the aliases would fill the memory long before this returns
    assert lines == [
        *(
            f"metadata.yaml:{n}: anchors and aliases (&, *) are not supported: write the value out"
            for n in range(5, 14)
        ),
        "9 problems found; nothing was written.",
    ]


def test_unreadable_seed(archive: Archive, run, monkeypatch: pytest.MonkeyPatch) -> None:
    """Permissions cannot stop root (which CI runs as), so the refusal is simulated where the file is opened."""
    previous = PreviousSite(archive.site, run)
    (archive.root / "seeds" / "a.txt").write_text("Changed, so it must be read again.\n")
    real_open = os.open

    def denied(path: object, *args: object, **kwargs: object) -> int:
        if str(path).endswith("a.txt"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(loader.os, "open", denied)
    assert previous.refuse() == ["seeds/a.txt: cannot be read: Permission denied", ONE]


def test_seed_that_disappears_between_listing_and_reading(
    archive: Archive, run, monkeypatch: pytest.MonkeyPatch
) -> None:
    previous = PreviousSite(archive.site, run)
    edit("title: Beta", "title: Beta Two")(archive)
    real_read_seed = loader.read_seed

    def gone_once_listed(folder: Path, name: str, path: str, *rest: object) -> object:
        if name == "b.txt":
            Path(path).unlink()
        return real_read_seed(folder, name, path, *rest)

    monkeypatch.setattr(loader, "read_seed", gone_once_listed)
    monkeypatch.setattr(loader, "still_known", lambda *_: False)  # read every seed, none taken from the last build
    monkeypatch.setattr(loader, "unchanged_seeds", lambda entries, *_: [False] * len(entries))
    assert previous.refuse(check=False) == [
        "metadata.yaml:17: documents.b.txt: no such file in seeds/",
        "seeds/b.txt: disappeared while the build was reading seeds/; run the build again",
        "2 problems found; nothing was written.",
    ]


def test_seed_that_changes_during_the_build(archive: Archive, run, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each seed is read once: its SHA-256 is of the bytes read, which are the bytes copied.

    When the file on disk no longer has those bytes by the time pages are made, the build
    stops rather than show one version's hash beside another's text.
    """
    original = (archive.root / "seeds" / "a.txt").read_bytes()
    previous = PreviousSite(archive.site, run)
    real_read = loader.read_file

    def read_then_change(path: str | Path, *args: object) -> bytes:
        data = real_read(path, *args)
        if Path(path).name == "a.txt":
            Path(path).write_bytes(b"Changed after it was read.\n")
        return data

    monkeypatch.setattr(loader, "read_file", read_then_change)
    seeds, problems = loader.load_seeds(archive.root / "seeds")
    assert seeds is not None and not problems
    assert seeds["a.txt"].sha256 == hashlib.sha256(original).hexdigest()

    archive.seed("a.txt", original)
    edit("title: Alpha", "title: Alpha Two")(archive)
    assert previous.refuse(check=False) == ["seeds/a.txt: changed while the site was being built; build again", ONE]


# Decisions about input that is odd but not wrong: each builds.


def test_a_utf8_byte_order_mark_at_the_start_of_metadata_is_accepted(archive: Archive, run) -> None:
    path = archive.root / "metadata.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert run("--root", ".", "--quiet").status == 0
    assert '"title": "Test archive"' in (archive.site / "metadata.json").read_text("utf-8")


def test_a_utf8_byte_order_mark_at_the_start_of_names_lock_is_accepted(archive: Archive, run) -> None:
    assert run("--root", ".", "--quiet").status == 0
    path = archive.root / "names.lock"
    locked = path.read_bytes()
    path.write_bytes(b"\xef\xbb\xbf" + locked)
    assert run("--root", ".", "--quiet").status == 0
    assert path.read_bytes() == b"\xef\xbb\xbf" + locked, "no name added: the lock is left as it is"
    archive.seed("c.txt", "Third document.\n")
    with (archive.root / "metadata.yaml").open("a") as metadata:
        metadata.write("  c.txt:\n    title: Gamma\n    publisher: Daily One\n    date: 2022-10-01\n    stance: for\n")
    assert run("--root", ".", "--quiet").status == 0
    assert path.read_bytes() == locked + b"gamma\tc.txt\n", "a name added: the lock is written as the build writes it"


def test_a_link_to_a_file_inside_seeds_is_read_as_that_file(archive: Archive, run) -> None:
    (archive.root / "seeds" / ".original.txt").write_bytes(b"Kept under another name.\n")
    (archive.root / "seeds" / "b.txt").unlink()
    (archive.root / "seeds" / "b.txt").symlink_to(".original.txt")
    assert run("--root", ".", "--quiet").status == 0
    assert (archive.site / "raw" / "b.txt").read_bytes() == b"Kept under another name.\n"
    assert not (archive.site / "raw" / "b.txt").is_symlink()


def test_dates_up_to_the_end_of_next_year_are_accepted(archive: Archive, run) -> None:
    edit("date: 2022-09-01", f"date: {NEXT_YEAR}-12-31", 'date: "2022-08"', f'date: "{NEXT_YEAR}?"')(archive)
    assert run("--root", ".", "--quiet").status == 0
    page = (archive.site / "documents" / "alpha.html").read_text("utf-8")
    assert f'<time datetime="{NEXT_YEAR}-12-31">31 December {NEXT_YEAR}</time>' in page


def test_yaml_1_1_specials_are_read_as_the_text_they_look_like(archive: Archive, run) -> None:
    edit("title: Alpha", "title: =", "publisher: Daily One", "publisher: <<")(archive)
    assert run("--root", ".", "--quiet").status == 0
    data = (archive.site / "metadata.json").read_text("utf-8")
    assert '"title": "="' in data and '"publisher": "<<"' in data


def test_separators_written_by_safe_dump_are_kept_shown_and_lines_count_lf_alone(archive: Archive, run) -> None:
    path = archive.root / "metadata.yaml"
    data = yaml.safe_load(path.read_text("utf-8"))
    data["documents"]["a.txt"].update(title="Alpha\u2028Omega\u2029End", note="First\u2028line.\u2029Next paragraph.")
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    assert "    title: 'Alpha\u2028      Omega\u2029      End'\n" in text  # raw, in single quotes
    path.write_text(text, "utf-8")
    result = run("--root", ".", "--quiet")
    assert (result.status, result.out, result.err) == (0, "", "")
    page = (archive.site / "documents" / "alpha-omega-end.html").read_text("utf-8")
    assert "<title>Alpha\u2028Omega\u2029End · Test archive</title>" in page
    assert "<h1>Alpha\u2028Omega\u2029End</h1>" in page
    assert "<p>First\u2028line.\u2029Next paragraph.</p>" in page
    assert (
        json.loads((archive.site / "metadata.json").read_text())["documents"][1]["title"] == "Alpha\u2028Omega\u2029End"
    )
    # libyaml counts each separator as a line break; a message counts LF alone, as an editor does
    previous = PreviousSite(archive.site, run)
    assert text.split("\n")[21] == "    stance: against"
    path.write_text(text.replace("stance: against", "stance: sideways"), "utf-8")
    assert previous.refuse() == [
        "metadata.yaml:22: documents.b.txt.stance: 'sideways' is not one of: for, against",
        ONE,
    ]
