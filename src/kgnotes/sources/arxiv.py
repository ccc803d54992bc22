"""arXiv papers: metadata from the arXiv API, full text from the PDF when it can be had.

Every URL form of a paper (``abs``, ``pdf``, ``html``, versions, old-style ids) is one paper.
When the PDF cannot be fetched the abstract stands in, marked ``abstract``. Paper titles that
the journal names without a link are looked up through the API's title search.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from urllib.parse import urlencode

from kgnotes.extract import Document, extract_pdf
from kgnotes.fetch import Fetcher, FetchError
from kgnotes.sources import Capture, Endpoints
from kgnotes.urls import ARXIV_ID, arxiv_id

WAYBACK_OK = False
_ATOM = {"a": "http://www.w3.org/2005/Atom", "arxiv": "http://arxiv.org/schemas/atom"}


@dataclass(frozen=True)
class Paper:
    id: str
    title: str
    authors: tuple[str, ...]
    abstract: str
    published: str | None
    categories: tuple[str, ...]


def claims(url: str) -> bool:
    return arxiv_id(url) is not None


def capture(url: str, fetcher: Fetcher, endpoints: Endpoints) -> Capture:
    paper_id = arxiv_id(url)
    assert paper_id is not None
    canonical = f"https://arxiv.org/abs/{paper_id}"
    exchanges, attempts = [], 0
    paper, pdf, first_error = None, None, None
    try:
        response = fetcher.get(_query(endpoints, id_list=paper_id), accept="application/atom+xml")
        exchanges += response.exchanges
        attempts += response.attempts
        papers = parse_feed(response.body)
        paper = papers[0] if papers else None
    except FetchError as exc:
        exchanges += exc.exchanges
        attempts += exc.attempts
        first_error = exc
    try:
        response = fetcher.get(
            endpoints.arxiv_pdf.rstrip("/") + "/" + paper_id, accept="application/pdf"
        )
        exchanges += response.exchanges
        attempts += response.attempts
        pdf = extract_pdf(response.body)
    except FetchError as exc:
        exchanges += exc.exchanges
        attempts += exc.attempts
        first_error = first_error or exc
    if paper is None and (pdf is None or not pdf.text):
        error = first_error or FetchError(url, "not found", f"arXiv has no paper {paper_id}")
        raise _with(error, url, exchanges, attempts)
    return Capture(_document(paper, pdf), canonical, 200, exchanges, attempts)


def _with(error: FetchError, url: str, exchanges, attempts: int) -> FetchError:
    return FetchError(
        url,
        error.reason,
        error.detail,
        status=error.status,
        exchanges=exchanges,
        attempts=attempts,
        final_url=error.final_url,
    )


def _document(paper: Paper | None, pdf: Document | None) -> Document:
    body = pdf.text if pdf and pdf.text else ""
    if paper is None:
        return dataclasses.replace(pdf, site="arXiv") if pdf else Document(extraction="none")
    abstract = f"## Abstract\n\n{paper.abstract}" if paper.abstract else ""
    text = "\n\n".join(p for p in (f"# {paper.title}", abstract, body) if p)
    return Document(
        text=text,
        extraction="pdf" if body else "abstract",
        title=paper.title,
        author=", ".join(paper.authors) or None,
        published=paper.published,
        site="arXiv",
        description=paper.abstract or None,
        content_type="application/pdf" if body else "application/atom+xml",
        tags=paper.categories,
    )


def parse_feed(data: bytes) -> list[Paper]:
    """Papers in an arXiv API Atom feed; an error entry or an empty feed gives none."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError:
        return []
    papers = []
    for entry in root.findall("a:entry", _ATOM):
        match = ARXIV_ID.search((entry.findtext("a:id", "", _ATOM) or "").rstrip("/"))
        title = _squash(entry.findtext("a:title", "", _ATOM))
        if not match or not title or title.lower() == "error":
            continue
        published = (entry.findtext("a:published", "", _ATOM) or "")[:10] or None
        papers.append(
            Paper(
                id=match.group("id"),
                title=title,
                authors=tuple(
                    _squash(a.findtext("a:name", "", _ATOM))
                    for a in entry.findall("a:author", _ATOM)
                ),
                abstract=_squash(entry.findtext("a:summary", "", _ATOM)),
                published=published,
                categories=tuple(
                    c.get("term", "") for c in entry.findall("a:category", _ATOM) if c.get("term")
                ),
            )
        )
    return papers


def find_by_title(title: str, fetcher: Fetcher, endpoints: Endpoints) -> Paper | None:
    """The paper whose title matches ``title`` (case and punctuation aside), via title search."""
    words = _words(title)
    if len(words) < 3:
        return None
    response = fetcher.get(
        _query(endpoints, search_query=f'ti:"{" ".join(words)}"', max_results="5"),
        accept="application/atom+xml",
    )
    wanted = " ".join(words)
    best = max(
        parse_feed(response.body),
        default=None,
        key=lambda p: difflib.SequenceMatcher(None, wanted, " ".join(_words(p.title))).ratio(),
    )
    if best and difflib.SequenceMatcher(None, wanted, " ".join(_words(best.title))).ratio() >= 0.9:
        return best
    return None


def _query(endpoints: Endpoints, **params: str) -> str:
    return f"{endpoints.arxiv_api}?{urlencode(params)}"


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def _squash(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip()
