"""Opening the vault's database: WAL mode so readers never block the writer, a busy timeout
so a second kgnotes waits for the first, migrations on open, write transactions, and one
line naming the database and what to do when SQLite fails."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Self

from kgnotes.errors import VaultBusyError, VaultError

from .schema import MIGRATIONS

BUSY_TIMEOUT_MS = 30_000


def timestamp() -> str:
    """The time a row is written, as stored: UTC, to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def inserted(cursor: sqlite3.Cursor) -> int:
    """The id of the row an INSERT just wrote: sqlite3 types ``lastrowid`` as optional, but
    after an INSERT into a rowid table it is always set."""
    if cursor.lastrowid is None:
        raise VaultError("SQLite reported no row id for an insert")
    return cursor.lastrowid


def one_int(cursor: sqlite3.Cursor) -> int:
    """The single integer a ``COUNT(*)`` or ``PRAGMA`` query answers."""
    return int(cursor.fetchone()[0])


class Connection:
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

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    @property
    def version(self) -> int:
        return one_int(self.db.execute("PRAGMA user_version"))

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

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Reads that all see one state of the database while writers commit meanwhile (a
        deferred transaction: in WAL mode it blocks no one)."""
        self.db.execute("BEGIN")
        try:
            yield
        finally:
            if self.db.in_transaction:
                self.db.execute("COMMIT")

    def data_version(self) -> int:
        """Changes whenever another connection commits (see SQLite's PRAGMA data_version)."""
        return one_int(self.db.execute("PRAGMA data_version"))

    def state(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_state(self, key: str, value: str) -> None:
        self.db.execute(
            "INSERT INTO state (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )


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
