"""Videos' captions kept as their text, from a local stand-in for YouTube (tests/webserver.py:
its watch page, player API and timed text, as youtube-transcript-api reads them)."""

from __future__ import annotations

import gzip

from kgnotes.moments import at_moment, moment, stamp

LECTURE = "https://www.youtube.com/watch?v=hylecture01"
CHINESE = "https://www.youtube.com/watch?v=zhlecture02"
SILENT = "https://www.youtube.com/watch?v=silentvid03"
BROKEN = "https://www.youtube.com/watch?v=brokenxml04"


def test_a_lecture_is_searched_to_the_moment_and_read_by_the_graph(kg, kg_json, tmp_path, vault):
    notes = tmp_path / "notes.md"
    notes.write_text(
        f"# 2024-07-27\n\nattention\n\n当天看的hung yi lee的视频，非常有帮助 {LECTURE}\n",
        encoding="utf-8",
    )
    kg("add", str(notes))
    doc = kg_json("show", LECTURE)
    assert doc["extraction"] == "transcript" and doc["language"] == "en"
    assert "[2:03] the Vision Transformer (ViT) cuts every image" in doc["text"]
    assert "hello every one" not in doc["text"]  # the uploader's track, not the automatic one

    hit = kg_json("search", "sixteen by sixteen patches", "--kind", "source")[0]
    assert hit["url"] == LECTURE and hit["moment"] == f"{LECTURE}&t=123s", hit
    assert f"{LECTURE}&t=123s" in kg("search", "sixteen by sixteen patches").stdout

    names = {c["name"].lower() for c in kg_json("concepts")}
    assert "vit" in names, names  # said only in the video

    archived = gzip.decompress((vault / doc["snapshot"]).read_bytes())
    assert b"/youtube/api/timedtext?v=hylecture01" in archived  # the captions' exchange kept


def test_own_language_first_then_english_and_no_captions_is_a_reason(kg, kg_json, tmp_path):
    notes = tmp_path / "notes.md"
    notes.write_text(f"# 2024-07-28\n\n{CHINESE}\n\n{SILENT}（没看）\n\n{BROKEN}\n", "utf-8")
    kg("add", str(notes))
    chinese = kg_json("show", CHINESE)
    assert chinese["language"] == "zh-Hans"
    text = chinese["text"]
    assert text.index("Transcript (en, captions)") > text.index("Transcript (zh-Hans")
    assert "[0:40] 多头注意力把注意力分成几个头" in text
    silent = kg_json("show", SILENT)
    assert silent["extraction"] == "metadata" and silent["description"] == (
        "no captions: transcripts disabled"
    )
    broken = kg_json("show", BROKEN)
    assert broken["description"] == "captions could not be read (ParseError)", broken
    links = {link["normalized"]: link for link in kg_json("links")}
    assert links[SILENT]["status"] == links[BROKEN]["status"] == "archived"


def test_moments_are_read_from_the_marks():
    text = f"{stamp(3.5)} intro\n\n{stamp(125)} patches here\n\n{stamp(3725)} late"
    assert text.startswith("[0:03]") and "[1:02:05]" in text
    assert moment(text, text.index("patches")) == 125
    assert moment(text, text.index("late")) == 3725
    assert moment(text, 0) == 3 and moment("no marks", 0) is None
    assert at_moment(LECTURE, 125) == f"{LECTURE}&t=125s"
    assert at_moment("https://youtu.be/x", 7) == "https://youtu.be/x?t=7s"
