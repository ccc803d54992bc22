"""Notes to self in parentheses, and what they say about a link.

A journal's author writes ``（没看完）`` ("not finished"), ``(这个写的不怎么好)`` ("not well
written"), ``(7-26补充链接)`` ("link added on 7-26") or "(very helpful)". This module finds the
parenthesised groups on a line and reads three facts out of each: reading status, quality, and
the day a link was added. Cues are matched leftmost-longest so that ``没看完`` (partial) is not
read as ``没看`` (unread), nor "not helpful" as "helpful"; when a note says several things, the
latest statement wins: ``（没看）（7.28，补着看了）`` ends as read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from kgnotes import dates

OPEN = "(（"
CLOSE = ")）"

UNREAD, PARTIAL, READ = "unread", "partial", "read"
POSITIVE, NEGATIVE = "positive", "negative"

_DATE = (
    r"(?P<{name}>(?:19|20)\d{{2}}[-/.]\d{{1,2}}[-/.]\d{{1,2}}|\d{{1,2}}[-/.]\d{{1,2}}|\d{{1,2}}月\d{{1,2}}[日号]?"
    r"|[A-Za-z]{{3,9}}\.? \d{{1,2}})"
)
_NOT_BEFORE_READ = r"(?<![没未要想待别])"

# (pattern, field, value). Chinese cues need no word boundaries; English ones get \b below.
_ZH_CUES: list[tuple[str, str, str]] = [
    (
        r"(?:还)?没(?:有)?(?:看|读)完|未(?:看|读)完|(?:看|读)了(?:一半|一部分|部分|一点|开头)"
        r"|(?:看|读)一半|只(?:看|读)了|粗略(?:地|的)?(?:看|读|扫)(?:了)?(?:一下下?|一遍|一眼)?"
        r"|(?:大概|简单|大致)(?:地)?(?:看|读)了(?:一下下?|一遍)?|略读|略看|扫了一(?:眼|遍)"
        r"|浏览了(?:一下)?|跳着看|待续|进行中",
        "reading",
        PARTIAL,
    ),
    (
        r"(?:还)?没(?:有)?(?:看|读)(?:过)?|未(?:看|读)|待(?:看|读)|(?:要|想|稍后|以后|回头|有空)(?:看|读)"
        r"|没来得及(?:看|读)",
        "reading",
        UNREAD,
    ),
    (
        _NOT_BEFORE_READ
        + r"(?:看|读)(?:完了?|过|了|懂了?|的)|当天(?:就)?(?:看|读)|已(?:看|读)|补看",
        "reading",
        READ,
    ),
    (
        r"没(?:有)?(?:什么|啥)?(?:帮助|用)|不(?:是)?(?:很|太|怎么|大)?(?:好|有帮助|清楚|有用|推荐)"
        r"|不怎么样|一般般|(?:写|讲)(?:得|的)一般|质量一般|看不懂|难懂|(?:很|太)差|差劲|垃圾|浪费时间"
        r"|错误(?:很多|较多)",
        "quality",
        NEGATIVE,
    ),
    (
        r"(?:非常|很|挺|特别|超)?有(?:帮助|用)|(?:非常|很|挺|特别)(?:好|棒|不错)|棒|不错"
        # a bare 好 is "good" only standing alone or in 好文/好用/好看: in 好慢, 好长, 好难 it is
        # "so" (这个页面加载好慢, "this page loads so slowly")
        r"|好(?![\u3400-\u9fff])|好(?=[文用看的])|强烈推荐|推荐|值得(?:一)?(?:看|读)"
        r"|(?:讲|写)(?:得|的)(?:很|非常|挺|比较|还是比较|还算)?(?:好|清楚|明白|透彻|详细)"
        r"|清楚|清晰|透彻|易懂|好懂|受益匪浅|精彩",
        "quality",
        POSITIVE,
    ),
]
_EN_CUES: list[tuple[str, str, str]] = [
    (
        r"not (?:yet )?(?:finished|done|complete)|unfinished|didn'?t finish|haven'?t finished"
        r"|part(?:ial)?ly (?:read|watched)|half[- ]?(?:read|watched|way)|read (?:about )?half"
        r"|skim(?:med)?|in progress|to be continued|still reading",
        "reading",
        PARTIAL,
    ),
    (
        r"not (?:yet )?(?:read|watched)|unread|unwatched|haven'?t (?:yet )?(?:read|watched)"
        r"|have not (?:yet )?(?:read|watched)|didn'?t (?:read|watch)|to[- ](?:read|watch)"
        r"|(?:read|watch) later|todo|to do",
        "reading",
        UNREAD,
    ),
    (
        r"finished(?: (?:reading|watching))?|read (?:it|this|through)|(?:have|already) read"
        r"|read|watched|done|completed",
        "reading",
        READ,
    ),
    (
        r"not (?:very |so |that |really |too |particularly )?(?:good|great|helpful|useful|clear"
        r"|well[- ]written|recommended|worth it)|unhelpful|useless"
        r"|bad(?:ly written)?|poor(?:ly written)?"
        r"|confusing|meh|waste of time|wrong|outdated|low[- ]quality|no good|overrated|misleading",
        "quality",
        NEGATIVE,
    ),
    (
        r"(?:very |really |super |extremely )?(?:helpful|useful)|great|excellent|good|clear"
        r"|well[- ](?:written|explained)|recommended|must[- ]read"
        r"|worth (?:a )?(?:read|reading|watch(?:ing)?)"
        r"|insightful|amazing|the best|love(?:d)? (?:it|this)",
        "quality",
        POSITIVE,
    ),
]
_ADDED = re.compile(
    _DATE.format(name="d1") + r"\s*(?:补充(?:的)?(?:链接)?|补(?:的)?链接|添加|加入|加的|加上|新增)"
    r"|\badded(?: (?:on|at))?\s+"
    + _DATE.format(name="d2")
    + r"|"
    + _DATE.format(name="d3")
    + r"\s+added\b",
    re.IGNORECASE,
)
_CUES = [(re.compile(p), f, v) for p, f, v in _ZH_CUES] + [
    (re.compile(r"\b(?:" + p + r")\b", re.IGNORECASE), f, v) for p, f, v in _EN_CUES
]


@dataclass(frozen=True)
class Group:
    """A parenthesised group on a line: ``inner`` is its text, ``closed`` False when unbalanced."""

    start: int
    end: int
    inner: str
    closed: bool = True


@dataclass(frozen=True)
class Annotation:
    """One note the author wrote about a link, as written and as understood."""

    raw: str
    reading: str | None = None
    quality: str | None = None
    added: date | None = None


def groups(line: str) -> list[Group]:
    """Top-level parenthesised groups, full-width or ASCII, in order; callers mask URLs and math."""
    found: list[Group] = []
    if "(" not in line and "（" not in line:
        return found
    depth, start = 0, 0
    for i, char in enumerate(line):
        if char in OPEN:
            if depth == 0:
                start = i
            depth += 1
        elif char in CLOSE and depth:
            depth -= 1
            if depth == 0:
                found.append(Group(start, i + 1, line[start + 1 : i]))
    if depth:
        found.append(Group(start, len(line), line[start + 1 :], closed=False))
    return found


def is_note_line(line: str) -> bool:
    """True when a line is nothing but parenthesised notes: ``（没看）（7.28，补着看了）``."""
    stripped = line.strip()
    if not stripped or stripped[0] not in OPEN:
        return False
    found = groups(stripped)
    if not found or not all(g.closed for g in found):
        return False
    rest = stripped
    for g in reversed(found):
        rest = rest[: g.start] + rest[g.end :]
    return not rest.strip()


def interpret(raw: str, anchor: date | None = None) -> Annotation:
    """Read reading status, quality and added date out of one note; ``anchor`` dates ``7-26``."""
    latest: dict[str, str] = {}
    for _start, _end, cue_field, cue_value in _cue_matches(raw):
        latest[cue_field] = cue_value
    return Annotation(
        raw=raw,
        reading=latest.get("reading"),
        quality=latest.get("quality"),
        added=_added(raw, anchor),
    )


def _cue_matches(text: str) -> list[tuple[int, int, str, str]]:
    candidates = sorted(
        (
            (m.start(), m.end(), f, v)
            for rx, f, v in _CUES
            for m in rx.finditer(text)
            if m.end() > m.start()
        ),
        key=lambda c: (c[0], c[0] - c[1]),
    )
    chosen: list[tuple[int, int, str, str]] = []
    for cand in candidates:
        if not chosen or cand[0] >= chosen[-1][1]:
            chosen.append(cand)
    return chosen


def _added(text: str, anchor: date | None) -> date | None:
    match = _ADDED.search(text)
    if not match:
        return None
    spec = dates.find_date(match.group("d1") or match.group("d2") or match.group("d3"))
    if spec is None:
        return None
    if spec.year:
        return spec.on(spec.year)
    return dates.closest(spec, anchor or date.today())


def fold(annotations: Iterable[Annotation]) -> tuple[str | None, str | None, date | None]:
    """Reading, quality and added date over notes in written order: the latest statement wins."""
    reading = quality = added = None
    for note in annotations:
        reading = note.reading or reading
        quality = note.quality or quality
        added = note.added or added
    return reading, quality, added
