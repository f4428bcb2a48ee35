"""What one build leaves the next: read from the store before the stages, kept in it after the write.

The store (archive/store.py) is the one place that holds it; these are the build's decisions
about what to read whole, what to keep, and what to forget.
"""

from __future__ import annotations

import itertools
import operator
from typing import TYPE_CHECKING

from .derive import Site
from .model import Seed
from .placement import ORDER, Placement, placement_from, placement_rows
from .records import Remembered, fits_any
from .seeds import seed_rows
from .store import Store

if TYPE_CHECKING:  # named in annotations only
    from .names import SlugMemo
    from .render import Plan

MEMO = ("rows", "markdown", "templates")
"""What the store keeps of what the stages made, read whole, besides what the producers declare
(see `memo_parts`): entry -> listing row (UTF-8); Markdown -> HTML; template -> the templates it
names (see render and theme)."""


def memo_parts() -> tuple[str, ...]:
    """The parts of the memo read whole before the plan: MEMO, and those the registered producers
    declare (`REMEMBERS`, see archive/outputs): entry -> metadata.json line, entry -> metadata.csv
    row, text's SHA-256 -> its number of search terms, ... A part no registered producer uses is
    not read."""
    from .outputs import PRODUCERS
    from .render import declared

    return MEMO + declared(PRODUCERS, "REMEMBERS")


def remember_seeds(store: Store | None, found: dict[str, Seed] | None, known: dict[str, Seed]) -> None:
    """Remember what was read of each seed anew, and only of the seeds there are."""
    if store and found is not None:
        store.remember("seeds", seed_rows(found, known))
        store.keep_only("seeds", found)


def keep_records(store: Store, remembered: Remembered) -> None:
    """Keep exactly the chunks of metadata.yaml's records there are and the records they hold
    (see archive/records.py). The chunks made now are written (over one of another shape with
    their key), and their records. When every chunk was made (a full parse), the store keeps
    exactly their records; else the records of the chunks gone are forgotten first (a record
    moved from one to a chunk made now is written again). A chunk found holds no record of a
    chunk gone: both were kept by the last build, from one file."""
    records = remembered.records()
    if remembered.made == remembered.chunks.keys():
        store.keep("records", records)
    else:
        gone = store.keys("chunks") - remembered.chunks.keys()
        if gone:
            chunks = store.get("chunks", gone).values()
            store.forget("records", {digest for chunk in chunks if fits_any(chunk) for digest in chunk[-1]})
        store.remember("records", records)
    store.remember("chunks", {key: remembered.chunks[key] for key in remembered.made})
    store.keep_only("chunks", remembered.chunks)


def read_placement(store: Store) -> Placement | None:
    """Where the last build placed each document (see placement.Placement)."""
    return placement_from(store.all("placement"))


def keep_placement(store: Store, site: Site, plan: Plan, last: Placement | None, lock: str) -> None:
    """Remember where this build placed each document: the rows that differ from the last
    placement's. `lock`: the digest of names.lock as this build leaves it."""
    files = last.files if last is not None else []
    changed = changed_places(site, plan, last, files)
    rows = placement_rows(site, plan.digests, plan.salted, plan.keys, changed, lock)
    if last is not None and rows[ORDER] == (files, last.publisher_pages, last.salted, last.lock):
        del rows[ORDER]
    store.remember("placement", rows)
    store.keep_only("placement", [ORDER, *plan.digests])


def changed_places(site: Site, plan: Plan, last: Placement | None, files: list[str]) -> set[str] | None:
    """The documents whose place differs from the last placement's, whose `files` are these (None:
    all may): those placed anew, and those whose page key changed (their neighbours did)."""
    if last is None or site.patch is None or last.salted != plan.salted:
        return None
    order = list(plan.digests)
    if order == files:  # the same order (an edit that moved nothing): compared place by place
        moved = map(operator.ne, last.keys, plan.keys)
    else:
        before = dict(zip(files, last.keys, strict=True))
        moved = map(operator.ne, map(before.get, order), plan.keys)
    return set(site.patch.fresh).union(itertools.compress(order, moved))


def keep_memo(store: Store, memo: dict[str, dict[str, object]], dropped: dict[str, set[str]]) -> None:
    """Keep what the stages made that the site still uses (the stages dropped what it does not).
    A part read by key (`dropped` names its keys the site no longer uses, see render.made_parts)
    holds only what was made now: that is remembered, and the keys dropped are forgotten."""
    for part, entries in memo.items():
        if part in dropped:
            store.remember(part, entries)
            store.forget(part, dropped[part])
        else:
            store.keep(part, entries)


def keep_slugs(store: Store, slugs: SlugMemo, site: Site) -> None:
    """Remember the slugs made now, and keep only those of the titles and publishers the site
    has: after deriving the whole site (which looked up every one), all others are dropped;
    after placing a few documents, those of the titles the documents removed or changed had."""
    docs = list(map(DOC, site.entries))
    if site.patch is None:
        live = {*map(TITLE, docs), *map(PUBLISHER, docs)}
        store.remember("slugs", {text: slug for text, slug in slugs.made.items() if text in live})
        store.keep_only("slugs", live)
        return
    asked = site.patch.left.union(slugs.made)  # a few: which of them the site has (no set of every title)
    used = asked.intersection(map(TITLE, docs)).union(asked.intersection(map(PUBLISHER, docs)))
    store.remember("slugs", {text: slug for text, slug in slugs.made.items() if text in used})
    store.forget("slugs", site.patch.left - used)


DOC, TITLE, PUBLISHER = operator.attrgetter("doc"), operator.attrgetter("title"), operator.attrgetter("publisher")
