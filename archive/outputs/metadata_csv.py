"""metadata.csv: the records of metadata.json as a table, one document a row, for spreadsheets and data frames.

RFC 4180: a header row, fields quoted where they must be (a comma, a quote, a line break), CRLF
between rows; a line break inside a note stays inside its quoted field as written. UTF-8 with a
byte order mark: Excel reads a CSV file without one in the system's legacy code page (é becomes
Ã©), while pandas (`read_csv`), R's readr, LibreOffice and Frictionless all skip the mark. Every
column is always there; an optional field that is not set is an empty cell; `aliases`, a list in
metadata.json, is its page names separated by spaces.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

from ..derive import Entry, Site
from ..keys import digest
from ..render import Output, Planning
from .metadata_json import document_record

NAME = "metadata.csv"
VERSION = 2
REMEMBERS = ("csv",)
"""The memo's part this producer reads whole and adds to: each document's row, by its entry's digest."""
BOM = "\ufeff".encode()
COLUMNS = (
    "file",
    "title",
    "publisher",
    "date",
    "stance",
    "sha256",
    "page",
    "raw",
    "author",
    "source_url",
    "language",
    "slug",
    "encoding",
    "note",
    "captured",
    "aliases",
)
"""The columns, in order: metadata.json's fields, required ones first (see datapackage.py)."""


def plan(planning: Planning) -> Iterable[Output]:
    """One file, made from every entry and the generator's code; it reads and fills the memo of rows,
    by entry digest (as metadata.json does its lines)."""
    rows = planning.made["csv"]
    digests = planning.digests
    for key in rows.keys() - digests.values():
        del rows[key]  # rows of documents since changed or removed
    key = planning.key(NAME, VERSION, planning.theme.code, digest("\0".join(digests.values())))
    yield Output("metadata.csv", key, lambda: metadata_csv(planning.site, digests, rows), True)


def csv_row(entry: Entry) -> bytes:
    """One document's row, CRLF included, as UTF-8 (csv is imported when a row is made: a build
    that makes none need not load it)."""
    import csv

    record = document_record(entry)
    stream = io.StringIO()
    cells = [record.get(column, "") for column in COLUMNS]
    csv.writer(stream, lineterminator="\r\n").writerow([" ".join(c) if isinstance(c, list) else c for c in cells])
    return stream.getvalue().encode("utf-8")


def metadata_csv(site: Site, digests: dict[str, str], rows: dict[str, bytes]) -> bytes:
    """The header and every document's row, in the site's order; `rows` remembers each row by its entry's digest."""
    for entry, key in zip(site.entries, digests.values(), strict=True):  # digests are in the entries' order
        if key not in rows:
            rows[key] = csv_row(entry)
    header = (",".join(COLUMNS) + "\r\n").encode("ascii")
    return b"".join([BOM, header, *map(rows.__getitem__, digests.values())])
