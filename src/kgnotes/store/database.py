"""The store as one object: a connection with the methods of every table group."""

from __future__ import annotations

from .concepts import ConceptTables
from .connection import Connection
from .links import LINK_STATUSES, LinkTables
from .notes import NoteTables
from .pages import PageTables
from .passages import PassageTables
from .records import LinkCounts, VaultCounts


class Store(Connection, NoteTables, LinkTables, PassageTables, ConceptTables, PageTables):
    """An open vault database (see ``Connection``), with every question and write kgnotes asks
    of it; each table group lives in its own module."""

    def counts(self) -> VaultCounts:
        """Row counts for ``kgnotes status``."""

        def one(sql: str) -> int:
            return int(self.db.execute(sql).fetchone()[0])

        by_status = {status: 0 for status in LINK_STATUSES}
        for row in self.db.execute("SELECT status, COUNT(*) FROM links GROUP BY status"):
            by_status[row[0]] = row[1]
        return VaultCounts(
            entries=one("SELECT COUNT(*) FROM entries"),
            links=one("SELECT COUNT(*) FROM links"),
            links_by_status=LinkCounts(**by_status),
            documents=one("SELECT COUNT(*) FROM documents"),
            chunks=one("SELECT COUNT(*) FROM chunks"),
            concepts=one("SELECT COUNT(*) FROM concepts"),
            edges=one("SELECT COUNT(*) FROM edges"),
            titles_without_paper=len(self.titles_without_paper()),
        )
