"""The ``kgnotes`` command line: thin click commands that parse, call one library function, print.

Only click is imported at the top, so ``kgnotes --help`` starts fast; each command imports the
library when it runs, and stages that need torch, trafilatura or matplotlib import them inside
the functions that use them.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import sys
from collections.abc import Callable, Iterator
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeGuard

import click

from kgnotes import __version__
from kgnotes.config import VaultPaths, resolve_vault
from kgnotes.errors import KgnotesError
from kgnotes.markup import printable  # stdlib only: cheap at start-up

if TYPE_CHECKING:  # types only: the commands import the library when they run
    import sqlite3

    from kgnotes.pipeline import AddReport

LINK_STATUSES = ("pending", "archived", "failed")  # kgnotes.store's, kept here for a fast --help


def _echo(message: str = "", err: bool = False) -> None:
    """Every line kgnotes prints, with whatever a web page or server put in it made inert."""
    click.echo(printable(message), err=err)


class _PrintableFormatter(logging.Formatter):
    """Log lines, which quote URLs and reasons from the network, made inert like the rest."""

    def format(self, record: logging.LogRecord) -> str:
        return printable(super().format(record))


def _one_line(exc: Exception, vault: VaultPaths | None) -> str:
    """What went wrong and what to do, for an error the library raised or one the system did
    (a damaged database found mid-command, a read-only folder, a full disk)."""
    if isinstance(exc, KgnotesError):
        return str(exc)
    if _database_error(exc):
        from kgnotes.store import vault_error

        return str(vault_error(vault.db if vault else Path("kgnotes.db"), exc))
    assert isinstance(exc, OSError)
    where = exc.filename or (vault.root if vault else "kgnotes")
    what = exc.strerror or str(exc)
    hint = {
        errno.EROFS: "the file system is read-only — write the vault somewhere writable",
        errno.EACCES: "permission denied — make it writable, or use another vault",
        errno.ENOSPC: "the disk is full — free some space and run the same command again",
    }.get(exc.errno or 0)
    return f"{where}: {hint or what}"


def _database_error(exc: Exception) -> TypeGuard[sqlite3.DatabaseError]:
    """Is it SQLite's? Told without importing sqlite3, which a search the server answers never
    loads: an error of SQLite's means the module is loaded."""
    module = sys.modules.get("sqlite3")
    return module is not None and isinstance(exc, module.DatabaseError)


def _errors_to_messages(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn library errors into one clear line (``KGNOTES_RAISE_ERRORS=1`` shows the traceback)."""

    @wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except Exception as exc:
            handled = isinstance(exc, KgnotesError | OSError) or _database_error(exc)
            if not handled or os.environ.get("KGNOTES_RAISE_ERRORS"):
                raise
            vault = next((a for a in args if isinstance(a, VaultPaths)), None)
            raise click.ClickException(printable(_one_line(exc, vault))) from exc

    return run


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--vault",
    type=click.Path(file_okay=False),
    envvar="KGNOTES_VAULT",
    help="Vault directory [env KGNOTES_VAULT; default ./vault].",
)
@click.option("-v", "--verbose", count=True, help="More detail on stderr (-vv for debug).")
@click.version_option(__version__, prog_name="kgnotes")
@click.pass_context
def cli(ctx: click.Context, vault: str | None, verbose: int) -> None:
    """kgnotes: a personal knowledge graph and link archiver for learning journals.

    \b
    Start with:
      kgnotes add vault/notes      read a journal, keep its links
      kgnotes todo                 what you meant to read
    """
    level = (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    handler = logging.StreamHandler()
    handler.setFormatter(_PrintableFormatter("%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler])
    ctx.obj = resolve_vault(vault)


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--year", type=click.IntRange(1900, 2100), help="Year for headings without one.")
@click.option("--no-fetch", is_flag=True, help="Do not archive links now (kgnotes archive later).")
@click.option(
    "--no-wayback", is_flag=True, help="Do not look dead links up in the Wayback Machine."
)
@click.pass_obj
@_errors_to_messages
def add(
    vault: VaultPaths, paths: tuple[str, ...], year: int | None, no_fetch: bool, no_wayback: bool
) -> None:
    """Add journal files, directories (every .md/.txt inside), - for stdin, or URLs.

    New links are then archived. Adding the same file again changes nothing; adding an
    edited file updates its entries. URLs are filed under today's entry of the vault's inbox.

    \b
    Examples:
      kgnotes add vault/notes
      kgnotes add journal.md --year 2024 --no-fetch
      cat notes.txt | kgnotes add -
      kgnotes add https://arxiv.org/abs/2010.11929
    """
    from kgnotes import output, pipeline

    stdin = sys.stdin.buffer.read() if "-" in paths else None
    options = pipeline.AddOptions(
        year=year, fetch=not no_fetch, stdin=stdin, wayback=False if no_wayback else None
    )
    with _progress() as progress, _embedding_progress() as embedding, _interruptible():
        report = pipeline.add(
            vault, list(paths), options, progress, embedding, lambda why: _echo(why, err=True)
        )
    for file_report in report.files:
        _echo(output.file_line(file_report))
        for problem in file_report.problems:
            _echo(f"warning: {problem}", err=True)
    if report.archive is not None and report.archive.results:
        _echo(output.archive_summary(report.archive))
    _print_follow_up(report)
    if not report.ok:
        sys.exit(1)


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--year", type=click.IntRange(1900, 2100), help="Year for headings without one.")
@click.option("--no-fetch", is_flag=True, help="Do not archive new links (kgnotes archive later).")
@click.option(
    "--debounce",
    type=click.IntRange(50, 60_000),
    default=500,
    show_default=True,
    help="Milliseconds of quiet after a save before it is read.",
)
@click.pass_obj
@_errors_to_messages
def watch(
    vault: VaultPaths, paths: tuple[str, ...], year: int | None, no_fetch: bool, debounce: int
) -> None:
    """Read journal files and folders now and again at every save, until Ctrl-C.

    Each save is read as kgnotes add reads it (entries, links, graph, search index, vault
    pages); new links are archived in the background. A file that does not exist yet is read
    once it is written. Ctrl-C between saves exits 0; during one, 130 (nothing half-written).

    \b
    Examples:
      kgnotes watch vault/notes
      kgnotes watch journal.md --no-fetch
    """
    import datetime

    from kgnotes import output
    from kgnotes.watch import WatchOptions
    from kgnotes.watch import watch as watching

    def said(event: Any) -> None:
        if event.ready:
            _echo(f"watching {', '.join(paths)} (Ctrl-C to stop)", err=True)
            return
        now = datetime.datetime.now().strftime("%H:%M:%S")
        for line in output.watch_lines(event):
            _echo(f"{now} {line}" if not line.startswith(" ") else f"{' ' * len(now)} {line}")
        for error in event.report.errors if event.report else ():
            _echo(f"error: {error}", err=True)

    options = WatchOptions(fetch=not no_fetch, year=year, debounce_ms=debounce)
    try:
        watching(vault, list(paths), options, said)
    except KeyboardInterrupt:  # in the middle of reading a save: its transaction rolled back
        _echo("interrupted while reading a save — run kgnotes add on it to finish", err=True)
        sys.exit(130)
    _echo("stopped watching", err=True)


@cli.command()
@click.option("--retry-failed", is_flag=True, help="Try links that failed before, too.")
@click.option("--refresh", is_flag=True, help="Fetch every link again, archived ones too.")
@click.option("--concurrency", type=click.IntRange(1, 64), help="Links in flight at once [8].")
@click.option(
    "--no-wayback", is_flag=True, help="Do not look dead links up in the Wayback Machine."
)
@click.pass_obj
@_errors_to_messages
def archive(
    vault: VaultPaths,
    retry_failed: bool,
    refresh: bool,
    concurrency: int | None,
    no_wayback: bool,
) -> None:
    """Archive pending links: raw snapshot (WARC), clean text and metadata.

    Exit status: 0 when every link tried was archived, 3 when some failed (each is listed
    with its reason; kgnotes links --status failed shows them later), 130 when interrupted
    (run the same command again to resume).

    \b
    Examples:
      kgnotes archive
      kgnotes archive --retry-failed --concurrency 16
    """
    from kgnotes import output, pipeline

    request = pipeline.ArchiveRequest(
        retry_failed=retry_failed,
        refresh=refresh,
        concurrency=concurrency,
        wayback=False if no_wayback else None,
    )
    with _progress() as progress, _interruptible():
        report = pipeline.archive(vault, request, progress)
    _echo(output.archive_summary(report))
    if report.archived or pipeline.follow_up_pending(vault):  # or a killed run's stages
        with _embedding_progress() as embedding:
            _print_follow_up(pipeline.update(vault, embedding))
    if report.failed_by_reason:
        sys.exit(3)


@cli.command()
@click.option("--rebuild", is_flag=True, help="Forget the index and build it again.")
@click.pass_obj
@_errors_to_messages
def index(vault: VaultPaths, rebuild: bool) -> None:
    """Chunk, embed and full-text index notes and archived sources (only what changed).

    \b
    Examples:
      kgnotes index
      KGNOTES_MODEL=/models/my-sentence-model kgnotes index --rebuild
    """
    from kgnotes import output, pipeline

    with _embedding_progress() as embedding:
        report = pipeline.index(vault, rebuild, embedding)
    _echo(output.index_line(report))


@cli.command()
@click.argument("query")
@click.option(
    "-n",
    "limit",
    type=click.IntRange(1, 1000),
    default=10,
    show_default=True,
    help="How many results.",
)
@click.option("--kind", type=click.Choice(["note", "source", "concept"]), help="Only this kind.")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="Only from this day on.")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Only up to this day.")
@click.option(
    "--mode",
    type=click.Choice(["hybrid", "dense", "lexical"]),
    default="hybrid",
    show_default=True,
    help="Rank by both, or by meaning or by words alone.",
)
@click.option(
    "--reading",
    type=click.Choice(["unread", "partial", "read"]),
    help="Only links your notes say you have not read, not finished, or read.",
)
@click.option(
    "--quality",
    type=click.Choice(["positive", "negative"]),
    help="Only links your notes praise, or find wanting.",
)
@click.option(
    "--link-kind",
    type=click.Choice(["article", "paper", "video", "wiki", "pdf", "other"]),
    help="Only links of this kind.",
)
@click.option("--no-filters", is_flag=True, help="Do not let words of the query turn filters on.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
@_errors_to_messages
def search(
    vault: VaultPaths,
    query: str,
    limit: int,
    kind: str | None,
    since: Any,
    until: Any,
    mode: str,
    reading: str | None,
    quality: str | None,
    link_kind: str | None,
    no_filters: bool,
    as_json: bool,
) -> None:
    """Find notes and sources by meaning and by words (Chinese too).

    Words that describe your own notes turn filters on, and say so: "the video I found very
    helpful about self-attention" keeps videos your notes call helpful, "没看完的" links you did
    not finish, "added on 7-16" the link a note says you added that day.

    \b
    Examples:
      kgnotes search "which article explained multi-head attention"
      kgnotes search 多头 --kind note --since 2024-07-01 --json
      kgnotes search "the word2vec page I said was badly written"
      kgnotes search transformer --reading partial --link-kind article
    """
    from kgnotes import facets, output, pipeline
    from kgnotes.hits import SearchOptions

    options = SearchOptions(
        limit=limit,
        kind=kind,
        since=since.date().isoformat() if since else None,
        until=until.date().isoformat() if until else None,
        mode=mode,
        reading=reading,
        quality=quality,
        link_kind=link_kind,
        facets=not no_filters,
    )
    found = pipeline.search(vault, query, options)
    asked = facets.asked(query, options.facets, reading, quality, link_kind)
    if asked.facets:  # say which words turned which filter on
        _echo(facets.describe(asked), err=as_json)
    _echo(output.hits_json(found) if as_json else "\n".join(output.search_lines(found)))


@cli.command()
@click.option("--stop", is_flag=True, help="Stop the running server instead.")
@click.pass_obj
@_errors_to_messages
def serve(vault: VaultPaths, stop: bool) -> None:
    """Keep the model and vectors loaded and answer searches over a socket in .kgnotes/.

    kgnotes search starts it by itself (KGNOTES_SERVE=0 turns that off); it exits after
    15 idle minutes (KGNOTES_SERVE_IDLE seconds).

    \b
    Examples:
      kgnotes serve
      kgnotes serve --stop
    """
    from kgnotes import pipeline

    running = pipeline.serve_vault(vault, stop)
    if stop:
        _echo("stopped" if running else "no server was running")


@cli.command()
@click.argument("item")
@click.option(
    "-n",
    "limit",
    type=click.IntRange(1, 1000),
    default=10,
    show_default=True,
    help="How many results.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
@_errors_to_messages
def related(vault: VaultPaths, item: str, limit: int, as_json: bool) -> None:
    """Notes and sources nearest in meaning to a source URL or a journal day.

    \b
    Examples:
      kgnotes related https://arxiv.org/abs/2010.11929
      kgnotes related 2024-07-27 --json
    """
    from kgnotes import output, pipeline

    found = pipeline.related(vault, item, limit)
    _echo(output.hits_json(found) if as_json else "\n".join(output.search_lines(found)))


@cli.command()
@click.argument("url")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
@_errors_to_messages
def show(vault: VaultPaths, url: str, as_json: bool) -> None:
    """Print one link's archived document: metadata, then the text as Markdown.

    \b
    Examples:
      kgnotes show https://en.wikipedia.org/wiki/Word2vec
      kgnotes show https://arxiv.org/pdf/2010.11929v2 --json
    """
    from kgnotes import output, pipeline

    found = pipeline.show(vault, url)
    _echo(output.to_json(found) if as_json else output.document_text(found))


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
@_errors_to_messages
def status(vault: VaultPaths, as_json: bool) -> None:
    """Counts of entries, links (by archive status), documents, chunks, concepts and edges.

    \b
    Example:
      kgnotes status --json
    """
    from kgnotes import output, pipeline

    counts = pipeline.status(vault)
    _echo(output.to_json(counts) if as_json else "\n".join(output.status_lines(counts)))


@cli.command()
@click.option("--status", "status_", type=click.Choice(LINK_STATUSES), help="Only this status.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
@_errors_to_messages
def links(vault: VaultPaths, status_: str | None, as_json: bool) -> None:
    """Every link in the journal, oldest first, with what the notes say about it.

    \b
    Examples:
      kgnotes links
      kgnotes links --status failed --json
    """
    from kgnotes import output, pipeline

    found = pipeline.links(vault, status_)
    lines = list(map(output.link_line, found))
    if status_ in (None, "failed"):  # a paper named by title that was never found fails too
        lines += map(output.title_line, pipeline.titles_without_paper(vault))
    _echo(output.to_json(found) if as_json else "\n".join(lines))


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
@_errors_to_messages
def todo(vault: VaultPaths, as_json: bool) -> None:
    """The reading queue: links marked unread or unfinished, oldest first.

    \b
    Example:
      kgnotes todo
    """
    from kgnotes import output, pipeline

    found = pipeline.todo(vault)
    _echo(output.to_json(found) if as_json else "\n".join(map(output.link_line, found)))


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
@_errors_to_messages
def concepts(vault: VaultPaths, as_json: bool) -> None:
    """The concepts of the journal and its sources, most central first.

    Each with its aliases, how many sources mention it, how often it is mentioned, its
    PageRank in the concept graph and its community. Names, aliases, merges and concepts to
    ignore can be set in .kgnotes/config.toml under [concepts].

    \b
    Examples:
      kgnotes concepts
      kgnotes concepts --json
    """
    from kgnotes import output, pipeline

    found = pipeline.concepts(vault)
    _echo(output.to_json(found) if as_json else "\n".join(output.concept_lines(found)))


@cli.command()
@click.argument("start")
@click.argument("goal")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
@_errors_to_messages
def path(vault: VaultPaths, start: str, goal: str, as_json: bool) -> None:
    """The learning path from START to GOAL: each concept builds on the one before.

    START and GOAL may be any name or alias of a concept, in any case. Every step shows why
    it is there: the signals that agree and a sentence from a source.

    \b
    Examples:
      kgnotes path attention CLIP
      kgnotes path self-attention "Vision Transformer" --json
    """
    from kgnotes import output, pipeline

    found = pipeline.learning_path(vault, start, goal)
    _echo(output.to_json(found) if as_json else "\n".join(output.path_lines(found)))


@cli.command()
@click.argument("concept")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
@_errors_to_messages
def prereqs(vault: VaultPaths, concept: str, as_json: bool) -> None:
    """What to learn before CONCEPT, foundations first, with sources to read for each.

    \b
    Examples:
      kgnotes prereqs CLIP
      kgnotes prereqs vit --json
    """
    from kgnotes import output, pipeline

    found = pipeline.prereqs(vault, concept)
    _echo(output.to_json(found) if as_json else "\n".join(output.prereq_lines(found)))


@cli.command()
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    help="Write the graph here; the format comes from the extension: .png .svg .pdf .html "
    ".canvas .mmd .json .graphml .gexf .dot",
)
@click.option("--focus", help="Only the neighbourhood of this concept.")
@click.option(
    "--depth", type=click.IntRange(0, 20), default=2, show_default=True, help="Hops from --focus."
)
@click.option(
    "--max-nodes",
    type=click.IntRange(1, 100000),
    help="At most this many concepts, the most central [60 for pictures, all for data].",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
@_errors_to_messages
def graph(
    vault: VaultPaths,
    output: str | None,
    focus: str | None,
    depth: int,
    max_nodes: int | None,
    as_json: bool,
) -> None:
    """Draw or export the concept graph; with no -o, list its builds-on rungs.

    Pictures (.png .svg .pdf) are laid out left to right along "builds on", coloured by
    community. .html is one self-contained interactive page (pan, zoom, click a concept to
    see its sources). .canvas is a JSON Canvas for Obsidian, .mmd a Mermaid flowchart.
    .json (node-link), .graphml, .gexf and .dot carry sources and journal entries too.

    \b
    Examples:
      kgnotes graph
      kgnotes graph -o graph.png
      kgnotes graph -o clip.svg --focus CLIP --depth 2
      kgnotes graph -o graph.html --max-nodes 200
    """
    from kgnotes import output as out
    from kgnotes import pipeline

    request = pipeline.GraphRequest(Path(output) if output else None, focus, depth, max_nodes)
    found = pipeline.draw_graph(vault, request)
    _echo(out.to_json(found) if as_json else "\n".join(out.graph_lines(found)))


@cli.command()
@click.option("--force", is_flag=True, help="Overwrite pages edited since kgnotes wrote them.")
@click.pass_obj
@_errors_to_messages
def export(vault: VaultPaths, force: bool) -> None:
    """Write the Obsidian vault: Journal/, Sources/, Concepts/, Home.md and Graph.canvas.

    Every page ends in a "## My notes" section that is kept on every export. A page you
    changed anywhere else is left as it is and listed (--force overwrites it, My notes still
    kept); pages kgnotes did not write are never touched. add runs this at the end.

    \b
    Examples:
      kgnotes export
      kgnotes export --force
    """
    from kgnotes import output, pipeline

    report = pipeline.export(vault, force)
    _echo(output.export_line(report))
    for problem in report.problems:
        _echo(f"kept: {problem}", err=True)


@cli.command(name="open")
@click.option("--print", "print_only", is_flag=True, help="Only print the obsidian:// URI.")
@click.pass_obj
@_errors_to_messages
def open_(vault: VaultPaths, print_only: bool) -> None:
    """Open the vault in Obsidian (through its obsidian://open URI).

    \b
    Examples:
      kgnotes open
      kgnotes open --print
    """
    from kgnotes import pipeline

    _echo(pipeline.obsidian_uri(vault) if print_only else pipeline.open_vault(vault))


def _print_follow_up(report: AddReport) -> None:
    """What add and archive did after reading and fetching: graph, index, vault, errors."""
    from kgnotes import output

    if report.graph is not None and report.graph.rebuilt:
        _echo(output.graph_report_line(report.graph))
    if report.index is not None and (report.index.changed or report.index.removed):
        _echo(output.index_line(report.index))
    if report.vault is not None:
        _echo(output.export_line(report.vault))
        for problem in report.vault.problems:
            _echo(f"kept: {problem}", err=True)
    for error in report.errors:
        _echo(f"error: {error}", err=True)


@contextlib.contextmanager
def _progress() -> Iterator[Callable[[Any, int, int], None]]:
    """A progress bar on a terminal, one plain line per link otherwise (logs, pipes, CI)."""
    from kgnotes import output

    if not sys.stderr.isatty():
        yield lambda result, done, total: _echo(output.result_line(result), err=True)
        return
    bar: Any = None
    try:

        def update(result: Any, done: int, total: int) -> None:
            nonlocal bar
            if bar is None:
                bar = click.progressbar(length=total, label="archiving", file=sys.stderr)
                bar.__enter__()
            if not result.ok:
                click.echo(f"\r\033[K{printable(output.result_line(result))}", err=True)
            bar.update(1)

        yield update
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)


@contextlib.contextmanager
def _embedding_progress() -> Iterator[Callable[[int, int], None] | None]:
    """A bar while chunks are embedded, on a terminal only: the summary line says the rest."""
    if not sys.stderr.isatty():
        yield None
        return
    bar: Any = None
    try:

        def update(done: int, total: int) -> None:
            nonlocal bar
            if bar is None:
                bar = click.progressbar(length=total, label="embedding", file=sys.stderr)
                bar.__enter__()
            bar.update(done - bar.pos)

        yield update
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)


@contextlib.contextmanager
def _interruptible() -> Iterator[None]:
    """Ctrl-C: say what was kept, then leave at once without waiting for in-flight fetches."""
    from kgnotes import output
    from kgnotes.archive import Interrupted

    try:
        yield
    except Interrupted as exc:
        _echo(output.archive_summary(exc.report), err=True)
        _echo("interrupted — what finished is kept; run the same command to resume", err=True)
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(130)


def main() -> None:
    cli(prog_name="kgnotes")
