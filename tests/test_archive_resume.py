"""Never lose a run: kill -9 mid-archive and resume; two archivers on one vault."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.webserver import Web, standard_routes

PAGES = 60


@pytest.fixture
def slow_web():
    web = Web(delay=0.15)
    standard_routes(web)
    yield web
    web.close()


@pytest.fixture
def pending_vault(kg, slow_web, tmp_path, vault):
    notes = tmp_path / "notes.md"
    urls = "\n\n".join(slow_web.url(f"/page/{i}") for i in range(PAGES))
    notes.write_text(f"# 2024-07-27\n\n{urls}\n", encoding="utf-8")
    kg("add", "--no-fetch", str(notes))
    return vault


def archived_count(vault: Path) -> int:
    with sqlite3.connect(vault / ".kgnotes" / "kgnotes.db", timeout=30) as db:
        return db.execute("SELECT COUNT(*) FROM links WHERE status = 'archived'").fetchone()[0]


# ``kgnotes archive`` as a terminal starts it, with Ctrl-C raising KeyboardInterrupt: a suite
# run in the background (``cmd &``) inherits SIGINT ignored, and Python then keeps it ignored.
_AS_IN_A_TERMINAL = (
    "import runpy, signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
    "sys.argv[0] = 'kgnotes'; runpy.run_module('kgnotes', run_name='__main__')"
)


def start_archive(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", _AS_IN_A_TERMINAL, "archive", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def wait_for(condition, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.05)


def test_kill_minus_9_then_resume(pending_vault, slow_web):
    first = start_archive("--concurrency", "4")
    wait_for(lambda: archived_count(pending_vault) >= 10)
    first.send_signal(signal.SIGKILL)
    first.wait()
    kept = archived_count(pending_vault)
    assert 10 <= kept < PAGES
    with sqlite3.connect(pending_vault / ".kgnotes" / "kgnotes.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        done = [r[0] for r in db.execute("SELECT l.url FROM links l WHERE l.status = 'archived'")]
        snapshots = [r[0] for r in db.execute("SELECT snapshot FROM documents")]
    for snapshot in snapshots:  # every snapshot the database knows is whole
        with open(pending_vault / snapshot, "rb") as stream:
            assert sum(1 for _ in ArchiveIterator(stream)) == 2
    hits_before = dict(slow_web.hits)
    second = start_archive("--concurrency", "4")
    out, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    assert out.decode().startswith(f"archived {PAGES - kept}, failed 0, in ")
    assert archived_count(pending_vault) == PAGES
    for url in done:  # nothing archived before was fetched again
        path = "/" + url.split("/", 3)[3]
        assert slow_web.hits[path] == hits_before[path] == 1
    leftovers = list((pending_vault / ".kgnotes" / "archive").glob("*/*/.*"))  # temporaries
    assert leftovers == []


def test_a_second_archiver_is_told_the_vault_is_busy(pending_vault):
    first = start_archive("--concurrency", "1")
    try:
        wait_for(lambda: archived_count(pending_vault) >= 1)
        second = start_archive()
        _out, err = second.communicate(timeout=60)
        assert second.returncode == 1
        assert "another kgnotes is archiving this vault" in err.decode()
    finally:
        first.send_signal(signal.SIGINT)
        try:
            _out, err = first.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            first.kill()
            raise
    assert first.returncode == 130
    assert "interrupted — what finished is kept" in err.decode()
    with sqlite3.connect(pending_vault / ".kgnotes" / "kgnotes.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert os.path.exists(pending_vault / ".kgnotes" / "archive.lock")


def test_add_while_another_archiver_runs_waits_its_turn_and_archives_its_links(
    pending_vault, kg_json, tmp_path, slow_web
):
    first = start_archive("--concurrency", "2")
    try:
        wait_for(lambda: archived_count(pending_vault) >= 1)
        notes = tmp_path / "more.md"
        notes.write_text(f"# 2024-08-01\n\n{slow_web.url('/article')}\n", encoding="utf-8")
        env = {**os.environ, "KGNOTES_VAULT": str(pending_vault)}
        second = subprocess.run(
            [sys.executable, "-m", "kgnotes", "add", str(notes)],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert "more.md: added" in second.stdout
        assert "another kgnotes is archiving this vault" in second.stderr
        assert "waiting for it, then archiving these links" in second.stderr
        assert second.returncode == 0, second.stderr
        assert first.poll() is not None  # it waited for the first to finish
    finally:
        if first.poll() is None:
            first.send_signal(signal.SIGINT)
        first.communicate(timeout=60)
    statuses = {link["url"]: link["status"] for link in kg_json("links")}
    assert statuses[slow_web.url("/article")] == "archived"  # not left pending
    assert archived_count(pending_vault) == PAGES + 1


def follow_up_state(vault: Path) -> str | None:
    """The later stages' mark, or None before there is one (or before the schema is written:
    the database file exists a moment before its tables do)."""
    with sqlite3.connect(vault / ".kgnotes" / "kgnotes.db", timeout=30) as db:
        if not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'state'").fetchone():
            return None
        row = db.execute("SELECT value FROM state WHERE key = 'follow_up'").fetchone()
    return row[0] if row else None


def test_kill_minus_9_among_the_later_stages_is_finished_by_the_next_add(tmp_path, vault):
    notes = tmp_path / "notes.md"
    days = [
        f"# 2024-07-{day:02d}\n\nattention day {day}\n\n"
        + "self-attention lets every token look at every other token. " * 20
        for day in range(1, 29)
    ]
    notes.write_text("\n\n".join(days) + "\n", encoding="utf-8")
    env = {**os.environ, "KGNOTES_VAULT": str(vault)}
    command = [sys.executable, "-m", "kgnotes", "add", "--no-fetch", str(notes)]
    first = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wait_for(lambda: (vault / ".kgnotes" / "kgnotes.db").exists() and follow_up_state(vault))
    first.send_signal(signal.SIGKILL)  # among graph, index and pages: the model is loading
    first.wait()
    assert follow_up_state(vault) == "pending"
    assert not (vault / "Home.md").exists()
    second = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert second.returncode == 0, second.stderr
    assert "notes.md: unchanged" in second.stdout
    assert "indexed" in second.stdout and "vault:" in second.stdout  # the stages ran anyway
    assert (vault / "Home.md").exists() and len(list((vault / "Journal").glob("*.md"))) == 28
    assert follow_up_state(vault) == "done"
    with sqlite3.connect(vault / ".kgnotes" / "kgnotes.db") as db:
        missing = db.execute(
            "SELECT COUNT(*) FROM chunks c WHERE NOT EXISTS "
            "(SELECT 1 FROM vectors v WHERE v.hash = c.hash AND v.model LIKE '%MiniLM%')"
        ).fetchone()[0]
    assert missing == 0
    third = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert third.stdout.strip() == f"{notes}: unchanged"  # nothing left to finish: nothing run
