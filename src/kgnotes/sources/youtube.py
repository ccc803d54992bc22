"""YouTube videos: title and channel from oEmbed, then what is said in them from their
captions (``transcripts.py``). A video is a document even without captions: its metadata, and
the reason there is no transcript."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from kgnotes.extract import Document
from kgnotes.fetch import FetchError
from kgnotes.sources.context import Capture, Context
from kgnotes.sources.transcripts import Track, captions
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
    said = captions(video or "", ctx.endpoints.youtube, ctx.fetcher.options)
    heading = [p for p in (title, f"Channel: {channel}" if channel else None) if p]
    text = "\n\n".join(heading + [_track_text(t, len(said.tracks)) for t in said.tracks])
    document = Document(
        text=text,
        extraction="transcript" if said.tracks else "metadata",
        title=title,
        author=channel,
        site=data.get("provider_name") or "YouTube",
        language=said.tracks[0].language if said.tracks else None,
        description=said.missing,
        content_type="video/youtube",
    )
    exchanges = response.exchanges + said.exchanges
    return Capture(document, watch, response.status, exchanges, response.attempts)


def _track_text(track: Track, tracks: int) -> str:
    """A track's paragraphs, under a line naming it when there are two (own language and
    English)."""
    if tracks == 1:
        return track.text
    made = "automatic captions" if track.generated else "captions"
    return f"Transcript ({track.language}, {made}):\n\n{track.text}"
