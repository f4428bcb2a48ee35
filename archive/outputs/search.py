"""search/: the full-text index, as script files static/search.js loads from disk when asked.

The documents fall into BUCKETS buckets by a hash of their page name, and each bucket's terms
into SHARDS shards by a hash of the term's first two characters (its first one for CJK), so
that a query for a term, or for a prefix of two characters or more, loads one shard per
bucket. Both are pure functions of the content, never of the order documents arrived: an
incremental index is byte-identical to a clean one. A bucket's documents fall into tables by
more bits of the same hash, and are ordered by table, then hash: adding, editing or removing
one document rewrites its bucket's shards (those holding its terms, and those holding the
terms of documents after it), its own table and search/meta.js, at most SHARDS + 2 files. How
many buckets, shards and tables there are depends on the number of documents (`layout`).

Each file calls `ArchiveSearch.KIND("NAME", LENGTH, "PACKED")`, its data's JSON deflated and
packed as a document's text is (see `script`); below, what the JSON holds.

- `search/t-B-S.js`: `ArchiveSearch.shard("B-S", {term: postings})`; postings are, for each
  document holding the term (in the bucket's order), the gap from the last one and the term's
  weighted frequency (body + TITLE_WEIGHT x title + PUBLISHER_WEIGHT x publisher), each as a
  variable-length number in ALPHABET (five bits a character, the sixth says more follow).
  Terms are cut by `tokens(text, trailing=True)`: a run of CJK characters gives its bigrams and
  its last character, so that a query of one character finds it at the end of a run too.
- `search/d-B-C.js`: `ArchiveSearch.docs("B-C", [[page, title, publisher, date label,
  date (EDTF), stance, language], ...])`: table C of bucket B, about CHUNK documents.
- `search/meta.js`: `ArchiveSearch.meta({...})`: the number of documents, their average
  weighted length, each bucket's count and its tables' counts, and each document's weighted
  length (quantised) and chronological rank, so ranking and date order need no document table.

The browser scores with BM25 (k1 = 1.2, b = 0.75); phrases are confirmed on the loaded text.
"""

from __future__ import annotations

import functools
import itertools
import json
import math
import operator
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

from ..derive import Entry
from ..keys import digest
from ..normalise import CJK, char_class, tokens
from ..render import Output, Planning
from ..store import Recall, compact, expanded
from ..verbatim import SeedReader
from . import texts

NAME = "search"
VERSION = 4
REMEMBERS = ("search",)
"""The memo's part this producer reads whole and adds to (see LENGTH)."""
RECALLS = ("terms",)
"""The memo's part it reads by key: each bucket's documents' terms (see Terms)."""
BUCKETS = 16
"""The most buckets of documents (fewer for fewer documents: see `layout`)."""
SHARDS = 64
"""The most shards of a bucket's terms."""
CHUNK = 64
"""About how many documents a document table lists."""
TABLES = 64
"""The most document tables of a bucket."""
TITLE_WEIGHT = 3
PUBLISHER_WEIGHT = 2
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def fnv(text: str) -> int:
    """FNV-1a (32 bits) over the text's code points: the same in static/search.js."""
    value = 0x811C9DC5
    for c in text:
        value = ((value ^ ord(c)) * 0x01000193) & 0xFFFFFFFF
    return value


def shard_of(term: str, shards: int) -> int:
    """The shard of a term: a hash of its first character when CJK, else of its first two."""
    return fnv(term[:1] if char_class(term[0]) == CJK else term[:2]) % shards


def layout(documents: int) -> tuple[int, int, int]:
    """How many buckets, shards and tables a bucket an index of this many documents has: powers
    of two, about 500 documents a bucket, one shard for every 4 documents and a table for every
    CHUNK documents of a bucket, at most BUCKETS, SHARDS and TABLES. A small archive gets a few
    files, not a thousand; crossing a power of two lays the index out again."""

    def power(wanted: float, most: int) -> int:
        found = 1
        while found < wanted and found < most:
            found *= 2
        return found

    buckets = power(documents / 500, BUCKETS)
    return buckets, power(documents / 4, SHARDS), power(documents / buckets / CHUNK, TABLES)


def number(value: int) -> str:
    """A non-negative number as ALPHABET characters, five bits each, lowest first."""
    out = []
    while value >= 32:
        out.append(ALPHABET[32 + (value & 31)])
        value >>= 5
    out.append(ALPHABET[value])
    return "".join(out)


def quantised(length: int) -> int:
    """A document's weighted length in about 9% steps (BM25 needs no more)."""
    return round(8 * math.log2(length + 1))


LENGTH, HASH, WEIGHT = "text ", "name ", "title "
"""What the memo's part `search` keeps from build to build, by the start of its keys: a text's
number of terms (after it, the text's SHA-256), a page name's `fnv` (the name), a title's
weighted number of terms (the title). Each is a loop in Python over every document of the
archive on every build that makes search/meta.js."""


def plan(planning: Planning) -> Iterable[Output]:
    """Each bucket's shards and document tables, then search/meta.js.

    Each page name is hashed once (`fnv`, remembered): its bucket, its table and its place in
    the bucket's order all come from that one hash."""
    everyone = planning.site.entries
    count, shards, tables = layout(len(everyone))
    facts = planning.made["search"]
    slugs = list(map(SLUG_OF, everyone))
    live = {*map(LENGTH.__add__, map(SHA256_OF, everyone)), *map(WEIGHT.__add__, map(TITLE_OF, everyone))}
    live.update(map(HASH.__add__, slugs))
    for key in facts.keys() - live:
        del facts[key]  # of texts, names and titles no document has any more
    hashes = dict(zip(slugs, remembered(facts, HASH, slugs, fnv), strict=True))
    buckets: list[list[Entry]] = [[] for _ in range(count)]
    for entry in sorted(everyone, key=lambda e: (table_of(hashes[e.slug], count, tables), hashes[e.slug], e.slug)):
        buckets[hashes[entry.slug] % count].append(entry)
    seeds = planning.maker.seeds
    index = Shards(seeds, facts, Terms(planning.recall, planning.made["terms"]))
    planning.dropped["terms"].update(map(str, range(count, BUCKETS)))  # the buckets of a larger archive
    counts: list[str] = []
    for b, entries in enumerate(buckets):
        chunks = tables_of(entries, hashes, count, tables)
        counts.append("".join(number(len(chunk)) for chunk in chunks))
        if not entries:
            continue
        inputs = [digest(*(planning.digests[e.doc.file] for e in entries))]
        bucket = Bucket(b, tuple(entries), inputs[0] + str(shards), shards)
        for s in range(shards):
            key = planning.key(NAME, VERSION, "shard", str(b), str(s), str(shards), *inputs)
            yield Output(f"search/t-{b}-{s}.js", key, functools.partial(shard_script, index, bucket, s), True)
        for c, chunk in enumerate(chunks):
            if not chunk:
                continue
            key = planning.key(
                NAME, VERSION, "docs", str(b), str(c), digest(*(planning.digests[e.doc.file] for e in chunk))
            )
            yield Output(f"search/d-{b}-{c}.js", key, functools.partial(docs_script, b, c, chunk), True)
    stances = {term.key: term.label for term in planning.site.info.stances}
    key = planning.key(NAME, VERSION, "meta", digest(stances, *planning.digests.values()))
    make = functools.partial(
        meta_script, seeds, facts, stances, planning.site.entries, tuple(map(tuple, buckets)), tuple(counts)
    )
    yield Output("search/meta.js", key, make, True)


def remembered(facts: dict[str, Any], prefix: str, texts: list[str], make: Callable[[str], Any]) -> list[Any]:
    """`make` of each text: as `facts` remembers it under `prefix` and the text, or made now and
    remembered so (looked up by builtins: most are remembered)."""
    keys = list(map(prefix.__add__, texts))
    found = list(map(facts.get, keys))
    for i in itertools.compress(range(len(found)), map(operator.is_, found, itertools.repeat(None))):
        found[i] = facts[keys[i]] = make(texts[i])
    return found


SLUG_OF = operator.attrgetter("slug")
TITLE_OF = operator.attrgetter("doc.title")


def table_of(hashed: int, buckets: int, tables: int) -> int:
    """The document table of a page whose name hashes to `hashed`, within its bucket: the hash's next bits."""
    return (hashed // buckets) % tables


def tables_of(entries: list[Entry], hashes: dict[str, int], buckets: int, tables: int) -> list[tuple[Entry, ...]]:
    """A bucket's entries (in the bucket's order) as its tables, empty ones included."""
    found: list[list[Entry]] = [[] for _ in range(tables)]
    for entry in entries:
        found[table_of(hashes[entry.slug], buckets, tables)].append(entry)
    return [tuple(table) for table in found]


def field_counts(entry: Entry) -> Counter[str]:
    """The title's and publisher's terms, weighted."""
    counts: Counter[str] = Counter()
    for term in tokens(entry.doc.title, trailing=True):
        counts[term] += TITLE_WEIGHT
    for term in tokens(entry.doc.publisher, trailing=True):
        counts[term] += PUBLISHER_WEIGHT
    return counts


def field_weights(entries: tuple[Entry, ...], facts: dict[str, Any]) -> dict[str, int]:
    """Each entry's title and publisher terms, weighted, counted (what `field_counts` adds up
    to): by page name, each publisher cut into terms once, each title's count remembered in
    `facts` (see WEIGHT)."""
    publishers: dict[str, int] = {}
    for publisher in dict.fromkeys(map(PUBLISHER_OF, entries)):
        publishers[publisher] = PUBLISHER_WEIGHT * len(tokens(publisher, trailing=True))
    titles = remembered(facts, WEIGHT, list(map(TITLE_OF, entries)), title_weight)
    by_publisher = map(publishers.__getitem__, map(PUBLISHER_OF, entries))
    return dict(zip(map(SLUG_OF, entries), map(int.__add__, titles, by_publisher), strict=True))


def title_weight(title: str) -> int:
    """A title's terms, weighted, counted."""
    return TITLE_WEIGHT * len(tokens(title, trailing=True))


PUBLISHER_OF = operator.attrgetter("doc.publisher")


class Terms:
    """Each document's terms, by its text's SHA-256, remembered from build to build in the memo's
    part `terms` (see RECALLS): one entry a bucket, keyed by the bucket's number, holding
    the terms of the documents the bucket had when its shards were last made, by SHA-256, as
    compacted by the store (see store.compact: a bucket of 625 documents in some 0.8 MB rather
    than 2.5 MB; worker processes send them back, and a first build holds them all until it
    commits). Cutting a text into terms is most of the cost of a bucket's shards; after an
    addition or an edit, only the new text is cut."""

    def __init__(self, recall: Recall, made: dict[str, Any]) -> None:
        self.recall, self.made = recall, made

    def of_bucket(self, seeds: SeedReader, bucket: int, entries: tuple[Entry, ...]) -> list[TextTerms]:
        """The body terms of each of a bucket's documents, in order: remembered, or cut now
        (and the bucket's entry remembered again, with exactly these documents)."""
        key = str(bucket)
        known = unpacked_bucket(self.recall("terms", [key]).get(key))
        texts = list(map(SHA256_OF, entries))
        kept: dict[str, BodyTerms] = {}
        cut: dict[str, TextTerms] = {}
        for sha, entry in zip(texts, entries, strict=True):
            if sha in kept:
                continue
            if sha in known:
                kept[sha] = known[sha]
            else:
                cut[sha] = body_terms(seeds.text(entry.doc))
                kept[sha] = packed(cut[sha])
        if kept.keys() != known.keys():
            self.made[key] = compact(kept)
        return [cut[sha] if sha in cut else unpacked(kept[sha]) for sha in texts]


def unpacked_bucket(packed: Any) -> dict[str, BodyTerms]:
    """A bucket's terms as Terms keeps them; none when there are none or they cannot be read."""
    found = expanded(packed)
    return found if isinstance(found, dict) else {}


BodyTerms = tuple[str, bytes | str]
"""A text's terms as Terms keeps them (see `packed`): two objects a document rather than some
600, so that the terms of 10,000 documents cross from worker processes, and into the store, as
a few megabytes."""
SHA256_OF = operator.attrgetter("doc.sha256")


TextTerms = tuple[list[str], list[int]]
"""A text's distinct terms, in the order they first appear, and how often each appears."""


def body_terms(text: str) -> TextTerms:
    """A text's terms and their counts."""
    counts = Counter(tokens(text, trailing=True))
    return list(counts), list(counts.values())


def packed(terms: TextTerms) -> BodyTerms:
    """A text's terms joined by spaces (no term holds one), and their counts as bytes (as text
    joined by spaces when one is 256 or more)."""
    words, times = terms
    return " ".join(words), bytes(times) if not times or max(times) < 256 else " ".join(map(str, times))


def unpacked(terms: BodyTerms) -> TextTerms:
    """A text's terms and their counts, from what `packed` made of them."""
    words, times = terms
    if not words:
        return [], []
    return words.split(" "), list(times) if isinstance(times, bytes) else list(map(int, times.split(" ")))


class Bucket(NamedTuple):
    """One bucket of the index, what each of its shards is made from."""

    number: int
    entries: tuple[Entry, ...]
    """Its documents, in the bucket's order."""
    key: str
    """What its postings are made from: its entries' digests and the number of shards."""
    shards: int
    """How many shards its terms fall into."""


class Shards:
    """What one build makes the index's shards from besides their bucket: the seeds, the memo's
    part `search` (where each text's number of terms is noted, see LENGTH), each text's terms
    (see Terms), and the last bucket's postings: a bucket's shards are made one after another,
    from postings gathered once."""

    def __init__(self, seeds: SeedReader, facts: dict[str, Any], terms: Terms) -> None:
        self.seeds, self.facts, self.terms = seeds, facts, terms
        self.last: tuple[str, list[dict[str, list[int]]]] = ("", [])

    def postings(self, bucket: Bucket) -> list[dict[str, list[int]]]:
        """Each shard's postings for one bucket: term -> [document's place, weighted frequency, ...].

        The bucket's terms are gathered first and put in their shards once each: a term is
        hashed once a bucket, not once a document."""
        if self.last[0] == bucket.key:
            return self.last[1]
        self.last = ("", [])  # the last bucket's postings are let go before this one's are made
        entries, facts = bucket.entries, self.facts
        postings: defaultdict[str, list[int]] = defaultdict(list)
        found = self.terms.of_bucket(self.seeds, bucket.number, entries)
        for place, (entry, (body, times)) in enumerate(zip(entries, found, strict=True)):
            facts[LENGTH + entry.doc.sha256] = sum(times)
            counts = dict(zip(body, times, strict=True))
            for term, weight in field_counts(entry).items():
                counts[term] = counts.get(term, 0) + weight
            # postings[term] += (place, count) for each term, by builtins: a bucket has some 250,000
            deque(map(list.extend, map(postings.__getitem__, counts), zip(itertools.repeat(place), counts.values())), 0)
        shards: list[dict[str, list[int]]] = [{} for _ in range(bucket.shards)]
        for term, held in postings.items():
            shards[shard_of(term, bucket.shards)][term] = held
        self.last = (bucket.key, shards)
        return shards


NUMBERS = texts.Table(number)
"""Numbers as `number` writes them (see texts.Table): postings are mostly small ones."""


def shard_script(index: Shards, bucket: Bucket, shard: int) -> bytes:
    """search/t-B-S.js: the postings of one shard of one bucket."""
    found = index.postings(bucket)[shard]
    coded = {}
    for term in sorted(found):
        values = found[term][:]  # place, count, place, count, ...: each place as the gap from the last
        values[2::2] = map(int.__sub__, values[2::2], values[0:-2:2])
        coded[term] = "".join(map(NUMBERS.__getitem__, values))
    return script("shard", f"{bucket.number}-{shard}", coded)


def docs_script(bucket: int, chunk: int, entries: tuple[Entry, ...]) -> bytes:
    """search/d-B-C.js: what a result shows of each document of one chunk of a bucket."""
    rows = [
        [e.slug, e.doc.title, e.doc.publisher, e.doc.date.label, e.doc.date.text, e.doc.stance, e.doc.language or ""]
        for e in entries
    ]
    return script("docs", f"{bucket}-{chunk}", rows)


def meta_script(
    seeds: SeedReader,
    facts: dict[str, Any],
    stances: dict[str, str],
    entries: tuple[Entry, ...],
    buckets: tuple[tuple[Entry, ...], ...],
    tables: tuple[str, ...],
) -> bytes:
    """search/meta.js: counts, each document's weighted length and chronological rank; `tables`:
    each bucket's tables' counts, coded."""
    _, shards, _ = layout(len(entries))
    rank = {entry.slug: place for place, entry in enumerate(entries)}
    weighted = field_weights(entries, facts)
    for entry in entries:
        key = LENGTH + entry.doc.sha256
        if key not in facts:
            facts[key] = len(tokens(seeds.text(entry.doc), trailing=True))
        weighted[entry.slug] += facts[key]
    total = sum(weighted.values())
    meta = {
        "documents": len(entries),
        "average": round(total / len(entries), 3) if entries else 0,
        "buckets": len(buckets),
        "shards": shards,
        "counts": [len(b) for b in buckets],
        "tables": list(tables),
        "lengths": ["".join(NUMBERS[quantised(weighted[e.slug])] for e in b) for b in buckets],
        "ranks": ["".join(number(rank[e.slug]) for e in b) for b in buckets],  # each rank once: not kept
        "stances": stances,
    }
    return script("meta", "", meta)


def script(kind: str, name: str, data: object) -> bytes:
    """`ArchiveSearch.KIND("NAME", LENGTH, "PACKED");`: DATA as JSON in UTF-8 (LENGTH bytes),
    deflated and packed as a document's text is (texts.packed_call), a third of its JSON's size."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    encoded = text.encode("utf-8", "surrogatepass")
    return texts.packed_call(f"ArchiveSearch.{kind}", name, len(encoded), texts.deflate(texts.PLAIN + encoded))
