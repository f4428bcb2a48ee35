"""Injection: payloads in every field and in a document's text never run and never break out.

Each page of an archive whose every field holds a payload is opened in Chromium, from disk
and over http; a dialog, a console error, a script element, an event-handler attribute or a
link to a script address fails the test. The payloads must show as the text they are.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from .conftest import Site, build_site, serve

ALERT = "alert(document.domain)"
PAYLOADS = [
    f"<script>{ALERT}</script>",
    f'"><img src=x onerror="{ALERT}">',
    f"'><svg onload={ALERT}>",
    f"</pre><script>{ALERT}</script><pre>",
    f"</title><script>{ALERT}</script>",
    "{{ 7*7 }} {% raw %}{{ config }}{% endraw %} ${7*7}",
    "\u2028\u2029 </script> <!-- --> ]]>",
]
NAME = 'x"><img src=x onerror=alert(1)>.txt'
MARKDOWN = f"""\
[plain js](javascript:{ALERT}) [entity js](&#106;avascript:{ALERT}) [spaced]( javascript:{ALERT})
[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==) <javascript:{ALERT}>
![image js](javascript:{ALERT}) [ref][r] <img src=x onerror="{ALERT}"> <b onmouseover="{ALERT}">b</b>

[r]: vbscript:{ALERT}
"""


def quoted(text: str) -> str:
    return json.dumps(text)  # \u escapes: YAML reads a raw U+2028 in the file as a line break


def write_injection_archive(root: Path) -> None:
    (root / "seeds").mkdir(parents=True)
    lines = ["archive:", f"  title: {quoted(PAYLOADS[4])}", "  description: |"]
    lines += ["    " + line for line in MARKDOWN.splitlines()]
    lines += ["stances:", "  for:", f"    label: {quoted(PAYLOADS[1])}", f"    description: {quoted(MARKDOWN)}"]
    lines += ["documents:"]
    for number, payload in enumerate(PAYLOADS):
        name = NAME if number == 0 else f"payload{number}.txt"
        (root / "seeds" / name).write_text("\n".join(PAYLOADS) + f"\n{payload}\n", encoding="utf-8")
        lines += [
            f"  {quoted(name)}:",
            f"    title: {quoted(payload)}",
            f"    publisher: {quoted(PAYLOADS[(number + 1) % len(PAYLOADS)])}",
            f"    author: {quoted(PAYLOADS[(number + 2) % len(PAYLOADS)])}",
            f'    date: "2022-09-{number + 1:02d}"',
            "    stance: for",
            f"    source_url: {quoted('https://example.org/?q=' + ''.join(payload.split()))}",
            f"    note: {quoted(MARKDOWN)}",
        ]
    (root / "metadata.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def injected(tmp_path_factory: pytest.TempPathFactory) -> Site:
    root = tmp_path_factory.mktemp("injection")
    write_injection_archive(root / "archive")
    return Site("injection", build_site(root / "archive", root / "site"))


def test_metadata_json_carries_every_payload_as_data(injected: Site) -> None:
    data = json.loads((injected.root / "metadata.json").read_text("utf-8"))
    titles = [document["title"] for document in data["documents"]]
    assert sorted(titles) == sorted(PAYLOADS)
    assert data["archive"]["title"] == PAYLOADS[4]


@pytest.mark.parametrize("over", ["file", "http"])
def test_no_payload_runs_or_breaks_out(injected: Site, over: str, new_page: Callable[..., Any], watcher) -> None:
    with serve(injected.root) as url:
        site = Site(injected.name, injected.root, url)
        page = new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(f"{page.url}: {dialog.message}"), dialog.dismiss()))
        problems = watcher(page)
        for name in site.pages:
            page.goto(site.file_url(name) if over == "file" else site.http_url(name))
            page.mouse.move(200, 200)
            found = page.evaluate(
                """root => ({
                    // the site's own script files only: none inline, none from elsewhere; JSON-LD is data
                    scripts: [...document.querySelectorAll('script:not([type="application/ld+json"])')]
                        .filter(s => !s.getAttribute('src') || !s.src.startsWith(root)).length,
                    data: [...document.querySelectorAll('script[type="application/ld+json"]')]
                        .filter(e => !e.parentElement.matches('head') || typeof JSON.parse(e.text).name !== 'string')
                        .length,
                    handlers: [...document.querySelectorAll('*')].flatMap(e => [...e.attributes])
                        .filter(a => a.name.startsWith('on')).map(a => a.name),
                    bad: [...document.querySelectorAll('[href], [src]')]
                        .map(e => e.getAttribute('href') || e.getAttribute('src'))
                        .filter(u => /^\\s*(javascript|vbscript|data:text)/i.test(u)),
                    injected: document.querySelectorAll(
                        'img[src="x"], svg:not(.timeline-svg, .tl-key-svg), b[onmouseover]').length,
                })""",
                site.root.as_uri() + "/" if over == "file" else url,
            )
            assert found == {"scripts": 0, "data": 0, "handlers": [], "bad": [], "injected": 0}, name
        assert dialogs == []
        assert problems == []


def test_citations_carry_every_payload_as_data(injected: Site, tmp_path: Path) -> None:
    """The JSON-LD, meta tags and cite/ files of every page hold the payloads as they are;
    with a base address, so does the feed."""
    import extruct
    import feedparser
    import rispy

    titles = set()
    for name in injected.documents:
        html = (injected.root / name).read_text("utf-8")
        found = extruct.extract(html, syntaxes=["json-ld", "opengraph"], uniform=True)
        (data,) = found["json-ld"]
        assert data["name"] in PAYLOADS
        assert found["opengraph"][0]["og:title"] == data["name"]
        titles.add(data["name"])
        stem = name.removeprefix("documents/").removesuffix(".html")
        (record,) = rispy.loads((injected.root / "cite" / f"{stem}.ris").read_text("utf-8"))
        assert record["title"] == " ".join(data["name"].split())
        (item,) = json.loads((injected.root / "cite" / f"{stem}.csl.json").read_text("utf-8"))
        assert item["title"] == data["name"]
    assert titles == set(PAYLOADS)
    root = tmp_path / "archive"
    write_injection_archive(root)
    site = build_site(root, tmp_path / "site", "--base-url", "https://example.org/")
    feed = feedparser.parse((site / "feed.atom").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert sorted(entry.title for entry in feed.entries) == sorted(
        " ".join(p.split()) if "\u2028" in p else p for p in PAYLOADS
    )


def test_payloads_show_as_the_text_they_are(injected: Site, new_page: Callable[..., Any]) -> None:
    page = new_page()
    page.goto(injected.file_url("index.html"))
    shown = page.locator("main").text_content() or ""
    for payload in PAYLOADS:
        assert payload.strip() in shown
    assert "49" not in shown  # {{ 7*7 }} is text, not a template
    assert page.title().startswith(PAYLOADS[4])


INJECTED = "() => document.querySelectorAll('img[src=\"x\"], svg, b[onmouseover], script:not([src])').length"


@pytest.mark.parametrize("over", ["file", "http"])
def test_payloads_show_as_text_in_the_filters_and_the_compare_headers(
    injected: Site, over: str, new_page: Callable[..., Any]
) -> None:
    data = json.loads((injected.root / "metadata.json").read_text("utf-8"))["documents"]
    pages = [d["page"].removeprefix("documents/").removesuffix(".html") for d in data]
    with serve(injected.root) as url:
        base = injected.root.as_uri() + "/" if over == "file" else url
        page = new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(base + "index.html#stance=for")
        page.wait_for_function("() => document.querySelectorAll('[data-filter-results] li').length > 0")
        assert sorted(page.locator("[data-filter-results] .doc-title").all_text_contents()) == sorted(PAYLOADS)
        assert page.locator("[data-filter-stances] label").all_text_contents() == [f"{PAYLOADS[1]} ({len(PAYLOADS)})"]
        options = page.locator("#filter-publisher-list option").evaluate_all("os => os.map(o => o.value)")
        assert sorted(options) == sorted(PAYLOADS)
        for payload in PAYLOADS:  # each publisher chosen by typing its name shows it as text
            page.get_by_label("Publisher", exact=True).fill(payload)
            page.get_by_label("Publisher", exact=True).press("Enter")
        page.wait_for_function("() => document.querySelectorAll('[data-filter-chosen] li').length === 7")
        chips = page.locator("[data-filter-chosen] li").all_text_contents()
        assert sorted(chip.removesuffix(" (1) Remove") for chip in chips) == sorted(PAYLOADS)
        assert page.evaluate(INJECTED) == 0
        for a, b in zip(pages, pages[1:] + pages[:1], strict=True):
            page.goto(f"{base}compare.html#a={a}&b={b}")
            page.wait_for_function(
                "() => document.querySelector('[data-compare-status]').textContent.startsWith('Showing')"
            )
            titles = page.locator("[data-compare-title]").all_text_contents()
            assert titles == [data[pages.index(a)]["title"], data[pages.index(b)]["title"]]
            facts = page.locator("[data-compare-column=a] [data-compare-facts] dd").all_text_contents()
            assert facts[0] == data[pages.index(a)]["publisher"] and facts[2] == PAYLOADS[1]
            assert page.evaluate(INJECTED) == 0
        assert dialogs == []


SEARCH_FOUND = """() => ({
    handlers: [...document.querySelectorAll('*')].flatMap(e => [...e.attributes])
        .filter(a => a.name.startsWith('on')).map(a => a.name),
    injected: document.querySelectorAll('img[src="x"], svg, b[onmouseover], main script').length,
    titles: [...document.querySelectorAll('[data-search-page] .search-title')].map(a => a.textContent),
    snippets: [...document.querySelectorAll('[data-search-page] .search-snippet')].map(p => p.textContent),
})"""


@pytest.mark.parametrize("over", ["file", "http"])
def test_search_results_show_payloads_as_text(injected: Site, over: str, new_page: Callable[..., Any], watcher) -> None:
    with serve(injected.root) as url:
        page = new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        problems = watcher(page)
        address = injected.file_url("search.html") if over == "file" else url + "search.html"
        page.goto(address + "#q=alert")
        page.wait_for_selector("[data-search-page] .search-result")
        page.mouse.move(200, 200)
        found = page.evaluate(SEARCH_FOUND)
        assert found["handlers"] == [] and found["injected"] == 0
        assert sorted(found["titles"]) == sorted(PAYLOADS)  # every text holds every payload
        assert all("alert(" in snippet for snippet in found["snippets"])
        assert dialogs == [] and problems == []


@pytest.mark.parametrize("over", ["file", "http"])
def test_payloads_show_as_text_in_the_search_pages_filters(
    injected: Site, over: str, new_page: Callable[..., Any], watcher
) -> None:
    data = json.loads((injected.root / "metadata.json").read_text("utf-8"))["documents"]
    with serve(injected.root) as url:
        page = new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        problems = watcher(page)
        address = injected.file_url("search.html") if over == "file" else url + "search.html"
        page.goto(address + "#q=alert&stance=for")
        page.wait_for_function(
            "() => document.querySelector('[data-search-status]').textContent.includes('with the filters')"
        )
        assert page.locator("[data-filter-stances] label").all_text_contents() == [f"{PAYLOADS[1]} ({len(PAYLOADS)})"]
        options = page.locator("#filter-publisher-list option").evaluate_all("os => os.map(o => o.value)")
        assert sorted(options) == sorted(d["publisher"] for d in data) == sorted(PAYLOADS)
        for payload in PAYLOADS:  # each publisher chosen by typing its name shows it as text
            page.get_by_label("Publisher", exact=True).fill(payload)
            page.get_by_label("Publisher", exact=True).press("Enter")
        page.wait_for_function("() => document.querySelectorAll('[data-filter-chosen] li').length === 7")
        chips = page.locator("[data-filter-chosen] li").all_text_contents()
        assert sorted(chip.removesuffix(" (1) Remove") for chip in chips) == sorted(PAYLOADS)
        page.wait_for_function(
            "() => document.querySelector('[data-search-status]').textContent"
            " === '7 documents match with the filters (7 without).'"
        )
        page.mouse.move(200, 200)
        found = page.evaluate(SEARCH_FOUND)
        assert found["handlers"] == [] and found["injected"] == 0
        assert sorted(found["titles"]) == sorted(PAYLOADS)
        assert dialogs == [] and problems == []


@pytest.mark.parametrize("over", ["file", "http"])
def test_payloads_in_the_timeline_are_the_marks_names_and_text(
    injected: Site, over: str, new_page: Callable[..., Any]
) -> None:
    with serve(injected.root) as url:
        page = new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(injected.file_url("timeline.html") if over == "file" else url + "timeline.html")
        page.mouse.move(200, 200)
        check_timeline(page)
        assert dialogs == []


def check_timeline(page: Any) -> None:
    """The timeline's marks are named by the payloads, and its lane labels and table show them as text."""
    marks = page.evaluate(
        """() => [...document.querySelectorAll('svg.timeline-svg a')].map(a => ({
            name: a.getAttribute('aria-label'), title: a.querySelector('title').textContent}))"""
    )
    assert sorted(mark["name"] for mark in marks) == sorted(PAYLOADS)
    assert all(mark["title"].startswith(mark["name"] + ", ") for mark in marks)
    lane = page.locator("svg.timeline-svg .tl-lane-label").first.text_content()
    assert lane == f"{PAYLOADS[1]} ({len(PAYLOADS)})"
    table = page.locator("table.tl-table").text_content() or ""
    assert all(payload.strip() in table for payload in PAYLOADS)
    link = page.get_by_role("link", name=PAYLOADS[0], exact=True).first
    assert link.evaluate("a => a.namespaceURI") == "http://www.w3.org/2000/svg"
