"""Bad input gets one clear line naming the file and the reason, and never stops the rest."""

import pytest


@pytest.fixture
def good(tmp_path):
    path = tmp_path / "good.md"
    path.write_text("# 2024-07-21\n\nhttps://good.example.com\n", encoding="utf-8")
    return path


def test_missing_path_alone_fails(kg, tmp_path):
    result = kg("add", "--no-fetch", str(tmp_path / "nope.md"), expect=1)
    assert result.stderr.strip() == f"error: {tmp_path / 'nope.md'}: no such file or directory"


def test_missing_path_next_to_a_good_one(kg, kg_json, tmp_path, good):
    result = kg("add", "--no-fetch", str(tmp_path / "nope.md"), str(good))
    assert "no such file or directory" in result.stderr
    assert "added" in result.stdout
    assert kg_json("status")["links"] == 1


def test_directory_without_notes(kg, tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "data.csv").write_text("a,b\n")
    result = kg("add", "--no-fetch", str(tmp_path / "empty"), expect=1)
    assert "no .md or .txt notes in this directory" in result.stderr


def test_binary_file(kg, tmp_path, good):
    binary = tmp_path / "photo.md"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    result = kg("add", "--no-fetch", str(binary), str(good))
    assert f"error: {binary}: binary file" in result.stderr
    assert "good.md: added" in result.stdout


def test_empty_file(kg, tmp_path):
    empty = tmp_path / "empty.md"
    empty.write_text("  \n\n")
    result = kg("add", "--no-fetch", str(empty), expect=1)
    assert "empty file" in result.stderr


@pytest.mark.parametrize(
    "encoding, data",
    [
        (
            "gb18030",
            "# 2024-07-21\n\n自注意力机制让序列中每个位置都能关注其他位置，这是我的中文笔记。\n\n（没看完）\n\nhttps://a.example.com\n",
        ),
        ("utf-16", "# 2024-07-21\n\n（没看完）\n\nhttps://a.example.com\n"),
        (
            "latin-1",
            "# 2024-07-21\n\nCafé crème à la française, résumé de l'été\n\n(not finished, très long)\n\nhttps://a.example.com\n",
        ),
    ],
)
def test_legacy_encodings_are_decoded(kg, kg_json, tmp_path, encoding, data):
    path = tmp_path / "legacy.md"
    path.write_bytes(data.encode(encoding))
    result = kg("add", "--no-fetch", str(path))
    assert "added" in result.stdout
    (link,) = kg_json("links")
    assert link["reading"] == "partial"
    (note,) = link["notes"]
    assert note in data
    if encoding != "utf-16":
        assert "decoded as" in result.stderr


def test_oversized_file(kg, tmp_path, monkeypatch, good):
    monkeypatch.setenv("KGNOTES_MAX_NOTE_MB", "1")
    big = tmp_path / "big.md"
    big.write_text("# 2024-01-01\n" + "x " * 600_000)
    result = kg("add", "--no-fetch", str(big), str(good))
    assert "over the 1 MB limit" in result.stderr
    assert "good.md: added" in result.stdout


def test_impossible_date_and_foreign_scheme_are_warnings(kg, kg_json, tmp_path):
    path = tmp_path / "odd.md"
    path.write_text(
        "# 2024-02-01\n\nhttps://a.example.com\n\n# 2-30\n\nftp://files.example.com/x.pdf\n",
        encoding="utf-8",
    )
    result = kg("add", "--no-fetch", str(path))
    assert f"warning: {path}:5: '# 2-30' is not a real date: kept as text" in result.stderr
    assert "ftp://files.example.com/x.pdf: not an http(s) link" in result.stderr
    assert kg_json("status")["entries"] == 1
    assert [link["url"] for link in kg_json("links")] == ["https://a.example.com"]


def test_a_date_heading_that_reads_as_no_date_warns_and_an_invisible_mark_changes_nothing(
    kg, kg_json, tmp_path
):
    path = tmp_path / "odd.md"
    path.write_text(
        "# 2024-02-01\n\nhttps://a.example.com\n\n# 13-45\n\nmore\n\n"
        "# 2-03\u202e\n\nhttps://b.example.com\n\nhttp://[::1]:1/z\n",
        encoding="utf-8",
    )
    result = kg("add", "--no-fetch", str(path))
    assert f"warning: {path}:5: '# 13-45' is not a real date: kept as text" in result.stderr
    days = {link["normalized"]: link["first_seen"] for link in kg_json("links")}
    assert days["https://b.example.com/"] == "2024-02-03"  # dated, not "undated"
    assert days["https://[::1]:1/z"] == "2024-02-03"  # the IPv6 host keeps its brackets


def test_bad_config_is_one_clear_line(kg, vault, good):
    (vault / ".kgnotes").mkdir(parents=True)
    (vault / ".kgnotes" / "config.toml").write_text("[notes\nmax_mb = ")
    result = kg("add", "--no-fetch", str(good), expect=1)
    assert "config.toml: cannot read config" in result.stderr


def test_a_50_mb_journal_is_turned_away_with_the_way_out(kg, tmp_path, good):
    big = tmp_path / "huge.md"
    line = "# 2024-01-01\nhttps://example.com/a (not read)\n"
    big.write_text(line * (50 * 1024 * 1024 // len(line) + 1))
    result = kg("add", "--no-fetch", str(big), str(good))
    assert f"error: {big}: 50.0 MB is over the 20 MB limit" in result.stderr
    assert "KGNOTES_MAX_NOTE_MB" in result.stderr


def test_only_regular_files_are_read_from_a_notes_folder(kg, kg_json, tmp_path, good):
    import os

    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "good.md").write_text(good.read_text("utf-8"), "utf-8")
    (notes / "y.md").symlink_to("y.md")  # a link to itself: a loop
    (notes / "gone.md").symlink_to("nowhere.md")
    os.mkfifo(notes / "f.md")  # reading it would wait for a writer forever
    result = kg("add", "--no-fetch", str(notes))
    assert f"error: {notes / 'y.md'}: a symbolic link loop" in result.stderr
    assert f"error: {notes / 'gone.md'}: a broken symbolic link" in result.stderr
    assert f"error: {notes / 'f.md'}: not a regular file" in result.stderr
    assert "good.md: added" in result.stdout
    assert kg_json("status")["links"] == 1


def test_the_vaults_own_pages_are_never_read_as_notes(kg, kg_json, vault, good):
    notes = vault / "notes"
    notes.mkdir(parents=True)
    (notes / "j.md").write_text(good.read_text("utf-8"), "utf-8")
    kg("add", "--no-fetch", str(notes))
    entries = kg_json("status")["entries"]
    assert (vault / "Home.md").exists() and list((vault / "Journal").glob("*.md"))
    result = kg("add", "--no-fetch", str(vault))  # the whole vault, its pages included
    assert "Home.md" not in result.stdout + result.stderr
    assert kg_json("status")["entries"] == entries
    refused = kg("add", "--no-fetch", str(vault / "Home.md"), expect=1)
    assert "a page kgnotes writes in the vault" in refused.stderr


def test_an_empty_database_is_refused_and_kept(kg, vault):
    db = vault / ".kgnotes" / "kgnotes.db"
    db.parent.mkdir(parents=True)
    db.write_bytes(b"")
    result = kg("status", expect=1)
    assert result.stderr.count("\n") == 1 and "the database file is empty" in result.stderr
    assert db.stat().st_size == 0  # never written over


def test_a_damaged_database_is_one_line_not_a_traceback(kg, vault, good):
    import random

    kg("add", "--no-fetch", str(good))
    db = vault / ".kgnotes" / "kgnotes.db"
    data = bytearray(db.read_bytes())
    noise = random.Random(7)
    for offset in range(4096, len(data), 64):  # every page but the first, the header
        data[offset : offset + 32] = bytes(noise.randrange(256) for _ in range(32))
    db.write_bytes(bytes(data))
    for command in (("status",), ("links",), ("add", "--no-fetch", str(good))):
        result = kg(*command, expect=1)
        assert "Traceback" not in result.output and result.stderr.count("\n") == 1, result.stderr
        assert str(db) in result.stderr and "damaged" in result.stderr


def test_system_errors_say_what_to_do():
    import errno

    from kgnotes.cli import _one_line

    full = OSError(errno.ENOSPC, "No space left on device", "/v/Sources/x.md")
    assert (
        _one_line(full, None)
        == "/v/Sources/x.md: the disk is full — free some space and run the same command again"
    )
    read_only = OSError(errno.EROFS, "Read-only file system", "/v/Home.md")
    assert "read-only" in _one_line(read_only, None)


@pytest.fixture
def small_disk(tmp_path):
    """A real file system of its own, 512 KB, that a test may fill or make read-only (a tmpfs
    mount: needs root, as on this project's CI machine; skipped elsewhere)."""
    import subprocess

    mount = tmp_path / "disk"
    mount.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(mount)], capture_output=True
    )
    if made.returncode != 0:
        pytest.skip(f"cannot mount a small file system here: {made.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_is_one_line_and_the_store_stays_whole(kg, small_disk, tmp_path):
    import sqlite3

    vault = small_disk / "v"
    notes = tmp_path / "big.md"
    notes.write_text(
        "".join(
            f"# 2024-{1 + i // 28:02d}-{1 + i % 28:02d}\n\n"
            + "".join(f"https://example.com/{i}/{k} " for k in range(40))
            + "\n\n"
            + "a note that takes room " * 40
            + "\n\n"
            for i in range(300)
        ),
        "utf-8",
    )
    result = kg("--vault", str(vault), "add", "--no-fetch", str(notes), expect=1)
    assert "Traceback" not in result.output
    assert "the disk is full — free some space and run the same command again" in result.stderr
    with sqlite3.connect(vault / ".kgnotes" / "kgnotes.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_read_only_vault_is_one_line(kg, small_disk, good):
    import subprocess

    vault = small_disk / "v"
    kg("--vault", str(vault), "add", "--no-fetch", str(good))
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    more = good.with_name("more.md")
    more.write_text("# 2024-07-22\n\nhttps://more.example.com\n", "utf-8")
    result = kg("--vault", str(vault), "add", "--no-fetch", str(more), expect=1)
    assert "Traceback" not in result.output and result.stderr.count("\n") == 1, result.stderr
    assert "read-only" in result.stderr
    export = kg("--vault", str(vault), "export", expect=1)
    assert "Traceback" not in export.output and "read-only" in export.stderr
