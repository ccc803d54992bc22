"""Links and what archiving made of them: the queue, each fetch's outcome, and the documents
kept (the latest one per link is the ``latest_documents`` view)."""

from __future__ import annotations

import json
import sqlite3
from datetime import date

from kgnotes.annotations import Annotation
from kgnotes.extract import Document

from .connection import one_int, timestamp
from .records import ArchivedLink, FailedLink, LinkJob, LinkRecord

LINK_STATUSES = ("pending", "archived", "failed")


class LinkTables:
    """Links, their notes and their archived documents."""

    db: sqlite3.Connection

    def links(self, status: str | None = None, normalized: str | None = None) -> list[LinkRecord]:
        """Every link (or those with ``status``), oldest first, with its notes in written order.

        A link is first seen on the earliest journal day that mentions it, or that names the
        paper it resolved to; links from nowhere else date from when they were stored.
        """
        where, params = "WHERE 1", list[str]()
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

    def link_owners(self) -> dict[int, tuple[set[int], set[int]]]:
        """Link id → (its documents, the journal entries that mention it), for search filters
        on what the journal said about a link."""
        owners: dict[int, tuple[set[int], set[int]]] = {}
        for r in self.db.execute("SELECT id, link_id FROM documents"):
            owners.setdefault(r[1], (set(), set()))[0].add(r[0])
        for r in self.db.execute("SELECT link_id, entry_id FROM link_mentions"):
            owners.setdefault(r[0], (set(), set()))[1].add(r[1])
        return owners

    def link_days(self) -> dict[int, list[str]]:
        """Link id → the days of the journal entries that mention it, in order."""
        days: dict[int, list[str]] = {}
        for link_id, day in self.db.execute(
            """SELECT DISTINCT m.link_id, e.day FROM link_mentions m
               JOIN entries e ON e.id = m.entry_id WHERE e.day != '' ORDER BY e.day"""
        ):
            days.setdefault(link_id, []).append(day)
        return days

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
        return one_int(self.db.execute("SELECT COUNT(*) FROM links WHERE status = ?", (status,)))

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
        now = timestamp()
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
            "SELECT * FROM latest_documents WHERE link_id = ?", (link_id,)
        ).fetchone()
        if row is None:
            return None
        return _document(row), row["snapshot"]

    def documents_of(self, link_ids: list[int]) -> dict[int, Document]:
        """Link id → its latest document, for many links in one read (the vault asks for a
        few hundred at a time, so an archive's text is never all in memory at once)."""
        found: dict[int, Document] = {}
        for start in range(0, len(link_ids), 900):  # under SQLite's limit on parameters
            part = link_ids[start : start + 900]
            marks = ", ".join("?" * len(part))
            rows = self.db.execute(
                f"SELECT * FROM latest_documents WHERE link_id IN ({marks})", part
            )
            found.update((row["link_id"], _document(row)) for row in rows)
        return found

    def latest_document_id(self, link_id: int) -> int | None:
        row = self.db.execute(
            "SELECT id FROM latest_documents WHERE link_id = ?", (link_id,)
        ).fetchone()
        return row[0] if row else None

    def latest_document_ids(self) -> dict[int, int]:
        """Link id → the id of its latest document, for every link that has one."""
        return {r[0]: r[1] for r in self.db.execute("SELECT link_id, id FROM latest_documents")}


def _document(row: sqlite3.Row) -> Document:
    """A ``latest_documents`` row as the document it keeps."""
    return Document(
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
