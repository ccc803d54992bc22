"""A video's captions, as text with timestamps: what the lecture says becomes searchable and
feeds the concept graph like any article.

The captions are found and read by ``youtube-transcript-api`` (it keeps up with how YouTube's
watch page and player API hand them out), over a ``requests`` session of ours that sends its
requests to the configured base (``[sources] youtube``, so tests answer from 127.0.0.1), with
the fetcher's timeouts, and keeps every exchange for the archive's WARC. The uploader's captions
come first, else the automatic ones, in the video's own language, plus English when the video
offers it. The text is paragraphs of about half a minute, each opened by its moment:
``[12:05] so self-attention is a superset of the RNN and the CNN …``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import requests

from kgnotes.fetch import Exchange, FetchOptions
from kgnotes.moments import stamp

YOUTUBE = "https://www.youtube.com"  # the base the library's addresses are written with
PARAGRAPH_SECONDS = 30.0
PARAGRAPH_CHARS = 400


@dataclass(frozen=True)
class Track:
    """One caption track read: its language, whether YouTube made it, its text."""

    language: str
    generated: bool
    text: str


@dataclass(frozen=True)
class Captions:
    tracks: tuple[Track, ...]
    exchanges: list[Exchange]
    missing: str | None = None  # why there are none, when there are none


class _Routed(requests.Session):
    """A session that sends YouTube's addresses to ``base``, with our timeouts, and keeps
    each exchange."""

    def __init__(self, base: str, options: FetchOptions, exchanges: list[Exchange]):
        super().__init__()
        self.base = base.rstrip("/")
        self.timeout = (options.connect_timeout, options.read_timeout)
        self.max_bytes = options.max_bytes
        self.exchanges = exchanges
        self.headers["User-Agent"] = options.user_agent

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        if url.startswith(YOUTUBE):
            url = self.base + url[len(YOUTUBE) :]
        kwargs.setdefault("timeout", self.timeout)
        when = datetime.now(UTC)
        response = super().request(method, url, *args, **kwargs)
        if len(response.content) > self.max_bytes:
            raise requests.RequestException(f"{url}: over {self.max_bytes} bytes")
        self.exchanges.append(
            Exchange(
                url=response.url,
                request_headers=list(response.request.headers.items()),
                status=response.status_code,
                reason=response.reason or "",
                response_headers=_decoded_headers(response),
                raw_body=response.content,
                when=when,
            )
        )
        return response


def _decoded_headers(response: requests.Response) -> list[tuple[str, str]]:
    """The response's headers as they describe the decoded body the archive keeps (requests
    has already undone any gzip)."""
    dropped = {"content-encoding", "transfer-encoding", "content-length"}
    kept = [(k, v) for k, v in response.headers.items() if k.lower() not in dropped]
    return [*kept, ("Content-Length", str(len(response.content)))]


def captions(video: str, base: str, options: FetchOptions) -> Captions:
    """The video's captions; none (with the reason) when it has none or they cannot be read."""
    from youtube_transcript_api import YouTubeTranscriptApi
    from youtube_transcript_api._errors import CouldNotRetrieveTranscript

    exchanges: list[Exchange] = []
    with _Routed(base, options, exchanges) as session:
        try:
            listed = list(YouTubeTranscriptApi(http_client=session).list(video))
            chosen = _chosen(listed)
            tracks = tuple(
                Track(t.language_code, t.is_generated, _paragraphs(t.fetch())) for t in chosen
            )
        except CouldNotRetrieveTranscript as exc:
            return Captions((), exchanges, _reason(exc))
        except requests.RequestException as exc:
            return Captions((), exchanges, f"captions could not be fetched ({type(exc).__name__})")
        except (ValueError, KeyError, TypeError, SyntaxError) as exc:  # XML's ParseError too
            return Captions((), exchanges, f"captions could not be read ({type(exc).__name__})")
    tracks = tuple(t for t in tracks if t.text)
    return Captions(tracks, exchanges, None if tracks else "its captions are empty")


def _chosen(listed: list[Any]) -> list[Any]:
    """The video's own language (the one YouTube's automatic captions hear, else the
    uploader's first), then English if that is not it: for each, the uploader's track, else
    the automatic one."""
    if not listed:
        return []
    heard = next((t for t in listed if t.is_generated), listed[0])
    own = _language(heard.language_code)
    chosen = [_best(listed, own)]
    if own != "en" and (english := _best(listed, "en")) is not None:
        chosen.append(english)
    return [t for t in chosen if t is not None]


def _best(listed: list[Any], language: str) -> Any | None:
    """The uploader's track in ``language`` (``en`` takes ``en-GB`` too), else YouTube's."""
    tracks = [t for t in listed if _language(t.language_code) == language]
    return min(tracks, key=lambda t: t.is_generated, default=None)


def _language(code: str) -> str:
    """``zh-Hans`` and ``zh-Hant`` stay apart; ``en-GB`` is ``en``."""
    base = code.split("-")[0].lower()
    return code.lower() if base == "zh" else base


def _paragraphs(snippets: Any) -> str:
    """Snippets joined into paragraphs of about half a minute, each opened by its moment."""
    paragraphs: list[str] = []
    words: list[str] = []
    start = 0.0
    for snippet in snippets:
        text = " ".join(snippet.text.split())
        if not text:
            continue
        full = sum(len(w) for w in words) > PARAGRAPH_CHARS
        if words and (snippet.start - start >= PARAGRAPH_SECONDS or full):
            paragraphs.append(f"{stamp(start)} {' '.join(words)}")
            words = []
        if not words:
            start = snippet.start
        words.append(text)
    if words:
        paragraphs.append(f"{stamp(start)} {' '.join(words)}")
    return "\n\n".join(paragraphs)


def _reason(exc: Exception) -> str:
    """The library's failure as a short reason (its messages are paragraphs of advice)."""
    words = re.sub(r"(?<!^)(?=[A-Z])", " ", type(exc).__name__).lower()
    return f"no captions: {words}"
