"""Extraction in worker processes, so parsing never holds up fetching.

Parsing HTML and PDFs is CPU work; in the fetch threads it would hold the GIL those threads
need to keep requests in flight. Workers come from a fork server that has already imported
trafilatura, so each starts warm, and they die with the archiver even when it is killed.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from kgnotes.extract import Document, extract
from kgnotes.processes import alive

log = logging.getLogger(__name__)


class Extractors:
    """A callable like ``extract.extract`` that runs in worker processes when there is enough
    work to pay for them; if a worker dies (a parser crash on a hostile page), extraction
    carries on in-process."""

    MIN_JOBS = 8

    def __init__(self, jobs: int):
        self.pool: ProcessPoolExecutor | None = None
        workers = min(os.cpu_count() or 1, 4)
        if jobs >= self.MIN_JOBS and workers > 1:
            methods = multiprocessing.get_all_start_methods()
            context = multiprocessing.get_context(
                "forkserver" if "forkserver" in methods else "spawn"
            )
            if "forkserver" in methods:
                context.set_forkserver_preload(["kgnotes.extract", "trafilatura"])
            self.pool = ProcessPoolExecutor(
                max_workers=workers,
                mp_context=context,
                initializer=_worker_setup,
                initargs=(os.getpid(),),
            )
            for _ in range(workers):  # start them now, while the first pages are on their way
                self.pool.submit(os.getpid)

    def __call__(self, content_type: str, body: bytes, text: str | None, url: str) -> Document:
        if self.pool is not None:
            try:
                return self.pool.submit(extract, content_type, body, text, url).result()
            except BrokenProcessPool:
                log.warning("extraction worker died; extracting in-process from now on")
                self.pool = None
        return extract(content_type, body, text, url)

    def close(self, wait: bool = True) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=wait, cancel_futures=True)


def _worker_setup(archiver: int) -> None:
    """In each extraction worker: leave Ctrl-C to the archiver, and die with it.

    A worker blocked on its task queue never notices that the archiver was killed (it holds
    the queue's other end itself), and it would keep the archiver's output pipes open.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while alive(archiver):
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, daemon=True, name="archiver-watch").start()
