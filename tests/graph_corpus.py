"""The concept-graph fixture corpus, served by a local ``Web`` under ``/graph``.

``fixtures/graph_corpus`` holds fifteen short articles, seven arXiv stubs and a journal in the
seed's style that links every one of them. The machine-learning pages form a ladder (attention
→ self-attention → multi-head attention → Transformer → ViT → CLIP, with BERT and GPT also on
the Transformer, and word2vec and seq2seq as earlier NLP); each page mentions what it builds on
often and what builds on it rarely, so the graph has real asymmetries to find. Four distractor
pages (sourdough, marathon training, houseplants, Roman aqueducts) use no ML terms at all, so
any edge that reaches them is a bug.

Everything lives under ``/graph`` so these routes can share a server with ``standard_routes``
without clashing, and the arXiv stubs answer from this corpus only (``atom_feed`` is given
this corpus's ``PAPERS``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tests.webserver import Request, Web, atom_feed, make_pdf

CORPUS = Path(__file__).parent / "fixtures" / "graph_corpus"
PAGES = CORPUS / "pages"
PREFIX = "/graph"

# id -> title, authors, published (ISO), categories, summary, pdf (lines of text, or None for a
# paper whose PDF is missing, so the abstract-only path is exercised too).
PAPERS: dict[str, dict[str, Any]] = json.loads((CORPUS / "arxiv.json").read_text(encoding="utf-8"))

# Page stem -> the article title of the pages that present themselves as Wikipedia articles.
WIKIPEDIA: dict[str, str] = {
    "attention-machine-learning": "Attention (machine learning)",
    "transformer-deep-learning": "Transformer (deep learning architecture)",
    "vision-transformer": "Vision transformer",
    "word2vec": "Word2vec",
    "seq2seq": "Seq2seq",
    "bert-language-model": "BERT (language model)",
    "generative-pretrained-transformer": "Generative pre-trained transformer",
    "sourdough": "Sourdough",
}

# Page stem -> the concept the page is about; the distractors must stay off the ML ladder.
CONCEPTS: dict[str, str] = {
    "word2vec": "word2vec",
    "seq2seq": "seq2seq (encoder–decoder)",
    "attention-machine-learning": "attention",
    "self-attention-explained": "self-attention",
    "multi-head-attention-explained": "multi-head attention",
    "transformer-deep-learning": "Transformer",
    "illustrated-transformer": "Transformer",
    "bert-language-model": "BERT",
    "generative-pretrained-transformer": "GPT",
    "vision-transformer": "ViT",
    "clip-explained": "CLIP",
    "sourdough": "sourdough",
    "marathon-training-plan": "marathon training",
    "houseplant-care": "houseplant care",
    "roman-aqueducts": "Roman aqueducts",
}
DISTRACTORS = frozenset(
    {"sourdough", "marathon-training-plan", "houseplant-care", "roman-aqueducts"}
)

_PAGE_NAME = re.compile(r"[a-z0-9-]+\.html")
_VERSION = re.compile(r"v\d+$")


def journal(base: str) -> str:
    """The corpus journal with its ``{base}`` placeholders pointing at ``base``
    (``web.url("/graph")``), so page links resolve on the server that ``routes`` set up."""
    return (CORPUS / "journal.md").read_text(encoding="utf-8").replace("{base}", base)


def routes(web: Web) -> None:
    """Serve the pages, an arXiv API answering from ``PAPERS`` and their PDFs, under ``/graph``."""
    web.prefix(f"{PREFIX}/pages/", _page)
    web.route(f"{PREFIX}/arxiv/api/query", _arxiv_api)
    web.prefix(f"{PREFIX}/arxiv/pdf/", _arxiv_pdf)


def _page(req: Request) -> None:
    """A page file by its bare name; anything else (subpaths, ``..``, unknown names) is 404."""
    name = urlsplit(req.path).path.removeprefix(f"{PREFIX}/pages/")
    path = PAGES / name
    if _PAGE_NAME.fullmatch(name) and path.is_file():
        req.send(200, path.read_bytes())
    else:
        req.send(404, b"<html><body><h1>Not Found</h1></body></html>")


def _words(text: str) -> str:
    """Lower-case words only, so ``ti:"bert pre training of ..."`` finds "BERT: Pre-training"."""
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def _arxiv_api(req: Request) -> None:
    """The two query forms kgnotes sends: ``id_list`` (a paper link) and ``search_query`` (a
    paper title written without a link); unknown ids simply give an empty feed, as arXiv does."""
    query = req.query
    if "id_list" in query:
        wanted = [_VERSION.sub("", i.strip()) for i in query["id_list"].split(",")]
        ids = [i for i in wanted if i in PAPERS]
    else:
        asked = _words(query.get("search_query", ""))
        ids = [pid for pid, p in PAPERS.items() if _words(p["title"]) in asked]
    limit = int(query.get("max_results", "10"))
    req.send(200, atom_feed(ids[:limit], PAPERS, version=1), content_type="application/atom+xml")


def _arxiv_pdf(req: Request) -> None:
    """The paper's PDF built from its ``pdf`` lines, or 404 when it has none."""
    name = urlsplit(req.path).path.rsplit("/", 1)[-1].removesuffix(".pdf")
    paper = PAPERS.get(_VERSION.sub("", name))
    if not paper or not paper["pdf"]:
        req.send(404, b"no pdf", content_type="text/plain")
        return
    req.send(200, make_pdf(paper["title"], paper["pdf"]), content_type="application/pdf")
