"""Archiving speed: kgnotes against a plain sequential fetch-and-extract loop, in one run.

    python bench/archive.py [--pages 400] [--hosts 20] [--delay 0.1] [--runs 3]

Serves ``--pages`` article pages from ``--hosts`` local servers (one port each), every response
delayed ``--delay`` seconds. Times ``kgnotes archive`` (a separate process, default limits:
8 in flight, 2 per host) and a sequential ``requests.get`` + ``trafilatura.extract`` loop over
the same pages. Prints pages/s for both, the ratio, the ideal rate the limits allow at that
latency, kgnotes' share of the ideal, and kgnotes' peak memory.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.webserver import BOILERPLATE_ARTICLE, Web  # noqa: E402


def serve(hosts: int, delay: float) -> list[Web]:
    servers = []
    for _ in range(hosts):
        web = Web(delay=delay)
        web.prefix("/post/", lambda req: req.send(200, _page(req.path).encode()))
        servers.append(web)
    return servers


def _page(path: str) -> str:
    number = path.rsplit("/", 1)[-1]
    return BOILERPLATE_ARTICLE.replace(
        "Understanding Multi-Head Attention", f"Understanding Multi-Head Attention, part {number}"
    )


def baseline(urls: list[str]) -> float:
    import requests
    import trafilatura

    start = time.perf_counter()
    with requests.Session() as session:
        for url in urls:
            response = session.get(url, timeout=20)
            trafilatura.extract(response.text, url=url, output_format="markdown")
    return time.perf_counter() - start


def kgnotes_archive(urls: list[str], workdir: Path) -> tuple[float, float, float, str]:
    """Wall time, peak memory (MB) and CPU seconds of ``kgnotes archive`` on ``urls``."""
    env = {**os.environ, "KGNOTES_VAULT": str(workdir / "vault"), "KGNOTES_WAYBACK": "0"}
    notes = workdir / "notes.md"
    notes.write_text("# 2024-07-27\n\n" + "\n\n".join(urls) + "\n", encoding="utf-8")
    kgnotes = [sys.executable, "-m", "kgnotes"]
    subprocess.run(
        [*kgnotes, "add", "--no-fetch", str(notes)], env=env, check=True, capture_output=True
    )
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    process = subprocess.Popen(
        [*kgnotes, "archive"], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    peak = 0.0
    while process.poll() is None:
        peak = max(peak, tree_rss_mb(process.pid))
        time.sleep(0.25)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return seconds, peak, cpu, process.stdout.read().strip()


def tree_rss_mb(root: int) -> float:
    """Resident memory of a process and all its descendants (extraction workers included)."""
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            continue
        rss = next((line.split()[1] for line in status.splitlines() if line.startswith("VmRSS")), 0)
        total += int(rss)
        todo += [int(child) for child in children]
    return total / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=400)
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--delay", type=float, default=0.1)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    servers = serve(args.hosts, args.delay)
    urls = [servers[i % args.hosts].url(f"/post/{i}") for i in range(args.pages)]
    concurrency, per_host = 8, 2
    in_flight = min(concurrency, per_host * args.hosts)
    ideal = in_flight / args.delay

    runs = []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            runs.append(kgnotes_archive(urls, Path(tmp)))
    runs.sort()
    seconds, peak, cpu, summary = runs[len(runs) // 2]
    base = baseline(urls)
    ours, theirs = args.pages / seconds, args.pages / base
    print(f"{args.pages} pages on {args.hosts} hosts, {args.delay * 1000:.0f} ms per response")
    print(
        f"kgnotes archive (median of {args.runs}): {seconds:5.2f} s  {ours:6.1f} pages/s  "
        f"({summary}; runs {', '.join(f'{r[0]:.2f}' for r in runs)} s)"
    )
    print(f"sequential get + extract:   {base:6.2f} s  {theirs:6.1f} pages/s")
    print(f"speed-up over sequential:   {ours / theirs:6.1f}x")
    print(
        f"ideal at {in_flight} in flight:      {ideal:6.1f} pages/s  "
        f"(the command reaches {ours / ideal:.0%} of it, start-up included)"
    )
    phase = float(re.search(r"in (\d+\.\d+) s", summary).group(1))
    print(
        f"archiving phase alone:      {phase:6.2f} s  {args.pages / phase:6.1f} pages/s  "
        f"({args.pages / phase / ideal:.0%} of the ideal)"
    )
    print(
        f"kgnotes peak memory:        {peak:6.0f} MB (all its processes), "
        f"CPU {cpu:.2f} s (main process)"
    )
    for web in servers:
        web.close()


if __name__ == "__main__":
    main()
