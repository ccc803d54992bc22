"""Put one parsed notes file into the store, changing only what changed.

An unchanged file (same bytes, same parse options, same parser) is not even parsed again, so
adding a journal twice writes nothing. An edited file updates the entries whose text changed,
adds new ones and removes the ones that vanished; links and their archives are kept, because
another entry or a later edit may point at them again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from kgnotes.journal import PARSER_VERSION, parse_journal
from kgnotes.notefiles import NoteSource, NoteText
from kgnotes.store import Store


@dataclass(frozen=True)
class FileReport:
    """What adding one notes file did."""

    label: str
    status: str  # "added", "updated" or "unchanged"
    key: str = ""
    encoding: str = "utf-8"
    entries: int = 0
    entries_changed: int = 0
    entries_removed: int = 0
    links: int = 0
    new_links: int = 0
    problems: tuple[str, ...] = field(default_factory=tuple)


def ingest(
    store: Store, source: NoteSource, note: NoteText, *, year: int | None, today: date
) -> FileReport:
    """Parse ``note`` and bring the store in line with it, in one transaction."""
    key = source.key if source.key != "-" else f"stdin:{note.sha256[:16]}"
    parse_key = f"parser={PARSER_VERSION};year={year or ''}"
    known = store.note_file(key)
    if known and known.sha256 == note.sha256 and known.parse_key == parse_key:
        return FileReport(source.label, "unchanged", key, note.encoding)
    name = source.path.name if source.path else None
    journal = parse_journal(note.text, name=name, year=year, today=today)
    with store.transaction():
        file_id = store.save_note_file(key, note.sha256, note.encoding, note.size, parse_key)
        stored = store.entries_of(file_id)
        changed = new_links = 0
        same_parse = known is not None and known.parse_key == parse_key
        for entry in journal.entries:
            day = entry.date.isoformat() if entry.date else ""
            existing = stored.pop((day, entry.occurrence), None)
            if same_parse and existing and existing.content_hash == entry.content_hash:
                continue
            changed += 1
            new_links += store.save_entry(file_id, entry, existing)[1]
        store.delete_entries([e.id for e in stored.values()])
        problems: list[tuple[int | None, str]] = [(p.line, p.message) for p in journal.problems]
        if note.encoding not in ("utf-8", "ascii"):
            problems.insert(0, (None, f"decoded as {note.encoding}"))
        store.replace_problems(file_id, key, problems)
    return FileReport(
        label=source.label,
        status="updated" if known else "added",
        key=key,
        encoding=note.encoding,
        entries=len(journal.entries),
        entries_changed=changed,
        entries_removed=len(stored),
        links=len({m.normalized for e in journal.entries for m in e.mentions}),
        new_links=new_links,
        problems=tuple(_problem_line(source.label, line, msg) for line, msg in problems),
    )


def _problem_line(label: str, line: int | None, message: str) -> str:
    return f"{label}:{line}: {message}" if line else f"{label}: {message}"
