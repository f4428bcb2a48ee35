"""Lines of a document's text as its page wraps them: each line in `<span id="LN">`, lines
counted as ADDRESSES.md counts them, the same from the bytes path and the string path."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from archive.verbatim import escape_text, escaped_utf8, lines_text, lines_utf8, verbatim, verbatim_lines

TEXTS = st.text(alphabet=st.sampled_from(["a", "é", "<", "&", "\r", "\n", " ", "中"]), max_size=40)


def expected_lines(text: str) -> list[str]:
    """Line N is what follows the (N-1)-th line ending; LF, CRLF and a lone CR each end a line."""
    lines = re.split("\r\n|\r|\n", text)
    return lines[:-1] if lines[-1] == "" else lines


@given(text=TEXTS)
@settings(max_examples=300, deadline=None)
def test_each_line_is_one_span_and_nothing_else_changes(text: str) -> None:
    wrapped = lines_text(escape_text(text))
    spans = re.findall(r'<span id="L(\d+)">(.*?)</span>', wrapped, re.S)
    assert [int(n) for n, _ in spans] == list(range(1, len(spans) + 1))
    assert [line for _, line in spans] == [escape_text(line) for line in expected_lines(text)]
    assert re.sub(r'<span id="L\d+">|</span>', "", wrapped) == escape_text(text)


@given(text=TEXTS)
@settings(max_examples=300, deadline=None)
def test_the_bytes_path_wraps_as_the_string_path_does(text: str) -> None:
    escaped = escaped_utf8(text.encode())
    assert escaped is not None
    assert lines_utf8(escaped) == lines_text(escape_text(text)).encode()
    assert str(verbatim_lines(text)) == "\n" + lines_text(str(verbatim(text))[1:])


def test_line_numbers_are_as_addresses_md_counts_them() -> None:
    assert lines_text("a\rb\r\nc\n\nd") == (
        '<span id="L1">a</span>\r<span id="L2">b</span>\r\n<span id="L3">c</span>\n'
        '<span id="L4"></span>\n<span id="L5">d</span>'
    )
    assert lines_text("a\n") == '<span id="L1">a</span>\n'
    assert lines_text("\n") == '<span id="L1"></span>\n'
    assert lines_text("") == ""
