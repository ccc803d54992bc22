"""What a query says about the journal itself: "the video I found very helpful", "the page I
said was badly written", "没看完的 transformer 章节", "the link I added on 7-16".

Each phrase turns on a filter on what the journal recorded about a link — its reading status,
the author's verdict, its kind, the day a note says it was added — and is taken out of the words
the query is ranked by. Only phrases that describe the author's own notes count ("helpful"
alone, or "what helped me", does not say the author called a page helpful), so a plain question
is left as it is. Pure functions on strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# (field, value, pattern): longest and negated forms first, so "not helpful" is not "helpful"
_PHRASES: list[tuple[str, str, str]] = [
    (
        "reading",
        "partial",
        r"没(?:有)?(?:看|读)完|未(?:看|读)完|(?:看|读)了一半|只看了一部分"
        r"|\bdid(?: not|n't) finish\b|\bnot (?:yet )?finished\b|\bunfinished\b"
        r"|\bhalf[- ](?:read|watched)\b|\bskimmed\b|\bstopped halfway\b",
    ),
    (
        "reading",
        "unread",
        r"还没(?:有)?(?:看|读)|没(?:有)?(?:看|读)过|没(?:看|读)(?!完)"
        r"|\b(?:have not|haven't|never) (?:yet )?(?:read|watched)\b|\bunread\b|\bunwatched\b"
        r"|\bnot (?:yet )?(?:read|watched)\b|\bstill to read\b",
    ),
    ("reading", "read", r"看完了|已经看完|读完了|\bfinished (?:reading|watching)\b"),
    (
        "quality",
        "negative",
        r"不怎么好|写(?:得|的)不(?:怎么|太)?好|讲(?:得|的)不(?:怎么|太)?好"
        r"|没(?:什么|啥)帮助|不太好|\b(?:badly|poorly) (?:written|explained)\b"
        r"|\bnot (?:very |so |that )?(?:good|helpful|useful|well[- ]written|clear)\b"
        r"|\bconfusing\b|\bunhelpful\b",
    ),
    (
        "quality",
        "positive",
        r"(?:写|讲)(?:得|的)(?:很|非常|挺)?(?:有帮助|清楚|好)"
        r"|(?:非常|很|挺|特别)有帮助|有帮助|很值得"
        r"|\b(?:very |really |so |quite |super |extremely )?helpful\b|\bworth it\b"
        r"|\bworth (?:reading|watching|a read|a watch)\b|\bwell[- ](?:written|explained)\b",
    ),
    ("kind", "video", r"\bvideos?\b|视频|\byoutube\b"),
    ("kind", "paper", r"\bpapers?\b|论文|\barxiv\b"),
]
_COMPILED = [(f, v, re.compile(p, re.IGNORECASE)) for f, v, p in _PHRASES]
_ADDED = re.compile(
    r"\badded\b[^.?!]{0,40}?\b(\d{1,2})[-/.](\d{1,2})\b"
    r"|(\d{1,2})[-/.](\d{1,2})\s*(?:补充|添加|加的|补的)",
    re.IGNORECASE,
)
FIELDS = ("reading", "quality", "kind", "added")


@dataclass(frozen=True)
class Facet:
    field: str  # reading | quality | kind | added
    value: str  # partial, positive, video, "07-16" …
    words: str  # what in the query (or which option) said so


@dataclass(frozen=True)
class Facets:
    facets: tuple[Facet, ...]
    rest: str  # the query without the phrases that named facets

    def value(self, field: str) -> str | None:
        return next((f.value for f in self.facets if f.field == field), None)


def read_query(query: str) -> Facets:
    """The facets a query's phrases name, and what is left of it to rank by."""
    found: list[Facet] = []
    rest = query
    match = _ADDED.search(rest)
    if match:
        month, day = (g for g in match.groups() if g)
        found.append(Facet("added", f"{int(month):02d}-{int(day):02d}", match.group(0).strip()))
        rest = rest[: match.start()] + " " + rest[match.end() :]
    for field, value, pattern in _COMPILED:
        if any(f.field == field for f in found):
            continue
        match = pattern.search(rest)
        if match:
            found.append(Facet(field, value, match.group(0).strip()))
            rest = rest[: match.start()] + " " + rest[match.end() :]
    return Facets(tuple(found), " ".join(rest.split()) or query)


def with_options(facets: Facets, **chosen: str | None) -> Facets:
    """The facets with the ones given as options (``--reading partial``) put first, winning
    over what the query's words said."""
    given = [
        Facet(field, value, f"--{field.replace('kind', 'link-kind')}")
        for field, value in chosen.items()
        if value
    ]
    named = {f.field for f in given}
    return Facets(
        tuple(given) + tuple(f for f in facets.facets if f.field not in named), facets.rest
    )


def asked(
    query: str,
    words: bool = True,
    reading: str | None = None,
    quality: str | None = None,
    kind: str | None = None,
) -> Facets:
    """What a search asks of the journal: the options given, then (with ``words``) what the
    query's phrases name."""
    named = read_query(query) if words else Facets((), query)
    return with_options(named, reading=reading, quality=quality, kind=kind)


def describe(facets: Facets) -> str:
    """``filters: kind video (“video”), quality positive (“very helpful”)``"""
    parts = [f"{f.field} {f.value} (“{f.words}”)" for f in facets.facets]
    return "filters: " + ", ".join(parts) if parts else ""
