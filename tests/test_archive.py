"""The archiver against a real local web server: what is kept, and how every failure ends."""

from __future__ import annotations

import itertools
import re
import resource
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from kgnotes.urls import normalize


@pytest.fixture
def archive_urls(kg, kg_json, tmp_path):
    """Add a journal holding ``urls`` (fetching them), return {url as written: link json}."""

    def run(*urls: str, expect: int = 0, extra: str = "") -> dict[str, dict]:
        notes = tmp_path / "notes.md"
        notes.write_text("# 2024-07-27\n\n" + "\n\n".join(urls) + "\n\n" + extra, encoding="utf-8")
        kg("add", str(notes), expect=expect)
        links = {link["normalized"]: link for link in kg_json("links")}
        return {url: links[normalize(url)] for url in urls}

    return run


def warc_records(vault: Path, snapshot: str) -> list:
    with open(vault / snapshot, "rb") as stream:
        return [
            (
                r.rec_type,
                r.rec_headers.get_header("WARC-Target-URI"),
                r.http_headers,
                r.content_stream().read(),
            )
            for r in ArchiveIterator(stream)
        ]


def responses(vault: Path, snapshot: str) -> list:
    return [r for r in warc_records(vault, snapshot) if r[0] == "response"]


def test_article_keeps_clean_text_metadata_and_a_warc(archive_urls, kg_json, web, vault):
    url = web.url("/article")
    (link,) = archive_urls(url).values()
    assert link["status"] == "archived" and link["via"] == "direct"
    assert link["title"] == "Understanding Multi-Head Attention"
    assert link["http_status"] == 200 and link["final_url"] == url
    assert link["archived_at"] and link["error"] is None
    doc = kg_json("show", url)
    assert doc["author"] == "Ada Lovelace"
    assert doc["published"] == "2023-04-05"
    assert doc["site"] == "Deep Notes"
    assert doc["language"] == "en"
    text = doc["text"]
    assert "# Understanding Multi-Head Attention" in text
    assert "## Why several heads" in text
    assert "- heads specialise on syntax" in text
    assert "concat(heads) @ wo" in text
    assert "| base | 8 |" in text
    for boilerplate in ("cookies", "Popular posts", "All rights reserved", "analytics"):
        assert boilerplate not in text
    records = warc_records(vault, doc["snapshot"])
    assert sorted(r[0] for r in records) == ["request", "response"]
    (response,) = responses(vault, doc["snapshot"])
    assert response[1] == url
    assert response[2].get_statuscode() == "200"
    assert b"Popular posts" in response[3]  # the raw snapshot is faithful, boilerplate and all


def test_show_prints_a_readable_document(archive_urls, kg, web):
    archive_urls(web.url("/article"))
    out = kg("show", web.url("/article")).stdout
    assert out.startswith("Understanding Multi-Head Attention\n")
    assert "Ada Lovelace · 2023-04-05 · Deep Notes · en" in out
    assert "## Why several heads" in out


def test_show_names_the_way_out_for_an_unknown_url(kg):
    result = kg("show", "https://nowhere.example.invalid/x", expect=1)
    assert "not in this vault — add it with: kgnotes add" in result.stderr


def test_slow_page_times_out_once(archive_urls, web):
    (link,) = archive_urls(web.url("/slow")).values()
    assert (link["status"], link["reason"]) == ("failed", "timeout")
    assert web.hits["/slow"] == 1  # one request per slow URL, not one per extractor or retry


def test_a_dripping_page_ends_at_the_fetch_deadline(archive_urls, web, monkeypatch):
    monkeypatch.setenv("KGNOTES_FETCH_DEADLINE", "1.5")
    (link,) = archive_urls(web.url("/drip")).values()
    assert (link["status"], link["reason"]) == ("failed", "timeout")
    assert "within 1.5 s" in link["error"]


def test_only_a_redirect_from_public_to_private_is_refused():
    from kgnotes.fetch import into_private

    public = "http://93.184.216.34/page"
    for private in (
        "http://127.0.0.1:8080/x",
        "http://10.1.2.3/",
        "http://[::1]/",
        "http://169.254.1.1/",
    ):
        assert into_private(public, private), private
    assert not into_private(public, "http://1.1.1.1/next")
    assert not into_private("http://127.0.0.1:9/a", "http://127.0.0.1:9/b")  # the user's own link
    assert not into_private("http://192.168.1.2/a", "http://10.0.0.1/b")


def test_robots_txt_is_honoured_unless_turned_off(archive_urls, kg, kg_json, web, monkeypatch):
    from kgnotes.robots import AGENT

    rules = f"User-agent: *\nAllow: /\n\nUser-agent: {AGENT}\nDisallow: /robots-private/\n"
    web.route("/robots.txt", lambda req: req.send(200, rules.encode(), content_type="text/plain"))
    web.route("/robots-private/page", lambda req: req.send(200, b"<html><body>x</body></html>"))
    links = archive_urls(web.url("/robots-private/page"), web.url("/article"))
    private = links[web.url("/robots-private/page")]
    assert (private["status"], private["reason"]) == ("failed", "robots.txt")
    assert "robots.txt disallows it for kgnotes" in private["error"]
    assert links[web.url("/article")]["status"] == "archived"
    assert web.hits["/robots-private/page"] == 0  # never asked for
    monkeypatch.setenv("KGNOTES_ROBOTS", "0")
    kg("archive", "--retry-failed")
    (again,) = [x for x in kg_json("links") if x["url"] == web.url("/robots-private/page")]
    assert again["status"] == "archived"


def test_the_arxiv_api_is_paced(archive_urls, kg, web, monkeypatch):
    monkeypatch.setenv("KGNOTES_ARXIV_INTERVAL", "0.5")
    before = len(web.times.get("/arxiv/api/query", []))
    archive_urls("https://arxiv.org/abs/1706.03762", "https://arxiv.org/abs/2010.11929")
    asked = web.times["/arxiv/api/query"][before:]
    assert len(asked) >= 2
    gaps = [b - a for a, b in itertools.pairwise(asked)]
    assert min(gaps) >= 0.45, gaps  # the spacing asked for, whichever worker asks


def test_server_error_then_success_is_retried(archive_urls, web):
    (link,) = archive_urls(web.url("/flaky")).values()
    assert link["status"] == "archived"
    assert link["attempts"] == 2 and web.hits["/flaky"] == 2


def test_retry_after_is_honoured(archive_urls, web):
    (link,) = archive_urls(web.url("/rate-limited")).values()
    assert link["status"] == "archived"
    first, second = web.times["/rate-limited"]
    assert second - first >= 1.0


def test_redirect_chain_records_the_final_url(archive_urls, web, kg_json, vault):
    (link,) = archive_urls(web.url("/chain/1")).values()
    assert link["status"] == "archived"
    assert link["final_url"] == web.url("/article")
    records = responses(vault, kg_json("show", web.url("/chain/1"))["snapshot"])
    statuses = [r[2].get_statuscode() for r in records]
    assert statuses == ["301", "302", "307", "200"]


def test_redirect_loop_and_foreign_scheme_fail(archive_urls, web):
    links = archive_urls(web.url("/loop/a"), web.url("/to-ftp"), expect=0)
    assert links[web.url("/loop/a")]["reason"] == "redirect loop"
    assert links[web.url("/to-ftp")]["reason"] == "not allowed"


def test_gone_pages_are_failures_not_archives(archive_urls, web):
    links = archive_urls(web.url("/gone-404"), web.url("/gone-410"))
    assert links[web.url("/gone-404")]["status"] == "failed"
    assert links[web.url("/gone-404")]["reason"] == "http 404"
    assert links[web.url("/gone-404")]["error"] == "HTTP 404 Not Found"
    assert links[web.url("/gone-410")]["reason"] == "http 410"
    assert web.hits["/wayback/available"] == 2  # looked up, and not found there either


def test_dead_link_is_archived_from_the_wayback_machine(archive_urls, web, kg_json):
    url = web.url("/dead-but-archived")
    (link,) = archive_urls(url).values()
    assert (link["status"], link["via"]) == ("archived", "wayback")
    assert link["title"] == "An old post about RNNs"
    assert "only in the Wayback Machine" in kg_json("show", url)["text"]


def test_no_wayback_skips_the_lookup(kg, kg_json, web, tmp_path):
    notes = tmp_path / "n.md"
    notes.write_text(f"# 2024-01-01\n\n{web.url('/dead-but-archived')}\n", encoding="utf-8")
    kg("add", "--no-wayback", str(notes))
    assert kg_json("links")[0]["reason"] == "http 404"
    assert web.hits["/wayback/available"] == 0


def test_bodies_over_the_cap(archive_urls, web):
    links = archive_urls(web.url("/huge"), web.url("/huge-streamed"))
    assert {link["reason"] for link in links.values()} == {"too large"}


def test_gzip_bomb_is_refused_without_eating_memory(archive_urls, web):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    (link,) = archive_urls(web.url("/bomb")).values()
    assert link["reason"] == "too large"
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 50  # 100 MB uncompressed; we stop at the 1 MB cap


def test_compressed_pages_are_decoded_and_kept_compressed(archive_urls, web, kg_json, vault):
    links = archive_urls(web.url("/gzipped"), web.url("/deflated"))
    assert {link["title"] for link in links.values()} == {"Understanding Multi-Head Attention"}
    (response,) = responses(vault, kg_json("show", web.url("/gzipped"))["snapshot"])
    assert response[2].get_header("Content-Encoding") == "gzip"
    assert b"Multi-Head" in response[3]  # warcio undoes the encoding for readers


def test_gbk_page_declared_only_in_meta(archive_urls, web, kg_json):
    (link,) = archive_urls(web.url("/gbk")).values()
    assert link["title"] == "自注意力机制详解"
    assert "多头注意力把查询、键和值投影到多个子空间中" in kg_json("show", web.url("/gbk"))["text"]


def test_pdf_text_and_title(archive_urls, web, kg_json):
    (link,) = archive_urls(web.url("/notes.pdf")).values()
    assert link["status"] == "archived" and link["kind"] == "pdf"
    doc = kg_json("show", web.url("/notes.pdf"))
    assert doc["title"] == "Scaled Dot-Product Attention Notes"
    assert "divides by the square root of d" in doc["text"]
    assert doc["extraction"] == "pdf"


def test_image_is_stored_raw(archive_urls, web, kg_json, vault):
    (link,) = archive_urls(web.url("/figure.png")).values()
    assert link["status"] == "archived" and link["kind"] == "other"
    doc = kg_json("show", web.url("/figure.png"))
    assert doc["extraction"] == "none" and not doc["text"]
    assert responses(vault, doc["snapshot"])[0][3].startswith(b"\x89PNG")


def test_connection_reset_mid_body_is_retried_then_fails(archive_urls, web):
    (link,) = archive_urls(web.url("/reset")).values()
    assert link["reason"] == "connection"
    assert web.hits["/reset"] == 3 and link["attempts"] == 3  # KGNOTES_RETRIES=2


def test_unresolvable_host(archive_urls):
    (link,) = archive_urls("https://no-such-host.invalid/post").values()
    assert (link["status"], link["reason"]) == ("failed", "dns")
    assert "not found (DNS)" in link["error"]


def test_arxiv_paper_from_the_api_and_pdf(archive_urls, kg_json, web):
    (link,) = archive_urls("https://arxiv.org/pdf/2010.11929v2").values()
    assert link["status"] == "archived" and link["kind"] == "paper"
    assert link["normalized"] == "https://arxiv.org/abs/2010.11929"
    doc = kg_json("show", "https://arxiv.org/abs/2010.11929")
    assert doc["title"].startswith("An Image is Worth 16x16 Words")
    assert doc["author"].startswith("Alexey Dosovitskiy, Lucas Beyer")
    assert doc["published"] == "2020-10-22"
    assert doc["site"] == "arXiv" and doc["extraction"] == "pdf"
    assert "Vision Transformer (ViT) splits an image into patches" in doc["text"]
    assert "## Abstract" in doc["text"]


def test_paper_title_without_a_link_is_resolved_and_archived(archive_urls, kg_json, web):
    archive_urls(
        web.url("/article"),
        extra="VGG\n\nVERY DEEP CONVOLUTIONAL NETWORKS FOR LARGE-SCALE IMAGE RECOGNITION\n",
    )
    papers = {link["normalized"]: link for link in kg_json("links")}
    vgg = papers["https://arxiv.org/abs/1409.1556"]
    assert vgg["first_seen"] == "2024-07-27"
    assert vgg["status"] == "archived"
    doc = kg_json("show", "https://arxiv.org/abs/1409.1556")
    assert doc["extraction"] == "abstract"  # the stub has no PDF for it
    assert "convolutional network depth" in doc["text"]


def test_a_paper_title_no_search_finds_is_listed_like_a_failed_link(
    archive_urls, kg, kg_json, vault
):
    title = "A Wholly Imaginary Paper About Nothing At All"
    archive_urls("https://example.invalid/x", extra=f"papers\n\n{title}\n")
    listed = kg("links").stdout
    assert f"“{title}”  (no arXiv paper has this title)" in listed
    assert "1 named by title with no paper found" in kg("status").stdout
    assert kg_json("status")["titles_without_paper"] == 1
    home = (vault / "Home.md").read_text("utf-8")
    assert f"- “{title}” — no arXiv paper has this title" in home.split("## Failed links")[1]


def test_youtube_video_is_a_document_without_text(archive_urls, kg_json):
    links = archive_urls(
        "https://youtu.be/hYdO9CscNes", "https://www.youtube.com/watch?v=deadvideo00"
    )
    video = links["https://youtu.be/hYdO9CscNes"]
    assert video["status"] == "archived" and video["kind"] == "video"
    assert video["title"].startswith("Attention in transformers")
    doc = kg_json("show", "https://www.youtube.com/watch?v=hYdO9CscNes")
    assert doc["author"] == "3Blue1Brown" and doc["extraction"] == "metadata"
    assert links["https://www.youtube.com/watch?v=deadvideo00"]["reason"] == "http 404"


def test_wikipedia_title_and_language_from_the_url(archive_urls, kg_json):
    (link,) = archive_urls("https://en.wikipedia.org/wiki/Word2vec").values()
    assert (link["status"], link["via"]) == ("archived", "wayback")  # the host is unreachable here
    doc = kg_json("show", "https://en.wikipedia.org/wiki/Word2vec")
    assert (doc["title"], doc["language"], doc["site"]) == ("Word2vec", "en", "Wikipedia")
    assert "vector representations of words" in doc["text"]


def test_url_variants_are_one_document_fetched_once(archive_urls, web, kg_json):
    base = web.url("/article")
    archive_urls(base, base + "/", base + "?utm_source=x", base + "#top", base + "?fbclid=1")
    assert len(kg_json("links")) == 1
    assert kg_json("status")["documents"] == 1
    assert web.hits["/article"] == 1


def test_add_url_files_it_under_today(kg, kg_json, web):
    kg("add", web.url("/article"), web.url("/notes.pdf"))
    links = kg_json("links")
    assert {link["status"] for link in links} == {"archived"}
    assert kg_json("status")["entries"] == 1
    kg("add", web.url("/gbk"))
    assert kg_json("status")["entries"] == 1 and len(kg_json("links")) == 3


def test_offline_journal_fails_every_link_clearly_and_retry_picks_them_up(
    kg, kg_json, journal_path, monkeypatch
):
    for name in (
        "KGNOTES_ARXIV_API",
        "KGNOTES_ARXIV_PDF",
        "KGNOTES_YOUTUBE_OEMBED",
        "KGNOTES_WAYBACK_API",
    ):
        monkeypatch.setenv(name, f"https://{name.lower().replace('_', '-')}.invalid/")
    result = kg("add", "--year", "2024", str(journal_path))
    links = kg_json("links")
    assert len(links) == 21 and {link["status"] for link in links} == {"failed"}
    assert all(link["error"] for link in links)
    assert "archived 0, failed 21" in result.stdout
    assert "retry with: kgnotes archive --retry-failed" in result.stdout
    assert kg("archive").stdout.startswith("archived 0, failed 0, skipped 21")
    retry = kg("archive", "--retry-failed", expect=3)
    assert "failed 21" in retry.stdout


def test_archive_summary_and_exit_status(kg, web, tmp_path):
    notes = tmp_path / "n.md"
    notes.write_text(
        f"# 2024-01-01\n\n{web.url('/article')}\n\n{web.url('/gone-404')}\n\nhttps://x.invalid/a\n",
        encoding="utf-8",
    )
    kg("add", "--no-fetch", str(notes))
    result = kg("archive", "--no-wayback", expect=3)
    summary, *follow_up = result.stdout.strip().splitlines()
    assert re.fullmatch(
        r"archived 1, failed 2 \(dns 1, http 404 1\), in \d+\.\d s — "
        r"retry with: kgnotes archive --retry-failed",
        summary,
    )
    # what was archived is indexed and gets its vault page at once
    assert follow_up[-1].startswith("vault: ") and "indexed" in follow_up[-2]
    assert f"failed   {web.url('/gone-404')}: HTTP 404 Not Found" in result.stderr
    assert kg("archive").stdout.startswith("archived 0, failed 0, skipped 2")


def test_refresh_fetches_archived_links_again(kg, web, tmp_path):
    notes = tmp_path / "n.md"
    notes.write_text(f"# 2024-01-01\n\n{web.url('/article')}\n", encoding="utf-8")
    kg("add", str(notes))
    kg("archive")
    assert web.hits["/article"] == 1
    kg("archive", "--refresh")
    assert web.hits["/article"] == 2


def test_limits_per_host_and_overall(kg, tmp_path):
    from tests.webserver import Web, standard_routes

    slow = Web(delay=0.2)
    standard_routes(slow)
    try:
        notes = tmp_path / "n.md"
        notes.write_text(
            "# 2024-01-01\n\n" + "\n\n".join(slow.url(f"/page/{i}") for i in range(8)),
            encoding="utf-8",
        )
        kg("add", str(notes))
        assert slow.max_in_flight == 2  # the per-host limit, though 8 were allowed overall
    finally:
        slow.close()


def test_link_with_chinese_in_its_path_is_archived_as_a_uri(archive_urls, web, kg_json, vault):
    """Journals link ``/第十章/ViT解读.html`` as written; it goes out, and into the WARC file,
    percent-encoded, as a browser sends it."""
    from urllib.parse import quote

    web.route(quote("/教程/自注意力.html"), web.routes["/article"])
    url = web.url("/教程/自注意力.html")
    (link,) = archive_urls(url).values()
    assert link["status"] == "archived", link["error"]
    assert link["title"] == "Understanding Multi-Head Attention"
    (response,) = responses(vault, kg_json("show", url)["snapshot"])
    assert response[1] == web.url(quote("/教程/自注意力.html"))
