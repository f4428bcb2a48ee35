"""archive/citation.py read back by the tools researchers cite with: bibtexparser, rispy and
citeproc-py, for exact, partial, uncertain and approximate dates and hostile text."""

from __future__ import annotations

import json

import bibtexparser
import citeproc
import jinja2
import pytest
import rispy
from bibtexparser.middlewares import LatexDecodingMiddleware
from citeproc.source.json import CiteProcJSON
from hypothesis import given, settings
from hypothesis import strategies as st

from archive import citation
from archive.dates import parse_date
from archive.derive import Entry
from archive.model import Document

BASE = "https://archive.example.org/sub/"
HOSTILE = 'A {brace} % 50 & #1 $x_y ~ ^ \\end "quoted" </script><!-- x'


def entry(
    date: str = "2022-09-01",
    captured: str | None = None,
    title: str = "UN report on Xinjiang",
    author: str | None = "Jane Doe",
    source_url: str | None = "https://news.example.com/un-report",
    file: str = "000_abc.txt",
    publisher: str = "Asia Financial",
) -> Entry:
    doc = Document(
        file=file,
        title=title,
        publisher=publisher,
        date=parse_date(date),
        stance="for",
        sha256="0" * 64,
        size=10,
        line=1,
        author=author,
        source_url=source_url,
        language="en",
        captured=parse_date(captured) if captured else None,
    )
    return Entry(doc, "un-report", "documents/un-report.html", "raw/000_abc.txt", "publishers/asia.html")


def test_citation_key_is_the_seed_file_name_without_extension() -> None:
    assert citation.citation_key("000_513650e97950ca6d.txt") == "000_513650e97950ca6d"
    assert citation.citation_key("report") == "report"


def test_citation_keys_of_names_with_other_characters_stay_apart() -> None:
    first, second = citation.citation_key("a b.txt"), citation.citation_key("a+b.txt")
    assert first.startswith("a-b-") and second.startswith("a-b-")
    assert first != second
    assert all(c.isascii() and (c.isalnum() or c in "_-") for c in first + citation.citation_key("é.txt"))


@pytest.mark.parametrize(
    ("date", "shown"),
    [
        ("2022-09-01", "September 1, 2022"),
        ("2022-09", "September 2022"),
        ("2022", "2022"),
        ("2022-09-01?", "[September 1, 2022?]"),
        ("2022-09~", "ca. September 2022"),
    ],
)
def test_chicago_dates_are_as_precise_as_known(date: str, shown: str) -> None:
    text = citation.chicago(entry(date=date), "The Archive", BASE)
    assert f"Asia Financial, {shown}." in text


def test_chicago_names_the_archive_the_page_and_the_accessed_date() -> None:
    text = citation.chicago(entry(captured="2022-10-03"), "The Archive", BASE)
    assert text == (
        "Jane Doe. “UN report on Xinjiang.” Asia Financial, September 1, 2022. Accessed October 3, 2022."
        " https://news.example.com/un-report. Archived in The Archive, https://archive.example.org/sub/documents/un-report.html."
    )
    bare = citation.chicago(entry(author=None, source_url=None, title="Why?"), "The Archive")
    assert bare == "“Why?” Asia Financial, September 1, 2022. Archived in The Archive."


def parse_bibtex(text: str) -> dict[str, str]:
    library = bibtexparser.parse_string(text, append_middleware=[LatexDecodingMiddleware()])
    assert not library.failed_blocks, library.failed_blocks
    (found,) = library.entries
    (raw,) = bibtexparser.parse_string(text).entries  # `date` is EDTF for biber, not TeX: its `~` is no tie
    return {
        "ENTRYTYPE": found.entry_type,
        "ID": found.key,
        **{f.key: f.value for f in found.fields},
        "date": raw["date"],
    }


@pytest.mark.parametrize("date", ["2022-09-01", "2022-09", "2022", "2022-09-01?", "2022~"])
def test_bibtex_reads_back_with_the_recorded_date(date: str) -> None:
    found = parse_bibtex(citation.bibtex(entry(date=date, captured="2022-10"), "The Archive", BASE))
    assert found["ENTRYTYPE"] == "online"
    assert found["ID"] == "000_abc"
    assert found["title"] == "UN report on Xinjiang"
    assert found["date"] == date
    assert found["year"] == "2022"
    assert found.get("month") == ("9" if "-09" in date else None)
    assert found["urldate"] == "2022-10"
    assert found["url"] == BASE + "documents/un-report.html"
    assert found["organization"] == "Asia Financial"


def test_bibtex_keeps_hostile_text_as_text() -> None:
    text = citation.bibtex(entry(title=HOSTILE, author=HOSTILE, publisher="P\nQ"), "Arch & {ive}", BASE)
    found = parse_bibtex(text)
    read = HOSTILE.replace("^", "\u02c6")  # pylatexenc reads TeX's \textasciicircum as the modifier letter
    assert found["title"] == read
    assert found["author"] == read
    assert found["organization"] == "P Q"


@pytest.mark.parametrize(
    ("date", "da"),
    [("2022-09-01", "2022/09/01/"), ("2022-09", "2022/09//"), ("2022", "2022///"), ("2022-09?", "2022/09//uncertain")],
)
def test_ris_reads_back_with_the_recorded_date(date: str, da: str) -> None:
    (found,) = rispy.loads(citation.ris(entry(date=date, captured="2022-10-03"), "The Archive", BASE))
    assert found["type_of_reference"] == "ELEC"
    assert found["id"] == "000_abc"
    assert found["title"] == "UN report on Xinjiang"
    assert found["authors"] == ["Jane Doe"]
    assert found["publisher"] == "Asia Financial"
    assert found["year"] == "2022"
    assert found["date"] == da
    assert found["access_date"] == "2022/10/03/"
    assert found["urls"] == [BASE + "documents/un-report.html", "https://news.example.com/un-report"]
    assert found["name_of_database"] == "The Archive"


def test_ris_keeps_a_title_with_line_breaks_and_tags_on_one_line() -> None:
    (found,) = rispy.loads(citation.ris(entry(title="One\nER  - \nTY  - BOOK"), "The Archive"))
    assert found["title"] == "One ER  - TY  - BOOK"
    assert found["type_of_reference"] == "ELEC"


@pytest.mark.parametrize(
    ("date", "parts", "circa"),
    [
        ("2022-09-01", [2022, 9, 1], False),
        ("2022-09", [2022, 9], False),
        ("2022", [2022], False),
        ("2022-09?", [2022, 9], True),
        ("2022~", [2022], True),
    ],
)
def test_csl_json_has_only_the_known_date_parts(date: str, parts: list[int], circa: bool) -> None:
    item = citation.csl_json(entry(date=date), "The Archive", BASE)
    assert item["issued"]["date-parts"] == [parts]
    assert item["issued"].get("circa", False) is circa


def render_csl(text: str) -> str:
    source = CiteProcJSON(json.loads(text))
    style = citeproc.CitationStylesStyle("harvard-cite-them-right", validate=False)
    bibliography = citeproc.CitationStylesBibliography(style, source, citeproc.formatter.plain)
    bibliography.register(citeproc.Citation([citeproc.CitationItem(source_key) for source_key in source]))
    return str(bibliography.bibliography()[0])


def test_citeproc_renders_the_csl_json_with_its_month_and_accessed_date() -> None:
    text = citation.csl_json_text(entry(date="2022-09", captured="2022-10-03"), "The Archive", BASE)
    rendered = render_csl(text)
    assert "Jane Doe" in rendered
    assert "UN report on Xinjiang" in rendered
    assert "2022" in rendered
    assert "Asia Financial" in rendered
    assert "(2022)" in rendered  # the month is known, the style shows the year
    assert "Accessed: October 3, 2022" in rendered
    assert BASE + "documents/un-report.html" in rendered


def test_json_ld_text_cannot_end_its_script_element() -> None:
    text = citation.json_ld_text(citation.json_ld(entry(title=HOSTILE), "The Archive", BASE))
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text)["name"] == HOSTILE


def test_json_ld_keeps_a_month_a_month() -> None:
    data = citation.json_ld(entry(date="2022-09?"), "The Archive", BASE)
    assert data["datePublished"] == "2022-09"
    assert data["isBasedOn"] == "https://news.example.com/un-report"
    assert data["archivedAt"] == BASE + "documents/un-report.html"
    assert data["@type"] == "NewsArticle"
    assert citation.json_ld(entry(author=None), "The Archive")["@type"] == "CreativeWork"


@pytest.mark.parametrize("base_url", ["", BASE])
@pytest.mark.parametrize("author", [None, HOSTILE])
def test_meta_tags_in_one_piece_are_the_tags_one_by_one(base_url: str, author: str | None) -> None:
    """`cite_meta_tags` (the tags as one piece of HTML) shows what a template's loop over
    `cite_meta` shows, hostile text escaped the same way."""
    loop = jinja2.Environment(autoescape=True, trim_blocks=True).from_string(
        '{% for attribute, name, content in meta %}\n<meta {{ attribute }}="{{ name }}" content="{{ content }}">\n'
        "{% endfor %}"
    )
    cited = entry(title=HOSTILE, author=author, source_url=f"https://example.com/?a=1&b={HOSTILE}")
    meta = citation.page_meta(cited, HOSTILE, base_url)
    assert citation.page_meta_html(cited, HOSTILE, base_url) + "\n" == loop.render(meta=meta)
    assert 'content="A {brace} % 50 &amp; #1 $x_y ~ ^ \\end &#34;quoted&#34; &lt;/script&gt;&lt;!-- x"' in loop.render(
        meta=meta
    )


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(JSON_VALUES)
def test_csl_json_is_written_as_json_writes_it_indented(value: object) -> None:
    assert citation.indented(value) == json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)


def test_csl_json_file_of_hostile_text_is_json_indented() -> None:
    item = entry(title=HOSTILE + "\u2028\x00", author=HOSTILE, date="2022-09?", captured="2023-01")
    text = citation.csl_json_text(item, HOSTILE, BASE)
    assert (
        text
        == json.dumps([citation.csl_json(item, HOSTILE, BASE)], ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    )
