"""What the commands do, as plain functions over a vault: the CLI calls exactly one of these.

``add`` runs the pipeline stages in order (ingest, then archive; index, graph and export as
they arrive); the question functions read the store and return plain data ready to print.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from kgnotes import embed, serve
from kgnotes.config import Config, VaultPaths, load_config, setting
from kgnotes.errors import KgnotesError, ModelError, NoteFileError, VaultBusyError
from kgnotes.hits import SearchHit, SearchOptions

if TYPE_CHECKING:
    from kgnotes.archive import ArchiveReport, Progress
    from kgnotes.graph import (
        ConceptGraph,
        ConceptSummary,
        GraphReport,
        LearningPath,
        Prerequisites,
    )
    from kgnotes.index import IndexReport
    from kgnotes.ingest import FileReport
    from kgnotes.notefiles import NoteSource, NoteText
    from kgnotes.store import Store, UnresolvedTitle, VaultCounts
    from kgnotes.vault import ExportReport
    from kgnotes.views import DocumentView, GraphDrawing, LinkView

# The stages (parsing, fetching, the store) are imported inside the functions that run them,
# so that ``kgnotes search`` answered by the search server starts in a fraction of a second.

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AddOptions:
    """Options for ``kgnotes add``; ``stdin`` holds the bytes read for a ``-`` argument."""

    year: int | None = None
    fetch: bool = True
    stdin: bytes | None = None
    today: date | None = None
    wayback: bool | None = None
    concurrency: int | None = None


@dataclass
class AddReport:
    files: list[FileReport] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    archive: ArchiveReport | None = None
    graph: GraphReport | None = None
    vault: ExportReport | None = None
    index: IndexReport | None = None

    @property
    def ok(self) -> bool:
        """False only when nothing could be done: every input was unusable."""
        return bool(self.files) or not self.errors


@dataclass(frozen=True)
class ArchiveRequest:
    """Options for ``kgnotes archive``."""

    retry_failed: bool = False
    refresh: bool = False
    concurrency: int | None = None
    wayback: bool | None = None


def add(
    paths: VaultPaths,
    inputs: list[str],
    options: AddOptions,
    progress: Progress | None = None,
    embedding: Callable[[int, int], None] | None = None,
    waiting: Callable[[str], None] | None = None,
) -> AddReport:
    """Ingest notes files, directories, stdin or URLs; then archive the links they hold.

    One bad file never stops the rest, and one bad link never stops the archive. While
    another kgnotes archives the vault, ``waiting`` hears why and this one waits its turn.
    """
    from kgnotes.archive import (
        archive_links,
        archive_lock,
        options_from_config,
        resolve_references,
    )
    from kgnotes.ingest import ingest
    from kgnotes.notefiles import DEFAULT_MAX_MB, discover
    from kgnotes.store import Store

    config = load_config(paths)
    max_mb = setting(config, "notes.max_mb", "KGNOTES_MAX_NOTE_MB", DEFAULT_MAX_MB)
    today = options.today or date.today()
    web = [arg for arg in inputs if _is_url(arg)]
    sources, problems = discover([arg for arg in inputs if not _is_url(arg)], paths.root)
    report = AddReport(errors=[str(p) for p in problems])
    with Store(paths.db) as store:
        for source in sources:
            note = _read(source, options.stdin, max_mb, report.errors)
            if note is not None:
                report.files.append(ingest(store, source, note, year=options.year, today=today))
        if web:
            report.files.append(_add_urls(store, web, today))
        if options.fetch and report.files:
            archive_options = options_from_config(config, options.concurrency, options.wayback)
            try:
                with archive_lock(paths.state, waiting):
                    wanted = store.links_of_files([f.key for f in report.files])
                    wanted |= resolve_references(store, archive_options)
                    jobs = store.archive_queue(("pending",), wanted)
                    report.archive = archive_links(
                        store, paths.archive, jobs, archive_options, progress
                    )
            except VaultBusyError as exc:  # the notes are in; only archiving waits
                report.errors.append(f"{exc} (the notes were read; their links wait as pending)")
        changed = any(f.status != "unchanged" for f in report.files)
        archived = report.archive is not None and report.archive.archived
        if changed or archived or store.state(FOLLOW_UP) == PENDING:
            _follow_up(store, paths, config, report, embedding)
    return report


# The later stages (graph, index, vault pages) are marked pending while they run, so a run
# killed among them is finished by the next ``add`` or ``archive``, even one with nothing new.
FOLLOW_UP, PENDING, DONE = "follow_up", "pending", "done"


def follow_up_pending(paths: VaultPaths) -> bool:
    """Did a run stop before the graph, the index and the vault pages were all brought up to
    date?"""
    from kgnotes.store import Store

    if not paths.db.exists():
        return False
    with Store(paths.db) as store:
        return store.state(FOLLOW_UP) == PENDING


def _follow_up(
    store: Store,
    paths: VaultPaths,
    config: Config,
    report: AddReport,
    embedding: Callable[[int, int], None] | None = None,
) -> None:
    """After new notes or sources: the concept graph, the search index, the vault pages. A
    failure in one is reported and the others still run."""
    from kgnotes.graph import ensure_graph
    from kgnotes.index import build_index

    with store.transaction():
        store.set_state(FOLLOW_UP, PENDING)
    errors = len(report.errors)
    report.graph = ensure_graph(store, config)
    try:
        report.index = build_index(
            store,
            embed.model_name(config),
            progress=embedding,
            multilingual=embed.multilingual_name(config),
            exact_below=_exact_below(config),
        )
    except ModelError as exc:  # the notes and archives are kept; search waits
        report.errors.append(f"search index not updated: {exc}")
    try:
        report.vault = _export(store, paths, config, force=False)
    except OSError as exc:  # a read-only or full disk: the store is still complete
        report.errors.append(f"vault pages not written: {exc}")
    if len(report.errors) == errors:  # all three done: nothing for the next run to finish
        with store.transaction():
            store.set_state(FOLLOW_UP, DONE)


def update(paths: VaultPaths, embedding: Callable[[int, int], None] | None = None) -> AddReport:
    """Bring the concept graph, the search index and the vault pages up to date (what
    ``archive`` runs after archiving something)."""
    from kgnotes.store import Store

    report = AddReport()
    with Store(paths.db) as store:
        _follow_up(store, paths, load_config(paths), report, embedding)
    return report


def _is_url(arg: str) -> bool:
    return arg.lower().startswith(("http://", "https://"))


def _read(
    source: NoteSource, stdin: bytes | None, max_mb: int, errors: list[str]
) -> NoteText | None:
    from kgnotes.notefiles import read_note

    try:
        data = source.path.read_bytes() if source.path else (stdin or b"")
        return read_note(source, data, max_mb)
    except NoteFileError as exc:
        errors.append(str(exc))
    except OSError as exc:
        errors.append(f"{source.label}: cannot read ({exc.strerror or exc})")
    return None


def _add_urls(store: Store, web: list[str], today: date) -> FileReport:
    """File URLs given on the command line under today's entry of the vault's inbox."""
    from kgnotes import urls
    from kgnotes.ingest import ingest
    from kgnotes.notefiles import NoteSource, NoteText

    key = f"inbox:{today.isoformat()}"
    body = store.file_text(key)
    known = {m.url for m in urls.find_urls(body)}
    body = "\n\n".join([body, *(u for u in dict.fromkeys(web) if u not in known)]).strip()
    text = f"# {today.isoformat()}\n\n{body}\n"
    data = text.encode("utf-8")
    note = NoteText(text, "utf-8", hashlib.sha256(data).hexdigest(), len(data))
    return ingest(
        store, NoteSource(key, f"inbox {today.isoformat()}"), note, year=None, today=today
    )


def archive(
    paths: VaultPaths, request: ArchiveRequest, progress: Progress | None = None
) -> ArchiveReport:
    """Archive pending links (and failed ones with ``retry_failed``, all with ``refresh``)."""
    from kgnotes.archive import archive_links, archive_lock, options_from_config, resolve_references
    from kgnotes.store import Store

    options = options_from_config(load_config(paths), request.concurrency, request.wayback)
    statuses: tuple[str, ...] = ("pending",)
    if request.retry_failed or request.refresh:
        statuses += ("failed",)
    if request.refresh:
        statuses += ("archived",)
    with Store(paths.db) as store, archive_lock(paths.state):
        skipped = 0 if "failed" in statuses else store.count_links("failed")
        resolve_references(store, options)
        jobs = store.archive_queue(statuses)
        report = archive_links(store, paths.archive, jobs, options, progress)
        report.skipped = skipped
        return report


def index(
    paths: VaultPaths, rebuild: bool = False, progress: Callable[[int, int], None] | None = None
) -> IndexReport:
    """Chunk, embed and full-text index what changed (everything with ``rebuild``)."""
    from kgnotes.graph import ensure_graph
    from kgnotes.index import build_index
    from kgnotes.store import Store

    config = load_config(paths)
    with Store(paths.db) as store:
        ensure_graph(store, config)  # concepts are searchable too
        return build_index(
            store,
            embed.model_name(config),
            rebuild,
            progress,
            embed.multilingual_name(config),
            _exact_below(config),
        )


def _exact_below(config: Config) -> int:
    """How many vectors a model has before its search goes through an approximate index
    (``[search] exact_below``, ``KGNOTES_EXACT_BELOW``)."""
    from kgnotes import nearest

    return setting(config, "search.exact_below", "KGNOTES_EXACT_BELOW", nearest.EXACT_BELOW)


def _lexical_above(config: Config) -> int:
    """How many passages a vault has before its full-text ranking is held in memory
    (``[search] lexical_in_memory_above``, ``KGNOTES_LEXICAL_IN_MEMORY_ABOVE``)."""
    from kgnotes import lexical

    return setting(
        config,
        "search.lexical_in_memory_above",
        "KGNOTES_LEXICAL_IN_MEMORY_ABOVE",
        lexical.MEMORY_ABOVE,
    )


def search(paths: VaultPaths, query: str, options: SearchOptions) -> list[SearchHit]:
    """Hybrid search over journal entries and archived sources: through the search server
    when one runs (starting one for next time when none does), else in this process."""
    if not query.strip():
        raise KgnotesError(
            "nothing to search for — give some words: kgnotes search 'self attention'"
        )
    config = load_config(paths)
    model = embed.model_name(config)
    options = dataclasses.replace(
        options,
        multilingual=embed.multilingual_name(config),
        lexical_above=_lexical_above(config),
    )
    if setting(config, "search.serve", "KGNOTES_SERVE", True):
        try:
            return serve.ask(paths, model, query, options)
        except serve.Unavailable as exc:
            log.info("searching in-process: %s", exc)
            serve.start_background(paths)  # ready for the next search
    # only now: the ranking, and the parser behind the store, cost the server's client time
    from kgnotes.search import search as search_store
    from kgnotes.store import Store

    with Store(paths.db) as store:
        return search_store(store, model, query, options)


def serve_vault(paths: VaultPaths, stop: bool = False) -> bool:
    """Run the search server for this vault in the foreground (or stop a running one)."""
    if stop:
        return serve.stop(paths)
    config = load_config(paths)
    idle = setting(config, "search.serve_idle", "KGNOTES_SERVE_IDLE", serve.DEFAULT_IDLE)
    serve.run(paths, embed.model_name(config), idle)
    return True


def related(paths: VaultPaths, item: str, limit: int = 10) -> list[SearchHit]:
    """Notes and sources nearest to a source (its URL), a journal day (``2024-07-27`` or
    ``Journal/2024-07-27.md``) or a concept (any alias, or ``Concepts/<name>.md``)."""
    from kgnotes.graph import ensure_graph
    from kgnotes.search import related as related_in_store
    from kgnotes.store import Store

    config = load_config(paths)
    with Store(paths.db) as store:
        ensure_graph(store, config)
        owners = _owners(store, item)
        return related_in_store(store, embed.model_name(config), owners, limit)


def _owners(store: Store, item: str) -> set[tuple[str, int]]:
    """The entries of a day, or the latest document of a source, that ``item`` names."""
    from kgnotes import urls

    day = re.fullmatch(r"(?:Journal/)?(\d{4}-\d{2}-\d{2})(?:\.md)?", item.strip())
    if day:
        entries = store.entry_ids_on(day.group(1))
        if not entries:
            raise KgnotesError(f"{item}: no journal entry on that day")
        return {("entry", entry_id) for entry_id in entries}
    if _is_url(item):
        found = store.links(normalized=urls.normalize(item))
        if not found:
            raise KgnotesError(f"{item}: not in this vault — add it with: kgnotes add {item}")
        document = store.latest_document_id(found[0].id)
        if document is None:
            raise KgnotesError(f"{item}: not archived yet — run kgnotes archive")
        return {("document", document)}
    return {("concept", _concept_id(store, item))}


def _concept_id(store: Store, item: str) -> int:
    """The concept ``item`` names (any alias, or its page ``Concepts/<name>.md``)."""
    from kgnotes.graph import ConceptGraph

    name = re.sub(r"^Concepts/|\.md$", "", item.strip())
    try:
        return ConceptGraph.load(store).resolve(name)
    except KgnotesError as exc:
        raise KgnotesError(
            f"{exc} — give a source URL, a day (2024-07-27), a journal page "
            "(Journal/2024-07-27.md) or a concept"
        ) from exc


def concepts(paths: VaultPaths) -> list[ConceptSummary]:
    """Every concept, most central first (the graph is rebuilt first if the notes changed)."""
    from kgnotes import graph

    return graph.concept_table(_concept_graph(paths))


def learning_path(paths: VaultPaths, start: str, goal: str) -> LearningPath:
    """The builds-on path from one concept to another, with the evidence for each step."""
    from kgnotes import graph

    return graph.learning_path(_concept_graph(paths), start, goal)


def prereqs(paths: VaultPaths, concept: str) -> Prerequisites:
    """What to learn before ``concept``, foundations first."""
    from kgnotes import graph

    return graph.prerequisites(_concept_graph(paths), concept)


@dataclass(frozen=True)
class GraphRequest:
    """Options for ``kgnotes graph``."""

    output: Path | None = None
    focus: str | None = None
    depth: int = 2
    max_nodes: int | None = None


def draw_graph(paths: VaultPaths, request: GraphRequest) -> GraphDrawing:
    """Write the concept graph to ``request.output`` (format from its extension), or, with no
    file, list its builds-on rungs."""
    from kgnotes import graph, render
    from kgnotes.views import GraphDrawing

    concept_graph = _concept_graph(paths)
    if request.output is None:
        return GraphDrawing(builds_on=graph.builds_on_edges(concept_graph))
    suffix = render.format_of(request.output)
    limit = request.max_nodes
    if limit is None and suffix in render.CONCEPT_ONLY:
        limit = render.PICTURE_MAX_NODES
    owners = suffix not in render.CONCEPT_ONLY  # pictures show concepts only
    exported = graph.export(concept_graph, request.focus, request.depth, limit, owners)
    render.write(exported, request.output)
    kinds = [d.get("type") for _, d in exported.nodes(data=True)]
    return GraphDrawing(
        str(request.output), kinds.count("concept"), len(kinds), exported.number_of_edges()
    )


def _concept_graph(paths: VaultPaths) -> ConceptGraph:
    """The stored concept graph, rebuilt first when the notes or sources changed."""
    from kgnotes import graph
    from kgnotes.store import Store

    with Store(paths.db) as store:
        graph.ensure_graph(store, load_config(paths))
        return graph.ConceptGraph.load(store)


def export(paths: VaultPaths, force: bool = False) -> ExportReport:
    """Write the Obsidian pages (journal, sources, concepts, home, canvas) into the vault."""
    from kgnotes.store import Store

    config = load_config(paths)
    with Store(paths.db) as store:
        from kgnotes.graph import ensure_graph

        ensure_graph(store, config)
        return _export(store, paths, config, force)


def _export(store: Store, paths: VaultPaths, config: Config, force: bool) -> ExportReport:
    """The vault pages from the stored graph (the caller has brought it up to date)."""
    from kgnotes import graph, vault

    concept_graph = graph.ConceptGraph.load(store)
    return vault.export(store, concept_graph, paths.root, embed.model_name(config), force)


def obsidian_uri(paths: VaultPaths) -> str:
    """``obsidian://open?path=…`` for the vault folder."""
    from urllib.parse import quote

    return "obsidian://open?path=" + quote(str(paths.root.resolve()), safe="")


def open_vault(paths: VaultPaths) -> str:
    """Open the vault in Obsidian with the platform's opener; returns the URI."""
    import shutil
    import subprocess
    import sys

    uri = obsidian_uri(paths)
    if sys.platform == "win32":
        os.startfile(uri)  # type: ignore[attr-defined]
        return uri
    opener = "open" if sys.platform == "darwin" else "xdg-open"
    if shutil.which(opener) is None:
        raise KgnotesError(f"no {opener} on this machine to open {uri} — open it by hand")
    result = subprocess.run([opener, uri], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        why = (result.stderr or result.stdout).strip().splitlines()
        raise KgnotesError(f"{opener} could not open {uri}: {why[-1] if why else 'failed'}")
    return uri


def status(paths: VaultPaths) -> VaultCounts:
    """Counts of everything in the vault."""
    from kgnotes.store import Store

    with Store(paths.db) as store:
        return store.counts()


def links(paths: VaultPaths, status: str | None = None) -> list[LinkView]:
    """Every link, oldest first."""
    from kgnotes.store import LINK_STATUSES, Store
    from kgnotes.views import link_view

    if status is not None and status not in LINK_STATUSES:
        raise KgnotesError(f"{status}: not a link status (use one of {', '.join(LINK_STATUSES)})")
    with Store(paths.db) as store:
        return [link_view(record) for record in store.links(status)]


def titles_without_paper(paths: VaultPaths) -> list[UnresolvedTitle]:
    """Papers named by title alone that no search has matched to a paper."""
    from kgnotes.store import Store

    with Store(paths.db) as store:
        return store.titles_without_paper()


def todo(paths: VaultPaths) -> list[LinkView]:
    """The reading queue: links the author has not read or not finished, oldest first."""
    from kgnotes import annotations

    return [
        link for link in links(paths) if link.reading in (annotations.UNREAD, annotations.PARTIAL)
    ]


def show(paths: VaultPaths, url: str) -> DocumentView:
    """One link's archived document: metadata and the extracted text as Markdown."""
    from kgnotes import urls
    from kgnotes.store import Store
    from kgnotes.views import document_view

    normalized = urls.normalize(url)
    with Store(paths.db) as store:
        found = store.links(normalized=normalized)
        if not found:
            raise KgnotesError(f"{url}: not in this vault — add it with: kgnotes add {url}")
        link = found[0]
        kept = store.document_of(link.id)
    document, snapshot = kept if kept else (None, None)
    return document_view(link, document, snapshot)
