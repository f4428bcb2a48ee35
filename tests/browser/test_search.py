"""Search in the browser: the box on every page, search.html, and the marks on a document page.

Over file:// (as a downloaded copy is opened) and over http, with the pages' own policy in force.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from .conftest import Site, build_site, watch

TRANSPORTS = ["file", "http"]


def address(site: Site, transport: str, name: str) -> str:
    return site.file_url(name) if transport == "file" else site.http_url(name)


def documents(site: Site) -> list[dict]:
    with open(site.root / "metadata.json", encoding="utf-8") as file:
        return json.load(file)["documents"]


def quoting(site: Site, name: str) -> list[str]:
    """The titles of the documents whose text holds a name (as the seeds have it)."""
    return sorted(doc["title"] for doc in documents(site) if name in (site.root / doc["raw"]).read_text("utf-8"))


def results(page) -> dict:
    """What the search page or the box's list shows: summary, titles, marks, snippets."""
    return page.evaluate(
        """() => {
            const area = document.querySelector('[data-search-page]') && location.pathname.endsWith('search.html')
                ? document.querySelector('main') : document.querySelector('[data-search-results]');
            const all = (selector) => [...area.querySelectorAll(selector)].map(e => e.textContent);
            return {
                status: (document.querySelector('[data-search-status]') || {}).textContent
                    || (area.querySelector('.search-summary') || {}).textContent || '',
                titles: all('.search-title'),
                marks: all('.search-snippet mark'),
                snippets: all('.search-snippet'),
                dates: [...area.querySelectorAll('.search-facts time')].map(t => t.dateTime),
            };
        }"""
    )


def search_page(page, site: Site, transport: str, query: str) -> dict:
    """search.html opened afresh with a query, once its results are shown."""
    page.goto("about:blank")
    page.goto(address(site, transport, "search.html") + "#q=" + query)
    page.wait_for_function("() => document.querySelector('[data-search-status]').textContent !== ''")
    return results(page)


def small_site(tmp_path: Path, name: str, texts: dict[str, str], records: list[str], language: str = "en") -> Site:
    """A site built from a few seeds (file name -> text) and their records (metadata.yaml's
    lines under `documents:`), with one stance."""
    root = tmp_path / "archive"
    (root / "seeds").mkdir(parents=True)
    for file, text in texts.items():
        (root / "seeds" / file).write_text(text, encoding="utf-8")
    (root / "metadata.yaml").write_text(
        f"archive:\n  title: T\n  description: D\n  language: {language}\n"
        "stances:\n  for: {label: For, description: F}\n"
        "documents:\n" + "".join(f"  {record}\n" for record in records),
        encoding="utf-8",
    )
    return Site(name, build_site(root, tmp_path / "site"))


@pytest.fixture
def real(sites) -> Site:
    return sites["real"]


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_typing_callamard_on_any_page_lists_who_quotes_her_with_the_name_marked(real, transport, new_page):
    page = new_page()
    problems = watch(page)
    wanted = quoting(real, "Callamard")
    assert len(wanted) == 3
    for name in ["about.html", "index.html", real.documents[0]]:
        page.goto(address(real, transport, name))
        page.fill("[data-search-box]", "callamard")
        page.wait_for_selector("[data-search-results] .search-result")
        shown = results(page)
        assert sorted(shown["titles"]) == wanted, name
        assert shown["status"] == "3 documents match."
        assert shown["marks"] == ["Callamard"] * 3
    assert problems == []


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_an_unaccented_query_finds_the_accented_name_and_marks_it(real, transport, new_page):
    page = new_page()
    for query in ["agnes", "Agnès", "AGNE%CC%80S"]:  # the last one with a combining grave accent
        shown = search_page(page, real, transport, query)
        assert sorted(shown["titles"]) == quoting(real, "Agnès"), query
        assert set(shown["marks"]) == {"Agnès"}


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_phrase_is_found_as_a_phrase(real, transport, new_page):
    page = new_page()
    shown = search_page(page, real, transport, "%22crimes%20against%20humanity%22")
    holding = sorted(
        doc["title"]
        for doc in documents(real)
        if "crimes against humanity" in (real.root / doc["raw"]).read_text("utf-8").lower()
        or "crimes against humanity" in doc["title"].lower()
    )
    assert sorted(shown["titles"]) == holding
    assert {mark.lower() for mark in shown["marks"]} == {"crimes against humanity"}
    # The words apart are not the phrase.
    shown = search_page(page, real, transport, "%22humanity%20against%20crimes%22")
    assert shown["titles"] == [] and shown["status"] == "0 documents hold the phrase."


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_the_last_word_is_also_a_prefix(real, transport, new_page):
    page = new_page()
    shown = search_page(page, real, transport, "callam")
    assert sorted(shown["titles"]) == quoting(real, "Callamard")
    assert set(shown["marks"]) == {"Callamard"}
    shown = search_page(page, real, transport, "callam%20")  # a space after it: a whole word
    assert shown["titles"] == [] and shown["status"] == "No document holds every word of this search."


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_chinese_query_finds_the_chinese_words_of_the_real_seeds(real, transport, new_page):
    page = new_page()
    shown = search_page(page, real, transport, "公益基金")
    assert sorted(shown["titles"]) == quoting(real, "公益基金")
    assert shown["marks"] == ["公益基金"]
    shown = search_page(page, real, transport, "公")  # one character: a prefix of its pairs
    assert sorted(shown["titles"]) == quoting(real, "公益")


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_query_with_no_results_says_so(real, transport, new_page):
    page = new_page()
    shown = search_page(page, real, transport, "zzyzx%20callamard")
    assert shown == {
        "status": "No document holds every word of this search.",
        "titles": [],
        "marks": [],
        "snippets": [],
        "dates": [],
    }


def test_date_order_and_back(real, new_page):
    page = new_page()
    shown = search_page(page, real, "file", "xinjiang")
    by_relevance = shown["titles"]
    assert len(by_relevance) == 5
    page.check("input[value=date]")
    page.wait_for_function("() => location.hash.endsWith('&order=date')")
    page.wait_for_timeout(300)
    shown = results(page)
    order = [doc["title"] for doc in documents(real)]  # metadata.json lists documents in date order
    assert shown["titles"] == order
    page.check("input[value=newest]")
    page.wait_for_function("() => location.hash.endsWith('&order=newest')")
    page.wait_for_timeout(300)
    assert results(page)["titles"] == order[::-1]
    page.fill("[data-search-box]", "callamard")
    page.press("[data-search-box]", "Enter")
    page.wait_for_function("() => location.hash.startsWith('#q=callamard')")
    page.go_back()
    page.wait_for_function("() => document.querySelector('[data-search-box]').value === 'xinjiang'")
    page.wait_for_timeout(300)
    assert results(page)["titles"] == order[::-1]


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_keyboard_arrows_enter_and_escape(real, transport, new_page):
    page = new_page()
    page.goto(address(real, transport, "about.html"))
    page.focus("[data-search-box]")
    page.keyboard.type("callamard")
    page.wait_for_selector("[data-search-results] .search-result")
    page.keyboard.press("ArrowDown")
    first = page.evaluate("document.activeElement.textContent")
    page.keyboard.press("ArrowDown")
    second = page.evaluate("document.activeElement.textContent")
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.textContent") == first != second
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.matches('[data-search-box]')")
    assert page.input_value("[data-search-box]") == ""
    assert page.is_hidden("[data-search-results]")
    page.keyboard.type("callamard")
    page.wait_for_selector("[data-search-results] .search-result")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url("**/documents/*.html?q=callamard")
    page.go_back()
    page.focus("[data-search-box]")
    page.fill("[data-search-box]", "agnes callamard")
    page.press("[data-search-box]", "Enter")
    page.wait_for_url("**/search.html#q=agnes%20callamard")
    page.wait_for_selector("[data-search-page] .search-result")
    assert len(results(page)["titles"]) == 3


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_result_opens_its_document_with_the_matches_marked_and_the_first_in_view(real, transport, new_page):
    page = new_page(viewport={"width": 1000, "height": 700})
    problems = watch(page)
    search_page(page, real, transport, "callamard")
    # The filter form's data loads after the results: leaving before it is in would abort its
    # requests, which the watcher reports.
    page.wait_for_function("() => document.querySelector('[data-filter-status]').textContent.includes('result')")
    page.click("[data-search-page] .search-title >> nth=0")
    page.wait_for_selector("[data-verbatim] mark")
    doc = next(d for d in documents(real) if page.url.split("?")[0].endswith(d["page"]))
    seed = (real.root / doc["raw"]).read_text("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    found = page.evaluate(
        """() => {
            const marks = [...document.querySelectorAll('[data-verbatim] mark')];
            const box = marks[0].getBoundingClientRect();
            return {
                text: document.querySelector('[data-verbatim]').textContent,
                marks: marks.map(m => m.textContent),
                inView: box.top >= 0 && box.bottom <= innerHeight,
                scrolled: scrollY > 0,
            };
        }"""
    )
    assert found["text"] == seed  # marks are elements around ranges: the text is unchanged
    assert found["marks"] == ["Callamard"] * seed.count("Callamard")
    assert found["inView"] and found["scrolled"]
    assert problems == []


def test_a_damaged_or_missing_index_file_is_a_message_not_an_error(real_site, tmp_path, new_page):
    site = Site("copy", Path(shutil.copytree(real_site.root, tmp_path / "site")))
    page = new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    shards = sorted((site.root / "search").glob("t-*.js"))
    for shard in shards:
        shard.write_text("ArchiveSearch.shard(", encoding="utf-8")
    shown = search_page(page, site, "file", "callamard")
    assert shown["titles"] == []
    assert shown["status"].startswith("Search could not read its index: search/t-0-")
    assert shown["status"].endswith(
        ".js is damaged. The site may be incomplete: build it again or copy all of its files."
    )
    for shard in shards:  # a whole script whose packed data is damaged: the same message
        name = shard.name.removeprefix("t-").removesuffix(".js")
        shard.write_text(f'ArchiveSearch.shard("{name}",40,"\u3000\u3001\u3002");', encoding="utf-8")
    shown = search_page(page, site, "file", "callamard")
    assert shown["titles"] == []
    assert shown["status"].startswith("Search could not read its index: search/t-0-")
    assert shown["status"].endswith(
        ".js is damaged. The site may be incomplete: build it again or copy all of its files."
    )
    (site.root / "search" / "meta.js").unlink()
    shown = search_page(page, site, "file", "callamard")
    assert shown["status"] == (
        "Search could not read its index: search/meta.js is missing."
        " The site may be incomplete: build it again or copy all of its files."
    )
    page.goto(site.file_url("about.html"))
    page.fill("[data-search-box]", "callamard")
    page.wait_for_selector("[data-search-results] .search-error")
    assert "search/meta.js is missing" in page.text_content("[data-search-results]")
    # The browser's own report of the damaged file's syntax; nothing of the search's throws.
    assert set(errors) == {"Unexpected end of input"}


def test_without_javascript_the_box_points_to_the_lists(real, new_page):
    page = new_page(java_script_enabled=False)
    for name in ["index.html", "search.html", real.documents[0]]:
        page.goto(real.file_url(name))
        help_text = page.text_content("#search-help")
        assert help_text.startswith("Search needs JavaScript.")
        links = page.eval_on_selector_all("#search-help a", "links => links.map(a => a.textContent)")
        assert links == ["by date", "by stance", "by publisher"]
        assert page.is_visible("#search-help")
    page = new_page()
    page.goto(real.file_url("index.html"))
    page.wait_for_function("() => document.querySelector('#search-help').hidden")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_search_page_with_results_passes_axe_and_vnu(real, scheme, new_page, axe_source, vnu_command, tmp_path):
    from .test_accessibility import axe_violations, describe
    from .test_valid_html import run_vnu

    page = new_page(bypass_csp=True, color_scheme=scheme, viewport={"width": 1280, "height": 900})
    search_page(page, real, "http", "callamard")
    shown = tmp_path / "search-with-results.html"
    shown.write_text(page.content(), encoding="utf-8")
    assert [(m["message"], m.get("extract")) for m in run_vnu(vnu_command, [shown])] == []
    rules, violations = axe_violations(page, axe_source)
    assert rules > 20
    assert not violations, "\n".join(describe("search.html", v) for v in violations)


def test_title_and_publisher_weigh_more_than_the_text(tmp_path, new_page):
    """Ranking: a word once in a title (weight 3) beats it twice in the text, and once in the
    publisher (weight 2) beats it once in the text; in date order, the dates decide."""
    filler = " ".join(f"word{i}" for i in range(50))
    texts = {
        "a.txt": f"{filler} harbour\n",  # in the text only
        "b.txt": f"{filler} other\n",  # in the title
        "c.txt": f"{filler} other\n",  # in the publisher
        "d.txt": f"{filler} harbour harbour\n",  # twice in the text
    }
    records = [
        'a.txt: {title: "Alpha", publisher: "P", date: "2020-01-01", stance: for}',
        'b.txt: {title: "Harbour news", publisher: "P", date: "2020-01-02", stance: for}',
        'c.txt: {title: "Gamma", publisher: "Harbour Times", date: "2020-01-03", stance: for}',
        'd.txt: {title: "Delta", publisher: "P", date: "2019", stance: for}',
    ]
    site = small_site(tmp_path, "ranking", texts, records)
    page = new_page()
    ranked = search_page(page, site, "file", "harbour")["titles"]
    assert ranked[0] == "Harbour news" and ranked[-1] == "Alpha" and sorted(ranked[1:3]) == ["Delta", "Gamma"]
    assert search_page(page, site, "file", "harbour&order=date")["titles"] == [
        "Delta",
        "Alpha",
        "Harbour news",
        "Gamma",
    ]


def test_one_chinese_character_is_found_where_it_ends_a_run(tmp_path, new_page):
    """The index keeps the last character of each run of CJK characters beside its pairs, and a
    query's lone CJK character matches every pair it starts and every run it ends, wherever it
    stands in the query."""
    texts = {"a.txt": "新华社发布报。\n", "b.txt": "没有那个字。\n", "c.txt": "报告在这里。\n"}
    records = [
        'a.txt: {title: "Alpha", publisher: "P", date: "2020-01-01", stance: for}',
        'b.txt: {title: "Beta", publisher: "P", date: "2020-01-02", stance: for}',
        'c.txt: {title: "Gamma", publisher: "P", date: "2020-01-03", stance: for}',
    ]
    site = small_site(tmp_path, "cjk", texts, records, language="zh")
    page = new_page()
    shown = search_page(page, site, "file", "报")
    assert sorted(shown["titles"]) == ["Alpha", "Gamma"]
    assert sorted(shown["marks"]) == ["报", "报告"]
    shown = search_page(page, site, "file", "报%20新华")  # not the last word: still every place it stands
    assert shown["titles"] == ["Alpha"]


def test_a_word_inside_thai_text_written_without_spaces_is_found_and_marked(tmp_path, new_page):
    """Thai (like Lao, Khmer and Myanmar) has no spaces between words: its letters are cut into
    pairs as Chinese is, so a word in the middle of a run is found, in a Thai document and in a
    Thai quotation of an English one, and marked whole; a tone or vowel mark stays with its letter."""
    texts = {
        "a.txt": "รายงานของสหประชาชาติเรื่องซินเจียงเผยแพร่แล้ว\n",
        "b.txt": "The Thai press wrote of เรื่องซินเจียง in its headline.\n",
        "c.txt": "ซินแสเจียงใหม่\n",  # the same letters, not the same word
    }
    records = [
        'a.txt: {title: "Alpha", publisher: "P", date: "2022-09-01", stance: for}',
        'b.txt: {title: "Beta", publisher: "P", date: "2022-09-02", stance: for, language: en}',
        'c.txt: {title: "Gamma", publisher: "P", date: "2022-09-03", stance: for}',
    ]
    site = small_site(tmp_path, "thai", texts, records, language="th")
    page = new_page()
    shown = search_page(page, site, "file", "ซินเจียง")
    assert sorted(shown["titles"]) == ["Alpha", "Beta"]
    assert shown["marks"] == ["ซินเจียง", "ซินเจียง"]  # not รายงาน's pair ยง, one of the query's
    alpha = next(doc for doc in documents(site) if doc["title"] == "Alpha")
    page.goto(site.file_url(alpha["page"]) + "?q=ซินเจียง")
    page.wait_for_selector("[data-verbatim] mark")
    assert page.evaluate("() => [...document.querySelectorAll('[data-verbatim] mark')].map(m => m.textContent)") == [
        "ซินเจียง"
    ]
    assert page.text_content("[data-verbatim]") == texts["a.txt"]


def test_each_result_shows_its_own_row_when_a_bucket_has_many_tables(tmp_path, new_page):
    """With 300 documents a bucket's rows are in 8 tables chosen by hash: a word only one
    document holds lists that document's title, whichever table it is in."""
    texts = {f"d{n}.txt": f"common words and marker{n}x here\n" for n in range(300)}
    records = [f'd{n}.txt: {{title: "Title {n}", publisher: "P", date: "2020-01-01", stance: for}}' for n in range(300)]
    site = small_site(tmp_path, "tables", texts, records)
    assert len(list((site.root / "search").glob("d-*.js"))) == 8
    page = new_page()
    for n in [0, 1, 37, 150, 298, 299]:
        assert search_page(page, site, "file", f"marker{n}x%20")["titles"] == [f"Title {n}"]


def test_a_match_far_into_a_long_text_is_marked_in_its_snippet(tmp_path, new_page):
    """A snippet's text is cut into terms a window of about 20,000 characters at a time, as far
    as its first match: a match in the third window is found and marked where it stands."""
    text = "filler words here\n" * 3000 + "Ünïque néedle at last\n" + "after words\n" * 10
    records = ['long.txt: {title: "Long", publisher: "P", date: "2020", stance: for}']
    site = small_site(tmp_path, "long", {"long.txt": text}, records)
    page = new_page()
    shown = search_page(page, site, "file", "unique%20needle")
    assert shown["titles"] == ["Long"]
    assert shown["marks"] == ["Ünïque", "néedle"]
