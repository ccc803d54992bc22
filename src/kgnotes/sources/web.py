"""Any web page or file: fetch it, then extract by content type."""

from __future__ import annotations

from kgnotes.extract import HTML_TYPES
from kgnotes.sources.context import Capture, Context

WAYBACK_OK = True  # a dead page may be looked up in the Wayback Machine
FETCHES_THE_PAGE = True  # the page itself is fetched: its site's robots.txt is asked


def claims(url: str) -> bool:
    return url.lower().startswith(("http://", "https://"))


def capture(url: str, ctx: Context, fetch_url: str | None = None) -> Capture:
    """Fetch ``url`` (or a copy of it at ``fetch_url``, such as a Wayback snapshot)."""
    response = ctx.fetcher.get(fetch_url or url)
    text = None
    kind = response.content_type
    if (
        not kind
        or kind.startswith("text/")
        or kind in HTML_TYPES
        or kind.endswith(("+xml", "/xml"))
    ):
        text, _charset = response.text()
    document = ctx.extract(kind, response.body, text, response.final_url)
    return Capture(
        document, response.final_url, response.status, response.exchanges, response.attempts
    )
