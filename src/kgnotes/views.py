"""The public shape of a link: what the journal says of it and what the archive holds, read
the same way by ``kgnotes links``/``todo``, the vault's pages and their JSON. Lives apart from
``pipeline`` so the vault, one of the pipeline's stages, need not import its orchestrator."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kgnotes.store import LinkRecord


@dataclass(frozen=True)
class LinkView:
    id: int
    url: str
    normalized: str
    kind: str
    status: str  # pending | archived | failed
    first_seen: str | None
    reading: str | None  # unread | partial | read, from the author's notes
    quality: str | None  # positive | negative
    added: str | None  # the day a note says the link was added, YYYY-MM-DD
    notes: list[str]
    quote: str | None
    title: str | None
    final_url: str | None
    http_status: int | None
    error: str | None
    reason: str | None
    attempts: int
    archived_at: str | None
    via: str | None

    def as_json(self) -> dict[str, Any]:
        """``links --json``: every field but the store's own id."""
        found = asdict(self)
        del found["id"]
        return found


def link_view(record: LinkRecord) -> LinkView:
    """The record's own fields as they are, and what its notes add up to."""
    from kgnotes import annotations

    reading, quality, added = annotations.fold(record.notes)
    kept = {f.name: getattr(record, f.name) for f in fields(LinkView) if hasattr(record, f.name)}
    kept |= {
        "reading": reading,
        "quality": quality,
        "added": added.isoformat() if added else None,
        "notes": [note.raw for note in record.notes],
    }
    return LinkView(**kept)
