"""Theme: the templates and static files, and the filters the templates make pages with.

Templates are Jinja2's, loaded from the archive's own `templates/` over the project's, and
compiled once: the store keeps them compiled from build to build (see CompiledTemplates). A
template's key digests it and every template it names (see `Theme.template_key`), so that a
page is made again when any template it is made with changes. `{{ ... }}` output is escaped as
markupsafe does (see PageTemplate); the filters show a document's text verbatim, its citation
and its description, and Markdown from metadata.yaml.
"""

from __future__ import annotations

import functools
import operator
import urllib.parse
from collections.abc import Callable, MutableMapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import jinja2.bccache
import jinja2.meta
from markupsafe import Markup

from . import citation, fingerprint
from .citation import HTML_ESCAPE
from .derive import Entry, Site
from .keys import digest, page_key
from .problems import Invalid, Problem, printable, shown
from .verbatim import verbatim, verbatim_lines

if TYPE_CHECKING:
    from .store import Store


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
        self.env = ThemeEnvironment(
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


class ThemeEnvironment(jinja2.Environment):
    """Jinja's environment, compiling a template from the tree `template_closure` parsed it
    into when it did: a template the store does not have compiled is then parsed once a build,
    not twice (parsing is about half of compiling)."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.parsed: dict[tuple[str | None, str], jinja2.nodes.Template] = {}
        """(name, source) -> the template's tree, until it is compiled."""

    def compile(
        self,
        source: str | jinja2.nodes.Template,
        name: str | None = None,
        filename: str | None = None,
        raw: bool = False,
        defer_init: bool = False,
    ) -> Any:
        tree = self.parsed.pop((name, source), None) if isinstance(source, str) else None
        given = source if tree is None else tree
        if raw:
            return super().compile(given, name, filename, raw=True, defer_init=defer_init)
        return super().compile(given, name, filename, raw=False, defer_init=defer_init)


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


def template_closure(env: ThemeEnvironment, name: str, remembered: dict[str, str], found: dict[str, str]) -> set[str]:
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
                env.parsed[current, source] = tree  # compiled from it, when it is compiled
                remembered[key] = "\0".join(n for n in jinja2.meta.find_referenced_templates(tree) if n)
        except jinja2.TemplateError as error:
            raise Invalid([template_problem(error)]) from None
        except UnicodeDecodeError as error:
            raise Invalid([template_source_problem(env, current, error)]) from None
        found[key] = remembered[key]
        pending.extend(n for n in remembered[key].split("\0") if n)
    return seen


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


def template_problem(error: Exception) -> Problem:
    """A template error (from a user's own template) as a problem at its line: Jinja's own, or
    any other an expression of the template raised (`{{ 1 / 0 }}`, `{{ "a" + 1 }}`)."""
    if isinstance(error, jinja2.TemplateSyntaxError):
        where = shown(Path(error.filename)) if error.filename else f"templates/{error.name}"
        return Problem(where, error.lineno, error.message or "syntax error")
    in_templates = template_frames(error)
    name, line = in_templates[-1] if in_templates else ("templates", 0)
    where = shown(Path(name)) if in_templates else name
    return Problem(where, line, f"{printable(str(error))} (while rendering a page: {type(error).__name__})")


def template_frames(error: BaseException) -> list[tuple[str, int]]:
    """The template files (and lines) an error passed through, innermost last."""
    import traceback  # only here: a build with no template error need not import it

    frames = [(frame.f_code.co_filename, line) for frame, line in traceback.walk_tb(error.__traceback__)]
    return [(name, line) for name, line in frames if name.endswith(".html")]


def template_source_problem(env: jinja2.Environment, name: str, error: UnicodeDecodeError) -> Problem:
    """A template whose bytes are not UTF-8, as a problem at the line of the first bad byte."""
    loader = env.loader
    folders = loader.searchpath if isinstance(loader, jinja2.FileSystemLoader) else []
    path = next(
        (Path(folder) / name for folder in folders if (Path(folder) / name).is_file()), Path("templates") / name
    )
    line = error.object[: error.start].count(b"\n") + 1
    byte = f"byte 0x{error.object[error.start]:02x} at offset {error.start}"
    return Problem(shown(path), line, f"is not valid UTF-8: {byte}; save it as UTF-8")
