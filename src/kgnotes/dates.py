"""Dates as people write them in journal headings and notes: ``7-21``, ``7月21日``, ``July 21``…

Headings often carry no year; the year is decided later by the journal parser. This module
only reads what is written and says whether it could be a real day.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS |= {name.lower(): i for i, name in enumerate(calendar.month_abbr) if name}
_MONTHS["sept"] = 9
_MONTH = r"(?P<mname>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_WEEKDAY = (
    r"(?:"
    + "|".join(n.lower() for n in list(calendar.day_name) + list(calendar.day_abbr))
    + r"|(?:周|星期|礼拜)[一二三四五六日天])"
)
# What may follow a date in a heading and still leave it a date heading: a weekday, a
# parenthesised aside, or a separator and a title ("# 7-21 — attention day").
_TAIL = (
    r"(?:[\s,，]*(?:" + _WEEKDAY + r"\.?|\([^)]*\)|（[^）]*）))*"
    r"(?:\s*[-–—:：|]\s+(?P<title>.*)|\s+[-–—:：|]\s*(?P<title2>.*))?$"
)
_YEAR = r"(?P<year>(?:19|20)\d{2})"
_DAY = r"(?P<day>\d{1,2})"
_NUM_DATE = [
    _YEAR + r"\s*[-/.]\s*(?P<month>\d{1,2})\s*[-/.]\s*" + _DAY,
    _YEAR + r"\s*年\s*(?P<month>\d{1,2})\s*月\s*" + _DAY + r"\s*[日号]?",
    r"(?P<month>\d{1,2})\s*月\s*" + _DAY + r"\s*[日号]?",
    r"(?P<a>\d{1,2})(?P<sep>[-/.])(?P<b>\d{1,2})(?:(?P=sep)(?P<year2>(?:19|20)?\d{2}))?",
    _MONTH + r"\s+" + _DAY + r"(?:st|nd|rd|th)?(?:,?\s+" + _YEAR + r")?",
    _DAY + r"(?:st|nd|rd|th)?\s+" + _MONTH + r"(?:,?\s+" + _YEAR + r")?",
]
_LEAD = r"^\s*(?:" + _WEEKDAY + r"\.?,?\s+)?"
_HEADING_DATES = [re.compile(_LEAD + p + _TAIL, re.IGNORECASE) for p in _NUM_DATE]
_LOOSE_DATES = [re.compile(r"(?<!\d)" + p + r"(?!\d)", re.IGNORECASE) for p in _NUM_DATE]
# Invisible formatting (bidirectional overrides, zero-width joiners, BOMs): no part of a date
_FORMAT_CHARS = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
_YEAR_HEADING = re.compile(
    r"^\s*(?:" + _MONTH + r"\s+)?" + _YEAR + r"\s*年?(?:\s*(?P<cmonth>\d{1,2})\s*月)?\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class DateSpec:
    """A written date; ``year`` is None when the text did not say."""

    month: int
    day: int
    year: int | None = None
    title: str = ""

    def is_possible(self) -> bool:
        """Whether some year makes this a real day (``2-29`` is possible, ``2-30`` is not)."""
        return _valid(self.year or 2000, self.month, self.day)

    def on(self, year: int) -> date | None:
        """This day in ``year``, or None when it does not exist there (``2-29`` in 2023)."""
        return date(year, self.month, self.day) if _valid(year, self.month, self.day) else None


@dataclass(frozen=True)
class HeadingDate:
    """What a heading's text says about dates: a day, a year marker, or an impossible day."""

    spec: DateSpec | None = None
    year_only: int | None = None
    impossible: bool = False


def _valid(year: int, month: int, day: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]


def read_heading(text: str) -> HeadingDate | None:
    """Interpret a heading's text; None when it is not about dates at all (a topic heading)."""
    text = _FORMAT_CHARS.sub("", text).strip().strip("*_").strip()  # "# 7-27" + U+202E
    if match := _YEAR_HEADING.match(text):
        return HeadingDate(year_only=int(match.group("year")))
    for pattern in _HEADING_DATES:
        match = pattern.match(text)
        if not match:
            continue
        spec = _spec(match)
        if spec is None:  # shaped like a date, but no month and day can be read: "# 13-45"
            return HeadingDate(impossible=True)
        title = (match.group("title") or match.group("title2") or "").strip()
        spec = DateSpec(spec.month, spec.day, spec.year, title)
        return HeadingDate(spec=spec) if spec.is_possible() else HeadingDate(impossible=True)
    return None


def find_date(text: str) -> DateSpec | None:
    """The first date written anywhere in ``text`` (used for notes such as ``7-26补充链接``)."""
    found = []
    for pattern in _LOOSE_DATES:
        match = pattern.search(text)
        if match and (spec := _spec(match)) and spec.is_possible():
            found.append((match.start(), -len(match.group(0)), spec))
    return min(found, key=lambda item: item[:2])[2] if found else None


def _spec(match: re.Match[str]) -> DateSpec | None:
    """Month, day and year from a match; numeric ``a-b`` is month-day unless only day-month fits."""
    groups = match.groupdict()
    year = groups.get("year") or groups.get("year2")
    if year and len(year) == 2:
        year = "20" + year
    if groups.get("mname"):
        month = _MONTHS[groups["mname"].lower().rstrip(".")]
        day = int(groups["day"])
    elif groups.get("a"):
        a, b = int(groups["a"]), int(groups["b"])
        if 1 <= a <= 12:
            month, day = a, b
        elif 1 <= b <= 12:
            month, day = b, a
        else:
            return None
    else:
        month, day = int(groups["month"]), int(groups["day"])
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return DateSpec(month, day, int(year) if year else None)


def closest(spec: DateSpec, anchor: date) -> date | None:
    """The day ``spec`` names nearest ``anchor``: journals run into January, and some backwards."""
    candidates = [d for y in (anchor.year - 1, anchor.year, anchor.year + 1) if (d := spec.on(y))]
    return min(candidates, key=lambda d: abs((d - anchor).days)) if candidates else None
