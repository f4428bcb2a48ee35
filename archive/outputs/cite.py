"""cite/: each document's citation as BibTeX, RIS and CSL-JSON (see archive/citation.py).

Three small files a document, when `archive.citation_files` is true (the default): an
archive of very many documents may turn them off. Each file's key digests the document's
entry, the archive's title and the base address (in `common`), so that adding a document
rewrites none of the others' files.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable

from .. import citation
from ..derive import Entry
from ..render import Output, Planning

NAME = "cite"
VERSION = 1
WRITERS: dict[str, Callable[[Entry, str, str], str]] = {
    ".bib": citation.bibtex,
    ".ris": citation.ris,
    ".csl.json": citation.csl_json_text,
}


def plan(planning: Planning) -> Iterable[Output]:
    """Three files a document, none when the setting turns them off."""
    site = planning.site
    if not site.info.citation_files:
        return
    salt = planning.maker.row_salt  # the code, the archive (its title) and the base address
    base_url = planning.maker.base_url
    for entry, entry_digest in zip(site.entries, planning.digests.values(), strict=True):
        for suffix, _ in citation.CITE_FORMATS:
            make = functools.partial(utf8, WRITERS[suffix], entry, site.info.title, base_url)
            yield Output(
                citation.cite_path(entry, suffix), planning.key(NAME, VERSION, salt, suffix, entry_digest), make
            )


def utf8(write: Callable[[Entry, str, str], str], entry: Entry, archive: str, base_url: str) -> bytes:
    """A citation file's bytes."""
    return write(entry, archive, base_url).encode("utf-8")
