"""Read metadata.yaml again after an edit without parsing and validating every record again.

A build remembers, for each record under `documents:` as it is written (its text, from its
key's line to the next record's), what validating it gave (the store keeps it, by that text
and what else validating it depended on: see `context_key`).
The next build splits the file the same way, parses and validates only the records whose text it has not seen, and takes
the others as they were. What surrounds the records (archive, stances) is parsed every time.

The split is trusted only in the plain layout metadata.yaml has: `documents:` at the left
edge and every record's key indented alike. A record cut at the wrong line (inside a quoted
text or a flow mapping) does not parse on its own, and each cached record once parsed on its
own as one whole record. Anything unusual (tabs, CR line ends, a record that does not parse
alone, any problem at all) sends the build down the full path, `load_metadata` then
`validate`, which reports problems exactly as it always does.

New records are composed by libyaml, as the full path composes the whole file, and their
nodes are validated by the same Checker (see archive/composing.py).
"""

from __future__ import annotations

import hashlib
import itertools
import operator
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from .composing import DATE_PARTS, FIELDS, as_parts, parse_each, parse_in_parallel
from .dates import PartialDate, latest_date
from .keys import page_key
from .load import parse_metadata, read_metadata
from .model import Archive, Document, Seed, made_by_name
from .problems import Invalid, shown
from .validate import Checker, make_archive, make_document, read_head, validate

MAX_NEW = 100
"""More new records than this are parsed in one go: by worker processes, in chunks, when
there are at least PARALLEL_FROM of them, else by the full path."""
PARALLEL_FROM = 2000
DOCUMENTS = re.compile(r"^documents:[ ]*(?:#[^\n]*)?$", re.M)
DOCUMENTS_AT_LINE_START = re.compile("\ndocuments:")
TOP_LEVEL = re.compile(r"\n[^ \n#]")
"""A line at the left edge that is neither blank nor a comment: the end of the records."""
KEY_LINE = re.compile(r"\n( +)[^ \n#]")
Memo = dict[str, tuple[str, tuple[Any, ...], str]]
"""What the store keeps of each record, by its text after its context (see `context_key`): its
key, its validated fields as plain values (see `plain`) and a digest of its text after its
context (see `record_digest`)."""


class Split(NamedTuple):
    """metadata.yaml cut into its records and the rest."""

    head: str
    """The file with the records' lines left blank (so that lines keep their numbers)."""
    documents_line: int
    """Line of `documents:`."""
    records: list[tuple[int, str]]
    """(line of the record's key, the record's text), in the file's order."""


def split_records(text: str) -> Split | None:
    """The records of the `documents:` section as text, or None when the layout is not the plain one."""
    if "\t" in text or "\r" in text:
        return None
    found = [match for at in documents_lines(text) if (match := DOCUMENTS.match(text, at))]
    if len(found) != 1 or found[0].end() >= len(text):
        return None
    start = found[0].end() + 1
    end_match = TOP_LEVEL.search(text, start - 1)
    end = end_match.start() + 1 if end_match else len(text)
    lined = text[start - 1 : end]  # the records, after the line end of `documents:`
    first = KEY_LINE.search(lined)
    if first is None:
        return None
    indent = len(first.group(1))
    if indent > 1 and re.search(f"\n {{1,{indent - 1}}}[^ \n#]", lined):
        return None  # a line less indented than the keys: not a plain list of records
    if re.search(f"\n {{{indent}}}[?:-]", lined):
        return None  # `? key` / `: value`, or a list: not one record per key line
    starts = [match.end() for match in re.finditer(f"\n(?= {{{indent}}}[^ \n#])", lined)]
    texts = [lined[at:next_at] for at, next_at in zip(starts, [*starts[1:], len(lined)], strict=True)]
    first_line = text.count("\n", 0, start) + lined.count("\n", 0, starts[0])
    lines = itertools.accumulate((record.count("\n") for record in texts[:-1]), initial=first_line)
    records = list(zip(lines, texts, strict=True))  # each record keeps its line end; the last, its own
    documents_line = text.count("\n", 0, found[0].start()) + 1
    head = text[:start] + "\n" * (lined.count("\n") - 1) + text[end:]
    return Split(head, documents_line, records)


def documents_lines(text: str) -> list[int]:
    """Where lines starting `documents:` start (a search for the text, much faster than DOCUMENTS's `^`)."""
    return [0] * text.startswith("documents:") + [match.start() + 1 for match in DOCUMENTS_AT_LINE_START.finditer(text)]


def context_key(declared: list[str]) -> str:
    """What a record's validation depends on besides its text and the code (which the store's
    version covers): the stances declared, and today's bound on dates; a digest of it that
    starts the key each record is remembered by (a record's text after it)."""
    return hashlib.blake2b(repr((declared, latest_date().isoformat())).encode(), digest_size=8).hexdigest() + "\0"


def load_archive(
    metadata: Path,
    seeds: dict[str, Seed] | None | Callable[[], dict[str, Seed] | None],
    seeds_dir: Path,
    cached: Memo | None,
    jobs: int = 1,
    slugs: dict[str, str] | None = None,
) -> tuple[Archive, Memo | None]:
    """The validated archive, and what to remember of its records for the next build (None:
    the file is not in the plain layout).

    `cached` is what earlier builds remembered; records it knows are not parsed again.
    Many new records (a first build) are parsed by `jobs` worker processes, in chunks; they
    also add the slugs of the titles and publishers they read to `slugs` (see names.SlugMemo).
    `seeds` may be a function that waits for them: metadata.yaml is parsed meanwhile.
    Raises Invalid with every problem, as `validate` does.
    """
    text = read_metadata(metadata)
    where = shown(metadata)
    split = split_records(text)
    if split is not None and (cached or (jobs > 1 and len(split.records) >= PARALLEL_FROM)):
        quick = from_records(split, where, seeds, seeds_dir, cached or {}, jobs, slugs)
        if quick is not None:
            return quick
    root = parse_metadata(text, where)
    seeds = seeds() if callable(seeds) else seeds
    archive = validate(root, seeds, metadata, seeds_dir)
    return archive, records_to_keep(split, root, archive)


def from_records(
    split: Split,
    where: str,
    seeds: dict[str, Seed] | None | Callable[[], dict[str, Seed] | None],
    seeds_dir: Path,
    cached: Memo,
    jobs: int = 1,
    slugs: dict[str, str] | None = None,
) -> tuple[Archive, Memo] | None:
    """The archive from the remembered records and the new ones; None at the first thing out of the plain."""
    try:
        head_node = parse_metadata(split.head, where)
    except Invalid:
        return None
    check = Checker(where)
    head = read_head(check, head_node)
    documents_key, records_node = head.sections.get("documents", (None, None))
    if check.problems or head.info is None or documents_key is None or records_node is None:
        return None
    if documents_key.start_mark.line + 1 != split.documents_line or records_node.tag != "tag:yaml.org,2002:null":
        return None
    texts = list(map(SECOND, split.records))
    context = context_key(head.declared)
    keys = list(map(context.__add__, texts))
    found = list(map(cached.get, keys))
    new = list(dict.fromkeys(itertools.compress(texts, map(operator.not_, found))))
    memo: Memo = dict(zip(itertools.compress(texts, found), filter(None, found), strict=True))
    if len(new) > MAX_NEW and (jobs < 2 or len(new) < PARALLEL_FROM):
        return None
    parsed = (
        parse_in_parallel(new, where, head.declared, jobs, slugs if slugs is not None else {})
        if len(new) > MAX_NEW
        else parse_each(new, where, head.declared)
    )
    if parsed is None:
        return None
    memo.update((text, (*value, record_digest(context + text))) for text, value in parsed.items())
    seeds = seeds() if callable(seeds) else seeds
    if seeds is None:
        return None
    try:
        documents = remembered_documents(check, split, memo, seeds, seeds_dir)
    except (ValueError, TypeError, AttributeError, IndexError):
        return None  # a memo of another shape
    if documents is None:
        return None
    return make_archive(head, tuple(documents), seeds), dict(zip(keys, map(memo.__getitem__, texts), strict=True))


def record_digest(key: str) -> str:
    """A short digest of a record's text after its context (its key in the store): what the
    next build's placement compares the document by (see placement.sources_of). Kept with the
    record, not digested again for every record at each build."""
    return page_key(key)


def record_digests(memo: Memo | None) -> dict[str, str] | None:
    """The digest of each document's record (see `record_digest`), by its file; None without a
    memo, or for one of another shape."""
    if not memo:
        return None
    try:
        return dict(zip(map(FIRST, memo.values()), map(THIRD, memo.values()), strict=True))
    except (TypeError, IndexError):
        return None


def remembered_documents(
    check: Checker, split: Split, memo: Memo, seeds: dict[str, Seed], seeds_dir: Path
) -> list[Document] | None:
    """The Documents of the split's records, all remembered in `memo`; None when the records
    do not name each seed once (the full path then says what is wrong).

    Made column by column, by builtins, when every seed is non-empty UTF-8 with no declared
    encoding, not in a loop of Python calls (an incremental build makes every Document again)."""
    lines, texts = zip(*split.records, strict=True) if split.records else ((), ())
    remembered = list(map(memo.__getitem__, texts))
    names = list(map(FIRST, remembered))
    if len(set(map(str.casefold, names))) != len(names) or len(names) != len(seeds) or seeds.keys() - names:
        return None
    fields = list(map(SECOND, remembered))
    found = list(map(seeds.__getitem__, names))
    plain = not any(map(ENCODING, fields)) and not any(map(UTF8_ERROR, found)) and all(map(SIZE, found))
    if not plain or set(map(len, fields)) - {len(FIELDS)}:
        documents = [
            remembered_document(check, name, line, values, seed, seeds_dir)
            for name, line, values, seed in zip(names, lines, fields, found, strict=True)
        ]
        return None if None in documents else documents  # type: ignore[return-value]
    columns: dict[str, Any] = {name: map(operator.itemgetter(k), fields) for k, name in enumerate(FIELDS)}
    parts = list(columns["date"])
    if set(map(len, parts)) - {len(DATE_PARTS)}:
        return None
    columns["date"] = made_by_name(
        PartialDate, {name: map(operator.itemgetter(k), parts) for k, name in enumerate(DATE_PARTS)}
    )
    columns["captured"] = map(date_or_none, columns["captured"])
    columns.update(file=names, sha256=map(SHA256, found), size=map(SIZE, found), line=lines)
    return list(made_by_name(Document, columns))


FIRST, SECOND, THIRD = operator.itemgetter(0), operator.itemgetter(1), operator.itemgetter(2)
ENCODING = operator.itemgetter(FIELDS.index("encoding"))
UTF8_ERROR = operator.attrgetter("utf8_error")
SIZE = operator.attrgetter("size")
SHA256 = operator.attrgetter("sha256")


def date_or_none(parts: tuple[Any, ...] | None) -> PartialDate | None:
    """A remembered optional date (its parts, see `as_parts`) as a PartialDate."""
    return PartialDate._make(parts) if parts is not None else None


def remembered_document(
    check: Checker, name: str, line: int, fields: tuple[Any, ...], seed: Seed, seeds_dir: Path
) -> Document | None:
    """A Document from a remembered record and its seed: at once for a UTF-8 seed (most),
    else through `make_document`, which decodes it."""
    values = dict(zip(FIELDS, fields, strict=True))
    values["date"] = PartialDate(**dict(zip(DATE_PARTS, values["date"], strict=True)))
    values["captured"] = date_or_none(values["captured"])
    if values["encoding"] is not None or seed.utf8_error or not seed.size:
        given = {field: value for field, value in values.items() if value is not None}
        return make_document(check, name, line, given, seed, seeds_dir)
    return Document(file=name, sha256=seed.sha256, size=seed.size, line=line, **values)


def records_to_keep(split: Split | None, root: yaml.Node, archive: Archive) -> Memo | None:
    """What to remember of a fully parsed file: each record's fields by its key (see `context_key`),
    when the split matches the parse."""
    if split is None or not isinstance(root, yaml.MappingNode):
        return None
    keys = [(key, value) for key, value in root.value if isinstance(key, yaml.ScalarNode) and key.value == "documents"]
    if len(keys) != 1 or keys[0][0].start_mark.line + 1 != split.documents_line:
        return None
    records = keys[0][1]
    lines = [key.start_mark.line + 1 for key, _ in records.value] if isinstance(records, yaml.MappingNode) else []
    if lines != [line for line, _ in split.records] or len(archive.documents) != len(lines):
        return None
    by_line = {doc.line: doc for doc in archive.documents}
    context = context_key([stance.key for stance in archive.stances])
    memo: Memo = {}
    for line, record in split.records:
        doc = by_line[line]
        fields = tuple(as_parts(getattr(doc, name)) for name in FIELDS)
        memo[context + record] = (doc.file, fields, record_digest(context + record))
    return memo
