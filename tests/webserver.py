"""A real HTTP server on 127.0.0.1 serving a table of routes, for tests and benchmarks.

Each route is a function of the request handler; it writes a real HTTP response through
``http.server``, so redirects, encodings, timeouts and broken connections go through requests'
real stack. The server counts hits per path and how many requests were in flight at once.
"""

from __future__ import annotations

import functools
import gzip
import json
import threading
import time
import zlib
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit
from xml.sax.saxutils import escape

Handler = Callable[["Request"], None]


class Request(BaseHTTPRequestHandler):
    """One request; routes call ``send`` (or write to ``wfile`` themselves)."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else headers and body wait ~40 ms on delayed ACKs
    server: _Server

    def do_GET(self) -> None:
        web = self.server.web
        path = urlsplit(self.path).path
        web.begin(path)
        try:
            route = web.match(path)
            if route is None:
                self.send(404, b"<html><body><h1>Not Found</h1></body></html>")
            else:
                route(self)
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            web.end()

    def do_POST(self) -> None:
        """A POST is routed as a GET is; its body is in ``posted``."""
        self.posted = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.do_GET()

    @property
    def query(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}

    def send(
        self,
        status: int,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
        content_type: str = "text/html; charset=utf-8",
        reason: str | None = None,
    ) -> None:
        self.send_response(status, reason)
        headers = {
            "Content-Type": content_type,
            "Content-Length": str(len(body)),
            **(headers or {}),
        }
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # keep test output clean
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    web: Web


class Web:
    """The server, its routes, and what it saw."""

    def __init__(self, delay: float = 0.0):
        self.routes: dict[str, Handler] = {}
        self.prefixes: dict[str, Handler] = {}
        self.hits: Counter[str] = Counter()
        self.times: dict[str, list[float]] = {}
        self.delay = delay
        self._lock = threading.Lock()
        self.in_flight = 0
        self.max_in_flight = 0
        self.server = _Server(("127.0.0.1", 0), Request)
        self.server.web = self
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def route(self, path: str, handler: Handler) -> None:
        self.routes[path] = handler

    def prefix(self, path: str, handler: Handler) -> None:
        self.prefixes[path] = handler

    def match(self, path: str) -> Handler | None:
        if path in self.routes:
            return self.routes[path]
        for prefix, handler in sorted(self.prefixes.items(), key=lambda p: -len(p[0])):
            if path.startswith(prefix):
                return handler
        return None

    def begin(self, path: str) -> None:
        with self._lock:
            self.hits[path] += 1
            self.times.setdefault(path, []).append(time.monotonic())
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        if self.delay:
            time.sleep(self.delay)

    def end(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def reset(self) -> None:
        with self._lock:
            self.hits.clear()
            self.times.clear()
            self.max_in_flight = 0

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# -- content ------------------------------------------------------------------------------

BOILERPLATE_ARTICLE = """<!DOCTYPE html>
<html lang="en"><head>
<meta charset="utf-8">
<title>Understanding Multi-Head Attention | Deep Notes</title>
<meta name="author" content="Ada Lovelace">
<meta name="description" content="Why transformers split attention into several heads.">
<meta property="og:site_name" content="Deep Notes">
<meta property="article:published_time" content="2023-04-05T10:00:00Z">
<script>window.analytics = {track: function() {}};</script>
<style>.cookie { position: fixed; }</style>
</head><body>
<div class="cookie">We use cookies to improve your experience. Accept all cookies?</div>
<header><nav><a href="/">Home</a> | <a href="/about">About</a> |
<a href="/subscribe">Subscribe</a></nav></header>
<aside class="sidebar"><h3>Popular posts</h3><ul><li><a href="/a">Ten tricks for pandas</a></li>
<li><a href="/b">Why I left my job</a></li></ul></aside>
<main><article>
<h1>Understanding Multi-Head Attention</h1>
<p>Multi-head attention runs several attention functions in parallel. Each head projects the
queries, keys and values into a smaller subspace, attends there, and the results are
concatenated and projected again.</p>
<h2>Why several heads</h2>
<p>One head averages what it sees; several heads can attend to different positions and to
different kinds of relations at once, which a single softmax cannot do.</p>
<ul><li>heads specialise on syntax, position or rare tokens</li>
<li>the total cost stays close to one full-width head</li></ul>
<h2>The formula</h2>
<p>For each head, the output is softmax of Q K transposed over the square root of d, times V.</p>
<pre><code>heads = [attention(q @ wq[i], k @ wk[i], v @ wv[i]) for i in range(h)]
out = concat(heads) @ wo</code></pre>
<table><tr><th>model</th><th>heads</th></tr><tr><td>base</td><td>8</td></tr>
<tr><td>large</td><td>16</td></tr></table>
</article></main>
<footer><p>Copyright 2024 Deep Notes. All rights reserved.</p>
<p>Subscribe to our newsletter for weekly posts!</p></footer>
</body></html>"""

GBK_PAGE = """<html><head><meta http-equiv="Content-Type" content="text/html; charset=gbk">
<title>自注意力机制详解</title></head><body><article>
<h1>自注意力机制详解</h1>
<p>自注意力机制让序列中的每一个位置都能够直接关注到其他所有位置，从而捕捉长距离的依赖关系。</p>
<p>多头注意力把查询、键和值投影到多个子空间中，分别计算注意力，再把结果拼接起来。</p>
<p>这篇笔记介绍了缩放点积注意力的公式，以及为什么要除以维度的平方根。</p>
</article></body></html>"""

SNAPSHOT_PAGE = """<html><head><title>An old post about RNNs</title></head><body><article>
<h1>An old post about RNNs</h1>
<p>Recurrent networks read a sequence one step at a time and carry a hidden state forward.
This page lives on only in the Wayback Machine, which is why the archiver fetched it there.</p>
</article></body></html>"""

WIKI_PAGE = """<html lang="en"><head><title>Word2vec - Wikipedia</title></head><body>
<div id="mw-navigation">Main page Contents Current events Random article</div>
<main><h1>Word2vec</h1><p>Word2vec is a technique in natural language processing for obtaining
vector representations of words. These vectors capture information about the meaning of the
word based on the surrounding words.</p></main></body></html>"""

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
    b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)

PAPERS = {
    "2010.11929": {
        "title": "An Image is Worth 16x16 Words: Transformers for Image Recognition at Scale",
        "authors": ["Alexey Dosovitskiy", "Lucas Beyer", "Alexander Kolesnikov"],
        "published": "2020-10-22T17:55:59Z",
        "categories": ["cs.CV", "cs.AI", "cs.LG"],
        "summary": "While the Transformer architecture has become the de-facto standard for "
        "natural language processing tasks, its applications to computer vision "
        "remain limited. We show that a pure transformer applied directly to "
        "sequences of image patches can perform very well on image classification.",
        "pdf": [
            "An Image is Worth 16x16 Words",
            "Vision Transformer (ViT) splits an image into "
            "patches and feeds them to a standard Transformer encoder.",
        ],
    },
    "1409.1556": {
        "title": "Very Deep Convolutional Networks for Large-Scale Image Recognition",
        "authors": ["Karen Simonyan", "Andrew Zisserman"],
        "published": "2014-09-04T19:48:04Z",
        "categories": ["cs.CV"],
        "summary": "In this work we investigate the effect of the convolutional network depth on "
        "its accuracy in the large-scale image recognition setting.",
        "pdf": None,
    },
}


def atom_feed(ids: list[str], papers: dict[str, Any] | None = None, version: int = 2) -> bytes:
    """An arXiv API Atom feed for ``ids`` (from ``papers``, this module's ``PAPERS`` unless
    given), with versioned ids as arXiv writes them."""
    papers = PAPERS if papers is None else papers
    entries = []
    for paper_id in ids:
        paper = papers[paper_id]
        authors = "".join(f"<author><name>{escape(a)}</name></author>" for a in paper["authors"])
        cats = "".join(
            f'<category term="{c}" scheme="http://arxiv.org/schemas/atom"/>'
            for c in paper["categories"]
        )
        link = f"http://arxiv.org/abs/{paper_id}v{version}"
        entries.append(
            f"<entry><id>{link}</id>"
            f"<updated>{paper['published']}</updated>"
            f"<published>{paper['published']}</published>"
            f"<title>{escape(paper['title'])}</title>"
            f"<summary>  {escape(paper['summary'])}\n  </summary>"
            f'{authors}<link href="{link}" rel="alternate" type="text/html"/>{cats}</entry>'
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>ArXiv Query</title>{''.join(entries)}</feed>"
    ).encode()


def make_pdf(title: str, lines: list[str]) -> bytes:
    """A small valid PDF with a title in its metadata and ``lines`` of text on one page."""
    text = (
        "BT /F1 12 Tf 72 720 Td 14 TL "
        + " ".join(
            "(" + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") '"
            for line in lines
        )
        + " ET"
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text.encode("latin-1")),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Title (%s) >>" % title.encode("latin-1"),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


# -- routes -------------------------------------------------------------------------------


def _article(req: Request) -> None:
    req.send(200, BOILERPLATE_ARTICLE.encode())


def _slow(req: Request) -> None:
    time.sleep(3)
    req.send(200, b"<html><body>finally</body></html>")


def _drip(req: Request) -> None:
    """A byte every 0.2 s, well inside any read timeout, for as long as the client listens."""
    req.send_response(200)
    req.send_header("Content-Type", "text/html; charset=utf-8")
    req.send_header("Content-Length", "100000")
    req.end_headers()
    try:
        for _ in range(100):
            req.wfile.write(b"x")
            req.wfile.flush()
            time.sleep(0.2)
    except OSError:  # the client gave up, as it should
        pass


def _flaky(req: Request) -> None:
    if req.server.web.hits[urlsplit(req.path).path] == 1:
        req.send(500, b"<html><body>Internal error</body></html>")
    else:
        _article(req)


def _rate_limited(req: Request) -> None:
    if req.server.web.hits[urlsplit(req.path).path] == 1:
        req.send(429, b"slow down", headers={"Retry-After": "1"}, content_type="text/plain")
    else:
        _article(req)


def _redirect_to(target: str, status: int = 302) -> Handler:
    def handler(req: Request) -> None:
        req.send(status, b"", headers={"Location": target})

    return handler


def _status(code: int) -> Handler:
    def handler(req: Request) -> None:
        req.send(
            code, b"<html><body><h1>Not Found</h1><p>This page does not exist.</p></body></html>"
        )

    return handler


def _huge(req: Request) -> None:
    req.send(200, b"<html><body>" + b"x" * (3 * 1024 * 1024) + b"</body></html>")


def _huge_streamed(req: Request) -> None:
    """Over the cap, with no Content-Length to warn about it."""
    req.send_response(200)
    req.send_header("Content-Type", "text/html")
    req.send_header("Connection", "close")
    req.end_headers()
    chunk = b"y" * 65536
    for _ in range(64):
        req.wfile.write(chunk)


@functools.cache
def gzip_bomb() -> bytes:
    """About 100 KB that inflate to 100 MB."""
    return gzip.compress(b"\0" * (100 * 1024 * 1024), compresslevel=9)


def _bomb(req: Request) -> None:
    req.send(200, gzip_bomb(), headers={"Content-Encoding": "gzip"})


def _gzipped(req: Request) -> None:
    req.send(200, gzip.compress(BOILERPLATE_ARTICLE.encode()), headers={"Content-Encoding": "gzip"})


def _deflated(req: Request) -> None:
    req.send(
        200, zlib.compress(BOILERPLATE_ARTICLE.encode()), headers={"Content-Encoding": "deflate"}
    )


def _gbk(req: Request) -> None:
    req.send(200, GBK_PAGE.encode("gbk"), content_type="text/html")


def _pdf(req: Request) -> None:
    body = make_pdf(
        "Scaled Dot-Product Attention Notes",
        [
            "Scaled dot-product attention divides by the square root of d.",
            "This keeps the softmax away from its flat regions.",
        ],
    )
    req.send(200, body, content_type="application/pdf")


def _png(req: Request) -> None:
    req.send(200, PNG, content_type="image/png")


def _reset(req: Request) -> None:
    """Promise 10,000 bytes, send 100, and drop the connection."""
    req.send_response(200)
    req.send_header("Content-Type", "text/html")
    req.send_header("Content-Length", "10000")
    req.end_headers()
    req.wfile.write(b"<html><body>" + b"z" * 88)
    req.wfile.flush()
    req.close_connection = True
    req.connection.shutdown(2)


def _arxiv_api(req: Request) -> None:
    query = req.query
    if "id_list" in query:
        ids = [i for i in query["id_list"].split(",") if i in PAPERS]
    else:
        wanted = query.get("search_query", "").lower()
        ids = [
            pid
            for pid, p in PAPERS.items()
            if p["title"].lower().replace("-", " ") in wanted.replace("-", " ")
        ]
    req.send(200, atom_feed(ids), content_type="application/atom+xml")


def _arxiv_pdf(req: Request) -> None:
    paper = PAPERS.get(urlsplit(req.path).path.rsplit("/", 1)[-1])
    if not paper or not paper["pdf"]:
        req.send(404, b"no pdf")
        return
    req.send(200, make_pdf(paper["title"], paper["pdf"]), content_type="application/pdf")


def _oembed(req: Request) -> None:
    video = req.query.get("url", "").rsplit("v=", 1)[-1]
    if video == "deadvideo00":
        req.send(404, b"Not Found", content_type="text/plain")
        return
    data = {
        "title": f"Attention in transformers, visually explained ({video})",
        "author_name": "3Blue1Brown",
        "provider_name": "YouTube",
        "type": "video",
    }
    req.send(200, json.dumps(data).encode(), content_type="application/json")


def _wayback_available(req: Request) -> None:
    url = req.query.get("url", "")
    web = req.server.web
    if "dead-but-archived" in url or "wikipedia.org" in url:
        closest = {
            "available": True,
            "status": "200",
            "timestamp": "20200101000000",
            "url": f"http://127.0.0.1:{web.port}/web/20200101000000/{url}",
        }
        data = {"url": url, "archived_snapshots": {"closest": closest}}
    else:
        data = {"url": url, "archived_snapshots": {}}
    req.send(200, json.dumps(data).encode(), content_type="application/json")


def _wayback_snapshot(req: Request) -> None:
    original = unquote(urlsplit(req.path).path.split("id_/", 1)[-1])
    page = WIKI_PAGE if "wikipedia.org" in original else SNAPSHOT_PAGE
    req.send(200, page.encode())


def _page(number: int) -> Handler:
    def handler(req: Request) -> None:
        body = (
            f"<html><head><title>Page {number}</title></head><body><article><h1>Page {number}"
            f"</h1><p>{'Attention and transformers, explained once more. ' * 12}</p>"
            "</article></body></html>"
        )
        req.send(200, body.encode())

    return handler


# A stand-in for YouTube's watch page, player API and captions, as youtube-transcript-api
# reads them: video id → its caption tracks, (language, made by YouTube?, [(second, text)]).
LECTURE = [
    (0.0, "hello everyone, today we look at self-attention"),
    (3.5, "self-attention is a superset of the RNN and the CNN"),
    (7.0, "because every token can look at every other token at once"),
    (123.0, "the Vision Transformer (ViT) cuts every image into sixteen by sixteen patches"),
    (127.5, "and reads those patches the way the Transformer reads words"),
    (185.0, "the paper Attention Is All You Need introduced the Transformer"),
]
VIDEOS: dict[str, list[tuple[str, bool, list[tuple[float, str]]]]] = {
    "hylecture01": [("en", False, LECTURE), ("en", True, [(0.0, "hello every one")])],
    "zhlecture02": [
        (
            "zh-Hans",
            True,
            [(0.0, "大家好，今天讲自注意力机制"), (40.0, "多头注意力把注意力分成几个头")],
        ),
        ("en", False, [(0.0, "hello, today: self-attention"), (40.0, "multi-head attention")]),
    ],
    "silentvid03": [],  # captions turned off
    "brokenxml04": [("en", False, [(0.0, "never read")])],  # its timed text is cut off
}


def _youtube_watch(req: Request) -> None:
    video = req.query.get("v", "")
    page = f'<html><script>var ytcfg = {{"INNERTUBE_API_KEY": "localkey", "v": "{video}"}};'
    req.send(200, (page + "</script></html>").encode())


def _youtube_player(req: Request) -> None:
    video = json.loads(req.posted or b"{}").get("videoId", "")
    if req.query.get("key") != "localkey" or video not in VIDEOS:
        status = {"status": "ERROR", "reason": "This video is unavailable"}
        req.send(
            200, json.dumps({"playabilityStatus": status}).encode(), content_type="application/json"
        )
        return
    tracks = [
        {
            "baseUrl": f"https://www.youtube.com/api/timedtext?v={video}&lang={lang}&asr={int(auto)}",
            "name": {"runs": [{"text": lang}]},
            "languageCode": lang,
            **({"kind": "asr"} if auto else {}),
        }
        for lang, auto, _ in VIDEOS[video]
    ]
    data: dict[str, Any] = {"playabilityStatus": {"status": "OK"}}
    if tracks:
        data["captions"] = {"playerCaptionsTracklistRenderer": {"captionTracks": tracks}}
    req.send(200, json.dumps(data).encode(), content_type="application/json")


def _youtube_timedtext(req: Request) -> None:
    q = req.query
    if q.get("v") == "brokenxml04":
        req.send(200, b'<transcript><text start="0.0">cut', content_type="text/xml")
        return
    found = [
        said
        for lang, auto, said in VIDEOS.get(q.get("v", ""), [])
        if lang == q.get("lang") and int(auto) == int(q.get("asr", "0"))
    ]
    lines = (
        "".join(
            f'<text start="{start}" dur="3.0">{escape(text)}</text>' for start, text in found[0]
        )
        if found
        else ""
    )
    body = f'<?xml version="1.0" encoding="utf-8" ?><transcript>{lines}</transcript>'
    req.send(200, body.encode(), content_type="text/xml; charset=utf-8")


def standard_routes(web: Web) -> None:
    """Every route the archive tests use."""
    gzip_bomb()  # built now, so serving it never runs into a client's timeout
    table: dict[str, Handler] = {
        "/article": _article,
        "/slow": _slow,
        "/drip": _drip,
        "/flaky": _flaky,
        "/rate-limited": _rate_limited,
        "/chain/1": _redirect_to("/chain/2", 301),
        "/chain/2": _redirect_to("/chain/3", 302),
        "/chain/3": _redirect_to("/article", 307),
        "/loop/a": _redirect_to("/loop/b"),
        "/loop/b": _redirect_to("/loop/a"),
        "/to-ftp": _redirect_to("ftp://files.example.invalid/x"),
        "/gone-404": _status(404),
        "/gone-410": _status(410),
        "/dead-but-archived": _status(404),
        "/huge": _huge,
        "/huge-streamed": _huge_streamed,
        "/bomb": _bomb,
        "/gzipped": _gzipped,
        "/deflated": _deflated,
        "/gbk": _gbk,
        "/notes.pdf": _pdf,
        "/figure.png": _png,
        "/reset": _reset,
        "/arxiv/api/query": _arxiv_api,
        "/oembed": _oembed,
        "/youtube/watch": _youtube_watch,
        "/youtube/youtubei/v1/player": _youtube_player,
        "/youtube/api/timedtext": _youtube_timedtext,
        "/wayback/available": _wayback_available,
    }
    for path, handler in table.items():
        web.route(path, handler)
    web.prefix("/arxiv/pdf/", _arxiv_pdf)
    web.prefix("/web/", _wayback_snapshot)
    web.prefix("/page/", lambda req: _page(int(urlsplit(req.path).path.rsplit("/", 1)[-1]))(req))
