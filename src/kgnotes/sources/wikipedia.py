"""Wikipedia articles: the page's clean text, with the canonical title and language from the URL."""

from __future__ import annotations

import dataclasses
from urllib.parse import unquote, urlsplit

from kgnotes.sources.context import Capture, Context
from kgnotes.sources.web import capture as capture_page

WAYBACK_OK = True
FETCHES_THE_PAGE = True  # the page itself is fetched: its site's robots.txt is asked


def claims(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return host == "wikipedia.org" or host.endswith(".wikipedia.org")


def article(url: str) -> tuple[str | None, str | None]:
    """(title, language) from ``https://en.wikipedia.org/wiki/Neural_scaling_law``."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().replace(".m.wikipedia.org", ".wikipedia.org")
    language = host.removesuffix(".wikipedia.org") if host.endswith(".wikipedia.org") else None
    title = None
    if parts.path.startswith("/wiki/"):
        title = unquote(parts.path[len("/wiki/") :]).replace("_", " ").strip() or None
    return title, language if language and language != "www" else None


def capture(url: str, ctx: Context, fetch_url: str | None = None) -> Capture:
    captured = capture_page(url, ctx, fetch_url)
    # The canonical title follows redirects (Word2Vec → Word2vec) unless the page came from
    # a copy elsewhere (a Wayback snapshot), where only the URL as written names it.
    title, language = article(captured.final_url if fetch_url is None else url)
    document = dataclasses.replace(
        captured.document,
        title=title or captured.document.title,
        language=language or captured.document.language,
        site="Wikipedia",
    )
    return dataclasses.replace(captured, document=document)
