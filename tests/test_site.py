"""The built site: verbatim text, byte-identical copies, order, listings, links, determinism."""

from __future__ import annotations

import hashlib
import json
import os
import re
import urllib.parse
from pathlib import Path

import jinja2
import pytest
from conftest import PROJECT, Archive, files_under
from html_text import browser_newlines, links, verbatim_text
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import Markup, escape

import build
from archive.citation import HTML_ESCAPE
from archive.theme import Theme, escape_output
from archive.verbatim import ASTRAL_NONCHARACTERS, UNSHOWABLE_BMP, escape_text, escaped_utf8, verbatim

SEEDS = sorted((PROJECT / "seeds").iterdir())


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real archive, built once."""
    out = tmp_path_factory.mktemp("real") / "site"
    assert build.main(["--root", str(PROJECT), "--out", str(out), "--quiet"]) == 0
    return out


@pytest.fixture(scope="module")
def records(site: Path) -> list[dict[str, str]]:
    return list(json.loads((site / "metadata.json").read_text("utf-8"))["documents"])


SEED_SUMS = Path(__file__).parent / "seeds.sha256"
"""The SHA-256 of each original document as `sha256sum` prints it (`cd seeds && sha256sum -c`)."""
ORIGINALS = PROJECT.parent / "shared" / "seeds"
"""The documents as they were handed over, beside the project; always there in CI."""


def kept_sums() -> dict[str, str]:
    """File name -> SHA-256, from SEED_SUMS."""
    lines = SEED_SUMS.read_text("ascii").splitlines()
    return {name: digest for digest, name in (line.split("  ", 1) for line in lines)}


def test_the_five_seeds_are_the_originals() -> None:
    assert len(kept_sums()) == 5
    assert {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in SEEDS} == kept_sums()


def test_the_seeds_are_byte_for_byte_the_originals_beside_the_project() -> None:
    if not ORIGINALS.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"{ORIGINALS} is missing: CI compares seeds/ with the originals byte for byte")
        pytest.skip(f"{ORIGINALS} is not here; seeds/ was checked against {SEED_SUMS.name} only")
    assert files_under(ORIGINALS) == files_under(PROJECT / "seeds")


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name)
def test_page_text_is_the_seed_and_raw_copy_is_byte_identical(site: Path, records, seed: Path) -> None:
    record = next(r for r in records if r["file"] == seed.name)
    raw = seed.read_bytes()
    page = (site / record["page"]).read_text("utf-8")
    assert verbatim_text(page) == browser_newlines(raw.decode("utf-8"))
    assert (site / record["raw"]).read_bytes() == raw
    sha = hashlib.sha256(raw).hexdigest()
    assert record["sha256"] == sha
    assert f'<code class="sha256">{sha}</code>' in page
    href = urllib.parse.quote(record["raw"])
    assert f'<link rel="alternate" type="text/plain" href="../{href}"' in page


def test_index_lists_every_document_in_chronological_order_grouped_by_month(site: Path) -> None:
    index = (site / "index.html").read_text("utf-8")
    months = re.findall(r'<h2 id="month-[^"]+">([^<]+)</h2>', index)
    assert months == ["July 2022", "September 2022"]
    times = re.findall(r'<time datetime="([^"]+)">([^<]+)</time>', index)
    assert times == [
        ("2022-07-21", "21 July 2022"),
        ("2022-09-01", "1 September 2022 (uncertain)"),
        ("2022-09-01", "1 September 2022"),
        ("2022-09", "September 2022"),
        ("2022-09-12", "12 September 2022"),
    ]
    titles = re.findall(r'class="doc-title" href="([^"]+)"', index)
    assert [t.split("/")[1][:20] for t in titles] == [
        "china-attempts-to-bl",
        "china-should-release",
        "china-investigation-",
        "un-report-serious-hu",
        "statement-condemning",
    ]


def test_previous_and_next_follow_the_order(site: Path, records) -> None:
    pages = [r["page"] for r in records]
    for i, page in enumerate(pages):
        html = (site / page).read_text("utf-8")
        prev = re.search(r'href="([^"]+)" rel="prev"', html)
        nxt = re.search(r'href="([^"]+)" rel="next"', html)
        assert (prev.group(1) if prev else None) == (f"../{pages[i - 1]}" if i else None)
        assert (nxt.group(1) if nxt else None) == (f"../{pages[i + 1]}" if i + 1 < len(pages) else None)


def test_metadata_json_has_one_record_per_document(records, site: Path) -> None:
    assert [r["file"] for r in records] == [
        "003_8afd114e5d2ff81d.txt",
        "002_17cb784f01f1b75a.txt",
        "001_d30952c24d048c51.txt",
        "004_6b73d86a5e1183e7.txt",
        "000_513650e97950ca6d.txt",
    ]
    dates = {r["file"][:3]: r["date"] for r in records}
    assert dates == {
        "000": "2022-09-12",
        "001": "2022-09-01",
        "002": "2022-09-01?",
        "003": "2022-07-21",
        "004": "2022-09",
    }
    for record in records:
        assert {"file", "title", "publisher", "date", "stance", "sha256", "page", "raw"} <= set(record)
        assert (site / record["page"]).is_file() and (site / record["raw"]).is_file()


def test_listing_pages_for_each_stance_and_publisher(site: Path, records) -> None:
    for record in records:
        stance = (site / "stances" / f"{record['stance']}.html").read_text("utf-8")
        assert f'href="../{record["page"]}"' in stance
    publishers = sorted(p.name for p in (site / "publishers").iterdir())
    assert publishers == [
        "adn-america.html",
        "amnesty-international-uk.html",
        "asia-financial.html",
        "china-digital-times.html",
        "friends-of-socialist-china.html",
        "index.html",
    ]
    assert "About this archive" in (site / "about.html").read_text("utf-8")


def test_every_link_is_relative_and_resolves_to_a_file(site: Path) -> None:
    pages = sorted(site.rglob("*.html"))
    assert len(pages) == 20  # the documents, listings, index, about, timeline, compare.html and search.html
    for page in pages:
        for href in links(page.read_text("utf-8")):
            parts = urllib.parse.urlsplit(href)
            if href == "data:,":  # the empty site icon: stops browsers asking for /favicon.ico
                continue
            if parts.scheme in ("http", "https"):
                assert 'rel="external' in page.read_text("utf-8"), href
                continue
            assert not parts.scheme and not parts.netloc and not href.startswith("/"), f"{page}: {href}"
            target = (page.parent / urllib.parse.unquote(parts.path)).resolve() if parts.path else page
            assert target.is_file(), f"{page.relative_to(site)} links to {href}, which is not a file"
            if parts.fragment:
                assert f'id="{parts.fragment}"' in target.read_text("utf-8"), f"{page}: {href}: no such id"


def test_nothing_is_loaded_from_outside_the_site(site: Path) -> None:
    for page in site.rglob("*.html"):
        html = page.read_text("utf-8")
        for tag in re.findall(r"<(?:link|script|img|iframe|source)\b[^>]*>", html):
            assert "http:" not in tag and "https:" not in tag and "//" not in tag, f"{page}: {tag}"


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    trees = []
    for name in ("one", "two"):
        out = tmp_path / name
        assert build.main(["--root", str(PROJECT), "--out", str(out), "--quiet"]) == 0
        trees.append(files_under(out))
    assert trees[0] == trees[1]


def test_base_url_gives_canonical_links_and_nothing_else_changes(tmp_path: Path) -> None:
    plain, based = tmp_path / "plain", tmp_path / "based"
    assert build.main(["--root", str(PROJECT), "--out", str(plain), "--quiet"]) == 0
    assert (
        build.main(
            ["--root", str(PROJECT), "--out", str(based), "--quiet", "--base-url", "https://example.org/archive"]
        )
        == 0
    )
    index = (based / "index.html").read_text("utf-8")
    assert '<link rel="canonical" href="https://example.org/archive/index.html">' in index
    feed = '<link rel="alternate" type="application/atom+xml" href="feed.atom" title="Latest documents">\n'
    assert feed in index
    without = re.sub(r'<link rel="canonical" href="[^"]+">\n', "", index).replace(feed, "")
    assert without == (plain / "index.html").read_text("utf-8")


def test_pages_show_dates_honestly(site: Path, records) -> None:
    by_file = {r["file"][:3]: (site / r["page"]).read_text("utf-8") for r in records}
    assert '<time datetime="2022-09-01">1 September 2022 (uncertain)</time>' in by_file["002"]
    assert "known to the day, uncertain" in by_file["002"]
    assert '<time datetime="2022-09">September 2022</time>' in by_file["004"]
    assert "known to the month" in by_file["004"]


HOSTILE = st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=300) | st.sampled_from(
    [
        "</pre><script>alert(1)</script>",
        "\n\nstarts with blank lines",
        "no final newline",
        "a" * 5000,
        "CRLF\r\nline\r\n",
        "lone\rCR",
        "&amp; &lt;not a tag&gt; <!-- -->",
        "\u00a0nbsp\u202fnarrow",
        "\x00\x07\x1b[31m\x7f\x85\ufdd0\uffff",
        "emoji 👩🏽‍🔬 flags 🇺🇳",
        "{{ 7*7 }} {% raw %}",
    ]
)


@given(text=HOSTILE)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_text_renders_verbatim(text: str) -> None:
    html = f"<pre data-verbatim>{verbatim(text)}</pre>"
    assert verbatim_text(html) == browser_newlines(text)


@given(text=HOSTILE)
@settings(max_examples=150, deadline=None)
def test_the_quick_escape_is_markupsafes(text: str) -> None:
    assert escape_text(text) == str(escape(text))


class Shown:
    """A value with its own HTML, as a filter may return."""

    def __html__(self) -> str:
        return "<b>&amp;</b>"


@given(text=HOSTILE)
@settings(max_examples=150, deadline=None)
def test_output_escaping_is_markupsafes(text: str) -> None:
    assert HTML_ESCAPE(text) == str(escape(text))
    for value in (text, Markup(text), Shown(), 42, None, ["<"]):
        assert escape_output(value) == str(escape(value))
        assert type(escape_output(value)) in (str, Markup)


def test_pages_escape_what_they_show_as_jinja_does() -> None:
    """A theme's templates show values as Jinja's own autoescaping shows them."""
    source = "{{ a }}|{{ b }}|{{ c }}|{{ d }}|{% set e %}<i>{{ a }}</i>{% endset %}{{ e }}|{{ a ~ b }}\n"
    values = {"a": "<\"Tom\" & 'Jerry'>", "b": Markup("<em>&amp;</em>"), "c": Shown(), "d": 7}
    theme = Theme([], [])
    plain = jinja2.Environment(autoescape=True, keep_trailing_newline=True)
    assert theme.env.from_string(source).render(values) == plain.from_string(source).render(values)
    assert "&lt;&#34;Tom&#34; &amp; &#39;Jerry&#39;&gt;|<em>&amp;</em>|<b>&amp;</b>|7|<i>&lt;" in plain.from_string(
        source
    ).render(values)


def test_a_template_is_parsed_once_to_be_keyed_and_compiled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Finding what a template names (for its key) and compiling it parse its source once: Jinja
    compiles the tree the key was found in (the golden snapshot checks the pages are the same)."""
    parsed: list[str | None] = []
    parse = jinja2.parser.Parser.parse

    def counted(parser: jinja2.parser.Parser) -> jinja2.nodes.Template:
        parsed.append(parser.name)
        return parse(parser)

    monkeypatch.setattr(jinja2.parser.Parser, "parse", counted)
    theme = Theme([PROJECT / "templates"], [])
    theme.template_key("about.html")
    theme.compile_planned()
    assert sorted(parsed) == sorted(theme.planned) and len(parsed) == len(set(parsed)), parsed
    assert {"about.html", "base.html", "_search_box.html"} <= theme.planned


@given(text=HOSTILE)
@settings(max_examples=300, deadline=None)
def test_a_text_as_escaped_bytes_is_the_text_verbatim(text: str) -> None:
    data = text.encode("utf-8", "surrogatepass")
    escaped = escaped_utf8(data)
    if escaped is not None:
        assert "\n" + escaped.decode("utf-8") == str(verbatim(text))
    if UNSHOWABLE_BMP.search(text) or any(character in text for character in ASTRAL_NONCHARACTERS):
        assert escaped is None


@pytest.mark.parametrize(
    "character",
    ["\x00", "\x1b", "\x7f", "\x85", "\x9f", "\ufdd0", "\ufdef", "\ufffe", "\uffff", "\U0001fffe", "\U0010ffff"],
)
def test_a_text_with_a_character_to_mark_takes_the_string_path(character: str) -> None:
    assert escaped_utf8(f"“a” {character} b".encode()) is None
    assert escaped_utf8(f"“a” {character} b".replace(character, "\u00a0\ufdcf\ufdf0\ufffd").encode()) is not None


def test_a_plain_text_takes_the_bytes_path() -> None:
    text = "“curly” 中文 👩🏽‍🔬 <&> '\"\r\n\t\u00a0\u00bf\uffdd end"
    assert escaped_utf8(text.encode()) == str(verbatim(text))[1:].encode()


def test_a_template_may_show_the_text_called_uncalled_or_through_verbatim(archive: Archive, run) -> None:
    archive.seed("a.txt", "Tom & Jerry <3 “quoted”\n")
    (archive.root / "templates").mkdir()
    (archive.root / "templates" / "document.html").write_text(
        "<p>{{ text }}</p><p>{{ text() }}</p><pre>{{ text|verbatim }}</pre><pre>{{ text()|verbatim }}</pre>\n"
    )
    assert run("--root", ".", "--quiet").status == 0
    page = (archive.site / "documents" / "alpha.html").read_text("utf-8")
    escaped = "Tom &amp; Jerry &lt;3 “quoted”\n"
    assert page == f"<p>{escaped}</p><p>{escaped}</p><pre>\n{escaped}</pre><pre>\n{escaped}</pre>\n"


def test_hostile_seed_builds_and_stays_verbatim(archive: Archive, run) -> None:
    text = "\n</pre><script>alert(1)</script>\r\n{{ 7*7 }}\x00\x85 “curly” 中文 👩🏽‍🔬" + "x" * 3000
    archive.seed("a.txt", text.encode("utf-8"))
    assert run("--root", ".", "--quiet").status == 0
    page = (archive.site / "documents" / "alpha.html").read_text("utf-8")
    assert verbatim_text(page) == browser_newlines(text)
    assert "<script>" not in page
    assert (archive.site / "raw" / "a.txt").read_bytes() == text.encode("utf-8")


def test_a_raw_copy_is_always_served_as_text(archive: Archive, run) -> None:
    page = '<html><script>alert("from the seed")</script></html>\n'
    archive.seed("page.html", page)
    with open(archive.root / "metadata.yaml", "a", encoding="utf-8") as stream:
        stream.write("  page.html:\n    title: A captured page\n    publisher: P\n    date: 2022\n    stance: for\n")
    assert run("--root", ".", "--quiet").status == 0
    assert (archive.site / "raw" / "page.html.txt").read_bytes() == page.encode()
    assert not (archive.site / "raw" / "page.html").exists()
    assert 'href="../raw/page.html.txt"' in (archive.site / "documents" / "a-captured-page.html").read_text()


def test_a_template_may_use_rows_as_text(archive: Archive, run) -> None:
    """Rows go into a page's bytes after it is rendered; a template that does more with them than
    show them (here: twice, upper-cased, counted) gets them as text, the same rows either way."""
    (archive.root / "templates").mkdir()
    (archive.root / "templates" / "index.html").write_text(
        "{% for month in months %}[{{ month.entries|rows }}]{% endfor %}\n"
        "{% for month in months %}<{{ month.entries|rows|upper }}|{{ (month.entries|rows)|length }}>{% endfor %}\n"
    )
    assert run("--root", ".", "--quiet").status == 0
    page = (archive.site / "index.html").read_text("utf-8")
    rows = re.findall(r"\[(.*?)\]", page, re.S)
    assert len(rows) == 2 and all('class="doc-title" href="documents/' in row for row in rows)
    assert re.findall(r"<(<LI .*?)\|(\d+)>", page, re.S) == [(row.upper(), str(len(row))) for row in rows]
    assert "\0" not in page
    (archive.root / "templates" / "index.html").write_text(
        "{% for month in months %}[{{ month.entries|rows }}]{% endfor %}\n"
    )
    assert run("--root", ".", "--quiet").status == 0
    assert (archive.site / "index.html").read_text("utf-8") == "".join(f"[{row}]" for row in rows)  # trim_blocks
