"""The rows the store hands out and takes in: frozen dataclasses, so no caller reads a
column by its name."""

from __future__ import annotations

from dataclasses import dataclass, field

from kgnotes.annotations import Annotation
from kgnotes.extract import Document


@dataclass(frozen=True)
class StoredFile:
    id: int
    sha256: str
    parse_key: str


@dataclass(frozen=True)
class StoredEntry:
    id: int
    content_hash: str


@dataclass(frozen=True)
class LinkJob:
    """A link waiting to be archived."""

    id: int
    url: str
    normalized: str
    kind: str


@dataclass(frozen=True)
class ArchivedLink:
    """What the archiver kept for a link, ready to be recorded."""

    document: Document
    content_hash: str
    snapshot: str | None
    final_url: str | None
    http_status: int | None
    attempts: int
    via: str


@dataclass(frozen=True)
class FailedLink:
    """Why a link could not be archived: ``reason`` is the short category for summaries."""

    reason: str
    error: str
    http_status: int | None
    final_url: str | None
    attempts: int


@dataclass(frozen=True)
class JournalBlock:
    entry_id: int
    position: int
    day: str | None
    topic: str | None
    text: str


@dataclass(frozen=True)
class SourceText:
    """An archived document, with the author's own words about its link."""

    document_id: int
    url: str
    title: str | None
    description: str | None
    text: str
    journal_words: tuple[str, ...]


@dataclass(frozen=True)
class EntryText:
    """A journal entry as the concept graph reads it."""

    entry_id: int
    day: str | None
    text: str
    topics: tuple[str, ...]


@dataclass(frozen=True)
class Filing:
    """Where the journal files a link: the text of its block, the link's line in it (from
    0), and the block's topic lines."""

    text: str
    line: int
    topics: tuple[str, ...]


@dataclass(frozen=True)
class SourceRecord:
    """An archived source as the concept graph and its pictures read it."""

    document_id: int
    url: str
    kind: str
    title: str | None
    site: str | None
    published: str | None
    text: str
    topics: tuple[str, ...]  # the topic lines it was filed under
    first_day: str | None  # the first journal day that mentions it
    author: str | None = None
    filings: tuple[Filing, ...] = ()  # every block that links it


@dataclass(frozen=True)
class ConceptRow:
    id: int
    key: str
    name: str
    aliases: tuple[str, ...]
    description: str | None


@dataclass(frozen=True)
class EdgeRow:
    source_id: int
    target_id: int
    relation: str
    weight: float
    signals: tuple[str, ...]
    evidence: tuple[tuple[str, str], ...]  # (where it was said, the sentence)


@dataclass(frozen=True)
class UnresolvedTitle:
    """A paper named by its title alone that no search has matched to a paper yet."""

    title: str
    day: str | None  # the first journal day that names it
    reason: str


@dataclass(frozen=True)
class ChunkDetail:
    id: int
    owner_type: str
    owner_id: int
    text: str
    title: str | None
    day: str | None
    url: str | None
    page: str | None = None  # its page in the Obsidian vault, once exported
    final_url: str | None = None  # where the link led when it was archived (after redirects)


@dataclass(frozen=True)
class LinkRecord:
    """A link with everything the journal said about it, oldest statement first."""

    id: int
    url: str
    normalized: str
    kind: str
    status: str
    first_seen: str
    title: str | None
    final_url: str | None
    http_status: int | None
    error: str | None
    attempts: int
    archived_at: str | None
    via: str | None
    reason: str | None = None
    quote: str | None = None
    notes: tuple[Annotation, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class LinkCounts:
    pending: int = 0
    archived: int = 0
    failed: int = 0


@dataclass(frozen=True)
class VaultCounts:
    """Row counts for ``kgnotes status`` and the vault's home page."""

    entries: int
    links: int
    links_by_status: LinkCounts
    documents: int
    chunks: int
    concepts: int
    edges: int
    titles_without_paper: int
