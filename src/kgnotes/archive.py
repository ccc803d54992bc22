"""Archiving links: many at once, politely, and without ever losing a run.

Worker threads capture links (fetch, then hand parsing to worker processes and write a WARC
snapshot); the main thread alone writes to SQLite, one transaction per link, so a run killed
at any moment keeps every link it finished and leaves the rest pending. A scheduler hands out
links round-robin by host, no more than ``per_host`` at once on any host, and the fetcher lets
no more than ``concurrency`` requests be in flight.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from kgnotes.config import Config, setting
from kgnotes.errors import KgnotesError, VaultBusyError
from kgnotes.extractors import Extractors
from kgnotes.fetch import Fetcher, FetchError, FetchOptions
from kgnotes.robots import RobotsRules
from kgnotes.snapshots import sweep_temporary_files, write_warc
from kgnotes.sources import Capture, Context, Endpoints, Source, arxiv, source_for, wayback
from kgnotes.store import ArchivedLink, FailedLink, LinkJob, Store, title_key

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ArchiveOptions:
    """How to archive: limits, the Wayback fallback, fetch policy and service endpoints."""

    concurrency: int = 8
    per_host: int = 2
    wayback: bool = True
    robots: bool = True  # ask each site's robots.txt before archiving a page from it
    fetch: FetchOptions = field(default_factory=FetchOptions)
    endpoints: Endpoints = field(default_factory=Endpoints)


@dataclass(frozen=True)
class LinkResult:
    """The outcome for one link, for progress lines and the summary."""

    url: str
    ok: bool
    title: str | None = None
    reason: str | None = None
    error: str | None = None
    via: str = "direct"


@dataclass
class ArchiveReport:
    results: list[LinkResult] = field(default_factory=list)
    skipped: int = 0
    interrupted: bool = False
    seconds: float = 0.0

    @property
    def archived(self) -> int:
        return sum(r.ok for r in self.results)

    @property
    def failed_by_reason(self) -> Counter[str]:
        return Counter(r.reason or "error" for r in self.results if not r.ok)


class Interrupted(KgnotesError):
    """Ctrl-C during a run: what was finished is kept, the rest stays pending."""

    def __init__(self, report: ArchiveReport):
        super().__init__("interrupted: run the same command again to resume")
        self.report = report


Progress = Callable[[LinkResult, int, int], None]


def options_from_config(
    config: Config, concurrency: int | None = None, wayback_on: bool | None = None
) -> ArchiveOptions:
    """Archive options from ``[fetch]`` in config.toml and ``KGNOTES_*`` variables; command-line
    values (``concurrency``, ``wayback_on``) win over both."""
    base, fetch = ArchiveOptions(), FetchOptions()
    fetch = FetchOptions(
        connect_timeout=setting(
            config, "fetch.connect_timeout", "KGNOTES_CONNECT_TIMEOUT", fetch.connect_timeout
        ),
        read_timeout=setting(
            config, "fetch.read_timeout", "KGNOTES_READ_TIMEOUT", fetch.read_timeout
        ),
        deadline=setting(config, "fetch.deadline", "KGNOTES_FETCH_DEADLINE", fetch.deadline),
        retries=setting(config, "fetch.retries", "KGNOTES_RETRIES", fetch.retries),
        backoff=setting(config, "fetch.backoff", "KGNOTES_BACKOFF", fetch.backoff),
        retry_after_cap=setting(
            config, "fetch.retry_after_cap", "KGNOTES_RETRY_AFTER_CAP", fetch.retry_after_cap
        ),
        max_redirects=setting(
            config, "fetch.max_redirects", "KGNOTES_MAX_REDIRECTS", fetch.max_redirects
        ),
        max_bytes=int(
            setting(config, "fetch.max_mb", "KGNOTES_MAX_FETCH_MB", fetch.max_bytes / 2**20) * 2**20
        ),
    )
    return ArchiveOptions(
        concurrency=concurrency
        or setting(config, "fetch.concurrency", "KGNOTES_CONCURRENCY", base.concurrency),
        per_host=setting(config, "fetch.per_host", "KGNOTES_PER_HOST", base.per_host),
        wayback=wayback_on
        if wayback_on is not None
        else setting(config, "fetch.wayback", "KGNOTES_WAYBACK", base.wayback),
        robots=setting(config, "fetch.robots", "KGNOTES_ROBOTS", base.robots),
        fetch=fetch,
        endpoints=Endpoints.from_config(config),
    )


def resolve_references(store: Store, options: ArchiveOptions) -> set[int]:
    """Find the papers behind titles written without a link (arXiv title search).

    Each title is searched once: the answer, found or not, is remembered; a search that failed
    (no network) is not, so the next run tries again. Returns the ids of the links resolved.
    """
    fetcher = Fetcher(options.fetch)
    resolved: set[int] = set()
    for ref_id, title in store.unresolved_references():
        key = title_key(title)
        asked, paper_url = store.title_lookup(key)
        if not asked:
            try:
                paper = arxiv.find_by_title(title, fetcher, options.endpoints)
            except FetchError as exc:  # not remembered: the next run searches again
                log.warning("“%s”: the arXiv title search failed (%s)", title, exc.detail)
                continue
            paper_url = f"https://arxiv.org/abs/{paper.id}" if paper else None
            with store.transaction():
                store.save_title_lookup(key, paper_url)
        if paper_url:
            with store.transaction():
                resolved.add(store.resolve_reference(ref_id, paper_url, paper_url, "paper"))
    return resolved


@contextlib.contextmanager
def archive_lock(state_dir: Path, waiting: Callable[[str], None] | None = None) -> Iterator[None]:
    """One archiver per vault. A second one is told the vault is busy instead of racing, or,
    given ``waiting`` (``kgnotes add``, whose new links must not be left pending), says why
    it waits and then waits its turn."""
    try:
        import fcntl
    except ImportError:  # Windows: SQLite's own locking still keeps the data safe
        yield
        return
    state_dir.mkdir(parents=True, exist_ok=True)
    with open(state_dir / "archive.lock", "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            if waiting is None:
                raise VaultBusyError(
                    f"{state_dir.parent}: another kgnotes is archiving this vault (pid {holder})"
                    " — wait for it to finish, then run kgnotes archive"
                ) from None
            waiting(
                f"another kgnotes is archiving this vault (pid {holder}): waiting for it, "
                "then archiving these links"
            )
            fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def archive_links(
    store: Store,
    archive_dir: Path,
    jobs: list[LinkJob],
    options: ArchiveOptions,
    progress: Progress | None = None,
) -> ArchiveReport:
    """Capture every job, recording each as it finishes; raises Interrupted on Ctrl-C."""
    report = ArchiveReport()
    started = time.perf_counter()
    sweep_temporary_files(archive_dir)
    extractors = Extractors(len(jobs))
    in_flight = max(1, options.concurrency)
    robots = RobotsRules(options.fetch) if options.robots else None
    ctx = Context(Fetcher(options.fetch, in_flight), options.endpoints, extractors, robots)
    queue = _HostQueue(jobs, options)
    # Eight workers per request allowed in flight: while some wait for the extraction workers
    # to start (~0.5 s) or parse and write what they fetched, the others keep the network busy.
    # Each holds at most one body (under the fetch cap) in memory.
    workers = 8 * in_flight
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fetch")
    running: dict[Future[tuple[ArchivedLink | None, FailedLink | None]], LinkJob] = {}
    try:
        while queue or running:
            for job in queue.take(workers - len(running)):
                running[pool.submit(capture_link, job, ctx, options, archive_dir)] = job
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                job = running.pop(future)
                queue.release(job)
                result = _record(store, job, *future.result())
                report.results.append(result)
                if progress:
                    progress(result, len(report.results), len(jobs))
    except KeyboardInterrupt:
        report.interrupted = True
        report.seconds = time.perf_counter() - started
        pool.shutdown(wait=False, cancel_futures=True)
        extractors.close(wait=False)
        raise Interrupted(report) from None
    pool.shutdown(wait=True)
    extractors.close()
    report.seconds = time.perf_counter() - started
    return report


class _HostQueue:
    """Jobs grouped by host, handed out round-robin within the per-host limit."""

    def __init__(self, jobs: list[LinkJob], options: ArchiveOptions):
        self.per_host = max(1, options.per_host)
        self.endpoints = options.endpoints
        self.waiting: dict[str, deque[LinkJob]] = {}
        for job in jobs:
            self.waiting.setdefault(self.host(job), deque()).append(job)
        self.order = deque(self.waiting)
        self.active: Counter[str] = Counter()

    def __bool__(self) -> bool:
        return any(self.waiting.values())

    def host(self, job: LinkJob) -> str:
        """The host a job will actually load: the API's for papers and videos."""
        module = source_for(job.url).__name__.rsplit(".", 1)[-1]
        url = {"arxiv": self.endpoints.arxiv_api, "youtube": self.endpoints.youtube_oembed}.get(
            module, job.url
        )
        parts = urlsplit(url)
        return f"{parts.hostname}:{parts.port or ''}"

    def take(self, room: int) -> list[LinkJob]:
        taken: list[LinkJob] = []
        while room > len(taken):
            for _ in range(len(self.order)):
                host = self.order[0]
                self.order.rotate(-1)
                if self.waiting[host] and self.active[host] < self.per_host:
                    taken.append(self.waiting[host].popleft())
                    self.active[host] += 1
                    break
            else:
                return taken
        return taken

    def release(self, job: LinkJob) -> None:
        self.active[self.host(job)] -= 1


def capture_link(
    job: LinkJob, ctx: Context, options: ArchiveOptions, archive_dir: Path
) -> tuple[ArchivedLink | None, FailedLink | None]:
    """Fetch, extract and snapshot one link (runs in a worker thread; touches no database)."""
    source = source_for(job.url)
    try:
        captured = _capture(job, source, ctx, options)
        snapshot = write_warc(archive_dir, job.normalized, captured.exchanges)
    except FetchError as exc:
        return None, FailedLink(exc.reason, exc.detail, exc.status, exc.final_url, exc.attempts)
    except OSError as exc:
        return None, FailedLink("disk", f"cannot write the snapshot ({exc})", None, None, 1)
    except Exception as exc:  # a bug or a hostile page must cost one link, not the run
        log.exception("%s: unexpected error", job.url)
        return None, FailedLink("error", f"unexpected error: {exc!r}", None, None, 1)
    doc = captured.document
    digest = hashlib.sha256(f"{doc.title}\x00{doc.text}".encode()).hexdigest()
    return ArchivedLink(
        doc,
        digest,
        snapshot,
        captured.final_url,
        captured.http_status,
        captured.attempts,
        captured.via,
    ), None


def _capture(job: LinkJob, source: Source, ctx: Context, options: ArchiveOptions) -> Capture:
    if ctx.robots is not None and source.FETCHES_THE_PAGE:
        refusal = ctx.robots.refusal(job.url)
        if refusal:
            raise FetchError(job.url, "robots.txt", refusal)
    try:
        return source.capture(job.url, ctx)
    except FetchError as exc:
        if not (options.wayback and source.WAYBACK_OK and exc.reason in wayback.DEAD_REASONS):
            raise
        try:
            return wayback.capture(job.url, source, ctx)
        except FetchError as second:
            log.info("%s: no Wayback copy either (%s)", job.url, second.detail)
            raise exc from None


def _record(
    store: Store, job: LinkJob, archived: ArchivedLink | None, failed: FailedLink | None
) -> LinkResult:
    with store.transaction():
        if archived:
            store.record_archived(job.id, archived)
        elif failed:
            store.record_failed(job.id, failed)
    if archived:
        return LinkResult(job.url, True, title=archived.document.title, via=archived.via)
    assert failed is not None
    return LinkResult(job.url, False, reason=failed.reason, error=failed.error)
