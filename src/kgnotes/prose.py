"""The prose of an archived text: what its author wrote in words, for the concept graph.

Real tutorials are half code, and their pages carry the site around them: quiz cards, lesson
counters, "Enjoying this post?" boxes. None of that names an idea, yet it is where the most
frequent "terms" of a page come from (``d_model``, ``def forward``, ``Pre-lecture quiz``). So
before concepts are looked for, code blocks and display math become blank lines, inline code and
inline math are kept only as ``\\`…\\``` spans (readable in a quoted sentence, skipped when names
are matched), and lines that recur on three or more pages of one site are dropped as the site's
boilerplate.

Pure text in, text out.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from urllib.parse import urlsplit

_TICKS = re.compile(r"`+")
_DISPLAY_MATH = re.compile(r"\$\$.*?\$\$|\\\[.*?\\\]", re.DOTALL)
_INLINE_MATH = re.compile(r"(?<![\$\w])\$(?=\S)([^$\n]{1,200}?)(?<=\S)\$(?!\w)|\\\((.*?)\\\)")
_CODE_SPAN = re.compile(r"`[^`\n]*`")
_DIGITS = re.compile(r"\d+")
BOILERPLATE_PAGES = 3  # a line on this many pages of one site is the site's, not the page's
_SERIES = (
    ("lesson", re.compile(r"\blesson\s+(\d{1,3})\b", re.IGNORECASE)),
    ("lesson", re.compile(r"第\s*([0-9一二三四五六七八九十]{1,3})\s*[课講讲]")),
    ("chapter", re.compile(r"\bchapter\s+(\d{1,3})\b", re.IGNORECASE)),
    ("chapter", re.compile(r"第\s*([0-9一二三四五六七八九十]{1,3})\s*章")),
    ("part", re.compile(r"\bpart\s+(\d{1,3})\b", re.IGNORECASE)),
)
_CHINESE_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九十")}


def without_code(text: str) -> tuple[str, list[str]]:
    """``text`` with code blocks and display math blanked and inline code and math reduced to
    single-backtick spans; and the code it held (blocks and spans), for telling identifiers
    from words.

    Backtick runs are read the way extracted pages actually write them, not only as Markdown
    would: an inline span ends at the first backtick or at the end of its line, and the rest of
    a run such as ``):````, three or more, opens a block."""
    prose: list[str] = []
    code: list[str] = []
    position, mode, opened = 0, None, 0
    for run in _TICKS.finditer(text):
        ticks = len(run.group())
        if mode == "inline" and "\n" in text[opened : run.start()]:
            end = text.index("\n", opened)  # an unclosed span ends with its line
            _inline(text[opened:end], prose, code)
            position, mode = end, None
        if mode is None:
            prose.append(text[position : run.start()])
            mode, opened = ("block" if ticks >= 3 else "inline"), run.end()
        elif mode == "inline":
            _inline(text[opened : run.start()], prose, code)
            mode, rest = None, ticks - 1
            if rest >= 3:
                mode, opened = "block", run.end()
            elif rest:
                mode, opened = "inline", run.end()
        elif ticks >= 3:  # a block closes
            code.append(text[opened : run.start()])
            prose.append("\n\n")
            mode = None
        position = run.end()
    if mode == "block":
        code.append(text[opened:])
        prose.append("\n\n")
    elif mode == "inline":
        _inline(text[opened:], prose, code)
    else:
        prose.append(text[position:])
    return _without_math("".join(prose)), code


def _inline(span: str, prose: list[str], code: list[str]) -> None:
    span = span.replace("\n", " ").strip()
    if span:
        code.append(span)
        prose.append(f"`{span}`")


def _without_math(text: str) -> str:
    text = _DISPLAY_MATH.sub("\n\n", text)
    return _INLINE_MATH.sub(lambda m: "`" + (m.group(1) or m.group(2) or "").strip() + "`", text)


def code_spans(sentence: str) -> list[tuple[int, int]]:
    """Where a sentence holds inline code or math (names there are not mentions)."""
    if "`" not in sentence:
        return []
    return [m.span() for m in _CODE_SPAN.finditer(sentence)]


def without_code_spans(sentence: str) -> str:
    """A sentence with its inline code blanked (the same length, so offsets still hold)."""
    for start, end in code_spans(sentence):
        sentence = sentence[:start] + " " * (end - start) + sentence[end:]
    return sentence


def plain(sentence: str) -> str:
    """A sentence as wording is read: inline code and bold markers blanked (the same
    length), so "is to use **residual blocks**" reads "is to use   residual blocks"."""
    return without_code_spans(sentence).replace("**", "  ").replace("__", "  ")


def site_of(url: str) -> str:
    """The site a page belongs to, for boilerplate: its host (with port)."""
    try:
        return urlsplit(url).netloc.lower()
    except ValueError:
        return ""


def _line_key(line: str) -> str:
    return _DIGITS.sub("0", " ".join(line.lower().split()))


def boilerplate(pages: Iterable[tuple[str, str]]) -> dict[str, frozenset[str]]:
    """Site → the lines (as ``_line_key`` has them) that recur on ``BOILERPLATE_PAGES`` or
    more of its pages: quiz cards, "Lesson 15 of 26 · …", "Image by the author", the
    newsletter box. ``pages`` are (url, text) pairs. A site with fewer pages has none."""
    seen: dict[str, Counter[str]] = defaultdict(Counter)
    for url, text in pages:
        seen[site_of(url)].update({_line_key(line) for line in text.splitlines() if line.strip()})
    return {
        site: frozenset(line for line, n in lines.items() if n >= BOILERPLATE_PAGES)
        for site, lines in seen.items()
    }


def drop_lines(text: str, lines: frozenset[str]) -> str:
    """``text`` without the given boilerplate lines."""
    if not lines:
        return text
    return "\n".join(line for line in text.splitlines() if _line_key(line) not in lines)


def series_position(title: str | None, text: str) -> tuple[str, int] | None:
    """Where a page stands in a tutorial series, from its title or opening lines: ("lesson",
    15) for "Lesson 15 of 26 · …" or "第 15 课", ("chapter", 2) for "第二章 Transformer 架构"."""
    opening = "\n".join([title or "", *text.splitlines()[:6]])
    for style, pattern in _SERIES:
        match = pattern.search(opening)
        if match:
            number = _number(match.group(1))
            if number is not None:
                return style, number
    return None


def _number(digits: str) -> int | None:
    if digits.isdigit():
        return int(digits)
    if all(c in _CHINESE_DIGITS for c in digits):  # 二 2, 十 10, 十二 12, 二十 20, 二十一 21
        values = [_CHINESE_DIGITS[c] for c in digits]
        if len(values) == 1:
            return values[0]
        if values[0] == 10:
            return 10 + sum(values[1:])
        if len(values) >= 2 and values[1] == 10:
            return values[0] * 10 + (values[2] if len(values) > 2 else 0)
    return None


_BLOCK_START = re.compile(r"^\s*(?:[#>|`$]|[-*+•]\s|\d+[.)]\s|[（(]?\d+[)）]\s)")
_CJK_END = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]$")
_CJK_START = re.compile(r"^[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


def unwrap(text: str) -> str:
    """Paragraphs whose source was wrapped at a fixed width (a page's HTML, a Markdown
    file: "When we encountered machine translation in Section 10.7,\\nwe designed an
    encoder--decoder architecture …") joined back into one line each, so a sentence is read
    whole. A line break stays where a block begins: a heading, a list item, a table row, a
    quote, a fence, at blank lines, and after the first line (a source's title). Chinese
    lines join without a space."""
    lines = text.split("\n")
    out: list[str] = []
    for line in lines:
        previous = out[-1] if out else ""
        if (
            len(out) > 1  # a text's first line is its title
            and previous.strip()
            and line.strip()
            and not _BLOCK_START.match(line)
            and not previous.lstrip().startswith(("#", "|", "`"))
        ):
            glue = (
                ""
                if _CJK_END.search(previous.rstrip()) and _CJK_START.match(line.lstrip())
                else " "
            )
            out[-1] = previous.rstrip() + glue + line.strip()
        else:
            out.append(line)
    return "\n".join(out)


_LANGUAGE_SEGMENT = re.compile(
    r"/(?:zh|zh-cn|zh-hans|zh-hant|zh-tw|cn|en|en-us|ja|ko|fr|de|es|pt|ru|it)(?=/)", re.IGNORECASE
)


_GENERIC_FILE = re.compile(r"^(?:|index|readme|default|main|home)(?:[.-].*)?$", re.IGNORECASE)


def translations(addresses: list[str]) -> list[tuple[int, int]]:
    """Pairs (by position) of addresses that are one page in two languages, as sites keep
    translations under a language folder: one address has the folder and the other has none
    or another, and they share the path without it ("/lessons/embeddings.html" and
    "/zh/lessons/embeddings.html"), or failing that a file name no other page of the site
    has (d2l renamed its chapter folders in translation: "…-and-transformers/multihead-
    attention.html" and "/zh/…/multihead-attention.html")."""
    pages: dict[tuple[str, str], list[int]] = defaultdict(list)
    files: dict[tuple[str, str], list[int]] = defaultdict(list)
    for number, address in enumerate(addresses):
        address = address.split("#")[0].split("?")[0]
        bare = _LANGUAGE_SEGMENT.sub("", address)
        site = site_of(address)
        pages[(site, bare)].append(number)
        name = bare.rstrip("/").rsplit("/", 1)[-1]
        if not _GENERIC_FILE.match(name):
            files[(site, name)].append(number)
    found: list[tuple[int, int]] = []
    paired: set[int] = set()
    for groups in (pages, files):
        for versions in groups.values():
            if len(versions) != 2 or paired & set(versions):
                continue
            marks = [_LANGUAGE_SEGMENT.findall(addresses[v]) for v in versions]
            if marks[0] == marks[1]:
                continue  # not a translation: the same language folder, or none on either
            found.append((versions[0], versions[1]))
            paired |= set(versions)
    return found
