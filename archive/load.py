"""Load: read metadata.yaml into YAML nodes that know their lines, and every seed as bytes.

Nothing here judges the content beyond what reading it needs; `validate` does the rest.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import yaml

from .model import Seed
from .problems import Invalid, Problem, shown

KNOWN_TAGS = {
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")
}
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_metadata(path: Path) -> yaml.Node:
    """Parse metadata.yaml into a node tree, or raise Invalid with every problem found."""
    where = shown(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise Invalid([Problem(where, 0, "no such file: the archive's metadata lives here")])
    except OSError as error:
        raise Invalid([Problem(where, 0, f"cannot be read: {error.strerror}")])
    text = decode_utf8(data, where)
    try:
        node = yaml.compose(text, Loader=Loader)
    except yaml.MarkedYAMLError as error:
        raise Invalid([yaml_problem(error, text, where)])
    if node is None:
        raise Invalid([Problem(where, 1, "is empty: expected the sections archive, stances, documents")])
    check_nodes(node, text, where)
    return node


def decode_utf8(data: bytes, where: str) -> str:
    """Decode UTF-8 (a leading BOM is allowed and dropped), naming the first bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise Invalid([Problem(where, line, f"is not valid UTF-8: byte 0x{data[error.start]:02x} at offset {error.start}")])


def yaml_problem(error: yaml.MarkedYAMLError, text: str, where: str) -> Problem:
    """A YAML syntax error as a problem at its line and column."""
    mark = error.problem_mark or error.context_mark
    line = mark.line + 1 if mark else 0
    column = f" (column {mark.column + 1})" if mark else ""
    what = error.problem or error.context or "syntax error"
    at_tab = mark is not None and text[mark.index : mark.index + 1] == "\t"
    hint = "; a tab is there: indent with spaces, YAML does not allow tabs" if at_tab else ""
    return Problem(where, line, f"YAML syntax error{column}: {what}{hint}")


def check_nodes(root: yaml.Node, text: str, where: str) -> None:
    """Refuse tags metadata.yaml has no use for, and aliases (a way to blow up its size)."""
    problems: list[Problem] = []
    seen: set[int] = set()
    aliased = False
    stack = [root]
    while stack:
        node = stack.pop()
        line = node.start_mark.line + 1
        if id(node) in seen:
            aliased = True
            continue
        seen.add(id(node))
        if node.tag not in KNOWN_TAGS:
            problems.append(Problem(where, line, f"unknown tag '{node.tag}': metadata.yaml holds plain text, numbers, lists and mappings"))
        if isinstance(node, yaml.MappingNode):
            stack.extend(part for pair in node.value for part in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    if aliased:
        problems.extend(alias_problems(text, where))
    if problems:
        raise Invalid(problems)


def alias_problems(text: str, where: str) -> list[Problem]:
    """A problem at every alias: the node tree cannot tell where an alias stood, the tokens can."""
    return [
        Problem(where, token.start_mark.line + 1, "anchors and aliases (&, *) are not supported: write the value out")
        for token in yaml.scan(text, Loader=Loader)
        if isinstance(token, yaml.AliasToken)
    ]


def load_seeds(folder: Path) -> tuple[dict[str, Seed] | None, list[Problem]]:
    """Read every file in `seeds/` (hidden files aside) as bytes, with problems for the rest.

    None instead of the seeds when the folder is missing.
    """
    if not folder.is_dir():
        return None, [Problem(shown(folder), 0, "no such folder: put one file per document here")]
    seeds: dict[str, Seed] = {}
    problems: list[Problem] = []
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        if entry.name.startswith("."):
            continue
        try:
            seeds[entry.name] = read_seed(folder, entry)
        except Invalid as invalid:
            problems.extend(invalid.problems)
    return seeds, problems


def read_seed(folder: Path, entry: os.DirEntry[str]) -> Seed:
    """One seed's bytes, refusing what is not a regular file inside the folder."""
    path = Path(entry.path)
    where = shown(path)
    if entry.is_symlink():
        target = path.resolve()
        if not target.exists():
            raise Invalid([Problem(where, 0, "is a link that leads nowhere")])
        if not target.is_relative_to(folder.resolve()):
            raise Invalid([Problem(where, 0, f"is a link to {target}, outside seeds/: copy the file in instead")])
    try:
        mode = path.stat().st_mode
        if stat.S_ISDIR(mode):
            raise Invalid([Problem(where, 0, "is a folder: seeds/ holds one file per document, no folders")])
        if not stat.S_ISREG(mode):
            raise Invalid([Problem(where, 0, "is not a regular file: seeds/ holds one file per document")])
        raw = path.read_bytes()
    except OSError as error:
        raise Invalid([Problem(where, 0, f"cannot be read: {error.strerror}")])
    return Seed(entry.name, raw, hashlib.sha256(raw).hexdigest())
