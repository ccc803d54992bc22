"""The search index: passages (chunks) of journal blocks, documents and concepts, their
full-text entries and their vectors, keyed by (model, hash of the text)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

from .connection import inserted
from .records import ChunkDetail, JournalBlock, SourceText
from .schema import FTS_TOKENIZER


class PassageTables:
    """Chunks, their full-text index and their vectors."""

    db: sqlite3.Connection

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
            """SELECT d.id, d.link_id, d.title, d.text, d.description, l.url FROM latest_documents d
               JOIN links l ON l.id = d.link_id
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
            chunk_id = inserted(
                self.db.execute(
                    """INSERT INTO chunks (owner_type, owner_id, position, text, hash)
                   VALUES (?, ?, ?, ?, ?)""",
                    (owner_type, owner_id, position, text, digest),
                )
            )
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

    def chunk_vectors(
        self, model: str, owner_type: str | None = None
    ) -> list[tuple[int, str, int, bytes]]:
        """(chunk id, owner type, owner id, vector bytes) of every embedded chunk (or only
        those of one owner type, such as the concepts)."""
        only = "WHERE c.owner_type = ?" if owner_type else ""
        rows = self.db.execute(
            f"""SELECT c.id, c.owner_type, c.owner_id, v.vector FROM chunks c
               JOIN vectors v ON v.hash = c.hash AND v.model = ? {only} ORDER BY c.id""",
            (model, owner_type) if owner_type else (model,),
        )
        return [(r[0], r[1], r[2], r[3]) for r in rows]

    def document_vectors(self, model: str) -> Iterator[tuple[int, bytes]]:
        """(document id, vector bytes) of every passage of a document ``model`` has embedded,
        in passage order, read as the caller goes (the vault's related sources add them up a
        slice at a time: at 5,000 sources the whole list would be 60 MB)."""
        cursor = self.db.cursor()
        cursor.row_factory = None
        yield from cursor.execute(
            """SELECT c.owner_id, v.vector FROM chunks c
               JOIN vectors v ON v.hash = c.hash AND v.model = ?
               WHERE c.owner_type = 'document' ORDER BY c.id""",
            (model,),
        )

    def vector_keys(self, model: str) -> list[tuple[int, str]]:
        """(chunk id, text hash) of every chunk ``model`` has a vector for."""
        cursor = self.db.cursor()
        cursor.row_factory = None  # plain tuples: a large vault has a million
        return cursor.execute(
            """SELECT c.id, c.hash FROM chunks c
               JOIN vectors v ON v.hash = c.hash AND v.model = ? ORDER BY c.id""",
            (model,),
        ).fetchall()

    def vectors_of(self, model: str, chunk_ids: list[int]) -> list[tuple[int, bytes]]:
        """(chunk id, vector bytes) of the given chunks, where ``model`` has one."""
        found = self._in_batches(
            # CROSS JOIN: the chunks first, each vector by its key; left to choose, the
            # planner walks every vector of the model for each batch (16 s, not 12 ms)
            """SELECT c.id, v.vector FROM chunks c
               CROSS JOIN vectors v ON v.model = ? AND v.hash = c.hash
               WHERE c.id IN ({marks}) ORDER BY c.id""",
            chunk_ids,
            (model,),
        )
        return [(r[0], r[1]) for r in found]

    def vector_dim(self, model: str) -> int:
        """How many numbers a vector of ``model`` has (0 before it has embedded anything)."""
        row = self.db.execute("SELECT dim FROM vectors WHERE model = ? LIMIT 1", (model,))
        found = row.fetchone()
        return int(found[0]) if found else 0

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

    def fts_rows(self) -> int:
        """Passages in the full-text index."""
        return int(self.db.execute("SELECT count(*) FROM chunk_text_docsize").fetchone()[0])

    def fts_max_rowid(self) -> int:
        return int(self.db.execute("SELECT max(id) FROM chunk_text_docsize").fetchone()[0] or 0)

    def fts_vocabulary(self) -> list[tuple[str, int]]:
        """Each term of the full-text index, in FTS5's order, and how many passages hold it."""
        self.db.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.chunk_vocabulary "
            "USING fts5vocab(main, chunk_text, row)"
        )
        rows = self.db.execute("SELECT term, doc FROM temp.chunk_vocabulary")
        return [(r[0], r[1]) for r in rows]

    def fts_occurrences(self) -> Iterator[tuple[str, str]]:
        """Each term of the full-text index, with the chunk id of each of its occurrences
        (space-separated, ascending): FTS5's own terms, read through ``fts5vocab``."""
        self.db.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.chunk_terms "
            "USING fts5vocab(main, chunk_text, instance)"
        )
        cursor = self.db.cursor()
        cursor.row_factory = None
        # grouped as fts5vocab hands them out, by term and then chunk id: no sorting
        yield from cursor.execute(
            "SELECT term, group_concat(doc, ' ') FROM temp.chunk_terms GROUP BY term"
        )

    def fts_positions(self, term: str) -> str:
        """Each occurrence of one term of the full-text index as its chunk id and position,
        space-separated (``"3 0 3 7 9 2"``): one string, which numpy reads far faster than
        SQLite hands out a row per occurrence."""
        self.db.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.chunk_terms "
            "USING fts5vocab(main, chunk_text, instance)"
        )
        row = self.db.execute(
            "SELECT group_concat(doc || ' ' || offset, ' ') FROM temp.chunk_terms WHERE term = ?",
            (term,),
        ).fetchone()
        return str(row[0] or "")

    def fts_tokens(self, texts: list[str]) -> list[list[str]]:
        """The terms FTS5's tokenizer makes of each text, in order (what a query's word or
        phrase matches): a scratch full-text table in the connection's temporary schema."""
        self.db.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.query_text "
            f"USING fts5(body, tokenize = '{FTS_TOKENIZER}')"
        )
        self.db.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.query_terms "
            "USING fts5vocab(temp, query_text, instance)"
        )
        self.db.executemany(
            "INSERT INTO temp.query_text (rowid, body) VALUES (?, ?)",
            [(i + 1, text) for i, text in enumerate(texts)],
        )
        try:
            rows = self.db.execute(
                "SELECT doc, term FROM temp.query_terms ORDER BY doc, offset"
            ).fetchall()
        finally:
            self.db.execute("DELETE FROM temp.query_text")
        tokens: list[list[str]] = [[] for _ in texts]
        for row in rows:
            tokens[row[0] - 1].append(row[1])
        return tokens

    def owned_chunks(self, owner_type: str) -> str:
        """Every chunk of one owner type as its id and its owner's id, space-separated
        (``"3 1 4 1 9 2"``): one string, which numpy reads far faster than a row each. Read
        from the (owner_type, owner_id, position) index, which holds the chunk id too, so no
        passage's text is read."""
        row = self.db.execute(
            "SELECT group_concat(id || ' ' || owner_id, ' ') FROM chunks WHERE owner_type = ?",
            (owner_type,),
        ).fetchone()
        return str(row[0] or "")

    def chunk_details(self, ids: list[int]) -> dict[int, ChunkDetail]:
        """What a search result shows for each chunk: owner, title, date, URL, text."""
        rows = self._in_batches(
            """SELECT c.id, c.owner_type, c.owner_id, c.text,
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
            named=True,
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

    def _in_batches(
        self, sql: str, ids: list[int], before: tuple[object, ...] = (), named: bool = False
    ) -> list[Any]:
        """Rows of ``sql`` (whose ``{marks}`` stand for ids) for all ``ids``, asked 900 at a
        time: under SQLite's limit on parameters, which a filtered search's rankings pass.
        Plain tuples unless ``named``: a ranking reads thousands."""
        cursor = self.db.cursor()
        if not named:
            cursor.row_factory = None
        rows: list[Any] = []
        for start in range(0, len(ids), 900):
            part = ids[start : start + 900]
            marks = ", ".join("?" * len(part))
            rows += cursor.execute(sql.replace("{marks}", marks), (*before, *part)).fetchall()
        return rows

    def indexed_documents(self) -> list[tuple[int, str, int]]:
        """(document id, URL, its first indexed chunk) of every document in the index."""
        rows = self.db.execute(
            """SELECT d.id, l.url, MIN(c.id) FROM documents d
               JOIN links l ON l.id = d.link_id
               JOIN chunks c ON c.owner_type = 'document' AND c.owner_id = d.id
               GROUP BY d.id ORDER BY d.id"""
        )
        return [(r[0], r[1], r[2]) for r in rows]
