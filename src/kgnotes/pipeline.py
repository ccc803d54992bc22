"""What the commands do, as plain functions over a vault: the CLI calls exactly one of these.

``add`` runs the pipeline stages in order (ingest now; archive, index, graph and export as
they arrive); the question functions read the store and return plain data ready to print.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from kgnotes import annotations
from kgnotes.config import VaultPaths, load_config, setting
from kgnotes.errors import NoteFileError
from kgnotes.ingest import FileReport, ingest
from kgnotes.notefiles import DEFAULT_MAX_MB, discover, read_note
from kgnotes.store import LinkRecord, Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AddOptions:
    """Options for ``kgnotes add``; ``stdin`` holds the bytes read for a ``-`` argument."""

    year: int | None = None
    fetch: bool = True
    stdin: bytes | None = None
    today: date | None = None


@dataclass(frozen=True)
class AddReport:
    files: list[FileReport] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """False only when nothing could be done: every input was unusable."""
        return bool(self.files) or not self.errors


def add(paths: VaultPaths, inputs: list[str], options: AddOptions) -> AddReport:
    """Ingest notes files, directories or stdin; one bad file never stops the rest."""
    config = load_config(paths)
    max_mb = setting(config, "notes.max_mb", "KGNOTES_MAX_NOTE_MB", DEFAULT_MAX_MB)
    today = options.today or date.today()
    sources, problems = discover(inputs, paths.root)
    report = AddReport(errors=[str(p) for p in problems])
    with Store(paths.db) as store:
        for source in sources:
            try:
                data = source.path.read_bytes() if source.path else (options.stdin or b"")
                note = read_note(source, data, max_mb)
            except NoteFileError as exc:
                report.errors.append(str(exc))
                continue
            except OSError as exc:
                report.errors.append(f"{source.label}: cannot read ({exc.strerror or exc})")
                continue
            report.files.append(ingest(store, source, note, year=options.year, today=today))
    return report


def status(paths: VaultPaths) -> dict[str, Any]:
    """Counts of everything in the vault."""
    with Store(paths.db) as store:
        return store.counts()


def links(paths: VaultPaths, status: str | None = None) -> list[dict[str, Any]]:
    """Every link as a plain dict, oldest first."""
    with Store(paths.db) as store:
        return [link_view(record) for record in store.links(status)]


def todo(paths: VaultPaths) -> list[dict[str, Any]]:
    """The reading queue: links the author has not read or not finished, oldest first."""
    return [
        link
        for link in links(paths)
        if link["reading"] in (annotations.UNREAD, annotations.PARTIAL)
    ]


def link_view(record: LinkRecord) -> dict[str, Any]:
    """The public shape of a link (``links --json``): what the journal says about it, folded."""
    reading, quality, added = annotations.fold(record.notes)
    return {
        "url": record.url,
        "normalized": record.normalized,
        "kind": record.kind,
        "status": record.status,
        "first_seen": record.first_seen,
        "reading": reading,
        "quality": quality,
        "added": added.isoformat() if added else None,
        "notes": [note.raw for note in record.notes],
        "quote": record.quote,
        "title": record.title,
    }
