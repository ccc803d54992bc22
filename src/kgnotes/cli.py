"""The ``kgnotes`` command line: thin click commands that parse, call one library function, print.

Nothing heavy is imported here or by the modules imported here, so ``kgnotes --help`` is fast;
stages that need torch, trafilatura or matplotlib import them inside the functions that use them.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from functools import wraps
from typing import Any

import click

from kgnotes import __version__, output, pipeline
from kgnotes.config import VaultPaths, resolve_vault
from kgnotes.errors import KgnotesError
from kgnotes.store import LINK_STATUSES


def _errors_to_messages(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn library errors into one clear line (``KGNOTES_RAISE_ERRORS=1`` shows the traceback)."""

    @wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except KgnotesError as exc:
            if os.environ.get("KGNOTES_RAISE_ERRORS"):
                raise
            raise click.ClickException(str(exc)) from exc

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
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    ctx.obj = resolve_vault(vault)


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--year", type=click.IntRange(1900, 2100), help="Year for headings without one.")
@click.option("--no-fetch", is_flag=True, help="Only read the notes; archive links later.")
@click.pass_obj
@_errors_to_messages
def add(vault: VaultPaths, paths: tuple[str, ...], year: int | None, no_fetch: bool) -> None:
    """Add journal files, directories (every .md/.txt inside) or - for stdin.

    Adding the same file again changes nothing; adding an edited file updates its entries.

    \b
    Examples:
      kgnotes add vault/notes
      kgnotes add journal.md --year 2024
      cat notes.txt | kgnotes add -
    """
    stdin = sys.stdin.buffer.read() if "-" in paths else None
    options = pipeline.AddOptions(year=year, fetch=not no_fetch, stdin=stdin)
    report = pipeline.add(vault, list(paths), options)
    for file_report in report.files:
        click.echo(output.file_line(file_report))
        for problem in file_report.problems:
            click.echo(f"warning: {problem}", err=True)
    for error in report.errors:
        click.echo(f"error: {error}", err=True)
    if not report.ok:
        sys.exit(1)


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
    counts = pipeline.status(vault)
    click.echo(output.to_json(counts) if as_json else "\n".join(output.status_lines(counts)))


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
    found = pipeline.links(vault, status_)
    click.echo(output.to_json(found) if as_json else "\n".join(map(output.link_line, found)))


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
    found = pipeline.todo(vault)
    click.echo(output.to_json(found) if as_json else "\n".join(map(output.link_line, found)))


def main() -> None:
    cli(prog_name="kgnotes")
