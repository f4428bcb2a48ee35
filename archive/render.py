"""Render: plan every file of the site as an Output whose key says what it is made from.

An Output's `key` is a digest of everything its bytes depend on (its data, its templates,
the generator's own code), computed without rendering. The write stage renders only the
outputs whose key changed since the last build, and writes only those whose bytes changed.
Nothing here touches the output folder.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import operator
import os
import re
import urllib.parse
from collections.abc import Callable, Iterable, MutableMapping
from pathlib import Path
from typing import Any, NamedTuple

import jinja2
import jinja2.bccache
import jinja2.meta
from markupsafe import Markup

from . import GENERATOR, VERSION, citation, fingerprint
from .citation import HTML_ESCAPE
from .derive import Entry, Placement, Site
from .load import MAX_SEED_BYTES, SEED_FILE, read_file
from .model import Document
from .problems import Invalid, Problem, printable, shown
from .store import Store

# Characters HTML cannot carry as text: C0 controls but tab, LF and CR; DEL and C1 controls;
# noncharacters; lone surrogates. Each is shown as a visible marker instead (see `verbatim`).
# The noncharacters beyond the BMP get a pattern of their own: in one character class they
# make the common case (a text with none of these) ten times slower to scan.
UNSHOWABLE_BMP = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff\ud800-\udfff]")
ASTRAL_NONCHARACTERS = [chr(plane << 16 | low) for plane in range(1, 17) for low in (0xFFFE, 0xFFFF)]
UNSHOWABLE_ASTRAL = re.compile("[" + "".join(ASTRAL_NONCHARACTERS) + "]")


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
    sent back to the build's own process (see write.make_outputs), which keeps it."""

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


MADE = ("rows", "lines", "csv", "markdown", "search", "terms")
"""The parts of the memo that outputs add to while they are made (see Remembering)."""
RECALLED = ("terms",)
"""The parts of MADE that are not read whole before the plan: an output reads the entries it
needs from the store when it is made (`Planning.recall`), what it makes is remembered, and the
keys it no longer uses are forgotten (`Planning.dropped`). For facts too large to read every
build: each document's search terms (see outputs/search)."""


def marker(match: re.Match[str]) -> str:
    """The stand-in for one character HTML cannot carry: an element naming its code point."""
    code = f"U+{ord(match.group()):04X}"
    return f'<span class="cp" role="img" aria-label="{code}" data-cp="{code}"></span>'


def verbatim(text: str | SeedText) -> Markup:
    """A document's text for the inside of `<pre data-verbatim>`, exactly as it is.

    The leading newline is eaten by the HTML parser after `<pre>`, so a text that starts
    with its own newline keeps it. A browser's `textContent` of the element equals the text,
    with CRLF and CR read as LF, and each character HTML cannot carry replaced by an empty
    `<span data-cp="U+XXXX">` in its place.

    Given a page's `text` itself (not called), a UTF-8 text with no such character goes into
    the page as its escaped bytes, without being decoded (see SeedText).
    """
    if isinstance(text, SeedText):
        if text.escaped() is not None:
            return Markup("\n" + SeedText.SLOT)
        text = text()
    escaped = UNSHOWABLE_BMP.sub(marker, escape_text(text))
    if any(character in text for character in ASTRAL_NONCHARACTERS):
        escaped = UNSHOWABLE_ASTRAL.sub(marker, escaped)
    return Markup("\n" + escaped)


def verbatim_lines(text: str | SeedText) -> Markup:
    """`verbatim`, each line of the text in its own `<span id="LN">` (N from 1), so that
    `#L42` is an address, without script, of the line ADDRESSES.md counts as line 42: what
    follows the 41st line ending, where LF, CRLF and a lone CR each end a line. A text's
    last line ending starts no line of its own.

    The spans hold only the text: its text content stays the seed's text, and line numbers
    are drawn by CSS. A UTF-8 text goes in as bytes, as with `verbatim` (see SeedText).
    """
    if isinstance(text, SeedText):
        if text.escaped() is not None:
            return Markup("\n" + SeedText.LINES_SLOT)
        text = text()
    return Markup("\n" + lines_text(str(verbatim(text))[1:]))


LINE_ENDS = re.compile("(\r\n|\r|\n)")
LINE_ENDS_UTF8 = re.compile(b"(\r\n|\r|\n)")
LINE_STARTS: list[str] = []
LINE_STARTS_UTF8: list[bytes] = []
"""`<span id="LN">` for N from 1, made once for every text: a build of 10,000 documents
has 300,000 lines, and formatting each line's start again costs more than wrapping it."""
LINE_BREAKS_UTF8: list[bytes] = []
"""`</span>` LF `<span id="LN">` for N from 2: where one line of a text ends and the next starts."""


def lines_text(escaped: str) -> str:
    """Escaped text with each line in its `<span id="LN">` (see verbatim_lines)."""
    if "\r" in escaped:
        parts = LINE_ENDS.split(escaped)
        lines, ends = parts[0::2], parts[1::2]
    else:
        lines = escaped.split("\n")
        ends = ["\n"] * (len(lines) - 1)
    if lines[-1]:
        ends.append("")
    else:
        lines.pop()
    for n in range(len(LINE_STARTS) + 1, len(lines) + 1):
        LINE_STARTS.append(f'<span id="L{n}">')
    return "".join(itertools.chain.from_iterable(zip(LINE_STARTS, lines, itertools.repeat("</span>"), ends)))


def lines_utf8(escaped: bytes) -> bytes:
    """`lines_text` for escaped UTF-8 bytes, without decoding them."""
    if b"\r" in escaped:
        parts = LINE_ENDS_UTF8.split(escaped)
        lines, ends = parts[0::2], parts[1::2]
        if lines[-1]:
            ends.append(b"")
        else:
            lines.pop()
        starts = line_starts_utf8(len(lines))
        return b"".join(itertools.chain.from_iterable(zip(starts, lines, itertools.repeat(b"</span>"), ends)))
    lines = escaped.split(b"\n")  # LF only (most texts): each line ending and the next start are one piece
    last = lines.pop()  # the text after the last line ending: a line of its own unless empty
    count = len(lines)
    starts = line_starts_utf8(count + 1)
    pieces: list[bytes] = [b""] * (2 * count)
    pieces[0::2] = [starts[0], *LINE_BREAKS_UTF8[: count - 1]] if count else []
    pieces[1::2] = lines
    if count:
        pieces.append(b"</span>\n")
    if last:
        pieces += (starts[count], last, b"</span>")
    return b"".join(pieces)


def line_starts_utf8(count: int) -> list[bytes]:
    """LINE_STARTS_UTF8, made to hold at least `count` starts (and LINE_BREAKS_UTF8 as many)."""
    for n in range(len(LINE_STARTS_UTF8) + 1, count + 1):
        LINE_STARTS_UTF8.append(b'<span id="L%d">' % n)
        if n > 1:
            LINE_BREAKS_UTF8.append(b'</span>\n<span id="L%d">' % n)
    return LINE_STARTS_UTF8


SHOWABLE_BYTES = b"\t\n\r" + bytes(range(0x20, 0x7F)) + bytes(range(0x80, 0x100))
MARKED_UTF8 = [
    (b"\xc2", re.compile(rb"\xc2[\x80-\x9f]")),  # C1 controls
    (b"\xef", re.compile(rb"\xef\xb7[\x90-\xaf]")),  # U+FDD0-FDEF
    (b"\xbf", re.compile(rb"\xbf[\xbe\xbf]")),  # U+FFFE, U+FFFF, U+1FFFE, ... (and a few other characters)
]
"""The UTF-8 of characters `verbatim` marks, beyond C0 controls and DEL: a byte to look for
first (a quick search), then a pattern that starts with it."""


def escaped_utf8(data: bytes) -> bytes | None:
    """UTF-8 text escaped as `escape_text` escapes it, as bytes; None when it may hold a character
    `verbatim` must mark (then the text takes the string path). None is sometimes too careful;
    bytes are always exactly `escape_text(data.decode())` encoded."""
    if data.translate(None, SHOWABLE_BYTES):
        return None  # a C0 control or DEL
    if any(first in data and pattern.search(data) for first, pattern in MARKED_UTF8):
        return None
    return (
        data.replace(b"&", b"&amp;")
        .replace(b"<", b"&lt;")
        .replace(b">", b"&gt;")
        .replace(b'"', b"&#34;")
        .replace(b"'", b"&#39;")
    )


class SeedText:
    """A document's text on its page (`text` in the template): called, it is the text as a string.

    Through the `verbatim` filter uncalled (`{{ text|verbatim }}`), a UTF-8 text goes into the
    page as escaped bytes: the template puts SLOT where it goes, and the page's bytes get the
    text's in its place. A long text is then never decoded, escaped as a string, joined into
    the page and encoded again.
    """

    SLOT = "\0text\0"
    """Stands for the text in the rendered page: NUL is in no other text a page shows."""
    LINES_SLOT = "\0lines\0"
    """Stands for the text in lines (see verbatim_lines)."""

    def __init__(self, seeds: SeedReader, doc: Document) -> None:
        self.seeds, self.doc = seeds, doc
        self._escaped: bytes | None = None
        self._tried = False

    def __call__(self) -> str:
        return self.seeds.text(self.doc)

    def __str__(self) -> str:
        """`{{ text }}` on its own is the text too (escaped, like any value)."""
        return self()

    def escaped(self) -> bytes | None:
        """The text's escaped UTF-8 bytes, or None when it must take the string path."""
        if not self._tried:
            self._tried = True
            if self.doc.encoding is None:
                self._escaped = escaped_utf8(self.seeds.read(self.doc))
        return self._escaped

    def fill(self, page: bytes) -> bytes:
        """The rendered page with the text in each slot the template left for it."""
        escaped = self._escaped
        if escaped is None:
            return page
        parts = page.split(b"\0")
        if len(parts) == 3 and parts[1] == LINES_SLOT_NAME:  # one slot, for its lines (document.html)
            return b"".join((parts[0], lines_utf8(escaped), parts[2]))
        if LINES_SLOT_UTF8 in page:
            page = page.replace(LINES_SLOT_UTF8, lines_utf8(escaped))
        return page.replace(self.SLOT.encode(), escaped)


def escape_text(text: str) -> str:
    """The text escaped as markupsafe's `escape` does it, in half its time on a long text with
    characters beyond ASCII (five passes of `str.replace` beat its one pass there)."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;").replace("'", "&#39;")
    )


def json_ld_script(entry: Entry, archive: str, base_url: str) -> Markup:
    """The `json_ld` filter: a document's schema.org description for the inside of
    `<script type="application/ld+json">`, escaped so that nothing in it ends the element."""
    return Markup(citation.json_ld_text(citation.json_ld(entry, archive, base_url)))


def cite_meta_tags(entry: Entry, archive: str, base_url: str) -> Markup:
    """The `cite_meta_tags` filter: a document's citation `<meta>` tags, one a line (see
    citation.page_meta_html)."""
    return Markup(citation.page_meta_html(entry, archive, base_url))


def chicago_html(entry: Entry, archive: str, base_url: str, language: str) -> Markup:
    """The `chicago` filter: a document's Chicago citation as HTML (see citation.chicago_html)."""
    return Markup(citation.chicago_html(entry, archive, base_url, language))


def markdown(text: str) -> Markup:
    """Markdown from metadata.yaml, with raw HTML disabled and unsafe links refused."""
    return Markup(markdown_renderer()(text))


@functools.cache
def markdown_renderer() -> Callable[[str], str]:
    """markdown-it as the site uses it; imported when first needed (a rebuild seldom is)."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False}).render


class RememberedMarkdown:
    """The `markdown` filter, remembering what it made from build to build: rendering one
    listing page after an addition then needs no Markdown parser."""

    def __init__(self, site: Site, salt: str, memo: dict[str, str]) -> None:
        self.salt, self.memo = salt, memo
        texts = {site.info.description, *(t.description for t in site.info.stances)}
        texts.update(filter(None, map(NOTE_OF, site.entries)))  # by builtins: 10,000 entries
        cut = len(salt)
        for key in [k for k in memo if k[:cut] != salt or k[cut:] not in texts]:
            del memo[key]  # made by other code, or from text the archive no longer has

    def __call__(self, text: str) -> Markup:
        key = self.salt + text
        if key not in self.memo:
            self.memo[key] = markdown_renderer()(text)
        return Markup(self.memo[key])


NOTE_OF = operator.attrgetter("doc.note")


def escape_output(value: Any) -> str:
    """What `{{ value }}` puts in a page: markupsafe's `escape(value)`, as the same text but a
    plain string. A page's pieces are only joined, never marked safe again, and making a
    Markup of each of its hundred pieces costs more than escaping them."""
    if type(value) is str:
        return HTML_ESCAPE(value)
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return HTML_ESCAPE(str(value))


class PageTemplate(jinja2.Template):
    """A Jinja template whose `{{ ... }}` output is escaped by `escape_output`.

    Jinja's compiled code escapes each output through the name `escape` of the template's
    module, and uses that name for nothing else: only that one name is changed, so the code
    Jinja compiles (and the store keeps) is Jinja's own."""

    @classmethod
    def _from_namespace(
        cls, environment: jinja2.Environment, namespace: MutableMapping[str, Any], globals: MutableMapping[str, Any]
    ) -> jinja2.Template:
        namespace["escape"] = escape_output
        return super()._from_namespace(environment, namespace, globals)


class Theme:
    """Templates and static files, with the digests that say when they changed."""

    def __init__(
        self,
        template_dirs: list[Path],
        static_dirs: list[Path],
        store: Store | None = None,
        references: dict[str, str] | None = None,
    ) -> None:
        """`store`: where the compiled templates are kept from build to build.
        `references`: the templates each template's source names, as an earlier build found them
        (see template_closure); what this build finds is in `self.references` afterwards."""
        self.compiled = CompiledTemplates(store) if store else None
        self.env = jinja2.Environment(
            bytecode_cache=self.compiled,
            loader=jinja2.FileSystemLoader([str(d) for d in template_dirs]),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,  # one build reads each template once; no stat per page
        )
        self.env.template_class = PageTemplate
        self.env.filters["markdown"] = markdown
        self.env.filters["verbatim"] = verbatim
        self.env.filters["verbatim_lines"] = verbatim_lines
        self.env.filters["link"] = link
        self.env.filters["number"] = "{:,}".format
        self.env.filters["chicago"] = chicago_html
        self.env.filters["cite_meta"] = citation.page_meta
        self.env.filters["cite_meta_tags"] = cite_meta_tags
        self.env.filters["cite_path"] = citation.cite_path
        self.env.filters["json_ld"] = json_ld_script
        self.env.globals["cite_formats"] = citation.CITE_FORMATS
        self.static: dict[str, Path] = {}
        """Site path (`static/...`) -> file; the later folder wins."""
        for folder in static_dirs:
            for path in sorted(folder.rglob("*")):
                if path.is_file() and not path.name.startswith("."):
                    self.static["static/" + path.relative_to(folder).as_posix()] = path
        self.static = dict(sorted(self.static.items()))
        self.code = store.generator if store else fingerprint.generator()
        """Digest of the generator's own code and its libraries, the store's version (see
        fingerprint.generator): a change to them re-renders everything."""
        self._template_keys: dict[str, str] = {}
        self.planned: set[str] = set()
        """The templates the keys were made of: those the planned pages use."""
        self.remembered = references if references is not None else {}
        self.references: dict[str, str] = {}

    def template_key(self, name: str) -> str:
        """Digest of a template and every template it extends, includes or imports."""
        if name not in self._template_keys:
            loader = self.env.loader
            assert loader is not None
            names = sorted(template_closure(self.env, name, self.remembered, self.references))
            self._template_keys[name] = digest(*(n + "\0" + loader.get_source(self.env, n)[0] for n in names))
            self.planned.update(names)
        return self._template_keys[name]

    def compile_planned(self) -> None:
        """Load, here, every template the planned pages use: from the store when an earlier
        build compiled it, else compiled now and kept there. Worker processes then inherit them
        compiled (what a worker compiles is lost with it)."""
        for name in sorted(self.planned):
            self.env.get_template(name)


class CompiledTemplates(jinja2.BytecodeCache):
    """Templates compiled by an earlier build, kept in the store by Jinja's bucket key.

    All are read at once, in the build's own process: worker processes that load a template
    find it here without asking the store. `live` names those this build loaded: the others
    (of templates since changed or removed) are not kept."""

    def __init__(self, store: Store) -> None:
        self.store, self.compiled = store, store.all("compiled")
        self.live: set[str] = set()

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.live.add(bucket.key)
        data = self.compiled.get(bucket.key)
        if isinstance(data, bytes):
            try:
                bucket.bytecode_from_string(data)  # Jinja checks its own version and the template's source
            except Exception:  # noqa: BLE001 - anything wrong with a cache means compiling again
                bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.live.add(bucket.key)
        self.compiled[bucket.key] = bucket.bytecode_to_string()
        self.store.remember("compiled", {bucket.key: self.compiled[bucket.key]})


def template_closure(env: jinja2.Environment, name: str, remembered: dict[str, str], found: dict[str, str]) -> set[str]:
    """The template and all it references, for its digest; a syntax error is a problem to report.

    What a template references depends on its source alone: `remembered` holds it by the
    template's name and source digest, as earlier builds parsed it, and `found` gets it for
    the next (parsing every template costs an incremental build more than rendering does).
    """
    assert env.loader is not None
    seen: set[str] = set()
    pending = [name]
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        try:
            source, filename, _ = env.loader.get_source(env, current)
            key = page_key(current, source)
            if key not in remembered:
                tree = env.parse(source, current, filename)
                remembered[key] = "\0".join(n for n in jinja2.meta.find_referenced_templates(tree) if n)
        except jinja2.TemplateError as error:
            raise Invalid([template_problem(error)]) from None
        found[key] = remembered[key]
        pending.extend(n for n in remembered[key].split("\0") if n)
    return seen


def digest(*parts: object) -> str:
    """A short, stable digest of the parts: bytes and text as they are, anything else as its repr
    (a part of each kind at each place: the digests of 10,000 entries joined are not repr'd)."""
    hasher = hashlib.sha256()
    for part in parts:
        if isinstance(part, bytes):
            hasher.update(part)
        else:
            hasher.update((part if isinstance(part, str) else repr(part)).encode("utf-8", "surrogatepass"))
        hasher.update(b"\0")
    return hasher.hexdigest()[:32]


def page_key(*parts: str) -> str:
    """A short, stable digest of text parts (for the many keys computed on every build)."""
    return hashlib.blake2b("\0".join(parts).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


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
    """The parts of the memo the outputs add to (MADE)."""
    digests: dict[str, str]
    """Each entry's digest, by its file, in the entries' order."""
    salted: str
    """What every document page's key is made from besides its entries' digests."""
    keys: list[str]
    """Each document page's key, in the entries' order."""
    dropped: dict[str, set[str]]
    """Keys of the RECALLED parts that the site no longer uses, by part."""


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
        recall: Callable[[str, Iterable[str]], dict[str, Any]] | None = None,
    ) -> None:
        self.site, self.theme, self.last = site, theme, last
        self.recall = recall or nothing_recalled
        """The entries of a RECALLED part with these keys, those the store has (the store's `get`;
        nothing in a worker process, which then makes them again)."""
        self.dropped: dict[str, set[str]] = {part: set() for part in RECALLED}
        """Keys of the RECALLED parts the site no longer uses: forgotten after the write."""
        self.seeds_dir = seeds_dir
        """The archive's seeds/ (its parent holds metadata.yaml)."""
        self.made = {part: Remembering(memo.get(part, {})) for part in MADE}
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
    recall: Callable[[str, Iterable[str]], dict[str, Any]] | None = None,
) -> Plan:
    """Every file of the site, as Outputs: what each producer of archive/outputs plans, in turn.

    `memo` holds what earlier builds made of each entry: listing rows (`rows`, digest -> HTML),
    metadata.json lines (`lines`, digest -> JSON), both as UTF-8, and Markdown (`markdown`,
    text -> HTML). What is made now is added to it and what no entry needs any more is dropped,
    so that a rebuild that lists 10,000 documents makes only the new ones. `last`, the
    placement the site was placed from (site.patch), gives the digests and page keys of the
    documents that did not change. `recall` reads the entries of a RECALLED part by key (the
    store's `get`).
    """
    from .outputs import PRODUCERS

    planning = Planning(site, theme, base_url, seeds_dir, memo if memo is not None else {}, last, recall)
    outputs = [output for producer in PRODUCERS for output in producer.plan(planning)]
    theme.compile_planned()
    return Plan(outputs, planning.made, planning.digests, planning.salted, planning.keys, planning.dropped)


def nothing_recalled(part: str, keys: Iterable[str]) -> dict[str, Any]:
    """What a build without a store recalls: nothing."""
    return {}


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


class SeedReader:
    """Reads a seed for its page and its raw copy, once for both, checking it is still the same file.

    The SHA-256 on a page is the SHA-256 of the bytes it shows and of the raw copy: a seed
    that changed since it was validated stops the build.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.last: tuple[str, bytes] = ("", b"")

    def read(self, doc: Document) -> bytes:
        if self.last[0] == doc.file:
            return self.last[1]
        path = os.path.join(self.folder, doc.file)
        data = read_file(path, MAX_SEED_BYTES, SEED_FILE)
        if hashlib.sha256(data).hexdigest() != doc.sha256:
            raise Invalid([Problem(shown(path), 0, "changed while the site was being built; build again")])
        self.last = (doc.file, data)
        return data

    def text(self, doc: Document) -> str:
        return self.read(doc).decode(doc.encoding or "utf-8")


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
TEXT_SLOT_NAME = SeedText.SLOT.strip("\0").encode()
LINES_SLOT_NAME = SeedText.LINES_SLOT.strip("\0").encode()
LINES_SLOT_UTF8 = SeedText.LINES_SLOT.encode()
ROOT = "\0"
"""Stands for the way back to the site's root in a remembered row: NUL is in no text a page shows."""


@jinja2.pass_context
def link(context: jinja2.runtime.Context, target: str) -> str:
    """The `link` filter: a site path as an href relative to the page (`{{ entry.page|link }}`).

    `root` is read as `context["root"]` reads it (the template's own variables, then what the
    page was rendered with), without the method calls: a page has twenty links."""
    own = context.vars
    return str(own["root"] if "root" in own else context.parent["root"]) + quoted(target)


@functools.lru_cache(maxsize=1 << 16)
def quoted(target: str) -> str:
    """A site path as it goes in an href."""
    return urllib.parse.quote(target)


def template_problem(error: jinja2.TemplateError) -> Problem:
    """A template error (from a user's own template) as a problem at its line."""
    if isinstance(error, jinja2.TemplateSyntaxError):
        where = shown(Path(error.filename)) if error.filename else f"templates/{error.name}"
        return Problem(where, error.lineno, error.message or "syntax error")
    import traceback  # only here: a build with no template error need not import it

    frames = [(frame.f_code.co_filename, line) for frame, line in traceback.walk_tb(error.__traceback__)]
    in_templates = [(name, line) for name, line in frames if name.endswith(".html")]
    name, line = in_templates[-1] if in_templates else ("templates", 0)
    where = shown(Path(name)) if in_templates else name
    return Problem(where, line, f"{printable(str(error))} (while rendering a page: {type(error).__name__})")
