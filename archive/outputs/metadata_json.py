"""metadata.json: the archive's metadata for people and programs that reuse it, one document a line."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from .. import GENERATOR
from .. import VERSION as GENERATOR_VERSION
from ..derive import Entry, Site
from ..keys import digest
from ..render import Output, Planning

NAME = "metadata.json"
VERSION = 1
REMEMBERS = ("lines",)
"""The memo's part this producer reads whole and adds to: each document's line, by its entry's digest."""


def plan(planning: Planning) -> Iterable[Output]:
    """One file; it reads and fills the memo of lines, by entry digest."""
    lines = planning.made["lines"]
    digests = planning.digests
    for key in lines.keys() - digests.values():
        del lines[key]  # lines of documents since changed or removed
    key = planning.key(NAME, VERSION, digest(planning.common, "\0".join(digests.values())))
    yield Output("metadata.json", key, lambda: metadata_json(planning.site, digests, lines), True)


def document_record(entry: Entry) -> dict[str, Any]:
    """One document in metadata.json: the record as written, plus where its files are."""
    doc = entry.doc
    record: dict[str, Any] = {
        "file": doc.file,
        "title": doc.title,
        "publisher": doc.publisher,
        "date": doc.date.text,
        "stance": doc.stance,
        "sha256": doc.sha256,
        "page": entry.page,
        "raw": entry.raw,
    }
    optional = {
        "author": doc.author,
        "source_url": doc.source_url,
        "language": doc.language,
        "slug": doc.slug,
        "encoding": doc.encoding,
        "note": doc.note,
        "captured": doc.captured.text if doc.captured else None,
    }
    record.update({key: value for key, value in optional.items() if value is not None})
    if doc.aliases:
        record["aliases"] = list(doc.aliases)
    return record


def metadata_json(site: Site, digests: dict[str, str], lines: dict[str, bytes]) -> bytes:
    """metadata.json: the archive's metadata for people and programs that reuse it, one document a line.

    `lines` remembers each document's line by its entry's digest (see render.entry_digest).
    """
    info = site.info
    head = {
        "archive": {"title": info.title, "description": info.description, "language": info.language},
        "generator": f"{GENERATOR} {GENERATOR_VERSION}",
        "stances": [{"key": s.key, "label": s.label, "description": s.description} for s in info.stances],
    }
    encode = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode
    for entry, key in zip(site.entries, digests.values(), strict=True):  # digests are in the entries' order
        if key not in lines:
            lines[key] = encode(document_record(entry)).encode("utf-8")
    if not digests:
        return (encode(head)[:-1] + ', "documents": []}\n').encode("utf-8")
    # Joined as UTF-8: one emoji makes a joined str four bytes a character, and 10,000 lines
    # then cost 16 MB a copy.
    documents = b",\n".join(map(lines.__getitem__, digests.values()))
    return b"".join([encode(head)[:-1].encode("utf-8"), b', "documents": [\n', documents, b"\n]}\n"])
