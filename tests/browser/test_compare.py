"""Two documents side by side (compare.html#a=PAGE&b=PAGE): from a link and from a document page.

Each column's [data-verbatim] text content is exactly its seed's text; the columns stand side
by side on a wide screen and stack at 390 px; swapping and choosing another document change
the address, so Back works; without script the page says what it needs.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from .conftest import Site

COLUMNS = """() => [...document.querySelectorAll('[data-compare-column]')].map(c => ({
    title: c.querySelector('[data-compare-title]').textContent,
    facts: [...c.querySelectorAll('[data-compare-facts] dd')].map(d => d.textContent),
    text: c.querySelector('[data-verbatim]').textContent,
    box: (({x, y, width, height}) => ({x, y, width, height}))(c.getBoundingClientRect()),
}))"""


def documents(site: Site) -> list[dict[str, Any]]:
    return json.loads((site.root / "metadata.json").read_text("utf-8"))["documents"]


def page_name(record: dict[str, Any]) -> str:
    return record["page"].removeprefix("documents/").removesuffix(".html")


def seed_text(site: Site, record: dict[str, Any]) -> str:
    """The document's text exactly as its seed holds it (a byte order mark is not text)."""
    return (site.root / record["raw"]).read_bytes().decode(record.get("encoding", "utf-8")).removeprefix("\ufeff")


def address(site: Site, fragment: str, over: str = "file") -> str:
    return (site.file_url("compare.html") if over == "file" else site.http_url("compare.html")) + "#" + fragment


def open_pair(page: Any, url: str) -> list[dict[str, Any]]:
    """Open the pair at url as a new page load (not a change of the address of an open one)."""
    page.goto("about:blank")
    page.goto(url)
    page.wait_for_function("() => document.querySelector('[data-compare-status]').textContent.startsWith('Showing')")
    return page.evaluate(COLUMNS)


@pytest.mark.parametrize("over", ["file", "http"])
def test_a_shared_link_opens_two_documents_verbatim_side_by_side(site: Site, over: str, new_page, watcher) -> None:
    records = documents(site)
    page = new_page(viewport={"width": 1280, "height": 900})
    problems = watcher(page)
    for left, right in zip(records, records[1:] + records[:1], strict=True):
        columns = open_pair(page, address(site, f"a={page_name(left)}&b={page_name(right)}", over))
        for column, record in zip(columns, (left, right), strict=True):
            assert column["title"] == record["title"]
            assert column["facts"][0] == record["publisher"]
            assert column["text"] == seed_text(site, record), f"{record['page']}: not the seed's text"
        assert columns[0]["box"]["y"] == columns[1]["box"]["y"]  # side by side
        assert columns[0]["box"]["x"] + columns[0]["box"]["width"] <= columns[1]["box"]["x"]
    assert problems == []


def test_the_columns_stack_on_a_narrow_screen(site: Site, new_page) -> None:
    """Every pair of neighbours (the hard cases' long lines and long title too) stacks within 390 px."""
    records = documents(site)
    page = new_page(viewport={"width": 390, "height": 800})
    for left, right in zip(records, records[1:] + records[:1], strict=True):
        columns = open_pair(page, address(site, f"a={page_name(left)}&b={page_name(right)}"))
        assert columns[0]["box"]["y"] + columns[0]["box"]["height"] <= columns[1]["box"]["y"]
        assert columns[0]["box"]["width"] <= 390 and columns[1]["box"]["width"] <= 390
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, (left["page"], right["page"])


@pytest.mark.parametrize("over", ["file", "http"])
def test_compare_with_on_a_document_page_finds_the_other_by_typing(sites: dict[str, Site], over: str, new_page) -> None:
    real_site = sites["real"]
    records = documents(real_site)
    first, other = records[0], records[2]
    page = new_page()
    page.goto(real_site.file_url(first["page"]) if over == "file" else real_site.http_url(first["page"]))
    box = page.get_by_label("Compare with…")
    box.click()
    page.wait_for_function("() => document.querySelectorAll('#compare-with-list option').length > 0")
    offered = page.locator("#compare-with-list option").evaluate_all("os => os.map(o => o.value)")
    assert len(offered) == len(records) - 1  # every document but this one
    assert not any(value.startswith(first["title"] + " — ") for value in offered)
    choice = next(value for value in offered if value.startswith(other["title"] + " — "))
    box.fill(choice)
    box.press("Enter")
    page.wait_for_url("**/compare.html#*")
    assert page.evaluate("location.hash") == f"#a={page_name(first)}&b={page_name(other)}"
    page.wait_for_function("() => document.querySelector('[data-compare-status]').textContent.startsWith('Showing')")
    columns = page.evaluate(COLUMNS)
    assert [c["title"] for c in columns] == [first["title"], other["title"]]


def test_swap_and_choose_another_without_leaving_the_page_and_back(real_site: Site, new_page) -> None:
    records = documents(real_site)
    a, b, c = (page_name(r) for r in records[:3])
    page = new_page()
    open_pair(page, address(real_site, f"a={a}&b={b}"))
    page.get_by_role("button", name="Swap the two columns").click()
    page.wait_for_function(f"() => location.hash === '#a={b}&b={a}'")
    page.wait_for_function(
        "t => document.querySelector('[data-compare-column=a] [data-compare-title]').textContent === t",
        arg=records[1]["title"],
    )
    right = page.get_by_label("Choose another document").nth(1)
    offered = page.locator("#compare-titles option").evaluate_all("os => os.map(o => o.value)")
    right.fill(next(value for value in offered if value.startswith(records[2]["title"] + " — ")))
    right.press("Enter")
    page.wait_for_function(f"() => location.hash === '#a={b}&b={c}'")
    page.wait_for_function(
        "t => document.querySelector('[data-compare-column=b] [data-compare-title]').textContent === t",
        arg=records[2]["title"],
    )
    assert page.evaluate(COLUMNS)[1]["text"] == seed_text(real_site, records[2])
    page.go_back()
    page.wait_for_function(f"() => location.hash === '#a={b}&b={a}'")
    page.wait_for_function(
        "t => document.querySelector('[data-compare-column=b] [data-compare-title]').textContent === t",
        arg=records[0]["title"],
    )


def test_an_unknown_page_is_said_to_be_unknown(real_site: Site, new_page) -> None:
    page = new_page()
    page.goto(address(real_site, "a=no-such-page&b=" + page_name(documents(real_site)[0])))
    title = page.locator("[data-compare-column=a] [data-compare-title]")
    page.wait_for_function("() => document.querySelector('[data-compare-status]').textContent !== 'Loading…'")
    assert title.text_content() == "No document named “no-such-page” in this archive"


def test_without_javascript_the_page_says_what_it_needs_and_links_to_the_documents(real_site: Site, new_page) -> None:
    page = new_page(java_script_enabled=False)
    page.goto(address(real_site, "a=x&b=y"))
    message = page.locator("[data-needs-js]")
    assert message.is_visible()
    assert "needs JavaScript" in (message.text_content() or "")
    assert message.get_by_role("link", name="list of documents").get_attribute("href") == "index.html"
    assert not page.locator("[data-compare]").is_visible()
