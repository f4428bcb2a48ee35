"""The outputs of the site: one module per kind, each a producer in PRODUCERS.

A producer is a module (or any object) with

- `NAME`: what it makes, unique among producers;
- `VERSION`: raised whenever what it makes from the same inputs changes;
- `plan(plan: Planning) -> Iterable[Output]`: one Output per file, each with a key made by
  `plan.key(producer, ...)` or `plan.page(producer, ...)` from everything its bytes depend on;
- optionally `REMEMBERS` and `RECALLS`: the parts of the build's memo its outputs read and add
  to (a fact of each document, remembered from build to build by what it is made from), read
  whole before the plan or by key as they are made (see render.made_parts). Only the parts of
  registered producers are read.

The key of every output digests its producer's name and version and the inputs it declares
(its records' digests, its templates, the generator's code). The write stage makes an output
again only when its key changed: an input left out of the key is a stale file after an edit,
so a producer that shows another document's text or title declares that document's digest
too (see `Planning.digests`). The core knows no output by name; adding a kind of output is one
module here and one line in PRODUCERS.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from ..render import Output, Planning
from . import (
    about,
    aliases,
    bag_zip,
    cite,
    compare,
    datapackage,
    documents,
    filters,
    gone,
    index,
    listings,
    metadata_csv,
    metadata_json,
    publish,
    search,
    search_page,
    sha256sums,
    static,
    texts,
    timeline,
    titles,
)


class Producer(Protocol):
    """What the plan asks of each kind of output."""

    NAME: str
    VERSION: int

    def plan(self, planning: Planning) -> Iterable[Output]: ...


PRODUCERS: list[Producer] = [
    index,
    about,
    documents,
    titles,
    aliases,
    gone,
    listings,
    timeline,
    static,
    metadata_json,
    cite,
    publish,
    metadata_csv,
    datapackage,
    sha256sums,
    bag_zip,
    texts,
    filters,
    compare,
    search,
    search_page,
]
"""Every kind of output, in the order their files are planned (and listed in the manifest)."""
