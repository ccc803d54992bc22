"""What a search is asked and what it answers: the types the ``kgnotes search`` command and
the search server exchange.

They live apart from ``search.py`` so that a command answered by a running server imports
neither the ranking nor what it needs (about 40 ms of a warm search's 150 ms start).
"""

from __future__ import annotations

from dataclasses import dataclass

from kgnotes.lexical import MEMORY_ABOVE


@dataclass(frozen=True)
class SearchHit:
    """One result: a journal entry's passage (note), a source (source) or a concept."""

    kind: str  # note | source | concept
    title: str | None
    date: str | None  # the journal day, YYYY-MM-DD
    url: str | None
    page: str | None  # its page in the vault, relative to the vault
    score: float
    snippet: str  # the best passage around the query's words, those in **bold**
    final_url: str | None = None  # where the link led when archived, if not ``url`` (a redirect)
    moment: str | None = None  # a video's address at the moment its transcript says this


@dataclass(frozen=True)
class SearchOptions:
    limit: int = 10
    kind: str | None = None  # note, source or concept
    since: str | None = None  # YYYY-MM-DD
    until: str | None = None
    mode: str = "hybrid"  # or "dense" / "lexical" alone, to compare them
    multilingual: str | None = None  # the model that reads across languages, if any
    reading: str | None = None  # unread | partial | read: what the journal says of the link
    quality: str | None = None  # positive | negative
    link_kind: str | None = None  # article, paper, video, wiki, pdf, other
    facets: bool = True  # let the query's words turn filters on ("the video I …")
    lexical_above: int = MEMORY_ABOVE  # passages before the full text ranks in memory
