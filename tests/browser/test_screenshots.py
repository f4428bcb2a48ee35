"""Screenshots for a person to look at: the index and a document, phone and desktop, light and dark.

They go to a temporary folder named at the end of the run. The README's picture,
docs/screenshot.png, is the index at 1280 px in the light scheme; it is rewritten only on
purpose: `UPDATE_SCREENSHOT=1 .venv/bin/python -m pytest tests/browser -k screenshot`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
README_SCREENSHOT = PROJECT / "docs" / "screenshot.png"
MAX_HEIGHT = 5000
"""Long documents are cut here: the top of the text is enough to judge the page."""


def shown_document(site) -> str:
    """The document page to picture: the first with both a source address and a note."""
    documents = json.loads((site.root / "metadata.json").read_text(encoding="utf-8"))["documents"]
    chosen = [d for d in documents if d.get("source_url") and d.get("note")] or documents
    return chosen[0]["page"]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [390, 1280])
def test_screenshots(site, width, scheme, new_page, screenshot_dir):
    page = new_page(viewport={"width": width, "height": 900}, color_scheme=scheme)
    for name in ("index.html", shown_document(site)):
        page.goto(site.file_url(name))
        height = min(page.evaluate("document.documentElement.scrollHeight"), MAX_HEIGHT)
        stem = "index" if name == "index.html" else "document"
        path = screenshot_dir / f"{site.name}-{stem}-{width}-{scheme}.png"
        page.screenshot(path=path, full_page=True, clip={"x": 0, "y": 0, "width": width, "height": height})
        assert path.stat().st_size > 5_000, f"{path} is suspiciously small"


def test_readme_screenshot(real_site, new_page):
    """The README's picture is there and is the index at 1280 px; UPDATE_SCREENSHOT=1 rewrites it."""
    if os.environ.get("UPDATE_SCREENSHOT"):
        page = new_page(viewport={"width": 1280, "height": 800}, color_scheme="light")
        page.goto(real_site.file_url("index.html"))
        README_SCREENSHOT.parent.mkdir(exist_ok=True)
        page.screenshot(path=README_SCREENSHOT)
        print(f"wrote {README_SCREENSHOT}")
    header = README_SCREENSHOT.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", "docs/screenshot.png is not a PNG"
    assert (int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")) == (1280, 800)
