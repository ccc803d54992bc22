from datetime import date

import pytest

from kgnotes.annotations import fold, groups, interpret, is_note_line


@pytest.mark.parametrize(
    "note, reading, quality",
    [
        ("（没看完）", "partial", None),
        ("（没看）", "unread", None),
        (
            "（没看）（7.28，补着看了，multi head attention啥的讲的还是比较清楚的）",
            "read",
            "positive",
        ),
        ("(看完了，讲的很有帮助)", "read", "positive"),
        ("(这个写的不怎么好)", None, "negative"),
        ("(非常有帮助)", None, "positive"),
        ("(没什么帮助)", None, "negative"),
        ("(粗略地看了一下)", "partial", None),
        ("(not read yet)", "unread", None),
        ("(to read)", "unread", None),
        ("(not finished)", "partial", None),
        ("(skimmed it)", "partial", None),
        ("(read it, very helpful)", "read", "positive"),
        ("(finished — not good)", "read", "negative"),
        ("(not helpful)", None, "negative"),
        ("(worth a read)", None, "positive"),
        ("(unread) (later: finished, great)", "read", "positive"),
        ("(这个页面加载好慢)", None, None),  # 好 as "so": this page loads so slowly
        ("(好多公式，好难)", None, None),
        ("(好文)", None, "positive"),
        ("(讲得好)", None, "positive"),
    ],
)
def test_reading_and_quality(note, reading, quality):
    found = interpret(note)
    assert (found.reading, found.quality) == (reading, quality)
    assert found.raw == note


@pytest.mark.parametrize(
    "note, added",
    [
        ("(7-26补充链接)", date(2024, 7, 26)),
        ("(7月26日补充)", date(2024, 7, 26)),
        ("(added on 7/26)", date(2024, 7, 26)),
        ("(link added 2024-07-26)", date(2024, 7, 26)),
        ("(7.28，补着看了)", None),
    ],
)
def test_added_date(note, added):
    assert interpret(note, anchor=date(2024, 7, 24)).added == added


def test_latest_statement_wins_across_notes():
    notes = [interpret("(没看)"), interpret("(very helpful)"), interpret("(看完了)")]
    assert fold(notes)[:2] == ("read", "positive")


def test_groups_handle_nesting_mixed_widths_and_unclosed():
    assert [g.inner for g in groups("a (b (c) d) e （f）")] == ["b (c) d", "f"]
    unclosed = groups("今天开始（慢慢来")
    assert len(unclosed) == 1 and not unclosed[0].closed


def test_note_lines():
    assert is_note_line("（没看）（7.28，补着看了）")
    assert is_note_line("  (7-26补充链接) ")
    assert not is_note_line("self-attention (非常有帮助)")
    assert not is_note_line("(unclosed")
