"""The concept graph as stored: concepts (ids kept across rebuilds), where each is mentioned,
and the edges with their signals and evidence; and the texts it is built from."""

from __future__ import annotations

import hashlib
import json
import sqlite3

from .connection import inserted, one_int
from .records import ConceptRow, EdgeRow, EntryText, Filing, SourceRecord


class ConceptTables:
    """Concepts, their mentions and edges, and the graph's inputs."""

    db: sqlite3.Connection

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
               FROM latest_documents d JOIN links l ON l.id = d.link_id
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

    def save_concepts(
        self,
        concepts: list[tuple[str, str, list[str], str | None]],
        mentions: list[tuple[str, str, int, int, bool]],
        edges: list[tuple[str, str, str, float, list[str], list[tuple[str, str]]]],
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
                ids[key] = inserted(
                    self.db.execute(
                        "INSERT INTO concepts (name, aliases, description, key) "
                        "VALUES (?, ?, ?, ?)",
                        (*values, key),
                    )
                )
        self.db.executemany(
            """INSERT INTO concept_mentions (concept_id, owner_type, owner_id, count, about)
               VALUES (?, ?, ?, ?, ?)""",
            [(ids[k], kind, owner, count, int(about)) for k, kind, owner, count, about in mentions],
        )
        self.db.executemany(
            """INSERT INTO edges (source_id, target_id, relation, weight, signals, evidence)
               VALUES (?, ?, ?, ?, ?, ?)""",
            [
                (ids[a], ids[b], rel, w, json.dumps(sig), _evidence_json(ev))
                for a, b, rel, w, sig, ev in edges
            ],
        )

    def graph_counts(self) -> tuple[int, dict[str, int]]:
        """How many concepts, and how many edges of each relation."""
        concepts = one_int(self.db.execute("SELECT COUNT(*) FROM concepts"))
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
            EdgeRow(
                r[0],
                r[1],
                r[2],
                r[3],
                tuple(json.loads(r[4])),
                tuple((e["source"], e["sentence"]) for e in json.loads(r[5])),
            )
            for r in rows
        ]

    def source_titles(self) -> dict[int, tuple[str, str | None]]:
        """Document id → (URL, title), for naming sources in graphs."""
        rows = self.db.execute(
            "SELECT d.id, l.url, d.title FROM documents d JOIN links l ON l.id = d.link_id"
        )
        return {r[0]: (r[1], r[2]) for r in rows}

    def entry_days(self) -> dict[int, str | None]:
        """Entry id → its day, for naming entries in graphs."""
        return {r[0]: r[1] or None for r in self.db.execute("SELECT id, day FROM entries")}


def _evidence_json(evidence: list[tuple[str, str]]) -> str:
    """Quotes as stored: ``[{"source": …, "sentence": …}]``."""
    return json.dumps([{"source": s, "sentence": q} for s, q in evidence], ensure_ascii=False)
