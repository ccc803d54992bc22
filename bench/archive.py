"""Archiving speed: kgnotes against a plain sequential fetch-and-extract loop, in one run.

    python bench/archive.py [--pages 400] [--hosts 20] [--delay 0.1]

Serves ``--pages`` article pages from ``--hosts`` local servers (one port each), every response
delayed ``--delay`` seconds. Times ``kgnotes archive`` (a separate process, default limits:
8 in flight, 2 per host) and a sequential ``requests.get`` + ``trafilatura.extract`` loop over
the same pages. Prints pages/s for both, the ratio, the ideal rate the limits allow at that
latency, kgnotes' share of the ideal, and kgnotes' peak memory.
"""

from __future__ import annotations

import argparse
import os
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
    return BOILERPLATE_ARTICLE.replace("Understanding Multi-Head Attention",
                                       f"Understanding Multi-Head Attention, part {number}")


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
    subprocess.run([*kgnotes, "add", "--no-fetch", str(notes)], env=env, check=True,
                   capture_output=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([*kgnotes, "archive"], env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    peak = max(after.ru_maxrss, before.ru_maxrss) / 1024
    return seconds, peak, cpu, done.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=400)
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--delay", type=float, default=0.1)
    args = parser.parse_args()
    servers = serve(args.hosts, args.delay)
    urls = [servers[i % args.hosts].url(f"/post/{i}") for i in range(args.pages)]
    concurrency, per_host = 8, 2
    in_flight = min(concurrency, per_host * args.hosts)
    ideal = in_flight / args.delay

    with tempfile.TemporaryDirectory() as tmp:
        seconds, peak, cpu, summary = kgnotes_archive(urls, Path(tmp))
    base = baseline(urls)
    ours, theirs = args.pages / seconds, args.pages / base
    print(f"{args.pages} pages on {args.hosts} hosts, {args.delay * 1000:.0f} ms per response")
    print(f"kgnotes archive:            {seconds:6.2f} s  {ours:6.1f} pages/s  ({summary})")
    print(f"sequential get + extract:   {base:6.2f} s  {theirs:6.1f} pages/s")
    print(f"speed-up over sequential:   {ours / theirs:6.1f}x")
    print(f"ideal at {in_flight} in flight:      {ideal:6.1f} pages/s  "
          f"(kgnotes reaches {ours / ideal:.0%} of it)")
    print(f"kgnotes peak memory:        {peak:6.0f} MB, CPU {cpu:.2f} s")
    for web in servers:
        web.close()


if __name__ == "__main__":
    main()
