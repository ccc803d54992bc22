"""Ingest speed on a large synthetic journal, against a bare regex URL scan of the same text.

    python bench/ingest.py [--mb 50]

Prints MB/s for the bare scan (baseline: split lines, findall URLs), for ``parse_journal``,
and for the whole ``add`` (parse + SQLite), the ratios to the baseline, and peak memory.
"""

from __future__ import annotations

import argparse
import re
import resource
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from kgnotes.config import resolve_vault
from kgnotes.journal import parse_journal
from kgnotes.pipeline import AddOptions, add

FIXTURE = Path(__file__).parent.parent / "tests" / "fixtures" / "journal.md"


def synthetic_journal(megabytes: float) -> str:
    """The test journal's days repeated with fresh dates (and fresh links) up to the size asked."""
    days = re.split(r"(?m)^# \d+-\d+\n", FIXTURE.read_text(encoding="utf-8"))[1:]
    parts, size, day, n = [], 0, date(2000, 1, 1), 0
    while size < megabytes * 1024 * 1024:
        body = days[n % len(days)].replace("example", f"example{n}").replace(".com/", f".com/{n}/")
        chunk = f"# {day.isoformat()}\n{body}"
        parts.append(chunk)
        size += len(chunk.encode("utf-8"))
        day, n = day + timedelta(days=1), n + 1
    return "".join(parts)


def timed(label: str, megabytes: float, func) -> float:
    start = time.perf_counter()
    func()
    seconds = time.perf_counter() - start
    print(f"{label:<28} {seconds:8.2f} s  {megabytes / seconds:8.2f} MB/s")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=float, default=19.5)
    args = parser.parse_args()
    text = synthetic_journal(args.mb)
    mb = len(text.encode("utf-8")) / (1024 * 1024)
    print(f"journal: {mb:.1f} MB, {text.count(chr(10)):,} lines")
    url = re.compile(r"https?://\S+")
    base = timed(
        "baseline regex URL scan", mb, lambda: [url.findall(ln) for ln in text.split("\n")]
    )
    parse = timed("parse_journal", mb, lambda: parse_journal(text))
    with tempfile.TemporaryDirectory() as tmp:
        notes = Path(tmp) / "journal.md"
        notes.write_text(text, encoding="utf-8")
        paths = resolve_vault(Path(tmp) / "vault")
        full = timed(
            "kgnotes add (parse + SQLite)",
            mb,
            lambda: add(paths, [str(notes)], AddOptions(fetch=False)),
        )
        again = timed(
            "kgnotes add again (unchanged)",
            mb,
            lambda: add(paths, [str(notes)], AddOptions(fetch=False)),
        )
    print(
        f"parse / baseline: {parse / base:.1f}x   add / baseline: {full / base:.1f}x   "
        f"unchanged add / first add: {again / full:.1%}"
    )
    one_block()
    print(f"peak memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


def one_block() -> None:
    """One block of many links (a pasted export of bookmarks): parsing must stay linear in
    them, so 50,000 links take about five times as long as 10,000, not twenty-five."""
    url = re.compile(r"https?://\S+")
    seconds = {}
    for n in (10_000, 50_000):
        text = "# 2024-07-27\n\nbookmarks\n" + "\n".join(f"https://e.com/p/{i}" for i in range(n))
        mb = len(text.encode("utf-8")) / (1024 * 1024)
        base = timed(f"baseline scan, {n:,} links", mb, lambda t=text: url.findall(t))
        seconds[n] = timed(f"parse one block, {n:,} links", mb, lambda t=text: parse_journal(t))
        print(f"    one block / baseline: {seconds[n] / base:.0f}x")
    print(f"50,000 links / 10,000 links: {seconds[50_000] / seconds[10_000]:.1f}x (linear: 5x)")


if __name__ == "__main__":
    main()
