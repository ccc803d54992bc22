from hypothesis import given
from hypothesis import strategies as st

from kgnotes.urls import arxiv_id, find_urls, kind_of, normalize, split_text_fragment, youtube_id


def urls_in(text: str) -> list[str]:
    return [span.url for span in find_urls(text)]


def test_trailing_punctuation_is_not_part_of_a_url():
    assert urls_in("see https://example.com/a, and https://example.com/b.") == [
        "https://example.com/a",
        "https://example.com/b",
    ]


def test_cjk_punctuation_ends_a_url():
    text = "看这个https://example.com/post）和https://example.com/x，还有https://example.com/y。好"
    assert urls_in(text) == [
        "https://example.com/post",
        "https://example.com/x",
        "https://example.com/y",
    ]
    assert urls_in("链接https://example.com/a、https://example.com/b") == [
        "https://example.com/a",
        "https://example.com/b",
    ]


def test_balanced_parentheses_stay_and_stray_ones_go():
    wiki = "https://en.wikipedia.org/wiki/Transformer_(deep_learning_architecture)"
    assert urls_in(wiki) == [wiki]
    assert urls_in(f"({wiki})") == [wiki]
    assert urls_in(f"[Transformer]({wiki}).") == [wiki]
    assert urls_in(f"see ({wiki}), then") == [wiki]


def test_markdown_forms():
    assert urls_in("<https://example.com/x>") == ["https://example.com/x"]
    assert urls_in("Paper title [https://arxiv.org/abs/2010.11929]") == [
        "https://arxiv.org/abs/2010.11929"
    ]
    assert urls_in('[a](https://example.com/a "title")') == ["https://example.com/a"]


def test_non_urls_are_ignored():
    assert urls_in("http:// and https://) and ftp://example.com") == []


def test_text_fragment_is_split_off_and_decoded():
    url = (
        "https://blog.example.com/what-is-r-cnn/#:~:text=Region%2Dbased%20Convolutional"
        "%20Neural%20Network,networks%20and%20region%2Dbased%20approaches"
    )
    clean, quote = split_text_fragment(url)
    assert clean == "https://blog.example.com/what-is-r-cnn/"
    assert (
        quote == "Region-based Convolutional Neural Network … networks and region-based approaches"
    )


def test_text_fragment_context_terms_are_dropped_and_other_fragment_kept():
    clean, quote = split_text_fragment("https://x.org/p#sec:~:text=before-,the%20quote,-after")
    assert (clean, quote) == ("https://x.org/p#sec", "the quote")


def test_normalize_folds_variants_of_one_page():
    variants = [
        "http://Example.com:80/post/?utm_source=x&utm_medium=y",
        "https://example.com/post",
        "https://EXAMPLE.com/post/#comments",
        "https://example.com/post?fbclid=abc",
        "https://example.com/post#:~:text=hello",
    ]
    assert {normalize(v) for v in variants} == {"https://example.com/post"}


def test_normalize_keeps_what_changes_the_page():
    assert normalize("https://example.com/a?b=2&a=1") == "https://example.com/a?a=1&b=2"
    assert normalize("https://example.com:8443/a") == "https://example.com:8443/a"
    assert normalize("https://example.com/#!/route") == "https://example.com/#!/route"


def test_arxiv_forms_fold_to_one_paper():
    forms = [
        "https://arxiv.org/abs/2010.11929",
        "https://arxiv.org/abs/2010.11929v2",
        "https://arxiv.org/pdf/2010.11929",
        "https://arxiv.org/pdf/2010.11929v1.pdf",
        "http://export.arxiv.org/abs/2010.11929",
        "https://arxiv.org/html/2010.11929v3",
    ]
    assert {normalize(f) for f in forms} == {"https://arxiv.org/abs/2010.11929"}
    assert arxiv_id("https://arxiv.org/abs/hep-th/9901001v2") == "hep-th/9901001"


def test_youtube_forms_fold_to_one_video():
    forms = [
        "https://www.youtube.com/watch?v=hYdO9CscNes",
        "https://youtu.be/hYdO9CscNes?si=abc",
        "https://m.youtube.com/watch?v=hYdO9CscNes&t=42",
        "https://www.youtube.com/embed/hYdO9CscNes",
        "https://www.youtube.com/shorts/hYdO9CscNes",
    ]
    assert {normalize(f) for f in forms} == {"https://www.youtube.com/watch?v=hYdO9CscNes"}
    assert youtube_id("https://www.youtube.com/watch?v=short") is None


def test_non_ascii_paths_are_percent_encoded():
    assert normalize("https://zh.wikipedia.org/wiki/注意力") == (
        "https://zh.wikipedia.org/wiki/%E6%B3%A8%E6%84%8F%E5%8A%9B"
    )
    assert normalize("https://zh.wikipedia.org/wiki/%e6%b3%a8%e6%84%8f%e5%8a%9b") == normalize(
        "https://zh.wikipedia.org/wiki/注意力"
    )


def test_kinds():
    assert kind_of("https://arxiv.org/abs/2010.11929") == "paper"
    assert kind_of("https://www.youtube.com/watch?v=hYdO9CscNes") == "video"
    assert kind_of("https://en.wikipedia.org/wiki/Word2vec") == "wiki"
    assert kind_of("https://example.com/report.pdf") == "pdf"
    assert kind_of("https://example.com/figure.png") == "other"
    assert kind_of("https://example.com/blog/post") == "article"


@given(st.text())
def test_find_urls_never_raises(text):
    for span in find_urls(text):
        assert text[span.start : span.end] == span.url
        normalize(span.url)
