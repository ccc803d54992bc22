"""Note files as read: their entries, blocks, link mentions, notes, problems, and the paper
titles written without a link (with the one title search each gets)."""

from __future__ import annotations

import json
import re
import sqlite3

from kgnotes.annotations import Annotation
from kgnotes.journal import Block, Entry, Mention

from .connection import inserted, one_int, timestamp
from .records import StoredEntry, StoredFile, UnresolvedTitle


class NoteTables:
    """Note files, entries and what is in them."""

    db: sqlite3.Connection

    def note_file(self, path: str) -> StoredFile | None:
        row = self.db.execute(
            "SELECT id, sha256, parse_key FROM notefiles WHERE path = ?", (path,)
        ).fetchone()
        return StoredFile(row["id"], row["sha256"], row["parse_key"]) if row else None

    def save_note_file(
        self, path: str, sha256: str, encoding: str, size: int, parse_key: str
    ) -> int:
        now = timestamp()
        self.db.execute(
            """INSERT INTO notefiles (path, sha256, encoding, size, parse_key, added_at, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (path) DO UPDATE SET sha256 = excluded.sha256,
                 encoding = excluded.encoding, size = excluded.size,
                 parse_key = excluded.parse_key, updated_at = excluded.updated_at""",
            (path, sha256, encoding, size, parse_key, now, now),
        )
        return one_int(self.db.execute("SELECT id FROM notefiles WHERE path = ?", (path,)))

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
            entry_id = inserted(
                self.db.execute(
                    """INSERT INTO entries (file_id, day, occurrence, heading, title, line, body,
                   content_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
                    (file_id, day, entry.occurrence, *values),
                )
            )
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
        block_id = inserted(
            self.db.execute(
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
            )
        )
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
            (mention.normalized, mention.url, mention.kind, timestamp()),
        )
        return inserted(cursor), True

    def _save_mention(
        self, entry_id: int, block_id: int, link_id: int, position: int, mention: Mention
    ) -> None:
        mention_id = inserted(
            self.db.execute(
                """INSERT INTO link_mentions (entry_id, block_id, link_id, position, line, url,
                   title, topic, quote) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
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
            )
        )
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
        now = timestamp()
        self.db.executemany(
            """INSERT INTO problems (file_id, path, line, message, created_at)
               VALUES (?, ?, ?, ?, ?)""",
            [(file_id, path, line, message, now) for line, message in problems],
        )

    def file_text(self, key: str) -> str:
        """The bodies of a note file's entries, in order (used for the URL inbox)."""
        rows = self.db.execute(
            """SELECT e.body FROM entries e JOIN notefiles f ON f.id = e.file_id
               WHERE f.path = ? ORDER BY e.line""",
            (key,),
        )
        return "\n\n".join(r[0] for r in rows)

    def entry_ids_on(self, day: str) -> list[int]:
        return [r[0] for r in self.db.execute("SELECT id FROM entries WHERE day = ?", (day,))]

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
            (key, paper, timestamp()),
        )

    def resolve_reference(self, ref_id: int, url: str, normalized: str, kind: str) -> int:
        """Point a reference at the link for its paper, creating the link if need be."""
        link_id, _created = self._link_for(
            Mention(url=url, normalized=normalized, kind=kind, line=0)
        )
        self.db.execute("UPDATE refs SET link_id = ? WHERE id = ?", (link_id, ref_id))
        return link_id


def title_key(title: str) -> str:
    """A paper title as it is looked up once: lower-case words and digits."""
    return " ".join(re.findall(r"[a-z0-9]+", title.lower()))
