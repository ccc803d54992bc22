"""Text from the web made inert where it is shown: on a terminal (``printable``) and where
Obsidian reads Markdown, vault pages and canvas cards (``inert``)."""

from __future__ import annotations

import re

_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """Text safe for a terminal: control characters (an escape sequence in a server's reason
    phrase would retitle the window or worse) and bidirectional overrides shown as escapes,
    newlines and tabs kept."""
    return _UNPRINTABLE.sub(
        lambda m: (
            f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}"
        ),
        text,
    )


def inert(text: str) -> str:
    """No tag can open (``<script>``, ``<iframe onload=…>``), no wikilink or embed (``[[``,
    ``![[``), no ``%%`` comment that would hide the rest of the page."""
    return text.replace("<", "&lt;").replace("[[", "[\\[").replace("%%", "%\\%")
