"""URLs as a journal writes them: finding them in text, and what makes two of them the same.

Finding is strict about edges because people paste links into prose: trailing punctuation,
full-width CJK punctuation and unbalanced brackets belong to the sentence, balanced ones
(``…/wiki/Transformer_(deep_learning_architecture)``) to the URL. Identity folds the variants
that name one document (scheme, default port, tracking parameters, fragments, trailing slash,
arXiv abs/pdf/versions, YouTube's many URL forms) so each is archived once.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import SplitResult, parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

_URL_START = re.compile(r"(?<![A-Za-z0-9+.\-])https?://", re.IGNORECASE)
_FOREIGN_SCHEME = re.compile(
    r"(?<![A-Za-z0-9+.\-])(?P<scheme>(?!https?://)[A-Za-z][A-Za-z0-9+.\-]{1,15})://\S+"
)
# Characters that end a URL: whitespace, markup delimiters, and CJK / full-width punctuation
# (U+3000–U+303F, U+FF00–U+FF65), which people type straight after a link in Chinese text.
_STOP = re.compile(r"[\s<>\"`\u3000-\u303f\uff00-\uff65]")
_TRAILING = ".,;:!?'\"*~"
_PAIRS = {")": "(", "]": "[", "}": "{"}

TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "mc_cid",
        "mc_eid",
        "igshid",
        "_ga",
        "_gl",
        "ref_src",
        "spm",
        "share_source",
        "vd_source",
    }
)

ARXIV_ID = re.compile(r"(?P<id>\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?(?:\.pdf)?$")
YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")

PAPER_HOSTS = (
    "arxiv.org",
    "openreview.net",
    "aclanthology.org",
    "proceedings.neurips.cc",
    "papers.nips.cc",
    "proceedings.mlr.press",
    "jmlr.org",
    "dl.acm.org",
    "ieeexplore.ieee.org",
    "doi.org",
    "biorxiv.org",
    "medrxiv.org",
    "semanticscholar.org",
)
VIDEO_HOSTS = (
    "youtube.com",
    "youtu.be",
    "youtube-nocookie.com",
    "vimeo.com",
    "bilibili.com",
    "b23.tv",
)
OTHER_SUFFIXES = (
    ".png",
    ".jpg",
    ".jpeg",
    ".gif",
    ".svg",
    ".webp",
    ".ico",
    ".mp3",
    ".mp4",
    ".webm",
    ".wav",
    ".zip",
    ".tar",
    ".gz",
    ".tgz",
    ".7z",
    ".rar",
    ".exe",
    ".dmg",
    ".csv",
    ".json",
    ".ipynb",
    ".pptx",
    ".docx",
    ".xlsx",
)


@dataclass(frozen=True)
class UrlSpan:
    """A URL found in a line, with the columns it occupies (end exclusive)."""

    start: int
    end: int
    url: str


def without_urls(text: str, sep: str = " ") -> str:
    """``text`` with every URL replaced by ``sep``: a URL's words (``/pages/bert-model``) are
    no one naming anything, and no passage should be found by them."""
    for span in reversed(find_urls(text)):
        text = text[: span.start] + sep + text[span.end :]
    return text


def find_urls(text: str) -> list[UrlSpan]:
    """Every http(s) URL in ``text``, with trailing punctuation and stray brackets cut off."""
    spans: list[UrlSpan] = []
    for match in _URL_START.finditer(text):
        start = match.start()
        if spans and start < spans[-1].end:
            continue
        stop = _STOP.search(text, match.end())
        candidate = _trim(text[start : stop.start() if stop else len(text)])
        if _has_host(candidate):
            spans.append(UrlSpan(start, start + len(candidate), candidate))
    return spans


def find_foreign_urls(text: str) -> list[str]:
    """URLs with a scheme other than http(s) (``ftp://``…): kept as text, never fetched."""
    return [m.group(0) for m in _FOREIGN_SCHEME.finditer(text)]


def _trim(candidate: str) -> str:
    """Cut what belongs to the sentence, not the URL: ``(see x.org/a).`` → ``x.org/a``."""
    while candidate:
        last = candidate[-1]
        unbalanced = last in _PAIRS and candidate.count(last) > candidate.count(_PAIRS[last])
        if last in _TRAILING or unbalanced:
            candidate = candidate[:-1]
        else:
            break
    return candidate


def _has_host(url: str) -> bool:
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return False
    return host is not None and host != "" and not host.startswith(".") and ".." not in host


def split_text_fragment(url: str) -> tuple[str, str | None]:
    """Remove a ``#:~:text=`` directive from ``url`` and return it decoded as the highlighted quote.

    ``text=start,end`` becomes ``"start … end"``; context terms (``prefix-,`` and ``,-suffix``)
    are not part of what the author highlighted and are dropped.
    """
    base, hash_, fragment = url.partition("#")
    if not hash_ or ":~:" not in fragment:
        return url, None
    before, _, directives = fragment.partition(":~:")
    quotes = []
    for directive in directives.split("&"):
        name, _, value = directive.partition("=")
        if name == "text" and value:
            quotes.append(_decode_text_directive(value))
    clean = f"{base}#{before}" if before else base
    return clean, "\n".join(q for q in quotes if q) or None


def _decode_text_directive(value: str) -> str:
    parts = value.split(",")
    if len(parts) > 1 and parts[0].endswith("-"):
        parts = parts[1:]
    if len(parts) > 1 and parts[-1].startswith("-"):
        parts = parts[:-1]
    words = [unquote(p).strip() for p in parts[:2]]
    return " … ".join(w for w in words if w)


def arxiv_id(url: str) -> str | None:
    """The version-less arXiv id of an abs/pdf/html URL (``2010.11929``, ``hep-th/9901001``)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.").removeprefix("export.")
    if host != "arxiv.org":
        return None
    path = parts.path
    for prefix in ("/abs/", "/pdf/", "/html/", "/format/"):
        if path.startswith(prefix):
            match = ARXIV_ID.search(path[len(prefix) :].rstrip("/"))
            return match.group("id") if match else None
    return None


def youtube_id(url: str) -> str | None:
    """The video id from any YouTube URL form (watch, youtu.be, embed, shorts, live, v)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.").removeprefix("m.").removeprefix("music.")
    segments = [s for s in parts.path.split("/") if s]
    candidate = None
    if host == "youtu.be" and segments:
        candidate = segments[0]
    elif host in ("youtube.com", "youtube-nocookie.com"):
        if segments[:1] == ["watch"]:
            candidate = dict(parse_qsl(parts.query)).get("v")
        elif len(segments) >= 2 and segments[0] in ("embed", "shorts", "live", "v", "e"):
            candidate = segments[1]
    return candidate if candidate and YOUTUBE_ID.match(candidate) else None


@lru_cache(maxsize=8192)
def normalize(url: str) -> str:
    """The identity of a link: two URLs with the same identity are one document."""
    url, _ = split_text_fragment(url.strip())
    if paper := arxiv_id(url):
        return f"https://arxiv.org/abs/{paper}"
    if video := youtube_id(url):
        return f"https://www.youtube.com/watch?v={video}"
    parts = urlsplit(url)
    host = _host(parts)
    if host.endswith(".m.wikipedia.org"):
        host = host.replace(".m.wikipedia.org", ".wikipedia.org")
    path = _without_dot_segments(_clean_escapes(parts.path)) or "/"
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    query = _clean_query(parts.query)
    fragment = parts.fragment if parts.fragment.startswith("!") else ""
    return urlunsplit(("https", host, path, query, fragment))


def _host(parts: SplitResult) -> str:
    host = (parts.hostname or "").rstrip(".")
    if ":" in host:  # an IPv6 literal keeps its brackets, or its port could not be told apart
        host = f"[{host}]"
    else:
        with contextlib.suppress(UnicodeError):
            host = host.encode("idna").decode("ascii")
    try:
        port = parts.port
    except ValueError:
        port = None
    if port and port not in (80, 443):
        host = f"{host}:{port}"
    if parts.username:
        host = f"{parts.username}@{host}"
    return host


def _without_dot_segments(path: str) -> str:
    """``/a/./b/../c`` → ``/a/c`` (RFC 3986 §5.2.4), as every browser requests it."""
    if "/." not in path:
        return path
    out: list[str] = []
    for segment in path.split("/")[1:]:
        if segment == "..":
            if out:
                out.pop()
        elif segment != ".":
            out.append(segment)
    tail = "/" if path.endswith(("/.", "/..")) else ""
    return "/" + "/".join(out) + tail


def _clean_escapes(path: str) -> str:
    """Percent-encode non-ASCII, upper-case escapes, and decode escaped unreserved characters."""
    path = quote(path, safe="/:@!$&'()*+,;=-._~%")
    return re.sub(r"%[0-9a-fA-F]{2}", _unescape_unreserved, path)


def _unescape_unreserved(match: re.Match[str]) -> str:
    char = chr(int(match.group(0)[1:], 16))
    return char if (char.isalnum() and char.isascii()) or char in "-._~" else match.group(0).upper()


def _clean_query(query: str) -> str:
    pairs = [
        (k, v)
        for k, v in parse_qsl(query, keep_blank_values=True)
        if not k.lower().startswith("utm_") and k.lower() not in TRACKING_PARAMS
    ]
    return urlencode(sorted(pairs), quote_via=quote)


@lru_cache(maxsize=8192)
def kind_of(url: str) -> str:
    """What a link points to: ``paper``, ``video``, ``wiki``, ``pdf``, ``other`` or ``article``."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    path = parts.path.lower()
    if _on(host, PAPER_HOSTS):
        return "paper"
    if _on(host, VIDEO_HOSTS):
        return "video"
    if _on(host, ("wikipedia.org",)):
        return "wiki"
    if path.endswith(".pdf"):
        return "pdf"
    if path.endswith(OTHER_SUFFIXES):
        return "other"
    return "article"


def _on(host: str, domains: tuple[str, ...]) -> bool:
    return any(host == d or host.endswith("." + d) for d in domains)
