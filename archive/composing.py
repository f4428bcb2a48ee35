"""New records of metadata.yaml composed by libyaml and validated, one at a time or, many, in
worker processes (see archive/records.py, which remembers them).

Records are composed together as one mapping, as the full path composes the whole file, and
their nodes validated by the same Checker; anything unusual gives None, and the build then
takes the full path, which says what is wrong.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

import yaml

from .dates import PartialDate
from .load import MAX_DEPTH, check_events, compose
from .model import Document
from .names import title_slug
from .problems import Invalid
from .seeds import seed_name_problem
from .validate import Checker, document_schema

CHUNKS_PER_JOB = 4
FIELDS = [name for name in Document._fields if name not in ("file", "sha256", "size", "line")]
"""A record's fields, in this order in the memo (title, publisher, date, stance, then the optional ones)."""
DATE_PARTS = PartialDate._fields
"""A date's parts, in this order in the memo."""
Parsed = dict[str, tuple[str, tuple[Any, ...]]]
"""A record's text -> its key and its validated fields as plain values (see `plain`), as
marshal keeps them."""


def plain(fields: dict[str, Any]) -> tuple[Any, ...]:
    """A record's validated fields as the memo keeps them: in FIELDS' order, a date as its parts."""
    return tuple(as_parts(fields.get(name)) for name in FIELDS)


def parse_each(new: list[str], where: str, declared: list[str]) -> Parsed | None:
    """Each new record parsed on its own; None when one of them is not a plain, valid record."""
    schema = document_schema(declared)
    parsed: Parsed = {}
    for record in new:
        fields = parse_record(record, where, schema)
        if fields is None:
            return None
        parsed[record] = (fields[0], plain(fields[1]))
    return parsed


def parse_in_parallel(
    new: list[str], where: str, declared: list[str], jobs: int, slugs: dict[str, str]
) -> Parsed | None:
    """The new records parsed by worker processes, a chunk of consecutive records each;
    the slugs of their titles and publishers added to `slugs`."""
    size = -(-len(new) // (jobs * CHUNKS_PER_JOB))
    chunks = [(new[start : start + size], where, declared) for start in range(0, len(new), size)]
    import multiprocessing  # only here: a rebuild that makes a few files needs no workers

    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        results = pool.map(parse_chunk_and_slugs, chunks, chunksize=1)
    parsed: Parsed = {}
    for (chunk, _, _), (result, chunk_slugs) in zip(chunks, results, strict=True):
        if result is None:
            return None
        slugs.update(chunk_slugs)
        parsed.update(zip(chunk, result, strict=True))
    return parsed


def parse_chunk_and_slugs(
    work: tuple[list[str], str, list[str]],
) -> tuple[list[tuple[str, tuple[Any, ...]]] | None, dict[str, str]]:
    """parse_chunk, its records as the memo keeps them (plain values: they also travel back
    faster), with the slugs of the titles and publishers it read (made while the main process
    waits, instead of after)."""
    parsed = parse_chunk(work)
    texts = {text for _, fields in parsed or () for text in (fields["title"], fields["publisher"])}
    memo = [(name, plain(fields)) for name, fields in parsed] if parsed is not None else None
    return memo, {text: title_slug(text) for text in texts}


def parse_chunk(work: tuple[list[str], str, list[str]]) -> list[tuple[str, dict[str, Any]]] | None:
    """Records composed by YAML together as one mapping and validated, in their order; None
    when anything is wrong (the full path then says what)."""
    chunk, where, declared = work
    composed = composed_records(chunk, where)
    if composed is None:
        return None
    schema = document_schema(declared)
    parsed = []
    for key, value in composed:
        fields = record_fields(key, value, where, schema)
        if fields is None:
            return None
        parsed.append(fields)
    return parsed


def parse_record(record: str, where: str, schema: Any) -> tuple[str, dict[str, Any]] | None:
    """One record's key and validated fields, parsed on its own; None when anything is wrong."""
    pair = next(iter(composed_records([record], where) or []), None)
    return record_fields(*pair, where, schema) if pair is not None else None


def composed_records(chunk: list[str], where: str) -> list[Pair] | None:
    """Records composed by YAML together as one mapping: each one's key and value, each key
    on its record's first line; None when anything is wrong."""
    text = "".join(record if record.endswith("\n") else record + "\n" for record in chunk)
    try:
        if MAY_BE_REFUSED.search(text):
            check_events(text, where, MAX_DEPTH - 1)  # the records sit one level deeper in the file
        node = compose(text)
    except (Invalid, yaml.YAMLError):
        return None
    if not isinstance(node, yaml.MappingNode) or len(node.value) != len(chunk):
        return None
    first_lines = itertools.accumulate(
        (record.count("\n") + (not record.endswith("\n")) for record in chunk[:-1]), initial=0
    )
    if [key.start_mark.line for key, _ in node.value] != list(first_lines):
        return None
    return list(node.value)


MAY_BE_REFUSED = re.compile("[*!]")
"""What records need to hold something `check_events` refuses: an alias starts with `*`, a tag
with `!`. Records with neither are composed without reading their events first (which costs as
much again as composing them). A second document cannot start inside them (`---` or `...` at
the start of a line ends the records, see split_records); nesting deeper than their fields
allow is refused by the schema, and far deeper by libyaml itself (LIBYAML_TOO_DEEP)."""

Pair = tuple[yaml.Node, yaml.Node]
"""A record's key and value nodes."""


def record_fields(key: yaml.Node, value: yaml.Node, where: str, schema: Any) -> tuple[str, dict[str, Any]] | None:
    """A record's key and validated fields; None when anything is wrong."""
    if not isinstance(key, yaml.ScalarNode) or key.tag != "tag:yaml.org,2002:str":
        return None
    name = str(key.value)
    if seed_name_problem(name):
        return None
    check = Checker(where)
    fields = check.record(value, f"documents.{name}", schema, key)
    return (name, fields) if fields is not None and not check.problems else None


def as_parts(value: Any) -> Any:
    """A field's value as marshal can keep it: a date as the tuple of its parts."""
    if isinstance(value, PartialDate):
        return tuple(value)  # its fields, which are DATE_PARTS
    return value
