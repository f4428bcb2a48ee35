"""The pages of a published site: 404.html, served at the base address it was built for, is
valid, accessible light and dark, and styled by the absolute address of the stylesheet."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import build_site, serve, write_hard_archive
from .test_accessibility import axe_violations, describe
from .test_valid_html import run_vnu


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The hard-cases archive built for, and served at, an address on this machine."""
    root = write_hard_archive(tmp_path_factory.mktemp("published") / "archive")
    out = root.parent / "site"
    out.mkdir()
    with serve(out) as url:
        build_site(root, out, "--base-url", url)
        yield out, url


def test_the_404_page_and_a_published_document_are_valid_html(published, vnu_command) -> None:  # type: ignore[no-untyped-def]
    out, _ = published
    pages = [out / "404.html", *sorted(Path(out, "documents").glob("*.html"))]
    messages = run_vnu(vnu_command, pages)
    assert not messages, messages


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_404_page_is_accessible_and_styled(published, scheme, new_page, axe_source, watcher) -> None:  # type: ignore[no-untyped-def]
    _, url = published
    page = new_page(bypass_csp=True, color_scheme=scheme, viewport={"width": 1280, "height": 900})
    page.goto(url + "404.html")
    assert page.evaluate("getComputedStyle(document.querySelector('.skip-link')).position") == "absolute"
    rules, violations = axe_violations(page, axe_source)
    assert rules > 20
    assert not violations, "\n".join(describe("404.html", v) for v in violations)
    strict = new_page()
    problems = watcher(strict)
    strict.goto(url + "404.html")
    assert strict.locator("a", has_text="list of documents").get_attribute("href") == url + "index.html"
    assert problems == []
