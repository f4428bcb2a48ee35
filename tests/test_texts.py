"""archive/outputs/texts.py: texts coded through the words, deflated and packed, come back exactly.

`decode` here reads a texts/PAGE.js file the way static/texts.js does (the browser tests check
that one against the seeds); these tests try the coding on texts made to be awkward.
"""

from __future__ import annotations

import json
import re
import zlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.outputs import texts

PROJECT = Path(__file__).resolve().parents[1]
WORDS = texts.vocabulary(PROJECT / texts.WORDS_FILE)
LIST = [word.decode() for word, place in sorted(WORDS.items(), key=lambda item: item[1]) if place < texts.CAPITALISED]
FILE = re.compile(r'^\ufeffArchiveTexts\.register\(("[^"]*"),(\d+),"([\u3000-\uafff]*)"\);\n$')


def unpack(data: str) -> bytes:
    units = [ord(c) - texts.UNIT for c in data]
    odd, rest = units[0], units[1:]
    pairs = len(rest) * 15 // 16
    while pairs + -(-pairs // 15) < len(rest):
        pairs += 1
    tops = rest[pairs:]
    out = bytearray()
    for at, unit in enumerate(rest[:pairs]):
        high = tops[at // 15] >> (at % 15) & 1
        out += bytes([unit & 0xFF, unit >> 8 | high << 7])
    return bytes(out[: len(out) - odd])


def unword(data: bytes) -> bytes:
    at, used = 0, []

    def number() -> int:
        nonlocal at
        value, shift = 0, 0
        while True:
            byte = data[at]
            at += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                return value

    place = -1
    for _ in range(number()):
        place += number() + 1
        used.append(LIST[place])
    out, word_before, capital = bytearray(), False, False
    while at < len(data):
        byte = data[at]
        at += 1
        rank = None
        if byte == texts.ESCAPE:
            out.append(data[at])
            at += 1
        elif byte == texts.CAPITAL:
            capital = True
            continue
        elif 0x80 <= byte < 0xC0:
            rank = byte - 0x80
        elif byte in texts.LEADS:
            rank = texts.SINGLE + texts.LEADS.index(byte) * 64 + data[at] - 0x80
            at += 1
        else:
            follow = 3 if byte >= 0xF0 else 2 if byte >= 0xE0 else 1 if byte >= 0xC0 else 0
            out += data[at - 1 : at + follow]
            at += follow
        if rank is None:
            word_before = False
            continue
        word = used[rank]
        out += (" " if word_before else "").encode() + (word[0].upper() + word[1:] if capital else word).encode()
        word_before, capital = True, False
    return bytes(out)


def decode(script: bytes) -> tuple[str, str]:
    """The page and the text a texts/PAGE.js file registers."""
    found = FILE.match(script.decode("utf-16-le"))
    assert found, script[:200]
    page, length, data = json.loads(found[1]), int(found[2]), found[3]
    inflated = zlib.decompress(unpack(data), -15)
    form, body = inflated[:1], inflated[1:]
    raw = unword(body) if form == texts.WORDED else body
    assert form in (texts.PLAIN, texts.WORDED) and len(raw) == length
    return page, raw.decode("utf-8", "surrogatepass")


def round_trip(text: str) -> str:
    page, back = decode(texts.encode_text("a-page", text.encode("utf-8", "surrogatepass"), WORDS))
    assert page == "a-page"
    return back


AWKWARD = [
    "",
    " ",
    "the",
    "The the THE tHe",
    "the  of\tand\nto\r\nin\ra",
    "the, of. and;to",
    " the of ",
    "\ufeffthe of and",
    "naïve café the\u0301 of\u0300",
    "the\x00of\x01and\x02\x1b\x7f\x0c\x0b to",
    "中文 the 的 of 日本語 and",
    "🇨🇳 the 👍🏽 of 🏳️‍🌈",
    "thethe ofof the1 2the the_of",
    "\ud800 the \udfff",
    "Word " * 3000,
    " ".join(LIST[:4000]) + "\n" + " ".join(w.capitalize() for w in LIST[:4000]),
]


@pytest.mark.parametrize("text", AWKWARD)
def test_awkward_texts_come_back_exactly(text):
    assert round_trip(text) == text


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(st.sampled_from(LIST[:300] + ["The", "Of", " ", "  ", ", ", "\n", "\r\n"]), st.text()), max_size=60
    )
)
def test_any_text_comes_back_exactly(pieces):
    text = " ".join(pieces)
    assert round_trip(text) == text


def test_english_prose_is_coded_through_the_words():
    text = (PROJECT / "README.md").read_text(encoding="utf-8")
    inflated = zlib.decompress(
        unpack(FILE.match(texts.encode_text("readme", text.encode(), WORDS).decode("utf-16-le"))[3]), -15
    )
    assert inflated[:1] == texts.WORDED


def test_a_text_without_words_is_kept_plain():
    text = "人人生而自由，在尊严和权利上一律平等。" * 20
    inflated = zlib.decompress(
        unpack(FILE.match(texts.encode_text("zh", text.encode(), WORDS).decode("utf-16-le"))[3]), -15
    )
    assert inflated[:1] == texts.PLAIN


@pytest.mark.parametrize("size", [0, 1, 2, 29, 30, 31, 32, 1000])
def test_packing_keeps_every_byte(size):
    data = bytes((i * 151 + 7) % 256 for i in range(size))
    packed = texts.pack(data).decode("utf-16-le")
    assert all(0x3000 <= ord(c) <= 0xAFFF for c in packed)
    assert unpack(packed) == data
