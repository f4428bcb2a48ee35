"""Validate: turn metadata.yaml's nodes and the seeds into an Archive, or report every problem.

Each message names the line it is about, says what is wrong and, where it can, what to write
instead. Nothing is built from a record that has a problem.
"""

from __future__ import annotations

import codecs
import json
import os
import re
import unicodedata
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from .fields import (
    KINDS,
    SLUG,
    TAG,
    UNSHOWABLE,
    Reader,
    read_aliases,
    read_base_url,
    read_date,
    read_encoding,
    read_flag,
    read_language,
    read_slug,
    read_text,
    read_url,
)
from .files import read_file
from .model import Archive, Document, Seed, Stance
from .problems import Invalid, Problem, printable, shown, suggest
from .seeds import MAX_SEED_BYTES, SEED_FILE, seed_name_problem

PLAIN_KEY = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.()+-]*")
"""A seed name that YAML reads as the same text without quotes."""


class Schema(NamedTuple):
    """The fields a mapping may have: name -> (required, reader)."""

    fields: dict[str, tuple[bool, Reader]]

    @property
    def required(self) -> list[str]:
        return [name for name, (needed, _) in self.fields.items() if needed]


ARCHIVE = Schema(
    {
        "title": (True, read_text),
        "description": (False, read_text),
        "language": (False, read_language),
        "bag_in_site": (False, read_flag),
        "base_url": (False, read_base_url),
        "citation_files": (False, read_flag),
    }
)
STANCE = Schema({"label": (True, read_text), "description": (True, read_text)})


def document_schema(stance_keys: list[str]) -> Schema:
    """The fields of a document record; `stance` must be one of the declared keys (a close one is suggested)."""

    def read_stance(node: yaml.Node) -> str:
        key = read_text(node)
        if stance_keys and key not in stance_keys:
            raise ValueError(f"'{printable(key)}' is not one of: {', '.join(stance_keys)}{suggest(key, stance_keys)}")
        return key

    return Schema(
        {
            "title": (True, read_text),
            "publisher": (True, read_text),
            "date": (True, read_date),
            "stance": (True, read_stance),
            "author": (False, read_text),
            "source_url": (False, read_url),
            "language": (False, read_language),
            "slug": (False, read_slug),
            "aliases": (False, read_aliases),
            "note": (False, read_text),
            "encoding": (False, read_encoding),
            "captured": (False, read_date),
        }
    )


SECTIONS = ("archive", "stances", "documents")


class Checker:
    """Collects problems about one metadata.yaml while reading its nodes."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []

    def report(self, node: yaml.Node, message: str) -> None:
        self.problems.append(Problem(self.path, node.start_mark.line + 1, message))

    def mapping(self, node: yaml.Node, where: str, expected: str) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        """The mapping's entries by key text; problems for anything else and for duplicate keys."""
        if isinstance(node, yaml.ScalarNode) and node.tag == TAG + "null" and where == "documents":
            return {}
        if not isinstance(node, yaml.MappingNode):
            kind = KINDS.get(node.tag.removeprefix(TAG), "something else")
            self.report(node, f"{where}: expected {expected}, got {kind}")
            return {}
        entries: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode):
                self.report(key, f"{where}: a key must be plain text")
            elif key.value in entries:
                first = entries[key.value][0].start_mark.line + 1
                self.report(
                    key,
                    f"{where}: duplicate key '{printable(key.value)}' (first at line {first});"
                    " YAML would silently keep only the last",
                )
            else:
                entries[key.value] = (key, value)
        return entries

    def record(
        self, node: yaml.Node, where: str, schema: Schema, key: yaml.Node | None = None
    ) -> dict[str, Any] | None:
        """Read a mapping against a schema; None when anything in it is wrong.

        Missing fields are reported at the record's key (`key`) when there is one.
        """
        before = len(self.problems)
        entries = self.mapping(node, where, "a mapping of field: value")
        if not isinstance(node, yaml.MappingNode):
            return None
        values: dict[str, Any] = {}
        for name, (name_node, value) in entries.items():
            if name not in schema.fields:
                self.report(
                    name_node, f"{where}: unknown field '{printable(name)}'{suggest(name, list(schema.fields))}"
                )
                continue
            try:
                values[name] = schema.fields[name][1](value)
            except ValueError as error:
                self.report(value, f"{where}.{name}: {error}")
        for name in schema.required:
            if name not in entries:
                self.report(key or node, f"{where}: missing required field '{name}'")
        return values if len(self.problems) == before else None


class Head(NamedTuple):
    """What metadata.yaml says besides its records: the archive, its vocabulary, and its sections."""

    info: dict[str, Any] | None
    """The archive's fields; None when they have a problem."""
    stances: tuple[Stance, ...]
    declared: list[str]
    """Every stance key declared, for checking records (see declared_stances)."""
    sections: dict[str, tuple[yaml.Node, yaml.Node]]


def validate(root: yaml.Node, seeds: dict[str, Seed] | None, metadata: Path, seeds_dir: Path) -> Archive:
    """Check the metadata against itself and against the seeds; raise Invalid with all problems.

    `seeds` is None when the folder is missing: records are then checked on their own.
    """
    check = Checker(shown(metadata))
    head = read_head(check, root)
    records = head.sections["documents"][1] if "documents" in head.sections else None
    documents = read_documents(check, records, seeds, head.declared, seeds_dir) if records else ()
    if check.problems or head.info is None:
        raise Invalid(check.problems)
    return make_archive(head, documents, seeds or {})


def read_head(check: Checker, root: yaml.Node) -> Head:
    """The sections, the archive's fields and the stance vocabulary; problems go to `check`."""
    sections = check.mapping(root, "metadata.yaml", "the sections archive, stances and documents")
    for name, (key, _) in sections.items():
        if name not in SECTIONS:
            check.report(
                key,
                f"unknown section '{printable(name)}'{suggest(name, list(SECTIONS))};"
                " the sections are archive, stances, documents",
            )
    for name in SECTIONS:
        if name not in sections and isinstance(root, yaml.MappingNode):
            check.report(root, f"missing section '{name}'")
    info = (
        check.record(sections["archive"][1], "archive", ARCHIVE, sections["archive"][0])
        if "archive" in sections
        else None
    )
    stances = read_stances(check, sections["stances"][1]) if "stances" in sections else ()
    declared = declared_stances(sections["stances"][1]) if "stances" in sections else []
    return Head(info, stances, declared, sections)


def make_archive(head: Head, documents: tuple[Document, ...], seeds: dict[str, Seed]) -> Archive:
    """The validated archive, from a head without problems."""
    assert head.info is not None
    return Archive(
        title=head.info["title"],
        description=head.info.get("description", ""),
        language=head.info.get("language", "en"),
        stances=head.stances,
        documents=documents,
        seeds=seeds,
        bag_in_site=head.info.get("bag_in_site", False),
        base_url=head.info.get("base_url", ""),
        citation_files=head.info.get("citation_files", True),
    )


def read_stances(check: Checker, node: yaml.Node) -> tuple[Stance, ...]:
    """The controlled vocabulary, in the order it is written."""
    stances = []
    entries = check.mapping(node, "stances", "a mapping of stance key -> label, description")
    for key, (key_node, value) in entries.items():
        if not SLUG.fullmatch(key):
            check.report(
                key_node, f"stances: '{printable(key)}' is not a stance key: use lowercase letters, digits and hyphens"
            )
            continue
        fields = check.record(value, f"stances.{key}", STANCE, key_node)
        if fields:
            stances.append(Stance(key, fields["label"], fields["description"]))
    if isinstance(node, yaml.MappingNode) and not entries:
        check.report(node, "stances: declare at least one stance")
    return tuple(stances)


def declared_stances(node: yaml.Node) -> list[str]:
    """The stance keys declared, including those whose label or description has a problem.

    A record is checked against these, so that one mistake in a stance is one message, not
    one more for every document with that stance.
    """
    if not isinstance(node, yaml.MappingNode):
        return []
    keys = (key.value for key, _ in node.value if isinstance(key, yaml.ScalarNode))
    return list(dict.fromkeys(key for key in keys if SLUG.fullmatch(key)))


def read_documents(
    check: Checker, node: yaml.Node, seeds: dict[str, Seed] | None, stance_keys: list[str], seeds_dir: Path
) -> tuple[Document, ...]:
    """Every record, matched with its seed; problems for records and seeds without a partner."""
    entries = check.mapping(node, "documents", "a mapping of seed file name -> record")
    schema = document_schema(stance_keys)
    documents = []
    folded: dict[str, yaml.Node] = {}
    for name, (key, value) in entries.items():
        where = f"documents.{printable(name)}"
        bad_name = seed_name_problem(name)
        if bad_name:
            check.report(key, f"{where}: '{printable(name)}' is not a plain file name in seeds/: it {bad_name}")
            continue
        if name.casefold() in folded:
            first = folded[name.casefold()].start_mark.line + 1
            check.report(
                key, f"{where}: differs only in case from the key at line {first}; on many disks they are one file"
            )
            continue
        folded[name.casefold()] = key
        fields = check.record(value, where, schema, key)
        if seeds is None:
            continue
        if name not in seeds:
            if not os.path.lexists(seeds_dir / name):  # else loading it failed, and said why
                check.report(key, f"{where}: no such file in {shown(seeds_dir)}/{unmatched_hint(name, seeds, entries)}")
            continue
        if fields is None:
            continue
        document = make_document(check, name, key.start_mark.line + 1, fields, seeds[name], seeds_dir)
        if document:
            documents.append(document)
    for name, seed in (seeds or {}).items():
        if name not in entries:
            check.problems.append(Problem(shown(seeds_dir / name), 0, missing_record(name, seed, stance_keys)))
    return tuple(documents)


def make_document(
    check: Checker, name: str, line: int, fields: dict[str, Any], seed: Seed, seeds_dir: Path
) -> Document | None:
    """A Document from a valid record and its seed, once the seed's text decodes."""
    if not seed.size:
        check.problems.append(Problem(shown(seeds_dir / name), 0, "is empty: a document needs some text"))
        return None
    encoding = fields.get("encoding", "utf-8")
    problem = decode_problem(seed, encoding) if encoding != "utf-8" or seed.utf8_error else None
    if problem:
        check.problems.append(Problem(shown(seeds_dir / name), *problem))
        return None
    return Document(file=name, sha256=seed.sha256, size=seed.size, line=line, **fields)


def decode_problem(seed: Seed, encoding: str) -> tuple[int, str] | None:
    """(line, message) when the seed does not decode as `encoding`; None when it does."""
    if codecs.lookup(encoding).name == "utf-8" and seed.utf8_error:
        offset, line, byte = seed.utf8_error
        return line, not_decodable(encoding, byte, offset)
    try:
        raw = read_file(Path(seed.path), MAX_SEED_BYTES, SEED_FILE)
    except Invalid as invalid:
        return invalid.problems[0].line, invalid.problems[0].message
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as error:
        return raw.count(b"\n", 0, error.start) + 1, not_decodable(encoding, raw[error.start], error.start)
    except (UnicodeError, ValueError, LookupError) as error:
        return 0, f"cannot be decoded as {encoding}: {printable(str(error))}"
    if not text:
        return 0, f"decodes to no text as {encoding}: a document needs some text"
    return None


def not_decodable(encoding: str, byte: int, offset: int) -> str:
    hint = "; if the file is in another encoding, name it in its record, e.g. encoding: windows-1252"
    return f"is not valid {encoding}: byte 0x{byte:02x} at offset {offset}{hint}"


def unmatched_hint(name: str, seeds: dict[str, Seed], entries: dict[str, Any]) -> str:
    """For a record without its seed: the seed without a record it most likely means."""
    unmatched = [seed for seed in seeds if seed not in entries]
    normal = unicodedata.normalize("NFC", name)
    same = [seed for seed in unmatched if unicodedata.normalize("NFC", seed) == normal]
    if same:
        return (
            f" ('{printable(same[0])}' there is the same name in another Unicode normalization (NFC/NFD);"
            " retype the key or rename the file so they match)"
        )
    return suggest(name, unmatched)


def missing_record(name: str, seed: Seed, stance_keys: list[str]) -> str:
    """The message for a seed without a record, with a stub ready to paste under documents:."""
    first_line = UNSHOWABLE.sub("", seed.first_line)
    stances = " | ".join(stance_keys) or "a key of stances"
    key = name if PLAIN_KEY.fullmatch(name) else json.dumps(name, ensure_ascii=False)
    stub = "\n".join(
        [
            f"  {key}:",
            f"    title: {json.dumps(first_line[:200], ensure_ascii=False)}",
            '    publisher: ""',
            '    date: ""            # YYYY-MM-DD, YYYY-MM or YYYY, then ? if uncertain or ~ if approximate',
            f'    stance: ""          # {stances}',
        ]
    )
    return f"has no record in metadata.yaml; add one under 'documents:', for example:\n{stub}"
