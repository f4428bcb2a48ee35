"""filters/: one compact record per document, as script files the filters and the compare view load.

Every document's record (page name, title, publisher slug and name, stance, date as written,
sort key, language) goes into one of SHARDS script files, chosen by a hash of its seed file
name: a pure function of the document, never of its place in the order, so a document added,
edited or removed rewrites its own shard and, only when a shard becomes empty or stops being
so, `filters/shards.js`, which names the shards there are and the stance vocabulary. An
incremental build makes the same files as a clean one.

The files register themselves with `static/filters.js` (`window.ArchiveFilter`): a page loads
them with `<script src>`, which works from disk, where `fetch` does not.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterable
from typing import Any

from ..derive import Entry, Site
from ..keys import digest
from ..render import FILE_OF, Output, Planning

NAME = "filters"
VERSION = 1
SHARDS = 64
"""How many shard files the records are spread over (at most: empty shards are not written)."""
FOLDER = "filters/"
MANIFEST = FOLDER + "shards.js"


def plan(planning: Planning) -> Iterable[Output]:
    """One script per non-empty shard (its key: its documents' digests), then the manifest."""
    site = planning.site
    shards = shard_entries(site.entries)
    for name, entries in shards.items():
        listed = "\0".join(map(planning.digests.__getitem__, map(FILE_OF, entries)))
        key = planning.key(NAME, VERSION, digest(name, site.info.language, listed))
        # The records' entries and the language, not the site: an output made in a worker
        # process is pickled with what it is made from.
        yield Output(shard_path(name), key, functools.partial(shard_script, site.info.language, name, entries))
    manifest = manifest_data(site, list(shards))
    yield Output(MANIFEST, planning.key(NAME, VERSION, digest(manifest)), lambda: script("manifest", manifest))


def shard_of(file: str) -> str:
    """The shard a document's record goes in: two hex digits from its seed file name's hash."""
    number = hashlib.sha256(file.encode("utf-8", "surrogatepass")).digest()[0] % SHARDS
    return f"{number:02x}"


def shard_path(name: str) -> str:
    """The site path of a shard's script."""
    return f"{FOLDER}{name}.js"


def shard_entries(entries: Iterable[Entry]) -> dict[str, list[Entry]]:
    """The entries of each non-empty shard, by shard name (sorted), each in chronological order."""
    shards: dict[str, list[Entry]] = {}
    for entry in entries:
        shards.setdefault(shard_of(entry.doc.file), []).append(entry)
    return dict(sorted(shards.items()))


def page_name(entry: Entry) -> str:
    """A document's PAGE, as addresses name it: its page's name without `documents/` and `.html`."""
    return entry.page.removeprefix("documents/").removesuffix(".html")


def publisher_slug(entry: Entry) -> str:
    """The publisher's slug, as the filter address names it: its listing page's name."""
    return entry.publisher_page.removeprefix("publishers/").removesuffix(".html")


def record(entry: Entry, language: str) -> list[str]:
    """A document's filter record: [page, title, publisher slug, publisher, stance, date as
    written, sort key (earliest day the date can be), language (empty when the archive's)]."""
    doc = entry.doc
    own_language = doc.language if doc.language and doc.language != language else ""
    sort_key = doc.date.earliest.isoformat()
    return [
        *(page_name(entry), doc.title, publisher_slug(entry), doc.publisher),
        *(doc.stance, doc.date.text, sort_key, own_language),
    ]


def manifest_data(site: Site, shards: list[str]) -> dict[str, Any]:
    """What `filters/shards.js` registers: the shards to load and the stance vocabulary."""
    stances = [{"key": term.key, "label": term.label} for term in site.info.stances]
    return {"version": VERSION, "shards": shards, "stances": stances}


def shard_script(language: str, name: str, entries: list[Entry]) -> bytes:
    """A shard's script: its records, registered under its name (`language`: the archive's)."""
    records = [record(entry, language) for entry in entries]
    return script("shard", name, records)


def script(method: str, *arguments: object) -> bytes:
    """`ArchiveFilter.METHOD(ARGUMENTS);` as UTF-8, the arguments as JSON (a JavaScript literal:
    U+2028 and U+2029 escaped for older engines; `</script>` is harmless in a file of its own)."""
    encode = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode
    text = ",".join(map(encode, arguments)).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return f"window.ArchiveFilter.{method}({text});\n".encode("utf-8", "surrogatepass")
