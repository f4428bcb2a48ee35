"""Partial and uncertain dates: the subset of Library of Congress EDTF an archive needs.

`YYYY-MM-DD`, `YYYY-MM` or `YYYY`, each optionally followed by `?` (uncertain) or `~`
(approximate). A date is shown as precisely as it is known, never more.
"""

from __future__ import annotations

import datetime
import re
from typing import NamedTuple

PATTERN = re.compile(r"(?P<year>[0-9]{4})(?:-(?P<month>[0-9]{2})(?:-(?P<day>[0-9]{2}))?)?(?P<qualifier>[?~]?)")
QUALIFIERS = {"": "", "?": "uncertain", "~": "approximate"}
MONTHS = [
    "",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
"""The months' names in English, after "": what every page, label and citation shows, whatever
the locale the build runs in (`calendar.month_name` follows it)."""


class PartialDate(NamedTuple):
    """A date known to the year, the month or the day, perhaps uncertain or approximate.

    A tuple: every document has one, and a tuple is made faster than a frozen dataclass."""

    text: str
    """The date as written in metadata.yaml, e.g. `2022-09-01?`."""
    year: int
    month: int | None
    day: int | None
    qualifier: str
    """`""`, `"?"` (uncertain) or `"~"` (approximate)."""

    @property
    def earliest(self) -> datetime.date:
        """The first day the date can be: what the archive sorts by."""
        return datetime.date(self.year, self.month or 1, self.day or 1)

    @property
    def machine(self) -> str:
        """The form for `<time datetime>`: as precise as the date, without qualifier."""
        return self.text.rstrip("?~")

    @property
    def precision(self) -> str:
        """`day`, `month` or `year`."""
        return "day" if self.day else "month" if self.month else "year"

    @property
    def label(self) -> str:
        """For people: `1 September 2022`, `September 2022 (uncertain)`, `2022 (approximate)`."""
        parts = [str(self.day)] if self.day else []
        parts += [MONTHS[self.month]] if self.month else []
        parts.append(str(self.year))
        shown = " ".join(parts)
        return f"{shown} ({QUALIFIERS[self.qualifier]})" if self.qualifier else shown

    @property
    def month_label(self) -> str:
        """The heading of the index group the date falls in."""
        if self.month is None:
            return f"{self.year}, month unknown"
        return f"{MONTHS[self.month]} {self.year}"


def latest_date(today: datetime.date | None = None) -> datetime.date:
    """The latest date a document may have: the end of next year. Later is taken for a typo."""
    year = (today or datetime.date.today()).year + 1
    return datetime.date(min(year, datetime.MAXYEAR), 12, 31)


def parse_date(text: str) -> PartialDate:
    """Parse an EDTF date, raising ValueError with a message a person can act on."""
    match = PATTERN.fullmatch(text)
    if not match:
        raise ValueError(
            f"'{text}' is not a date: use YYYY-MM-DD, YYYY-MM or YYYY, "
            "optionally followed by ? (uncertain) or ~ (approximate)"
        )
    year = int(match["year"])
    month = int(match["month"]) if match["month"] else None
    day = int(match["day"]) if match["day"] else None
    if year == 0:
        raise ValueError(f"'{text}' has year 0000, which no calendar here knows")
    if month is not None and not 1 <= month <= 12:
        raise ValueError(f"'{text}' has no month {month:02d}: months run from 01 to 12")
    if month is not None and day is not None:
        last = days_in(year, month)
        if not 1 <= day <= last:
            raise ValueError(f"'{text}' does not exist: {MONTHS[month]} {year} has {last} days")
    return PartialDate(text, year, month, day, match["qualifier"])


def days_in(year: int, month: int) -> int:
    """How many days a month of the Gregorian calendar has (as `calendar.monthrange` counts them)."""
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31
