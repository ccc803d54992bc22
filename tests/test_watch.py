"""``kgnotes watch``: a journal read as it is saved, as a real process and in-process with its
links archived in the background by a real ``kgnotes archive`` against the local server."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from kgnotes import output
from kgnotes.config import resolve_vault
from kgnotes.store import Store
from kgnotes.watch import WatchEvent, WatchOptions, watch

SCRIPT = Path(sys.executable).with_name("kgnotes")
WITHIN = 15.0  # seconds: the bound for a save to be read


def lines_of(stream, into: queue.Queue) -> None:
    for raw in iter(stream.readline, b""):
        into.put(raw.decode("utf-8", "replace").rstrip("\n"))


def wait_for(lines: queue.Queue, text: str, seen: list[str]) -> str:
    """The first line holding ``text`` within ``WITHIN`` seconds (every line read is kept)."""
    deadline = time.monotonic() + WITHIN
    while (left := deadline - time.monotonic()) > 0:
        try:
            line = lines.get(timeout=left)
        except queue.Empty:
            break
        seen.append(line)
        if text in line:
            return line
    raise AssertionError(f"no line with {text!r} within {WITHIN} s; saw {seen}")


def entries(vault: Path) -> list[str]:
    with Store(resolve_vault(vault).db) as store:
        return [e.text for e in store.entry_texts()]


@pytest.mark.skipif(not SCRIPT.exists(), reason="kgnotes is not installed next to this Python")
def test_watch_reads_a_new_file_and_its_edit_then_stops_on_ctrl_c(vault, tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    env = {**os.environ, "KGNOTES_VAULT": str(vault), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [str(SCRIPT), "--vault", str(vault), "watch", str(notes), "--no-fetch"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    out: queue.Queue = queue.Queue()
    err: queue.Queue = queue.Queue()
    for stream, into in ((process.stdout, out), (process.stderr, err)):
        threading.Thread(target=lines_of, args=(stream, into), daemon=True).start()
    seen: list[str] = []
    try:
        wait_for(err, "watching", seen)
        journal = notes / "2024.md"
        journal.write_text("# 7-27\n\nself attention is a superset of rnn and cnn\n", "utf-8")
        assert "added, 1 entries" in wait_for(out, "2024.md", seen)
        with journal.open("a", encoding="utf-8") as more:
            more.write("\n# 7-28\n\nViT cuts an image into patches（没看完）\n")
        assert "updated, 2 entries" in wait_for(out, "2024.md", seen)
        assert any("ViT cuts an image" in text for text in entries(vault))
    finally:
        process.send_signal(signal.SIGINT)
        code = process.wait(timeout=30)
    time.sleep(0.2)  # the reader threads drain what the process said last
    said = seen + list(out.queue) + list(err.queue)
    assert not any("Traceback" in line for line in said), said
    if code == 0:  # stopped between saves
        assert "stopped watching" in said, said
    else:  # in the middle of reading one (an editor's save can come as two changes)
        assert code == 130 and any("interrupted while reading a save" in s for s in said), said


def test_new_links_are_archived_in_the_background_and_pages_skipped(vault, tmp_path, web):
    """A save with a link is read at once and its link archived by a background process; in
    the watched vault, kgnotes' own pages (written meanwhile), editors' hidden files and other
    suffixes are not read."""
    notes = vault / "notes"
    notes.mkdir(parents=True)
    (notes / "2024.md").write_text(f"# 7-27\n\nattention\n\n{web.url('/article')}\n", "utf-8")
    events: queue.Queue[WatchEvent] = queue.Queue()
    stop = threading.Event()
    options = WatchOptions(debounce_ms=100)
    watcher = threading.Thread(
        target=watch, args=(resolve_vault(vault), [str(vault)], options, events.put, stop)
    )
    watcher.start()
    try:
        assert events.get(timeout=WITHIN).ready  # the watcher is live before anything is read
        first = events.get(timeout=WITHIN * 2)  # the model loads for the first read
        assert first.first and first.archiving
        assert [f.status for f in first.report.files] == ["added"]
        (notes / ".#2024.md").write_text("# 1-1\n\nan editor's lock file\n", "utf-8")
        (notes / "draft.tmp").write_text("not notes", "utf-8")
        (notes / "2025.md").write_text("# 1-2\n\nViT reads patches\n", "utf-8")
        later = [events.get(timeout=WITHIN * 2) for _ in range(2)]  # the save; the archive
    finally:
        stop.set()
        watcher.join(timeout=30)
    saved = next(e for e in later if e.report is not None)
    assert [f.label for f in saved.report.files] == [str(notes / "2025.md")]
    assert (vault / "Journal").is_dir()  # written by both reads, read by neither
    ended = next(e for e in later if e.archived is not None)
    assert ended.archived.startswith("archived 1, failed 0"), ended.archived
    with Store(resolve_vault(vault).db) as store:
        assert store.count_links("archived") == 1
    assert "new links archiving in the background" in "\n".join(output.watch_lines(first))


def test_a_missing_folder_is_one_line(kg, tmp_path):
    result = kg("watch", str(tmp_path / "nowhere" / "notes.md"), expect=1)
    assert result.stderr.strip().endswith("no such folder to watch"), result.stderr
