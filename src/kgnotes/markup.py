"""Text from the web made inert where Obsidian reads Markdown: vault pages and canvas cards."""

from __future__ import annotations


def inert(text: str) -> str:
    """No tag can open (``<script>``, ``<iframe onload=…>``), no wikilink or embed (``[[``,
    ``![[``), no ``%%`` comment that would hide the rest of the page."""
    return text.replace("<", "&lt;").replace("[[", "[\\[").replace("%%", "%\\%")
