"""The timeline's geometry: where each document (or each count of documents) goes, as plain numbers.

Pure functions of the documents' dates and stances; `templates/timeline.html` draws the result
as inline SVG. The drawing has a date axis and one lane per stance. A date is drawn as what it
is: a day as a dot, a month as a bar spanning the month, a year as a hatched bar spanning the
year; an uncertain date (`?`) as a hollow mark, an approximate one (`~`) as a hollow mark with
a dashed outline. Marks that would overlap in a lane are stacked in rows.

When there are more than MARKS_AT_MOST documents, or one lane would need more than
ROWS_AT_MOST rows, the lanes show counts instead: a bar per week (an axis of at most a year),
per month (while months times lanes are at most BARS_AT_MOST) or per year, as high as its count. A document whose
date is coarser than that unit (a month in weekly counts, a year in monthly ones) is counted
in a hatched bar of its own precision in a row below.
"""

from __future__ import annotations

import collections
import datetime
import itertools
import operator
from collections.abc import Sequence
from typing import NamedTuple

from .dates import MONTHS, PartialDate

WIDTH = 960.0
"""The drawing's width in SVG units (it is scaled to the page)."""
PAD = 12.0
"""Space left and right of the axis."""
LANE_HEAD = 22.0
"""Height of a lane's label line."""
ROW = 16.0
"""Height of one row of marks."""
LANE_GAP = 10.0
AXIS = 34.0
"""Height of the axis below the lanes."""
DOT = 5.0
"""Radius of a day's mark."""
BAR = 9.0
"""Height of a month's or a year's bar."""
MIN_BAR = 4.0
"""The narrowest bar drawn (a month on an axis of decades)."""
GAP = 2.0
"""Space kept between two marks in one row."""
MARKS_AT_MOST = 200
ROWS_AT_MOST = 6
BARS_AT_MOST = 1000
"""The most monthly bars, over all lanes, before the counts are yearly (each bar is a link: the page stays small)."""
COUNT_HEIGHT = 40.0
"""Height of the highest count's bar."""
PARTIAL_ROW = 14.0
"""Height of the row of counts of dates coarser than the unit."""


DATE_OF = operator.itemgetter(0)
STANCE_OF = operator.itemgetter(1)
YEAR_OF = operator.itemgetter(1)
MONTH_OF = operator.itemgetter(2)
DAY_OF = operator.itemgetter(3)
QUALIFIER_OF = operator.itemgetter(4)
YEAR_MONTH_DAY = operator.itemgetter(slice(1, 4))
"""Fields of an Item and of its PartialDate, read by builtins over 10,000 documents."""


class Item(NamedTuple):
    """A document as the timeline needs it."""

    date: PartialDate
    stance: str
    title: str
    page: str


class Tick(NamedTuple):
    """A mark on the axis: its place and its label ("" for a tick without one)."""

    x: float
    label: str


class Axis(NamedTuple):
    """The date axis: the days it covers (ordinals, end excluded), and its ticks."""

    start: int
    end: int
    ticks: tuple[Tick, ...]


class Mark(NamedTuple):
    """One document drawn in its lane."""

    item: Item
    shape: str
    """`day` (a dot centred at x), `month` or `year` (a bar from x, `width` wide)."""
    x: float
    width: float
    row: int
    y: float
    """The centre of its row, from the top of the drawing."""
    outline: str
    """`""` (filled), `uncertain` (hollow) or `approximate` (hollow, dashed)."""


class Count(NamedTuple):
    """How many documents of a lane fall in one week, month or year."""

    start: int
    end: int
    """The days it covers (ordinals, end excluded)."""
    unit: str
    """`week`, `month` or `year`: coarser than the lane's unit when `partial`."""
    count: int  # type: ignore[assignment]  # the field, for templates; tuple's count() method is not used
    unsure: int
    """How many of them have an uncertain or approximate date."""
    partial: bool
    """Documents dated more coarsely than the unit, drawn in the row below."""
    x: float
    width: float
    y: float
    height: float
    label: str
    """`week of 5 September 2022`, `September 2022`, `2022`."""
    low: str
    high: str
    """The period as a filter's `from` and `to` (`2022-09-05` and `2022-09-11`, `2022-09`, `2022`)."""


class Lane(NamedTuple):
    """One stance's lane: where it is, and what it holds."""

    key: str
    label: str
    top: float
    height: float
    documents: int
    marks: tuple[Mark, ...]
    counts: tuple[Count, ...]


class CountRow(NamedTuple):
    """A line of the table of counts: a period, and its count in each lane."""

    label: str
    partial: bool
    counts: tuple[int, ...]


class Timeline(NamedTuple):
    """The whole drawing."""

    mode: str
    """`marks` (a mark a document) or `counts`."""
    unit: str
    """The unit of counts (`week`, `month`, `year`), "" for marks."""
    axis: Axis
    lanes: tuple[Lane, ...]
    width: float
    height: float
    documents: int

    @property
    def partial(self) -> bool:
        """Whether any count is of documents dated more coarsely than the unit."""
        return any(c.partial for lane in self.lanes for c in lane.counts)

    def count_rows(self) -> list[CountRow]:
        """The counts as a table: a row per period (in order; a coarser period after the finer
        ones it starts with), a column per lane."""
        found: dict[tuple[int, int, str, bool], list[int]] = {}
        for at, lane in enumerate(self.lanes):
            for c in lane.counts:
                found.setdefault((c.start, -c.end, c.label, c.partial), [0] * len(self.lanes))[at] = c.count
        return [CountRow(label, partial, tuple(counts)) for (_, _, label, partial), counts in sorted(found.items())]


def span(date: PartialDate) -> tuple[int, int]:
    """The days a date may be, as ordinals (end excluded): a day, its month or its year."""
    first = date.earliest.toordinal()
    if date.day:
        return first, first + 1
    if date.month:
        return first, month_start(date.year, date.month + 1)
    return first, datetime.date(date.year + 1, 1, 1).toordinal()


def month_start(year: int, month: int) -> int:
    """The ordinal of the first day of a month (month 13 is January of the next year)."""
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return datetime.date(year, month, 1).toordinal()


def outer_spans(items: Sequence[Item]) -> list[tuple[int, int]]:
    """The spans of the dates that start first and end last (all an axis needs of them)."""
    if not items:
        return []
    known = set(map(YEAR_MONTH_DAY, map(DATE_OF, items)))  # far fewer than documents
    first = min(known, key=lambda ymd: (ymd[0], ymd[1] or 1, ymd[2] or 1))
    last = max(known, key=lambda ymd: (ymd[0], ymd[1] or 13, ymd[2] or 32))
    return [
        span(PartialDate("", first[0], first[1], first[2], "")),
        span(PartialDate("", last[0], last[1], last[2], "")),
    ]


def make_axis(spans: Sequence[tuple[int, int]]) -> Axis:
    """An axis over every span, from the first day of a month (of a year, past three years) to
    the first day after; ticks every month, or every 1, 2, 5, 10, ... years (at most 12 labels)."""
    if not spans:
        today = datetime.date(2000, 1, 1).toordinal()
        spans = [(today, today + 1)]
    first = datetime.date.fromordinal(min(s for s, _ in spans))
    last = datetime.date.fromordinal(max(e for _, e in spans) - 1)
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    if months <= 36:
        start, end = month_start(first.year, first.month), month_start(last.year, last.month + 1)
        step = next(s for s in (1, 2, 3, 6) if months / s <= 12)
        ticks = []
        for n in range(months + 1):
            day = datetime.date.fromordinal(month_start(first.year, first.month + n))
            ticks.append(
                (day.toordinal(), f"{MONTHS[day.month][:3]} {day.year}" if n % step == 0 and n < months else "")
            )
    else:
        years = last.year - first.year + 1
        start, end = datetime.date(first.year, 1, 1).toordinal(), datetime.date(last.year + 1, 1, 1).toordinal()
        step = next(s for s in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 10000) if years / s <= 12)
        ticks = [
            (datetime.date(year, 1, 1).toordinal(), str(year) if year % step == 0 and year <= last.year else "")
            for year in range(first.year, last.year + 2)
        ]
    axis = Axis(start, end, ())
    return axis._replace(ticks=tuple(Tick(x_of(axis, day), label) for day, label in ticks))


def x_of(axis: Axis, day: float) -> float:
    """Where a day (an ordinal, or a fraction of one) is drawn."""
    return round(PAD + (day - axis.start) / (axis.end - axis.start) * (WIDTH - 2 * PAD), 1)


def layout(items: Sequence[Item], stances: Sequence[tuple[str, str]]) -> Timeline:
    """The timeline of these documents, a lane per stance (key, label) in the vocabulary's order:
    a mark a document when they are few enough and their rows fit, else counts."""
    axis = make_axis(outer_spans(items))
    by_lane: dict[str, list[Item]] = {key: [] for key, _ in stances}
    for stance, members in itertools.groupby(sorted(items, key=STANCE_OF), STANCE_OF):
        by_lane[stance] = list(members)  # in the items' order: the sort is stable
    if len(items) <= MARKS_AT_MOST:
        placed = {key: place_marks(axis, members) for key, members in by_lane.items()}
        if all(rows <= ROWS_AT_MOST for _, rows in placed.values()):
            return stack_lanes("marks", "", axis, stances, by_lane, placed)
    unit = count_unit(axis, len(stances))
    counted = {key: count_lane(axis, members, unit) for key, members in by_lane.items()}
    return stack_lanes("counts", unit, axis, stances, by_lane, scale_counts(counted))


def place_marks(axis: Axis, items: Sequence[Item]) -> tuple[list[Mark], int]:
    """A lane's marks (in the items' order), each in the first row where it overlaps no other,
    left to right (rows from 0), and the number of rows; y is relative to the lane's first row."""
    ends: list[float] = []
    shaped = [mark_shape(axis, item) for item in items]
    order = sorted(range(len(shaped)), key=lambda at: (extent(shaped[at])[0], at))
    for at in order:
        left, right = extent(shaped[at])
        row = next((r for r, end in enumerate(ends) if end + GAP <= left), len(ends))
        if row == len(ends):
            ends.append(right)
        ends[row] = right
        shaped[at] = shaped[at]._replace(row=row, y=row * ROW + ROW / 2)
    return shaped, max(len(ends), 1)


def extent(mark: Mark) -> tuple[float, float]:
    """The left and right edge of a mark as drawn."""
    if mark.shape == "day":
        return mark.x - DOT, mark.x + DOT
    return mark.x, mark.x + mark.width


def mark_shape(axis: Axis, item: Item) -> Mark:
    """A document's mark before it is given a row: its shape, place and outline."""
    first, end = span(item.date)
    outline = {"": "", "?": "uncertain", "~": "approximate"}[item.date.qualifier]
    if item.date.day:
        return Mark(item, "day", x_of(axis, first + 0.5), 0.0, 0, 0.0, outline)
    x = x_of(axis, first)
    return Mark(item, item.date.precision, x, max(round(x_of(axis, end) - x, 1), MIN_BAR), 0, 0.0, outline)


def count_unit(axis: Axis, lanes: int) -> str:
    """Counts per week on an axis of at most a year, per month while there are at most
    BARS_AT_MOST months in all lanes, else per year."""
    days = axis.end - axis.start
    if days <= 366:
        return "week"
    return "month" if round(days / 30.44) * max(lanes, 1) <= BARS_AT_MOST else "year"


def count_lane(axis: Axis, items: Sequence[Item], unit: str) -> list[Count]:
    """A lane's counts: per unit, and per coarser period for documents dated more coarsely.

    Dates are tallied first by what the unit needs of them (the day for weeks, the month for
    months, the year for years): 10,000 documents make a few hundred distinct tallies."""
    dates = list(map(DATE_OF, items))
    months = map(MONTH_OF, dates) if unit != "year" else itertools.repeat(None, len(dates))
    days = map(DAY_OF, dates) if unit == "week" else itertools.repeat(None, len(dates))
    flagged = map(bool, map(QUALIFIER_OF, dates))
    tallies = collections.Counter(zip(map(YEAR_OF, dates), months, days, flagged, strict=True))  # by builtins
    order = {"day": 0, "week": 1, "month": 2, "year": 3}
    found: dict[tuple[bool, int, int, str], list[int]] = {}
    for (year, month, day, unsure), count in tallies.items():
        date = PartialDate("", year, month, day, "")
        partial = order[date.precision] > order[unit]
        bin_unit = date.precision if partial else unit
        start, end = period_of(date, bin_unit)
        tally = found.setdefault((partial, start, end, bin_unit), [0, 0])
        tally[0] += count
        tally[1] += count if unsure else 0
    counts = []
    for (partial, start, end, bin_unit), (count, uncertain) in sorted(found.items()):
        x = x_of(axis, start)
        width = max(round(x_of(axis, end) - x, 1), MIN_BAR / 2)
        label, low, high = period_names(start, end, bin_unit)
        counts.append(Count(start, end, bin_unit, count, uncertain, partial, x, width, 0.0, 0.0, label, low, high))
    return counts


def period_of(date: PartialDate, unit: str) -> tuple[int, int]:
    """The week (from Monday), month or year a date falls in, as ordinals (end excluded)."""
    first = date.earliest
    if unit == "week":
        monday = first.toordinal() - first.weekday()
        return monday, monday + 7
    if unit == "month":
        return month_start(first.year, first.month), month_start(first.year, first.month + 1)
    return datetime.date(first.year, 1, 1).toordinal(), datetime.date(first.year + 1, 1, 1).toordinal()


def period_names(start: int, end: int, unit: str) -> tuple[str, str, str]:
    """A period's label, and its first and last day as a filter's `from` and `to`."""
    first, last = datetime.date.fromordinal(start), datetime.date.fromordinal(end - 1)
    if unit == "week":
        return f"week of {first.day} {MONTHS[first.month]} {first.year}", first.isoformat(), last.isoformat()
    if unit == "month":
        return f"{MONTHS[first.month]} {first.year}", first.isoformat()[:7], first.isoformat()[:7]
    return str(first.year), str(first.year), str(first.year)


def scale_counts(counted: dict[str, list[Count]]) -> dict[str, tuple[list[Count], int]]:
    """Each count's bar, as high as its count against the highest in any lane (so that lanes
    compare); bars stand on a baseline; coarser counts go in the row below it."""
    highest = max((c.count for counts in counted.values() for c in counts if not c.partial), default=1)
    any_partial = any(c.partial for counts in counted.values() for c in counts)
    scaled = {}
    for key, counts in counted.items():
        bars = []
        for c in counts:
            if c.partial:
                bars.append(c._replace(y=COUNT_HEIGHT + 3, height=PARTIAL_ROW - 4))
            else:
                height = max(round(COUNT_HEIGHT * c.count / highest, 1), 2.0)
                bars.append(c._replace(y=round(COUNT_HEIGHT - height, 1), height=height))
        scaled[key] = (bars, 1 + any_partial)
    return scaled


def stack_lanes(
    mode: str,
    unit: str,
    axis: Axis,
    stances: Sequence[tuple[str, str]],
    by_lane: dict[str, list[Item]],
    placed: dict[str, tuple[list[Mark], int]] | dict[str, tuple[list[Count], int]],
) -> Timeline:
    """The lanes one under another, each as high as what it holds, with y made absolute."""
    lanes = []
    top = 0.0
    for key, label in stances:
        shown, rows = placed[key]
        body = rows * ROW if mode == "marks" else COUNT_HEIGHT + (PARTIAL_ROW if rows > 1 else 0)
        below = top + LANE_HEAD
        moved = tuple(m._replace(y=round(m.y + below, 1)) for m in shown)
        marks = moved if mode == "marks" else ()
        counts = () if mode == "marks" else moved
        lanes.append(Lane(key, label, top, LANE_HEAD + body, len(by_lane[key]), marks, counts))  # type: ignore[arg-type]
        top += LANE_HEAD + body + LANE_GAP
    documents = sum(len(members) for members in by_lane.values())
    return Timeline(mode, unit, axis, tuple(lanes), WIDTH, top + AXIS, documents)
