"""YouTube videos: title and channel from oEmbed. A video is a document even without text."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from kgnotes.extract import Document
from kgnotes.fetch import FetchError
from kgnotes.sources.context import Capture, Context
from kgnotes.urls import youtube_id

WAYBACK_OK = False  # oEmbed says whether a video exists; a snapshot of its page adds nothing
FETCHES_THE_PAGE = False  # oEmbed is asked, not the video's page


def claims(url: str) -> bool:
    return youtube_id(url) is not None


def capture(url: str, ctx: Context, fetch_url: str | None = None) -> Capture:
    video = youtube_id(url)
    watch = f"https://www.youtube.com/watch?v={video}"
    query = urlencode({"url": watch, "format": "json"})
    oembed = ctx.endpoints.youtube_oembed
    response = ctx.fetcher.get(f"{oembed}?{query}", accept="application/json")
    try:
        data = json.loads(response.body)
    except ValueError as exc:
        raise FetchError(
            url,
            "bad response",
            "oEmbed answered with something that is not JSON",
            exchanges=response.exchanges,
        ) from exc
    title = (data.get("title") or "").strip() or None
    channel = (data.get("author_name") or "").strip() or None
    text = "\n\n".join(p for p in (title, f"Channel: {channel}" if channel else None) if p)
    document = Document(
        text=text,
        extraction="metadata",
        title=title,
        author=channel,
        site=data.get("provider_name") or "YouTube",
        content_type="video/youtube",
    )
    return Capture(document, watch, response.status, response.exchanges, response.attempts)
