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
