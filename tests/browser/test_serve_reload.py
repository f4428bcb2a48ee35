"""The live preview in a real browser: the page reloads on a change and shows problems over itself."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import build
from archive.cli import Options
from archive.serve import Preview

WAIT = 5.0


@pytest.fixture
def preview(archive: Any) -> Iterator[Preview]:
    running = Preview(Options("serve", archive.root, archive.site, "", 1, 0, 1), build.build)
    running.start()
    yield running
    running.stop()


def test_the_page_reloads_and_shows_problems_over_itself(
    archive: Any, preview: Preview, new_page: Callable[..., Any]
) -> None:
    """The script runs under the page's own policy: no violation, the overlay is text only."""
    page = new_page()
    page.set_default_timeout(WAIT * 1000)
    console: list[str] = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: console.append(f"error: {error}"))
    documents = json.loads((archive.site / "metadata.json").read_text("utf-8"))["documents"]
    alpha = next(doc["page"] for doc in documents if doc["file"] == "a.txt")
    page.goto(f"{preview.url}{alpha}")
    # No wait for the event stream: a page older than the site reloads when it connects.
    archive.seed("a.txt", "Seen in the browser.\n")
    started = time.monotonic()
    page.wait_for_function("() => document.body.textContent.includes('Seen in the browser.')")
    print(f"saved seed -> page shows it: {time.monotonic() - started:.2f} s")

    metadata = (archive.root / "metadata.yaml").read_text("utf-8")
    archive.metadata(metadata.replace("stance: for", "stance: <b>for</b>"))
    overlay = page.wait_for_selector("#archive-preview-problems")
    text = overlay.text_content() or ""
    assert "metadata.yaml:16: documents.a.txt.stance: '<b>for</b>'" in text
    assert "1 problem found; nothing was written." in text
    assert page.locator("#archive-preview-problems b").count() == 0  # text, never markup
    assert "Seen in the browser." in (page.locator("main").text_content() or "")

    archive.metadata(metadata)
    page.wait_for_selector("#archive-preview-problems", state="detached")
    assert console == []
