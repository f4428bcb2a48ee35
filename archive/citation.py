"""Citations of one document: Chicago text, BibTeX, RIS, CSL-JSON and the metadata tools read.

Each function takes a document's Entry, the archive's title and the site's base address
(`""` when none is set) and says no more than the record knows: a date known to the month is
cited to the month, an uncertain or approximate one says so (`circa` in CSL-JSON, `?` in
BibTeX's EDTF date, "ca." or "[…?]" in Chicago). The accessed date is the record's `captured`
date, when it has one; the archive is named as where the copy is kept. A document's citation
key derives from its seed file name (see `citation_key`), so it never changes with the title.

The same functions make the site's `cite/` files and the archive-wide exports.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from json.encoder import encode_basestring
from typing import Any

import markupsafe

from .dates import MONTHS, PartialDate
from .derive import Entry

BIBTEX_SPECIAL = re.compile(r"[\\{}%&#$_~^]")
BIBTEX_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "%": r"\%",
    "&": r"\&",
    "#": r"\#",
    "$": r"\$",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
LINE_BREAKS = re.compile(r"\s*[\r\n\u2028\u2029\x85\x0b\x0c]+\s*")
KEY_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")
HTML_ESCAPE: Callable[[str], str] = getattr(markupsafe, "_escape_inner", None) or (
    lambda text: str(markupsafe.escape(text))
)
"""A string as markupsafe's `escape` escapes it, as a plain string (without the Markup that
`escape` makes of it: pages show a hundred values each)."""


def citation_key(file: str) -> str:
    """The citation key of the document kept as seed `file`: its name without the extension,
    with anything but ASCII letters, digits, `_` and `-` made `-`; when that changed the name,
    a short digest of the whole name follows, so that two names never share a key."""
    stem = file.rsplit(".", 1)[0] if "." in file.lstrip(".") else file
    safe = KEY_UNSAFE.sub("-", stem)
    if safe == stem and safe:
        return safe
    return f"{safe}-{hashlib.blake2b(file.encode('utf-8', 'surrogatepass'), digest_size=4).hexdigest()}"


CITE_FORMATS = ((".bib", "BibTeX"), (".ris", "RIS"), (".csl.json", "CSL-JSON"))
"""The `cite/` files of a document: suffix, and the format's name as the page shows it."""


def cite_path(entry: Entry, suffix: str) -> str:
    """Where a document's citation file is: `cite/PAGE.bib` for `documents/PAGE.html`."""
    page = entry.page
    return f"cite/{page[page.rfind('/') + 1 : -5]}{suffix}"


def captured_of(entry: Entry) -> PartialDate | None:
    """The record's `captured` date, if any."""
    captured: PartialDate | None = getattr(entry.doc, "captured", None)
    return captured


def page_url(entry: Entry, base_url: str) -> str:
    """The document page's public address, or "" without a base address."""
    return base_url + entry.page if base_url else ""


def one_line(text: str) -> str:
    """Text on one line: line breaks (which RIS and BibTeX fields cannot hold) become spaces."""
    return LINE_BREAKS.sub(" ", text).strip()


# Chicago ---------------------------------------------------------------------------------


def chicago_date(date: PartialDate) -> str:
    """A date as Chicago writes it, as precise as it is known: `September 1, 2022`,
    `September 2022`, `2022`; uncertain in brackets with a question mark (`[September 2022?]`),
    approximate after `ca.`."""
    shown = str(date.year)
    if date.month:
        shown = f"{MONTHS[date.month]} {date.day}, {date.year}" if date.day else f"{MONTHS[date.month]} {date.year}"
    if date.qualifier == "?":
        return f"[{shown}?]"
    if date.qualifier == "~":
        return f"ca. {shown}"
    return shown


def chicago_parts(entry: Entry, archive: str, base_url: str = "") -> list[str]:
    """The Chicago citation in parts joined by spaces; the title's is the second (see `chicago`)."""
    doc = entry.doc
    title = doc.title.strip()
    closed = title if title.endswith((".", "?", "!")) else title + "."
    parts = [f"{doc.author}." if doc.author else "", f"“{closed}”", f"{doc.publisher},"]
    parts.append(chicago_date(doc.date) + ".")
    captured = captured_of(entry)
    if captured is not None:
        parts.append(f"Accessed {chicago_date(captured)}.")
    if doc.source_url:
        parts.append(doc.source_url + ".")
    where = page_url(entry, base_url)
    parts.append(f"Archived in {archive}" + (f", {where}." if where else "."))
    return parts


def chicago(entry: Entry, archive: str, base_url: str = "") -> str:
    """The bibliography entry in Chicago style (notes and bibliography, web page), the archive
    named as where the copy is kept: Author. “Title.” Publisher, Date. Accessed Date. URL.
    Archived in Archive, address."""
    return " ".join(part for part in chicago_parts(entry, archive, base_url) if part)


def chicago_html(entry: Entry, archive: str, base_url: str, language: str) -> str:
    """`chicago` as HTML for a page in `language`: the title in its own language when the
    document has another, so that it is read (and hyphenated, and spoken) as written."""
    parts = list(map(HTML_ESCAPE, chicago_parts(entry, archive, base_url)))
    if entry.doc.language and entry.doc.language != language:
        parts[1] = f'<span lang="{HTML_ESCAPE(entry.doc.language)}">{parts[1]}</span>'
    return " ".join(part for part in parts if part)


# BibTeX ----------------------------------------------------------------------------------


def bibtex_text(text: str) -> str:
    """Text as a BibTeX field value: TeX's special characters escaped, on one line, and `--`
    kept from becoming a dash."""
    escaped = BIBTEX_SPECIAL.sub(lambda match: BIBTEX_ESCAPES[match.group()], one_line(text))
    return escaped.replace("--", "-{}-").replace("--", "-{}-")


def bibtex_url(url: str) -> str:
    """An address as a BibTeX `url` field (read verbatim): braces and backslashes percent-encoded."""
    return url.replace("\\", "%5C").replace("{", "%7B").replace("}", "%7D").replace(" ", "%20")


def bibtex(entry: Entry, archive: str, base_url: str = "") -> str:
    """The document as a biblatex `@online` entry (Zotero, JabRef and biber read it; BibTeX's
    `year` and `month` are there too). `date` is the record's EDTF date, which biblatex reads
    as it is (`2022-09`, `2022-09-01?`, `2022~`); `urldate` is the capture date."""
    doc = entry.doc
    fields: list[tuple[str, str]] = [("title", bibtex_text(doc.title))]
    if doc.author:
        fields.append(("author", "{" + bibtex_text(doc.author) + "}"))  # a name as written, not split
    fields.append(("organization", bibtex_text(doc.publisher)))
    fields.append(("date", doc.date.text))
    fields.append(("year", str(doc.date.year)))
    if doc.date.month:
        fields.append(("month", str(doc.date.month)))
    where, source = page_url(entry, base_url), doc.source_url
    if where or source:
        fields.append(("url", bibtex_url(where or source or "")))
    captured = captured_of(entry)
    if captured is not None:
        fields.append(("urldate", captured.text))
    if doc.language:
        fields.append(("langid", bibtex_text(doc.language)))
    notes = [f"Archived in {bibtex_text(archive)}"]
    if where and source:
        notes.append(r"original at \url{" + bibtex_url(source) + "}")
    if doc.date.qualifier:
        notes.append("date " + ("uncertain" if doc.date.qualifier == "?" else "approximate"))
    fields.append(("note", "; ".join(notes)))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@online{{{citation_key(doc.file)},\n{body}\n}}\n"


# RIS -------------------------------------------------------------------------------------


def ris_date(date: PartialDate) -> str:
    """A date as RIS's DA field holds it: `YYYY/MM/DD/other`, unknown parts empty, the
    qualifier named in the last part."""
    month = f"{date.month:02d}" if date.month else ""
    day = f"{date.day:02d}" if date.day else ""
    other = {"": "", "?": "uncertain", "~": "approximate"}[date.qualifier]
    return f"{date.year:04d}/{month}/{day}/{other}"


def ris(entry: Entry, archive: str, base_url: str = "") -> str:
    """The document as one RIS record (`TY  - ELEC`, a web page), lines ending CRLF as the
    format asks."""
    doc = entry.doc
    lines = [("TY", "ELEC"), ("ID", citation_key(doc.file)), ("TI", one_line(doc.title))]
    if doc.author:
        lines.append(("AU", one_line(doc.author)))
    lines += [("PB", one_line(doc.publisher)), ("PY", f"{doc.date.year:04d}"), ("DA", ris_date(doc.date))]
    captured = captured_of(entry)
    if captured is not None:
        lines.append(("Y2", ris_date(captured)))
    where, source = page_url(entry, base_url), doc.source_url
    lines += [("UR", url) for url in (where, source) if url]
    if doc.language:
        lines.append(("LA", one_line(doc.language)))
    lines.append(("DB", one_line(archive)))
    if doc.date.qualifier:
        lines.append(("N1", "Date " + ("uncertain" if doc.date.qualifier == "?" else "approximate")))
    lines.append(("ER", ""))
    return "".join(f"{tag}  - {value}\r\n" for tag, value in lines)


# CSL-JSON --------------------------------------------------------------------------------


def csl_date(date: PartialDate) -> dict[str, Any]:
    """A CSL-JSON date: `date-parts` with only the known parts; `circa` when uncertain or approximate."""
    parts = [date.year, *([date.month] if date.month else []), *([date.day] if date.day else [])]
    value: dict[str, Any] = {"date-parts": [parts]}
    if date.qualifier:
        value["circa"] = True
    return value


def csl_json(entry: Entry, archive: str, base_url: str = "") -> dict[str, Any]:
    """The document as one CSL-JSON item (`webpage`: the publisher as the site it appeared
    on, `container-title`, which Zotero reads as the website's title); citeproc processors
    (Zotero, Pandoc, citeproc-py) read it."""
    doc = entry.doc
    item: dict[str, Any] = {
        "id": citation_key(doc.file),
        "type": "webpage",
        "title": doc.title,
        "container-title": doc.publisher,
        "issued": csl_date(doc.date),
        "archive": archive,
    }
    if doc.author:
        item["author"] = [{"literal": doc.author}]
    captured = captured_of(entry)
    if captured is not None:
        item["accessed"] = csl_date(captured)
    where, source = page_url(entry, base_url), doc.source_url
    if where or source:
        item["URL"] = where or source
    if where and source:
        item["note"] = f"Original at {source}"
    if doc.language:
        item["language"] = doc.language
    return item


def csl_json_text(entry: Entry, archive: str, base_url: str = "") -> str:
    """The `cite/PAGE.csl.json` file: a list of one item, as CSL-JSON files hold."""
    return indented([csl_json(entry, archive, base_url)]) + "\n"


def indented(value: Any, depth: int = 0) -> str:
    """`json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)` for what a CSL-JSON item
    holds (objects, lists, text, whole numbers, true and false): with an indent, json writes in
    Python, a step of its own for each piece, where this joins whole lines."""
    if isinstance(value, str):
        return encode_basestring(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if value is None:
        return "null"
    if not value:
        return "{}" if isinstance(value, dict) else "[]"
    inner = "\n" + "  " * (depth + 1)
    if isinstance(value, dict):
        items = [f"{encode_basestring(key)}: {indented(item, depth + 1)}" for key, item in sorted(value.items())]
        return "{" + inner + ("," + inner).join(items) + "\n" + "  " * depth + "}"
    items = [indented(item, depth + 1) for item in value]
    return "[" + inner + ("," + inner).join(items) + "\n" + "  " * depth + "]"


# What pages carry for tools ----------------------------------------------------------------


def highwire_date(date: PartialDate) -> str:
    """`citation_publication_date` as Google Scholar and Zotero read it: `2022/09/01`, `2022/09`, `2022`."""
    return date.machine.replace("-", "/")


def page_meta(entry: Entry, archive: str, base_url: str = "") -> list[tuple[str, str, str]]:
    """The document page's `<meta>` tags as (attribute, name, content): Highwire Press
    `citation_*` (Zotero's embedded-metadata translator, Google Scholar), Dublin Core (type
    `Text`, no journal: a reference manager saves a web page, not a journal article) and
    Open Graph (`article`)."""
    doc = entry.doc
    where = page_url(entry, base_url)
    meta = [("name", "citation_title", doc.title)]
    if doc.author:
        meta.append(("name", "citation_author", doc.author))
    meta += [
        ("name", "citation_publication_date", highwire_date(doc.date)),
        ("name", "citation_publisher", doc.publisher),
    ]
    if where:
        meta.append(("name", "citation_public_url", where))
    if doc.language:
        meta.append(("name", "citation_language", doc.language))
    meta += [("name", "DC.title", doc.title)]
    if doc.author:
        meta.append(("name", "DC.creator", doc.author))
    meta += [
        ("name", "DC.publisher", doc.publisher),
        ("name", "DC.date", doc.date.machine),
        ("name", "DC.type", "Text"),
        ("name", "DC.format", "text/plain"),
    ]
    if where:
        meta.append(("name", "DC.identifier", where))
    if doc.source_url:
        meta.append(("name", "DC.source", doc.source_url))
    if doc.language:
        meta.append(("name", "DC.language", doc.language))
    meta += [
        ("property", "og:type", "article"),
        ("property", "og:title", doc.title),
        ("property", "og:site_name", archive),
        ("property", "article:published_time", doc.date.machine),
    ]
    if where:
        meta.append(("property", "og:url", where))
    return meta


def page_meta_html(entry: Entry, archive: str, base_url: str = "") -> str:
    """`page_meta` as HTML: one `<meta ATTRIBUTE="NAME" content="CONTENT">` a line, the content
    escaped (the `cite_meta_tags` filter; a page's twenty tags in one piece)."""
    return "\n".join(
        f'<meta {attribute}="{name}" content="{HTML_ESCAPE(content)}">'
        for attribute, name, content in page_meta(entry, archive, base_url)
    )


def schema_type(entry: Entry) -> str:
    """The schema.org type: `NewsArticle` when a byline names an author (a signed report),
    else `CreativeWork` (a statement, a release, a page of comments)."""
    return "NewsArticle" if entry.doc.author else "CreativeWork"


def json_ld(entry: Entry, archive: str, base_url: str = "") -> dict[str, Any]:
    """The schema.org description: `datePublished` as precise as the record (ISO 8601 allows
    `2022-09` and `2022`), `isBasedOn` the source address, `archivedAt` the page."""
    doc = entry.doc
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": schema_type(entry),
        "headline": doc.title,
        "name": doc.title,
        "datePublished": doc.date.machine,
        "publisher": {"@type": "Organization", "name": doc.publisher},
        "encodingFormat": "text/plain",
        "identifier": citation_key(doc.file),
    }
    if doc.author:
        data["author"] = {"name": doc.author}  # a person, an agency or both: not typed
    if doc.language:
        data["inLanguage"] = doc.language
    if doc.source_url:
        data["isBasedOn"] = doc.source_url
        data["url"] = doc.source_url
    if base_url:
        data["archivedAt"] = page_url(entry, base_url)
    return data


JSON_LD = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))
"""What `json.dumps(..., ensure_ascii=False, sort_keys=True, separators=(",", ":"))` writes
with, made once: not made again for each page, which would cost as much as the writing."""


def json_ld_text(data: dict[str, Any]) -> str:
    """JSON for a `<script type="application/ld+json">`: `<`, `>` and `&` as JSON escapes, so
    that no text in it (`</script>`, `<!--`) can end the element or change how HTML reads it."""
    text = JSON_LD.encode(data)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
