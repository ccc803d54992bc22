"""Finding notes on disk and reading them as text, whatever encoding they were saved in.

Journals come from many editors: UTF-8 with or without a BOM, UTF-16 from Windows Notepad,
GBK from older Chinese systems, Latin-1. Binary files, empty files and oversized files are
turned away with one clear reason so a bad file never stops the others.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kgnotes.errors import NoteFileError

if TYPE_CHECKING:
    from charset_normalizer import CharsetMatch

NOTE_SUFFIXES = (".md", ".markdown", ".txt")
DEFAULT_MAX_MB = 20  # ~40 s to parse here; larger files are almost never journals
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
_CONTROL = frozenset(chr(c) for c in range(32)) - set("\t\n\r\f\v")


@dataclass(frozen=True)
class NoteSource:
    """Where notes come from: ``key`` is their identity in the store, ``label`` what we print."""

    key: str
    label: str
    path: Path | None = None


@dataclass(frozen=True)
class NoteText:
    text: str
    encoding: str
    sha256: str
    size: int


def discover(args: list[str], vault_root: Path) -> tuple[list[NoteSource], list[NoteFileError]]:
    """Expand command-line paths into note sources: files as given, directories recursively."""
    sources: list[NoteSource] = []
    problems: list[NoteFileError] = []
    for arg in args:
        if arg == "-":
            sources.append(NoteSource("-", "<stdin>"))
            continue
        path = Path(arg).expanduser()
        if path.is_dir():
            found, own_pages = [], 0
            for candidate in _walk(path):
                why = _not_notes(candidate, vault_root)
                if why is None:
                    found.append(NoteSource(_key(candidate, vault_root), str(candidate), candidate))
                elif why == GENERATED:  # kgnotes' own pages in a walked vault pass silently
                    own_pages += 1
                else:
                    problems.append(NoteFileError(str(candidate), why))
            if not found and own_pages:
                problems.append(NoteFileError(arg, f"only {GENERATED.removeprefix('a ')}s"))
            elif not found:
                problems.append(NoteFileError(arg, "no .md or .txt notes in this directory"))
            sources.extend(found)
            continue
        why = _not_notes(path, vault_root)
        if why is None:
            sources.append(NoteSource(_key(path, vault_root), arg, path))
        else:
            problems.append(NoteFileError(arg, why))
    return _unique(sources), problems


GENERATED = "a page kgnotes writes in the vault (Journal/, Sources/, Concepts/, Home.md), not notes"
_PAGE_FOLDERS = ("Journal", "Sources", "Concepts")


def _not_notes(path: Path, vault_root: Path) -> str | None:
    """Why ``path`` is not a notes file to read, or None. Only regular files are read: a FIFO
    would hang the read and a symlink loop has no file at its end; nor kgnotes' own pages,
    which ``kgnotes add vault`` would otherwise read back in as notes."""
    try:
        mode = path.stat().st_mode  # follows symlinks
    except FileNotFoundError:
        return "a broken symbolic link" if path.is_symlink() else "no such file or directory"
    except OSError as exc:  # a loop, no permission…
        if exc.errno == errno.ELOOP:
            return "a symbolic link loop"
        return f"cannot be read ({exc.strerror or exc})"
    if not stat.S_ISREG(mode):
        return "not a regular file"
    return GENERATED if is_generated(path, vault_root) else None


def is_generated(path: Path, vault_root: Path) -> bool:
    """Is ``path`` one of the pages kgnotes writes in the vault (never read back as notes)?"""
    try:
        inside = path.resolve().relative_to(vault_root.resolve()).parts
    except ValueError:
        return False
    return bool(inside) and (inside[0] in _PAGE_FOLDERS or inside == ("Home.md",))


def has_notes(directory: Path) -> bool:
    """Does ``directory`` hold a notes file where ``discover`` would look (stops at the first)?"""
    return next(_walk(directory), None) is not None


def _walk(directory: Path) -> Iterator[Path]:
    """Note files below ``directory`` in a stable order, skipping hidden folders (``.git``…)."""
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.lower().endswith(NOTE_SUFFIXES) and not name.startswith("."):
                yield Path(root) / name


def _key(path: Path, vault_root: Path) -> str:
    """Paths inside the vault are stored relative to it, so a moved vault keeps its identity."""
    resolved = path.resolve()
    try:
        return resolved.relative_to(vault_root.resolve()).as_posix()
    except ValueError:
        return resolved.as_posix()


def _unique(sources: list[NoteSource]) -> list[NoteSource]:
    seen: set[str] = set()
    unique = []
    for source in sources:
        if source.key == "-" or source.key not in seen:
            unique.append(source)
            seen.add(source.key)
    return unique


def read_note(source: NoteSource, data: bytes, max_mb: int = DEFAULT_MAX_MB) -> NoteText:
    """Decode one note's bytes, or raise NoteFileError saying why they are not notes."""
    if len(data) > max_mb * 1024 * 1024:
        size = len(data) / (1024 * 1024)
        raise NoteFileError(
            source.label,
            f"{size:.1f} MB is over the {max_mb} MB limit for one notes file "
            "(split it, or raise KGNOTES_MAX_NOTE_MB)",
        )
    text, encoding = _decode(source.label, data)
    if not text.strip():
        raise NoteFileError(source.label, "empty file, nothing to add")
    return NoteText(text, encoding, hashlib.sha256(data).hexdigest(), len(data))


def _decode(label: str, data: bytes) -> tuple[str, str]:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace"), encoding.removesuffix("-sig")
    if b"\x00" in data:
        raise NoteFileError(label, "binary file (it contains NUL bytes), not notes")
    try:
        text, encoding = data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        text, encoding = _detect(label, data)
    if _looks_binary(text):
        raise NoteFileError(label, "binary file (mostly control characters), not notes")
    return text, encoding


def _detect(label: str, data: bytes) -> tuple[str, str]:
    """Guess a legacy encoding (GBK, Big5, Shift-JIS, Latin-1…) with charset-normalizer."""
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data))
    if not matches:
        raise NoteFileError(label, "cannot tell the text encoding (save it as UTF-8)")
    best = min(matches, key=_likelihood)
    return str(best), best.encoding


# When two code pages read the bytes equally well, the one more people save notes in wins:
# "très" is cp1252, not cp1250's "trčs".
_COMMON = (
    "gb18030",
    "big5",
    "cp932",
    "shift_jis",
    "euc_jp",
    "cp949",
    "euc_kr",
    "cp1252",
    "latin_1",
    "cp1251",
    "koi8_r",
)


def _likelihood(match: CharsetMatch) -> tuple[float, float, int]:
    rank = _COMMON.index(match.encoding) if match.encoding in _COMMON else len(_COMMON)
    return (round(match.chaos, 2), -round(match.coherence, 1), rank)


def _looks_binary(text: str) -> bool:
    sample = text[:65536]
    return bool(sample) and sum(c in _CONTROL for c in sample) > 0.05 * len(sample)
