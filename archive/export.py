"""Export: the archive's documents, text included, as files for other tools, made on request.

`corpus.jsonl` holds one JSON object a line, a document each, in the site's order: its record
as metadata.json has it, plus `text`, the seed decoded as its page shows it (UTF-8, or the
record's `encoding`), with a leading byte order mark left out and every line ending as it
stands (CRLF and CR are not turned into LF): offsets into it are those of passages.json.
`pandas.read_json(path, lines=True)` and R's `jsonlite::stream_in(file(path))` read it.

`citations.bib`, `citations.ris` and `citations.csl.json` hold every document's citation, as
its `cite/` files do (archive/citation.py), for a reference manager to import at once.

`names.lock` is the archive's lock of page names as a build of it leaves it (see
archive/namelock.py): which name belongs to which seed, for good, so that the pages of an
archive made again from these files keep their names.

These files carry every document's text (or are made from every record), so the build does
not make them: adding one document would rewrite them all.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path

from . import citation
from .derive import Entry, Site
from .files import read_file
from .fingerprint import LOCK
from .namelock import lock_after
from .outputs.metadata_json import document_record
from .problems import Invalid, Problem, shown
from .seeds import MAX_SEED_BYTES, SEED_FILE

CORPUS, BIBTEX, RIS, CSL_JSON = "corpus.jsonl", "citations.bib", "citations.ris", "citations.csl.json"


def export(site: Site, target: Path, base_url: str = "") -> list[Path]:
    """Write the export's files into `target` (made if need be), all or none: each under a
    temporary name first, and put in place once all are written, so that a failure (a disk
    full, a seed changed meanwhile) leaves an earlier export as it was. The files written."""
    target.mkdir(parents=True, exist_ok=True)
    files: dict[str, Callable[[], Iterable[bytes]]] = {CORPUS: lambda: corpus_lines(site)}
    files.update(citation_files(site, base_url))
    lock = lock_after(site)[0]
    if lock is not None:
        files[LOCK] = lambda: [lock]
    temporaries: list[Path] = []
    try:
        for name, make in files.items():
            temporaries.append(target / f".{name}.archive-tmp")
            with open(temporaries[-1], "wb") as stream:
                stream.writelines(make())
        for name, temporary in zip(files, temporaries, strict=True):
            os.replace(temporary, target / name)
    finally:
        for temporary in temporaries:
            temporary.unlink(missing_ok=True)
    return [target / name for name in files]


def corpus_lines(site: Site) -> Iterable[bytes]:
    """corpus.jsonl, a line at a time."""
    encode = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode
    for entry in site.entries:
        text = document_text(site.archive.seeds[entry.doc.file].path, entry)
        yield (encode({**document_record(entry), "text": text}) + "\n").encode("utf-8")


def document_text(path: str, entry: Entry) -> str:
    """The seed's text as its page shows it, without a leading byte order mark; the seed must
    still be what was validated."""
    data = read_file(path, MAX_SEED_BYTES, SEED_FILE)
    if hashlib.sha256(data).hexdigest() != entry.doc.sha256:
        raise Invalid([Problem(shown(path), 0, "changed while the export was being made; export again")])
    return data.decode(entry.doc.encoding or "utf-8").removeprefix("\ufeff")


def citation_files(site: Site, base_url: str) -> dict[str, Callable[[], Iterable[bytes]]]:
    """The archive-wide citation files, every document's citation as its page gives it
    (archive/citation.py), in the site's order: BibTeX entries and RIS records a blank line apart,
    and one CSL-JSON list."""
    title = site.info.title

    def bib() -> Iterable[bytes]:
        for number, entry in enumerate(site.entries):
            yield ("\n" if number else "").encode() + citation.bibtex(entry, title, base_url).encode("utf-8")

    def ris() -> Iterable[bytes]:
        for number, entry in enumerate(site.entries):
            yield ("\r\n" if number else "").encode() + citation.ris(entry, title, base_url).encode("utf-8")

    def csl() -> Iterable[bytes]:
        items = [citation.csl_json(entry, title, base_url) for entry in site.entries]
        yield (json.dumps(items, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")

    return {BIBTEX: bib, RIS: ris, CSL_JSON: csl}
