"""Listings that scale: a long listing split by period, then by count within a period.

A listing (the index, a stance's documents, a publisher's documents) of at most `LIMIT`
entries is one page, as it always was. A longer one becomes a summary page and parts: one
part per year; a year with more than `LIMIT` entries is split into its months (the entries
known only to the year form a period of their own, `YYYY-month-unknown`); a period with more
than `LIMIT` entries is cut into numbered parts of `LIMIT` entries each (`2022-09`,
`2022-09-2`, ...). Everything here is a pure function of the entries' month keys and the
limit: a build that adds one document splits exactly as a clean build does.

A list of groups (the publishers) longer than `GROUP_LIMIT` is cut the same way by count alone:
`index.html`, `index_2.html`, ... (an underscore, which no page name made from a name has).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import NamedTuple

from .dates import MONTHS

LIMIT = 250
"""The most entries a listing page shows: a row is about 440 bytes, so a part is about 110 KB
(and under 200 KB with rows of long titles). A listing of at most this many is one page."""
GROUP_LIMIT = 500
"""The most groups (publishers, stances) one page of a list of groups shows (a row is about 200 bytes)."""
UNKNOWN_MONTH = "month-unknown"
"""The period of a split year's entries dated only to the year: `2022-month-unknown`."""


class Period(NamedTuple):
    """Entries of a listing that share a year (or a month, when their year is split)."""

    key: str
    """`2022`, `2022-09` or `2022-month-unknown`."""
    label: str
    """`2022`, `September 2022` or `2022, month unknown`."""
    members: tuple[int, ...]
    """Where its entries are in the listing, in order."""


class Part(NamedTuple):
    """One page of a split listing: a period, or one of its numbered parts."""

    name: str
    """The page's name without `.html`: the period's key, then `-2`, `-3`, ... for later parts."""
    label: str
    """For people: `September 2022`, `September 2022, part 2 of 3`."""
    period: str
    """The key of its period."""
    members: tuple[int, ...]
    """Where its entries are in the listing, in order."""


def is_split(count: int, limit: int | None = None) -> bool:
    """Whether a listing of `count` entries is split into parts (else it is one page, as always)."""
    return count > (LIMIT if limit is None else limit)


def periods(months: Sequence[str], limit: int | None = None) -> list[Period]:
    """The periods of a listing whose entries have these month keys (`2022-09`, or `2022` when
    known only to the year), in the listing's chronological order: years, and the months of a
    year with more than `limit` entries. A split year's periods start with its month-unknown
    entries (they sort at the start of the year), then its months in order."""
    limit = LIMIT if limit is None else limit
    years: dict[str, list[int]] = {}
    keys = [month[:4] for month in months]
    for year, run in itertools.groupby(range(len(months)), keys.__getitem__):  # by builtins: 10,000 entries
        years.setdefault(year, []).extend(run)
    found: list[Period] = []
    for year, members in sorted(years.items()):
        if len(members) <= limit:
            found.append(Period(year, year, tuple(members)))
            continue
        # `2022` sorts before `2022-01`: the month-unknown entries come first; the sort is stable
        by_month = sorted(members, key=months.__getitem__)
        for month, inside in itertools.groupby(by_month, months.__getitem__):
            found.append(Period(*period_name(month), tuple(inside)))
    return found


def period_name(month: str) -> tuple[str, str]:
    """The key and label of a month's period (`2022` alone: the year's month-unknown entries)."""
    if len(month) == 4:
        return f"{month}-{UNKNOWN_MONTH}", f"{month}, month unknown"
    return month, f"{MONTHS[int(month[5:7])]} {month[:4]}"


def parts(found: Sequence[Period], limit: int | None = None) -> list[Part]:
    """The pages of the periods: one each, or numbered parts of `limit` entries for a longer one."""
    limit = LIMIT if limit is None else limit
    pages: list[Part] = []
    for period in found:
        count = -(-len(period.members) // limit)
        for number in range(1, count + 1):
            members = period.members[(number - 1) * limit : number * limit]
            name = period.key if number == 1 else f"{period.key}-{number}"
            label = period.label if count == 1 else f"{period.label}, part {number} of {count}"
            pages.append(Part(name, label, period.key, members))
    return pages


def split(months: Sequence[str], limit: int | None = None) -> tuple[list[Period], list[Part]]:
    """The periods and the parts of a listing with these month keys."""
    found = periods(months, limit)
    return found, parts(found, limit)


def pages_of(count: int, limit: int | None = None) -> list[range]:
    """A list of `count` groups cut into pages of at most `limit` (GROUP_LIMIT): at least one page."""
    limit = GROUP_LIMIT if limit is None else limit
    return [range(start, min(start + limit, count)) for start in range(0, max(count, 1), limit)]


def numbered(base: str, number: int) -> str:
    """The path of a numbered page: `publishers/index.html`, then `publishers/index_2.html`, ...
    (a publisher's page name has no underscore: `publishers/index-2.html` could be one's)."""
    return base if number == 1 else base.removesuffix(".html") + f"_{number}.html"
