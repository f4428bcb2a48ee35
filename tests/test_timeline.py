"""The timeline's geometry (archive/timeline.py) and what the five documents' timeline shows."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from conftest import PROJECT

import build
from archive import timeline
from archive.dates import parse_date
from archive.timeline import Item, layout, span

STANCES = [("for", "For"), ("against", "Against"), ("neutral", "Neutral")]


def item(date: str, stance: str = "for", title: str = "T", page: str = "") -> Item:
    return Item(parse_date(date), stance, title, page or f"documents/{title}-{date}.html")


def day(text: str) -> int:
    return datetime.date.fromisoformat(text).toordinal()


def test_a_date_spans_the_days_it_may_be() -> None:
    assert span(parse_date("2022-09-12")) == (day("2022-09-12"), day("2022-09-13"))
    assert span(parse_date("2022-09?")) == (day("2022-09-01"), day("2022-10-01"))
    assert span(parse_date("2022-12")) == (day("2022-12-01"), day("2023-01-01"))
    assert span(parse_date("2021~")) == (day("2021-01-01"), day("2022-01-01"))


def test_one_document_gets_an_axis_of_its_month_and_one_mark() -> None:
    drawn = layout([item("2022-09-12")], STANCES)
    assert drawn.mode == "marks"
    assert (drawn.axis.start, drawn.axis.end) == (day("2022-09-01"), day("2022-10-01"))
    [mark] = drawn.lanes[0].marks
    assert mark.shape == "day" and mark.outline == ""
    assert timeline.PAD < mark.x < timeline.WIDTH - timeline.PAD
    assert [lane.documents for lane in drawn.lanes] == [1, 0, 0]


def test_partial_and_uncertain_dates_are_drawn_as_what_they_are() -> None:
    drawn = layout([item("2022-07-21"), item("2022-09"), item("2022-09-01?"), item("2022~")], STANCES)
    marks = {m.item.date.text: m for m in drawn.lanes[0].marks}
    month = marks["2022-09"]
    assert (month.shape, month.outline) == ("month", "")
    assert month.x == timeline.x_of(drawn.axis, day("2022-09-01"))
    assert month.x + month.width == timeline.x_of(drawn.axis, day("2022-10-01"))
    assert (marks["2022-09-01?"].shape, marks["2022-09-01?"].outline) == ("day", "uncertain")
    year = marks["2022~"]
    assert (year.shape, year.outline) == ("year", "approximate")
    assert year.x == timeline.PAD and year.x + year.width == timeline.WIDTH - timeline.PAD


def test_documents_on_one_day_are_stacked_not_drawn_over_each_other() -> None:
    drawn = layout([item("2022-09-01", title=f"T{n}") for n in range(3)] + [item("2022-09-20")], STANCES)
    marks = drawn.lanes[0].marks
    assert [m.row for m in marks] == [0, 1, 2, 0]
    assert len({m.y for m in marks[:3]}) == 3
    assert drawn.lanes[0].height > drawn.lanes[1].height


def test_lanes_follow_the_vocabulary_and_do_not_overlap() -> None:
    drawn = layout([item("2022-09-01", "neutral"), item("2022-09-02", "for")], STANCES)
    assert [lane.key for lane in drawn.lanes] == ["for", "against", "neutral"]
    for upper, lower in zip(drawn.lanes, drawn.lanes[1:], strict=False):
        assert upper.top + upper.height < lower.top
        assert all(upper.top < m.y < upper.top + upper.height for m in upper.marks)
    assert drawn.height > drawn.lanes[-1].top + drawn.lanes[-1].height


def test_a_span_of_decades_has_yearly_ticks_with_at_most_twelve_labels() -> None:
    drawn = layout([item("1950-03-01"), item("2022-09"), item("1999")], STANCES)
    assert (drawn.axis.start, drawn.axis.end) == (day("1950-01-01"), day("2023-01-01"))
    labels = [tick.label for tick in drawn.axis.ticks if tick.label]
    assert labels[0] == "1950" and len(labels) <= 12
    xs = [tick.x for tick in drawn.axis.ticks]
    assert xs == sorted(xs) and xs[0] == timeline.PAD and xs[-1] == timeline.WIDTH - timeline.PAD
    month = next(m for m in drawn.lanes[0].marks if m.shape == "month")
    assert month.width == timeline.MIN_BAR  # a month of 73 years is narrower than the narrowest bar


def test_ten_thousand_documents_are_counted_per_month_and_lane() -> None:
    start = day("2010-01-01")
    items = [
        item(datetime.date.fromordinal(start + n % 5000).isoformat(), STANCES[n % 3][0], f"T{n}") for n in range(9_998)
    ]
    items += [item("2012-05", "for", "month only"), item("2013~", "against", "year only")]
    drawn = layout(items, STANCES)
    assert (drawn.mode, drawn.unit) == ("counts", "month")
    counts = [c for lane in drawn.lanes for c in lane.counts]
    assert sum(c.count for c in counts) == 10_000
    assert not any(lane.marks for lane in drawn.lanes)
    year = next(c for c in counts if c.partial)
    assert (year.unit, year.label, year.low, year.high, year.count) == ("year", "2013", "2013", "2013", 1)
    assert {c.unit for c in counts if not c.partial} == {"month"}
    highest = max(c.height for c in counts if not c.partial)
    assert highest == timeline.COUNT_HEIGHT
    rows = drawn.count_rows()
    assert sum(sum(row.counts) for row in rows) == 10_000
    assert [row.label for row in rows[:2]] == ["January 2010", "February 2010"]


def test_too_many_on_one_day_for_marks_become_weekly_counts() -> None:
    items = [item("2022-09-01", title=f"T{n}") for n in range(timeline.ROWS_AT_MOST + 1)] + [item("2022-09")]
    drawn = layout(items, STANCES)
    assert (drawn.mode, drawn.unit) == ("counts", "week")
    week, month = drawn.lanes[0].counts
    assert (week.label, week.low, week.high, week.count) == ("week of 29 August 2022", "2022-08-29", "2022-09-04", 7)
    assert (month.partial, month.unit, month.low, month.high, month.count) == (True, "month", "2022-09", "2022-09", 1)


def test_counts_over_too_many_months_for_all_lanes_are_yearly() -> None:
    items = [item(f"{1700 + n % 300}-05-01", title=f"T{n}") for n in range(timeline.MARKS_AT_MOST + 1)]
    drawn = layout(items, STANCES)
    assert (drawn.mode, drawn.unit) == ("counts", "year")
    assert len(drawn.lanes[0].counts) == timeline.MARKS_AT_MOST + 1


def test_uncertain_dates_are_counted_as_such() -> None:
    items = [item(f"2022-0{n % 9 + 1}-01?", title=f"T{n}") for n in range(timeline.MARKS_AT_MOST + 1)]
    drawn = layout(items, STANCES)
    assert all(c.unsure == c.count for c in drawn.lanes[0].counts)


def test_an_archive_of_no_documents_has_an_empty_timeline() -> None:
    drawn = layout([], STANCES)
    assert drawn.documents == 0 and all(not lane.marks for lane in drawn.lanes)


@pytest.fixture(scope="module")
def five(tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("five") / "site"
    assert build.main(["--root", str(PROJECT), "--out", str(out), "--quiet"]) == 0
    return (out / "timeline.html").read_text("utf-8")


def test_the_five_documents_show_five_marks_in_three_lanes(five: str) -> None:
    svg = five[five.index("<svg class=") : five.index("</svg>")]
    lanes = re.findall(r'<g class="tl-lane[^"]*">(.*?)</g>', svg, re.S)
    assert len(lanes) == 3
    assert [len(re.findall(r'<a href="documents/', lane)) for lane in lanes] == [2, 2, 1]
    month = re.search(r'aria-label="UN Report:[^"]*"><title>[^<]*</title><rect class="tl-mark tl-month"', svg)
    assert month, "the month-only document is not drawn as a month's bar"
    uncertain = re.search(r'aria-label="China Should Release[^"]*"><title>[^<]*</title><circle class="([^"]*)"', svg)
    assert uncertain and "tl-uncertain" in uncertain.group(1)
    assert five.count("<tr><td>") == 5


def test_the_timeline_is_linked_from_every_page(tmp_path: Path) -> None:
    out = tmp_path / "site"
    assert build.main(["--root", str(PROJECT), "--out", str(out), "--quiet"]) == 0
    for page in out.rglob("*.html"):
        root = "../" * (len(page.relative_to(out).parts) - 1)
        assert f'href="{root}timeline.html"' in page.read_text("utf-8"), page
