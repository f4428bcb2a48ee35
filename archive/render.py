"""Render: every file of the site as bytes in memory, keyed by its path from the site root.

Pages come from Jinja2 templates; raw copies are the seeds' own bytes; nothing here touches
the output folder.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jinja2
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from . import GENERATOR, VERSION
from .derive import Entry, Site
from .problems import Invalid, Problem, shown

MARKDOWN = MarkdownIt("commonmark", {"html": False})
# Characters HTML cannot carry as text: C0 controls but tab, LF and CR; DEL and C1 controls;
# noncharacters; lone surrogates. Each is shown as a visible marker instead (see `verbatim`).
UNSHOWABLE = re.compile(
    "[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ud800-\udfff"
    + "".join(f"{chr(plane << 16 | 0xFFFE)}{chr(plane << 16 | 0xFFFF)}" for plane in range(17))
    + "]"
)


def marker(match: re.Match[str]) -> str:
    """The stand-in for one character HTML cannot carry: an element naming its code point."""
    code = f"U+{ord(match.group()):04X}"
    return f'<span class="cp" role="img" aria-label="{code}" data-cp="{code}"></span>'


def verbatim(text: str) -> Markup:
    """A document's text for the inside of `<pre data-verbatim>`, exactly as it is.

    The leading newline is eaten by the HTML parser after `<pre>`, so a text that starts
    with its own newline keeps it. A browser's `textContent` of the element equals the text,
    with CRLF and CR read as LF, and each character matched by UNSHOWABLE replaced by an empty
    `<span data-cp="U+XXXX">` in its place.
    """
    return Markup("\n" + UNSHOWABLE.sub(marker, str(escape(text))))


def markdown(text: str) -> Markup:
    """Markdown from metadata.yaml, with raw HTML disabled and unsafe links refused."""
    return Markup(MARKDOWN.render(text))


def make_environment(template_dirs: list[Path]) -> jinja2.Environment:
    """The Jinja2 environment: autoescaping, strict about undefined names."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in template_dirs]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["markdown"] = markdown
    env.filters["verbatim"] = verbatim
    return env


def render_site(site: Site, env: jinja2.Environment, static_dirs: list[Path], base_url: str) -> dict[str, bytes]:
    """Every file of the site, path -> bytes."""
    files: dict[str, bytes] = {}
    try:
        for path, template, context in plan_pages(site):
            files[path] = render_page(env, site, path, template, context, base_url)
    except jinja2.TemplateError as error:
        raise Invalid([template_problem(error)])
    for entry in site.entries:
        files[entry.raw] = site.archive.seeds[entry.doc.file].raw
    files.update(collect_static(static_dirs))
    files["metadata.json"] = metadata_json(site)
    return dict(sorted(files.items()))


def plan_pages(site: Site) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Each page as (path, template, the context that is its own)."""
    yield "index.html", "index.html", {"title": site.archive.title}
    yield "about.html", "about.html", {"title": "About this archive"}
    entries = site.entries
    for i, entry in enumerate(entries):
        neighbours = {"previous": entries[i - 1] if i else None, "next": entries[i + 1] if i + 1 < len(entries) else None}
        yield entry.page, "document.html", {"title": entry.doc.title, "entry": entry, **neighbours}
    yield "stances/index.html", "groups.html", {"title": "Stances", "groups": site.stances, "kind": "stance"}
    for group in site.stances:
        yield group.page, "group.html", {"title": f"Stance: {group.label}", "group": group, "kind": "stance"}
    yield "publishers/index.html", "groups.html", {"title": "Publishers", "groups": site.publishers, "kind": "publisher"}
    for group in site.publishers:
        yield group.page, "group.html", {"title": f"Publisher: {group.label}", "group": group, "kind": "publisher"}


def render_page(env: jinja2.Environment, site: Site, path: str, template: str, context: dict[str, Any], base_url: str) -> bytes:
    """One page; links in it are relative to where it lives."""
    root = "../" * path.count("/")

    def link(target: str) -> str:
        return root + urllib.parse.quote(target)

    stances = {group.key: group for group in site.stances}
    canonical = base_url + path if base_url else ""
    html = env.get_template(template).render(
        site=site, archive=site.archive, stances=stances, path=path, link=link, canonical=canonical,
        generator=f"{GENERATOR} {VERSION}", **context,
    )
    return html.encode("utf-8")


def template_problem(error: jinja2.TemplateError) -> Problem:
    """A template error (from a user's own template) as a problem at its line."""
    if isinstance(error, jinja2.TemplateSyntaxError):
        return Problem(shown(Path(error.filename)) if error.filename else "templates", error.lineno, error.message or "syntax error")
    return Problem("templates", 0, f"{type(error).__name__}: {error}")


def collect_static(static_dirs: list[Path]) -> dict[str, bytes]:
    """The files of static/: the project's, overlaid by the archive's own."""
    files: dict[str, bytes] = {}
    for folder in static_dirs:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                files["static/" + path.relative_to(folder).as_posix()] = path.read_bytes()
    return files


def document_record(entry: Entry) -> dict[str, Any]:
    """One document in metadata.json: the record as written, plus where its files are."""
    doc = entry.doc
    record = {
        "file": doc.file, "title": doc.title, "publisher": doc.publisher, "date": doc.date.text,
        "stance": doc.stance, "sha256": doc.sha256, "page": entry.page, "raw": entry.raw,
    }
    optional = {"author": doc.author, "source_url": doc.source_url, "language": doc.language,
                "slug": doc.slug, "encoding": doc.encoding, "note": doc.note}
    record.update({key: value for key, value in optional.items() if value is not None})
    return record


def metadata_json(site: Site) -> bytes:
    """metadata.json: the archive's metadata for people and programs that reuse it."""
    archive = site.archive
    data = {
        "archive": {"title": archive.title, "description": archive.description, "language": archive.language},
        "stances": [{"key": s.key, "label": s.label, "description": s.description} for s in archive.stances],
        "documents": [document_record(entry) for entry in site.entries],
        "generator": f"{GENERATOR} {VERSION}",
    }
    return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")
