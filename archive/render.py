"""Render: plan every file of the site as an Output whose key says what it is made from.

An Output's `key` is a digest of everything its bytes depend on (its data, its templates,
the generator's own code), computed without rendering. The write stage renders only the
outputs whose key changed since the last build, and writes only those whose bytes changed.
Nothing here touches the output folder.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, NamedTuple

import jinja2
from markupsafe import Markup

from . import GENERATOR, VERSION
from .derive import Entry, Site
from .keys import digest, page_key
from .model import Document
from .placement import Placement
from .problems import Invalid
from .store import Recall, nothing_recalled
from .theme import RememberedMarkdown, Theme, template_frames, template_problem
from .verbatim import LINES_SLOT_NAME, TEXT_SLOT_NAME, SeedReader, SeedText


class Output(NamedTuple):
    """One file of the site, not yet made (a tuple: a build plans 20,000 of them)."""

    path: str
    """Path from the site root."""
    key: str
    """Digest of everything the bytes are made from."""
    make: Callable[[], bytes]
    """Makes the bytes (renders a page, reads a seed)."""
    lists: bool = False
    """Lists entries (listings, data files): such outputs are made together, in one process, so
    that the rows they share are made once."""
    sha256: str = ""
    """The SHA-256 of the bytes when it is known before they are made ("" when not): a raw
    copy's is its seed's, which reading the seed checks, so its bytes are not hashed again."""


class Remembering(dict[str, Any]):
    """A part of the build's memo that notes what is added to it: what a worker process adds is
    sent back to the build's own process (see make.make_outputs), which keeps it."""

    def __init__(self, entries: dict[str, Any]) -> None:
        super().__init__(entries)
        self.added: list[str] = []

    def __setitem__(self, key: str, value: Any) -> None:
        super().__setitem__(key, value)
        self.added.append(key)

    def take(self) -> dict[str, Any]:
        """What was added since last taken (and is still here)."""
        added, self.added = self.added, []
        return {key: self[key] for key in added if key in self}


MADE = ("rows", "markdown")
"""The parts of the memo every page may add to while it is made (see Remembering): listing
rows and Markdown. A producer declares its own (see archive/outputs): `REMEMBERS`, parts read
whole before the plan, and `RECALLS`, parts too large for that (see `made_parts`)."""


def made_parts(producers: Iterable[Any]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The parts of the memo the outputs of these producers add to, and those of them that are
    recalled rather than read whole: an output reads the entries it needs from the store when it
    is made (`Planning.recall`), what it makes is remembered, and the keys it no longer uses are
    forgotten (`Planning.dropped`). A part no registered producer declares is not read at all."""
    recalled = declared(producers, "RECALLS")
    return MADE + declared(producers, "REMEMBERS") + recalled, recalled


def declared(producers: Iterable[Any], attribute: str) -> tuple[str, ...]:
    """The parts of the memo these producers declare in `attribute` (REMEMBERS or RECALLS), in order."""
    return tuple(part for producer in producers for part in getattr(producer, attribute, ()))


def entry_digest(entry: Entry) -> str:
    """Digest of what a page may show about an entry (its text stands in by its SHA-256).

    Every field of the document but `line`, which is for messages and never shown: moving a
    record in metadata.yaml re-makes nothing.
    """
    d = entry.doc
    optional = OPTIONAL(d)
    return page_key(
        entry.slug,
        entry.page,
        entry.raw,
        entry.publisher_page,
        d.file,
        d.title,
        d.publisher,
        d.date.text,
        d.stance,
        d.sha256,
        str(d.size),
        repr(optional) if optional != NO_OPTIONAL else "",
    )


OPTIONAL_FIELDS = Document._fields[Document._fields.index("author") :]
"""A Document's optional fields (author, source_url, ... note)."""
OPTIONAL = operator.attrgetter(*OPTIONAL_FIELDS)
NO_OPTIONAL = (None,) * len(OPTIONAL_FIELDS)


class Plan(NamedTuple):
    """Every file of the site, and what the next build may take from this one (see Placement)."""

    outputs: list[Output]
    made: dict[str, Remembering]
    """The parts of the memo the outputs add to (see made_parts)."""
    digests: dict[str, str]
    """Each entry's digest, by its file, in the entries' order."""
    salted: str
    """What every document page's key is made from besides its entries' digests."""
    keys: list[str]
    """Each document page's key, in the entries' order."""
    dropped: dict[str, set[str]]
    """Keys of the recalled parts that the site no longer uses, by part (see made_parts)."""


class Planning:
    """What every producer plans its outputs from (see archive/outputs): the site, the theme,
    each entry's digest, the memo of what earlier builds made, and the last build's placement."""

    def __init__(
        self,
        site: Site,
        theme: Theme,
        base_url: str,
        seeds_dir: Path,
        memo: dict[str, Any],
        last: Placement | None,
        recall: Recall | None = None,
        producers: Iterable[Any] = (),
    ) -> None:
        self.site, self.theme, self.last = site, theme, last
        made, recalled = made_parts(producers)
        self.recall = recall or nothing_recalled
        """The entries of a recalled part with these keys, those the store has (the store's `get`;
        nothing in a worker process, which then makes them again)."""
        self.dropped: dict[str, set[str]] = {part: set() for part in recalled}
        """Keys of the recalled parts the site no longer uses, by part: forgotten after the write."""
        self.seeds_dir = seeds_dir
        """The archive's seeds/ (its parent holds metadata.yaml)."""
        self.made = {part: Remembering(memo.get(part, {})) for part in made}
        """The parts of the memo that outputs add to while they are made (see Remembering)."""
        memo.update(self.made)
        self.digests = entry_digests(site, last)
        """Each entry's digest by its file, in the entries' order (see entry_digest)."""
        self.common = (theme.code, theme.template_key("_item.html"), base_url, site.info)
        """What every page and row depends on: the code, the item template, the address, the archive."""
        seeds = SeedReader(seeds_dir)
        self.maker = PageMaker(site, theme, base_url, self.common, seeds, self.digests, self.made["rows"])
        theme.env.filters["markdown"] = RememberedMarkdown(site, theme.code, self.made["markdown"])
        self.keys: list[str] = []
        """Each document page's key, in the entries' order (for the next build's placement)."""
        self.salted = ""
        """What every document page's key is made from besides the entries' digests."""

    def key(self, producer: str, version: int, *inputs: str) -> str:
        """The key of an output: its producer's name and version and the inputs it declares."""
        return page_key(producer, str(version), *inputs)

    def page(
        self,
        producer: str,
        version: int,
        path: str,
        template: str,
        inputs: Iterable[str],
        lists: bool = False,
        **context: Any,
    ) -> Output:
        """A page made with `template`; its key digests the producer, the inputs, the template and
        `common`. `lists`: a page that lists entries (see Output.lists)."""
        return self.maker(path, template, [producer, str(version), *inputs], lists, **context)


def plan_site(
    site: Site,
    theme: Theme,
    base_url: str,
    seeds_dir: Path,
    memo: dict[str, dict[str, Any]] | None = None,
    last: Placement | None = None,
    recall: Recall | None = None,
) -> Plan:
    """Every file of the site, as Outputs: what each producer of archive/outputs plans, in turn.

    `memo` holds what earlier builds made of each entry: listing rows (`rows`, digest -> HTML),
    metadata.json lines (`lines`, digest -> JSON), both as UTF-8, and Markdown (`markdown`,
    text -> HTML). What is made now is added to it and what no entry needs any more is dropped,
    so that a rebuild that lists 10,000 documents makes only the new ones. `last`, the
    placement the site was placed from (site.patch), gives the digests and page keys of the
    documents that did not change. `recall` reads the entries of a recalled part by key (the
    store's `get`).
    """
    from .outputs import PRODUCERS

    planning = Planning(site, theme, base_url, seeds_dir, memo if memo is not None else {}, last, recall, PRODUCERS)
    outputs: list[Output] = []
    for producer in PRODUCERS:
        outputs.extend(producer.plan(planning))  # by the builtin, not a loop in Python over 20,000 or more
    theme.compile_planned()
    return Plan(outputs, planning.made, planning.digests, planning.salted, planning.keys, planning.dropped)


def entry_digests(site: Site, last: Placement | None) -> dict[str, str]:
    """Each entry's digest by its file, in the entries' order: the last build's for documents
    placed from it unchanged."""
    files = list(map(FILE_OF, site.entries))
    if site.patch is None or last is None:
        return dict(zip(files, map(entry_digest, site.entries), strict=True))
    known = dict(zip(last.files, last.digests, strict=True))
    for entry in itertools.compress(site.entries, map(site.patch.fresh.__contains__, files)):
        known[entry.doc.file] = entry_digest(entry)
    return dict(zip(files, map(known.__getitem__, files), strict=True))


class PageMaker:
    """Makes page Outputs: a template, a path and the context that is the page's own."""

    def __init__(
        self,
        site: Site,
        theme: Theme,
        base_url: str,
        common: tuple[object, ...],
        seeds: SeedReader,
        digests: dict[str, str],
        rows: dict[str, bytes],
    ) -> None:
        self.site, self.theme, self.base_url, self.common, self.seeds = site, theme, base_url, common, seeds
        self.stances = {term.key: term for term in site.info.stances}
        self.digests, self.remembered_rows = digests, rows
        self.row_salt = digest(*common)
        """Digest of what every page and row depends on: the code, the item template, the archive."""
        theme.env.filters["row"] = self.row
        theme.env.filters["rows"] = self.rows
        self.slots: list[tuple[list[bytes], str]] | None = None
        """The rows the page being rendered lists, and its way back to the root, by slot (see `rows`)."""
        for key in rows.keys() - set(map(self.row_salt.__add__, digests.values())):
            del rows[key]  # rows of documents since changed or removed: the memo keeps only live ones

    def __call__(
        self, path: str, template: str, key_parts: Iterable[str], lists: bool = False, **context: Any
    ) -> Output:
        """The page at `path`; `key_parts` (text) with the template's key and the salt make its key.

        `lists`: a page that lists entries (see Output.lists).
        """
        return Output(
            path, page_key(path, self.salted(template), *key_parts), lambda: self.render(path, template, context), lists
        )

    def salted(self, template: str) -> str:
        """What every key of a page made with `template` starts from: its key and the salt."""
        return f"{template}\0{self.theme.template_key(template)}\0{self.row_salt}"

    def document(self, entry: Entry, previous: Entry | None, following: Entry | None) -> bytes:
        """A document's page (made when its Output is)."""
        context = {"title": entry.doc.title, "entry": entry, "previous": previous, "next": following, "text": entry.doc}
        return self.render(entry.page, "document.html", context)

    def render(self, path: str, template: str, context: dict[str, Any]) -> bytes:
        """One page; links in it are relative to where it lives (`root` leads back to the site's root).

        Rows listed with the `rows` filter go into the page's bytes after it is rendered (see
        `fill_rows`); when the template did anything to them but show them, it is rendered again
        with the rows as text.
        """
        if "text" in context:
            context = {**context, "text": SeedText(self.seeds, context["text"])}
        self.slots = []
        page = self.render_text(path, template, context).encode("utf-8")
        filled = self.fill_rows(page) if self.slots else page
        if filled is None:
            self.slots = None
            filled = self.render_text(path, template, context).encode("utf-8")
        self.slots = None
        text = context.get("text")
        return text.fill(filled) if isinstance(text, SeedText) else filled

    def render_text(self, path: str, template: str, context: dict[str, Any]) -> str:
        try:
            return self.theme.env.get_template(template).render(
                archive=self.site.info,
                stances=self.stances,
                path=path,
                root="../" * path.count("/"),
                canonical=self.base_url + path if self.base_url else "",
                base_url=self.base_url,
                generator=f"{GENERATOR} {VERSION}",
                **context,
            )
        except jinja2.TemplateError as error:
            raise Invalid([template_problem(error)]) from None
        except Invalid:
            raise
        except Exception as error:  # an expression of a template that fails: a problem at its line, if it was one
            if not template_frames(error):
                raise
            raise Invalid([template_problem(error)]) from None

    def fill_rows(self, page: bytes) -> bytes | None:
        """The page with each slot `rows` left in it filled, in one pass; None when a slot is
        missing or was changed (a template that filtered the rows further)."""
        assert self.slots is not None
        parts = page.split(b"\0")  # slots are between NULs, which no other text on a page has
        seen = 0
        for i in range(1, len(parts), 2):
            if parts[i] in (TEXT_SLOT_NAME, LINES_SLOT_NAME):
                parts[i] = b"\0" + parts[i] + b"\0"  # filled after (see SeedText.fill)
                continue
            if parts[i] != f"rows {seen}".encode():
                return None
            rows, root = self.slots[seen]
            parts[i] = b"\n".join(rows).replace(ROOT.encode(), root.encode())
            seen += 1
        return b"".join(parts) if seen == len(self.slots) and len(parts) % 2 else None

    @jinja2.pass_context
    def row(self, context: jinja2.runtime.Context, entry: Entry) -> Markup:
        """The `row` filter: an entry as listings show it (`_item.html`), made once for all pages.

        It is made with ROOT for the path back to the site's root, which each page then fills in.
        """
        return Markup(self.row_utf8(entry).decode("utf-8").replace(ROOT, context["root"]))

    @jinja2.pass_context
    def rows(self, context: jinja2.runtime.Context, entries: Iterable[Entry]) -> Markup:
        """The `rows` filter: entries as listings show them, one `row` a line, in one go.

        While a page is rendered it leaves a slot, filled with the rows' bytes once the page is
        bytes: the 10,000 rows of an index are then never joined into text, put in the page's
        text and encoded with it (with one emoji, text four bytes a character).
        """
        entries = list(entries)
        keys = map(self.row_salt.__add__, map(self.digests.__getitem__, map(FILE_OF, entries)))
        rows: list[Any] = list(map(self.remembered_rows.get, keys))  # by builtins: an index lists 10,000
        for i in itertools.compress(range(len(rows)), map(operator.not_, rows)):
            rows[i] = self.row_utf8(entries[i])
        if self.slots is None:
            return Markup(b"\n".join(rows).decode("utf-8").replace(ROOT, context["root"]))
        self.slots.append((rows, context["root"]))
        return Markup(f"\0rows {len(self.slots) - 1}\0")

    def row_utf8(self, entry: Entry) -> bytes:
        """An entry's row as UTF-8, with ROOT for the way back to the site's root; remembered
        as bytes (read from the memo without decoding, and joined into pages as they are)."""
        key = f"{self.row_salt}{self.digests[entry.doc.file]}"
        row = self.remembered_rows.get(key)
        if row is None:
            row = self.remembered_rows[key] = (
                self.theme.env.get_template("_item.html")
                .render(archive=self.site.info, stances=self.stances, root=ROOT, entry=entry)
                .rstrip("\n")
                .encode("utf-8")
            )
        return row


FILE_OF = operator.attrgetter("doc.file")
ROOT = "\0"
"""Stands for the way back to the site's root in a remembered row: NUL is in no text a page shows."""
