"""The filters on search.html: a query's results narrowed by stance, publisher and dates.

Over file:// and http: a query and a filter show the documents metadata.json and the seeds say,
with the counts the form shows; every result is matched, not only the first page of them; the
query and the filter round-trip through the address (reload, Back, Enter in the box); partial
dates are honest; with no query the filters wait; without script no control shows.
"""

from __future__ import annotations

import calendar
import collections
import json
from pathlib import Path
from typing import Any

import pytest

from .conftest import Site, build_site

SHOWN = """() => ({
    status: document.querySelector('[data-search-status]').textContent,
    filterStatus: document.querySelector('[data-filter-status]').textContent,
    pages: [...document.querySelectorAll('[data-search-page] .search-title')]
        .map(a => decodeURIComponent(a.getAttribute('href').replace(/^.*\\//, '').replace(/\\.html\\?.*$/, ''))),
    stances: Object.fromEntries([...document.querySelectorAll('[data-filter-stances] label')]
        .map(l => [document.getElementById(l.htmlFor).value, l.textContent])),
    publishers: Object.fromEntries([...document.querySelectorAll('#filter-publisher-list option')]
        .map(o => [o.value, o.textContent])),
})"""
ANSWERED = """() => document.querySelector('[data-filter-status]').textContent.includes(' of ')
    && document.querySelector('[data-search-status]').textContent.includes('with the filters')"""


def documents(site: Site) -> list[dict[str, Any]]:
    return json.loads((site.root / "metadata.json").read_text("utf-8"))["documents"]


def page_name(record: dict[str, Any]) -> str:
    return record["page"].removeprefix("documents/").removesuffix(".html")


def holding(site: Site, word: str) -> list[dict[str, Any]]:
    """The records whose seed text holds the word (as the seeds write it)."""
    return [r for r in documents(site) if word in (site.root / r["raw"]).read_text("utf-8")]


def search_address(site: Site, fragment: str, over: str) -> str:
    return (site.file_url("search.html") if over == "file" else site.http_url("search.html")) + "#" + fragment


def open_search(page: Any, url: str, ready: str = ANSWERED) -> dict[str, Any]:
    """search.html opened afresh at url, once the search and the filter have answered."""
    page.goto("about:blank")
    page.goto(url)
    page.wait_for_function(ready)
    return page.evaluate(SHOWN)


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


@pytest.fixture
def real(sites: dict[str, Site]) -> Site:
    return sites["real"]


@pytest.mark.parametrize("over", ["file", "http"])
def test_a_query_and_a_stance_show_what_metadata_json_says_with_their_counts(real: Site, over: str, new_page) -> None:
    found = holding(real, "Callamard")
    assert len(found) == 3
    page = new_page()
    for stance in sorted({r["stance"] for r in documents(real)}):
        expected = [r for r in found if r["stance"] == stance]
        got = open_search(page, search_address(real, f"q=callamard&stance={stance}", over))
        assert sorted(got["pages"]) == sorted(map(page_name, expected)), stance
        n = len(expected)
        assert got["status"] == f"{plural(n, 'document')} match{'es' if n == 1 else ''} with the filters (3 without)."
        assert got["filterStatus"] == f"{plural(n, 'result')} of 3 match."
        # a stance's count: the query's results of that stance (the stance filter left out)
        by_stance = collections.Counter(r["stance"] for r in found)
        assert {k: v.rsplit(" (", 1)[1] for k, v in got["stances"].items()} == {
            k: f"{by_stance[k]})" for k in got["stances"]
        }
        # a publisher's count: the query's results of that publisher with this stance
        by_publisher = collections.Counter(r["publisher"] for r in expected)
        assert set(got["publishers"]) == {r["publisher"] for r in documents(real)}
        for label, count in got["publishers"].items():
            assert count == plural(by_publisher[label], "document"), (stance, label)


def test_every_result_is_filtered_not_only_the_first_page(tmp_path: Path, new_page) -> None:
    """30 documents hold the word; the 5 of one stance rank last, past the 20 a page shows."""
    root = tmp_path / "archive"
    (root / "seeds").mkdir(parents=True)
    lines = [
        "archive:\n  title: T\n  description: D\n  language: en\nstances:\n",
        "  for:\n    label: For\n    description: F\n  against:\n    label: Against\n    description: A\n",
        "documents:\n",
    ]
    filler = " ".join(f"word{i}" for i in range(80))
    for n in range(30):
        low = n >= 25  # the word once in a long text: ranked below the others
        text = f"{filler} harbour" if low else "harbour harbour harbour"
        (root / "seeds" / f"d{n:02d}.txt").write_text(text + "\n", encoding="utf-8")
        title = f"Other {n}" if low else f"Harbour {n}"
        stance = "against" if low else "for"
        lines.append(
            f'  d{n:02d}.txt: {{title: "{title}", publisher: "P{n % 3}", date: "2020-01-{n + 1:02d}", stance: {stance}}}\n'
        )
    (root / "metadata.yaml").write_text("".join(lines), encoding="utf-8")
    site = Site("many", build_site(root, tmp_path / "site"))
    page = new_page()
    page.goto(site.file_url("search.html") + "#q=harbour")
    page.wait_for_function("() => document.querySelector('[data-filter-status]').textContent.startsWith('30 results')")
    page.wait_for_function("() => document.querySelector('[data-search-status]').textContent === '30 documents match.'")
    assert page.locator("[data-search-page] .search-title").count() == 20
    assert "Other" not in " ".join(page.locator("[data-search-page] .search-title").all_text_contents())
    assert page.locator("[data-filter-stances] label").all_text_contents() == ["For (25)", "Against (5)"]
    got = open_search(page, site.file_url("search.html") + "#q=harbour&stance=against")
    assert sorted(got["pages"]) == [f"other-{n}" for n in range(25, 30)]
    assert got["status"] == "5 documents match with the filters (30 without)."
    assert got["filterStatus"] == "5 results of 30 match."
    by_publisher = collections.Counter(f"P{n % 3}" for n in range(25, 30))
    assert got["publishers"] == {name: plural(count, "document") for name, count in by_publisher.items()}


@pytest.mark.parametrize("over", ["file", "http"])
def test_the_query_and_the_filter_round_trip_through_the_address(real: Site, over: str, new_page) -> None:
    page = new_page()
    page.goto(search_address(real, "", over))
    page.wait_for_selector("[data-filter-stances] input")
    page.fill("[data-search-box]", "callamard")
    page.press("[data-search-box]", "Enter")
    page.wait_for_function("() => location.hash === '#q=callamard'")
    page.get_by_label("Endorses the assessment", exact=False).check()
    page.wait_for_function("() => location.hash === '#q=callamard&stance=endorses'")
    page.wait_for_function(ANSWERED)
    endorsing = sorted(page_name(r) for r in holding(real, "Callamard") if r["stance"] == "endorses")
    assert sorted(page.evaluate(SHOWN)["pages"]) == endorsing
    page.reload()
    page.wait_for_function(ANSWERED)
    assert sorted(page.evaluate(SHOWN)["pages"]) == endorsing
    assert page.get_by_label("Endorses the assessment", exact=False).is_checked()
    assert page.input_value("[data-search-box]") == "callamard"
    # Enter with another query keeps the filter; Back returns to the query before.
    page.fill("[data-search-box]", "xinjiang")
    page.press("[data-search-box]", "Enter")
    page.wait_for_function("() => location.hash === '#q=xinjiang&stance=endorses'")
    page.wait_for_function("() => document.querySelector('[data-search-status]').textContent.includes('(5 without)')")
    page.go_back()
    page.wait_for_function("() => location.hash === '#q=callamard&stance=endorses'")
    page.wait_for_function("() => document.querySelector('[data-search-status]').textContent.includes('(3 without)')")
    assert page.input_value("[data-search-box]") == "callamard"
    page.go_back()
    page.wait_for_function("() => location.hash === '#q=callamard'")
    page.wait_for_function("() => !document.querySelector('[data-search-status]').textContent.includes('filters')")
    assert not page.get_by_label("Endorses the assessment", exact=False).is_checked()
    # A query typed but not entered is kept when a filter is chosen.
    page.fill("[data-search-box]", "agnes")
    page.get_by_label("Rejects the assessment", exact=False).check()
    page.wait_for_function("() => location.hash === '#q=agnes&stance=rejects'")
    assert page.input_value("[data-search-box]") == "agnes"
    page.get_by_role("button", name="Clear filters").click()
    page.wait_for_function("() => location.hash === '#q=agnes'")


def test_the_box_on_another_page_goes_to_the_query_alone(real: Site, new_page) -> None:
    page = new_page()
    page.goto(real.file_url("index.html") + "#stance=reports")
    page.wait_for_function("() => document.querySelector('[data-filter-status]').textContent.includes('match')")
    page.fill("[data-search-box]", "callamard")
    page.press("[data-search-box]", "Enter")
    page.wait_for_url("**/search.html#q=callamard")
    page.wait_for_selector("[data-search-page] .search-result")
    assert page.evaluate("location.hash") == "#q=callamard"


def days(date: str) -> tuple[str, str]:
    """The first and last day a date as written can be (`2022-09` is 1 to 30 September)."""
    date = date.rstrip("?~")
    if len(date) == 10:
        return date, date
    if len(date) == 7:
        last = calendar.monthrange(int(date[:4]), int(date[5:]))[1]
        return f"{date}-01", f"{date}-{last:02d}"
    return f"{date}-01-01", f"{date}-12-31"


@pytest.mark.parametrize(
    "fragment",
    ["from=2022-09-01&to=2022-09-15", "from=2022-09-01&to=2022-09-15&partial=1", "from=2022-09&to=2022-09"],
)
def test_partial_dates_filter_the_results_honestly(real: Site, new_page, fragment: str) -> None:
    keys = dict(part.split("=") for part in fragment.split("&"))
    first, last = days(keys["from"])[0], days(keys["to"])[1]
    expected = []
    for record in documents(real):  # every document holds "xinjiang"
        start, end = days(record["date"])
        if (first <= start and end <= last) or ("partial" in keys and start <= last and end >= first):
            expected.append(page_name(record))
    assert any(len(r["date"]) == 7 for r in documents(real))  # a month-only date is among them
    page = new_page()
    got = open_search(page, search_address(real, f"q=xinjiang&{fragment}", "file"))
    assert sorted(got["pages"]) == sorted(expected)
    n = len(expected)
    assert got["status"] == f"{plural(n, 'document')} match{'es' if n == 1 else ''} with the filters (5 without)."
    assert got["filterStatus"] == f"{plural(n, 'result')} of 5 match."


@pytest.mark.parametrize("over", ["file", "http"])
def test_with_no_query_the_filters_wait_and_link_the_index(real: Site, over: str, new_page) -> None:
    page = new_page()
    page.goto(search_address(real, "stance=reports&publisher=asia-financial", over))
    page.wait_for_function("() => document.querySelector('[data-filter-status]').textContent.includes('match')")
    page.wait_for_selector("[data-search-status] a")
    assert page.locator("[data-filter-status]").text_content() == "1 document of 5 match."
    assert page.locator("[data-search-page] li").count() == 0
    assert page.locator("[data-search-status]").text_content() == (
        "Type words in the box to search the documents the filters pass, or list them all on the index."
    )
    page.click("[data-search-status] a")
    page.wait_for_url("**/index.html#stance=reports&publisher=asia-financial")
    page.wait_for_function("() => document.querySelectorAll('[data-filter-results] li').length === 1")


def test_escape_clears_the_query_and_the_form_counts_every_document_again(real: Site, new_page) -> None:
    page = new_page()
    open_search(page, search_address(real, "q=callamard&stance=endorses", "file"))
    assert page.locator("[data-filter-status]").text_content() == "2 results of 3 match."
    page.focus("#search-box")
    page.keyboard.press("Escape")
    page.wait_for_function("() => document.querySelector('[data-filter-status]').textContent.includes('document')")
    endorsing = sum(r["stance"] == "endorses" for r in documents(real))
    assert page.locator("[data-filter-status]").text_content() == f"{plural(endorsing, 'document')} of 5 match."
    assert page.locator("[data-search-page] li").count() == 0
    assert page.locator("[data-search-status]").text_content() == (
        "Type words in the box to search the documents the filters pass, or list them all on the index."
    )


def test_without_javascript_no_filter_control_shows(site: Site, new_page) -> None:
    page = new_page(java_script_enabled=False)
    page.goto(site.file_url("search.html") + "#q=a&stance=for")
    assert not page.locator("[data-filters]").is_visible()
    assert page.locator("[data-needs-js]").count() == 0  # the search page's own line says it once
    assert page.locator("main .search-help").text_content().startswith("Search needs JavaScript.")
    assert page.locator("main .search-help").is_visible()
