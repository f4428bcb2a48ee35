"""Load: read metadata.yaml into YAML nodes that know their lines.

Nothing here judges the content beyond what reading it safely needs; `validate` does the rest.
The file is read as every input is (see archive/files.py), and checked event by event before
any node tree is built (so aliases are refused without ever being expanded, and deep nesting
cannot exhaust the parser's stack). The seeds are read by archive/seeds.py.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from .files import FileRule, MiB, read_file
from .problems import Invalid, Problem, printable, shown

MAX_METADATA_BYTES = 16 * MiB
MAX_LISTED = 20
"""At most this many characters YAML refuses are listed one by one."""
MAX_DEPTH = 20
"""Lists and mappings nested deeper than this are refused; metadata.yaml needs three levels."""

ALIAS = "anchors and aliases (&, *) are not supported: write the value out"
TOO_DEEP = (
    f"lists and mappings are nested more than {MAX_DEPTH} deep here;"
    " metadata.yaml needs three levels (section, record, field)"
)
LIBYAML_TOO_DEEP = "exceeded maximum nesting depth"
"""What libyaml (PyYAML 6.0.4 on) says, before any event, of nesting far deeper than MAX_DEPTH."""
SECOND_DOCUMENT = (
    "a second YAML document starts here: metadata.yaml is one document, so remove the '---' or the '...' before it"
)

TAG = "tag:yaml.org,2002:"
SCALAR_TAGS = {TAG + name for name in ("str", "int", "float", "bool", "null", "timestamp")}
COLLECTION_TAGS: dict[type[yaml.NodeEvent], str] = {
    yaml.SequenceStartEvent: TAG + "seq",
    yaml.MappingStartEvent: TAG + "map",
}
# Characters YAML does not allow in a file (its "printable" set, as PyYAML's reader has it).
NOT_YAML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")
"""What check_characters looks at: what YAML does not allow in a file (what is not in its
printable set), and U+2028 and U+2029, which it reads as line breaks (see SEPARATORS). Written
as the few ranges it refuses: the same class written as what it allows is slow to compile."""
YAML_BYTES = bytes(set(range(256)) - {*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F})
NOT_YAML_UTF8 = [
    (b"\xc2", re.compile(rb"\xc2[\x80-\x9f]")),  # C1 controls
    (b"\xe2\x80", re.compile(rb"\xe2\x80[\xa8\xa9]")),  # U+2028, U+2029
    (b"\xef\xbf", re.compile(rb"\xef\xbf[\xbe\xbf]")),  # U+FFFE, U+FFFF
]
"""The UTF-8 of what NOT_YAML finds beyond C0 controls and DEL (valid UTF-8 holds no surrogate):
a byte string to look for first, then a pattern that starts with it."""
YAML_LINE_BREAKS = "\x85\u2028\u2029"
"""Characters PyYAML reads as line breaks beyond LF and CR: U+0085 is refused wherever it is
(YAML folds it away), U+2028 and U+2029 where YAML would change the text (see SEPARATORS)."""
SEPARATORS = "\u2028\u2029"
"""LINE SEPARATOR and PARAGRAPH SEPARATOR. YAML 1.1 (libyaml) reads each as a line break
everywhere, but inside quotes it keeps the character itself (where a line end would fold into
a space) and, as at any line break, drops the spaces before it and the indentation after it:
`yaml.safe_dump(..., allow_unicode=True)` writes them so, raw in single quotes. So they are
accepted inside quotes and refused where YAML would change the text (see separator_problems).
A page shows them as themselves, in metadata as in a seed's text: they are not control
characters, and HTML carries them as text. libyaml counts them as line breaks in its marks
too; every line this package reports counts LF alone."""
LF = re.compile("\n")


METADATA_FILE = FileRule("metadata.yaml is a text file", "no such file: the archive's metadata lives here")


class Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The safe loader, reading `=` and `<<` as the text they look like, not YAML 1.1 specials."""

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag not in (TAG + "value", TAG + "merge")]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }


def load_metadata(path: Path) -> yaml.Node:
    """Parse metadata.yaml into a node tree, or raise Invalid with every problem found."""
    return parse_metadata(read_metadata(path), shown(path))


def read_metadata(path: Path) -> str:
    """metadata.yaml's text, refusing what is not a text YAML can read."""
    where = shown(path)
    data = read_file(path, MAX_METADATA_BYTES, METADATA_FILE)
    text = decode_metadata(data, where)
    if may_hold_not_yaml(data):
        check_characters(text, where)
    return text


def may_hold_not_yaml(data: bytes) -> bool:
    """False when valid UTF-8 holds nothing NOT_YAML finds: a search of its bytes, three times
    faster than NOT_YAML's over the text (which then says where each one is)."""
    if data.translate(None, YAML_BYTES):
        return True
    return any(first in data and pattern.search(data) for first, pattern in NOT_YAML_UTF8)


def parse_metadata(text: str, where: str) -> yaml.Node:
    """Parse metadata.yaml's text into a node tree, or raise Invalid with every problem found."""
    check_events(text, where)
    try:
        node = compose(text)
    except yaml.YAMLError as error:
        raise Invalid([yaml_problem(error, text, where)]) from None
    if node is None:
        raise Invalid([Problem(where, 1, "is empty: expected the sections archive, stances, documents")])
    return node


def compose(text: str) -> yaml.Node | None:
    """YAML's node tree of `text`, each node's marks on the line and column counted by LF alone."""
    node = yaml.compose(text, Loader=Loader)
    if node is not None and has_separators(text):
        recount_lines(node, text)
    return node


def has_separators(text: str) -> bool:
    """True when `text` holds U+2028 or U+2029 (see SEPARATORS)."""
    return "\u2028" in text or "\u2029" in text


def line_finder(text: str) -> Callable[[Any], int]:
    """The 1-based line of a mark in `text` (0 for no mark), counting LF alone: libyaml's own
    count, unless the text holds U+2028 or U+2029, which libyaml counts too."""
    if not has_separators(text):
        return lambda mark: mark.line + 1 if mark is not None else 0
    breaks = [match.start() for match in LF.finditer(text)]
    return lambda mark: bisect.bisect_left(breaks, mark.index) + 1 if mark is not None else 0


def recount_lines(root: yaml.Node, text: str) -> None:
    """Put every node's marks on the line and column counted by LF alone (see line_finder)."""
    breaks = [match.start() for match in LF.finditer(text)]

    def recounted(mark: yaml.Mark) -> yaml.Mark:
        line = bisect.bisect_left(breaks, mark.index)
        column = mark.index - (breaks[line - 1] + 1 if line else 0)
        return yaml.Mark(mark.name, mark.index, line, column, None, None)  # type: ignore[arg-type]  # no buffer, as libyaml's

    nodes = [root]
    while nodes:
        node = nodes.pop()
        node.start_mark, node.end_mark = recounted(node.start_mark), recounted(node.end_mark)
        if isinstance(node, yaml.MappingNode):
            nodes.extend(item for pair in node.value for item in pair)
        elif isinstance(node, yaml.SequenceNode):
            nodes.extend(node.value)


def decode_metadata(data: bytes, where: str) -> str:
    """Decode UTF-8 (a leading BOM is allowed and dropped), naming the first bad byte."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise Invalid([Problem(where, 1, "is UTF-16 (it starts with a UTF-16 byte order mark): save it as UTF-8")])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        byte = data[error.start]
        message = f"is not valid UTF-8: byte 0x{byte:02x} at offset {error.start}; save it as UTF-8"
        raise Invalid([Problem(where, line, message)]) from None


def check_characters(text: str, where: str) -> None:
    """Refuse the characters YAML forbids in a file, and U+2028 and U+2029 where YAML would
    change the text (see SEPARATORS), each with its line and column."""
    found: list[tuple[int, str]] = []
    separators = []
    for match in NOT_YAML.finditer(text):
        if match.group() in SEPARATORS:
            separators.append(match.start())
        elif match.group() in YAML_LINE_BREAKS:
            hint = escape_hint(match.group())
            found.append((match.start(), f"is read by YAML as a line break, which would change the text: {hint}"))
        else:
            found.append((match.start(), "is not allowed in YAML: remove it"))
    if separators:
        found.extend(separator_problems(text, separators))
    problems = [character_problem(text, where, at, message) for at, message in sorted(found)]
    if len(problems) > MAX_LISTED:
        more = len(problems) - MAX_LISTED
        problems = problems[:MAX_LISTED] + [Problem(where, 0, f"holds {more:,} more characters YAML does not allow")]
    if problems:
        raise Invalid(problems)


def character_problem(text: str, where: str, at: int, message: str) -> Problem:
    """A problem with the character at `at`, naming it, its line and its column."""
    line = text.count("\n", 0, at) + 1
    column = at - (text.rfind("\n", 0, at) + 1) + 1
    return Problem(where, line, f"character U+{ord(text[at]):04X} (column {column}) {message}")


def escape_hint(character: str) -> str:
    """How to write `character` so that YAML keeps it."""
    return f"write \\u{ord(character):04x} inside double quotes"


def separator_problems(text: str, separators: list[int]) -> list[tuple[int, str]]:
    """Where U+2028 or U+2029 (at `separators`, in order) would change the text, with what to say.

    Outside quotes (in a plain or block scalar, a comment, between values) YAML reads one as a
    line break; inside quotes it keeps it, unless something before it goes (see separator_message).
    What follows a YAML error is left to that error's message: where quotes are is not known there.
    """
    quoted, known_to = quoted_spans(text)
    starts = [start for start, _, _ in quoted]
    found = []
    for at in separators:
        if at >= known_to:
            break
        i = bisect.bisect_right(starts, at) - 1
        outside = i < 0 or at >= quoted[i][1]
        message = OUTSIDE_QUOTES + escape_hint(text[at]) if outside else separator_message(text, at, quoted[i][2])
        if message is not None:
            found.append((at, message))
    return found


OUTSIDE_QUOTES = "is read by YAML as a line break here, which would change the text: "


def separator_message(text: str, at: int, style: str) -> str | None:
    """What is wrong with U+2028 or U+2029 at `at`, inside quotes of `style`; None when YAML keeps
    the text as written: as at any line break there, YAML drops a space or tab before it, and in
    double quotes a backslash before it escapes it away."""
    if escaped(text, at, style):
        return (
            f"follows a backslash inside double quotes, which makes YAML drop it: write \\u{ord(text[at]):04x} instead"
        )
    if text[at - 1] in " \t" and not escaped(text, at - 1, style):
        space = "a space" if text[at - 1] == " " else "a tab"
        return f"follows {space} inside quotes, which YAML drops before a line break: {escape_hint(text[at])}"
    return None


def escaped(text: str, at: int, style: str) -> bool:
    """True when the character at `at` follows an odd run of backslashes in double quotes: an escape."""
    run = at
    while style == '"' and text[run - 1] == "\\":
        run -= 1
    return (at - run) % 2 == 1


def quoted_spans(text: str) -> tuple[list[tuple[int, int, str]], int]:
    """Where the quoted scalars of `text` are, as (start, end, style) in order, and how far YAML
    read it: to its end, or to where an error stopped it."""
    spans = []
    try:
        for token in yaml.scan(text, Loader=Loader):
            if isinstance(token, yaml.ScalarToken) and token.style in ("'", '"'):
                spans.append((token.start_mark.index, token.end_mark.index, str(token.style)))
    except yaml.YAMLError as error:
        marks = [getattr(error, name, None) for name in ("problem_mark", "context_mark")]
        return spans, min((mark.index for mark in marks if mark is not None), default=0)
    return spans, len(text)


def check_events(text: str, where: str, max_depth: int = MAX_DEPTH) -> None:
    """Read the YAML as a stream of events, refusing what metadata.yaml has no use for.

    Aliases (the way to blow a small file up to gigabytes), tags other than YAML's plain
    types, nesting deeper than MAX_DEPTH and a second document in the file. Nothing is
    built from the events, so nothing is ever expanded.
    """
    problems: list[Problem] = []
    depth = documents = 0
    line = line_finder(text)
    try:
        for event in yaml.parse(text, Loader=Loader):
            if isinstance(event, yaml.AliasEvent):
                problems.append(Problem(where, line(event.start_mark), ALIAS))
            elif isinstance(event, yaml.NodeEvent) and getattr(event, "tag", None) not in (None, "!"):
                problems.extend(tag_problem(event, where, line(event.start_mark)))
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > max_depth:
                    problems.append(Problem(where, line(event.start_mark), TOO_DEEP))
                    break
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            elif isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    problems.append(Problem(where, line(event.start_mark), SECOND_DOCUMENT))
                    break
    except yaml.YAMLError as error:
        problems.append(yaml_problem(error, text, where))
    if problems:
        raise Invalid(problems)


def tag_problem(event: yaml.NodeEvent, where: str, line: int) -> list[Problem]:
    """A problem for an explicit tag other than YAML's own plain types for this kind of node."""
    tag = getattr(event, "tag", None)
    if tag in (None, "!"):
        return []
    fitting = SCALAR_TAGS if isinstance(event, yaml.ScalarEvent) else {COLLECTION_TAGS[type(event)]}
    if tag in fitting:
        return []
    if tag in SCALAR_TAGS or tag in COLLECTION_TAGS.values():
        return [Problem(where, line, f"the tag '{printable(tag)}' does not fit this value: leave the tag out")]
    return [
        Problem(
            where, line, f"unknown tag '{printable(tag)}': metadata.yaml holds plain text, numbers, lists and mappings"
        )
    ]


def yaml_problem(error: yaml.YAMLError, text: str, where: str) -> Problem:
    """A YAML syntax error as a problem at its line and column."""
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    if mark is None:
        return Problem(where, 0, f"YAML error: {printable(str(error))}")
    what = getattr(error, "problem", None) or getattr(error, "context", None) or "syntax error"
    line = line_finder(text)(mark)
    if what == LIBYAML_TOO_DEEP:
        return Problem(where, line, TOO_DEEP)
    at_tab = text[mark.index : mark.index + 1] == "\t"
    hint = "; a tab is there: indent with spaces, YAML does not allow tabs" if at_tab else ""
    column = mark.index - text.rfind("\n", 0, mark.index) if has_separators(text) else mark.column + 1
    return Problem(where, line, f"YAML syntax error (column {column}): {printable(what)}{hint}")
