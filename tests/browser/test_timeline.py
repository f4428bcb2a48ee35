"""The timeline page in a browser: its marks are links that lead to their documents, from disk."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .conftest import Site

TITLE = "China Should Release All Detainees in Xinjiang, UN Says"


def test_following_a_timeline_mark_opens_its_document(real_site: Site, new_page: Callable[..., Any]) -> None:
    page = new_page(viewport={"width": 1280, "height": 900})
    page.goto(real_site.file_url("timeline.html"))
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
