"""Raw snapshots: every HTTP exchange behind a link, as a WARC file any replay tool opens.

Files are written under a temporary name and renamed into place, so a snapshot is whole or
absent, even when the archiver is killed mid-write.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
from datetime import UTC
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from kgnotes.fetch import Exchange
from kgnotes.files import replace_atomically


def write_warc(archive_dir: Path, normalized: str, exchanges: list[Exchange]) -> str | None:
    """Write every exchange as WARC request/response records; returns the path in the vault."""
    if not exchanges:
        return None
    from warcio.warcwriter import WARCWriter

    digest = hashlib.sha256(normalized.encode()).hexdigest()
    folder = archive_dir / digest[:2] / digest
    folder.mkdir(parents=True, exist_ok=True)
    stamp = exchanges[-1].when.strftime("%Y%m%dT%H%M%S%fZ")
    final = folder / f"{stamp}.warc.gz"

    def produce(temporary: str) -> None:
        with open(temporary, "wb") as out:
            _write_records(WARCWriter(out, gzip=True), exchanges)

    replace_atomically(final, produce, durable=True)
    return final.relative_to(archive_dir.parent.parent).as_posix()


def _write_records(writer: Any, exchanges: list[Exchange]) -> None:
    """One request and one response record per exchange, redirects included."""
    from warcio.statusandheaders import StatusAndHeaders

    for exchange in exchanges:
        uri = as_sent(exchange.url)
        parts = urlsplit(uri)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        date = {"WARC-Date": exchange.when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}
        request_headers = _ascii([("Host", parts.netloc), *exchange.request_headers])
        request = writer.create_warc_record(
            uri,
            "request",
            payload=io.BytesIO(b""),
            warc_headers_dict=date,
            http_headers=StatusAndHeaders(
                f"GET {target} HTTP/1.1", request_headers, is_http_request=True
            ),
        )
        response = writer.create_warc_record(
            uri,
            "response",
            payload=io.BytesIO(exchange.raw_body),
            warc_headers_dict=date,
            http_headers=StatusAndHeaders(
                f"{exchange.status} {exchange.reason}".strip(),
                _ascii(exchange.response_headers),
                protocol="HTTP/1.1",
            ),
        )
        writer.write_request_response_pair(request, response)


def as_sent(url: str) -> str:
    """The URL as ``requests`` sends it, which is how fetch.py sent it: a journal's
    ``/第十章/ViT解读.html`` percent-encoded, its host in IDNA — a WARC file holds URIs, not
    IRIs."""
    from requests import PreparedRequest

    prepared = PreparedRequest()
    prepared.prepare_url(url, None)
    return prepared.url or url


_PRINTABLE = "".join(map(chr, range(32, 127)))


def _ascii(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Header values as ASCII, which is all a WARC header block holds: any other character
    percent-encoded (a server's raw UTF-8 ``Location``, a non-ASCII cookie)."""
    from urllib.parse import quote

    return [(k, v if v.isascii() else quote(v, safe=_PRINTABLE)) for k, v in headers]


def sweep_temporary_files(archive_dir: Path) -> None:
    """Remove snapshots a killed run left half-written (they were never renamed into place)."""
    if archive_dir.exists():
        for leftover in archive_dir.glob("*/*/.*"):  # files.py's temporary names start with "."
            with contextlib.suppress(OSError):
                leftover.unlink()
