"""``kgnotes watch``: the journal read as it is written.

Each save of a notes file under the watched paths is read as ``kgnotes add`` reads it (its
entries, links, the graph, the index and the vault pages brought up to date), a burst of saves
read once (``watchfiles`` waits for ``debounce_ms`` of quiet). New links are archived by a
``kgnotes archive`` process of its own, so a slow site never holds up the next save; while one
runs, later links wait for the next. Ctrl-C stops the watch between saves: a save being read
is read in SQLite transactions, so an interrupted one leaves the store as it was, and an
interrupted archive keeps every link it finished (``kgnotes archive`` resumes the rest).
"""

from __future__ import annotations

import dataclasses
import logging
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kgnotes.config import VaultPaths
    from kgnotes.pipeline import AddReport

ARCHIVE_LOG = "watch-archive.log"  # the background archive's output, in .kgnotes/


@dataclass(frozen=True)
class WatchOptions:
    fetch: bool = True
    year: int | None = None
    debounce_ms: int = 500
    serve: bool | None = None  # keep the search server started (None: as [search] serve says)


@dataclass(frozen=True)
class WatchEvent:
    """What one burst of saves did: ``report`` is add's for the saved files (None when only
    deletions came); ``removed`` the notes files gone from disk (their entries are kept);
    ``archiving`` says a background archive was started for new links; ``archived`` is the
    last line of a background archive that ended."""

    report: AddReport | None = None
    removed: tuple[str, ...] = ()
    archiving: bool = False
    archived: str | None = None
    first: bool = False  # the reading of every watched file when the watch starts
    ready: bool = False  # the watch has begun: saves from now on are seen


@dataclass
class _Archiver:
    """The background ``kgnotes archive``: at most one at a time, started again when links
    arrived while it ran."""

    paths: VaultPaths
    process: subprocess.Popen[bytes] | None = None
    wanted: bool = False
    log: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log = self.paths.state / ARCHIVE_LOG

    def request(self) -> bool:
        """Archive pending links now, or as soon as the running archive ends (``poll`` then
        starts the next); True when a process was started now."""
        self.wanted = True
        return self._start()

    def poll(self) -> str | None:
        """What an archive that just ended said (then the next is started if links
        wait), else None."""
        if self.process is None or self.process.poll() is None:
            return None
        self.process = None
        ended = _summary(self.log)
        if self.wanted:
            self._start()
        return ended

    def _start(self) -> bool:
        if self.process is not None or not self.wanted:
            return False
        self.wanted = False
        self.paths.state.mkdir(parents=True, exist_ok=True)
        with open(self.log, "wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "kgnotes", "--vault", str(self.paths.root), "archive"],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # the terminal's Ctrl-C is ours to pass on
            )
        return True

    def stop(self, seconds: float = 20.0) -> None:
        """Interrupt a running archive as Ctrl-C would (it keeps what it finished)."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(seconds)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def watch(
    paths: VaultPaths,
    targets: list[str],
    options: WatchOptions,
    on_event: Callable[[WatchEvent], None],
    stop: threading.Event | None = None,
) -> None:
    """Read ``targets`` (files and folders) now and again at every save, until ``stop`` is set
    or Ctrl-C. A target that does not exist yet is watched for from its folder."""
    import watchfiles

    from kgnotes import serve
    from kgnotes.errors import NoteFileError

    logging.getLogger("watchfiles").setLevel(logging.ERROR)  # it logs Ctrl-C as a warning
    files = [Path(t).expanduser().resolve() for t in targets]
    roots = sorted({p if p.is_dir() else p.parent for p in files})
    missing = [str(r) for r in roots if not r.is_dir()]
    if missing:
        raise NoteFileError(missing[0], "no such folder to watch")
    if options.serve is None:
        options = dataclasses.replace(options, serve=_serving(paths))
    archiver = _Archiver(paths)
    try:
        changes = watchfiles.watch(
            *roots,
            watch_filter=lambda _, path: _wanted(Path(path), files, paths),
            debounce=options.debounce_ms,
            stop_event=stop,
            rust_timeout=1000,
            yield_on_timeout=True,  # an empty set each second: time to see the archive end
            raise_interrupt=False,
        )
        started = False
        for batch in changes:
            if not started:  # the watcher is live: what is saved from now on is seen
                started = True
                _start(paths, targets, files, options, archiver, on_event)
            ended = archiver.poll()
            if ended is not None:
                on_event(WatchEvent(archived=ended))
            saved = sorted({_shown(p) for _, p in batch if Path(p).is_file()})
            gone = tuple(sorted({_shown(p) for _, p in batch if not Path(p).exists()}))
            if saved:
                on_event(_read(paths, saved, options, archiver, removed=gone))
                if options.serve:
                    serve.start_background(paths)
            elif gone:
                on_event(WatchEvent(removed=gone))
    finally:
        archiver.stop()


def _serving(paths: VaultPaths) -> bool:
    """Is the search server wanted (``[search] serve``, ``KGNOTES_SERVE``)?"""
    from kgnotes.config import load_config, setting

    return bool(setting(load_config(paths), "search.serve", "KGNOTES_SERVE", True))


def _start(
    paths: VaultPaths,
    targets: list[str],
    files: list[Path],
    options: WatchOptions,
    archiver: _Archiver,
    on_event: Callable[[WatchEvent], None],
) -> None:
    """Once the watcher runs: say so, read what is already there, start the search server."""
    from kgnotes import serve

    on_event(WatchEvent(ready=True))
    existing = [t for t, p in zip(targets, files, strict=True) if _readable_now(p)]
    if existing:
        on_event(_read(paths, existing, options, archiver, first=True))
    if options.serve:
        serve.start_background(paths)


def _read(
    paths: VaultPaths,
    saved: list[str],
    options: WatchOptions,
    archiver: _Archiver,
    removed: tuple[str, ...] = (),
    first: bool = False,
) -> WatchEvent:
    """``add --no-fetch`` of the saved files; then the background archive when links wait."""
    from kgnotes import pipeline

    report = pipeline.add(paths, saved, pipeline.AddOptions(year=options.year, fetch=False))
    archiving = False
    if options.fetch and _links_wait(paths):
        archiving = archiver.request()
    return WatchEvent(report=report, removed=removed, archiving=archiving, first=first)


def _links_wait(paths: VaultPaths) -> bool:
    """Are links waiting to be archived (new ones, or left by an interrupted archive)?"""
    from kgnotes.store import Store

    with Store(paths.db) as store:
        return store.count_links("pending") > 0


def _wanted(path: Path, files: Iterable[Path], paths: VaultPaths) -> bool:
    """A change worth reading: a watched file, or a notes file (``.md``, ``.txt``, not hidden:
    editors' swap and lock files are) inside a watched folder, never the vault's own pages."""
    from kgnotes.notefiles import NOTE_SUFFIXES, is_generated

    for watched in files:
        if path == watched:
            break
        if watched.is_dir() and watched in path.parents:
            inside = path.relative_to(watched).parts
            if not any(part.startswith(".") for part in inside):
                break
    else:
        return False
    return path.name.lower().endswith(NOTE_SUFFIXES) and not is_generated(path, paths.root)


def _shown(path: str) -> str:
    """A changed file as the user would name it: relative to here when it is below here."""
    try:
        return str(Path(path).relative_to(Path.cwd()))
    except ValueError:
        return path


def _readable_now(target: Path) -> bool:
    """A file, or a folder with notes in it (an empty one is only watched, not complained of)."""
    from kgnotes.notefiles import has_notes

    return target.is_file() or (target.is_dir() and has_notes(target))


def _summary(log: Path) -> str:
    """What a background archive said of its links (``archived 3, failed 1 …``), or else its
    last line (an error, or that it was interrupted)."""
    try:
        text = log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "ended"
    lines = [line for line in text.splitlines() if line.strip()]
    summary = [line for line in lines if line.startswith("archived ")]
    return (summary or lines or ["ended, saying nothing"])[-1]
