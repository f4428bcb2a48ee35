"""datapackage.json: a Frictionless Data Package describing metadata.csv and metadata.json.

metadata.csv is a tabular resource with a schema: each column's type, `file` as the primary
key, the stance as an enum of the declared vocabulary, and the date as a string with a pattern
(a date may be partial, `2022-09`, or uncertain, `2022-09-01?`: no date type of the standard
holds those). The file depends on the archive's title, description, language and stances, not
on the documents: adding one leaves it as it is.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from ..derive import ArchiveInfo
from ..keys import digest
from ..render import Output, Planning
from .metadata_csv import COLUMNS

NAME = "datapackage.json"
VERSION = 2
DATE_PATTERN = r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?[?~]?"
"""The dates of metadata.yaml (see archive/dates.py): YYYY, YYYY-MM or YYYY-MM-DD, then ? or ~."""

FIELDS: dict[str, tuple[str, str, str]] = {
    "file": ("string", "", "The seed's file name: the document's identifier in the archive."),
    "title": ("string", "", "The document's title."),
    "publisher": ("string", "", "Who published the document."),
    "date": (
        "string",
        "",
        "Date of publication, as precise as known (EDTF): YYYY, YYYY-MM or YYYY-MM-DD; "
        "'?' marks it uncertain, '~' approximate.",
    ),
    "stance": ("string", "", "The document's stance: a key of the archive's stance vocabulary."),
    "sha256": ("string", "", "Hex SHA-256 of the seed's bytes (and of its raw copy)."),
    "page": ("string", "", "The document's page, a path from the site's root."),
    "raw": ("string", "", "The byte-identical copy of the seed, a path from the site's root."),
    "author": ("string", "", "The author, where known."),
    "source_url": ("string", "uri", "Where the document was published."),
    "language": ("string", "", "BCP 47 tag, when the document's language differs from the archive's."),
    "slug": ("string", "", "The page name the record fixes, if it fixes one."),
    "encoding": ("string", "", "The seed's text encoding, when it is not UTF-8."),
    "note": ("string", "", "The archivist's note (Markdown)."),
    "captured": ("string", "", "When the copy was made, as precise as known (EDTF, as `date`)."),
    "aliases": ("string", "", "Earlier page names of the document, separated by spaces: each still leads to its page."),
}
"""Each column of metadata.csv: its type, format and description."""
REQUIRED = ("file", "title", "publisher", "date", "stance", "sha256", "page", "raw")


def plan(planning: Planning) -> Iterable[Output]:
    """One file, made from the archive's description and vocabulary and the generator's code."""
    info = planning.site.info
    key = planning.key(NAME, VERSION, planning.theme.code, digest(info))
    yield Output("datapackage.json", key, lambda: datapackage(info))


def datapackage(info: ArchiveInfo) -> bytes:
    """The data package's JSON, keys sorted, as UTF-8."""
    package = {
        "profile": "data-package",
        "name": package_name(info.title),
        "title": info.title,
        "description": info.description,
        "resources": [table_resource(info), json_resource()],
    }
    return (json.dumps(package, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def table_resource(info: ArchiveInfo) -> dict[str, Any]:
    """metadata.csv, with its dialect and schema."""
    return {
        "name": "metadata-csv",
        "path": "metadata.csv",
        "profile": "tabular-data-resource",
        "title": "Every document's record, one a row",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "dialect": {"delimiter": ",", "doubleQuote": True, "header": True, "lineTerminator": "\r\n", "quoteChar": '"'},
        "schema": {"fields": [field(name, info) for name in COLUMNS], "primaryKey": ["file"], "missingValues": [""]},
    }


def field(name: str, info: ArchiveInfo) -> dict[str, Any]:
    """One column of metadata.csv as a Table Schema field."""
    kind, form, description = FIELDS[name]
    described: dict[str, Any] = {"name": name, "type": kind, "description": description}
    if form:
        described["format"] = form
    constraints: dict[str, Any] = {"required": True} if name in REQUIRED else {}
    if name == "file":
        constraints["unique"] = True
    if name == "stance":
        constraints["enum"] = [term.key for term in info.stances]
    if name in ("date", "captured"):
        constraints["pattern"] = DATE_PATTERN
    if name == "sha256":
        constraints["pattern"] = "[0-9a-f]{64}"
    if constraints:
        described["constraints"] = constraints
    return described


def json_resource() -> dict[str, Any]:
    """metadata.json: the same records, with the archive's description and vocabulary, as one JSON object."""
    return {
        "name": "metadata-json",
        "path": "metadata.json",
        "profile": "data-resource",
        "title": "The archive, its stance vocabulary and every document's record",
        "description": "An object with `archive`, `generator`, `stances` and `documents` (the rows of metadata.csv, "
        "each with only the fields that are set).",
        "format": "json",
        "mediatype": "application/json",
        "encoding": "utf-8",
    }


def package_name(title: str) -> str:
    """The package's `name` (lower-case letters, digits, `-`, `.` and `_` only), from the title."""
    from slugify import slugify  # imported when used: a build that makes no slug need not load it

    return slugify(title, max_length=100, word_boundary=True) or "archive"
