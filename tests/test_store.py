"""The SQLite store: schema versioning, WAL, and two processes on one vault."""

import sqlite3
import threading

import pytest

from kgnotes.errors import VaultError
from kgnotes.store import MIGRATIONS, Store

TABLES = {
    "notefiles",
    "entries",
    "blocks",
    "links",
    "link_mentions",
    "annotations",
    "refs",
    "problems",
    "documents",
    "chunks",
    "vectors",
    "concepts",
    "concept_mentions",
    "edges",
}


def test_new_store_has_every_table_and_the_latest_version(tmp_path):
    with Store(tmp_path / "kg.db") as store:
        assert store.version == len(MIGRATIONS)
        names = {
            r[0] for r in store.db.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        assert names >= TABLES
        assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_reopening_does_not_migrate_again(tmp_path):
    Store(tmp_path / "kg.db").close()
    with Store(tmp_path / "kg.db") as store:
        assert store.version == len(MIGRATIONS)


def test_a_newer_schema_is_refused_clearly(tmp_path):
    with sqlite3.connect(tmp_path / "kg.db") as db:
        db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(VaultError, match="newer kgnotes"):
        Store(tmp_path / "kg.db")


def test_a_failed_transaction_leaves_nothing(tmp_path):
    with Store(tmp_path / "kg.db") as store:
        with pytest.raises(RuntimeError), store.transaction():
            store.save_note_file("a.md", "0" * 64, "utf-8", 1, "k")
            raise RuntimeError("boom")
        assert store.note_file("a.md") is None


def test_a_second_writer_waits_for_the_first(tmp_path):
    path = tmp_path / "kg.db"
    Store(path).close()
    first = Store(path)
    done = []

    def second_writer():
        with Store(path) as store, store.transaction():
            store.save_note_file("b.md", "1" * 64, "utf-8", 1, "k")
        done.append(True)

    with first.transaction():
        first.save_note_file("a.md", "0" * 64, "utf-8", 1, "k")
        thread = threading.Thread(target=second_writer)
        thread.start()
        thread.join(timeout=0.5)
        assert not done  # still waiting on our write lock
    thread.join(timeout=10)
    assert done
    assert first.note_file("b.md") is not None
    first.close()
