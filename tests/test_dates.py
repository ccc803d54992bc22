from datetime import date

import pytest

from kgnotes.dates import DateSpec, closest, find_date, read_heading


@pytest.mark.parametrize(
    "text, month, day, year",
    [
        ("7-21", 7, 21, None),
        ("07-21", 7, 21, None),
        ("7/21", 7, 21, None),
        ("7.21", 7, 21, None),
        ("2024-07-21", 7, 21, 2024),
        ("7月21日", 7, 21, None),
        ("2024年7月21日", 7, 21, 2024),
        ("July 21", 7, 21, None),
        ("Jul 21, 2024", 7, 21, 2024),
        ("21 July 2024", 7, 21, 2024),
        ("21.7", 7, 21, None),
        ("Sunday, July 21", 7, 21, None),
        ("7-21 (周日)", 7, 21, None),
    ],
)
def test_date_headings(text, month, day, year):
    heading = read_heading(text)
    assert heading is not None and heading.spec is not None
    assert (heading.spec.month, heading.spec.day, heading.spec.year) == (month, day, year)


def test_a_date_heading_may_carry_a_title():
    assert read_heading("7-21 — attention day").spec.title == "attention day"


@pytest.mark.parametrize(
    "text", ["cross entropy and cross entropy loss", "7.5 billion parameters", "VGG"]
)
def test_topics_are_not_dates(text):
    assert read_heading(text) is None


def test_impossible_dates_are_flagged():
    assert read_heading("2-30").impossible
    assert read_heading("4-31").impossible
    assert read_heading("13-45").impossible  # shaped like a date: a warning, not a topic
    assert not read_heading("2-29").impossible


def test_year_headings():
    assert read_heading("2024").year_only == 2024
    assert read_heading("2024年").year_only == 2024


def test_find_date_in_notes():
    assert find_date("(7-26补充链接)") == DateSpec(7, 26)
    assert find_date("（7.28，补着看了）") == DateSpec(7, 28)


def test_closest_crosses_new_year():
    assert closest(DateSpec(1, 2), date(2024, 12, 30)) == date(2025, 1, 2)
    assert closest(DateSpec(12, 30), date(2025, 1, 2)) == date(2024, 12, 30)
