"""Site-aware capture: each module claims some URLs and knows how to keep them best.

A source module has ``claims(url) -> bool`` and ``capture(url, ctx) -> Capture`` (raising
FetchError). ``web`` claims everything, so it comes last. Every remote endpoint other than the
linked URL itself comes from ``Endpoints``, so a mirror or a local server can stand in; those
shared shapes live in ``context``, which the source modules import.
"""

from __future__ import annotations

from kgnotes.sources import arxiv, wayback, web, wikipedia, youtube
from kgnotes.sources.context import Capture, Context, Endpoints, Extractor, Source

_SOURCES: tuple[Source, ...] = (arxiv, youtube, wikipedia, web)  # the first that claims a URL

__all__ = [
    "Capture",
    "Context",
    "Endpoints",
    "Extractor",
    "Source",
    "arxiv",
    "source_for",
    "wayback",
]


def source_for(url: str) -> Source:
    """The first source module that claims ``url``."""
    for module in _SOURCES:
        if module.claims(url):
            return module
    return web
