"""Text HTML cannot carry literally: what the verbatim contract guarantees, class by class.

The policy. A seed is kept verbatim, so nothing in it is refused or dropped: each character
HTML cannot carry as text is shown on the page as an empty
`<span class="cp" role="img" aria-label="U+XXXX" data-cp="U+XXXX"></span>` in its place
(the stylesheet draws the code point), and the raw copy keeps the original bytes. The
characters so marked are the controls other than tab, LF and CR (U+0000-U+0008,
U+000B-U+000C, U+000E-U+001F), DEL and the C1 controls (U+007F-U+009F), the 66 Unicode
noncharacters and lone surrogates. That is exactly what HTML forbids in text, plus U+000C
(form feed), which HTML would allow but XML and most viewers do not. Tab, LF and CR stay
literal; a browser reads CRLF and a lone CR as LF.

Metadata is written by hand and not kept verbatim: there the same characters are refused.

U+2028 and U+2029 (line and paragraph separators) are not marked: they are not controls, and
HTML carries them as text, so a page shows them as themselves, in a seed as in metadata (where
YAML keeps them only inside quotes: see archive.load.SEPARATORS).

A lone surrogate cannot come from a UTF-8 seed (Python's UTF-8 decoder refuses one, as the
standard says), nor from UTF-16 or UTF-32; it can from a seed declared as `utf-7`,
`unicode_escape` or `raw_unicode_escape`, whose decoders let one through. Those routes are
tested here; no surrogateescape is involved anywhere.
"""

from __future__ import annotations

import hashlib
import re

import pytest
from conftest import Archive
from html_text import browser_newlines, verbatim_text

from archive.fields import UNSHOWABLE
from archive.load import NOT_YAML, may_hold_not_yaml
from archive.verbatim import lines_text, verbatim

MARKER = '<span class="cp" role="img" aria-label="{0}" data-cp="{0}"></span>'


def html_forbids(code: int) -> bool:
    """The HTML standard's own rule: controls but ASCII whitespace, noncharacters, surrogates."""
    control = code <= 0x1F or 0x7F <= code <= 0x9F
    whitespace = code in (0x09, 0x0A, 0x0C, 0x0D)
    noncharacter = 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE
    return (control and not whitespace) or noncharacter or 0xD800 <= code <= 0xDFFF


def every_code_point() -> str:
    return "".join(chr(code) for code in range(0x110000))


def test_marked_characters_are_what_html_forbids_plus_form_feed() -> None:
    html = str(verbatim(every_code_point()))
    marked = {int(code, 16) for code in re.findall(r'data-cp="U\+([0-9A-F]+)"', html)}
    forbidden = {code for code in range(0x110000) if html_forbids(code)}
    assert marked == forbidden | {0x0C}
    # C0 but tab, LF and CR (form feed included); DEL and C1; noncharacters; surrogates.
    assert len(marked) == 29 + 33 + 66 + 2048


def yaml_forbids(code: int) -> bool:
    """YAML 1.1's printable set (what PyYAML's reader accepts), and the line breaks it reads beyond
    LF and CR: U+0085, refused, and U+2028 and U+2029, refused where YAML would change the text."""
    printable = code in (0x09, 0x0A, 0x0D) or 0x20 <= code <= 0x7E or code == 0x85
    printable = printable or 0xA0 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or 0x10000 <= code <= 0x10FFFF
    return not printable or code in (0x85, 0x2028, 0x2029)


def test_metadata_yaml_refuses_what_yaml_does_not_allow_and_the_bytes_check_finds_each() -> None:
    refused = {ord(match.group()) for match in NOT_YAML.finditer(every_code_point())}
    assert refused == {code for code in range(0x110000) if yaml_forbids(code)}
    for code in range(0x110000):
        if not 0xD800 <= code <= 0xDFFF:  # no UTF-8 holds a surrogate
            data = f"“a” {chr(code)} 中".encode()
            assert may_hold_not_yaml(data) == (code in refused), hex(code)


def test_metadata_refuses_exactly_what_a_page_would_mark() -> None:
    refused = {ord(match.group()) for match in UNSHOWABLE.finditer(every_code_point())}
    marked = {int(code, 16) for code in re.findall(r'data-cp="U\+([0-9A-F]+)"', str(verbatim(every_code_point())))}
    assert refused == marked


CLASSES = [
    ("nul", "\x00", "U+0000"),
    ("bell", "\x07", "U+0007"),
    ("form-feed", "\x0c", "U+000C"),
    ("delete", "\x7f", "U+007F"),
    ("next-line-c1", "\x85", "U+0085"),
    ("noncharacter-fdd0", "\ufdd0", "U+FDD0"),
    ("noncharacter-fffe", "\ufffe", "U+FFFE"),
    ("noncharacter-10ffff", "\U0010ffff", "U+10FFFF"),
]


def build_with_seed(archive: Archive, run, raw: bytes, encoding: str | None = None) -> str:  # type: ignore[no-untyped-def]
    """Build the archive with this seed as a.txt; the page of a.txt."""
    archive.seed("a.txt", raw)
    if encoding:
        path = archive.root / "metadata.yaml"
        path.write_text(
            path.read_text("utf-8").replace("stance: for", f"stance: for\n    encoding: {encoding}"), "utf-8"
        )
    result = run("--root", ".", "--quiet")
    assert (result.status, result.err) == (0, "")
    assert (archive.site / "raw" / "a.txt").read_bytes() == raw
    page = (archive.site / "documents" / "alpha.html").read_bytes().decode("utf-8")  # no newline translation
    assert f'<code class="sha256">{hashlib.sha256(raw).hexdigest()}</code>' in page
    return page


def assert_marked(page: str, text: str, character: str, code: str) -> None:
    """The character is on the page only as its marker, in place; the text reads back whole."""
    assert character not in page
    before, after = text.split(character)
    marked = str(verbatim(before)).removeprefix("\n") + MARKER.format(code) + str(verbatim(after)).removeprefix("\n")
    assert lines_text(marked) in page  # each line of the text in its <span id="LN"> (see verbatim_lines)
    assert verbatim_text(page) == browser_newlines(text)


@pytest.mark.parametrize(("character", "code"), [c[1:] for c in CLASSES], ids=[c[0] for c in CLASSES])
def test_each_class_is_marked_in_place_and_the_raw_copy_is_the_seed(
    archive: Archive, run, character: str, code: str
) -> None:
    text = f"before {character} after\n"
    page = build_with_seed(archive, run, text.encode("utf-8"))
    assert_marked(page, text, character, code)


@pytest.mark.parametrize(
    ("encoding", "raw"),
    [("utf-7", b"lone +2AA- surrogate\n"), ("raw_unicode_escape", b"lone \\ud800 surrogate\n")],
)
def test_a_lone_surrogate_from_a_declared_encoding_is_marked(archive: Archive, run, encoding: str, raw: bytes) -> None:
    text = raw.decode(encoding)
    assert text == "lone \ud800 surrogate\n"
    page = build_with_seed(archive, run, raw, encoding)
    assert_marked(page, text, "\ud800", "U+D800")


def test_line_and_paragraph_separators_are_text_on_a_page_not_markers(archive: Archive, run) -> None:
    text = "before\u2028between\u2029after\n"
    page = build_with_seed(archive, run, text.encode("utf-8"))
    assert "before\u2028between\u2029after" in page
    assert "data-cp" not in page and "data-cp" not in verbatim(text)  # the bytes path and the string path
    assert verbatim_text(page) == text


def test_no_utf_decoder_yields_a_lone_surrogate() -> None:
    for raw, encoding in [(b"\xed\xa0\x80", "utf-8"), (b"\x00\xd8", "utf-16-le"), (b"\x00\xd8\x00\x00", "utf-32-le")]:
        with pytest.raises(UnicodeDecodeError):
            raw.decode(encoding)


def test_tab_lf_and_cr_stay_literal_and_read_as_a_browser_reads_them(archive: Archive, run) -> None:
    text = "\tindented\r\nwindows\rold mac\nunix\n"
    page = build_with_seed(archive, run, text.encode("utf-8"))
    assert lines_text("\tindented\r\nwindows\rold mac\nunix\n") in page  # each line in its <span id="LN">
    assert '<span id="L1">\tindented</span>\r\n<span id="L2">windows</span>\r<span id="L3">old mac</span>\n' in page
    assert "data-cp" not in page
    assert verbatim_text(page) == "\tindented\nwindows\nold mac\nunix\n"


def test_every_class_at_once_and_nothing_unshowable_anywhere_on_the_page(archive: Archive, run) -> None:
    text = "".join(f"{character}|" for _, character, _ in CLASSES) + "\n"
    page = build_with_seed(archive, run, text.encode("utf-8"))
    assert verbatim_text(page) == text
    assert not [c for c in page if html_forbids(ord(c))]
    assert page.count('data-cp="') == len(CLASSES)
