"""The timeline page in a browser: its marks are links that lead to their documents, and its
counts (a large archive's) to the filtered list of as many documents, from disk and over http."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from .conftest import Site

TITLE = "China Should Release All Detainees in Xinjiang, UN Says"


def address(site: Site, name: str, over: str) -> str:
    return site.file_url(name) if over == "file" else site.http_url(name)


@pytest.mark.parametrize("over", ["file", "http"])
def test_following_a_timeline_mark_opens_its_document(
    sites: dict[str, Site], over: str, new_page: Callable[..., Any]
) -> None:
    page = new_page(viewport={"width": 1280, "height": 900})
    page.goto(address(sites["real"], "timeline.html", over))
    marks = page.locator("svg.timeline-svg a")
    assert marks.count() == 5
    mark = page.get_by_role("link", name=TITLE, exact=True).first
    assert mark.evaluate("a => a.namespaceURI") == "http://www.w3.org/2000/svg"
    assert "tl-uncertain" in mark.locator("circle").get_attribute("class")
    mark.click()
    page.wait_for_url(re.compile(r"/documents/china-should-release-all-detainees-in-xinjiang-un-says\.html$"))
    assert page.locator("h1").text_content() == TITLE


def test_the_timeline_fits_a_phone_by_scrolling_inside_itself(real_site: Site, new_page: Callable[..., Any]) -> None:
    page = new_page(viewport={"width": 390, "height": 800})
    page.goto(real_site.file_url("timeline.html"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    box = page.locator(".timeline-scroll").evaluate("div => [div.scrollWidth, div.clientWidth]")
    assert box[0] > box[1], "the drawing was squeezed to the phone's width rather than scrolled"
    mark = page.get_by_role("link", name=TITLE, exact=True).first
    mark.scroll_into_view_if_needed()
    assert mark.is_visible()


@pytest.mark.parametrize("over", ["file", "http"])
def test_following_a_count_lists_as_many_documents(
    sites: dict[str, Site], over: str, new_page: Callable[..., Any]
) -> None:
    """In an archive drawn as counts, each count links to the index filtered to its lane and period,
    which lists exactly as many documents as the count says."""
    site = sites["split"]
    page = new_page(viewport={"width": 1280, "height": 900})
    page.goto(address(site, "timeline.html", over))
    labels = page.locator('svg.timeline-svg a[href^="index.html#"]').evaluate_all(
        "links => links.map(a => a.getAttribute('aria-label'))"
    )
    assert len(labels) >= 4
    for label in labels:
        page.goto(address(site, "timeline.html", over))
        count = int(re.search(r": ([0-9,]+) documents?", label).group(1).replace(",", ""))  # type: ignore[union-attr]
        page.get_by_role("link", name=label, exact=True).click()
        page.wait_for_url(re.compile(r"/index\.html#stance="))
        page.wait_for_function("() => document.querySelector('[data-filter-status]').textContent.includes('match')")
        assert page.locator("[data-filter-results] li").count() == count, label
