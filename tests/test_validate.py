"""Bad input: every problem reported at once, as `path:line: message`, exit 1, nothing written.

Each refused build here starts from a site built from the valid archive and checks, through
`refused`, that the site is left exactly as it was (see tests/previous_site.py). The wider
catalogue of bad inputs is tests/test_catalogue.py.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from conftest import Archive
from previous_site import PreviousSite


@pytest.fixture
def refused(archive: Archive, run) -> Callable[..., list[str]]:  # type: ignore[no-untyped-def]
    """Build the valid archive; then a call builds again, expecting exit 1, and returns stderr's lines."""
    return PreviousSite(archive.site, run).refuse


def test_valid_archive_checks_clean(archive: Archive, run) -> None:
    result = run("check", "--root", ".")
    assert (result.status, result.out) == (0, "ok: 2 documents, 2 stances, no problems\n")
    assert not archive.site.exists()


def test_every_problem_is_reported_at_once_sorted_with_summary(archive: Archive, run, refused) -> None:
    archive.documents("""\
        a.txt:
          title: Alpha
          publisher: Daily One
          date: 2022-02-30
          stance: pro
        b.txt:
          titel: Beta
          publisher: Weekly Two
          date: "2022-08"
          stance: against
    """)
    assert refused() == [
        "metadata.yaml:15: documents.a.txt.date: '2022-02-30' does not exist: February 2022 has 28 days",
        "metadata.yaml:16: documents.a.txt.stance: 'pro' is not one of: for, against",
        "metadata.yaml:17: documents.b.txt: missing required field 'title'",
        "metadata.yaml:18: documents.b.txt: unknown field 'titel' (did you mean 'title'?)",
        "4 problems found; nothing was written.",
    ]


def test_yaml_syntax_error_names_line_and_column(archive: Archive, run, refused) -> None:
    archive.metadata("archive:\n  title: [unclosed\nstances: {}\n")
    assert refused() == [
        "metadata.yaml:3: YAML syntax error (column 8): did not find expected ',' or ']'",
        "1 problem found; nothing was written.",
    ]


def test_tab_indentation_gets_a_hint(archive: Archive, run, refused) -> None:
    archive.metadata("archive:\n\ttitle: x\n")
    assert refused() == [
        "metadata.yaml:2: YAML syntax error (column 1): found character that cannot start any token;"
        " a tab is there: indent with spaces, YAML does not allow tabs",
        "1 problem found; nothing was written.",
    ]


def test_missing_and_unknown_sections(archive: Archive, run, refused) -> None:
    archive.metadata("archive:\n  title: T\ndocument: {}\n")
    assert refused() == [
        "metadata.yaml:1: missing section 'documents'",
        "metadata.yaml:1: missing section 'stances'",
        "metadata.yaml:3: unknown section 'document' (did you mean 'documents'?); the sections are archive, stances, documents",
        "3 problems found; nothing was written.",
    ]


def test_metadata_that_is_not_a_mapping(archive: Archive, run, refused) -> None:
    archive.metadata("- just\n- a list\n")
    assert refused() == [
        "metadata.yaml:1: metadata.yaml: expected the sections archive, stances and documents, got a list",
        "1 problem found; nothing was written.",
    ]


def test_empty_metadata(archive: Archive, run, refused) -> None:
    archive.metadata("")
    assert refused() == [
        "metadata.yaml:1: is empty: expected the sections archive, stances, documents",
        "1 problem found; nothing was written.",
    ]


def test_missing_metadata(archive: Archive, run, refused) -> None:
    (archive.root / "metadata.yaml").unlink()
    assert refused() == [
        "metadata.yaml: no such file: the archive's metadata lives here",
        "1 problem found; nothing was written.",
    ]


def test_duplicate_keys_are_not_silently_dropped(archive: Archive, run, refused) -> None:
    archive.documents("""\
        a.txt:
          title: Alpha
          title: Alpha again
          publisher: Daily One
          date: 2022-09-01
          stance: for
        b.txt:
          title: Beta
          publisher: Weekly Two
          date: "2022-08"
          stance: against
    """)
    assert refused() == [
        "metadata.yaml:14: documents.a.txt: duplicate key 'title' (first at line 13);"
        " YAML would silently keep only the last",
        "1 problem found; nothing was written.",
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "documents.a.txt.title: is empty"),
        ('"   "', "documents.a.txt.title: is empty"),
        ("1984", "documents.a.txt.title: expected text, got a number (put it in quotes)"),
        ("[a, b]", "documents.a.txt.title: expected text, got a list"),
        ("yes", "documents.a.txt.title: expected text, got true/false (put it in quotes)"),
    ],
)
def test_wrong_types(archive: Archive, run, refused, value: str, message: str) -> None:
    archive.documents(f"""\
        a.txt:
          title: {value}
          publisher: Daily One
          date: 2022-09-01
          stance: for
        b.txt:
          title: Beta
          publisher: Weekly Two
          date: "2022-08"
          stance: against
    """)
    assert refused() == [
        f"metadata.yaml:13: {message}",
        "1 problem found; nothing was written.",
    ]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "date",
            "2022/09/01",
            "'2022/09/01' is not a date: use YYYY-MM-DD, YYYY-MM or YYYY, optionally followed by ? (uncertain) or ~ (approximate)",
        ),
        ("date", "2022-13", "'2022-13' has no month 13: months run from 01 to 12"),
        (
            "date",
            "Sept 2022",
            "'Sept 2022' is not a date: use YYYY-MM-DD, YYYY-MM or YYYY, optionally followed by ? (uncertain) or ~ (approximate)",
        ),
        ("source_url", "javascript:alert(1)", "'javascript:alert(1)' is not an http:// or https:// address"),
        ("source_url", "ftp://example.org/x", "'ftp://example.org/x' is not an http:// or https:// address"),
        ("language", "english language", "'english language' is not a language tag such as en, zh-Hans or pt-BR"),
        ("slug", "Not A Slug", "'Not A Slug' is not a page name: use lowercase letters, digits and hyphens"),
        ("encoding", "klingon", "'klingon' is not a known encoding (e.g. utf-8, windows-1252, latin-1, gb18030)"),
    ],
)
def test_bad_field_values(archive: Archive, run, refused, field: str, value: str, message: str) -> None:
    archive.documents(f"""\
        a.txt:
          title: Alpha
          publisher: Daily One
          date: 2022-09-01
          stance: for
          {field}: "{value}"
        b.txt:
          title: Beta
          publisher: Weekly Two
          date: "2022-08"
          stance: against
    """)
    line = 15 if field == "date" else 17
    if field == "date":
        archive.documents(f"""\
            a.txt:
              title: Alpha
              publisher: Daily One
              date: "{value}"
              stance: for
            b.txt:
              title: Beta
              publisher: Weekly Two
              date: "2022-08"
              stance: against
        """)
    assert refused() == [
        f"metadata.yaml:{line}: documents.a.txt.{field}: {message}",
        "1 problem found; nothing was written.",
    ]


def test_seed_without_record_prints_a_stub_then_builds_once_added(archive: Archive, run, refused) -> None:
    archive.seed("c.txt", "\n\nA third document\nwith more text.\n")
    assert refused() == [
        "seeds/c.txt: has no record in metadata.yaml; add one under 'documents:', for example:",
        "  c.txt:",
        '    title: "A third document"',
        '    publisher: ""',
        '    date: ""            # YYYY-MM-DD, YYYY-MM or YYYY, then ? if uncertain or ~ if approximate',
        '    stance: ""          # for | against',
        "1 problem found; nothing was written.",
    ]
    with open(archive.root / "metadata.yaml", "a", encoding="utf-8") as stream:
        stream.write(
            "  c.txt:\n    title: A third document\n    publisher: Daily One\n    date: 2022\n    stance: for\n"
        )
    assert run("--root", ".").status == 0
    assert (archive.site / "documents" / "a-third-document.html").is_file()


def test_record_without_seed_suggests_the_unmatched_seed(archive: Archive, run, refused) -> None:
    (archive.root / "seeds" / "b.txt").rename(archive.root / "seeds" / "b2.txt")
    assert refused() == [
        "metadata.yaml:17: documents.b.txt: no such file in seeds/ (did you mean 'b2.txt'?)",
        "seeds/b2.txt: has no record in metadata.yaml; add one under 'documents:', for example:",
        "  b2.txt:",
        '    title: "Second document, “quoted”."',
        '    publisher: ""',
        '    date: ""            # YYYY-MM-DD, YYYY-MM or YYYY, then ? if uncertain or ~ if approximate',
        '    stance: ""          # for | against',
        "2 problems found; nothing was written.",
    ]


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("../x.txt", "is a path"),
        ("/etc/passwd", "is a path"),
        ("sub/a.txt", "is a path"),
        (".hidden", "starts with a dot (a hidden file, which the build ignores)"),
    ],
)
def test_record_key_must_be_a_plain_file_name(archive: Archive, run, refused, key: str, reason: str) -> None:
    with open(archive.root / "metadata.yaml", "a", encoding="utf-8") as stream:
        stream.write(f'  "{key}":\n    title: X\n    publisher: P\n    date: 2022\n    stance: for\n')
    assert refused() == [
        f"metadata.yaml:22: documents.{key}: '{key}' is not a plain file name in seeds/: it {reason}",
        "1 problem found; nothing was written.",
    ]


def test_keys_that_differ_only_in_case(archive: Archive, run, refused) -> None:
    with open(archive.root / "metadata.yaml", "a", encoding="utf-8") as stream:
        stream.write("  A.txt:\n    title: X\n    publisher: P\n    date: 2022\n    stance: for\n")
    assert refused() == [
        "metadata.yaml:22: documents.A.txt: differs only in case from the key at line 12; on many disks they are one file",
        "1 problem found; nothing was written.",
    ]


def test_seed_that_is_not_utf8_names_the_byte_and_the_fix(archive: Archive, run, refused) -> None:
    archive.seed("a.txt", b"line one\nCaf\xe9 \x93quoted\x94\n")
    assert refused() == [
        "seeds/a.txt:2: is not valid utf-8: byte 0xe9 at offset 12; if the file is in another encoding,"
        " name it in its record, e.g. encoding: windows-1252",
        "1 problem found; nothing was written.",
    ]


def test_declared_encoding_decodes_and_keeps_raw_bytes(archive: Archive, run) -> None:
    raw = b"Caf\xe9 \x93quoted\x94\n"
    archive.seed("a.txt", raw)
    text = (
        (archive.root / "metadata.yaml").read_text().replace("stance: for", "stance: for\n    encoding: windows-1252")
    )
    (archive.root / "metadata.yaml").write_text(text)
    assert run("--root", ".").status == 0
    assert (archive.site / "raw" / "a.txt").read_bytes() == raw
    assert "Café “quoted”" in (archive.site / "documents" / "alpha.html").read_text()


def test_empty_seed(archive: Archive, run, refused) -> None:
    archive.seed("a.txt", b"")
    assert refused() == [
        "seeds/a.txt: is empty: a document needs some text",
        "1 problem found; nothing was written.",
    ]


def test_things_in_seeds_that_are_not_files(archive: Archive, run, refused, tmp_path_factory) -> None:
    outside = tmp_path_factory.mktemp("outside") / "secret.txt"
    outside.write_text("not part of the archive")
    (archive.root / "seeds" / "folder").mkdir()
    (archive.root / "seeds" / "link.txt").symlink_to(outside)
    (archive.root / "seeds" / "dangling.txt").symlink_to(archive.root / "nowhere")
    assert refused() == [
        "seeds/dangling.txt: is a link that leads nowhere",
        "seeds/folder: is a folder: seeds/ holds one file per document",
        f"seeds/link.txt: is a link to {outside}, outside seeds/: copy the file in instead",
        "3 problems found; nothing was written.",
    ]


def test_missing_seeds_folder(archive: Archive, run, refused) -> None:
    for path in (archive.root / "seeds").iterdir():
        path.unlink()
    (archive.root / "seeds").rmdir()
    assert refused() == [
        "seeds: no such folder: put one file per document here",
        "1 problem found; nothing was written.",
    ]


def test_unknown_stance_lists_the_allowed_keys_and_unknown_archive_key(archive: Archive, run, refused) -> None:
    text = (archive.root / "metadata.yaml").read_text()
    text = text.replace("  language: en\n", "  langauge: en\n").replace("stance: against", "stance: neutral")
    (archive.root / "metadata.yaml").write_text(text)
    assert refused() == [
        "metadata.yaml:3: archive: unknown field 'langauge' (did you mean 'language'?)",
        "metadata.yaml:21: documents.b.txt.stance: 'neutral' is not one of: for, against",
        "2 problems found; nothing was written.",
    ]


def test_two_explicit_slugs_that_collide(archive: Archive, run, refused) -> None:
    text = (archive.root / "metadata.yaml").read_text().replace("stance: for", "stance: for\n    slug: same")
    text = text.replace("stance: against", "stance: against\n    slug: same")
    (archive.root / "metadata.yaml").write_text(text)
    assert refused() == [
        "metadata.yaml:12: documents.a.txt.slug: 'same' is already the slug of b.txt (line 18)",
        "1 problem found; nothing was written.",
    ]


@pytest.mark.parametrize(
    ("aliases", "message"),
    [
        ("old-name", "expected a list of earlier page names such as [old-name], got text"),
        ("[]", "is an empty list: list earlier page names, or leave the field out"),
        ("[Old Name]", "'Old Name' is not a page name: use lowercase letters, digits and hyphens"),
        ("[old--]", "'old--' is not a page name: use lowercase letters, digits and hyphens"),
        ("[old, old.html]", "'old' is listed twice"),
    ],
)
def test_bad_aliases(archive: Archive, run, refused, aliases: str, message: str) -> None:  # type: ignore[no-untyped-def]
    text = (archive.root / "metadata.yaml").read_text().replace("stance: for", f"stance: for\n    aliases: {aliases}")
    (archive.root / "metadata.yaml").write_text(text)
    assert refused() == [
        f"metadata.yaml:17: documents.a.txt.aliases: {message}",
        "1 problem found; nothing was written.",
    ]


def test_aliases_and_slugs_that_collide(archive: Archive, run, refused) -> None:  # type: ignore[no-untyped-def]
    text = (archive.root / "metadata.yaml").read_text()
    text = text.replace("stance: for", "stance: for\n    slug: first\n    aliases: [old, beta--b]")
    text = text.replace("stance: against", "stance: against\n    aliases: [first, old]")
    (archive.root / "metadata.yaml").write_text(text)
    assert refused() == [
        "metadata.yaml:12: documents.a.txt.aliases: 'old' is already an alias of b.txt (line 19)",
        "metadata.yaml:19: documents.b.txt.aliases: 'first' is already the slug of a.txt (line 12)",
        "2 problems found; nothing was written.",
    ]
    text = (archive.root / "metadata.yaml").read_text().replace("aliases: [first, old]", "slug: old")
    (archive.root / "metadata.yaml").write_text(text)
    assert refused() == [
        "metadata.yaml:12: documents.a.txt.aliases: 'old' is already the slug of b.txt (line 19)",
        "1 problem found; nothing was written.",
    ]


def test_unknown_yaml_tags_and_aliases_are_refused(archive: Archive, run, refused) -> None:
    text = (archive.root / "metadata.yaml").read_text()
    text = text.replace("title: Alpha", "title: !!python/object/apply:os.system ['true']")
    text = text.replace("publisher: Weekly Two", "publisher: &p Weekly Two\n    author: *p")
    (archive.root / "metadata.yaml").write_text(text)
    assert refused() == [
        "metadata.yaml:13: unknown tag 'tag:yaml.org,2002:python/object/apply:os.system':"
        " metadata.yaml holds plain text, numbers, lists and mappings",
        "metadata.yaml:20: anchors and aliases (&, *) are not supported: write the value out",
        "2 problems found; nothing was written.",
    ]


USAGE = [
    "usage: build.py [-h] [--root ROOT] [--out OUT] [--base-url BASE_URL]",
    "                [--port PORT] [--jobs JOBS] [--quiet | --verbose]",
    "                [{build,check,serve,export,bag,verify}] [target]",
]
"""The usage lines argparse prints first on an 80-column terminal."""


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--no-such-option"], "unrecognized arguments: --no-such-option"),
        (
            ["publish"],
            "argument command: invalid choice: 'publish' (choose from 'build', 'check', 'serve', 'export', 'bag', 'verify')",
        ),
        (["--base-url", "example.org"], "--base-url must start with http:// or https://, got 'example.org'"),
        (["serve", "--port", "99999"], "--port must be from 0 (any free port) to 65535, got 99999"),
        (["serve", "--port", "-1"], "--port must be from 0 (any free port) to 65535, got -1"),
        (
            ["--base-url", "https://example.org/my archive/"],
            "--base-url 'https://example.org/my archive/' holds a space; write spaces as %20",
        ),
        (["--base-url", "https:///archive/"], "--base-url 'https:///archive/' has no host"),
        (
            ["--base-url", "https://example.org/?page=archive"],
            "--base-url 'https://example.org/?page=archive' has a query or a fragment (? or #):"
            " the site's address is a folder's, such as https://example.org/archive/",
        ),
        (
            ["--base-url", "https://example.org/archive/#top"],
            "--base-url 'https://example.org/archive/#top' has a query or a fragment (? or #):"
            " the site's address is a folder's, such as https://example.org/archive/",
        ),
    ],
)
def test_usage_mistakes_exit_2(archive: Archive, run, monkeypatch: pytest.MonkeyPatch, args, error: str) -> None:
    monkeypatch.setenv("COLUMNS", "80")  # argparse wraps the usage to the terminal's width
    result = run(*args)
    assert (result.status, result.out, result.err) == (2, "", "\n".join([*USAGE, f"build.py: error: {error}\n"]))
    assert not archive.site.exists()


def test_every_month_has_the_days_the_calendar_gives_it_and_its_english_name() -> None:
    """The dates' own count of a month's days (which decides whether a date exists) agrees with
    the standard library's calendar in every month of every year a date can have; the months'
    names are English whatever the locale, as calendar's are in the default one."""
    import calendar

    from archive.dates import MONTHS, days_in

    assert [days_in(year, month) for year in range(1, 10000) for month in range(1, 13)] == [
        calendar.monthrange(year, month)[1] for year in range(1, 10000) for month in range(1, 13)
    ]
    assert list(calendar.month_name) == MONTHS
