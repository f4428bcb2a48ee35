"""The views scripts make (a filtered index, a filtered search, two documents side by side, a
document page with its "Compare with…" list filled) pass axe-core in light and dark, and vnu as the DOM stands.

The pages as built are checked by test_accessibility.py and test_valid_html.py with the rest.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest

from .conftest import Site
from .test_accessibility import CANARY, axe_violations, describe
from .test_valid_html import BROKEN, run_vnu


def views(site: Site) -> list[tuple[str, str, str]]:
    """(name, address) of each scripted view, and the condition that says it is ready."""
    documents = json.loads((site.root / "metadata.json").read_text("utf-8"))["documents"]
    pages = [d["page"].removeprefix("documents/").removesuffix(".html") for d in documents]
    stance = documents[0]["stance"]
    word = documents[0]["title"].split()[0]  # the search finds a title's words
    return [
        (
            "filtered index",
            f"{site.http_url('index.html')}#stance={stance}&from=1900&to=2100-01&partial=1",
            "() => document.querySelectorAll('[data-filter-results] li').length > 0",
        ),
        (
            "filtered search",
            f"{site.http_url('search.html')}#q={quote(word)}&stance={stance}&from=1900&to=2100-01&partial=1",
            "() => document.querySelectorAll('[data-search-page] .search-result').length > 0"
            " && document.querySelector('[data-filter-status]').textContent.includes(' of ')",
        ),
        (
            "side by side",
            f"{site.http_url('compare.html')}#a={pages[0]}&b={pages[-1]}",
            "() => document.querySelector('[data-compare-status]').textContent.startsWith('Showing')",
        ),
        (
            "compare with",
            site.http_url(documents[0]["page"]),
            "() => (document.querySelector('#compare-with').focus(),"
            " document.querySelectorAll('#compare-with-list option').length > 0)",
        ),
    ]


def open_view(page: Any, address: str, ready: str) -> None:
    page.goto(address)
    page.wait_for_function(ready)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [390, 1280])
def test_scripted_views_have_no_axe_violations(site: Site, scheme: str, width: int, new_page, axe_source) -> None:
    page = new_page(bypass_csp=True, color_scheme=scheme, viewport={"width": width, "height": 900})
    page.set_content(CANARY)
    _, canary = axe_violations(page, axe_source)
    assert "image-alt" in [v["id"] for v in canary], "axe did not flag an image without alt: it is not working"
    found = []
    for name, address, ready in views(site):
        open_view(page, address, ready)
        rules, violations = axe_violations(page, axe_source)
        assert rules > 20, f"{name}: axe checked only {rules} rules"
        found.extend(describe(name, v) for v in violations)
    assert not found, f"axe, {scheme}, {width} px, {site.name} site: {len(found)} violations\n" + "\n".join(found)


def test_scripted_views_are_valid_html(sites: dict[str, Site], new_page, vnu_command, tmp_path) -> None:
    page = new_page()
    files = []
    for site in sites.values():
        for name, address, ready in views(site):
            open_view(page, address, ready)
            markup = page.evaluate("() => '<!DOCTYPE html>\\n' + document.documentElement.outerHTML")
            file = tmp_path / f"{site.name}-{name.replace(' ', '-')}.html"
            file.write_text(markup, encoding="utf-8")
            files.append(file)
    broken = tmp_path / "broken.html"
    broken.write_text(BROKEN, encoding="utf-8")
    messages = run_vnu(vnu_command, [*files, broken])
    canary = [m for m in messages if str(m.get("url", "")).endswith("/broken.html")]
    assert canary, "vnu found no error in a page that has some: the checker is not working"
    errors = [
        f"{m.get('url')}:{m.get('lastLine')}: {m.get('message')} [{m.get('extract')}]"
        for m in messages
        if m not in canary
    ]
    assert not errors, "\n".join(errors)
