"""texts/PAGE.js: each document's exact text, as a script file the browser loads from disk.

Search snippets and the compare view need a document's text without `fetch` (which file://
forbids): static/texts.js inserts `<script src="texts/PAGE.js">`, and the file registers the
text with `ArchiveTexts.register(page, length, data)`; `length` is the UTF-8's length in bytes,
checked after decoding so that a damaged file is refused, not shown. One file per document,
named by its page: adding, editing or removing a document rewrites only its own file.

How `data` is made, smallest first:

1. The text's UTF-8 is coded through a fixed list of words (static/texts-words.js, the most
   frequent English words), as `worded` says: each document lists the list's words it uses
   (gaps between their places in the list), and each use of one is one or two bytes instead
   of its letters; a single space between two such words is left implicit. Every other byte
   stays as it is, so any text, in any script, comes back exactly.
2. That, or the plain UTF-8 when it deflates smaller (a text with few English words), after
   a first byte saying which (`PLAIN`, `WORDED`), is compressed by raw deflate (the browser's
   `DecompressionStream("deflate-raw")` inflates it).
3. The deflated bytes are written in a JS string of a UTF-16 file (a byte order mark leads it,
   which browsers obey for scripts, from disk or a server): 15 bits per character, each
   character between U+3000 and U+AFFF (no surrogate, quote, backslash or line end), where
   base64 in a UTF-8 file would spend 16 bits on 12. See `pack`.

The words file is an input of every text: its digest is in each key.
"""

from __future__ import annotations

import functools
import json
import re
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from ..keys import digest
from ..model import Document
from ..render import Output, Planning
from ..verbatim import SeedReader

NAME = "texts"
VERSION = 2
WORDS_FILE = "static/texts-words.js"
"""The word list, as the theme's static file the browser reads too."""

PLAIN, WORDED = b"\x00", b"\x01"
"""The first byte of what is deflated: the text's UTF-8 as it is, or coded through the words."""
MARKS = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F, 0xC0, 0xC1, *range(0xF5, 0x100)])
"""Bytes a worded text gives meanings of their own: ASCII controls but tab and line ends, and the
bytes UTF-8 never uses. The first is ESCAPE (the next byte stands for itself), the second
CAPITAL (the next word starts with a capital letter), the others but the last two LEADS of
two-byte words."""
ESCAPE, CAPITAL, LEADS = MARKS[0], MARKS[1], MARKS[2:-2]
OPEN, SHUT = MARKS[-1:], MARKS[-2:-1]
"""Bytes no UTF-8 text has (0xFF, 0xFE) put around words while a text is coded, then taken out."""
SINGLE = 64
"""A document's first 64 words are one byte, 0x80 to 0xBF (a UTF-8 continuation byte that no
lead byte announced); the others are a byte of LEADS and one of 0x80 to 0xBF."""
MOST = SINGLE + 64 * len(LEADS)
"""The most words of the list one document codes (its most frequent English ones)."""
TO_ESCAPE = re.compile(b"[" + re.escape(MARKS) + b"]")
WORD = re.compile(rb"([A-Za-z0-9]+)")
WORDS_JS = re.compile(r'^ArchiveTexts\.words\("([a-z ]*)"\);$', re.M)
CAPITALISED = 1 << 20
"""Added to a word's place in `vocabulary` for its capitalised form."""
ONE_MORE = (1).__add__
SURE = 0.6
"""A text that words shorten to this share of its bytes or less is not tried plain: on the
benchmarks' corpora, plain deflate never won below 0.74."""
UNIT = 0x3000
"""The character of the 15-bit value 0 (so values run from U+3000 to U+AFFF)."""


def plan(planning: Planning) -> Iterable[Output]:
    """One file per document; its key: its page name, its text's SHA-256 and encoding, the words."""
    seeds = planning.maker.seeds
    words_file = planning.theme.static[WORDS_FILE]
    words = digest(words_file.read_bytes())
    for entry in planning.site.entries:
        doc = entry.doc
        key = planning.key(NAME, VERSION, entry.slug, doc.sha256, doc.encoding or "", words)
        make = functools.partial(text_script, seeds, words_file, entry.slug, doc)
        yield Output(f"texts/{entry.slug}.js", key, make)


def text_script(seeds: SeedReader, words_file: Path, page: str, doc: Document) -> bytes:
    """The script that registers one document's text."""
    data = seeds.read(doc) if doc.encoding is None else seeds.text(doc).encode("utf-8", "surrogatepass")
    return encode_text(page, data, vocabulary(words_file))


@functools.cache
def vocabulary(path: Path) -> dict[bytes, int]:
    """Each word of the words file and its place; its capitalised form too, its place + CAPITALISED."""
    found = WORDS_JS.search(path.read_text(encoding="utf-8"))
    words = found[1].split(" ")[: 1 << 16] if found else []
    places = {word.encode("ascii"): at for at, word in enumerate(words)}
    capitals = {word[:1].upper() + word[1:]: at + CAPITALISED for word, at in places.items()}
    return {**capitals, **places}


def encode_text(page: str, data: bytes, words: dict[bytes, int]) -> bytes:
    """`ArchiveTexts.register(page, length, data)` for a text's UTF-8 bytes, as a UTF-16 file."""
    coded = worded(data, words)
    packed = deflate(WORDED + coded)
    if len(coded) > SURE * len(data):  # not much of it English: try it plain too
        packed = min(packed, deflate(PLAIN + data), key=len)
    return packed_call("ArchiveTexts.register", page, len(data), packed)


def packed_call(function: str, name: str, length: int, deflated: bytes) -> bytes:
    """`FUNCTION("NAME", LENGTH, "DATA");` as a UTF-16 file (a byte order mark first): DATA is the
    deflated bytes packed 15 bits a character (`pack`), LENGTH the length of what they inflate
    to but its first byte. static/texts.js decodes it (`ArchiveTexts.decode`): the texts' files
    and the search index's are made alike."""
    head = f"\ufeff{function}({json.dumps(name)},{length},"
    return (head + '"').encode("utf-16-le") + pack(deflated) + '");\n'.encode("utf-16-le")


def deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15, 9)
    return packer.compress(data) + packer.flush()


def worded(data: bytes, words: dict[bytes, int]) -> bytes:
    """The text coded through the words: the list's places of the words used, then the text.

    The head: how many words, then the gap before each place (places rising), each a number
    in 7-bit groups, low first, the high bit saying more follow. The text: a used word (its
    letters a run of ASCII letters and digits, as it stands or with its first letter capital)
    is its rank among the used ones, one byte or two (see SINGLE), after CAPITAL if capital;
    a single space between two such words is left out (the reader puts it back between any
    two words in a row). Any other byte stands for itself, after ESCAPE if it is one of MARKS.

    Each run is looked up once, and coded by its place: every step over the runs is a builtin's.
    """
    if len(data.translate(None, MARKS)) < len(data):
        data = TO_ESCAPE.sub(lambda found: bytes([ESCAPE]) + found[0], data)
    parts = WORD.split(data)  # text between runs, a run, text between runs, ...
    runs = parts[1::2]
    places: list[Any] = list(map(words.get, runs))  # None for a run not in the list
    present = set(places)
    present.discard(None)
    used = sorted(set(map(CAPITALISED.__rmod__, present)))[:MOST]
    gaps = map(int.__sub__, used, [0, *map(ONE_MORE, used)])
    head = number(len(used)) + b"".join(map(NUMBERS.__getitem__, gaps))
    wrapped, capitals = word_codes()
    codes: dict[Any, bytes] = dict(zip(used, wrapped, strict=False))  # each between OPEN and SHUT, for the space
    codes.update(zip(map(CAPITALISED.__add__, used), capitals, strict=False))  # between two to go
    parts[1::2] = map(codes.get, places, runs)  # a run without a code stays as it is
    return head + b"".join(parts).replace(SHUT + b" " + OPEN, b"").replace(OPEN, b"").replace(SHUT, b"")


def code(rank: int) -> bytes:
    """The byte or two that stand for the word of this rank among a document's words."""
    if rank < SINGLE:
        return bytes([0x80 + rank])
    return bytes([LEADS[(rank - SINGLE) >> 6], 0x80 + ((rank - SINGLE) & 63)])


def number(value: int) -> bytes:
    """A number in 7-bit groups, low first; the high bit of a byte says another follows."""
    out = bytearray()
    while value >= 0x80:
        out.append(0x80 | value & 0x7F)
        value >>= 7
    out.append(value)
    return bytes(out)


@functools.cache
def word_codes() -> tuple[list[bytes], list[bytes]]:
    """The code of each rank between OPEN and SHUT, without and with CAPITAL: made once, the first
    time a text is coded (not at import), so that coding costs per word of a document's list,
    not per use."""
    wrapped = [OPEN + code(rank) + SHUT for rank in range(MOST)]
    return wrapped, [OPEN + bytes([CAPITAL]) + code(rank) + SHUT for rank in range(MOST)]


class Table(dict[Any, Any]):
    """A function's values, each made the first time it is asked for and kept: looked up by
    builtins (`map(table.__getitem__, ...)`), and made only for what is asked. A build that
    codes one text makes the few hundred it needs, not a table of 65,536 made in advance;
    one that codes 10,000 makes each once."""

    def __init__(self, make: Callable[[Any], Any]) -> None:
        super().__init__()
        self.make = make

    def __missing__(self, key: Any) -> Any:
        made = self[key] = self.make(key)
        return made


NUMBERS = Table(number)
"""Numbers as `number` writes them."""


HIGH_BIT = bytes(b"01"[b >> 7] for b in range(256))
LOW_SEVEN = bytes((UNIT >> 8) + (b & 0x7F) for b in range(256))
LOW_BYTE = {format(value, "08b")[::-1].encode("ascii"): bytes([value]) for value in range(256)}
"""Eight high bits (b"0" or b"1", lowest first) as the low byte of their character."""
HIGH_BYTE = {format(value, "07b")[::-1].encode("ascii"): bytes([(UNIT >> 8) + value]) for value in range(128)}
"""Seven more as its high byte (UNIT's low byte is 0: the two bytes of UNIT + value are these)."""


def pack(data: bytes) -> bytes:
    """Bytes as UTF-16LE characters of 15 bits: a first character saying whether a byte was
    added to make the count even, then each pair of bytes (its first byte, and the second's
    low seven bits), then the pairs' dropped high bits, 15 pairs a character (lowest first).

    Each 15 bits are cut in 8 and 7 and looked up, by builtins: a loop in Python over them
    costs a build of 10,000 documents a third of a second."""
    odd = len(data) & 1
    data += b"\x00" * odd
    firsts, seconds = data[0::2], data[1::2]
    pairs = bytearray(len(data))
    pairs[0::2] = firsts
    pairs[1::2] = seconds.translate(LOW_SEVEN)
    bits = seconds.translate(HIGH_BIT)  # b"0" or b"1" for each pair
    bits += b"0" * (-len(bits) % 15)
    size = len(bits)
    tops = bytearray(size // 15 * 2)
    tops[0::2] = b"".join(
        map(LOW_BYTE.__getitem__, map(bits.__getitem__, map(slice, range(0, size, 15), range(8, size, 15))))
    )
    tops[1::2] = b"".join(
        map(HIGH_BYTE.__getitem__, map(bits.__getitem__, map(slice, range(8, size, 15), range(15, size + 1, 15))))
    )
    return b"".join([(UNIT + odd).to_bytes(2, "little"), pairs, tops])
