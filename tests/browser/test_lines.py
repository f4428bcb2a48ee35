"""Line addresses over file:// in Chromium: `#L42` and `#L42-L47` name the lines ADDRESSES.md
counts (LF, CRLF and a lone CR each end a line), marked on arrival; a click on a line's
number marks it and says its link; the text content stays the seed's text."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import build_site

TEXT = "one\rtwo\r\nthree\nfour <&>\n\nsix, after an empty line\r"
LINES = ["one", "two", "three", "four <&>", "", "six, after an empty line"]
PAGE = "documents/mixed-line-ends.html"


def said(page, start: str) -> str:  # type: ignore[no-untyped-def]
    """What the status line says, once it starts with `start` (it fails after Playwright's
    timeout when it never does): it is written when the clipboard has answered, a moment after
    the click or the key."""
    page.wait_for_function(
        "start => document.querySelector('[data-line-status]').textContent.startsWith(start)", arg=start
    )
    return str(page.locator("[data-line-status]").text_content())


@pytest.fixture(scope="module")
def lined(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("lines") / "archive"
    (root / "seeds").mkdir(parents=True)
    (root / "seeds" / "mixed.txt").write_bytes(TEXT.encode("utf-8"))
    long = "".join(f"line {n}\n" for n in range(1, 301))
    (root / "seeds" / "long.txt").write_text(long, encoding="utf-8")
    (root / "metadata.yaml").write_text(
        "archive:\n  title: Lines\nstances:\n  for:\n    label: For\n    description: For.\ndocuments:\n"
        "  mixed.txt:\n    title: Mixed line ends\n    publisher: P\n    date: 2022-09\n    stance: for\n"
        "  long.txt:\n    title: Long\n    publisher: P\n    date: 2022-10\n    stance: for\n",
        encoding="utf-8",
    )
    return build_site(root, root.parent / "site")


def test_each_line_ending_ends_a_line(lined: Path, new_page) -> None:  # type: ignore[no-untyped-def]
    page = new_page()
    page.goto((lined / PAGE).as_uri() + "#L2")
    found = page.evaluate(
        """() => ({
            text: document.querySelector('[data-verbatim]').textContent,
            lines: [...document.querySelectorAll('[data-verbatim] > span[id]')].map(e => [e.id, e.textContent]),
        })"""
    )
    assert found["text"] == "\n".join(LINES) + "\n"
    assert found["lines"] == [[f"L{n}", line] for n, line in enumerate(LINES, 1)]


def test_a_range_is_marked_and_scrolled_to_on_arrival(lined: Path, new_page) -> None:  # type: ignore[no-untyped-def]
    page = new_page(viewport={"width": 800, "height": 600})
    page.goto((lined / "documents/long.html").as_uri() + "#L200-L203")
    marked = page.evaluate("[...document.querySelectorAll('.line-marked')].map(e => e.id)")
    assert marked == ["L200", "L201", "L202", "L203"]
    assert page.locator("#L200").is_visible() and page.evaluate(
        "(() => { const r = document.getElementById('L200').getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; })()"
    )
    page.evaluate("location.hash = '#L5'")
    page.wait_for_function("document.querySelectorAll('.line-marked').length === 1")
    assert page.evaluate("[...document.querySelectorAll('.line-marked')].map(e => e.id)") == ["L5"]


def test_without_script_a_line_is_still_an_address_and_marked(lined: Path, new_page) -> None:  # type: ignore[no-untyped-def]
    page = new_page(java_script_enabled=False, viewport={"width": 800, "height": 600})
    page.goto((lined / "documents/long.html").as_uri() + "#L250")
    background = "getComputedStyle(document.getElementById('{}')).backgroundColor"
    assert page.evaluate(background.format("L250")) != page.evaluate(background.format("L249"))
    assert page.evaluate("document.getElementById('L250').getBoundingClientRect().top") < 600
    assert page.locator("noscript").count() == 1
    assert page.locator("[data-line-help]").is_hidden()


def test_a_click_on_a_line_number_marks_it_and_gives_its_link(lined: Path, new_page) -> None:  # type: ignore[no-untyped-def]
    page = new_page(viewport={"width": 800, "height": 600})
    page.goto((lined / PAGE).as_uri())
    assert page.locator("[data-line-help]").is_visible()
    page.locator("#L6").scroll_into_view_if_needed()
    box = page.locator("#L4").bounding_box()
    pre = page.locator("[data-verbatim]").bounding_box()
    assert box is not None and pre is not None
    page.mouse.click(pre["x"] + 10, box["y"] + box["height"] / 2)
    assert page.evaluate("location.hash") == "#L4"
    assert (lined / PAGE).as_uri() + "#L4" in said(page, "Link to line 4")
    two = page.locator("#L2").bounding_box()
    assert two is not None
    page.keyboard.down("Shift")
    page.mouse.click(pre["x"] + 10, two["y"] + two["height"] / 2)
    page.keyboard.up("Shift")
    assert page.evaluate("location.hash") == "#L2-L4"
    assert page.evaluate("[...document.querySelectorAll('.line-marked')].map(e => e.id)") == ["L2", "L3", "L4"]
    said(page, "Link to lines 2 to 4")
    page.mouse.click(box["x"] + box["width"] - 5, box["y"] + box["height"] / 2)  # in the text: no change
    assert page.evaluate("location.hash") == "#L2-L4"
    page.mouse.click(pre["x"] + 10, two["y"] + two["height"] / 2)  # a plain click starts again from its line
    page.keyboard.down("Shift")
    page.mouse.click(pre["x"] + 10, box["y"] + box["height"] / 2)
    page.keyboard.up("Shift")
    assert page.evaluate("location.hash") == "#L2-L4"
    page.mouse.click(pre["x"] + 10, box["y"] + box["height"] / 2)
    assert page.evaluate("location.hash") == "#L4"


def test_lines_are_chosen_and_their_link_copied_from_the_keyboard(lined: Path, new_page) -> None:  # type: ignore[no-untyped-def]
    """The form above the text is reached with Tab; its button is named for what it copies,
    and what it did is said in the status line (role="status"), which screen readers announce."""
    page = new_page(viewport={"width": 800, "height": 600})
    page.goto((lined / "documents/long.html").as_uri())
    for _ in range(60):  # past the skip link, the navigation, the search box and the citation's links
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "line-from":
            break
    assert page.evaluate("document.activeElement.id") == "line-from", "the form is not reached with Tab"
    page.keyboard.type("200")
    page.keyboard.press("Tab")
    page.keyboard.type("203")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.lineCopy") == ""
    assert page.get_by_role("button", name="Copy link to lines 200 to 203").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#L200-L203"
    assert page.evaluate("[...document.querySelectorAll('.line-marked')].map(e => e.id)") == [
        "L200",
        "L201",
        "L202",
        "L203",
    ]
    assert page.get_by_role("status").get_attribute("data-line-status") is not None
    assert (lined / "documents/long.html").as_uri() + "#L200-L203" in said(page, "Link to lines 200 to 203")
    assert page.evaluate("document.querySelector('[data-verbatim]').textContent") == "".join(
        f"line {n}\n" for n in range(1, 301)
    )
    page.fill("#line-from", "301")  # past the last line: nothing is marked (the browser says why)
    page.fill("#line-to", "")
    page.locator("[data-line-form]").evaluate("form => form.requestSubmit()")
    assert page.evaluate("location.hash") == "#L200-L203"
    page.evaluate("location.hash = '#L7'")
    page.wait_for_function("document.getElementById('line-from').value === '7'")
    assert page.get_by_role("button", name="Copy link to line 7").count() == 1


def test_without_script_the_form_for_lines_is_hidden(lined: Path, new_page) -> None:  # type: ignore[no-untyped-def]
    page = new_page(java_script_enabled=False)
    page.goto((lined / "documents/long.html").as_uri())
    assert page.locator("[data-line-form]").is_hidden()
