"""Derive: page names from titles."""

from __future__ import annotations

import os

from hypothesis import given, settings
from hypothesis import strategies as st

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "200"))


@settings(max_examples=EXAMPLES, deadline=None)
@given(
    st.text(st.characters(max_codepoint=127), max_size=60)
    | st.sampled_from(["A &amp; B", "caf&#233;", "Don't", "a--b"])
)
def test_the_quick_slug_of_ascii_text_is_python_slugify_s(text: str) -> None:
    from slugify import slugify

    from archive.derive import quick_slugify

    assert quick_slugify(text) == slugify(text)
