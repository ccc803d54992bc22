"""File names for vault pages that every system and every wikilink accepts.

Windows refuses ``\\ / : * ? " < > |``, reserved device names (``CON``, ``COM1``…) and
trailing dots or spaces; macOS and iOS fold case and normalise Unicode; Obsidian's wikilinks
break on ``[ ] # ^ |``. A title can hold any of it, so a page name is the title with those
removed, bounded in length, and made unique without regard to case.
"""

from __future__ import annotations

import re
import unicodedata

MAX_CHARS = 80  # leaves room for the folder and ".md" under every path limit
MAX_BYTES = 180
_FORBIDDEN = re.compile(r'[\\/:*?"<>|\[\]#^\x00-\x1f\x7f]')
_RESERVED = frozenset(
    ["con", "prn", "aux", "nul"]
    + [f"com{i}" for i in range(10)]
    + [f"lpt{i}" for i in range(10)]
    + [f"com{c}" for c in "¹²³"]
    + [f"lpt{c}" for c in "¹²³"]
)


def safe_name(title: str, fallback: str = "Untitled") -> str:
    """``title`` as a file name (without ``.md``) that is valid everywhere and in links."""
    name = unicodedata.normalize("NFC", title)
    name = _FORBIDDEN.sub(" ", name)
    name = re.sub(r"%{2,}", "%", name)  # "%%" opens a comment in Obsidian, in a link too
    name = " ".join(name.split())  # newlines, tabs and runs of spaces
    name = name.strip(" .")  # no hidden files, no trailing dots (Windows drops them)
    name = _bounded(name).rstrip(" .")
    if not name:
        name = fallback
    first, dot, rest = name.partition(".")
    if first.strip().lower() in _RESERVED:  # Windows reserves "CON" and "CON.anything"
        name = f"{first}_{dot}{rest}"
    return name


def _bounded(name: str) -> str:
    if len(name) > MAX_CHARS:
        cut = name[:MAX_CHARS]
        name = cut.rsplit(" ", 1)[0] if " " in cut[MAX_CHARS // 2 :] else cut
    while len(name.encode("utf-8")) > MAX_BYTES:
        name = name[:-1]
    return name


class Names:
    """Hands out page names in one folder, unique without regard to case or Unicode form:
    the second "Attention" becomes "Attention (2)"."""

    def __init__(self) -> None:
        self.taken: set[str] = set()

    def claim(self, title: str, fallback: str = "Untitled") -> str:
        base = safe_name(title, fallback)
        name, number = base, 1
        while _fold(name) in self.taken:
            number += 1
            suffix = f" ({number})"
            name = _bounded(base[: MAX_CHARS - len(suffix)]).rstrip(" .") + suffix
        self.taken.add(_fold(name))
        return name


def _fold(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()
