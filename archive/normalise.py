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
   is `l` and `homme`). The letters of scripts written without spaces between words (Han,
   Hiragana and Katakana; Thai, Lao, Khmer, Myanmar and the Tai scripts: `NO_SPACE_BLOCKS`)
   are cut into overlapping character bigrams (a lone character is a unigram), each
   character with the marks that follow it (a Thai tone mark stays with its consonant). Each
   emoji or other symbol (category So) is a token of its own. Everything else separates.

The script of each run decides how it is cut, not a document's `language`: a query has no
language, and a page in one language quotes others, so a Thai name in an English report is
cut as it is in a Thai one and the same query finds both.

Python's `unicodedata` decides every class and fold (Unicode 14 in Python 3.11): the browser
reads them from the generated table instead of asking its own, newer, Unicode data.
"""

from __future__ import annotations

import functools
import json
import re
import sys
import unicodedata
from collections.abc import Callable

SEPARATOR, WORD, LATIN, MARK, CJK, SYMBOL, APOSTROPHE = range(7)
"""Classes of characters (LATIN: a Latin-script letter, also a WORD character; CJK: a letter of
a script written without spaces, cut into bigrams: Han and kana, and those of `NO_SPACE_BLOCKS`)."""

APOSTROPHES = "'\u2018\u2019\u02bc\u02bb\u2032\uff07\u0060\u00b4\u201b"
DOUBLE_QUOTES = '"\u201c\u201d\u201e\u201f\u00ab\u00bb\u2033\uff02'
VANISH = "\u00ad\ufe0e\ufe0f\u200b\u2060\ufeff"
"""Soft hyphen, text/emoji variation selectors, zero-width space, word joiner, BOM: dropped."""
CJK_NAMES = ("CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY IDEOGRAPH", "HIRAGANA", "KATAKANA")
NO_SPACE_BLOCKS = (
    (0x0E00, 0x0EFF),  # Thai, Lao
    (0x1000, 0x109F),  # Myanmar
    (0x1780, 0x17FF),  # Khmer
    (0x1950, 0x19DF),  # Tai Le, New Tai Lue
    (0x1A20, 0x1AAF),  # Tai Tham
    (0xA9E0, 0xA9FF),  # Myanmar Extended-B
    (0xAA60, 0xAADF),  # Myanmar Extended-A, Tai Viet
)
"""Blocks of scripts written without spaces between words: their letters are cut like CJK."""
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
        if category[0] == "L" and any(first <= ord(c) <= last for first, last in NO_SPACE_BLOCKS):
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


class Lazy(dict[int, str]):
    """A `str.translate` table filled as characters are met: code point -> what it becomes.

    A text has a few hundred distinct characters; the table of all of Unicode's would take a
    second to make on every build."""

    def __init__(self, make: Callable[[str], str]) -> None:
        super().__init__()
        self.make = make

    def __missing__(self, code: int) -> str:
        value = self[code] = self.make(chr(code))
        return value


def term_fold(c: str) -> str:
    """A character folded for `tokens`: each separator of its fold a space (all separators cut
    terms alike), NUL before each mark, CJK character or symbol (it needs `RUNS`), and SOH
    before it all when it is a combining mark (a Latin letter before it takes it away)."""
    kinds = [char_class(x) for x in info(c)[1]]
    folded = "".join(
        " " if kind in (SEPARATOR, APOSTROPHE) else "\0" + x if kind in (MARK, CJK, SYMBOL) else x
        for x, kind in zip(info(c)[1], kinds, strict=True)
    )
    return "\1" + folded if info(c)[0] == MARK else folded


SHAPE_LETTERS = {SEPARATOR: " ", APOSTROPHE: " ", WORD: "w", LATIN: "w", MARK: "m", CJK: "c", SYMBOL: "s"}
TERM_FOLD = Lazy(term_fold)
"""A character as it is in the text `tokens` cuts (see `term_fold`)."""
SHAPE = Lazy(lambda c: SHAPE_LETTERS[char_class(c)])
"""A folded character's class as one letter: w(ord), m(ark), c(jk), s(ymbol), space."""
LATIN_OR_MARK = Lazy(lambda c: {LATIN: "l", MARK: "m"}.get(info(c)[0], "x"))
"""A character of the text as l (Latin letter), m (mark) or x: for the marks a Latin letter loses."""
MARKS_ON_LATIN = re.compile("(?<=l)m+")
RUNS = re.compile("w[wm]*|c[cm]*|sm*")
"""The terms' shapes: a run of word characters, a run of CJK ones (marks with them), a symbol."""
UNITS = re.compile("cm*")
NON_ASCII = re.compile("[^\\x00-\\x7f]+")
ASCII_TERMS = {code: term_fold(chr(code)) for code in range(128)}
"""ASCII as `TERM_FOLD` has it: letters in lower case, digits, every other character a space."""
ASCII_BYTES = bytes(ord(ASCII_TERMS[code]) for code in range(128)) + bytes(range(128, 256))
"""The same for the bytes of UTF-8 (bytes of other characters unchanged)."""


def tokens(text: str, trailing: bool = False) -> list[str]:
    """The search terms of a text, in order: words, CJK bigrams (or a lone unigram), symbols.

    The same terms as `folded_tokens(fold(text))`, the definition, found by a few passes of
    `bytes.translate`, `str.translate`, `str.split` and patterns instead of a step of Python
    per character: ASCII is folded as bytes, each stretch of other characters by a table.
    `trailing`: also the last character of each run of two or more CJK characters, after the
    run's bigrams, so that a one-character query finds a character that ends a run (the index
    has them; a query does not need them, its bigrams hold that character already)."""
    if text.isascii():
        return text.translate(ASCII_TERMS).split()
    folded = NON_ASCII.sub(
        fold_run, text.encode("utf-8", "surrogatepass").translate(ASCII_BYTES).decode("utf-8", "surrogatepass")
    )
    if "\1" in folded:  # a combining mark in the text: those after a Latin letter go first
        text = drop_latin_marks(text)
        folded = NON_ASCII.sub(
            fold_run, text.encode("utf-8", "surrogatepass").translate(ASCII_BYTES).decode("utf-8", "surrogatepass")
        )
        folded = folded.replace("\1", "")
    if "\0" not in folded:
        return folded.split()
    found: list[str] = []
    at = 0
    while (hit := folded.find("\0", at)) >= 0:
        start = folded.rfind(" ", at, hit) + 1  # the stretch between spaces that holds it
        end = folded.find(" ", hit)
        end = len(folded) if end < 0 else end
        found.extend(folded[at:start].split())
        piece = folded[start:end].replace("\0", "")
        complex_terms(piece, piece.translate(SHAPE), trailing, found)
        at = end
    found.extend(folded[at:].split())
    return found


def fold_run(run: re.Match[str]) -> str:
    """A stretch of characters beyond ASCII, folded for `tokens`."""
    return run.group().translate(TERM_FOLD)


def drop_latin_marks(text: str) -> str:
    """The text without the combining marks that follow a Latin letter (see `fold`)."""
    shape = text.translate(LATIN_OR_MARK)
    kept: list[str] = []
    at = 0
    for marks in MARKS_ON_LATIN.finditer(shape):
        kept.append(text[at : marks.start()])
        at = marks.end()
    kept.append(text[at:])
    return "".join(kept)


def complex_terms(folded: str, shape: str, trailing: bool, found: list[str]) -> None:
    """The terms of a stretch without spaces that holds marks, CJK characters or symbols."""
    for run in RUNS.finditer(shape):
        start, end = run.span()
        if shape[start] != "c":
            found.append(folded[start:end])
            continue
        piece = folded[start:end]
        units = (
            list(piece) if "m" not in run.group() else [piece[u.start() : u.end()] for u in UNITS.finditer(run.group())]
        )
        if len(units) == 1:
            found.append(units[0])
            continue
        found.extend([a + b for a, b in zip(units, units[1:], strict=False)])
        if trailing:
            found.append(units[-1])


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
