"""The store as one object: a connection with the methods of every table group."""

from __future__ import annotations

from .concepts import ConceptTables
from .connection import Connection, one_int
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

        by_status = {status: 0 for status in LINK_STATUSES}
        for row in self.db.execute("SELECT status, COUNT(*) FROM links GROUP BY status"):
            by_status[row[0]] = row[1]
        return VaultCounts(
            entries=one_int(self.db.execute("SELECT COUNT(*) FROM entries")),
            links=one_int(self.db.execute("SELECT COUNT(*) FROM links")),
            links_by_status=LinkCounts(**by_status),
            documents=one_int(self.db.execute("SELECT COUNT(*) FROM documents")),
            chunks=one_int(self.db.execute("SELECT COUNT(*) FROM chunks")),
            concepts=one_int(self.db.execute("SELECT COUNT(*) FROM concepts")),
            edges=one_int(self.db.execute("SELECT COUNT(*) FROM edges")),
            titles_without_paper=len(self.titles_without_paper()),
        )
