"""What every source module shares: the service endpoints, the context a capture runs in,
and the capture it returns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from kgnotes.config import Config, setting
from kgnotes.extract import Document, extract
from kgnotes.fetch import Exchange, Fetcher


@dataclass(frozen=True)
class Endpoints:
    """Base URLs of the services kgnotes asks about links (config ``[sources]``, env overrides)."""

    arxiv_api: str = "https://export.arxiv.org/api/query"
    arxiv_pdf: str = "https://arxiv.org/pdf/"
    youtube_oembed: str = "https://www.youtube.com/oembed"
    youtube: str = "https://www.youtube.com"  # watch pages and the player API, for captions
    wayback: str = "https://archive.org/wayback/available"
    arxiv_interval: float = 3.0  # seconds between two calls of the arXiv API, as arXiv asks

    @classmethod
    def from_config(cls, config: Config) -> Endpoints:
        defaults = cls()
        return cls(
            arxiv_api=setting(config, "sources.arxiv_api", "KGNOTES_ARXIV_API", defaults.arxiv_api),
            arxiv_pdf=setting(config, "sources.arxiv_pdf", "KGNOTES_ARXIV_PDF", defaults.arxiv_pdf),
            youtube_oembed=setting(
                config, "sources.youtube_oembed", "KGNOTES_YOUTUBE_OEMBED", defaults.youtube_oembed
            ),
            youtube=setting(config, "sources.youtube", "KGNOTES_YOUTUBE", defaults.youtube),
            wayback=setting(config, "sources.wayback", "KGNOTES_WAYBACK_API", defaults.wayback),
            arxiv_interval=setting(
                config, "sources.arxiv_interval", "KGNOTES_ARXIV_INTERVAL", defaults.arxiv_interval
            ),
        )


Extractor = Callable[[str, bytes, "str | None", str], Document]


@dataclass(frozen=True)
class Context:
    """What a source needs: a fetcher, the service endpoints, and an extractor (the archiver
    passes one that runs in worker processes, so parsing never holds up fetching)."""

    fetcher: Fetcher
    endpoints: Endpoints = field(default_factory=Endpoints)
    extract: Extractor = extract
    robots: Any = None  # a robots.RobotsRules the page sources ask first, or None: not asked


@dataclass(frozen=True)
class Capture:
    """What capturing a link produced: the document and every HTTP exchange behind it."""

    document: Document
    final_url: str
    http_status: int | None
    exchanges: list[Exchange] = field(default_factory=list)
    attempts: int = 1
    via: str = "direct"


class Source(Protocol):
    """What a source module offers (``arxiv``, ``youtube``, ``wikipedia``, ``web``)."""

    __name__: str  # kgnotes.sources.<name>
    WAYBACK_OK: bool  # a dead link of its kind may be looked up in the Wayback Machine
    FETCHES_THE_PAGE: bool  # it fetches the linked page itself, so its site's robots.txt counts

    def claims(self, url: str) -> bool: ...

    def capture(self, url: str, ctx: Context, fetch_url: str | None = None) -> Capture: ...
