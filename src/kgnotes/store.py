"""The vault's SQLite database: the only module that speaks SQL.

One file in ``<vault>/.kgnotes/kgnotes.db``, in WAL mode so readers never block the writer,
with a busy timeout so a second kgnotes process waits for the first instead of failing.
The schema is versioned with ``PRAGMA user_version``; each migration is a function, run in
order inside a transaction, so an old vault is brought forward the first time it is opened.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from kgnotes.annotations import Annotation
from kgnotes.errors import VaultBusyError, VaultError
from kgnotes.extract import Document
from kgnotes.journal import Block, Entry, Mention

BUSY_TIMEOUT_MS = 30_000
LINK_STATUSES = ("pending", "archived", "failed")


def _migration_1(db: sqlite3.Connection) -> None:
    """Everything in the design: notes, entries, links and their annotations, documents,
    chunks and vectors for search, concepts and edges for the graph."""
    _run_script(
        db,
        """
        CREATE TABLE notefiles (
            id INTEGER PRIMARY KEY,
            path TEXT NOT NULL UNIQUE,
            sha256 TEXT NOT NULL,
            encoding TEXT NOT NULL,
            size INTEGER NOT NULL,
            parse_key TEXT NOT NULL,
            added_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE entries (
            id INTEGER PRIMARY KEY,
            file_id INTEGER NOT NULL REFERENCES notefiles(id) ON DELETE CASCADE,
            day TEXT NOT NULL,              -- YYYY-MM-DD, '' when undated
            occurrence INTEGER NOT NULL,
            heading TEXT NOT NULL,
            title TEXT NOT NULL,
            line INTEGER NOT NULL,
            body TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            UNIQUE (file_id, day, occurrence)
        );
        CREATE INDEX entries_day ON entries(day);
        CREATE TABLE blocks (
            id INTEGER PRIMARY KEY,
            entry_id INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            line INTEGER NOT NULL,
            topic TEXT,
            topics TEXT NOT NULL,           -- JSON list of every topic line in the block
            text TEXT NOT NULL,
            UNIQUE (entry_id, position)
        );
        CREATE TABLE links (
            id INTEGER PRIMARY KEY,
            normalized TEXT NOT NULL UNIQUE,
            url TEXT NOT NULL,
            kind TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'archived', 'failed')),
            title TEXT,
            final_url TEXT,
            http_status INTEGER,
            error TEXT,
            attempts INTEGER NOT NULL DEFAULT 0,
            archived_at TEXT,
            via TEXT CHECK (via IN ('direct', 'wayback')),
            created_at TEXT NOT NULL
        );
        CREATE INDEX links_status ON links(status);
        CREATE TABLE link_mentions (
            id INTEGER PRIMARY KEY,
            entry_id INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
            block_id INTEGER NOT NULL REFERENCES blocks(id) ON DELETE CASCADE,
            link_id INTEGER NOT NULL REFERENCES links(id),
            position INTEGER NOT NULL,
            line INTEGER NOT NULL,
            url TEXT NOT NULL,
            title TEXT,
            topic TEXT,
            quote TEXT
        );
        CREATE INDEX link_mentions_link ON link_mentions(link_id);
        CREATE INDEX link_mentions_entry ON link_mentions(entry_id);
        CREATE TABLE annotations (
            id INTEGER PRIMARY KEY,
            block_id INTEGER NOT NULL REFERENCES blocks(id) ON DELETE CASCADE,
            mention_id INTEGER REFERENCES link_mentions(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            raw TEXT NOT NULL,
            reading TEXT CHECK (reading IN ('unread', 'partial', 'read')),
            quality TEXT CHECK (quality IN ('positive', 'negative')),
            added TEXT
        );
        CREATE INDEX annotations_mention ON annotations(mention_id);
        CREATE TABLE refs (
            id INTEGER PRIMARY KEY,
            block_id INTEGER NOT NULL REFERENCES blocks(id) ON DELETE CASCADE,
            text TEXT NOT NULL,
            line INTEGER NOT NULL,
            topic TEXT,
            link_id INTEGER REFERENCES links(id)
        );
        CREATE TABLE problems (
            id INTEGER PRIMARY KEY,
            file_id INTEGER REFERENCES notefiles(id) ON DELETE CASCADE,
            path TEXT NOT NULL,
            line INTEGER,
            message TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE TABLE documents (
            id INTEGER PRIMARY KEY,
            link_id INTEGER NOT NULL REFERENCES links(id) ON DELETE CASCADE,
            content_hash TEXT NOT NULL,
            content_type TEXT,
            title TEXT,
            author TEXT,
            published TEXT,
            site TEXT,
            language TEXT,
            description TEXT,
            text TEXT NOT NULL,
            extraction TEXT NOT NULL,
            snapshot TEXT,
            fetched_at TEXT NOT NULL,
            UNIQUE (link_id, content_hash)
        );
        CREATE TABLE chunks (
            id INTEGER PRIMARY KEY,
            owner_type TEXT NOT NULL CHECK (owner_type IN ('entry', 'document', 'concept')),
            owner_id INTEGER NOT NULL,
            position INTEGER NOT NULL,
            text TEXT NOT NULL,
            hash TEXT NOT NULL,
            UNIQUE (owner_type, owner_id, position)
        );
        CREATE INDEX chunks_hash ON chunks(hash);
        CREATE TABLE vectors (
            model TEXT NOT NULL,
            hash TEXT NOT NULL,
            dim INTEGER NOT NULL,
            vector BLOB NOT NULL,
            PRIMARY KEY (model, hash)
        );
        CREATE TABLE concepts (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            key TEXT NOT NULL UNIQUE,
            aliases TEXT NOT NULL DEFAULT '[]',
            description TEXT
        );
        CREATE TABLE concept_mentions (
            id INTEGER PRIMARY KEY,
            concept_id INTEGER NOT NULL REFERENCES concepts(id) ON DELETE CASCADE,
            owner_type TEXT NOT NULL CHECK (owner_type IN ('entry', 'document')),
            owner_id INTEGER NOT NULL,
            count INTEGER NOT NULL,
            about INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE edges (
            id INTEGER PRIMARY KEY,
            source_id INTEGER NOT NULL REFERENCES concepts(id) ON DELETE CASCADE,
            target_id INTEGER NOT NULL REFERENCES concepts(id) ON DELETE CASCADE,
            relation TEXT NOT NULL,
            weight REAL NOT NULL,
            evidence TEXT NOT NULL DEFAULT '[]'
        );
        """,
    )


def _migration_2(db: sqlite3.Connection) -> None:
    """The archiver: a failure's short reason, a paper's categories, and remembered title
    searches (so a paper named without a link is looked up once, not on every run)."""
    _run_script(
        db,
        """
        ALTER TABLE links ADD COLUMN reason TEXT;
        ALTER TABLE documents ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
        CREATE TABLE title_lookups (
            key TEXT PRIMARY KEY,
            paper TEXT,
            checked_at TEXT NOT NULL
        );
        CREATE INDEX refs_link ON refs(link_id)
        """,
    )


def _migration_3(db: sqlite3.Connection) -> None:
    """Search: a full-text index over chunks (Porter-stemmed words, CJK as character bigrams)."""
    _run_script(
        db,
        """
        CREATE VIRTUAL TABLE chunk_text USING fts5(
            body, tokenize = 'porter unicode61 remove_diacritics 2'
        );
        CREATE INDEX chunks_owner ON chunks(owner_type, owner_id)
        """,
    )


def _migration_4(db: sqlite3.Connection) -> None:
    """The concept graph: the signals behind each relation, and small named values (what the
    stored graph was built from, so it is rebuilt only when that changes)."""
    _run_script(
        db,
        """
        ALTER TABLE edges ADD COLUMN signals TEXT NOT NULL DEFAULT '[]';
        CREATE INDEX edges_source ON edges(source_id);
        CREATE INDEX concept_mentions_concept ON concept_mentions(concept_id);
        CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT NOT NULL)
        """,
    )


def _migration_5(db: sqlite3.Connection) -> None:
    """The Obsidian export: the hash of what kgnotes last wrote to each page, so a page the
    user has edited since is recognised and left alone."""
    _run_script(
        db,
        """
        CREATE TABLE vault_pages (
            path TEXT PRIMARY KEY,
            hash TEXT NOT NULL,
            owner TEXT                      -- link:<id>, concept:<key>, day:<YYYY-MM-DD>
        );
        CREATE INDEX vault_pages_owner ON vault_pages(owner)
        """,
    )


MIGRATIONS = [_migration_1, _migration_2, _migration_3, _migration_4, _migration_5]


def _run_script(db: sqlite3.Connection, script: str) -> None:
    """Run statements one by one: ``executescript`` would commit the migration's transaction."""
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


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
    evidence: tuple[dict[str, str], ...]


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


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Store:
    """An open vault database. Use as a context manager; writes go through ``transaction()``."""

    def __init__(self, path: Path):
        self.path = path
        _refuse_empty(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
            self.db.row_factory = sqlite3.Row
            self.db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = NORMAL")
            self.db.execute("PRAGMA foreign_keys = ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise vault_error(path, exc) from exc

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    @property
    def version(self) -> int:
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    def _migrate(self) -> None:
        if self.version > len(MIGRATIONS):
            raise VaultError(
                f"{self.path}: made by a newer kgnotes (schema {self.version}) — upgrade kgnotes"
            )
        while self.version < len(MIGRATIONS):
            with self.transaction():
                target = self.version + 1
                MIGRATIONS[target - 1](self.db)
                self.db.execute(f"PRAGMA user_version = {target}")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction, taken up front (``BEGIN IMMEDIATE``) so writers queue politely."""
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise vault_error(self.path, exc) from exc
        try:
            yield
        except BaseException:
            if self.db.in_transaction:  # a full disk has SQLite roll back by itself
                self.db.execute("ROLLBACK")
            raise
        else:
            try:
                self.db.execute("COMMIT")
            except sqlite3.OperationalError as exc:  # the disk filled while committing
                if self.db.in_transaction:
                    self.db.execute("ROLLBACK")
                raise vault_error(self.path, exc) from exc

    # -- note files and entries ---------------------------------------------------------

    def note_file(self, path: str) -> StoredFile | None:
        row = self.db.execute(
            "SELECT id, sha256, parse_key FROM notefiles WHERE path = ?", (path,)
        ).fetchone()
        return StoredFile(row["id"], row["sha256"], row["parse_key"]) if row else None

    def save_note_file(
        self, path: str, sha256: str, encoding: str, size: int, parse_key: str
    ) -> int:
        now = _now()
        self.db.execute(
            """INSERT INTO notefiles (path, sha256, encoding, size, parse_key, added_at, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (path) DO UPDATE SET sha256 = excluded.sha256,
                 encoding = excluded.encoding, size = excluded.size,
                 parse_key = excluded.parse_key, updated_at = excluded.updated_at""",
            (path, sha256, encoding, size, parse_key, now, now),
        )
        return self.db.execute("SELECT id FROM notefiles WHERE path = ?", (path,)).fetchone()[0]

    def entries_of(self, file_id: int) -> dict[tuple[str, int], StoredEntry]:
        rows = self.db.execute(
            "SELECT id, day, occurrence, content_hash FROM entries WHERE file_id = ?", (file_id,)
        )
        return {(r["day"], r["occurrence"]): StoredEntry(r["id"], r["content_hash"]) for r in rows}

    def delete_entries(self, ids: list[int]) -> None:
        self.db.executemany("DELETE FROM entries WHERE id = ?", [(i,) for i in ids])

    def save_entry(
        self, file_id: int, entry: Entry, existing: StoredEntry | None
    ) -> tuple[int, int]:
        """Write an entry with its blocks, links, notes and references; returns (id, new links)."""
        day = entry.date.isoformat() if entry.date else ""
        values = (entry.heading, entry.title, entry.line, entry.body, entry.content_hash)
        if existing:
            self.db.execute("DELETE FROM blocks WHERE entry_id = ?", (existing.id,))
            self.db.execute(
                """UPDATE entries SET heading = ?, title = ?, line = ?, body = ?, content_hash = ?
                   WHERE id = ?""",
                (*values, existing.id),
            )
            entry_id = existing.id
        else:
            entry_id = self.db.execute(
                """INSERT INTO entries (file_id, day, occurrence, heading, title, line, body,
                   content_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
                (file_id, day, entry.occurrence, *values),
            ).lastrowid
        new_links = 0
        position = 0
        for block in entry.blocks:
            block_id = self._save_block(entry_id, block)
            for mention in block.mentions:
                link_id, created = self._link_for(mention)
                new_links += created
                self._save_mention(entry_id, block_id, link_id, position, mention)
                position += 1
        return entry_id, new_links

    def _save_block(self, entry_id: int, block: Block) -> int:
        block_id = self.db.execute(
            """INSERT INTO blocks (entry_id, position, line, topic, topics, text)
               VALUES (?, ?, ?, ?, ?, ?)""",
            (
                entry_id,
                block.position,
                block.line,
                block.topic,
                json.dumps(block.topics, ensure_ascii=False),
                block.text,
            ),
        ).lastrowid
        self._save_annotations(block_id, None, block.notes)
        self.db.executemany(
            "INSERT INTO refs (block_id, text, line, topic) VALUES (?, ?, ?, ?)",
            [(block_id, ref.text, ref.line, ref.topic) for ref in block.references],
        )
        return block_id

    def _link_for(self, mention: Mention) -> tuple[int, bool]:
        row = self.db.execute(
            "SELECT id FROM links WHERE normalized = ?", (mention.normalized,)
        ).fetchone()
        if row:
            return row[0], False
        cursor = self.db.execute(
            "INSERT INTO links (normalized, url, kind, created_at) VALUES (?, ?, ?, ?)",
            (mention.normalized, mention.url, mention.kind, _now()),
        )
        return cursor.lastrowid, True

    def _save_mention(
        self, entry_id: int, block_id: int, link_id: int, position: int, mention: Mention
    ) -> None:
        mention_id = self.db.execute(
            """INSERT INTO link_mentions (entry_id, block_id, link_id, position, line, url, title,
               topic, quote) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                entry_id,
                block_id,
                link_id,
                position,
                mention.line,
                mention.url,
                mention.title,
                mention.topic,
                mention.quote,
            ),
        ).lastrowid
        self._save_annotations(block_id, mention_id, mention.notes)

    def _save_annotations(
        self, block_id: int, mention_id: int | None, notes: tuple[Annotation, ...]
    ) -> None:
        self.db.executemany(
            """INSERT INTO annotations
               (block_id, mention_id, position, raw, reading, quality, added)
               VALUES (?, ?, ?, ?, ?, ?, ?)""",
            [
                (
                    block_id,
                    mention_id,
                    i,
                    n.raw,
                    n.reading,
                    n.quality,
                    n.added.isoformat() if n.added else None,
                )
                for i, n in enumerate(notes)
            ],
        )

    def replace_problems(
        self, file_id: int | None, path: str, problems: list[tuple[int | None, str]]
    ) -> None:
        """Keep the problems found in the latest reading of a file, and only those."""
        self.db.execute("DELETE FROM problems WHERE path = ?", (path,))
        now = _now()
        self.db.executemany(
            """INSERT INTO problems (file_id, path, line, message, created_at)
               VALUES (?, ?, ?, ?, ?)""",
            [(file_id, path, line, message, now) for line, message in problems],
        )

    # -- search index -----------------------------------------------------------------------

    def journal_blocks(self) -> list[JournalBlock]:
        """Every block of every entry, with its day, for chunking."""
        rows = self.db.execute(
            """SELECT b.entry_id, b.position, b.topic, b.text, e.day FROM blocks b
               JOIN entries e ON e.id = b.entry_id ORDER BY b.entry_id, b.position"""
        )
        return [
            JournalBlock(r["entry_id"], r["position"], r["day"] or None, r["topic"], r["text"])
            for r in rows
        ]

    def latest_documents(self) -> list[SourceText]:
        """The newest document of every archived link, with what the journal says around it."""
        rows = self.db.execute(
            """SELECT d.id, d.link_id, d.title, d.text, d.description, l.url FROM documents d
               JOIN links l ON l.id = d.link_id
               WHERE d.id = (SELECT d2.id FROM documents d2 WHERE d2.link_id = d.link_id
                             ORDER BY d2.fetched_at DESC, d2.id DESC LIMIT 1)
               ORDER BY d.id"""
        ).fetchall()
        words = self._journal_words_by_link()
        return [
            SourceText(
                r["id"],
                r["url"],
                r["title"],
                r["description"],
                r["text"],
                tuple(words.get(r["link_id"], ())),
            )
            for r in rows
        ]

    def _journal_words_by_link(self) -> dict[int, list[str]]:
        """The author's words about each link: its topic line, link text and notes."""
        words: dict[int, list[str]] = {}
        rows = self.db.execute(
            """SELECT m.link_id, m.topic, m.title, a.raw FROM link_mentions m
               LEFT JOIN annotations a ON a.mention_id = m.id ORDER BY m.id, a.position"""
        )
        for r in rows:
            bucket = words.setdefault(r["link_id"], [])
            for text in (r["topic"], r["title"], r["raw"]):
                if text and text not in bucket:
                    bucket.append(text)
        return words

    def chunk_hashes(self) -> dict[tuple[str, int, int], tuple[int, str]]:
        """(owner type, owner id, position) → (chunk id, hash) for every stored chunk."""
        rows = self.db.execute("SELECT id, owner_type, owner_id, position, hash FROM chunks")
        return {(r[1], r[2], r[3]): (r[0], r[4]) for r in rows}

    def save_chunk(
        self,
        owner_type: str,
        owner_id: int,
        position: int,
        text: str,
        digest: str,
        indexed: str,
        existing: int | None,
    ) -> None:
        """Insert or replace one chunk and its full-text entry."""
        if existing is not None:
            self.db.execute(
                "UPDATE chunks SET text = ?, hash = ? WHERE id = ?", (text, digest, existing)
            )
            self.db.execute("DELETE FROM chunk_text WHERE rowid = ?", (existing,))
            chunk_id = existing
        else:
            chunk_id = self.db.execute(
                """INSERT INTO chunks (owner_type, owner_id, position, text, hash)
                   VALUES (?, ?, ?, ?, ?)""",
                (owner_type, owner_id, position, text, digest),
            ).lastrowid
        self.db.execute("INSERT INTO chunk_text (rowid, body) VALUES (?, ?)", (chunk_id, indexed))

    def delete_chunks(self, ids: list[int]) -> None:
        self.db.executemany("DELETE FROM chunks WHERE id = ?", [(i,) for i in ids])
        self.db.executemany("DELETE FROM chunk_text WHERE rowid = ?", [(i,) for i in ids])

    def hashes_without_vectors(self, model: str, profiles: bool = False) -> list[tuple[str, str]]:
        """(hash, text) of chunks the model has not embedded yet, each hash once; with
        ``profiles``, only the journal's passages and each source's profile and notes (its
        first passage and the one at position -1)."""
        only = "AND (c.owner_type = 'entry' OR c.position IN (0, -1))" if profiles else ""
        rows = self.db.execute(
            f"""SELECT c.hash, MIN(c.text) FROM chunks c
               WHERE NOT EXISTS (SELECT 1 FROM vectors v WHERE v.model = ? AND v.hash = c.hash)
               {only} GROUP BY c.hash""",
            (model,),
        )
        return [(r[0], r[1]) for r in rows]

    def save_vectors(self, model: str, items: list[tuple[str, bytes]], dim: int) -> None:
        self.db.executemany(
            "INSERT OR REPLACE INTO vectors (model, hash, dim, vector) VALUES (?, ?, ?, ?)",
            [(model, digest, dim, blob) for digest, blob in items],
        )

    def drop_orphan_vectors(self) -> int:
        """Vectors no chunk uses any more, of any model."""
        return self.db.execute(
            "DELETE FROM vectors WHERE hash NOT IN (SELECT hash FROM chunks)"
        ).rowcount

    def chunk_vectors(self, model: str) -> list[tuple[int, str, int, bytes]]:
        """(chunk id, owner type, owner id, vector bytes) of every embedded chunk."""
        rows = self.db.execute(
            """SELECT c.id, c.owner_type, c.owner_id, v.vector FROM chunks c
               JOIN vectors v ON v.hash = c.hash AND v.model = ? ORDER BY c.id""",
            (model,),
        )
        return [(r[0], r[1], r[2], r[3]) for r in rows]

    def data_version(self) -> int:
        """Changes whenever another connection commits (see SQLite's PRAGMA data_version)."""
        return self.db.execute("PRAGMA data_version").fetchone()[0]

    def entry_ids_on(self, day: str) -> list[int]:
        return [r[0] for r in self.db.execute("SELECT id FROM entries WHERE day = ?", (day,))]

    def latest_document_id(self, link_id: int) -> int | None:
        row = self.db.execute(
            "SELECT id FROM documents WHERE link_id = ? ORDER BY fetched_at DESC, id DESC LIMIT 1",
            (link_id,),
        ).fetchone()
        return row[0] if row else None

    def lexical_matches(self, match: str, limit: int) -> list[int]:
        """Chunk ids for an FTS5 query, best BM25 first."""
        try:
            rows = self.db.execute(
                "SELECT rowid FROM chunk_text WHERE chunk_text MATCH ? ORDER BY bm25(chunk_text) "
                "LIMIT ?",
                (match, limit),
            )
            return [r[0] for r in rows]
        except sqlite3.OperationalError:  # a query FTS5 cannot parse matches nothing
            return []

    def chunk_details(self, ids: list[int]) -> dict[int, ChunkDetail]:
        """What a search result shows for each chunk: owner, title, date, URL, text."""
        marks = ", ".join("?" * len(ids)) or "NULL"
        rows = self.db.execute(
            f"""SELECT c.id, c.owner_type, c.owner_id, c.text,
                       e.day AS day, e.title AS entry_title, e.heading AS heading,
                       d.title AS doc_title, l.url AS url, l.final_url AS final_url,
                       d.published AS published,
                       k.name AS concept_name, p.path AS page,
                       (SELECT MIN(NULLIF(e2.day, '')) FROM link_mentions m2
                        JOIN entries e2 ON e2.id = m2.entry_id WHERE m2.link_id = d.link_id)
                         AS first_seen
                FROM chunks c
                LEFT JOIN entries e ON c.owner_type = 'entry' AND e.id = c.owner_id
                LEFT JOIN documents d ON c.owner_type = 'document' AND d.id = c.owner_id
                LEFT JOIN links l ON l.id = d.link_id
                LEFT JOIN concepts k ON c.owner_type = 'concept' AND k.id = c.owner_id
                LEFT JOIN vault_pages p ON p.owner = CASE c.owner_type
                    WHEN 'entry' THEN 'day:' || e.day
                    WHEN 'document' THEN 'link:' || d.link_id
                    ELSE 'concept:' || k.key END
                WHERE c.id IN ({marks})""",
            ids,
        )
        return {
            r["id"]: ChunkDetail(
                r["id"],
                r["owner_type"],
                r["owner_id"],
                r["text"],
                title=r["concept_name"]
                or r["doc_title"]
                or r["entry_title"]
                or r["heading"]
                or None,
                day=(r["day"] or None) if r["owner_type"] == "entry" else r["first_seen"],
                url=r["url"],
                page=r["page"],
                final_url=r["final_url"],
            )
            for r in rows
        }

    # -- concept graph ------------------------------------------------------------------

    def entry_texts(self) -> list[EntryText]:
        """Every journal entry with its topic lines, oldest day first."""
        topics: dict[int, list[str]] = {}
        for r in self.db.execute("SELECT entry_id, topics FROM blocks ORDER BY entry_id, position"):
            bucket = topics.setdefault(r[0], [])
            bucket += [t for t in json.loads(r[1]) if t not in bucket]
        rows = self.db.execute("SELECT id, day, body FROM entries ORDER BY day, id")
        return [EntryText(r[0], r[1] or None, r[2], tuple(topics.get(r[0], ()))) for r in rows]

    def source_records(self) -> list[SourceRecord]:
        """The newest document of every archived link, with the topics it was filed under."""
        topics: dict[int, list[str]] = {}
        first: dict[int, str] = {}
        filings: dict[int, list[Filing]] = {}
        for r in self.db.execute(
            """SELECT m.link_id, m.topic, m.line, e.day, b.text, b.line AS block_line,
                      b.topics AS block_topics
               FROM link_mentions m JOIN entries e ON e.id = m.entry_id
               JOIN blocks b ON b.id = m.block_id ORDER BY m.id"""
        ):
            if r["topic"] and r["topic"] not in topics.setdefault(r["link_id"], []):
                topics[r["link_id"]].append(r["topic"])
            if r["day"] and (r["link_id"] not in first or r["day"] < first[r["link_id"]]):
                first[r["link_id"]] = r["day"]
            filings.setdefault(r["link_id"], []).append(
                Filing(
                    r["text"],
                    r["line"] - r["block_line"],
                    tuple(json.loads(r["block_topics"])),
                )
            )
        rows = self.db.execute(
            """SELECT d.id, d.link_id, d.title, d.site, d.published, d.text, d.author, l.url,
                      l.kind
               FROM documents d JOIN links l ON l.id = d.link_id
               WHERE d.id = (SELECT d2.id FROM documents d2 WHERE d2.link_id = d.link_id
                             ORDER BY d2.fetched_at DESC, d2.id DESC LIMIT 1)
               ORDER BY d.id"""
        )
        return [
            SourceRecord(
                r["id"],
                r["url"],
                r["kind"],
                r["title"],
                r["site"],
                r["published"],
                r["text"],
                tuple(topics.get(r["link_id"], ())),
                first.get(r["link_id"]),
                r["author"],
                tuple(filings.get(r["link_id"], ())),
            )
            for r in rows
        ]

    def graph_inputs(self) -> str:
        """A fingerprint of what the concept graph is built from: entries and documents."""
        digest = hashlib.sha256()
        for (content_hash,) in self.db.execute("SELECT content_hash FROM entries ORDER BY id"):
            digest.update(content_hash.encode())
        for (document_id,) in self.db.execute("SELECT id FROM documents ORDER BY id"):
            digest.update(f",{document_id}".encode())
        return digest.hexdigest()

    def state(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_state(self, key: str, value: str) -> None:
        self.db.execute(
            "INSERT INTO state (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def save_concepts(
        self,
        concepts: list[tuple[str, str, list[str], str | None]],
        mentions: list[tuple[str, str, int, int, bool]],
        edges: list[tuple[str, str, str, float, list[str], list[dict[str, str]]]],
    ) -> None:
        """Replace the concept graph. Concepts are (key, name, aliases, description) and keep
        their ids across rebuilds; mentions (key, owner type, owner id, count, about) and edges
        (source key, target key, relation, weight, signals, evidence) are written anew."""
        ids = {r[1]: r[0] for r in self.db.execute("SELECT id, key FROM concepts")}
        keep = {c[0] for c in concepts}
        self.db.executemany(
            "DELETE FROM concepts WHERE id = ?", [(i,) for k, i in ids.items() if k not in keep]
        )
        self.db.execute("DELETE FROM concept_mentions")
        self.db.execute("DELETE FROM edges")
        for key, name, aliases, description in concepts:
            values = (name, json.dumps(aliases, ensure_ascii=False), description)
            if key in ids:
                self.db.execute(
                    "UPDATE concepts SET name = ?, aliases = ?, description = ? WHERE id = ?",
                    (*values, ids[key]),
                )
            else:
                ids[key] = self.db.execute(
                    "INSERT INTO concepts (name, aliases, description, key) VALUES (?, ?, ?, ?)",
                    (*values, key),
                ).lastrowid
        self.db.executemany(
            """INSERT INTO concept_mentions (concept_id, owner_type, owner_id, count, about)
               VALUES (?, ?, ?, ?, ?)""",
            [(ids[k], kind, owner, count, int(about)) for k, kind, owner, count, about in mentions],
        )
        self.db.executemany(
            """INSERT INTO edges (source_id, target_id, relation, weight, signals, evidence)
               VALUES (?, ?, ?, ?, ?, ?)""",
            [
                (ids[a], ids[b], rel, w, json.dumps(sig), json.dumps(ev, ensure_ascii=False))
                for a, b, rel, w, sig, ev in edges
            ],
        )

    def graph_counts(self) -> tuple[int, dict[str, int]]:
        """How many concepts, and how many edges of each relation."""
        concepts = self.db.execute("SELECT COUNT(*) FROM concepts").fetchone()[0]
        rows = self.db.execute("SELECT relation, COUNT(*) FROM edges GROUP BY relation")
        return concepts, {r[0]: r[1] for r in rows}

    def concepts(self) -> list[ConceptRow]:
        rows = self.db.execute("SELECT id, key, name, aliases, description FROM concepts")
        return [
            ConceptRow(r[0], r[1], r[2], tuple(json.loads(r[3])), r[4]) for r in rows.fetchall()
        ]

    def concept_mentions(self) -> dict[int, list[tuple[str, int, int, bool]]]:
        """Concept id → (owner type, owner id, count, about) for each text that names it.
        Plain tuples from a plain cursor: a large archive has hundreds of thousands."""
        cursor = self.db.cursor()
        cursor.row_factory = None
        rows = cursor.execute(
            "SELECT concept_id, owner_type, owner_id, count, about FROM concept_mentions "
            "ORDER BY concept_id, owner_type, owner_id"
        )
        out: dict[int, list[tuple[str, int, int, bool]]] = {}
        for concept_id, kind, owner, count, about in rows:
            out.setdefault(concept_id, []).append((kind, owner, count, about == 1))
        return out

    def concept_edges(self) -> list[EdgeRow]:
        rows = self.db.execute(
            "SELECT source_id, target_id, relation, weight, signals, evidence FROM edges "
            "ORDER BY id"
        )
        return [
            EdgeRow(r[0], r[1], r[2], r[3], tuple(json.loads(r[4])), tuple(json.loads(r[5])))
            for r in rows
        ]

    def indexed_documents(self) -> list[tuple[int, str, int]]:
        """(document id, URL, its first indexed chunk) of every document in the index."""
        rows = self.db.execute(
            """SELECT d.id, l.url, MIN(c.id) FROM documents d
               JOIN links l ON l.id = d.link_id
               JOIN chunks c ON c.owner_type = 'document' AND c.owner_id = d.id
               GROUP BY d.id ORDER BY d.id"""
        )
        return [(r[0], r[1], r[2]) for r in rows]

    def source_titles(self) -> dict[int, tuple[str, str | None]]:
        """Document id → (URL, title), for naming sources in graphs."""
        rows = self.db.execute(
            "SELECT d.id, l.url, d.title FROM documents d JOIN links l ON l.id = d.link_id"
        )
        return {r[0]: (r[1], r[2]) for r in rows}

    def entry_days(self) -> dict[int, str | None]:
        """Entry id → its day, for naming entries in graphs."""
        return {r[0]: r[1] or None for r in self.db.execute("SELECT id, day FROM entries")}

    # -- vault export -----------------------------------------------------------------------

    def page_hashes(self) -> dict[str, str]:
        """Vault-relative path → hash of what kgnotes last wrote there."""
        return {r[0]: r[1] for r in self.db.execute("SELECT path, hash FROM vault_pages")}

    def save_page_hash(self, path: str, digest: str, owner: str | None) -> None:
        self.db.execute(
            "INSERT INTO vault_pages (path, hash, owner) VALUES (?, ?, ?) "
            "ON CONFLICT(path) DO UPDATE SET hash = excluded.hash, owner = excluded.owner",
            (path, digest, owner),
        )

    def forget_page(self, path: str) -> None:
        self.db.execute("DELETE FROM vault_pages WHERE path = ?", (path,))

    def link_days(self) -> dict[int, list[str]]:
        """Link id → the days of the journal entries that mention it, in order."""
        days: dict[int, list[str]] = {}
        for link_id, day in self.db.execute(
            """SELECT DISTINCT m.link_id, e.day FROM link_mentions m
               JOIN entries e ON e.id = m.entry_id WHERE e.day != '' ORDER BY e.day"""
        ):
            days.setdefault(link_id, []).append(day)
        return days

    # -- questions ------------------------------------------------------------------------

    def counts(self) -> dict[str, object]:
        """Row counts for ``kgnotes status``."""
        one = lambda sql: self.db.execute(sql).fetchone()[0]  # noqa: E731
        by_status = dict.fromkeys(LINK_STATUSES, 0)
        for row in self.db.execute("SELECT status, COUNT(*) FROM links GROUP BY status"):
            by_status[row[0]] = row[1]
        return {
            "entries": one("SELECT COUNT(*) FROM entries"),
            "links": one("SELECT COUNT(*) FROM links"),
            "links_by_status": by_status,
            "documents": one("SELECT COUNT(*) FROM documents"),
            "chunks": one("SELECT COUNT(*) FROM chunks"),
            "concepts": one("SELECT COUNT(*) FROM concepts"),
            "edges": one("SELECT COUNT(*) FROM edges"),
            "titles_without_paper": len(self.titles_without_paper()),
        }

    def links(self, status: str | None = None, normalized: str | None = None) -> list[LinkRecord]:
        """Every link (or those with ``status``), oldest first, with its notes in written order.

        A link is first seen on the earliest journal day that mentions it, or that names the
        paper it resolved to; links from nowhere else date from when they were stored.
        """
        where, params = "WHERE 1", []
        if status:
            where, params = where + " AND l.status = ?", [*params, status]
        if normalized:
            where, params = where + " AND l.normalized = ?", [*params, normalized]
        rows = self.db.execute(
            f"""WITH seen(link_id, day) AS (
                    SELECT m.link_id, e.day FROM link_mentions m JOIN entries e ON e.id = m.entry_id
                    UNION ALL
                    SELECT r.link_id, e.day FROM refs r
                    JOIN blocks b ON b.id = r.block_id JOIN entries e ON e.id = b.entry_id
                    WHERE r.link_id IS NOT NULL)
                SELECT l.*,
                   COALESCE(MIN(NULLIF(s.day, '')), substr(l.created_at, 1, 10)) AS first_seen,
                   (SELECT m.title FROM link_mentions m
                    WHERE m.link_id = l.id AND m.title IS NOT NULL
                    ORDER BY m.id LIMIT 1) AS mention_title
                FROM links l
                LEFT JOIN seen s ON s.link_id = l.id
                {where}
                GROUP BY l.id
                ORDER BY first_seen, l.id""",
            params,
        ).fetchall()
        notes, quotes = self._notes_by_link(rows[0]["id"] if normalized and rows else None)
        return [
            LinkRecord(
                id=r["id"],
                url=r["url"],
                normalized=r["normalized"],
                kind=r["kind"],
                status=r["status"],
                first_seen=r["first_seen"],
                title=r["title"] or r["mention_title"],
                final_url=r["final_url"],
                http_status=r["http_status"],
                error=r["error"],
                attempts=r["attempts"],
                archived_at=r["archived_at"],
                via=r["via"],
                reason=r["reason"],
                quote=quotes.get(r["id"]),
                notes=tuple(notes.get(r["id"], ())),
            )
            for r in rows
        ]

    def link_owners(self) -> dict[int, tuple[set[int], set[int]]]:
        """Link id → (its documents, the journal entries that mention it), for search filters
        on what the journal said about a link."""
        owners: dict[int, tuple[set[int], set[int]]] = {}
        for r in self.db.execute("SELECT id, link_id FROM documents"):
            owners.setdefault(r[1], (set(), set()))[0].add(r[0])
        for r in self.db.execute("SELECT link_id, entry_id FROM link_mentions"):
            owners.setdefault(r[0], (set(), set()))[1].add(r[1])
        return owners

    # -- archiving ---------------------------------------------------------------------------

    def archive_queue(
        self, statuses: tuple[str, ...], link_ids: set[int] | None = None
    ) -> list[LinkJob]:
        """Links in ``statuses`` (optionally only ``link_ids``), oldest first."""
        marks = ", ".join("?" * len(statuses))
        rows = self.db.execute(
            f"SELECT id, url, normalized, kind FROM links WHERE status IN ({marks}) ORDER BY id",
            statuses,
        )
        return [
            LinkJob(r["id"], r["url"], r["normalized"], r["kind"])
            for r in rows
            if link_ids is None or r["id"] in link_ids
        ]

    def count_links(self, status: str) -> int:
        return self.db.execute("SELECT COUNT(*) FROM links WHERE status = ?", (status,)).fetchone()[
            0
        ]

    def links_of_files(self, keys: list[str]) -> set[int]:
        """Ids of links mentioned in the given note files."""
        marks = ", ".join("?" * len(keys))
        rows = self.db.execute(
            f"""SELECT m.link_id FROM link_mentions m
                JOIN entries e ON e.id = m.entry_id JOIN notefiles f ON f.id = e.file_id
                WHERE f.path IN ({marks})""",
            keys,
        )
        return {r[0] for r in rows}

    def record_archived(self, link_id: int, capture: ArchivedLink) -> None:
        """Keep a document (once per distinct text) and mark the link archived."""
        doc = capture.document
        now = _now()
        self.db.execute(
            """INSERT INTO documents (link_id, content_hash, content_type, title, author,
                 published, site, language, description, text, extraction, snapshot, fetched_at,
                 tags)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (link_id, content_hash) DO UPDATE SET
                 snapshot = excluded.snapshot, fetched_at = excluded.fetched_at""",
            (
                link_id,
                capture.content_hash,
                doc.content_type,
                doc.title,
                doc.author,
                doc.published,
                doc.site,
                doc.language,
                doc.description,
                doc.text,
                doc.extraction,
                capture.snapshot,
                now,
                json.dumps(list(doc.tags)),
            ),
        )
        self.db.execute(
            """UPDATE links SET status = 'archived', title = ?, final_url = ?, http_status = ?,
                 error = NULL, reason = NULL, attempts = attempts + ?, archived_at = ?, via = ?
               WHERE id = ?""",
            (
                doc.title,
                capture.final_url,
                capture.http_status,
                capture.attempts,
                now,
                capture.via,
                link_id,
            ),
        )

    def record_failed(self, link_id: int, failure: FailedLink) -> None:
        """Mark a link failed with its reason; a link archived before keeps its archive."""
        self.db.execute(
            """UPDATE links SET
                 status = CASE WHEN status = 'archived' THEN 'archived' ELSE 'failed' END,
                 reason = ?, error = ?, http_status = ?, final_url = COALESCE(?, final_url),
                 attempts = attempts + ?
               WHERE id = ?""",
            (
                failure.reason,
                failure.error,
                failure.http_status,
                failure.final_url,
                failure.attempts,
                link_id,
            ),
        )

    def document_of(self, link_id: int) -> tuple[Document, str | None] | None:
        """The latest document archived for a link, and its snapshot's path in the vault."""
        row = self.db.execute(
            "SELECT * FROM documents WHERE link_id = ? ORDER BY fetched_at DESC, id DESC LIMIT 1",
            (link_id,),
        ).fetchone()
        if row is None:
            return None
        document = Document(
            text=row["text"],
            extraction=row["extraction"],
            title=row["title"],
            author=row["author"],
            published=row["published"],
            site=row["site"],
            language=row["language"],
            description=row["description"],
            content_type=row["content_type"],
            tags=tuple(json.loads(row["tags"])),
        )
        return document, row["snapshot"]

    def file_text(self, key: str) -> str:
        """The bodies of a note file's entries, in order (used for the URL inbox)."""
        rows = self.db.execute(
            """SELECT e.body FROM entries e JOIN notefiles f ON f.id = e.file_id
               WHERE f.path = ? ORDER BY e.line""",
            (key,),
        )
        return "\n\n".join(r[0] for r in rows)

    # -- paper titles written without a link -------------------------------------------------

    def titles_without_paper(self) -> list[UnresolvedTitle]:
        """Paper titles written without a link whose search found no paper, first written
        first (a title not searched yet waits for the next archive, as a pending link does)."""
        rows = self.db.execute(
            """SELECT r.text, MIN(e.day) AS day FROM refs r
               JOIN blocks b ON b.id = r.block_id JOIN entries e ON e.id = b.entry_id
               WHERE r.link_id IS NULL
               GROUP BY r.text ORDER BY MIN(COALESCE(e.day, '')), MIN(r.id)"""
        ).fetchall()
        found = []
        for row in rows:
            asked, paper = self.title_lookup(title_key(row["text"]))
            if asked and paper is None:
                found.append(
                    UnresolvedTitle(row["text"], row["day"], "no arXiv paper has this title")
                )
        return found

    def unresolved_references(self) -> list[tuple[int, str]]:
        rows = self.db.execute("SELECT id, text FROM refs WHERE link_id IS NULL ORDER BY id")
        return [(r["id"], r["text"]) for r in rows]

    def title_lookup(self, key: str) -> tuple[bool, str | None]:
        """(asked before, the paper URL it resolved to or None)."""
        row = self.db.execute("SELECT paper FROM title_lookups WHERE key = ?", (key,)).fetchone()
        return (row is not None, row["paper"] if row else None)

    def save_title_lookup(self, key: str, paper: str | None) -> None:
        self.db.execute(
            """INSERT INTO title_lookups (key, paper, checked_at) VALUES (?, ?, ?)
               ON CONFLICT (key) DO UPDATE SET paper = excluded.paper,
                 checked_at = excluded.checked_at""",
            (key, paper, _now()),
        )

    def resolve_reference(self, ref_id: int, url: str, normalized: str, kind: str) -> int:
        """Point a reference at the link for its paper, creating the link if need be."""
        link_id, _created = self._link_for(
            Mention(url=url, normalized=normalized, kind=kind, line=0)
        )
        self.db.execute("UPDATE refs SET link_id = ? WHERE id = ?", (link_id, ref_id))
        return link_id

    def _notes_by_link(
        self, link_id: int | None = None
    ) -> tuple[dict[int, list[Annotation]], dict[int, str]]:
        """Notes per link (all links, or one) in the order written: entry date, then place."""
        notes: dict[int, list[Annotation]] = {}
        quotes: dict[int, str] = {}
        where, params = ("WHERE m.link_id = ?", (link_id,)) if link_id is not None else ("", ())
        rows = self.db.execute(
            f"""SELECT m.link_id, m.quote, a.raw, a.reading, a.quality, a.added
               FROM link_mentions m
               JOIN entries e ON e.id = m.entry_id
               LEFT JOIN annotations a ON a.mention_id = m.id
               {where}
               ORDER BY e.day, e.id, m.position, a.position""",
            params,
        )
        for r in rows:
            if r["quote"]:
                quotes[r["link_id"]] = r["quote"]
            if r["raw"] is not None:
                added = date.fromisoformat(r["added"]) if r["added"] else None
                notes.setdefault(r["link_id"], []).append(
                    Annotation(r["raw"], r["reading"], r["quality"], added)
                )
        return notes, quotes


def title_key(title: str) -> str:
    """A paper title as it is looked up once: lower-case words and digits."""
    return " ".join(re.findall(r"[a-z0-9]+", title.lower()))


def _refuse_empty(path: Path) -> None:
    """An empty database file is no new vault: SQLite would take it for one, and every link
    the vault had would come back pending. Refuse it rather than write over it."""
    try:
        empty = path.stat().st_size == 0
        wal = path.with_name(path.name + "-wal")
        empty = empty and not (wal.exists() and wal.stat().st_size)
    except OSError:
        return  # no file yet (a new vault), or one sqlite will say more about
    if empty:
        raise VaultError(
            f"{path}: the database file is empty (0 bytes), so this is not the vault it was — "
            "restore it from a backup, or delete it to start a new vault from your notes"
        )


def vault_error(path: Path, exc: sqlite3.Error) -> VaultError:
    """One line that names the database and what to do about ``exc``."""
    message = str(exc)
    if "locked" in message or "busy" in message:
        return VaultBusyError(f"{path}: the vault is busy (another kgnotes is writing) — try again")
    if "readonly" in message or "read-only" in message or not _writable(path):
        return VaultError(
            f"{path}: the vault is read-only — make {path.parent} writable, or use another vault"
        )
    if "disk is full" in message or "database or disk is full" in message:
        return VaultError(
            f"{path}: the disk is full — free some space and run the same command again "
            "(what was written before is kept)"
        )
    if "malformed" in message or "not a database" in message:
        return VaultError(
            f"{path}: the database is damaged ({message}) — restore it from a backup, or move "
            "it away and run kgnotes add on your notes again (the archive folder is kept)"
        )
    return VaultError(f"{path}: cannot use the database ({message})")


def _writable(path: Path) -> bool:
    target = path if path.exists() else path.parent
    while not target.exists() and target != target.parent:
        target = target.parent
    return os.access(target, os.W_OK)
