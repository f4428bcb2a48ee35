"""cite/: each document's citation as BibTeX, RIS and CSL-JSON (see archive/citation.py).

Three small files a document, when `archive.citation_files` is true (the default): an
archive of very many documents may turn them off. Each file's key digests the document's
entry, the archive's title and the base address (in `common`), so that adding a document
rewrites none of the others' files.
"""

from __future__ import annotations

import functools
import itertools
import operator
from collections.abc import Callable, Iterable
from typing import Any

from .. import citation
from ..derive import Entry
from ..model import made_by_name
from ..render import Output, Planning

NAME = "cite"
VERSION = 1
WRITERS: dict[str, Callable[[Entry, str, str], str]] = {
    ".bib": citation.bibtex,
    ".ris": citation.ris,
    ".csl.json": citation.csl_json_text,
}


def plan(planning: Planning) -> Iterable[Output]:
    """Three files a document, none when the setting turns them off.

    Made column by column, by builtins, as the document pages are: a call in Python for each
    of 30,000 files would cost every build of 10,000 documents a fifth of a second. A key is
    its prefix (the producer, the code, the archive, the base address, the format) and the
    entry's digest: no digest of it is needed."""
    site = planning.site
    if not site.info.citation_files:
        return []
    salt = planning.maker.row_salt  # the code, the archive (its title) and the base address
    digests = list(planning.digests.values())
    names = list(map(page_name, map(PAGE_OF, site.entries)))
    made: list[Iterable[Output]] = []
    for suffix, _ in citation.CITE_FORMATS:
        paths = map(f"cite/{{}}{suffix}".format, names)
        keys = map(f"{NAME} {VERSION} {salt} {suffix} ".__add__, digests)
        args = (itertools.repeat(WRITERS[suffix]), site.entries, itertools.repeat(site.info.title))
        makes = map(functools.partial, itertools.repeat(utf8), *args, itertools.repeat(planning.maker.base_url))
        columns: dict[str, Iterable[Any]] = {
            "path": paths,
            "key": keys,
            "make": makes,
            "lists": itertools.repeat(False, len(names)),
            "sha256": itertools.repeat("", len(names)),
        }
        made.append(made_by_name(Output, columns))
    return itertools.chain.from_iterable(zip(*made, strict=True))


def page_name(page: str) -> str:
    """A document page's name: its path without the folder and `.html`."""
    return page[page.rfind("/") + 1 : -5]


PAGE_OF = operator.attrgetter("page")


def utf8(write: Callable[[Entry, str, str], str], entry: Entry, archive: str, base_url: str) -> bytes:
    """A citation file's bytes."""
    return write(entry, archive, base_url).encode("utf-8")
