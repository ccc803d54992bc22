"""Read a learning journal the way its author meant it: pure functions, text in, dataclasses out.

A journal is Markdown-ish text with dated headings (``# 7-21``), and under each date, blocks
separated by ``</br>``, ``---`` or two blank lines. A block has topic lines (``scaling laws``),
links, notes to self in parentheses, paper titles written without a link, and prose.

Which link a note belongs to (the rule documented in the README):

1. a note on the same line as a link belongs to that link (the nearest link before it);
2. a note on a topic line (``self-attention (非常有帮助)``) belongs to the first link filed
   under that topic;
3. a note on its own line belongs to the link on the line right above it (no blank line
   between), else to the link on the line right below it, else to the next link in the block
   before another topic, else to the previous link in the block after the last topic;
4. a line of prose that ends with a colon (``论文如下：``) introduces every link after it in
   its block, up to the next topic or note;
5. a note with no link to go to stays with its block.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from kgnotes import annotations as notes_
from kgnotes import dates, urls
from kgnotes.annotations import Annotation
from kgnotes.cjk import CJK_CHAR, CJK_RUN

PARSER_VERSION = 1  # bump when parsing changes, so unchanged files are read again

_HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_BREAK = re.compile(
    r"^\s*(?:(?:</?\s*br\s*/?>\s*)+|(?:-\s*){3,}|(?:\*\s*){3,}|(?:_\s*){3,})$", re.I
)
_MARKER = re.compile(r"^\s*(?:(?:[-*+]|\d{1,3}[.)])\s+|>\s*)*")
_INLINE_CODE = re.compile(r"`[^`\n]*`")
_INLINE_MATH = re.compile(r"\$\$.*?\$\$|\$[^$\n]+\$")
_YEAR_IN_NAME = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_CJK = CJK_CHAR
_WIDE = re.compile(
    r"[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60]"
)
_PROSE_END = tuple(".。;；,，!！")
_LEAD_IN_END = (":", "：")
_TOPIC_MAX_WORDS, _TOPIC_MAX_WIDTH, _TOPIC_MAX_CJK = 8, 48, 10


@dataclass(frozen=True)
class Mention:
    """A link as written in one entry, with the notes that belong to it."""

    url: str
    normalized: str
    kind: str
    line: int
    title: str | None = None
    topic: str | None = None
    quote: str | None = None
    notes: tuple[Annotation, ...] = ()


@dataclass(frozen=True)
class Reference:
    """A paper title written without a link (``VERY DEEP CONVOLUTIONAL NETWORKS FOR …``)."""

    text: str
    line: int
    topic: str | None = None


@dataclass(frozen=True)
class Block:
    """A run of lines about one thing; ``topic`` is its first short non-URL line."""

    position: int
    line: int
    text: str
    topic: str | None = None
    topics: tuple[str, ...] = ()
    mentions: tuple[Mention, ...] = ()
    references: tuple[Reference, ...] = ()
    notes: tuple[Annotation, ...] = ()


@dataclass(frozen=True)
class Entry:
    """One dated section of a journal (``date`` None for text before the first date)."""

    date: date | None
    occurrence: int
    heading: str
    title: str
    line: int
    body: str
    blocks: tuple[Block, ...] = ()

    @property
    def content_hash(self) -> str:
        """Changes whenever anything the author wrote in this entry changes."""
        payload = f"{self.date}\x00{self.heading}\x00{self.body}"
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    @property
    def mentions(self) -> list[Mention]:
        return [m for block in self.blocks for m in block.mentions]


@dataclass(frozen=True)
class Problem:
    """Something in the notes that could not be read as meant; ``line`` is 1-based."""

    line: int
    message: str


@dataclass(frozen=True)
class Journal:
    entries: tuple[Entry, ...]
    problems: tuple[Problem, ...] = ()


@dataclass(slots=True)
class _Line:
    """One physical line and what the parser learnt about it."""

    number: int
    text: str
    code: bool = False
    math: bool = False
    heading: tuple[int, str] | None = None
    kind: str = "blank"
    content: str = ""
    spans: list[urls.UrlSpan] = field(default_factory=list)
    groups: list[notes_.Group] = field(default_factory=list)


def parse_journal(
    text: str, *, name: str | None = None, year: int | None = None, today: date | None = None
) -> Journal:
    """Parse a whole journal. Never raises on any text; problems are reported, not thrown."""
    today = today or date.today()
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines, meta_year = _scan(text)
    problems: list[Problem] = []
    dated = _date_headings(lines, year, meta_year or _year_from_name(name), today, problems)
    entries = _entries(lines, dated, _date_from_name(name), problems)
    return Journal(tuple(entries), tuple(problems))


def _scan(text: str) -> tuple[list[_Line], int | None]:
    """Split into lines, skip front matter, and mark code fences, math blocks and headings."""
    raw = text.split("\n")
    start, meta_year = _front_matter(raw)
    lines: list[_Line] = []
    fence: str | None = None
    math = False
    for number, line_text in enumerate(raw[start:], start=start + 1):
        item = _Line(number, line_text)
        fence_match = _FENCE.match(line_text)
        if fence is not None:
            item.code = True
            if (
                fence_match
                and fence_match.group(1)[0] == fence[0]
                and len(fence_match.group(1)) >= len(fence)
            ):
                fence = None
        elif fence_match:
            item.code, fence = True, fence_match.group(1)
        elif math or line_text.lstrip().startswith("$$"):
            item.math = True
            if line_text.count("$$") % 2 == 1:
                math = not math
        elif heading := _HEADING.match(line_text):
            item.heading = (len(heading.group(1)), heading.group(2))
        lines.append(item)
    return lines, meta_year


def _front_matter(raw: list[str]) -> tuple[int, int | None]:
    """Skip a leading ``---`` YAML block and take a year from its ``year:`` or ``date:`` key."""
    if not raw or raw[0].strip() != "---":
        return 0, None
    for end in range(1, min(len(raw), 200)):
        if raw[end].strip() in ("---", "..."):
            found = None
            for line in raw[1:end]:
                key, _, value = line.partition(":")
                match = _YEAR_IN_NAME.search(value)
                if key.strip().lower() in ("year", "date", "created") and match:
                    found = int(match.group(1))
            return end + 1, found
    return 0, None


def _year_from_name(name: str | None) -> int | None:
    match = _YEAR_IN_NAME.search(_basename(name))
    return int(match.group(1)) if match else None


def _date_from_name(name: str | None) -> date | None:
    """A daily-note file name such as ``2024-07-21.md`` dates the text before any heading."""
    heading = dates.read_heading(_basename(name).rsplit(".", 1)[0])
    if heading and heading.spec and heading.spec.year:
        return heading.spec.on(heading.spec.year)
    return None


def _basename(name: str | None) -> str:
    return re.split(r"[\\/]", name or "")[-1]


def _date_headings(
    lines: list[_Line],
    year: int | None,
    file_year: int | None,
    today: date,
    problems: list[Problem],
) -> dict[int, tuple[date, str]]:
    """Map line index → (day, title) for every date heading, deciding years where none is written.

    Order of authority: a year written in the heading, ``--year``, the day nearest the previous
    date heading (journals cross New Year, and some run backwards), a year from the file name,
    front matter or a year heading, and last the current year, moved back one year if that would
    put any of those days in the future.
    """
    found: dict[int, tuple[date, str]] = {}
    floating: list[int] = []  # days dated from the current year alone, directly or by chaining
    previous: date | None = None
    chained_from_today = False
    for index, line in enumerate(lines):
        heading = dates.read_heading(line.heading[1]) if line.heading else None
        if heading is None:
            continue
        if heading.year_only:
            file_year, previous = heading.year_only, None
            continue
        spec = heading.spec
        if spec is None:
            problems.append(
                Problem(line.number, f"'{line.text.strip()}' is not a real date: kept as text")
            )
            continue
        if written := spec.year or year:
            day, chained_from_today = spec.on(written), False
        elif previous:
            day = dates.closest(spec, previous)
        elif file_year:
            day, chained_from_today = spec.on(file_year), False
        else:
            day, chained_from_today = spec.on(today.year) or dates.closest(spec, today), True
        if day is None:
            problems.append(
                Problem(
                    line.number, f"'{line.text.strip()}' does not exist in that year: kept as text"
                )
            )
            continue
        found[index] = (day, spec.title)
        previous = day
        if chained_from_today:
            floating.append(index)
    _pull_back_future(found, floating, today)
    return found


def _pull_back_future(found: dict[int, tuple[date, str]], floating: list[int], today: date) -> None:
    """Days dated from the current year alone cannot be in the future: move them back a year."""
    while floating and max(found[i][0] for i in floating) > today:
        for i in floating:
            day, title = found[i]
            earlier = dates.DateSpec(day.month, day.day).on(day.year - 1)
            found[i] = (earlier or day - timedelta(days=365), title)


def _entries(
    lines: list[_Line],
    dated: dict[int, tuple[date, str]],
    name_date: date | None,
    problems: list[Problem],
) -> list[Entry]:
    """Cut the lines at date headings; text before the first date is an undated entry."""
    starts = sorted(dated)
    bounds: list[tuple[int | None, int, int]] = [(None, 0, starts[0] if starts else len(lines))]
    ends = [*starts[1:], len(lines)] if starts else []
    bounds += [(s, s + 1, e) for s, e in zip(starts, ends, strict=True)]
    entries: list[Entry] = []
    seen: dict[date | None, int] = {}
    for heading_index, begin, end in bounds:
        body_lines = lines[begin:end]
        if heading_index is None:
            if not _holds_writing(body_lines):
                continue
            day, title, heading, number = (
                name_date,
                "",
                "",
                (body_lines[0].number if body_lines else 1),
            )
        else:
            day, title = dated[heading_index]
            heading, number = lines[heading_index].text.strip(), lines[heading_index].number
        occurrence = seen[day] = seen.get(day, -1) + 1
        blocks = _blocks(body_lines, day, problems)
        entries.append(
            Entry(day, occurrence, heading, title, number, _body(body_lines), tuple(blocks))
        )
    return entries


def _holds_writing(lines: list[_Line]) -> bool:
    """Text before the first date is an entry unless it is only titles (``# My journal``); a
    heading that holds a link still counts, or the link would be lost."""
    return any(
        ln.text.strip() and (not ln.heading or urls.find_urls(ln.heading[1])) for ln in lines
    )


def _body(lines: list[_Line]) -> str:
    texts = [ln.text for ln in lines]
    while texts and not texts[0].strip():
        texts.pop(0)
    while texts and not texts[-1].strip():
        texts.pop()
    return "\n".join(texts)


def _blocks(lines: list[_Line], day: date | None, problems: list[Problem]) -> list[Block]:
    """Group an entry's lines into blocks at breaks, blank-line runs and sub-headings."""
    groups: list[list[_Line]] = [[]]
    blank_run = 0
    for line in lines:
        is_blank = not line.text.strip() and not line.code
        if not line.code and not line.math and _BREAK.match(line.text):
            groups.append([])
            blank_run = 0
            continue
        if line.heading and groups[-1]:
            groups.append([])
        blank_run = blank_run + 1 if is_blank else 0
        if blank_run == 2 and groups[-1]:
            groups.append([])
        groups[-1].append(line)
    blocks: list[Block] = []
    for group in groups:
        while group and not group[-1].text.strip() and not group[-1].code:
            group.pop()
        while group and not group[0].text.strip() and not group[0].code:
            group.pop(0)
        if group:
            blocks.append(_block(len(blocks), group, day, problems))
    return blocks


def _block(position: int, lines: list[_Line], day: date | None, problems: list[Problem]) -> Block:
    for line in lines:
        _classify(line, problems)
    topics = [_topic_text(ln) for ln in lines if ln.kind == "topic"]
    attached, loose = _attach(lines, day)
    mentions = []
    topic_of = _topics_before(lines)
    for i, line in enumerate(lines):
        if line.kind != "link":
            continue
        for k, span in enumerate(line.spans):
            mentions.append(_mention(line, span, topic_of[i], tuple(attached.get((i, k), ()))))
    references = [
        Reference(ln.content.strip(), ln.number, topic_of[i])
        for i, ln in enumerate(lines)
        if ln.kind == "reference"
    ]
    return Block(
        position=position,
        line=lines[0].number,
        text="\n".join(ln.text for ln in lines),
        topic=topics[0] if topics else None,
        topics=tuple(topics),
        mentions=tuple(mentions),
        references=tuple(references),
        notes=tuple(loose),
    )


def _classify(line: _Line, problems: list[Problem]) -> None:
    """Decide what one line is: link, note, topic, reference, lead-in, prose, code or math."""
    if line.code or line.math:
        line.kind = "code" if line.code else "math"
        return
    text = line.heading[1] if line.heading else _MARKER.sub("", line.text, count=1)
    line.content = text
    if not text.strip():
        line.kind = "blank"
        return
    masked = _mask(text, _INLINE_CODE.finditer(text), _INLINE_MATH.finditer(text))
    line.spans = [
        s for s in urls.find_urls(masked) if s.url.lower().startswith(("http://", "https://"))
    ]
    line.spans = [urls.UrlSpan(s.start, s.end, text[s.start : s.end]) for s in line.spans]
    for foreign in urls.find_foreign_urls(masked):
        problems.append(
            Problem(line.number, f"{foreign}: not an http(s) link, kept as text and never fetched")
        )
    masked = _mask(masked, line.spans)
    line.groups = [g for g in notes_.groups(masked) if not _inside_a_word(masked, g)]
    if line.spans:
        line.kind = "link"
    elif line.heading:
        line.kind = "topic"
    elif notes_.is_note_line(masked):
        line.kind = "note"
    elif _is_reference(text):
        line.kind = "reference"
    elif _is_topic(_without_groups(masked, line.groups)):
        line.kind = "topic"
    elif text.rstrip().endswith(_LEAD_IN_END):
        line.kind = "lead-in"
    else:
        line.kind = "prose"


def _inside_a_word(text: str, group: notes_.Group) -> bool:
    """``sqrt(d_k)``, ``O(n^2)``: brackets that belong to the word before them, not a note. A
    full-width bracket (``链接（没看完）``), a spaced one (``link (unread)``) and a Chinese
    remark however it is glued on (``BERT(非常有帮助)``) are notes."""
    glued = group.start > 0 and text[group.start - 1] in _WORD_CHARS
    return text[group.start] == "(" and glued and not CJK_RUN.search(group.inner)


_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


def _mask(text: str, *spans: Iterable[urls.UrlSpan | re.Match[str]]) -> str:
    """Blank out spans (URLs, code, math) so brackets inside them are not read as notes."""
    chars = list(text)
    for found in spans:
        for span in found:
            start, end = (span.start, span.end) if isinstance(span, urls.UrlSpan) else span.span()
            chars[start:end] = " " * (end - start)
    return "".join(chars)


def _without_groups(text: str, groups: list[notes_.Group]) -> str:
    for group in reversed(groups):
        text = text[: group.start] + text[group.end :]
    return text.strip()


def _topic_text(line: _Line) -> str:
    return _without_groups(line.content, line.groups).strip().strip("*_#").strip()


def _is_topic(text: str) -> bool:
    """Short, not a sentence: ``scaling laws``, ``Word2Vec``, ``what is linear probing?``."""
    text = text.strip().strip("*_").strip()
    if not text or text.endswith(_PROSE_END) or any(p in text for p in "。；！，"):
        return False
    if text[0] in "<$|!" or not re.search(r"[^\W\d_]", text):
        return False
    width = len(text) + len(_WIDE.findall(text))
    return (
        len(text.split()) <= _TOPIC_MAX_WORDS
        and width <= _TOPIC_MAX_WIDTH
        and len(_CJK.findall(text)) <= _TOPIC_MAX_CJK
    )


def _is_reference(text: str) -> bool:
    """A paper title written without a link: four or more words in capitals or in Title Case."""
    text = text.strip()
    words = text.split()
    if len(words) < 4 or _CJK.search(text) or text.endswith((".", "?", "!", ":")):
        return False
    letters = [c for c in text if c.isalpha()]
    if letters and sum(c.isupper() for c in letters) >= 0.8 * len(letters):
        return True
    long_words = [w for w in words if len(w) >= 4 and w[0].isalpha()]
    capitalised = [w for w in long_words if w[0].isupper()]
    return len(words) >= 5 and bool(long_words) and len(capitalised) == len(long_words)


def _attach(
    lines: list[_Line], day: date | None
) -> tuple[dict[tuple[int, int], list[Annotation]], list[Annotation]]:
    """Give each note to the link it refers to, by the module's documented rule."""
    attached: dict[tuple[int, int], list[Annotation]] = {}
    loose: list[Annotation] = []

    def give(target: tuple[int, int] | None, raw: str) -> None:
        note = notes_.interpret(raw, day)
        if target is None:
            loose.append(note)
        else:
            attached.setdefault(target, []).append(note)

    for i, line in enumerate(lines):
        if line.kind == "link":
            for group in line.groups:
                give((i, _nearest_span(line.spans, group.start)), _raw(line.content, group))
        elif line.kind == "topic":
            target = _next_link(lines, i, stop_at=("topic", "reference"))
            for group in line.groups:
                give(target, _raw(line.content, group))
        elif line.kind == "note":
            give(_note_target(lines, i), line.content.strip())
        elif line.kind == "lead-in":
            for k in _links_after(lines, i):
                give(k, line.content.strip())
    return attached, loose


def _raw(text: str, group: notes_.Group) -> str:
    return text[group.start : group.end].strip()


def _nearest_span(spans: list[urls.UrlSpan], column: int) -> int:
    before = [k for k, s in enumerate(spans) if s.end <= column]
    return before[-1] if before else 0


def _note_target(lines: list[_Line], i: int) -> tuple[int, int] | None:
    if i > 0 and lines[i - 1].kind == "link":
        return (i - 1, len(lines[i - 1].spans) - 1)
    if i + 1 < len(lines) and lines[i + 1].kind == "link":
        return (i + 1, 0)
    return _next_link(lines, i, stop_at=("topic", "reference")) or _previous_link(lines, i)


def _next_link(lines: list[_Line], i: int, stop_at: tuple[str, ...]) -> tuple[int, int] | None:
    for k in range(i + 1, len(lines)):
        if lines[k].kind == "link":
            return (k, 0)
        if lines[k].kind in stop_at:
            return None
    return None


def _previous_link(lines: list[_Line], i: int) -> tuple[int, int] | None:
    for k in range(i - 1, -1, -1):
        if lines[k].kind == "link":
            return (k, len(lines[k].spans) - 1)
        if lines[k].kind in ("topic", "reference"):
            return None
    return None


def _links_after(lines: list[_Line], i: int) -> list[tuple[int, int]]:
    targets = []
    for k in range(i + 1, len(lines)):
        if lines[k].kind in ("topic", "note", "reference"):
            break
        if lines[k].kind == "link":
            targets += [(k, n) for n in range(len(lines[k].spans))]
    return targets


def _topics_before(lines: list[_Line]) -> list[str | None]:
    """For each line, the topic line at or above it in the block: one pass, for a block of
    ten thousand links reads in linear time."""
    found: list[str | None] = []
    topic = None
    for line in lines:
        if line.kind == "topic":
            topic = _topic_text(line)
        found.append(topic)
    return found


def _mention(
    line: _Line, span: urls.UrlSpan, topic: str | None, notes: tuple[Annotation, ...]
) -> Mention:
    clean, quote = urls.split_text_fragment(span.url)
    normalized = urls.normalize(clean)
    return Mention(
        url=span.url,
        normalized=normalized,
        kind=urls.kind_of(normalized),
        line=line.number,
        title=_link_title(line, span),
        topic=topic,
        quote=quote,
        notes=notes,
    )


def _link_title(line: _Line, span: urls.UrlSpan) -> str | None:
    """Link text from ``[text](url)``, or the words on one side of a lone URL (``Title [url]``)."""
    text = line.content
    before = text[: span.start]
    if before.endswith("](") and (open_at := before.rfind("[")) >= 0:
        return before[open_at + 1 : -2].strip() or None
    if len(line.spans) != 1:
        return None
    strip = " \t[]<>()（）:：-–—|*_"
    left = _without_groups(before, [g for g in line.groups if g.end <= span.start]).strip(strip)
    after = text[span.end :]
    right = _without_groups(after, notes_.groups(after)).strip(strip)
    side = left if left and not right else right if right and not left else ""
    return side if re.search(r"[^\W\d_]", side) else None
