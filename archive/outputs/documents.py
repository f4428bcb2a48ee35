"""documents/ and raw/: each document's page, then its raw copy, byte for byte.

A page's key digests its entry's and its two neighbours' (the page links to both, by title);
a raw copy's is the seed's SHA-256. When the site was placed from the last build's placement,
the keys of the pages whose neighbours did not change are taken from it instead of made again.
"""

from __future__ import annotations

import functools
import itertools
import operator
from collections.abc import Iterable
from typing import Any

from ..keys import page_key
from ..model import made_by_name
from ..render import FILE_OF, Output, Planning

NAME = "documents"
VERSION = 1
TEMPLATE = "document.html"


def plan(planning: Planning) -> Iterable[Output]:
    """Each document's page, then its raw copy (its SHA-256 is its seed's); `planning.keys` gets
    each page's key, and `planning.salted` what they are all made from besides the digests (for
    the next placement).

    Made column by column, by builtins, not in a loop of Python calls: an incremental build
    plans every document's page again."""
    entries, maker = planning.site.entries, planning.maker
    salted = planning.salted = maker.salted(TEMPLATE) + f"\0{NAME}\0{VERSION}"
    found: list[Any] = list(map(last_keys(planning, salted).get, map(FILE_OF, entries)))  # None where not known
    ordered = ["", *planning.digests.values(), ""]  # in the entries' order
    for i in itertools.compress(range(len(found)), map(operator.not_, found)):
        found[i] = page_key(entries[i].page, salted, ordered[i], ordered[i + 1], ordered[i + 2])
    planning.keys.extend(found)
    raw_keys = map(f"{NAME} {VERSION} raw ".__add__, map(SHA256_OF, entries))  # the seed's SHA-256 says it all
    previous, following = [None, *entries[:-1]], [*entries[1:], None]
    pages = map(functools.partial, itertools.repeat(maker.document), entries, previous, following)
    raws = map(functools.partial, itertools.repeat(maker.seeds.read), map(DOC_OF, entries))
    made_here = [False] * len(entries)
    unknown = [""] * len(entries)
    page_outputs = made_by_name(
        Output, {"path": map(PAGE_OF, entries), "key": found, "make": pages, "lists": made_here, "sha256": unknown}
    )
    raw_columns = {"path": map(RAW_OF, entries), "key": raw_keys, "make": raws, "lists": made_here}
    raw_outputs = made_by_name(Output, {**raw_columns, "sha256": map(SHA256_OF, entries)})  # read checks it
    return itertools.chain.from_iterable(zip(page_outputs, raw_outputs, strict=True))


def last_keys(planning: Planning, salted: str) -> dict[str, str]:
    """The page keys of the last build that hold again: its documents' whose neighbours are
    the same, when the document template and what the keys are salted with are too."""
    site, last = planning.site, planning.last
    if site.patch is None or last is None or last.salted != salted:
        return {}
    known = dict(zip(last.files, last.keys, strict=True))
    for file in site.patch.fresh | site.patch.near:
        known.pop(file, None)
    return known


DOC_OF = operator.attrgetter("doc")
PAGE_OF = operator.attrgetter("page")
RAW_OF = operator.attrgetter("raw")
SHA256_OF = operator.attrgetter("doc.sha256")
