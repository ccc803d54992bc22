"""The parser on a journal written in the seed's style, and on the edge cases around it."""

from datetime import date

import pytest

from kgnotes.journal import parse_journal


@pytest.fixture
def parsed(journal_path):
    return parse_journal(journal_path.read_text(encoding="utf-8"), year=2024)


def mentions_by_url(journal):
    found = {}
    for entry in journal.entries:
        for mention in entry.mentions:
            found.setdefault(mention.normalized, []).append(mention)
    return found


def notes_of(journal, fragment):
    (key,) = [k for k in mentions_by_url(journal) if fragment in k]
    return [n for m in mentions_by_url(journal)[key] for n in m.notes]


def test_entries_and_links(parsed):
    assert [e.date for e in parsed.entries] == [date(2024, 8, d) for d in (3, 5, 6, 7, 8, 9, 10)]
    assert len(mentions_by_url(parsed)) == 21
    assert parsed.problems == ()


def test_annotations_land_where_the_author_meant(parsed):
    def outcome(fragment):
        notes = notes_of(parsed, fragment)
        reading = [n.reading for n in notes if n.reading]
        quality = [n.quality for n in notes if n.quality]
        return (reading[-1] if reading else None, quality[-1] if quality else None)

    assert outcome("illustrated-gpt2") == ("partial", None)  # （没看完） before the link
    assert outcome("peterbloem") == ("read", "positive")  # （没看）（…补着看了…） ends read
    assert outcome("geeksforgeeks") == (None, "negative")  # note right under the link
    assert outcome("eMlx5fFNoYc") == ("read", "positive")  # note before a video
    assert outcome("kCc8FmEb1nY") == ("read", "positive")  # note on the topic line
    assert outcome("1706.03762") == (
        "partial",
        None,
    )  # "简单看了一下，论文如下：" introduces papers
    assert outcome("huyenchip") == ("partial", None)  # English note on a topic line
    assert outcome("instruction-following") == ("read", "positive")  # note on the link's line
    assert outcome("assemblyai") == (None, "negative")  # English note under the link
    assert outcome("Softmax_function") == (None, None)
    (added,) = [n.added for n in notes_of(parsed, "lilianweng")]
    assert added == date(2024, 8, 7)  # (8-7补充链接) after a blank line, last in its entry


def test_text_fragment_becomes_the_quote(parsed):
    (mention,) = mentions_by_url(parsed)[
        "https://blog.paperspace.com/unet-architecture-image-segmentation"
    ]
    assert mention.quote.startswith("U-Net is a convolutional network")
    assert "#" not in mention.normalized


def test_urls_with_parentheses_and_versions(parsed):
    links = mentions_by_url(parsed)
    assert "https://en.wikipedia.org/wiki/Positional_encoding_(machine_learning)" in links
    assert links["https://arxiv.org/abs/1706.03762"][0].title == "Attention Is All You Need"
    assert links["https://arxiv.org/abs/1607.06450"][0].title == "Layer Normalization"
    assert "https://www.youtube.com/watch?v=eMlx5fFNoYc" in links


def test_topics_blocks_and_references(parsed):
    day7 = parsed.entries[3]
    (block,) = day7.blocks
    assert block.topic == "ResNet"
    assert block.topics == ("ResNet", "U-Net", "Dropout")
    assert [r.text for r in block.references] == ["DEEP RESIDUAL LEARNING FOR IMAGE RECOGNITION"]
    assert [m.topic for m in block.mentions] == ["U-Net", "Dropout"]
    day6 = parsed.entries[2]
    assert [b.topic for b in day6.blocks] == ["what is teacher forcing?", "Beam Search"]
    day8 = parsed.entries[4]
    assert [b.topic for b in day8.blocks] == [
        "positional encoding",
        "tokenization",
        "cross-attention",
        None,
        None,
    ]
    assert parsed.entries[0].blocks[0].topic == "softmax and temperature"
    assert parsed.entries[5].blocks[-1].topic == "mixture of experts"


def test_latex_and_html_are_kept_in_the_body(parsed):
    assert r"$$\sigma(z)_i = \frac{e^{z_i / T}}{\sum_j e^{z_j / T}}$$" in parsed.entries[0].body
    assert "</br></br>" in parsed.entries[4].body


def test_urls_in_code_fences_and_inline_code_are_ignored():
    text = "# 2024-01-02\n\n```\ncurl https://api.example.com/v1\n```\n\n`https://b.example.com`\n\nhttps://real.example.com\n"
    journal = parse_journal(text)
    assert [m.normalized for m in journal.entries[0].mentions] == ["https://real.example.com/"]


def test_math_is_not_read_as_notes():
    text = "# 2024-01-02\n\ntopic\n\n$$H(p, q)=-\\sum p(x)\\log q(x)$$\n\nhttps://a.example.com\n"
    (mention,) = parse_journal(text).entries[0].mentions
    assert mention.notes == ()


def test_year_from_option_filename_front_matter_and_earlier_heading():
    text = "# 7-21\nhttps://a.example.com\n"
    assert parse_journal(text, year=2021).entries[0].date == date(2021, 7, 21)
    assert parse_journal(text, name="journal-2022.md").entries[0].date == date(2022, 7, 21)
    assert parse_journal("---\nyear: 2020\n---\n" + text).entries[0].date == date(2020, 7, 21)
    assert parse_journal("# 2019\n" + text).entries[0].date == date(2019, 7, 21)
    assert parse_journal("# 2019-07-01\n\n" + text).entries[1].date == date(2019, 7, 21)


def test_current_year_moves_back_when_the_day_is_in_the_future():
    today = date(2026, 3, 1)
    assert parse_journal("# 2-20\nx\n", today=today).entries[0].date == date(2026, 2, 20)
    assert parse_journal("# 7-21\nx\n", today=today).entries[0].date == date(2025, 7, 21)


def test_a_journal_crossing_new_year():
    text = "# 12-30\na\n# 12-31\nb\n# 1-2\nc\n"
    days = [e.date for e in parse_journal(text, today=date(2026, 3, 1)).entries]
    assert days == [date(2025, 12, 30), date(2025, 12, 31), date(2026, 1, 2)]
    days = [e.date for e in parse_journal("# 2024-12-30\na\n# 1-2\nb\n").entries]
    assert days == [date(2024, 12, 30), date(2025, 1, 2)]


def test_impossible_date_stays_as_text_with_a_warning():
    journal = parse_journal("# 2024-02-01\nhello\n# 2-30\nhttps://a.example.com\n")
    assert len(journal.entries) == 1
    assert "# 2-30" in journal.entries[0].body
    assert journal.entries[0].mentions[0].normalized == "https://a.example.com/"
    assert [p.line for p in journal.problems] == [3]
    assert "not a real date" in journal.problems[0].message


def test_non_http_schemes_are_kept_as_text_and_reported():
    journal = parse_journal("# 2024-02-01\nftp://files.example.com/a.pdf\n")
    assert journal.entries[0].mentions == []
    assert "ftp://files.example.com/a.pdf" in journal.entries[0].body
    assert "never fetched" in journal.problems[0].message


def test_text_before_the_first_date_is_an_undated_entry():
    journal = parse_journal("# Reading list\n\nhttps://a.example.com\n\n# 2024-01-02\nhi\n")
    assert [e.date for e in journal.entries] == [None, date(2024, 1, 2)]


def test_titles_alone_before_the_first_date_make_no_entry_but_a_linked_heading_does():
    titled = parse_journal("# Reading list\n## 2024\n# 2024-01-02\nhi\n")
    assert [e.date for e in titled.entries] == [date(2024, 1, 2)]
    linked = parse_journal("# https://a.example.com\n# 2024-01-02\nhi\n")
    assert [e.date for e in linked.entries] == [None, date(2024, 1, 2)]
    assert [m.normalized for m in linked.entries[0].mentions] == ["https://a.example.com/"]


def test_daily_note_file_name_dates_its_text():
    journal = parse_journal("read https://a.example.com today\n", name="2024-03-09.md")
    assert journal.entries[0].date == date(2024, 3, 9)


def test_the_same_day_twice_gives_two_entries():
    journal = parse_journal("# 2024-01-02\na\n# 2024-01-02\nb\n")
    assert [(e.date, e.occurrence) for e in journal.entries] == [
        (date(2024, 1, 2), 0),
        (date(2024, 1, 2), 1),
    ]


def test_separators_split_blocks():
    text = "# 2024-01-02\nA\nhttps://a.example.com\n---\nB\nhttps://b.example.com\n<br>\nC\n\n\nD\n"
    blocks = parse_journal(text).entries[0].blocks
    assert [b.topic for b in blocks] == ["A", "B", "C", "D"]


def test_windows_newlines_and_bom():
    journal = parse_journal("\ufeff# 7-21\r\n\r\nhttps://a.example.com\r\n", year=2024)
    assert journal.entries[0].date == date(2024, 7, 21)
    assert journal.entries[0].mentions[0].line == 3


def test_a_block_of_many_links_keeps_its_topic_for_each():
    # a pasted bookmark export; bench/ingest.py times it (linear in the links since 12.15)
    links = "\n".join(f"https://example.com/p/{i}" for i in range(10_000))
    journal = parse_journal(f"# 2024-07-27\n\nbookmarks\n{links}\n\nlater\nhttps://example.org/x\n")
    (block,) = journal.entries[0].blocks
    *bookmarks, last = block.mentions
    assert len(bookmarks) == 10_000 and {m.topic for m in bookmarks} == {"bookmarks"}
    assert last.topic == "later"


def test_brackets_inside_a_word_code_or_math_are_no_notes():
    journal = parse_journal(
        "# 2024-07-27\n\nwhy divide by sqrt(d_k)?\n\nhttps://example.com/a\n"
        "self-attention is O(n^2) per layer, `f(x)` and $g(y)$\n\n"
        "BERT(非常有帮助) https://example.com/b\n"
    )
    (block,) = journal.entries[0].blocks
    first, second = block.mentions
    assert first.topic == "why divide by sqrt(d_k)?"
    assert [n.raw for n in first.notes] == []
    assert [n.raw for n in second.notes] == ["(非常有帮助)"]  # a Chinese remark, though glued on
