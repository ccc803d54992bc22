"""Pieces of the fetcher that are easiest to pin down on their own."""

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from kgnotes.fetch import Exchange, Fetcher, FetchError, _retry_after, decode_text
from kgnotes.sources.wikipedia import article


@pytest.mark.parametrize(
    "text, encoding, header",
    [
        ("注意力機制與變換器模型的介紹文章", "big5", "text/html; charset=big5"),
        ("注意機構とトランスフォーマーの解説記事です", "shift_jis", "text/html; charset=Shift_JIS"),
        ("自注意力机制的中文介绍", "gbk", "text/html; charset=gb2312"),
        ("Café crème brûlée, naïve façade", "latin-1", "text/html; charset=iso-8859-1"),
        ("Ellipsis … and “quotes” from Windows", "cp1252", "text/html"),
        ("plain UTF-8 ✓", "utf-8", "text/html"),
    ],
)
def test_charsets(text, encoding, header):
    html = f"<html><body><p>{text}</p></body></html>"
    decoded, _charset = decode_text(html.encode(encoding), header)
    assert text in decoded


def test_meta_charset_and_bom():
    page = '<html><head><meta charset="gbk"></head><body>多头注意力</body></html>'
    assert "多头注意力" in decode_text(page.encode("gbk"))[0]
    assert decode_text("\ufeffhello".encode("utf-16"))[0].endswith("hello")


def test_a_wrong_header_charset_falls_through():
    text, charset = decode_text("多头注意力".encode(), "text/html; charset=ascii")
    assert text == "多头注意力" and charset == "utf-8"


def exchange_with(headers):
    return Exchange("http://x/", [], 429, "", headers, b"", datetime.now(UTC))


def test_retry_after_forms():
    assert _retry_after(exchange_with([("Retry-After", "7")])) == 7.0
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert 25 <= _retry_after(exchange_with([("Retry-After", later)])) <= 31
    assert _retry_after(exchange_with([("Retry-After", "soon")])) is None
    assert _retry_after(exchange_with([])) is None


def test_only_http_is_fetched():
    with pytest.raises(FetchError) as caught:
        Fetcher().get("file:///etc/passwd")
    assert caught.value.reason == "not allowed"


def test_wikipedia_article_from_url():
    assert article("https://en.wikipedia.org/wiki/Transformer_(deep_learning_architecture)") == (
        "Transformer (deep learning architecture)",
        "en",
    )
    assert article("https://zh.m.wikipedia.org/wiki/%E6%B3%A8%E6%84%8F%E5%8A%9B") == (
        "注意力",
        "zh",
    )


_PUBLIC_TO_PRIVATE = r"""
import subprocess, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
subprocess.run(["ip", "addr", "add", "93.184.216.34/32", "dev", "lo"], check=True)

class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/go":
            self.send_response(302)
            self.send_header("Location", f"http://127.0.0.1:{private.server_port}/secret")
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            body = b"<html><body>the router's admin page</body></html>"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
    def log_message(self, *args):
        pass

public = ThreadingHTTPServer(("93.184.216.34", 0), Handler)
private = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
for server in (public, private):
    threading.Thread(target=server.serve_forever, daemon=True).start()
from kgnotes.fetch import Fetcher, FetchError
fetcher = Fetcher()
try:
    fetcher.get(f"http://93.184.216.34:{public.server_port}/go")
    print("FOLLOWED")
except FetchError as exc:
    print("REFUSED", exc.reason, "|", exc.detail)
mine = fetcher.get(f"http://127.0.0.1:{private.server_port}/secret")  # the user's own link
print("OWN", mine.status)
"""


def test_a_public_page_cannot_redirect_the_archiver_into_a_private_network():
    import shutil
    import subprocess
    import sys

    if not (shutil.which("unshare") and shutil.which("ip")):
        pytest.skip("needs unshare and ip (util-linux, iproute2) for a network namespace")
    try:
        done = subprocess.run(
            ["unshare", "-rn", sys.executable, "-c", _PUBLIC_TO_PRIVATE],
            capture_output=True,
            text=True,
            timeout=120,
        )
    except OSError as exc:
        pytest.skip(f"cannot make a network namespace here: {exc}")
    if (
        done.returncode != 0
        and "unshare" in done.stderr
        and "Operation not permitted" in done.stderr
    ):
        pytest.skip(f"cannot make a network namespace here: {done.stderr.strip()}")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("REFUSED not allowed | redirect from a public address"), lines
    assert lines[1] == "OWN 200"
