"""Read metadata.yaml again after an edit without parsing and validating every record again.

A build remembers, for each record under `documents:` as it is written (its text, from its
key's line to the next record's), what validating it gave; and, for each chunk of consecutive
records, the same for all of them at once, as columns. The store keeps both by the digest of
what they are made from: their text, after what validating it depended on (see `context_key`).
The next build splits the file the same way and cuts it into the same chunks (where a
record's text says, see `chunk_bounds`, so that an edit anywhere changes the one chunk that
holds it). A chunk it has seen gives its records' fields whole; in a chunk it has not, each
record it has seen is taken as it was, and only the records whose text it has not seen are
parsed and validated. What surrounds the records (archive, stances) is parsed every time.

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
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from .composing import DATE_PARTS, FIELDS, as_parts, parse_each, parse_in_parallel
from .dates import PartialDate, latest_date
from .keys import page_key
from .load import parse_metadata, read_metadata
from .model import Archive, Document, Seed, made_by_name
from .problems import Invalid, shown
from .store import Recall, nothing_recalled
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
Record = tuple[str, tuple[Any, ...]]
"""What the store keeps of a record, by its digest (see `record_digest`): its key and its
validated fields as plain values (see composing.plain)."""
Chunk = tuple[list[Any], ...]
"""What the store keeps of a chunk of consecutive records, by its key (see `chunk_key`): one
list a column, in the records' order: their keys, each of composing.FIELDS, their digests."""
WIDTH = len(FIELDS) + 2
"""A chunk's columns."""
CHUNK_EVERY = 16
"""A chunk of records ends after each record whose text's CRC-32 is a multiple of this: some
this many records a chunk, cut where the text says, not where a count falls."""


class Remembered(NamedTuple):
    """What to remember of metadata.yaml's records after a load (see memory.keep_records)."""

    chunks: dict[str, Chunk]
    """Every chunk of the records, by its key: the chunks there are."""
    made: frozenset[str]
    """The keys of the chunks made now, not found whole in the store (every one after a full parse)."""

    def records(self) -> dict[str, Record]:
        """The records of the chunks made now, by their digests (see Record)."""
        return dict(made_records(self.chunks[key] for key in self.made))

    def digests(self) -> dict[str, str]:
        """Each document's record digest, by its file: what placement compares (see
        placement.sources_of)."""
        files = itertools.chain.from_iterable(map(FIRST, self.chunks.values()))
        return dict(zip(files, itertools.chain.from_iterable(map(LAST, self.chunks.values())), strict=True))


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


def chunk_bounds(texts: list[str]) -> list[tuple[int, int]]:
    """Where each chunk of the records starts and stops (see CHUNK_EVERY), by builtins: a
    record's edit moves at most the bounds of its own chunk, wherever it is in the file."""
    crcs = map(zlib.crc32, map(str.encode, texts))
    ending = map(operator.not_, map(operator.mod, crcs, itertools.repeat(CHUNK_EVERY)))
    ends = list(itertools.compress(range(1, len(texts) + 1), ending))
    if not ends or ends[-1] != len(texts):
        ends.append(len(texts))
    return list(zip([0, *ends[:-1]], ends, strict=True)) if texts else []


def chunk_key(context: str, texts: list[str]) -> str:
    """The key a chunk of records is kept by: the digest of its texts after their context."""
    return page_key(context, *texts)


def load_archive(
    metadata: Path,
    seeds: dict[str, Seed] | None | Callable[[], dict[str, Seed] | None],
    seeds_dir: Path,
    recall: Recall | None,
    jobs: int = 1,
    slugs: dict[str, str] | None = None,
) -> tuple[Archive, Remembered | None]:
    """The validated archive, and what to remember of its records for the next build (None:
    the file is not in the plain layout).

    `recall` gives what earlier builds remembered; records it knows are not parsed again.
    Many new records (a first build) are parsed by `jobs` worker processes, in chunks; they
    also add the slugs of the titles and publishers they read to `slugs` (see names.SlugMemo).
    `seeds` may be a function that waits for them: metadata.yaml is parsed meanwhile.
    Raises Invalid with every problem, as `validate` does.
    """
    text = read_metadata(metadata)
    where = shown(metadata)
    split = split_records(text)
    if split is not None and (recall is not None or (jobs > 1 and len(split.records) >= PARALLEL_FROM)):
        quick = from_records(split, where, seeds, seeds_dir, recall or nothing_recalled, jobs, slugs)
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
    recall: Recall,
    jobs: int = 1,
    slugs: dict[str, str] | None = None,
) -> tuple[Archive, Remembered] | None:
    """The archive from the remembered chunks and records and the new ones; None at the first
    thing out of the plain."""
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
    bounds = chunk_bounds(texts)
    keys = [chunk_key(context, texts[start:stop]) for start, stop in bounds]
    try:
        found = recall("chunks", keys)
        made = made_chunks(texts, bounds, keys, found, context, where, head.declared, recall, jobs, slugs)
        if made is None:
            return None
        chunks = {key: made[key] if key in made else found[key] for key in keys}
        columns = joined(chunks[key] for key in keys)
        seeds = seeds() if callable(seeds) else seeds
        if seeds is None:
            return None
        documents = remembered_documents(check, split, columns, seeds, seeds_dir)
    except (ValueError, TypeError, AttributeError, IndexError, KeyError):
        return None  # something remembered of another shape
    if documents is None:
        return None
    return make_archive(head, tuple(documents), seeds), Remembered(chunks, frozenset(made))


def made_chunks(
    texts: list[str],
    bounds: list[tuple[int, int]],
    keys: list[str],
    found: dict[str, Any],
    context: str,
    where: str,
    declared: list[str],
    recall: Recall,
    jobs: int,
    slugs: dict[str, str] | None,
) -> dict[str, Chunk] | None:
    """The chunks not `found` whole (or of another shape), by their keys, made of their records,
    remembered or parsed now; None when a new record does not parse on its own, or too many are
    new to parse them here."""
    to_make = [
        (key, texts[start:stop])
        for key, (start, stop) in zip(keys, bounds, strict=True)
        if not fits(found.get(key), stop - start)
    ]
    wanted = list(dict.fromkeys(itertools.chain.from_iterable(map(SECOND, to_make))))
    digests = {text: record_digest(context + text) for text in wanted}
    known = recall("records", digests.values()) if wanted else {}
    new = [text for text in wanted if not fits_record(known.get(digests[text]))]
    if len(new) > MAX_NEW and (jobs < 2 or len(new) < PARALLEL_FROM):
        return None
    parsed = (
        parse_in_parallel(new, where, declared, jobs, slugs if slugs is not None else {})
        if len(new) > MAX_NEW
        else parse_each(new, where, declared)
    )
    if parsed is None:
        return None
    for text, value in parsed.items():
        known[digests[text]] = value
    return {key: chunk_of([(*known[digests[text]], digests[text]) for text in chunk]) for key, chunk in to_make}


def fits(chunk: Any, size: int) -> bool:
    """Whether a remembered chunk has the shape of one of `size` records."""
    return fits_any(chunk) and all(len(column) == size for column in chunk)


def fits_any(chunk: Any) -> bool:
    """Whether a remembered chunk has the shape of one, of any size."""
    return isinstance(chunk, tuple) and len(chunk) == WIDTH and all(isinstance(column, list) for column in chunk)


def fits_record(record: Any) -> bool:
    """Whether a remembered record has the shape of one (its key, its fields)."""
    return isinstance(record, tuple) and len(record) == 2 and isinstance(record[1], tuple)


def chunk_of(records: list[tuple[str, tuple[Any, ...], str]]) -> Chunk:
    """A chunk of these records (each its key, its fields, its digest) as columns (see Chunk)."""
    fields = list(map(SECOND, records))
    if set(map(len, fields)) - {len(FIELDS)}:
        raise ValueError("a record of another shape")
    columns = (list(map(operator.itemgetter(k), fields)) for k in range(len(FIELDS)))
    return (list(map(FIRST, records)), *columns, list(map(THIRD, records)))


def joined(chunks: Iterable[Chunk]) -> Chunk:
    """The columns of consecutive chunks, each one list."""
    columns: tuple[list[Any], ...] = tuple([] for _ in range(WIDTH))
    for chunk in chunks:
        for column, part in zip(columns, chunk, strict=True):
            column.extend(part)
    return columns


def made_records(chunks: Iterable[Chunk]) -> Iterable[tuple[str, Record]]:
    """The records of these chunks, by their digests (see Record)."""
    for chunk in chunks:
        files, *fields, digests = chunk
        yield from zip(digests, zip(files, zip(*fields, strict=True), strict=True), strict=True)


def record_digest(key: str) -> str:
    """A short digest of a record's text after its context: the key the store keeps it by, and
    what the next build's placement compares the document by (see placement.sources_of)."""
    return page_key(key)


def remembered_documents(
    check: Checker, split: Split, columns: Chunk, seeds: dict[str, Seed], seeds_dir: Path
) -> list[Document] | None:
    """The Documents of the split's records, remembered as `columns` (see Chunk); None when the
    records do not name each seed once (the full path then says what is wrong).

    Made column by column, by builtins, when every seed is non-empty UTF-8 with no declared
    encoding, not in a loop of Python calls (an incremental build makes every Document again)."""
    lines = list(map(FIRST, split.records))
    names, *fields, _ = columns
    if len(set(map(str.casefold, names))) != len(names) or len(names) != len(seeds) or seeds.keys() - names:
        return None
    found = list(map(seeds.__getitem__, names))
    encodings = fields[FIELDS.index("encoding")]
    plain = not any(encodings) and not any(map(UTF8_ERROR, found)) and all(map(SIZE, found))
    if not plain:
        documents = [
            remembered_document(check, name, line, values, seed, seeds_dir)
            for name, line, values, seed in zip(names, lines, zip(*fields, strict=True), found, strict=True)
        ]
        return None if None in documents else documents  # type: ignore[return-value]
    named: dict[str, Any] = dict(zip(FIELDS, fields, strict=True))
    parts = named["date"]
    if set(map(len, parts)) - {len(DATE_PARTS)}:
        return None
    named["date"] = made_by_name(
        PartialDate, {name: map(operator.itemgetter(k), parts) for k, name in enumerate(DATE_PARTS)}
    )
    named["captured"] = map(date_or_none, named["captured"])
    named.update(file=names, sha256=map(SHA256, found), size=map(SIZE, found), line=lines)
    return list(made_by_name(Document, named))


FIRST, SECOND, THIRD, LAST = (operator.itemgetter(i) for i in (0, 1, 2, -1))
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


def records_to_keep(split: Split | None, root: yaml.Node, archive: Archive) -> Remembered | None:
    """What to remember of a fully parsed file: every record and every chunk of them (see
    Remembered), when the split matches the parse."""
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
    texts = list(map(SECOND, split.records))
    made = []
    for line, text in split.records:
        doc = by_line[line]
        made.append((doc.file, tuple(as_parts(getattr(doc, name)) for name in FIELDS), record_digest(context + text)))
    chunks = {chunk_key(context, texts[start:stop]): chunk_of(made[start:stop]) for start, stop in chunk_bounds(texts)}
    return Remembered(chunks, frozenset(chunks))
