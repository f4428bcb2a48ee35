"""The one text normalisation and tokenizer: for the search index, its queries and shared passages.

Two steps, each defined character by character so that the browser's twin (static/normalise.js,
driven by the table this module writes to static/normalise-table.js) agrees exactly:

1. `fold`: every character becomes its folded form (`FOLDS`): case folded (`str.casefold`) and
   decomposed by compatibility (NFKD, so `ﬁ` is `fi` and full-width `Ａ` is `a`). A letter of the
   Latin script also loses its combining marks (`Agnès` is `agnes`, `Straße` is `strasse`), its
   other marks (`Łódź` is `lodz`, `Øst` is `ost`) and its ligatures (`œuvre` is `oeuvre`), and so
   does a combining mark that follows a Latin letter in the text (a decomposed `è`). A letter of
   any other script keeps its marks, decomposed: `й` stays `и` + breve (not `и`), `が` stays
   `か` + dakuten (not `か`), and a precomposed and a decomposed `й` fold alike. Every
   apostrophe is `'`, every double quote `"`, every dash `-`; a soft hyphen and variation
   selectors vanish.
2. `tokens`: in the folded text, a word is a run of letters and digits, each with the marks
   that follow it; apostrophes separate (`Callamard’s` is `callamard` and `s`, as `l'homme`
   is `l` and `homme`). Han, Hiragana and Katakana, written without
   spaces, are cut into overlapping character bigrams (a lone character is a unigram). Each
   emoji or other symbol (category So) is a token of its own. Everything else separates.

Python's `unicodedata` decides every class and fold (Unicode 14 in Python 3.11): the browser
reads them from the generated table instead of asking its own, newer, Unicode data.
"""

from __future__ import annotations

import functools
import json
import re
import sys
import unicodedata

SEPARATOR, WORD, LATIN, MARK, CJK, SYMBOL, APOSTROPHE = range(7)
"""Classes of characters (LATIN: a Latin-script letter, also a WORD character)."""

APOSTROPHES = "'\u2018\u2019\u02bc\u02bb\u2032\uff07\u0060\u00b4\u201b"
DOUBLE_QUOTES = '"\u201c\u201d\u201e\u201f\u00ab\u00bb\u2033\uff02'
VANISH = "\u00ad\ufe0e\ufe0f\u200b\u2060\ufeff"
"""Soft hyphen, text/emoji variation selectors, zero-width space, word joiner, BOM: dropped."""
CJK_NAMES = ("CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY IDEOGRAPH", "HIRAGANA", "KATAKANA")
MAX_CODE_POINT = 0x110000


def char_class(c: str) -> int:
    """The class of one character, from Python's Unicode data."""
    if c in APOSTROPHES:
        return APOSTROPHE
    category = unicodedata.category(c)
    if category[0] == "M":
        return MARK
    if category[0] in "LN":
        name = unicodedata.name(c, "")
        if name.startswith(CJK_NAMES) or c in "\u3005\u3006\u30fc\u3007":
            return CJK
        base = unicodedata.normalize("NFKD", c)[:1]
        return LATIN if unicodedata.name(base, "").startswith("LATIN ") else WORD
    return SYMBOL if category == "So" else SEPARATOR


def fold_char(c: str) -> str:
    """One character folded, ignoring its neighbours (see the module's docstring)."""
    if c in APOSTROPHES:
        return "'"
    if c in DOUBLE_QUOTES:
        return '"'
    if c in VANISH:
        return ""
    if unicodedata.category(c) == "Pd":
        return "-"
    folded = latin_base(c) if char_class(c) == LATIN else c
    while True:  # to a fixed point: casefolding may give what NFKD decomposes, and back
        again = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", folded).casefold())
        if char_class(c) == LATIN:
            again = "".join(x for x in again if unicodedata.category(x)[0] != "M")
        if again == folded:
            return folded
        folded = again


LIGATURES = {"æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ǽ": "ae", "Ǽ": "ae", "ǣ": "ae", "Ǣ": "ae"}


def latin_base(c: str) -> str:
    """A Latin letter with a mark Unicode does not decompose (a stroke, a bar, a hook: `ø`,
    `ł`, `đ`) as its base letter, by its name; a ligature as its letters."""
    if c in LIGATURES:
        return LIGATURES[c]
    name = unicodedata.name(c, "")
    if " WITH " in name and unicodedata.normalize("NFKD", c) == c:
        try:
            return unicodedata.lookup(name.partition(" WITH ")[0])
        except KeyError:
            return c
    return c


@functools.cache
def tables() -> tuple[dict[int, str], list[tuple[int, int]]]:
    """Every character that folds to something else, and the classes as (first code point, class) runs."""
    folds: dict[int, str] = {}
    runs: list[tuple[int, int]] = []
    for code in range(MAX_CODE_POINT):
        c = chr(code)
        if 0xD800 <= code < 0xE000 or unicodedata.category(c) in ("Cn", "Co"):
            kind = SEPARATOR
        else:
            kind, folded = info(c)
            if folded != c:
                folds[code] = folded
        if not runs or runs[-1][1] != kind:
            runs.append((code, kind))
    return folds, runs


def refold(text: str) -> str:
    """A fold's result folded again until it holds (a fold of a fold is the fold)."""
    while True:
        again = "".join(fold_char(c) for c in text)
        if again == text:
            return text
        text = again


@functools.cache
def info(c: str) -> tuple[int, str]:
    """One character's class and fold (remembered: a text has few distinct characters)."""
    return char_class(c), refold(fold_char(c))


@functools.cache
def simple(c: str) -> bool:
    """Whether a character folds to letters and digits only (a word's), or to separators only
    (a separator's): a text of such characters is split into words by Python's `\\w` (exactly
    the letters and digits, as the tests check) and folded word by word, giving the same terms."""
    kind, folded = info(c)
    if c == "_" or kind not in (WORD, LATIN, SEPARATOR, APOSTROPHE):
        return False
    wordy = kind in (WORD, LATIN)
    if c.isalnum() != wordy:
        return False  # `\\w` would read it otherwise (an apostrophe that is a modifier letter)
    return bool(folded) and all(x != "_" and (char_class(x) in (WORD, LATIN)) == wordy for x in folded)


SIMPLE_WORD = re.compile(r"[^\W_]+")


def fold(text: str) -> str:
    """The text folded (see the module's docstring): case, Latin diacritics, quotes, dashes."""
    out: list[str] = []
    latin = False
    for c in text:
        kind, folded = info(c)
        if kind == MARK:
            if latin:
                continue  # a mark on a Latin letter
        else:
            latin = kind == LATIN
        out.append(folded)
    return "".join(out)


def tokens(text: str) -> list[str]:
    """The search terms of a text, in order: words, CJK bigrams (or a lone unigram), symbols.

    A line of simple characters (any alphabet, no CJK, no emoji, no combining marks) takes a
    quick path: its words found by a pattern and folded one by one, which gives the same terms."""
    if all(map(simple, set(text))):
        return simple_tokens(text)
    found: list[str] = []
    for line in text.splitlines():
        found.extend(simple_tokens(line) if all(map(simple, set(line))) else folded_tokens(fold(line)))
    return found


def simple_tokens(text: str) -> list[str]:
    """The terms of a text of simple characters only."""
    return [word.lower() if word.isascii() else fold(word) for word in SIMPLE_WORD.findall(text)]


def folded_tokens(folded: str) -> list[str]:
    """The terms of a folded text: runs of word units, runs of CJK units cut into bigrams, symbols."""
    found: list[str] = []
    units: list[str] = []  # the run being read
    run = SEPARATOR
    for c in folded:
        kind = char_class(c)
        if kind == MARK and run != SEPARATOR:
            units[-1] += c
            continue
        if kind == LATIN:
            kind = WORD
        if kind != run or kind == SYMBOL:
            end_run(run, units, found)
            units, run = [], (kind if kind in (WORD, CJK, SYMBOL) else SEPARATOR)
        if run != SEPARATOR:
            units.append(c)
    end_run(run, units, found)
    return found


def end_run(run: int, units: list[str], found: list[str]) -> None:
    """The terms of one run of units."""
    if run == CJK:
        found.extend([units[0]] if len(units) == 1 else [a + b for a, b in zip(units, units[1:], strict=False)])
    elif run != SEPARATOR:
        found.append("".join(units))


def table_js() -> str:
    """static/normalise-table.js: the folds and classes, for the browser's twin of this module."""
    folds, runs = tables()
    fold_list: list[object] = []
    last = 0
    for code, folded in sorted(folds.items()):
        fold_list.extend([code - last, folded])
        last = code
    run_list: list[int] = []
    last = 0
    for start, kind in runs:
        run_list.extend([start - last, kind])
        last = start
    data = json.dumps({"folds": fold_list, "runs": run_list}, ensure_ascii=True, separators=(",", ":"))
    return (
        "// Generated by `python -m archive.normalise > static/normalise-table.js`: do not edit.\n"
        f"// The folds and character classes of archive/normalise.py (Unicode {unicodedata.unidata_version}).\n"
        f"window.ArchiveNormaliseTable = {data};\n"
    )


if __name__ == "__main__":
    sys.stdout.write(table_js())
