"""static/texts.js: each document's exact text, from script files, over file:// and http."""

from __future__ import annotations

import json
import shutil

import pytest

from archive.outputs import texts


def documents(site):
    with open(site.root / "metadata.json", encoding="utf-8") as file:
        return json.load(file)["documents"]


def page_name(doc):
    return doc["page"].removeprefix("documents/").removesuffix(".html")


def exact_text(site, doc):
    return (site.root / doc["raw"]).read_bytes().decode(doc.get("encoding") or "utf-8")


LOAD = """src => new Promise((resolve, reject) => {
  const script = document.createElement("script");
  script.src = src;
  script.onload = resolve;
  script.onerror = () => reject(new Error("could not load " + src));
  document.head.append(script);
})"""


def load_texts_js(page):
    """static/texts.js, loaded as a page loads it (a file, under the page's policy)."""
    page.evaluate(LOAD, page.evaluate("document.body.dataset.root") + "static/texts.js")


GET = "page => ArchiveTexts.get(page).then(text => ({text}), error => ({error: error.message}))"


@pytest.mark.parametrize("transport", ["file", "http"])
def test_every_text_is_the_seeds_exact_text(site, transport, new_page, watcher):
    page = new_page()
    problems = watcher(page)
    docs = documents(site)
    start = docs[0]["page"]
    page.goto(site.file_url(start) if transport == "file" else site.http_url(start))
    load_texts_js(page)
    for doc in docs:
        got = page.evaluate(GET, page_name(doc))
        assert got == {"text": exact_text(site, doc)}, doc["file"]
    assert not problems


def test_a_missing_or_damaged_text_is_a_readable_error(tmp_path, real_site, new_page):
    site = tmp_path / "site"
    shutil.copytree(real_site.root, site)
    docs = documents(real_site)
    missing, damaged, truncated = (page_name(doc) for doc in docs[:3])
    (site / "texts" / f"{missing}.js").unlink()
    (site / "texts" / f"{damaged}.js").write_text("ArchiveTexts.register(", encoding="utf-8")
    words = texts.vocabulary(site / texts.WORDS_FILE)
    whole = texts.encode_text(truncated, b"x" * 1000, words).decode("utf-16-le")
    (site / "texts" / f"{truncated}.js").write_bytes(whole.replace(",1000,", ",999,").encode("utf-16-le"))
    garbled = page_name(docs[4])  # characters outside the packing's range
    (site / "texts" / f"{garbled}.js").write_text(f'ArchiveTexts.register("{garbled}",5,"abc");', encoding="utf-8")
    page = new_page()
    page.goto((site / "index.html").as_uri())
    load_texts_js(page)
    assert page.evaluate(GET, missing) == {
        "error": f"The text of “{missing}” could not be loaded: texts/{missing}.js is missing."
    }
    assert page.evaluate(GET, damaged) == {
        "error": f"The text of “{damaged}” could not be read: texts/{damaged}.js is damaged."
    }
    assert page.evaluate(GET, truncated) == {
        "error": f"The text of “{truncated}” could not be read: texts/{truncated}.js is damaged."
    }
    assert page.evaluate(GET, garbled) == {
        "error": f"The text of “{garbled}” could not be read: texts/{garbled}.js is damaged."
    }
    assert page.evaluate(GET, "../x") == {"error": "“../x” is not a document page name."}
    assert page.evaluate(GET, docs[3]["page"].split("/")[1][:-5])["text"] == exact_text(real_site, docs[3])


def test_awkward_texts_come_back_exactly(tmp_path, real_site, new_page):
    """Texts made to be awkward for the coding (tests/test_texts.py's), written as texts/PAGE.js
    files by the producer's encoder and read back by static/texts.js. A leading byte order mark
    is not text: the reader leaves it out, as the document pages and the compare view do."""
    from tests.test_texts import AWKWARD

    site = tmp_path / "site"
    shutil.copytree(real_site.root, site)
    words = texts.vocabulary(site / texts.WORDS_FILE)
    cases = {f"awkward-{n}": text for n, text in enumerate(AWKWARD) if "\ud800" not in text}
    cases["awkward-bom-crlf"] = "\ufeffThe first line\r\nthe second\rthe third\n\n"
    cases["awkward-only-words"] = " ".join(texts_words(site)[::7])
    for page_name_, text in cases.items():
        (site / "texts" / f"{page_name_}.js").write_bytes(texts.encode_text(page_name_, text.encode(), words))
    page = new_page()
    page.goto((site / "index.html").as_uri())
    load_texts_js(page)
    for page_name_, text in cases.items():
        assert page.evaluate(GET, page_name_) == {"text": text.removeprefix("\ufeff")}, page_name_


def texts_words(site):
    places = texts.vocabulary(site / texts.WORDS_FILE)
    return [
        word.decode() for word, place in sorted(places.items(), key=lambda item: item[1]) if place < texts.CAPITALISED
    ]


@pytest.mark.parametrize("how", ["missing", "damaged"])
def test_a_missing_or_damaged_words_file_is_a_readable_error(tmp_path, real_site, new_page, how):
    site = tmp_path / "site"
    shutil.copytree(real_site.root, site)
    if how == "missing":
        (site / texts.WORDS_FILE).unlink()
    else:
        (site / texts.WORDS_FILE).write_text("ArchiveTexts.words(", encoding="utf-8")
    docs = documents(real_site)
    page = new_page()
    page.goto((site / "index.html").as_uri())
    load_texts_js(page)
    name = page_name(docs[0])
    assert page.evaluate(GET, name) == {
        "error": f"The text of “{name}” could not be read: static/texts-words.js is {how}."
    }
