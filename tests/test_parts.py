"""Listings that scale: how a long listing is split into periods and numbered parts (archive/parts.py)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from archive import parts


def test_a_listing_within_the_limit_is_not_split() -> None:
    assert not parts.is_split(250)
    assert parts.is_split(251)
    assert not parts.is_split(3, limit=3)
    assert parts.is_split(4, limit=3)


def test_a_year_within_the_limit_is_one_period() -> None:
    found, pages = parts.split(["2021", "2021-05", "2022-01", "2022-03"], limit=2)
    assert [(p.key, p.label, p.members) for p in found] == [("2021", "2021", (0, 1)), ("2022", "2022", (2, 3))]
    assert [(p.name, p.label) for p in pages] == [("2021", "2021"), ("2022", "2022")]


def test_a_year_over_the_limit_is_split_into_months_and_its_month_unknown_entries() -> None:
    months = ["2022", "2022-01", "2022", "2022-09", "2022-09", "2023-01"]
    found, _ = parts.split(months, limit=3)
    assert [(p.key, p.label, p.members) for p in found] == [
        ("2022-month-unknown", "2022, month unknown", (0, 2)),
        ("2022-01", "January 2022", (1,)),
        ("2022-09", "September 2022", (3, 4)),
        ("2023", "2023", (5,)),
    ]


def test_a_month_over_the_limit_is_cut_into_numbered_parts_of_the_limit() -> None:
    months = ["2022-09"] * 7 + ["2022-10"]
    _, pages = parts.split(months, limit=3)
    assert [(p.name, p.label, p.members) for p in pages] == [
        ("2022-09", "September 2022, part 1 of 3", (0, 1, 2)),
        ("2022-09-2", "September 2022, part 2 of 3", (3, 4, 5)),
        ("2022-09-3", "September 2022, part 3 of 3", (6,)),
        ("2022-10", "October 2022", (7,)),
    ]


def test_pages_of_a_list_of_groups_and_their_names() -> None:
    assert parts.pages_of(0, 2) == [range(0, 0)]
    assert parts.pages_of(5, 2) == [range(0, 2), range(2, 4), range(4, 5)]
    assert parts.numbered("publishers/index.html", 1) == "publishers/index.html"
    assert parts.numbered("publishers/index.html", 3) == "publishers/index_3.html"


MONTH_KEYS = st.lists(
    st.tuples(st.integers(1990, 1993), st.integers(0, 12)).map(
        lambda ym: f"{ym[0]}" + (f"-{ym[1]:02}" if ym[1] else "")
    ),
    max_size=60,
).map(lambda keys: sorted(keys, key=lambda k: k[:4]))


@given(MONTH_KEYS, st.integers(1, 8))
def test_every_entry_is_on_exactly_one_page_of_at_most_the_limit(months: list[str], limit: int) -> None:
    found, pages = parts.split(months, limit)
    shown = [at for page in pages for at in page.members]
    assert sorted(shown) == list(range(len(months)))
    assert all(0 < len(page.members) <= limit for page in pages)
    assert len({page.name for page in pages}) == len(pages)
    for period in found:
        assert {months[at][:4] for at in period.members} == {period.key[:4]}


@given(MONTH_KEYS, st.integers(1, 8), st.data())
def test_adding_an_entry_changes_only_the_parts_of_its_period_unless_its_year_splits(
    months: list[str], limit: int, data: st.DataObject
) -> None:
    added = data.draw(MONTH_KEYS.filter(bool)).pop()
    at = next((i for i, m in enumerate(months) if m[:4] > added[:4]), len(months))
    after = months[:at] + [added] + months[at:]
    before_found, before = parts.split(months, limit)
    after_found, now = parts.split(after, limit)
    shift = {i: i + (i >= at) for i in range(len(months))}
    old = {page.name: tuple(shift[i] for i in page.members) for page in before}
    new = {page.name: page.members for page in now}
    changed = {name for name in new if old.get(name) != new[name]}
    year = added[:4]
    assert all(name.startswith(year) for name in changed), changed


def test_an_entry_s_month_key_is_its_date_to_the_month_without_qualifier() -> None:
    from archive.dates import parse_date
    from archive.outputs.parted import FIRST_SEVEN

    for text in ["2022-09-01", "2022-09-01?", "2022-09~", "2022-09", "2022", "2022?", "2021~"]:
        assert FIRST_SEVEN(text).rstrip("?~") == parse_date(text).machine[:7], text


def test_a_summary_links_each_period_not_every_part_of_a_long_one(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import re

    from archive_model import Model, build_quietly

    monkeypatch.setattr(parts, "LIMIT", 1)
    model = Model(tmp_path / "archive")
    for n in range(14):
        model.add(f"d{n:02}.txt", f"Day {n}", f"2022-09-{n + 1:02}")
    model.add("x.txt", "Other", "2021-03-04")
    model.write()
    build_quietly(model.root, tmp_path / "site")
    summary = (tmp_path / "site" / "index.html").read_text("utf-8")
    links = re.findall(r'<a href="(index/[^"]+)"', summary)
    assert links == ["index/2021.html", "index/2022-09.html", "index/2022-09.html", "index/2022-09-14.html"]
    part = (tmp_path / "site" / "index" / "2022-09-2.html").read_text("utf-8")
    assert '<link rel="prev" href="../index/2022-09.html">' in part
    assert '<link rel="next" href="../index/2022-09-3.html">' in part
    assert "September 2022, part 2 of 14" in part
