"""What a reader sees is what was archived: the text, the titles, the languages.

Checked against the site's own metadata.json and raw copies, in both sites; the hard-cases
site adds characters HTML cannot carry, a Chinese document and markup in titles.
"""

from __future__ import annotations

import json
import re

# Characters HTML cannot carry as text, which the page shows as markers naming their code
# point: C0 controls but tab, LF and CR; DEL and C1 controls; noncharacters; lone surrogates.
# Written out here, not imported, so the browser is checked against the rule, not the code.
NONCHARACTERS = "".join(chr(plane << 16 | low) for plane in range(17) for low in (0xFFFE, 0xFFFF))
UNSHOWABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ud800-\udfff" + NONCHARACTERS + "]")

SHOWN = """pre => ({
  text: pre.textContent,
  lang: pre.closest("[lang]").lang,
  markers: [...pre.querySelectorAll(".cp")].map(cp => ({
    cp: cp.dataset.cp, label: cp.getAttribute("aria-label"),
    width: cp.getBoundingClientRect().width,
  })),
})"""


def records(site) -> tuple[str, list[dict]]:
    """The archive's language and its document records, from the site's metadata.json."""
    data = json.loads((site.root / "metadata.json").read_text(encoding="utf-8"))
    return data["archive"]["language"], data["documents"]


def expected_text(raw: bytes, encoding: str) -> tuple[str, list[str]]:
    """The textContent a browser gives the text, and the code points shown as markers."""
    text = re.sub(r"\r\n?", "\n", raw.decode(encoding))
    return UNSHOWABLE.sub("", text), [f"U+{ord(c):04X}" for c in UNSHOWABLE.findall(text)]


def test_text_is_the_seed_text(site, new_page):
    page = new_page(viewport={"width": 390, "height": 900})
    language, documents = records(site)
    wrong, markers_seen = [], 0
    for record in documents:
        page.goto(site.file_url(record["page"]))
        assert page.locator("pre[data-verbatim]").count() == 1, f"{record['page']}: not one text"
        shown = page.locator("pre[data-verbatim]").evaluate(SHOWN)
        raw = (site.root / record["raw"]).read_bytes()
        text, markers = expected_text(raw, record.get("encoding", "utf-8"))
        if shown["text"] != text:
            wrong.append(f"{record['page']}: the text shown differs from {record['raw']}")
        if [m["cp"] for m in shown["markers"]] != markers:
            wrong.append(f"{record['page']}: markers {shown['markers']}, expected {markers}")
        for marker in shown["markers"]:
            if marker["label"] != marker["cp"] or marker["width"] < 8:
                wrong.append(f"{record['page']}: marker {marker} is not visible or not named")
        markers_seen += len(markers)
        if shown["lang"] != record.get("language", language):
            wrong.append(f"{record['page']}: text in lang {shown['lang']!r}")
    assert not wrong, "\n".join(wrong)
    if site.name == "hard":
        assert markers_seen >= 3, "the hard cases lost their control characters"


def test_titles_show_as_written_in_their_language(site, new_page):
    """A title is text, however much it looks like markup, and keeps its language everywhere."""
    page = new_page(viewport={"width": 1280, "height": 900})
    language, documents = records(site)
    titles = {r["title"]: r.get("language", language) for r in documents}
    wrong = []
    for record in documents:
        page.goto(site.file_url(record["page"]))
        h1 = page.locator("h1")
        if h1.text_content() != record["title"]:
            wrong.append(f"{record['page']}: <h1> reads {h1.text_content()!r}")
    for name in site.pages:
        page.goto(site.file_url(name))
        for title, lang in titles.items():
            found = page.evaluate(
                """title => [...document.body.querySelectorAll("*")]
                     .filter(el => [...el.childNodes].some(n => n.nodeType === 3
                                                            && n.data.includes(title)))
                     .map(el => el.closest("[lang]").getAttribute("lang"))""",
                title,
            )
            wrong.extend(f"{name}: title {title!r} shown in lang {got!r}" for got in found if got != lang)
    assert not wrong, "\n".join(wrong)
