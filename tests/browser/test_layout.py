"""Comfortable on any screen: no sideways scrolling, a sound page outline, a clean printout."""

from __future__ import annotations

import pytest

WIDTHS = [390, 1280]

# What sticks out past the right edge of the viewport, to name in a failure.
WIDE_ELEMENTS = """() => {
  const width = document.documentElement.clientWidth;
  return [...document.querySelectorAll("body *")]
    .filter(el => el.getBoundingClientRect().right > width + 0.5)
    .filter(el => ![...el.children].some(c => c.getBoundingClientRect().right > width + 0.5))
    .slice(0, 5)
    .map(el => `<${el.localName} class="${el.className}"> right edge at `
               + `${Math.round(el.getBoundingClientRect().right)} px`);
}"""


@pytest.mark.parametrize("width", WIDTHS)
def test_no_horizontal_scrolling(site, width, new_page):
    page = new_page(viewport={"width": width, "height": 900})
    assert site.documents, f"the {site.name} site has no document pages"
    wide = []
    for name in site.pages:
        page.goto(site.file_url(name))
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > width:
            wide.append(f"{name}: {scroll_width} px wide: " + "; ".join(page.evaluate(WIDE_ELEMENTS)))
        if name in site.documents:
            text = page.locator("pre[data-verbatim]")
            box = text.evaluate("pre => [pre.scrollWidth, pre.clientWidth]")
            if box[0] > box[1]:
                wide.append(f"{name}: the text does not wrap: {box[0]} px in a {box[1]} px box")
    assert not wide, f"sideways scrolling at {width} px:\n" + "\n".join(wide)


OUTLINE = """root => ({
  lang: document.documentElement.lang,
  mains: document.querySelectorAll("main").length,
  h1s: [...document.querySelectorAll("h1")].map(h => h.textContent),
  // Scripts are files of the site's own, loaded by src: none inline, none from elsewhere; JSON-LD is data.
  scripts: [...document.querySelectorAll('script:not([type="application/ld+json"])')]
    .filter(s => !s.getAttribute("src") || !s.src.startsWith(root)).length,
  skip: (() => {
    const link = document.querySelector("a.skip-link");
    if (!link) return null;
    const id = decodeURIComponent(link.hash.slice(1));
    return {href: link.getAttribute("href"), target: !!document.getElementById(id),
            inMain: document.getElementById(id) === document.querySelector("main")};
  })(),
})"""


def test_page_outline(site, new_page):
    page = new_page(viewport={"width": 1280, "height": 900})
    wrong = []
    for name in site.pages:
        page.goto(site.file_url(name))
        outline = page.evaluate(OUTLINE, site.root.as_uri() + "/")
        if not outline["lang"]:
            wrong.append(f"{name}: <html> has no lang")
        if outline["mains"] != 1:
            wrong.append(f"{name}: {outline['mains']} <main> elements, not one")
        if len(outline["h1s"]) != 1:
            wrong.append(f"{name}: {len(outline['h1s'])} <h1> elements, not one")
        if outline["scripts"]:
            wrong.append(f"{name}: {outline['scripts']} <script> elements inline or from elsewhere")
        skip = outline["skip"]
        if not skip or not skip["target"] or not skip["inMain"]:
            wrong.append(f"{name}: no skip link to the main content: {skip}")
    assert not wrong, "\n".join(wrong)


def test_skip_link_is_first_and_shows_on_focus(site, new_page):
    page = new_page(viewport={"width": 390, "height": 800})
    page.goto(site.file_url(site.documents[0]))
    link = page.locator("a.skip-link")
    assert not link.is_visible() or link.bounding_box()["y"] + link.bounding_box()["height"] <= 0
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    box = link.bounding_box()
    assert box and box["y"] >= 0 and box["height"] > 0, f"focused skip link is off screen: {box}"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


def test_print_hides_navigation_keeps_the_facts(site, new_page):
    page = new_page(viewport={"width": 1280, "height": 900})
    page.emulate_media(media="print")
    wrong = []
    for name in site.pages:
        page.goto(site.file_url(name))
        for selector in (".site-nav", ".skip-link", ".pager", ".site-footer"):
            for display in page.locator(selector).evaluate_all("els => els.map(el => getComputedStyle(el).display)"):
                if display != "none":
                    wrong.append(f"{name}: {selector} is printed (display: {display})")
        if name not in site.documents:
            continue
        for selector in ("h1", ".sha256", "a.source-url", "pre[data-verbatim]"):
            for element in page.locator(selector).all():
                if not element.is_visible():
                    wrong.append(f"{name}: {selector} is not printed")
        if not page.locator(".sha256").count():
            wrong.append(f"{name}: no SHA-256 on the page")
    assert not wrong, "in print:\n" + "\n".join(wrong)


def test_a_page_of_an_earlier_name_sends_the_reader_on_from_disk(sites, new_page):
    """Over file://, without script: the browser opens the document's page, and the link says where."""
    moved = [(site, name) for site in sites.values() for name in site.moved]
    assert moved, "no site keeps an earlier name"
    page = new_page(viewport={"width": 1280, "height": 900}, java_script_enabled=False)
    for site, name in moved:
        link = (site.root / name).read_text("utf-8").split('<a href="../documents/', 1)[1].split('"')[0]
        with page.expect_navigation(url=site.file_url(f"documents/{link}")):
            page.goto(site.file_url(name), wait_until="commit")
        assert page.locator("pre[data-verbatim]").count() == 1, f"{name} led to {page.url}"
