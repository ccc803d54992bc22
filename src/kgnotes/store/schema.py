"""The vault's schema, versioned with ``PRAGMA user_version``: each migration is a function,
run in order inside a transaction, so an old vault is brought forward the first time it is
opened. A migration is never edited once released; a change is a new one."""

from __future__ import annotations

import sqlite3

FTS_TOKENIZER = "porter unicode61 remove_diacritics 2"  # chunk_text's, as migration 3 made it


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


def _migration_6(db: sqlite3.Connection) -> None:
    """The latest document of each link, as one view: a link fetched again keeps its older
    documents, and every question about "the" document of a link means its newest."""
    _run_script(
        db,
        """
        CREATE VIEW latest_documents AS
        SELECT d.* FROM documents d
        WHERE d.id = (SELECT d2.id FROM documents d2 WHERE d2.link_id = d.link_id
                      ORDER BY d2.fetched_at DESC, d2.id DESC LIMIT 1)
        """,
    )


MIGRATIONS = [
    _migration_1,
    _migration_2,
    _migration_3,
    _migration_4,
    _migration_5,
    _migration_6,
]


def _run_script(db: sqlite3.Connection, script: str) -> None:
    """Run statements one by one: ``executescript`` would commit the migration's transaction."""
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)
