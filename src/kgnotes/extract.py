"""Clean text and metadata out of what was fetched: HTML through trafilatura, PDFs through pypdf.

Extraction never fails a link that was fetched: when trafilatura finds no main text, the
document falls back to title, description and visible text and is marked ``fallback`` so a
reader knows to trust it less. Content that is neither HTML nor PDF is kept raw in the archive
and recorded without text (``none``).
"""

from __future__ import annotations

import dataclasses
import io
import logging
import re
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

HTML_TYPES = ("text/html", "application/xhtml+xml")
TEXT_TYPES = ("text/plain", "text/markdown", "text/x-markdown")
PDF_TYPES = ("application/pdf", "application/x-pdf")
_MIN_TEXT = 40  # characters of main text below which trafilatura's answer is not trusted
_LANG = re.compile(r"<html[^>]*\blang\s*=\s*[\"']?([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)?)", re.I)


@dataclass(frozen=True)
class Document:
    """An archived page as text with metadata; ``extraction`` says how the text was obtained.

    ``full`` (trafilatura main text), ``fallback`` (visible text, low quality), ``pdf``,
    ``abstract`` (a paper's abstract only), ``metadata`` (a video: title and channel), ``text``
    (a plain-text file) or ``none`` (stored raw, not extracted).
    """

    text: str = ""
    extraction: str = "full"
    title: str | None = None
    author: str | None = None
    published: str | None = None
    site: str | None = None
    language: str | None = None
    description: str | None = None
    content_type: str | None = None
    tags: tuple[str, ...] = ()


def extract(content_type: str, body: bytes, text: str | None, url: str) -> Document:
    """Pick the extractor for a content type; ``text`` is the body already decoded, if textual."""
    if content_type in PDF_TYPES or (not content_type and body.startswith(b"%PDF")):
        return extract_pdf(body)
    if content_type in HTML_TYPES or (text is not None and _looks_like_html(text)):
        return extract_html(text or "", url)
    if content_type in TEXT_TYPES and text is not None:
        return Document(text=text.strip(), extraction="text", content_type=content_type)
    return Document(extraction="none", content_type=content_type or None)


def _looks_like_html(text: str) -> bool:
    head = text[:1024].lstrip().lower()
    return head.startswith(("<!doctype html", "<html")) or "<body" in head


def extract_html(html: str, url: str) -> Document:
    """Main text as Markdown (headings, lists, tables, code, math kept) plus metadata."""
    # trafilatura is imported here: it pulls in lxml and friends, which `kgnotes --help` avoids.
    import trafilatura
    from trafilatura.xml import xmltotxt

    found: Any = None  # trafilatura's Document (2.x); untyped
    try:
        found = trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            include_tables=True,
            include_formatting=True,
            include_comments=False,
        )
    except Exception as exc:  # trafilatura raises many kinds on hostile markup
        log.info("%s: trafilatura failed (%s); using visible text", url, exc)
    text = (
        xmltotxt(found.body, True).strip() if found is not None and found.body is not None else ""
    )
    meta = _metadata(found, html)
    if len(text) >= _MIN_TEXT:
        return dataclasses.replace(meta, text=text, extraction="full")
    return dataclasses.replace(meta, text=_fallback_text(html, meta), extraction="fallback")


def _metadata(found: Any, html: str) -> Document:
    """A text-less HTML document with what trafilatura (or the markup) says of the page."""
    lang = _LANG.search(html[:4096])
    return Document(
        title=_clean(getattr(found, "title", None)) or _clean(_html_title(html)),
        author=_clean(getattr(found, "author", None)),
        published=_clean(getattr(found, "date", None)),
        site=_clean(getattr(found, "sitename", None)),
        description=_clean(getattr(found, "description", None)),
        language=_clean(getattr(found, "language", None))
        or (lang.group(1).lower() if lang else None),
        content_type="text/html",
    )


def _clean(value: object) -> str | None:
    """A metadata value as a stripped string, or None for anything empty or not a string."""
    return value.strip() or None if isinstance(value, str) else None


def _html_title(html: str) -> str | None:
    match = re.search(r"<title[^>]*>(.*?)</title>", html[:65536], re.I | re.S)
    if not match:
        return None
    import html as html_lib

    return html_lib.unescape(re.sub(r"\s+", " ", match.group(1))).strip() or None


def _fallback_text(html: str, meta: Document) -> str:
    """Title, description and the page's visible text, for pages trafilatura cannot read."""
    visible = ""
    try:
        import lxml.html

        # an HtmlElement, which lxml's stubs type as a bare _Element
        tree: Any = lxml.html.fromstring(html or "<html></html>")
        for node in tree.xpath("//script|//style|//noscript|//template|//head"):
            node.drop_tree()
        visible = re.sub(r"[ \t]*\n\s*", "\n", tree.text_content()).strip()
    except Exception as exc:  # unparseable markup: keep what metadata we have
        log.info("visible text failed (%s)", exc)
    parts = [meta.title, meta.description, visible]
    return "\n\n".join(p for p in parts if p)


def extract_pdf(data: bytes) -> Document:
    """Text of every page; title from the PDF's metadata, else its first substantial line."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [(page.extract_text() or "").strip() for page in reader.pages]
        info: Any = reader.metadata or {}
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        log.info("unreadable PDF (%s)", exc)
        return Document(extraction="none", content_type="application/pdf")
    text = "\n\n".join(p for p in pages if p)
    title = _pdf_field(info, "/Title") or _first_line(text)
    return Document(
        text=text,
        extraction="pdf" if text else "none",
        title=title,
        author=_pdf_field(info, "/Author"),
        content_type="application/pdf",
    )


def _pdf_field(info: Any, key: str) -> str | None:
    value = info.get(key) if hasattr(info, "get") else None
    value = str(value).strip() if value else ""
    return value if value and value.lower() not in ("untitled", "none") else None


def _first_line(text: str) -> str | None:
    for line in text.splitlines():
        line = line.strip()
        if len(line) >= 8 and re.search(r"[^\W\d_]{3}", line):
            return line[:200]
    return None
