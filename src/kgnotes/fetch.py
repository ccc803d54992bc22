"""Fetching one URL politely and safely, keeping every HTTP exchange for the archive.

Redirects are followed by hand so each hop is recorded, loops are caught and only http(s) is
ever requested. Bodies are read raw (still content-encoded, as the WARC keeps them) under a
size cap, then decompressed under the same cap so a gzip bomb cannot eat memory. Connection
errors, 5xx and 429 are retried with exponential backoff and jitter, honouring Retry-After up
to a cap; timeouts and DNS failures are not, because retrying them only makes a run slower.
"""

from __future__ import annotations

import contextlib
import dataclasses
import email.utils
import functools
import ipaddress
import random
import re
import socket
import threading
import time
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import requests
import urllib3

from kgnotes import __version__
from kgnotes.errors import KgnotesError

USER_AGENT = f"kgnotes/{__version__} (personal link archiver; +https://pypi.org/project/kgnotes/)"
REDIRECTS = (301, 302, 303, 307, 308)
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_CHUNK = 64 * 1024
_CHARSET_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "big5": "big5hkscs",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "iso-8859-1": "cp1252",
    "latin-1": "cp1252",
    "latin1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "euc-kr": "cp949",
}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.I)


@dataclass(frozen=True)
class FetchOptions:
    """How to fetch: timeouts in seconds, body cap in bytes, retry policy."""

    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    deadline: float = 60.0  # for the whole fetch: a server dripping a byte a second ends too
    retries: int = 3
    backoff: float = 1.0
    retry_after_cap: float = 30.0
    max_redirects: int = 10
    max_bytes: int = 25 * 1024 * 1024
    user_agent: str = USER_AGENT


@dataclass(frozen=True)
class Exchange:
    """One HTTP request and its response, as the archive keeps them (body still encoded)."""

    url: str
    request_headers: list[tuple[str, str]]
    status: int
    reason: str
    response_headers: list[tuple[str, str]]
    raw_body: bytes
    when: datetime


@dataclass(frozen=True)
class Response:
    """The final response of a fetch, decoded."""

    url: str
    final_url: str
    status: int
    content_type: str
    body: bytes
    exchanges: list[Exchange] = field(default_factory=list)
    attempts: int = 1

    def text(self) -> tuple[str, str]:
        """The body as text and the charset used (header, BOM, ``<meta>``, then detection)."""
        header = self.header("content-type") or ""
        return decode_text(self.body, header)

    def header(self, name: str) -> str | None:
        return _header(self.exchanges[-1].response_headers, name) if self.exchanges else None


class FetchError(KgnotesError):
    """A URL could not be fetched; ``reason`` is a short category for summaries."""

    def __init__(
        self,
        url: str,
        reason: str,
        detail: str,
        *,
        status: int | None = None,
        exchanges: list[Exchange] | None = None,
        attempts: int = 1,
        final_url: str | None = None,
    ):
        super().__init__(f"{url}: {detail}")
        self.url = url
        self.reason = reason
        self.detail = detail
        self.status = status
        self.exchanges = exchanges or []
        self.attempts = attempts
        self.final_url = final_url


class Fetcher:
    """Fetches URLs with one pooled ``requests.Session`` per thread.

    ``max_in_flight`` caps the requests open at once across all threads; it covers only the
    network exchange, so a thread busy parsing what it fetched leaves its slot to another.
    """

    def __init__(self, options: FetchOptions | None = None, max_in_flight: int | None = None):
        self.options = options or FetchOptions()
        self._local = threading.local()
        self._slots = threading.BoundedSemaphore(max_in_flight) if max_in_flight else None

    @property
    def session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.headers.update(
                {
                    "User-Agent": self.options.user_agent,
                    "Accept-Encoding": "gzip, deflate",
                    "Accept": "text/html,application/xhtml+xml,application/pdf;q=0.9,*/*;q=0.8",
                }
            )
            self._local.session = session
        return session

    def get(self, url: str, accept: str | None = None) -> Response:
        """Fetch ``url`` with retries; raises FetchError with a reason when it cannot."""
        attempt = 0
        ends = time.monotonic() + self.options.deadline
        while True:
            attempt += 1
            try:
                response = self._follow(url, accept, ends)
            except FetchError as exc:
                exc.attempts = attempt
                delay = self._retry_delay(exc, attempt)
                if delay is None:
                    raise
                time.sleep(delay)
                continue
            return dataclasses.replace(response, attempts=attempt)

    def _retry_delay(self, exc: FetchError, attempt: int) -> float | None:
        """Seconds to wait before trying again, or None when this failure is final."""
        if attempt > self.options.retries:
            return None
        if exc.reason == "connection" or exc.status in RETRY_STATUSES:
            backoff = self.options.backoff * 2.0 ** (attempt - 1) * (1 + random.random())
            retry_after = _retry_after(exc.exchanges[-1]) if exc.exchanges else None
            if retry_after is not None:
                return min(retry_after, self.options.retry_after_cap)
            return min(backoff, self.options.retry_after_cap)
        return None

    def _follow(self, url: str, accept: str | None, ends: float) -> Response:
        """One attempt: follow redirects by hand, recording every exchange."""
        exchanges: list[Exchange] = []
        seen = {url}
        current = url
        for _hop in range(self.options.max_redirects + 1):
            _check_scheme(url, current)
            exchange = self._exchange(url, current, accept, exchanges, ends)
            exchanges.append(exchange)
            location = _header(exchange.response_headers, "location")
            if exchange.status in REDIRECTS and location:
                current = urljoin(current, location.strip())
                if into_private(url, current):
                    raise FetchError(
                        url,
                        "not allowed",
                        f"redirect from a public address to a private one: {current}",
                        exchanges=exchanges,
                        final_url=current,
                    )
                if current in seen:
                    raise FetchError(
                        url,
                        "redirect loop",
                        f"redirect loop at {current}",
                        exchanges=exchanges,
                        final_url=current,
                    )
                seen.add(current)
                continue
            if exchange.status >= 400:
                raise FetchError(
                    url,
                    f"http {exchange.status}",
                    f"HTTP {exchange.status} {exchange.reason}".strip(),
                    status=exchange.status,
                    exchanges=exchanges,
                    final_url=current,
                )
            body = self._decode(url, exchange)
            content_type = _header(exchange.response_headers, "content-type") or ""
            return Response(
                url,
                current,
                exchange.status,
                content_type.split(";")[0].strip().lower(),
                body,
                exchanges,
            )
        raise FetchError(
            url,
            "too many redirects",
            f"more than {self.options.max_redirects} redirects",
            exchanges=exchanges,
            final_url=current,
        )

    def _exchange(
        self, url: str, current: str, accept: str | None, exchanges: list[Exchange], ends: float
    ) -> Exchange:
        headers = {"Accept": accept} if accept else {}
        timeout = (self.options.connect_timeout, self.options.read_timeout)
        when = datetime.now(UTC)
        slot = self._slots or contextlib.nullcontext()
        try:
            with (
                slot,
                self.session.get(
                    current, headers=headers, timeout=timeout, stream=True, allow_redirects=False
                ) as resp,
            ):
                raw = self._read_raw(url, current, resp, exchanges, ends)
                request_headers = list(resp.request.headers.items())
                response_headers = [
                    (k, v) for k, v in resp.raw.headers.items() if k.lower() != "transfer-encoding"
                ]
                return Exchange(
                    current,
                    request_headers,
                    resp.status_code,
                    resp.reason or "",
                    response_headers,
                    raw,
                    when,
                )
        except FetchError:
            raise
        except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError) as exc:
            raise _classify(url, current, exc, exchanges) from exc

    def _read_raw(
        self,
        url: str,
        current: str,
        resp: requests.Response,
        exchanges: list[Exchange],
        ends: float,
    ) -> bytes:
        """Read the body as sent (content-encoded), refusing anything over the cap or past
        the fetch's deadline (``read1`` returns what has come, so the clock is read often)."""
        cap = self.options.max_bytes
        declared = resp.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise FetchError(
                url,
                "too large",
                f"body of {int(declared):,} bytes is over the {cap:,}-byte cap",
                status=resp.status_code,
                exchanges=exchanges,
                final_url=current,
            )
        chunks, size = [], 0
        while chunk := resp.raw.read1(_CHUNK, decode_content=False):
            if time.monotonic() > ends:
                raise FetchError(
                    url,
                    "timeout",
                    f"no whole response within {self.options.deadline:g} s",
                    status=resp.status_code,
                    exchanges=exchanges,
                    final_url=current,
                )
            size += len(chunk)
            if size > cap:
                raise FetchError(
                    url,
                    "too large",
                    f"body over the {cap:,}-byte cap",
                    status=resp.status_code,
                    exchanges=exchanges,
                    final_url=current,
                )
            chunks.append(chunk)
        return b"".join(chunks)

    def _decode(self, url: str, exchange: Exchange) -> bytes:
        """Undo Content-Encoding with the size cap applied to the decompressed bytes too."""
        encoding = (_header(exchange.response_headers, "content-encoding") or "").lower().strip()
        if encoding in ("", "identity"):
            return exchange.raw_body
        if encoding not in ("gzip", "x-gzip", "deflate"):
            raise FetchError(
                url,
                "bad response",
                f"unsupported Content-Encoding {encoding!r}",
                status=exchange.status,
                exchanges=[exchange],
            )
        return _inflate(url, exchange, self.options.max_bytes)


def _inflate(url: str, exchange: Exchange, cap: int) -> bytes:
    """Decompress gzip or zlib (wbits 47 reads both), else raw deflate, never past ``cap``."""
    try:
        return _inflate_with(47, url, exchange, cap)
    except zlib.error:
        pass
    try:
        return _inflate_with(-15, url, exchange, cap)
    except zlib.error as exc:
        raise FetchError(
            url,
            "bad response",
            f"cannot decompress body ({exc})",
            status=exchange.status,
            exchanges=[exchange],
        ) from exc


def _inflate_with(wbits: int, url: str, exchange: Exchange, cap: int) -> bytes:
    decoder = zlib.decompressobj(wbits)
    out, size, data = [], 0, exchange.raw_body
    while data:
        piece = decoder.decompress(data, _CHUNK)
        data = decoder.unconsumed_tail
        size += len(piece)
        if size > cap:
            raise FetchError(
                url,
                "too large",
                f"decompressed body over the {cap:,}-byte cap",
                status=exchange.status,
                exchanges=[exchange],
            )
        out.append(piece)
        if decoder.eof:
            break
    return b"".join(out)


def into_private(start: str, target: str) -> bool:
    """Does a redirect lead from a public address to a loopback, private or link-local one?
    A link the user wrote to such an address is theirs to follow; a public page must not
    send the archiver into the user's own network."""
    return not _private(urlsplit(start).hostname) and _private(urlsplit(target).hostname)


@functools.lru_cache(maxsize=256)
def _private(host: str | None) -> bool:
    """A host that is, or resolves to, an address that is not public (unresolvable: not)."""
    if not host:
        return False
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        try:
            infos = socket.getaddrinfo(host, None)
        except OSError:
            return False
        addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    return any(not a.is_global for a in addresses)


def _check_scheme(url: str, current: str) -> None:
    scheme = urlsplit(current).scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchError(url, "not allowed", f"{scheme or 'no'} scheme is not fetched: {current}")


def _classify(url: str, current: str, exc: Exception, exchanges: list[Exchange]) -> FetchError:
    """A requests exception as a FetchError with a reason a person can act on."""
    text = str(exc)
    if isinstance(exc, requests.exceptions.SSLError):
        return FetchError(url, "ssl", f"TLS error ({_short(text)})", exchanges=exchanges)
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return FetchError(url, "timeout", "timed out connecting", exchanges=exchanges)
    timeouts = (requests.exceptions.Timeout, urllib3.exceptions.TimeoutError)
    if isinstance(exc, timeouts):
        return FetchError(url, "timeout", "timed out reading the response", exchanges=exchanges)
    dns_words = (
        "NameResolutionError",
        "Failed to resolve",
        "Name or service not known",
        "nodename nor servname",
        "getaddrinfo",
    )
    if any(word in text for word in dns_words):
        host = urlsplit(current).hostname
        return FetchError(url, "dns", f"host {host} not found (DNS)", exchanges=exchanges)
    if isinstance(exc, requests.exceptions.InvalidURL | requests.exceptions.MissingSchema):
        return FetchError(url, "not allowed", f"not a valid URL ({_short(text)})")
    return FetchError(url, "connection", f"connection failed ({_short(text)})", exchanges=exchanges)


def _short(text: str) -> str:
    text = re.sub(r"<[^>]*object at 0x[0-9a-f]+>:?\s*", "", text)
    return text if len(text) <= 160 else text[:157] + "…"


def _header(headers: list[tuple[str, str]], name: str) -> str | None:
    for key, value in headers:
        if key.lower() == name:
            return value
    return None


def _retry_after(exchange: Exchange) -> float | None:
    """Retry-After as seconds, from either of its forms (delta-seconds or an HTTP date)."""
    value = _header(exchange.response_headers, "retry-after")
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def decode_text(body: bytes, content_type: str = "") -> tuple[str, str]:
    """Bytes to text: charset from the header, a BOM, ``<meta charset>``, then detection."""
    for candidate in (_header_charset(content_type), _bom_charset(body), _meta_charset(body)):
        codec = _codec(candidate)
        if codec:
            try:
                return body.decode(codec), codec
            except UnicodeDecodeError:
                continue
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(body[:200_000]).best()
    codec = best.encoding if best else "utf-8"
    return body.decode(codec, errors="replace"), codec


def _header_charset(content_type: str) -> str | None:
    match = re.search(r"charset\s*=\s*[\"']?([^\s;\"']+)", content_type, re.I)
    return match.group(1) if match else None


def _bom_charset(body: bytes) -> str | None:
    for bom, name in (
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if body.startswith(bom):
            return name
    return None


def _meta_charset(body: bytes) -> str | None:
    match = _META_CHARSET.search(body[:8192])
    return match.group(1).decode("ascii", "ignore") if match else None


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    import codecs

    name = _CHARSET_ALIASES.get(name.strip().lower(), name.strip().lower())
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None
