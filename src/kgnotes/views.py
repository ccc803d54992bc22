"""The public shapes of what the commands answer that are not one stage's own: a link (what
the journal says of it and what the archive holds, read the same way by ``kgnotes links``/
``todo``, the vault's pages and their JSON), one archived document (``kgnotes show``) and a
drawing of the graph (``kgnotes graph``). They live apart from ``pipeline`` so the vault, one
of the pipeline's stages, and the terminal output need not import the orchestrator."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kgnotes.extract import Document
    from kgnotes.graph import Rung
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


@dataclass(frozen=True)
class DocumentView:
    """One link's latest archived document, with the link's own state (``kgnotes show``)."""

    url: str
    normalized: str
    kind: str
    status: str
    title: str | None
    author: str | None
    published: str | None
    site: str | None
    language: str | None
    text: str | None
    extraction: str | None
    via: str | None
    archived_at: str | None
    snapshot: str | None
    error: str | None
    description: str | None = None  # the page's own summary; a video's reason for no captions


def document_view(
    record: LinkRecord, document: Document | None, snapshot: str | None
) -> DocumentView:
    """The link as stored, and what its document says, when it has one."""
    return DocumentView(
        url=record.url,
        normalized=record.normalized,
        kind=record.kind,
        status=record.status,
        title=(document.title if document else None) or record.title,
        author=document.author if document else None,
        published=document.published if document else None,
        site=document.site if document else None,
        language=document.language if document else None,
        text=document.text if document else None,
        extraction=document.extraction if document else None,
        via=record.via,
        archived_at=record.archived_at,
        snapshot=snapshot,
        error=record.error,
        description=document.description if document else None,
    )


@dataclass(frozen=True)
class GraphDrawing:
    """What ``kgnotes graph`` did: the file it wrote and its size, or, with no file asked
    for, the builds-on rungs to list."""

    output: str | None = None
    concepts: int = 0
    nodes: int = 0
    edges: int = 0
    builds_on: list[Rung] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        if self.output is None:
            return {"builds_on": [r.as_json() for r in self.builds_on]}
        return {
            "output": self.output,
            "concepts": self.concepts,
            "nodes": self.nodes,
            "edges": self.edges,
        }
