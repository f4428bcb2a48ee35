"""What a browser would compute from our HTML, with the standard library's parser.

`verbatim_text` returns the text content of the `[data-verbatim]` element as the HTML spec
builds it (one newline right after `<pre>` dropped, CRLF and CR read as LF), reading each
`<span data-cp="U+XXXX">` marker back as the character it stands for.
"""

from __future__ import annotations

from html.parser import HTMLParser


class VerbatimParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.parts: list[str] = []
        self.found = 0
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("href", "src"):
            if values.get(name) is not None and tag in ("a", "link", "script", "img"):
                self.links.append(str(values[name]))
        if self.depth:
            self.depth += 1
            if "data-cp" in values:
                self.parts.append(chr(int(str(values["data-cp"])[2:], 16)))
        elif "data-verbatim" in values:
            self.depth = 1
            self.found += 1

    def handle_endtag(self, tag: str) -> None:
        if self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.parts.append(data)


def parse(html: str) -> VerbatimParser:
    parser = VerbatimParser()
    parser.feed(html)
    parser.close()
    return parser


def verbatim_text(html: str) -> str:
    """The text of the page's one `[data-verbatim]` element, as a browser would read it."""
    parser = parse(html)
    assert parser.found == 1, f"expected one [data-verbatim] element, found {parser.found}"
    text = "".join(parser.parts)
    return browser_newlines(text.removeprefix("\n"))


def browser_newlines(text: str) -> str:
    """CRLF and lone CR become LF, as the HTML parser's input stream does."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def links(html: str) -> list[str]:
    """Every href and src in the page."""
    return parse(html).links
