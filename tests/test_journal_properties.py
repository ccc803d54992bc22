"""Properties: the parser never raises, and never loses a link written outside code."""

from hypothesis import given, settings
from hypothesis import strategies as st

from kgnotes.journal import parse_journal
from kgnotes.urls import normalize

_hosts = st.from_regex(r"[a-z][a-z0-9]{0,10}\.(com|org|io|cn)", fullmatch=True)
# Paths end in a letter or digit: a URL's final "." or "~" is read as the sentence's.
_paths = st.from_regex(r"(/[A-Za-z0-9_\-.~]{0,11}[A-Za-z0-9_]){0,3}/?", fullmatch=True)
_urls = st.builds(
    lambda s, h, p: f"{s}://{h}{p}", st.sampled_from(["http", "https"]), _hosts, _paths
)
_words = st.text(
    alphabet=st.characters(blacklist_characters="`~\x00", blacklist_categories=("Cs",)),
    max_size=30,
).filter(lambda w: "://" not in w)
_wrappers = st.sampled_from(
    ["{}", "<{}>", "[t]({})", "[t] [{}]", "({})", "（{}）", "{}，", "{}。", "{}."]
)
_headings = st.sampled_from(["# 7-21", "## topic", "# 2-30", "# 2024-01-05", "# July 4", ""])


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_parser_never_raises(text):
    parse_journal(text)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.tuples(st.just("url"), _urls, _wrappers),
            st.tuples(st.just("text"), _words, st.just("{}")),
            st.tuples(st.just("heading"), _headings, st.just("{}")),
        ),
        max_size=25,
    ),
    st.lists(
        st.sampled_from([" ", "\n", "\n\n", "\n\n\n", "\n</br></br>\n", "\n---\n"]),
        min_size=25,
        max_size=25,
    ),
)
def test_every_url_outside_code_is_reported(pieces, separators):
    parts, expected = [], set()
    for (kind, value, wrapper), sep in zip(pieces, separators, strict=False):
        parts.append(wrapper.format(value) + sep)
        if kind == "url":
            expected.add(normalize(value))
        if kind == "heading" and value:
            parts[-1] = "\n" + parts[-1] + "\n"
    journal = parse_journal("".join(parts))
    found = {m.normalized for e in journal.entries for m in e.mentions}
    assert expected <= found
