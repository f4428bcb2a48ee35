"""The filters on the index: counts against metadata.json, the address, partial dates, no script.

Over file:// and http, in both sites: every stance and every publisher filtered to, alone and
together, lists exactly the documents metadata.json says, with the counts the form shows.
"""

from __future__ import annotations

import collections
import json
from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import Site

STATUS = "[data-filter-status]"
RESULTS = "[data-filter-results] li .doc-title"


def documents(site: Site) -> list[dict[str, Any]]:
    return json.loads((site.root / "metadata.json").read_text("utf-8"))["documents"]


def page_name(record: dict[str, Any]) -> str:
    return record["page"].removeprefix("documents/").removesuffix(".html")


def publisher_slugs(page: Any, site: Site) -> dict[str, str]:
    """Each publisher's slug: its listing page's name, as the index's rows (or its newest, when split) link to it."""
    page.goto(site.file_url("index.html"))
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('main .doc-meta a[href^="publishers/"]')]
            .map(a => [a.textContent, decodeURIComponent(a.getAttribute('href').slice(11, -5))]))"""
    )


def address(site: Site, target: str, over: str = "file") -> str:
    """The address of a page of the site with its fragment (`index.html#stance=for`)."""
    path, _, fragment = target.partition("#")
    base = site.file_url(path) if over == "file" else site.http_url(path)
    return base + (f"#{fragment}" if fragment else "")


def open_filtered(page: Any, url: str) -> dict[str, Any]:
    """Open the index at url, as a new page load, and wait for the filter to answer; what it shows."""
    page.goto("about:blank")
    page.goto(url)
    page.wait_for_function("() => document.querySelector('[data-filter-status]').textContent.includes('match')")
    return shown(page)


def shown(page: Any) -> dict[str, Any]:
    return page.evaluate(
        """() => ({
            status: document.querySelector('[data-filter-status]').textContent,
            pages: [...document.querySelectorAll('[data-filter-results] li .doc-title')]
                .map(a => decodeURIComponent(a.getAttribute('href').replace(/^.*\\//, '').replace(/\\.html$/, ''))),
            stances: Object.fromEntries([...document.querySelectorAll('[data-filter-stances] label')]
                .map(l => [document.getElementById(l.htmlFor).value, l.textContent])),
            listing: [...document.querySelectorAll('main section.month')].every(s => s.hidden),
        })"""
    )


@pytest.mark.parametrize("over", ["file", "http"])
def test_every_stance_and_publisher_counts_what_metadata_json_says(site: Site, over: str, new_page) -> None:
    records = documents(site)
    page = new_page()
    slugs = publisher_slugs(page, site)
    assert set(slugs) == {r["publisher"] for r in records}
    total = len(records)
    stances = collections.Counter(r["stance"] for r in records)
    for record in records:
        stance, slug = record["stance"], slugs[record["publisher"]]
        expected = [page_name(r) for r in records if r["stance"] == stance and slugs[r["publisher"]] == slug]
        got = open_filtered(page, address(site, f"index.html#stance={stance}&publisher={slug}", over))
        assert got["pages"] == expected, f"stance={stance}&publisher={slug}"
        n = len(expected)
        assert got["status"] == f"{n} document{'s' if n != 1 else ''} of {total} match."
        by_publisher = collections.Counter(r["stance"] for r in records if slugs[r["publisher"]] == slug)
        for key, label in got["stances"].items():  # each stance's count: with this publisher
            assert label.endswith(f"({by_publisher[key]})"), (key, label)
        assert got["listing"], "the month lists are hidden while a filter is on"
    for stance, count in stances.items():
        got = open_filtered(page, address(site, f"index.html#stance={stance}", over))
        assert got["pages"] == [page_name(r) for r in records if r["stance"] == stance]
        assert got["status"].startswith(f"{count} document")
        assert got["stances"][stance].endswith(f"({count})")


def test_one_stance_and_one_publisher_chosen_by_hand_survive_reload_and_back(real_site: Site, new_page) -> None:
    page = new_page()
    page.goto(real_site.file_url("index.html"))
    page.wait_for_selector("[data-filter-stances] input")
    assert not page.locator("[data-needs-js]").is_visible()
    page.get_by_label("Reports without taking a position").check()
    page.wait_for_function("() => location.hash === '#stance=reports'")
    expect(page.locator(STATUS)).to_have_text("2 documents of 5 match.")
    publisher = page.get_by_label("Publisher", exact=True)
    options = page.locator("#filter-publisher-list option").evaluate_all("os => os.map(o => o.value)")
    assert "Asia Financial" in options and len(options) == 5
    publisher.fill("Asia Financial")
    publisher.press("Enter")
    page.wait_for_function("() => location.hash === '#stance=reports&publisher=asia-financial'")
    expect(page.locator(STATUS)).to_have_text("1 document of 5 match.")
    assert page.locator(RESULTS).all_text_contents() == ["China Should Release All Detainees in Xinjiang, UN Says"]
    assert page.locator("[data-filter-chosen] li").text_content().startswith("Asia Financial (1)")
    page.reload()
    page.wait_for_function("() => document.querySelector('[data-filter-status]').textContent.includes('match')")
    expect(page.locator(STATUS)).to_have_text("1 document of 5 match.")
    assert page.get_by_label("Reports without taking a position").is_checked()
    page.go_back()
    page.wait_for_function("() => location.hash === '#stance=reports'")
    expect(page.locator(STATUS)).to_have_text("2 documents of 5 match.")
    assert page.locator("[data-filter-chosen] li").count() == 0
    page.get_by_role("button", name="Clear filters").click()
    page.wait_for_function("() => !document.querySelector('[data-filter-status]').textContent.includes('match')")
    assert page.locator("main section.month").first.is_visible()
    assert not page.locator("[data-filter-results]").is_visible()


def test_a_publisher_is_removed_by_its_button(real_site: Site, new_page) -> None:
    page = new_page()
    open_filtered(page, address(real_site, "index.html#publisher=asia-financial,adn-america"))
    assert shown(page)["status"] == "2 documents of 5 match."
    page.get_by_role("button", name="Remove publisher ADN América").click()
    page.wait_for_function("() => location.hash === '#publisher=asia-financial'")
    assert shown(page)["status"] == "1 document of 5 match."


@pytest.mark.parametrize(
    ("fragment", "expected"),
    [
        # 2022-09 (China Digital Times) is inside September, outside a range ending on the 15th
        ("from=2022-09&to=2022-09", ["amnesty", "asia", "digital", "friends"]),
        ("from=2022-09-01&to=2022-09-15", ["amnesty", "asia", "friends"]),
        ("from=2022-09-01&to=2022-09-15&partial=1", ["amnesty", "asia", "digital", "friends"]),
        ("from=2022-09-02", ["friends"]),
        ("from=2022-09-02&partial=1", ["digital", "friends"]),
        ("to=2022-08", ["adn"]),
        ("from=2022&to=2022", ["adn", "amnesty", "asia", "digital", "friends"]),
        ("from=2023", []),
    ],
)
def test_partial_dates_filter_honestly(real_site: Site, new_page, fragment: str, expected: list[str]) -> None:
    records = documents(real_site)
    short = {
        page_name(r): next(w for w in ("adn", "amnesty", "asia", "digital", "friends") if w in r["publisher"].lower())
        for r in records
    }
    page = new_page()
    got = open_filtered(page, address(real_site, f"index.html#{fragment}"))
    assert sorted(short[p] for p in got["pages"]) == expected
    partly = page.locator("[data-filter-results] li:has(.partial-match) .doc-title").all_text_contents()
    assert (partly != []) == (fragment.endswith("partial=1") and "digital" in expected)


def test_the_partial_matches_box_and_the_date_fields_write_the_address(real_site: Site, new_page) -> None:
    page = new_page()
    page.goto(real_site.file_url("index.html"))
    page.wait_for_selector("[data-filter-stances] input")
    page.get_by_label("From", exact=True).fill("2022-09")
    page.get_by_label("to", exact=True).fill("2022-09-15")
    page.get_by_label("to", exact=True).press("Tab")
    page.wait_for_function("() => location.hash === '#from=2022-09&to=2022-09-15'")
    expect(page.locator(STATUS)).to_have_text("3 documents of 5 match.")
    page.get_by_label("Include partial matches", exact=False).check()
    page.wait_for_function("() => location.hash === '#from=2022-09&to=2022-09-15&partial=1'")
    expect(page.locator(STATUS)).to_have_text("4 documents of 5 match.")
    page.get_by_label("From", exact=True).fill("2022-13")
    page.get_by_label("From", exact=True).press("Tab")
    assert page.locator("[data-filter-date-hint]").text_content() == (
        "Not a date: “2022-13”. Write YYYY, YYYY-MM or YYYY-MM-DD."
    )
    assert page.get_by_label("From", exact=True).get_attribute("aria-invalid") == "true"
    assert page.evaluate("location.hash") == "#from=2022-09&to=2022-09-15&partial=1"


def test_without_javascript_the_form_is_absent_and_the_lists_remain(site: Site, new_page) -> None:
    page = new_page(java_script_enabled=False)
    page.goto(address(site, "index.html#stance=for"))
    assert not page.locator("[data-filters]").is_visible()
    assert page.locator("[data-needs-js]").is_visible()
    assert "needs JavaScript" in (page.locator("[data-needs-js]").text_content() or "")
    assert page.locator("main .doc-title").count() == len(documents(site))  # a split index lists them as its newest
