"""The Obsidian export's memory: the hash of what kgnotes last wrote to each page, so a page
the user has edited since is recognised and left alone."""

from __future__ import annotations

import sqlite3


class PageTables:
    """What kgnotes last wrote to each vault page."""

    db: sqlite3.Connection

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
