"""Publishing and citing, read by the tools that consume them: feedparser for the feed, the
sitemaps.org schemas (kept in tests/schemas) with lxml for the sitemap, extruct for each
page's embedded metadata, and exact messages for the new settings and fields."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import extruct
import feedparser
import pytest
import yaml
from archive_model import Model, assert_same_as_clean, build_quietly
from conftest import PROJECT, Archive
from lxml import etree

import build
from archive.outputs import publish

BASE = "https://example.org/sub/"
SCHEMAS = Path(__file__).parent / "schemas"


def model_archive(root: Path) -> Model:
    """Five documents dated to the day, the month, the year, uncertainly and approximately."""
    model = Model(root)
    for name, title, date in [
        ("d1.txt", "Day", "2022-09-01"),
        ("d2.txt", "Month", "2022-10"),
        ("d3.txt", "Year", "2023"),
        ("d4.txt", "Uncertain", "2021-05-06?"),
        ("d5 & co.txt", "Approximate <b>", "2020~"),
    ]:
        model.add(name, title, date)
    model.set("d1.txt", "author", "Jane Doe")
    model.set("d1.txt", "captured", "2022-10-03")
    model.settings["base_url"] = BASE
    model.write()
    return model


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> tuple[Model, Path]:
    root = tmp_path_factory.mktemp("published")
    model = model_archive(root / "archive")
    build_quietly(model.root, root / "site")
    return model, root / "site"


def parsed_feed(site: Path) -> feedparser.FeedParserDict:
    feed = feedparser.parse((site / "feed.atom").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


def test_the_feed_lists_the_latest_documents_newest_first_with_ids_from_seed_names(published) -> None:
    _, site = published
    feed = parsed_feed(site)
    assert feed.version == "atom10"
    assert feed.feed.id == "tag:example.org,2026:/sub/feed"
    assert feed.feed.links[0].href == BASE + "feed.atom"
    assert [entry.title for entry in feed.entries] == ["Year", "Month", "Day", "Uncertain", "Approximate <b>"]
    assert [entry.id for entry in feed.entries] == [
        "tag:example.org,2026:/sub/seeds/d3.txt",
        "tag:example.org,2026:/sub/seeds/d2.txt",
        "tag:example.org,2026:/sub/seeds/d1.txt",
        "tag:example.org,2026:/sub/seeds/d4.txt",
        "tag:example.org,2026:/sub/seeds/d5%20%26%20co.txt",
    ]
    assert feed.entries[2].link == BASE + "documents/day.html"
    assert feed.entries[2].author == "Jane Doe"


def test_feed_stamps_are_the_first_instant_a_partial_date_can_be(published) -> None:
    _, site = published
    feed = parsed_feed(site)
    stamps = [time.strftime("%Y-%m-%dT%H:%M:%S", entry.updated_parsed) for entry in feed.entries]
    assert stamps == [
        "2023-01-01T00:00:00",
        "2022-10-01T00:00:00",
        "2022-09-01T00:00:00",
        "2021-05-06T00:00:00",
        "2020-01-01T00:00:00",
    ]
    assert feed.feed.updated == "2023-01-01T00:00:00Z"
    assert "October 2022 (recorded as 2022-10)" in feed.entries[1].summary
    assert "2021-05-06?" in feed.entries[3].summary


def test_the_feed_holds_only_the_latest_documents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(publish, "FEED_SIZE", 2)
    model = model_archive(tmp_path / "archive")
    build_quietly(model.root, tmp_path / "site")
    assert [entry.title for entry in parsed_feed(tmp_path / "site").entries] == ["Year", "Month"]


def test_feed_ids_stay_when_documents_are_retitled_and_added(tmp_path: Path) -> None:
    model = model_archive(tmp_path / "archive")
    build_quietly(model.root, tmp_path / "site")
    before = {entry.link: entry.id for entry in parsed_feed(tmp_path / "site").entries}
    model.set("d2.txt", "title", "Month, retitled")
    model.add("d6.txt", "Newest", "2024")
    model.write()
    build_quietly(model.root, tmp_path / "site")
    after = {entry.title: entry.id for entry in parsed_feed(tmp_path / "site").entries}
    assert after["Month, retitled"] == before[BASE + "documents/month.html"]
    assert after["Newest"] == "tag:example.org,2026:/sub/seeds/d6.txt"
    assert_same_as_clean(model.root, tmp_path / "site", tmp_path / "clean", "after retitling and adding")


def validate(document: Path, schema: str) -> None:
    checker = etree.XMLSchema(etree.parse(SCHEMAS / schema))
    assert checker.validate(etree.parse(document)), checker.error_log


def locations(document: Path) -> list[str]:
    return [loc.text for loc in etree.parse(document).iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]


UNLISTED = ("404.html", "compare.html")
"""Pages no sitemap lists: the page of a missing address, and the view that shows two documents the address names."""


def test_the_sitemap_validates_and_lists_every_page_that_shows_something(published) -> None:
    _, site = published
    validate(site / "sitemap.xml", "sitemap.xsd")
    listed = locations(site / "sitemap.xml")
    # compare.html shows nothing until an address names two documents: it is not listed
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html") if p.name not in UNLISTED)
    assert sorted(listed) == sorted(BASE + re.sub(" ", "%20", page) for page in pages)
    assert (site / "robots.txt").read_text() == f"User-agent: *\nAllow: /\nSitemap: {BASE}sitemap.xml\n"


def test_the_sitemap_lists_split_listings_and_shared_titles_but_not_aliases(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from archive import parts

    monkeypatch.setattr(parts, "LIMIT", 2)
    monkeypatch.setattr(parts, "GROUP_LIMIT", 1)
    model = model_archive(tmp_path / "archive")
    model.add("d6.txt", "Day", "2021-03-04", publisher="Weekly Two")  # a title the first document has too
    model.set("d3.txt", "aliases", ["an-earlier-name"])
    model.write()
    build_quietly(model.root, tmp_path / "site")
    site = tmp_path / "site"
    listed = locations(site / "sitemap.xml")
    assert f"{BASE}index/2022.html" in listed and f"{BASE}documents/day.html" in listed  # a part, a shared title
    assert f"{BASE}publishers/index_2.html" in listed  # the publishers' own list, second page
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html") if p.name not in UNLISTED)
    alias = "documents/an-earlier-name.html"
    assert alias in pages
    assert sorted(listed) == sorted(BASE + page for page in pages if page != alias)


def test_past_the_limit_the_sitemap_is_an_index_over_parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(publish, "SITEMAP_LIMIT", 4)
    model = model_archive(tmp_path / "archive")
    build_quietly(model.root, tmp_path / "site")
    site = tmp_path / "site"
    validate(site / "sitemap.xml", "siteindex.xsd")
    parts = locations(site / "sitemap.xml")
    assert parts == [f"{BASE}sitemap-{n}.xml" for n in range(1, len(parts) + 1)]
    listed = []
    for part in parts:
        validate(site / part.removeprefix(BASE), "sitemap.xsd")
        listed += locations(site / part.removeprefix(BASE))
        assert len(locations(site / part.removeprefix(BASE))) <= 4
    assert len(listed) == len(set(listed)) == len([p for p in site.rglob("*.html") if p.name not in UNLISTED])


@pytest.mark.parametrize(("spare", "root"), [(0, "urlset"), (-1, "sitemapindex")])
def test_the_sitemap_splits_only_past_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spare: int, root: str
) -> None:
    model = model_archive(tmp_path / "archive")
    pages = 14  # the index, about, the timeline, the search page, two lists, two stances, one publisher, five documents
    monkeypatch.setattr(publish, "SITEMAP_LIMIT", pages + spare)
    build_quietly(model.root, tmp_path / "site")
    assert etree.parse(tmp_path / "site" / "sitemap.xml").getroot().tag == f"{{{publish.SITEMAP_NS}}}{root}"


def test_the_404_page_links_absolutely_from_the_base_address(published) -> None:
    _, site = published
    page = (site / "404.html").read_text("utf-8")
    hrefs = re.findall(r'href="([^"#]+)"', page)
    assert hrefs and all(href.startswith(BASE) or href == "data:," for href in hrefs), hrefs
    assert f'href="{BASE}static/style.css"' in page
    assert (site / ".nojekyll").read_bytes() == b""


def test_without_a_base_address_the_site_builds_without_what_needs_one(archive: Archive, run) -> None:
    result = run("--root", ".")
    assert result.status == 0
    assert result.err == (
        "no base address (--base-url or archive.base_url): feed.atom, sitemap.xml, robots.txt and 404.html left out\n"
    )
    for name in ("feed.atom", "sitemap.xml", "robots.txt", "404.html"):
        assert not (archive.site / name).exists(), name
    assert (archive.site / ".nojekyll").exists()
    assert "citation_public_url" not in (archive.site / "documents/alpha.html").read_text("utf-8")


def test_the_command_line_base_address_wins_over_the_setting(published, tmp_path: Path) -> None:
    model, _ = published
    assert build.main(["--root", str(model.root), "--out", str(tmp_path / "s"), "--base-url", "https://b.example"]) == 0
    assert "Sitemap: https://b.example/sitemap.xml" in (tmp_path / "s" / "robots.txt").read_text()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "captured",
            "2022-13",
            "metadata.yaml:17: documents.a.txt.captured: '2022-13' has no month 13: months run from 01 to 12",
        ),
        (
            "captured",
            "soon",
            "metadata.yaml:17: documents.a.txt.captured: 'soon' is not a date: use YYYY-MM-DD,"
            " YYYY-MM or YYYY, optionally followed by ? (uncertain) or ~ (approximate)",
        ),
    ],
)
def test_a_bad_captured_date_is_reported_at_its_line(
    archive: Archive, run, field: str, value: str, message: str
) -> None:
    text = (archive.root / "metadata.yaml").read_text()
    (archive.root / "metadata.yaml").write_text(
        text.replace("    stance: for\n", f"    stance: for\n    {field}: {value}\n", 1)
    )
    result = run("--root", ".")
    assert (result.status, result.err.splitlines()) == (1, [message, "1 problem found; nothing was written."])


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            "base_url: example.org",
            "metadata.yaml:2: archive.base_url: 'example.org' is not an http:// or https:// address",
        ),
        (
            "base_url: https://example.org/archive?lang=en",
            "metadata.yaml:2: archive.base_url: 'https://example.org/archive?lang=en' has a query or a fragment"
            " (? or #): the site's address is a folder's, such as https://example.org/archive/",
        ),
        ("citation_files: maybe", "metadata.yaml:2: archive.citation_files: expected true or false, got text"),
    ],
)
def test_bad_settings_are_reported_at_their_line(archive: Archive, run, line: str, message: str) -> None:
    text = (archive.root / "metadata.yaml").read_text()
    (archive.root / "metadata.yaml").write_text(text.replace("archive:\n", "archive:\n  " + line + "\n", 1))
    result = run("--root", ".")
    assert (result.status, result.err.splitlines()) == (1, [message, "1 problem found; nothing was written."])


def test_citation_files_can_be_turned_off(archive: Archive, run) -> None:
    text = (archive.root / "metadata.yaml").read_text()
    (archive.root / "metadata.yaml").write_text(text.replace("archive:\n", "archive:\n  citation_files: false\n", 1))
    assert run("--root", ".").status == 0
    assert not (archive.site / "cite").exists()
    page = (archive.site / "documents/alpha.html").read_text("utf-8")
    assert "Cite this" in page and "cite/alpha.bib" not in page


def test_the_captured_date_is_shown_as_precisely_as_known(published) -> None:
    _, site = published
    page = (site / "documents/day.html").read_text("utf-8")
    assert '<dt>Captured</dt>\n      <dd><time datetime="2022-10-03">3 October 2022</time></dd>' in page
    assert "Accessed October 3, 2022." in page


# What tools read from each page, compared with metadata.yaml ----------------------------------


@pytest.fixture(scope="module")
def real_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("real") / "site"
    assert build.main(["--root", str(PROJECT), "--out", str(out), "--quiet", "--base-url", BASE]) == 0
    return out


def test_every_document_page_tells_tools_what_metadata_yaml_says(real_site: Path) -> None:
    records = yaml.safe_load((PROJECT / "metadata.yaml").read_text("utf-8"))["documents"]
    data = json.loads((real_site / "metadata.json").read_text("utf-8"))
    assert len(data["documents"]) == len(records) > 0
    for document in data["documents"]:
        record = records[document["file"]]
        date = str(record["date"])
        page = (real_site / document["page"]).read_text("utf-8")
        found = extruct.extract(page, base_url=BASE + document["page"], syntaxes=["json-ld", "opengraph"], uniform=True)
        (ld,) = found["json-ld"]
        assert ld["name"] == record["title"]
        assert ld["datePublished"] == date.rstrip("?~")
        assert ld["publisher"]["name"] == record["publisher"]
        assert ld.get("isBasedOn") == record.get("source_url")
        assert ld["archivedAt"] == BASE + document["page"]
        assert ld.get("author", {}).get("name") == record.get("author")
        (og,) = found["opengraph"]
        assert og["og:title"] == record["title"]
        assert og["og:url"] == BASE + document["page"]
        meta = dict(re.findall(r'<meta name="(citation_[a-z_]+)" content="([^"]*)">', page))
        assert meta["citation_publication_date"] == date.rstrip("?~").replace("-", "/")
        assert meta["citation_public_url"] == BASE + document["page"]
        assert meta.get("citation_author") == record.get("author")
        assert "citation_journal_title" not in meta  # a reference manager would save a journal article


def test_a_month_only_date_stays_a_month_in_every_form(published) -> None:
    _, site = published
    page = (site / "documents/month.html").read_text("utf-8")
    (ld,) = extruct.extract(page, syntaxes=["json-ld"])["json-ld"]
    assert ld["datePublished"] == "2022-10"
    assert '<meta name="citation_publication_date" content="2022/10">' in page
    assert '<meta name="DC.date" content="2022-10">' in page
    csl = json.loads((site / "cite/month.csl.json").read_text("utf-8"))
    assert csl[0]["issued"] == {"date-parts": [[2022, 10]]}
