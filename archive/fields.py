"""Fields: one value of metadata.yaml read from its YAML node, or a message saying what is wrong.

Each reader takes a node and gives the value a record holds, or raises ValueError with the
message a user sees (the schema in archive/validate.py adds the field and its line).
"""

from __future__ import annotations

import codecs
import re
import urllib.parse
from collections.abc import Callable
from typing import Any

import yaml

from .addresses import site_address_problem
from .dates import latest_date, parse_date
from .problems import printable

TAG = "tag:yaml.org,2002:"
KINDS = {
    "str": "text",
    "int": "a number",
    "float": "a number",
    "bool": "true/false",
    "timestamp": "a date",
    "map": "a mapping",
    "seq": "a list",
    "null": "nothing",
}
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
PAGE_NAME = re.compile(r"[a-z0-9]+(?:--?[a-z0-9]+)*")
"""A page name the build may have given: a slug, or a slug with a suffix after `--` (see names.assign_names)."""
LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")
# What a page cannot carry as text (the characters archive/verbatim.py marks in a
# seed): refused in metadata, which is written by hand and not kept verbatim.
UNSHOWABLE = re.compile(
    "[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ud800-\udfff"
    + "".join(f"{chr(plane << 16 | 0xFFFE)}{chr(plane << 16 | 0xFFFF)}" for plane in range(17))
    + "]"
)
Reader = Callable[[yaml.Node], Any]


def read_text(node: yaml.Node) -> str:
    """A non-empty text value."""
    if not isinstance(node, yaml.ScalarNode) or node.tag != TAG + "str":
        kind = KINDS.get(node.tag.removeprefix(TAG), node.tag)
        if kind == "nothing":
            raise ValueError("is empty")
        raise ValueError(
            f"expected text, got {kind}" + (" (put it in quotes)" if isinstance(node, yaml.ScalarNode) else "")
        )
    if not node.value.strip():
        raise ValueError("is empty")
    bad = UNSHOWABLE.search(node.value)
    if bad:
        code = f"U+{ord(bad.group()):04X}"
        raise ValueError(f"holds the character {code}, which a page cannot show: remove it")
    return str(node.value)


def read_date(node: yaml.Node) -> Any:
    """An EDTF date, quoted or not (YAML reads an unquoted 2022-09-01 as a date).

    A date after the end of next year is refused as a typo; the bound depends on today's
    date, so it only ever decides whether a build runs, never what a page says.
    """
    example = "a date such as 2022-09-01, 2022-09 or 2022"
    if isinstance(node, yaml.ScalarNode) and (node.tag == TAG + "null" or not node.value.strip()):
        raise ValueError(f"is empty: write {example}")
    if not isinstance(node, yaml.ScalarNode):
        raise ValueError(f"expected {example}, got {KINDS.get(node.tag.removeprefix(TAG), node.tag)}")
    date = parse_date(printable(str(node.value).strip()))
    latest = latest_date()
    if date.earliest > latest:
        raise ValueError(f"'{date.text}' is in the future: dates up to {latest.isoformat()} are accepted")
    return date


def read_url(node: yaml.Node) -> str:
    """An absolute http or https address."""
    url = read_text(node).strip()
    wrong = f"'{printable(url)}' is not an http:// or https:// address"
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        raise ValueError(wrong) from None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(wrong)
    if any(char.isspace() for char in url):
        raise ValueError(f"{wrong}: it holds a space; write spaces as %20")
    return url


def read_language(node: yaml.Node) -> str:
    """A BCP 47 language tag such as en, zh-Hans or pt-BR."""
    tag = read_text(node).strip()
    if not LANGUAGE.fullmatch(tag):
        raise ValueError(f"'{printable(tag)}' is not a language tag such as en, zh-Hans or pt-BR")
    return tag


def read_slug(node: yaml.Node) -> str:
    """A page name: lowercase letters, digits and single hyphens."""
    slug = read_text(node)
    if not SLUG.fullmatch(slug):
        raise ValueError(f"'{printable(slug)}' is not a page name: use lowercase letters, digits and hyphens")
    return slug


def read_aliases(node: yaml.Node) -> tuple[str, ...]:
    """Earlier page names, as a list: each a page name the build gave (see PAGE_NAME), once."""
    if not isinstance(node, yaml.SequenceNode):
        kind = KINDS.get(node.tag.removeprefix(TAG), node.tag)
        raise ValueError(f"expected a list of earlier page names such as [old-name], got {kind}")
    if not node.value:
        raise ValueError("is an empty list: list earlier page names, or leave the field out")
    names: list[str] = []
    for item in node.value:
        name = read_text(item).strip().removesuffix(".html")
        if not PAGE_NAME.fullmatch(name):
            raise ValueError(f"'{printable(name)}' is not a page name: use lowercase letters, digits and hyphens")
        if name in names:
            raise ValueError(f"'{name}' is listed twice")
        names.append(name)
    return tuple(names)


def read_encoding(node: yaml.Node) -> str:
    """The name of a text encoding Python knows, such as windows-1252."""
    name = read_text(node).strip()
    try:
        codec = codecs.lookup(name)
    except LookupError:
        raise ValueError(
            f"'{printable(name)}' is not a known encoding (e.g. utf-8, windows-1252, latin-1, gb18030)"
        ) from None
    if not getattr(codec, "_is_text_encoding", True):
        raise ValueError(f"'{printable(name)}' is not a text encoding (e.g. utf-8, windows-1252, latin-1, gb18030)")
    return name


def read_base_url(node: yaml.Node) -> str:
    """Where the site will be published: an http or https address, ending in `/` (see addresses.py)."""
    url = read_url(node)
    wrong = site_address_problem(url)
    if wrong is not None:
        raise ValueError(f"'{printable(url)}' {wrong}")
    return url if url.endswith("/") else url + "/"


def read_flag(node: yaml.Node) -> bool:
    """true or false."""
    if isinstance(node, yaml.ScalarNode) and node.tag == TAG + "bool":
        return str(node.value).lower() in ("true", "yes", "on")
    raise ValueError(f"expected true or false, got {KINDS.get(node.tag.removeprefix(TAG), 'something else')}")
