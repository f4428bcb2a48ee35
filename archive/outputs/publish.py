"""What a published site needs beside its pages: sitemap.xml, robots.txt, feed.atom, 404.html, .nojekyll.

All but `.nojekyll` need absolute addresses, so they are made only with a base address
(`--base-url` or `archive.base_url`); the build then says what it left out.

- `sitemap.xml` lists the pages that show something (the index, the about page, the stance
  and publisher lists and pages, every document page), by path; past 50,000 addresses it is
  a sitemap index over `sitemap-1.xml`, `sitemap-2.xml`, ... of 50,000 each.
- `robots.txt` names the sitemap (crawlers read it only at a host's root).
- `feed.atom` holds the FEED_SIZE documents latest in the archive's order (by the earliest day
  their date can be), newest first. An entry's id is a `tag:` URI made from the base
  address's host and path and the seed file name, so it never depends on the order, the
  title or the build; its `published` and `updated` stamps are the first instant its date
  can be (`2022-09` is `2022-09-01T00:00:00Z`), and its summary gives the date as recorded.
- `404.html`, which static hosts serve at any missing address: its links are absolute.
- `.nojekyll`, so that GitHub Pages serves every file as it is.
"""

from __future__ import annotations

import functools
import urllib.parse
from collections.abc import Iterable

from .. import GENERATOR, parts
from .. import VERSION as GENERATOR_VERSION
from ..dates import PartialDate
from ..derive import Entry, Site
from ..keys import digest
from ..render import Output, Planning
from .parted import part_paths

NAME = "publish"
VERSION = 2
FEED_SIZE = 50
"""How many documents the feed holds."""
SITEMAP_LIMIT = 50_000
"""The most addresses one sitemap file may list (sitemaps.org)."""
TAG_YEAR = "2026"
"""The date part of every `tag:` id: fixed, so that ids never change (RFC 4151 asks for a
date on which the host belonged to whoever mints the ids)."""
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def plan(planning: Planning) -> Iterable[Output]:
    """`.nojekyll` always; the rest only with a base address."""
    yield Output(".nojekyll", planning.key(NAME, VERSION, "nojekyll"), bytes)
    base_url = planning.maker.base_url
    if not base_url:
        return
    salt = planning.maker.row_salt  # the code, the archive and the base address
    yield from sitemaps(planning, base_url, salt)
    robots = f"User-agent: *\nAllow: /\nSitemap: {base_url}sitemap.xml\n".encode()
    yield Output("robots.txt", planning.key(NAME, VERSION, "robots", salt), functools.partial(bytes, robots))
    latest = list(planning.site.entries[-FEED_SIZE:][::-1])
    latest_digests = [planning.digests[entry.doc.file] for entry in latest]
    feed_key = planning.key(NAME, VERSION, "feed", salt, *latest_digests)
    yield Output("feed.atom", feed_key, functools.partial(feed, planning.site, latest, base_url))
    yield not_found_page(planning, base_url)


def site_pages(site: Site) -> list[str]:
    """The pages a sitemap lists, by path from the site root: every page that shows something,
    the parts of split listings and the pages of shared titles included; not the pages that
    send the reader on (aliases), nor compare.html, which shows nothing until its address names
    two documents."""
    pages = ["index.html", *part_paths("index", site.entries), "about.html", "timeline.html", "search.html"]
    for kind, groups in (("stances", site.stances), ("publishers", site.publishers)):
        count = len(parts.pages_of(len(groups), parts.GROUP_LIMIT))
        pages += [parts.numbered(f"{kind}/index.html", number) for number in range(1, count + 1)]
    for group in (*site.stances, *site.publishers):
        pages += [group.page, *part_paths(group.page.removesuffix(".html"), group.entries)]
    pages += [group.page for group in site.titles]
    pages += [entry.page for entry in site.entries]
    return pages


def sitemaps(planning: Planning, base_url: str, salt: str) -> Iterable[Output]:
    """`sitemap.xml`, or a sitemap index over parts when there are too many addresses for one file."""
    pages = site_pages(planning.site)
    if len(pages) <= SITEMAP_LIMIT:
        yield sitemap_output(planning, "sitemap.xml", pages, base_url, salt)
        return
    parts = [pages[start : start + SITEMAP_LIMIT] for start in range(0, len(pages), SITEMAP_LIMIT)]
    names = [f"sitemap-{number}.xml" for number in range(1, len(parts) + 1)]
    for name, part in zip(names, parts, strict=True):
        yield sitemap_output(planning, name, part, base_url, salt)
    index = sitemap_index(names, base_url)
    yield Output("sitemap.xml", planning.key(NAME, VERSION, "sitemap index", salt, *names), lambda: index)


def sitemap_output(planning: Planning, path: str, pages: list[str], base_url: str, salt: str) -> Output:
    """One sitemap file; its key digests the pages it lists."""
    key = planning.key(NAME, VERSION, "sitemap", salt, digest("\0".join(pages)))
    return Output(path, key, functools.partial(sitemap, pages, base_url))


def sitemap(pages: list[str], base_url: str) -> bytes:
    """A sitemap listing each page's address."""
    urls = "".join(f"<url><loc>{escape(base_url + quoted(page))}</loc></url>\n" for page in pages)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{SITEMAP_NS}">\n{urls}</urlset>\n'.encode()


def sitemap_index(names: list[str], base_url: str) -> bytes:
    """A sitemap index listing each part's address."""
    parts = "".join(f"<sitemap><loc>{escape(base_url + name)}</loc></sitemap>\n" for name in names)
    head = f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="{SITEMAP_NS}">\n'
    return f"{head}{parts}</sitemapindex>\n".encode()


@functools.lru_cache(maxsize=1 << 16)
def quoted(path: str) -> str:
    """A site path as it goes in an address."""
    return urllib.parse.quote(path)


def tag_id(base_url: str, specific: str) -> str:
    """A `tag:` URI (RFC 4151) minted under the base address's host and path."""
    parts = urllib.parse.urlsplit(base_url)
    return f"tag:{parts.hostname},{TAG_YEAR}:{parts.path}{specific}"


def entry_id(base_url: str, entry: Entry) -> str:
    """A document's id in the feed, from its seed file name: `tag:HOST,2026:/PATH/seeds/FILE`."""
    return tag_id(base_url, "seeds/" + urllib.parse.quote(entry.doc.file, safe=""))


def timestamp(date: PartialDate) -> str:
    """The first instant a date can be, as Atom's RFC 3339 asks: `2022-09` is `2022-09-01T00:00:00Z`."""
    return f"{date.earliest.isoformat()}T00:00:00Z"


def feed(site: Site, latest: list[Entry], base_url: str) -> bytes:
    """feed.atom: the latest documents, newest first."""
    info = site.info
    updated = timestamp(latest[0].doc.date) if latest else "1970-01-01T00:00:00Z"
    head = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang={quoteattr(info.language)}>',
        f"<title>{escape(info.title)}</title>",
        f"<id>{escape(tag_id(base_url, 'feed'))}</id>",
        f'<link rel="self" type="application/atom+xml" href={quoteattr(base_url + "feed.atom")}/>',
        f'<link rel="alternate" type="text/html" href={quoteattr(base_url + "index.html")}/>',
        f"<updated>{updated}</updated>",
        f"<author><name>{escape(info.title)}</name></author>",
        f"<generator>{escape(f'{GENERATOR} {GENERATOR_VERSION}')}</generator>",
    ]
    entries = [feed_entry(entry, base_url) for entry in latest]
    return ("\n".join([*head, *entries, "</feed>"]) + "\n").encode("utf-8")


def feed_entry(entry: Entry, base_url: str) -> str:
    """One document in the feed."""
    doc = entry.doc
    stamp = timestamp(doc.date)
    lang = f" xml:lang={quoteattr(doc.language)}" if doc.language else ""
    summary = f"{doc.publisher}, {doc.date.label} (recorded as {doc.date.text})."
    lines = [
        "<entry>",
        f"<title{lang}>{escape(doc.title)}</title>",
        f"<id>{escape(entry_id(base_url, entry))}</id>",
        f'<link rel="alternate" type="text/html" href={quoteattr(base_url + quoted(entry.page))}/>',
        f"<published>{stamp}</published>",
        f"<updated>{stamp}</updated>",
    ]
    if doc.author:
        lines.append(f"<author><name>{escape(doc.author)}</name></author>")
    lines += [f"<summary>{escape(summary)}</summary>", "</entry>"]
    return "\n".join(lines)


def not_found_page(planning: Planning, base_url: str) -> Output:
    """404.html: served at any missing address, so its links are absolute, from the base address."""
    maker = planning.maker
    key = planning.key(NAME, VERSION, "404", maker.salted("404.html"))

    def make() -> bytes:
        template = planning.theme.env.get_template("404.html")
        return template.render(
            archive=planning.site.info,
            stances=maker.stances,
            path="404.html",
            root=base_url,
            canonical="",
            base_url=base_url,
            generator=f"{GENERATOR} {GENERATOR_VERSION}",
            title="Page not found",
        ).encode("utf-8")

    return Output("404.html", key, make)


def escape(text: str) -> str:
    """Text with `&`, `<` and `>` escaped for XML (xml.sax.saxutils's: imported when first used,
    since it imports urllib.request, which every build's start would then import)."""
    from xml.sax.saxutils import escape

    return escape(text)


def quoteattr(text: str) -> str:
    """Text escaped and quoted as an XML attribute's value (xml.sax.saxutils's, imported when first used)."""
    from xml.sax.saxutils import quoteattr

    return quoteattr(text)
