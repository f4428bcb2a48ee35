"""archive/normalise.py: the fold and the terms, over all of Unicode's letters, and its browser twin."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive import normalise
from archive.normalise import CJK, LATIN, MARK, char_class, fold, fold_char, tokens

PROJECT = Path(__file__).resolve().parents[1]
TWIN = PROJECT / "tests" / "js" / "normalise_twin.js"


def assigned() -> list[str]:
    """Every assigned character but surrogates and private use."""
    return [chr(code) for code in range(0x110000) if unicodedata.category(chr(code)) not in ("Cn", "Co", "Cs")]


LETTERS = [c for c in assigned() if unicodedata.category(c)[0] == "L"]


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("Agnès Callamard", ["agnes", "callamard"]),
        ("AGNES callamard", ["agnes", "callamard"]),
        ("Agne\u0300s", ["agnes"]),  # a decomposed è
        ("Straße, Œuvre, ǅemal, Łódź, Øst", ["strasse", "oeuvre", "dzemal", "lodz", "ost"]),
        ("Ｆｕｌｌ ﬁne", ["full", "fine"]),
        ("й и й", ["\u0438\u0306", "\u0438", "\u0438\u0306"]),  # й is not и; precomposed or not, alike
        ("が か が", ["\u304b\u3099", "\u304b", "\u304b\u3099"]),
        ("Callamard’s l'homme", ["callamard", "s", "l", "homme"]),
        ('“crimes” "crimes" «crimes»', ["crimes", "crimes", "crimes"]),
        ("well-known well–known well—known", ["well", "known"] * 3),
        ("inter\u00adnational", ["international"]),
        ("联合国人权", ["联合", "合国", "国人", "人权"]),
        ("中", ["中"]),
        ("2022年8月31日", ["2022", "年", "8", "月", "31", "日"]),
        ("カタカナ ひらがな", ["カタ", "タカ", "カナ", "ひら", "ら\u304b\u3099", "\u304b\u3099な"]),
        ("Москва Ёлка", ["москва", "ёлка"]),
        ("مرحبا بالعالم", ["مرحبا", "بالعالم"]),
        ("한국어 문장", ["한국어", "문장"]),
        ("ภาษาไทย", ["ภา", "าษ", "ษา", "าไ", "ไท", "ทย"]),  # Thai: no spaces between words
        ("ก่อน", ["ก\u0e48อ", "อน"]),  # a tone mark stays with its consonant
        ("ຄົນລາວ", ["ຄ\u0ebbນ", "ນລ", "ລາ", "າວ"]),  # Lao
        ("ខ្មែរ", ["ខ\u17d2ម\u17c2", "ម\u17c2រ"]),  # Khmer: the signs (coeng, vowel sign) are marks
        ("မြန်မာ", ["မ\u103cန\u103a", "န\u103aမ\u102c"]),  # Myanmar
        ("👍🏽 ok 🙂\ufe0f", ["👍", "ok", "🙂"]),
        ("Ὀδυσσεύς ΟΔΥΣΣΕΥΣ", [fold("Ὀδυσσεύς"), "οδυσσευσ"]),
        ("snake_case", ["snake", "case"]),
        ("", []),
    ],
)
def test_terms(text: str, terms: list[str]) -> None:
    """(Letters outside Latin keep their marks, decomposed: the terms are compared as NFD.)"""
    assert tokens(text) == [unicodedata.normalize("NFD", term) for term in terms]


def test_latin_letters_lose_their_marks_and_others_keep_theirs() -> None:
    for c in LETTERS:
        folded = fold_char(c)
        marks = [x for x in folded if unicodedata.category(x)[0] == "M"]
        if char_class(c) == LATIN:
            assert not marks, f"U+{ord(c):04X} {unicodedata.name(c)} kept a mark: {folded!r}"
        else:
            # Nothing is taken away from a letter of another script: case and compatibility only.
            expected = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", c).casefold())
            assert unicodedata.normalize("NFKD", folded) == unicodedata.normalize("NFKD", expected) or (
                folded == normalise.refold(expected)
            ), f"U+{ord(c):04X} {unicodedata.name(c)}"


def test_no_letter_of_another_script_folds_into_a_different_letter() -> None:
    """Two letters outside Latin fold alike only when they are the same letter in another case
    or another compatibility form (their NFKD casefolds agree)."""
    seen: dict[str, str] = {}
    for c in LETTERS:
        if char_class(c) in (LATIN,):
            continue
        folded = fold(c)
        key = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", c).casefold())
        if folded in seen:
            other = seen[folded]
            other_key = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", other).casefold())
            assert normalise.refold(key) == normalise.refold(other_key), (c, other)
        seen.setdefault(folded, c)


def test_folding_is_idempotent_for_every_character() -> None:
    for c in assigned():
        once = fold(c)
        assert fold(once) == once, f"U+{ord(c):04X}"
        assert tokens(" ".join(tokens(c))) == tokens(c), f"U+{ord(c):04X}"


def test_cjk_is_han_kana_and_the_letters_of_scripts_without_spaces() -> None:
    assert [char_class(c) for c in "中あアー한a"] == [CJK, CJK, CJK, CJK, char_class("한"), LATIN]
    assert [char_class(c) for c in "กາកမ"] == [CJK] * 4  # Thai, Lao, Khmer, Myanmar letters
    assert char_class("๑") != CJK  # a Thai digit is a digit, a word character
    assert char_class("\u0301") == MARK


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40))
def test_the_quick_tokenizer_gives_the_terms_of_the_definition(text: str) -> None:
    assert tokens(text) == normalise.folded_tokens(fold(text))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(["中", "国", "が", "\u0301", "a", "é", " ", "👍", "'", "й", "ｶ", "\u00ad"]), max_size=30)
)
def test_the_quick_tokenizer_agrees_on_mixed_scripts(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert tokens(text) == normalise.folded_tokens(fold(text))


def test_every_character_alone_and_in_company_is_cut_as_the_definition_cuts_it() -> None:
    for c in assigned():
        text = f"{c} a{c}b {c}{c} é{c} {c}\u0301 中{c}"
        assert tokens(text) == normalise.folded_tokens(fold(text)), f"U+{ord(c):04X}"


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("发布报", ["发布", "布报", "报"]),
        ("报 联合国", ["报", "联合", "合国", "国"]),
        ("が中", ["\u304b\u3099中", "中"]),
        ("中 ab", ["中", "ab"]),
    ],
)
def test_the_index_also_has_the_last_character_of_each_cjk_run(text: str, terms: list[str]) -> None:
    assert tokens(text, trailing=True) == terms


def test_the_table_for_the_browser_is_current() -> None:
    assert (PROJECT / "static" / "normalise-table.js").read_text(encoding="utf-8") == normalise.table_js()


def node() -> str:
    found = shutil.which("node")
    if found is None:
        if "CI" in __import__("os").environ:
            pytest.fail("node not found (CI is set, so a missing tool is a failure)")
        pytest.skip("node not found: apt-get install nodejs")
    return found


def twin(texts: list[str], *arguments: str) -> list[list[list[object]]]:
    """static/normalise.js's spans of each text, run by Node."""
    result = subprocess.run(
        [node(), str(TWIN), *arguments], input=json.dumps(texts).encode(), capture_output=True, check=True, timeout=600
    )
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_the_browser_twin_cuts_every_character_as_python_does() -> None:
    """Each assigned character alone, inside a word, doubled, after a Latin letter and before
    a combining mark: the twin's terms are Python's, and its ranges hold them."""
    texts = [f"{c} a{c}b {c}{c} é{c} {c}\u0301" for c in assigned()]
    for text, spans in zip(texts, twin(texts), strict=True):
        assert [term for term, _, _ in spans] == tokens(text), ascii(text)


def test_the_browser_twin_cuts_as_the_index_does_when_asked() -> None:
    texts = ["发布报", "报 联合国 が中 中", "a中b 中中中", "\u304b\u3099\u304b\u3099 x"]
    for text, spans in zip(texts, twin(texts, "trailing"), strict=True):
        assert [term for term, _, _ in spans] == tokens(text, trailing=True), ascii(text)


@pytest.mark.parametrize(
    "text",
    ["Agnès Callamard’s “report”", "Agne\u0300s", "联合国人权 a中b", "😀 x\U0001f44d\U0001f3fd", "й и\u0306 𝐀𝐁"],
)
def test_the_twins_ranges_are_where_each_term_was_read(text: str) -> None:
    (spans,) = twin([text])
    utf16 = text.encode("utf-16-le")
    for term, start, end in spans:
        piece = utf16[2 * start : 2 * end].decode("utf-16-le")
        assert tokens(piece) == [term], (piece, term)


if __name__ == "__main__":
    sys.exit(pytest.main([__file__]))
