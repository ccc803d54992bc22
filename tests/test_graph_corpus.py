"""The concept-graph corpus archives cleanly: every link kept, and each source identified the
way the concept graph will read it (Wikipedia articles by site, papers by their arXiv dates)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.graph_corpus import PAGES, PAPERS, WIKIPEDIA, journal, routes
from tests.webserver import Web


@pytest.fixture
def graph_web(monkeypatch: pytest.MonkeyPatch) -> Iterator[Web]:
    """A server of its own for the corpus, with arXiv pointed at its stubs (the autouse vault
    fixture has already pointed arXiv at the shared server; this overrides it)."""
    web = Web()
    routes(web)
    monkeypatch.setenv("KGNOTES_ARXIV_API", web.url("/graph/arxiv/api/query"))
    monkeypatch.setenv("KGNOTES_ARXIV_PDF", web.url("/graph/arxiv/pdf/"))
    yield web
    web.close()


def test_graph_corpus_archives_every_link(graph_web, kg, kg_json, tmp_path: Path):
    notes = tmp_path / "journal.md"
    notes.write_text(journal(graph_web.url("/graph")), encoding="utf-8")
    kg("add", "--year", "2024", str(notes))

    pages = {graph_web.url(f"/graph/pages/{p.name}"): p.stem for p in PAGES.glob("*.html")}
    papers = {f"https://arxiv.org/abs/{paper_id}": paper_id for paper_id in PAPERS}
    links = {link["url"]: link for link in kg_json("links")}
    assert set(links) == set(pages) | set(papers)
    failed = {url: link["error"] for url, link in links.items() if link["status"] != "archived"}
    assert not failed
    counts = kg_json("status")
    assert counts["links_by_status"] == {"pending": 0, "archived": len(links), "failed": 0}
    assert counts["entries"] == 11

    for url, stem in pages.items():
        doc = kg_json("show", url)
        assert doc["extraction"] == "full", stem
        if stem in WIKIPEDIA:
            assert doc["site"] == "Wikipedia", (stem, doc["site"])
            assert doc["title"] == WIKIPEDIA[stem]
        else:
            assert doc["site"] not in (None, "Wikipedia"), (stem, doc["site"])
            assert doc["author"], stem

    for url, paper_id in papers.items():
        doc = kg_json("show", url)
        paper = PAPERS[paper_id]
        assert doc["site"] == "arXiv"
        assert doc["title"] == paper["title"]
        assert doc["published"] == paper["published"][:10]
        assert doc["extraction"] == ("pdf" if paper["pdf"] else "abstract")
        assert paper["summary"][:60] in doc["text"]
        if paper["pdf"]:
            # make_pdf's Helvetica has no /Encoding, so pypdf reads ' (0x27) as StandardEncoding's ’
            assert paper["pdf"][-1] in doc["text"].replace("\u2019", "'")

    assert graph_web.hits["/graph/arxiv/api/query"] >= len(PAPERS)
