"""arXiv papers: metadata from the arXiv API, full text from the PDF when it can be had.

Every URL form of a paper (``abs``, ``pdf``, ``html``, versions, old-style ids) is one paper.
When the PDF cannot be fetched the abstract stands in, marked ``abstract``. Paper titles that
the journal names without a link are looked up through the API's title search.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import threading
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from urllib.parse import urlencode

from kgnotes.extract import Document
from kgnotes.fetch import Fetcher, FetchError, Response
from kgnotes.sources.context import Capture, Context, Endpoints
from kgnotes.urls import ARXIV_ID, arxiv_id

WAYBACK_OK = False
FETCHES_THE_PAGE = False  # the API and the PDF are asked, not the page linked
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


def capture(url: str, ctx: Context, fetch_url: str | None = None) -> Capture:
    """The paper's metadata and, when the PDF can be had, its full text."""
    paper_id = arxiv_id(url)
    assert paper_id is not None
    calls = _Calls(ctx.fetcher)
    _pace(ctx.endpoints.arxiv_interval)
    feed = calls.get(_query(ctx.endpoints, id_list=paper_id), "application/atom+xml")
    papers = parse_feed(feed.body) if feed else []
    pdf_url = ctx.endpoints.arxiv_pdf.rstrip("/") + "/" + paper_id
    pdf_response = calls.get(pdf_url, "application/pdf")
    pdf = None
    if pdf_response:
        pdf = ctx.extract("application/pdf", pdf_response.body, None, pdf_response.final_url)
    if not papers and (pdf is None or not pdf.text):
        error = calls.error or FetchError(url, "not found", f"arXiv has no paper {paper_id}")
        raise FetchError(
            url,
            error.reason,
            error.detail,
            status=error.status,
            exchanges=calls.exchanges,
            attempts=calls.attempts,
        )
    document = _document(papers[0] if papers else None, pdf)
    canonical = f"https://arxiv.org/abs/{paper_id}"
    return Capture(document, canonical, 200, calls.exchanges, calls.attempts)


class _Calls:
    """Several requests for one paper: keep every exchange, count attempts, remember the first
    failure (a missing PDF is not fatal when the metadata came through)."""

    def __init__(self, fetcher: Fetcher):
        self.fetcher = fetcher
        self.exchanges: list = []
        self.attempts = 0
        self.error: FetchError | None = None

    def get(self, url: str, accept: str) -> Response | None:
        try:
            response = self.fetcher.get(url, accept=accept)
        except FetchError as exc:
            self.exchanges += exc.exchanges
            self.attempts += exc.attempts
            self.error = self.error or exc
            return None
        self.exchanges += response.exchanges
        self.attempts += response.attempts
        return response


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
    _pace(endpoints.arxiv_interval)
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


_PACE = threading.Lock()
_last_call = [float("-inf")]


def _pace(interval: float) -> None:
    """Wait until ``interval`` seconds have passed since the last call of the arXiv API from
    this process (arXiv asks for about 3 s between calls), whichever worker makes it."""
    with _PACE:
        wait = _last_call[0] + interval - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        _last_call[0] = time.monotonic()


def _query(endpoints: Endpoints, **params: str) -> str:
    return f"{endpoints.arxiv_api}?{urlencode(params)}"


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def _squash(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip()
