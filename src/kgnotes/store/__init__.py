"""The vault's SQLite database: the only package that speaks SQL.

One file in ``<vault>/.kgnotes/kgnotes.db``. ``schema`` holds the migrations, ``records`` the
rows handed out, ``connection`` the opening and transactions, and one module per table group
(``notes``, ``links``, ``passages``, ``concepts``, ``pages``) the SQL for it; ``database``
puts them together as ``Store``. Callers import from here.
"""

from .connection import BUSY_TIMEOUT_MS, vault_error
from .database import Store
from .links import LINK_STATUSES
from .notes import title_key
from .records import (
    ArchivedLink,
    ChunkDetail,
    ConceptRow,
    EdgeRow,
    EntryText,
    FailedLink,
    Filing,
    JournalBlock,
    LinkCounts,
    LinkJob,
    LinkRecord,
    SourceRecord,
    SourceText,
    StoredEntry,
    StoredFile,
    UnresolvedTitle,
    VaultCounts,
)
from .schema import MIGRATIONS

__all__ = [
    "BUSY_TIMEOUT_MS",
    "LINK_STATUSES",
    "MIGRATIONS",
    "ArchivedLink",
    "ChunkDetail",
    "ConceptRow",
    "EdgeRow",
    "EntryText",
    "FailedLink",
    "Filing",
    "JournalBlock",
    "LinkCounts",
    "LinkJob",
    "LinkRecord",
    "SourceRecord",
    "SourceText",
    "Store",
    "StoredEntry",
    "StoredFile",
    "UnresolvedTitle",
    "VaultCounts",
    "title_key",
    "vault_error",
]
