"""Verbatim: a document's text as its page shows it, character for character.

The text on a page is the seed's text: escaped for HTML, each character HTML cannot carry
shown as an element naming its code point, and each line in an element of its own (`#L42`),
never a character changed. A UTF-8 text goes into the page as its escaped bytes, without
being decoded (see SeedText). The seed is read once for its page and its raw copy, and checked
to be the file that was validated (see SeedReader).
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
from pathlib import Path

from markupsafe import Markup

from .files import read_file
from .model import Document
from .problems import Invalid, Problem, shown
from .seeds import MAX_SEED_BYTES, SEED_FILE

# Characters HTML cannot carry as text: C0 controls but tab, LF and CR; DEL and C1 controls;
# noncharacters; lone surrogates. Each is shown as a visible marker instead (see `verbatim`).
# The noncharacters beyond the BMP get a pattern of their own: in one character class they
# make the common case (a text with none of these) much slower to scan.
UNSHOWABLE_BMP = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff\ud800-\udfff]")
ASTRAL_NONCHARACTERS = [chr(plane << 16 | low) for plane in range(1, 17) for low in (0xFFFE, 0xFFFF)]
UNSHOWABLE_ASTRAL = re.compile("[" + "".join(ASTRAL_NONCHARACTERS) + "]")


def marker(match: re.Match[str]) -> str:
    """The stand-in for one character HTML cannot carry: an element naming its code point."""
    code = f"U+{ord(match.group()):04X}"
    return f'<span class="cp" role="img" aria-label="{code}" data-cp="{code}"></span>'


def verbatim(text: str | SeedText) -> Markup:
    """A document's text for the inside of `<pre data-verbatim>`, exactly as it is.

    The leading newline is eaten by the HTML parser after `<pre>`, so a text that starts
    with its own newline keeps it. A browser's `textContent` of the element equals the text,
    with CRLF and CR read as LF, and each character HTML cannot carry replaced by an empty
    `<span data-cp="U+XXXX">` in its place.

    Given a page's `text` itself (not called), a UTF-8 text with no such character goes into
    the page as its escaped bytes, without being decoded (see SeedText).
    """
    if isinstance(text, SeedText):
        if text.escaped() is not None:
            return Markup("\n" + SeedText.SLOT)
        text = text()
    escaped = UNSHOWABLE_BMP.sub(marker, escape_text(text))
    if any(character in text for character in ASTRAL_NONCHARACTERS):
        escaped = UNSHOWABLE_ASTRAL.sub(marker, escaped)
    return Markup("\n" + escaped)


def verbatim_lines(text: str | SeedText) -> Markup:
    """`verbatim`, each line of the text in its own `<span id="LN">` (N from 1), so that
    `#L42` is an address, without script, of the line ADDRESSES.md counts as line 42: what
    follows the 41st line ending, where LF, CRLF and a lone CR each end a line. A text's
    last line ending starts no line of its own.

    The spans hold only the text: its text content stays the seed's text, and line numbers
    are drawn by CSS. A UTF-8 text goes in as bytes, as with `verbatim` (see SeedText).
    """
    if isinstance(text, SeedText):
        if text.escaped() is not None:
            return Markup("\n" + SeedText.LINES_SLOT)
        text = text()
    return Markup("\n" + lines_text(str(verbatim(text))[1:]))


LINE_ENDS = re.compile("(\r\n|\r|\n)")
LINE_ENDS_UTF8 = re.compile(b"(\r\n|\r|\n)")
LINE_STARTS: list[str] = []
LINE_STARTS_UTF8: list[bytes] = []
"""`<span id="LN">` for N from 1, made once for every text: a build of 10,000 documents
has 300,000 lines, and formatting each line's start again costs more than wrapping it."""
LINE_BREAKS_UTF8: list[bytes] = []
"""`</span>` LF `<span id="LN">` for N from 2: where one line of a text ends and the next starts."""


def lines_text(escaped: str) -> str:
    """Escaped text with each line in its `<span id="LN">` (see verbatim_lines)."""
    if "\r" in escaped:
        parts = LINE_ENDS.split(escaped)
        lines, ends = parts[0::2], parts[1::2]
    else:
        lines = escaped.split("\n")
        ends = ["\n"] * (len(lines) - 1)
    if lines[-1]:
        ends.append("")
    else:
        lines.pop()
    for n in range(len(LINE_STARTS) + 1, len(lines) + 1):
        LINE_STARTS.append(f'<span id="L{n}">')
    return "".join(itertools.chain.from_iterable(zip(LINE_STARTS, lines, itertools.repeat("</span>"), ends)))


def lines_utf8(escaped: bytes) -> bytes:
    """`lines_text` for escaped UTF-8 bytes, without decoding them."""
    if b"\r" in escaped:
        parts = LINE_ENDS_UTF8.split(escaped)
        lines, ends = parts[0::2], parts[1::2]
        if lines[-1]:
            ends.append(b"")
        else:
            lines.pop()
        starts = line_starts_utf8(len(lines))
        return b"".join(itertools.chain.from_iterable(zip(starts, lines, itertools.repeat(b"</span>"), ends)))
    lines = escaped.split(b"\n")  # LF only (most texts): each line ending and the next start are one piece
    last = lines.pop()  # the text after the last line ending: a line of its own unless empty
    count = len(lines)
    starts = line_starts_utf8(count + 1)
    pieces: list[bytes] = [b""] * (2 * count)
    pieces[0::2] = [starts[0], *LINE_BREAKS_UTF8[: count - 1]] if count else []
    pieces[1::2] = lines
    if count:
        pieces.append(b"</span>\n")
    if last:
        pieces += (starts[count], last, b"</span>")
    return b"".join(pieces)


def line_starts_utf8(count: int) -> list[bytes]:
    """LINE_STARTS_UTF8, made to hold at least `count` starts (and LINE_BREAKS_UTF8 as many)."""
    for n in range(len(LINE_STARTS_UTF8) + 1, count + 1):
        LINE_STARTS_UTF8.append(b'<span id="L%d">' % n)
        if n > 1:
            LINE_BREAKS_UTF8.append(b'</span>\n<span id="L%d">' % n)
    return LINE_STARTS_UTF8


SHOWABLE_BYTES = b"\t\n\r" + bytes(range(0x20, 0x7F)) + bytes(range(0x80, 0x100))
MARKED_UTF8 = [
    (b"\xc2", re.compile(rb"\xc2[\x80-\x9f]")),  # C1 controls
    (b"\xef", re.compile(rb"\xef\xb7[\x90-\xaf]")),  # U+FDD0-FDEF
    (b"\xbf", re.compile(rb"\xbf[\xbe\xbf]")),  # U+FFFE, U+FFFF, U+1FFFE, ... (and a few other characters)
]
"""The UTF-8 of characters `verbatim` marks, beyond C0 controls and DEL: a byte to look for
first (a quick search), then a pattern that starts with it."""


def escaped_utf8(data: bytes) -> bytes | None:
    """UTF-8 text escaped as `escape_text` escapes it, as bytes; None when it may hold a character
    `verbatim` must mark (then the text takes the string path). None is sometimes too careful;
    bytes are always exactly `escape_text(data.decode())` encoded."""
    if data.translate(None, SHOWABLE_BYTES):
        return None  # a C0 control or DEL
    if any(first in data and pattern.search(data) for first, pattern in MARKED_UTF8):
        return None
    return (
        data.replace(b"&", b"&amp;")
        .replace(b"<", b"&lt;")
        .replace(b">", b"&gt;")
        .replace(b'"', b"&#34;")
        .replace(b"'", b"&#39;")
    )


class SeedText:
    """A document's text on its page (`text` in the template): called, it is the text as a string.

    Through the `verbatim` filter uncalled (`{{ text|verbatim }}`), a UTF-8 text goes into the
    page as escaped bytes: the template puts SLOT where it goes, and the page's bytes get the
    text's in its place. A long text is then never decoded, escaped as a string, joined into
    the page and encoded again.
    """

    SLOT = "\0text\0"
    """Stands for the text in the rendered page: NUL is in no other text a page shows."""
    LINES_SLOT = "\0lines\0"
    """Stands for the text in lines (see verbatim_lines)."""

    def __init__(self, seeds: SeedReader, doc: Document) -> None:
        self.seeds, self.doc = seeds, doc
        self._escaped: bytes | None = None
        self._tried = False

    def __call__(self) -> str:
        return self.seeds.text(self.doc)

    def __str__(self) -> str:
        """`{{ text }}` on its own is the text too (escaped, like any value)."""
        return self()

    def escaped(self) -> bytes | None:
        """The text's escaped UTF-8 bytes, or None when it must take the string path."""
        if not self._tried:
            self._tried = True
            if self.doc.encoding is None:
                self._escaped = escaped_utf8(self.seeds.read(self.doc))
        return self._escaped

    def fill(self, page: bytes) -> bytes:
        """The rendered page with the text in each slot the template left for it."""
        escaped = self._escaped
        if escaped is None:
            return page
        parts = page.split(b"\0")
        if len(parts) == 3 and parts[1] == LINES_SLOT_NAME:  # one slot, for its lines (document.html)
            return b"".join((parts[0], lines_utf8(escaped), parts[2]))
        if LINES_SLOT_UTF8 in page:
            page = page.replace(LINES_SLOT_UTF8, lines_utf8(escaped))
        return page.replace(self.SLOT.encode(), escaped)


def escape_text(text: str) -> str:
    """The text escaped as markupsafe's `escape` does it, faster on a long text with characters
    beyond ASCII (five passes of `str.replace` beat its one pass there)."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;").replace("'", "&#39;")
    )


class SeedReader:
    """Reads a seed for its page and its raw copy, once for both, checking it is still the same file.

    The SHA-256 on a page is the SHA-256 of the bytes it shows and of the raw copy: a seed
    that changed since it was validated stops the build.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.last: tuple[str, bytes] = ("", b"")

    def read(self, doc: Document) -> bytes:
        if self.last[0] == doc.file:
            return self.last[1]
        path = os.path.join(self.folder, doc.file)
        data = read_file(path, MAX_SEED_BYTES, SEED_FILE)
        if hashlib.sha256(data).hexdigest() != doc.sha256:
            raise Invalid([Problem(shown(path), 0, "changed while the site was being built; build again")])
        self.last = (doc.file, data)
        return data

    def text(self, doc: Document) -> str:
        return self.read(doc).decode(doc.encoding or "utf-8")


TEXT_SLOT_NAME = SeedText.SLOT.strip("\0").encode()
LINES_SLOT_NAME = SeedText.LINES_SLOT.strip("\0").encode()
LINES_SLOT_UTF8 = SeedText.LINES_SLOT.encode()
