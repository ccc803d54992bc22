"""`add`, `status`, `links` and `todo` through the real CLI and a real SQLite file."""

import sqlite3

from kgnotes.config import resolve_vault


def dump(vault) -> list[str]:
    with sqlite3.connect(resolve_vault(vault).db) as db:
        return list(db.iterdump())


def by_url(links):
    return {link["normalized"]: link for link in links}


def test_add_reads_the_journal(kg, kg_json, journal_path):
    result = kg("add", "--year", "2024", "--no-fetch", str(journal_path))
    assert "added, 7 entries, 21 links (21 new)" in result.stdout
    status = kg_json("status")
    assert status["entries"] == 7
    assert status["links"] == 21
    assert status["links_by_status"] == {"pending": 21, "archived": 0, "failed": 0}
    assert status["documents"] == 0
    assert status["concepts"] > 0  # named by the topic lines, before any page is archived
    assert status["chunks"] > 0  # the journal's blocks, indexed for search


def test_links_json_carries_what_the_author_said(kg, kg_json, journal_path):
    kg("add", "--year", "2024", "--no-fetch", str(journal_path))
    links = by_url(kg_json("links"))
    paper = links["https://arxiv.org/abs/1706.03762"]
    assert set(paper) >= {
        "url",
        "normalized",
        "kind",
        "status",
        "first_seen",
        "reading",
        "quality",
        "added",
        "notes",
        "quote",
        "title",
    }
    assert paper["kind"] == "paper" and paper["title"] == "Attention Is All You Need"
    assert paper["url"] == "https://arxiv.org/abs/1706.03762v7"
    assert links["https://peterbloem.nl/blog/transformers"]["reading"] == "read"
    assert links["https://peterbloem.nl/blog/transformers"]["notes"] == [
        "（没看）（8.9，补着看了，讲得很清楚）"
    ]
    assert (
        links["https://lilianweng.github.io/posts/2021-07-11-diffusion-models"]["added"]
        == "2024-08-07"
    )
    unet = links["https://blog.paperspace.com/unet-architecture-image-segmentation"]
    assert unet["quote"].startswith("U-Net is a convolutional network")
    assert unet["first_seen"] == "2024-08-07"
    assert links["https://www.youtube.com/watch?v=eMlx5fFNoYc"]["kind"] == "video"


def test_links_filter_by_status(kg, kg_json, journal_path):
    kg("add", "--year", "2024", "--no-fetch", str(journal_path))
    assert len(kg_json("links", "--status", "pending")) == 21
    assert kg_json("links", "--status", "failed") == []
    kg("links", "--status", "bogus", expect=2)


def test_todo_is_the_reading_queue_oldest_first(kg, kg_json, journal_path):
    kg("add", "--year", "2024", "--no-fetch", str(journal_path))
    queue = kg_json("todo")
    assert [(link["first_seen"], link["reading"]) for link in queue] == [
        ("2024-08-08", "partial"),
        ("2024-08-09", "partial"),
        ("2024-08-09", "partial"),
        ("2024-08-10", "partial"),
    ]
    assert "illustrated-gpt2" in queue[0]["url"]
    assert "huyenchip" in kg("todo").stdout


def test_adding_twice_changes_nothing(kg, kg_json, journal_path, vault):
    kg("add", "--year", "2024", "--no-fetch", str(journal_path))
    before_status, before_db = kg_json("status"), dump(vault)
    result = kg("add", "--year", "2024", "--no-fetch", str(journal_path))
    assert "unchanged" in result.stdout
    assert kg_json("status") == before_status
    assert dump(vault) == before_db


def test_an_edited_file_updates_its_entries_and_keeps_links(kg, kg_json, journal_path, tmp_path):
    notes = tmp_path / "journal.md"
    text = journal_path.read_text(encoding="utf-8")
    notes.write_text(text, encoding="utf-8")
    kg("add", "--year", "2024", "--no-fetch", str(notes))
    # Remove the 8-10 entry, mark the GloVe article read, and add a new day.
    edited = text.split("# 8-10")[0].replace("(这个写的不怎么好)", "(这个写的不怎么好)(后来看完了)")
    notes.write_text(edited + "# 8-11\n\nhttps://new.example.com/post\n", encoding="utf-8")
    result = kg("add", "--year", "2024", "--no-fetch", str(notes))
    assert "updated, 7 entries, 2 changed, 1 removed" in result.stdout
    status = kg_json("status")
    assert status["entries"] == 7
    assert status["links"] == 22  # the 8-10 links are kept
    links = by_url(kg_json("links"))
    glove = links[
        "https://www.geeksforgeeks.org/pre-trained-word-embedding-using-glove-in-nlp-models"
    ]
    assert (glove["reading"], glove["quality"]) == ("read", "negative")
    assert links["https://huyenchip.com/2023/05/02/rlhf.html"]["notes"] == []


def test_a_different_year_reparses(kg, kg_json, journal_path):
    kg("add", "--year", "2024", "--no-fetch", str(journal_path))
    kg("add", "--year", "2023", "--no-fetch", str(journal_path))
    assert kg_json("links")[0]["first_seen"] == "2023-08-03"
    assert kg_json("status")["entries"] == 7


def test_directories_are_read_recursively(kg, kg_json, tmp_path, journal_path):
    notes = tmp_path / "notes" / "2024"
    notes.mkdir(parents=True)
    (notes / "a.md").write_text(journal_path.read_text(encoding="utf-8"), encoding="utf-8")
    (notes / "b.txt").write_text("# 9-1\n\nhttps://b.example.com\n", encoding="utf-8")
    (notes / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (tmp_path / "notes" / ".obsidian").mkdir()
    (tmp_path / "notes" / ".obsidian" / "x.md").write_text("https://hidden.example.com")
    result = kg("add", "--no-fetch", str(tmp_path / "notes"))
    assert result.stdout.count("added") == 2
    assert kg_json("status")["links"] == 22


def test_stdin(kg, kg_json):
    kg("add", "--no-fetch", "-", input=b"# 2024-05-01\n\nhttps://stdin.example.com\n")
    assert [link["first_seen"] for link in kg_json("links")] == ["2024-05-01"]
    result = kg("add", "--no-fetch", "-", input="# 2024-05-01\n\nhttps://stdin.example.com\n")
    assert "unchanged" in result.stdout


def test_human_readable_output(kg, journal_path):
    kg("add", "--year", "2024", "--no-fetch", str(journal_path))
    status = kg("status").stdout
    assert "entries    7" in status and "21 pending" in status
    lines = kg("links").stdout.splitlines()
    assert len(lines) == 21
    assert lines[0].startswith("2024-08-03  -")
