"""texts/PAGE.js: each document's exact text, as a script file the browser loads from disk.

Search snippets and the compare view need a document's text without `fetch` (which file://
forbids): static/texts.js inserts `<script src="texts/PAGE.js">`, and the file registers the
text with `ArchiveTexts.register(page, length, data)`. `data` is the text's UTF-8, compressed
by raw deflate (DecompressionStream("deflate-raw") inflates it) and written in base64; `length`
is the UTF-8's length in bytes, checked after inflating so that a damaged file is refused,
not shown. One file per document, named by its page: adding, editing or removing a document
rewrites only its own file.
"""

from __future__ import annotations

import base64
import functools
import json
import zlib
from collections.abc import Iterable

from ..model import Document
from ..render import Output, Planning, SeedReader

NAME = "texts"
VERSION = 1


def plan(planning: Planning) -> Iterable[Output]:
    """One file per document; its key is its page name and its text's SHA-256 and encoding."""
    seeds = planning.maker.seeds
    for entry in planning.site.entries:
        doc = entry.doc
        key = planning.key(NAME, VERSION, entry.slug, doc.sha256, doc.encoding or "")
        yield Output(f"texts/{entry.slug}.js", key, functools.partial(text_script, seeds, entry.slug, doc))


def text_script(seeds: SeedReader, page: str, doc: Document) -> bytes:
    """The script that registers one document's text."""
    data = seeds.text(doc).encode("utf-8", "surrogatepass")
    return encode_text(page, data)


def encode_text(page: str, data: bytes) -> bytes:
    """`ArchiveTexts.register(page, length, data)` for a text's UTF-8 bytes."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15, 9)
    packed = base64.b64encode(packer.compress(data) + packer.flush()).decode("ascii")
    return f'ArchiveTexts.register({json.dumps(page)},{len(data)},"{packed}");\n'.encode("ascii")
