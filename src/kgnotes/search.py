"""Hybrid search: dense (embeddings) and lexical (BM25) rankings fused, then grouped by owner.

Dense search finds paraphrases that share no word with the answer; lexical search finds exact
terms, names and Chinese phrases that an English-trained model reads poorly. Reciprocal rank
fusion needs no score calibration between the two, and grouping turns passages into one
result per journal entry or source, with its best passage as the snippet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kgnotes import embed
from kgnotes.cjk import CJK_RUN, cjk_bigrams

if TYPE_CHECKING:  # the store pulls in the journal parser; a search server client needs none
    from kgnotes.store import ChunkDetail, Store

RRF_K = 60
# The bundled English model reads Chinese poorly and drifts on exact terms, so its ranking
# counts for less: on bench/search_quality.py's 56 queries, weights 1.0/1.0 made hybrid worse
# than lexical alone (nDCG@10 0.776 vs 0.798); 0.4/1.0 beats both (0.808).
DENSE_WEIGHT = 0.4
LEXICAL_WEIGHT = 1.0
CANDIDATES = 200
KINDS = {"entry": "note", "document": "source", "concept": "concept"}
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_COMMON_WORDS = (  # not worth marking in a snippet
    "the and for with that this from what which who how why are was were has have had not "
    "but its into about than then them they you your our can"
)
_STOPWORDS = frozenset(_COMMON_WORDS.split())


@dataclass(frozen=True)
class SearchOptions:
    limit: int = 10
    kind: str | None = None  # note, source or concept
    since: str | None = None  # YYYY-MM-DD
    until: str | None = None
    mode: str = "hybrid"  # or "dense" / "lexical" alone, to compare them


def search(store: Store, model: str, query: str, options: SearchOptions) -> list[dict[str, Any]]:
    """The best entries and sources for ``query``, best first.

    Each ranking of passages is first collapsed to a ranking of owners (an entry or a source
    at its best passage), so a long source with many passages cannot crowd the list; the owner
    rankings are then fused by reciprocal rank, each weighted.
    """
    rankings: list[tuple[float, list[int]]] = []
    if options.mode in ("hybrid", "dense"):
        rankings.append((DENSE_WEIGHT, _dense(store, model, query)))
    if options.mode in ("hybrid", "lexical"):
        rankings.append((LEXICAL_WEIGHT, store.lexical_matches(fts_query(query), CANDIDATES)))
    details = store.chunk_details(list({c for _, ranking in rankings for c in ranking}))
    fused: dict[tuple[str, int], float] = {}
    best: dict[tuple[str, int], ChunkDetail] = {}
    for weight, ranking in rankings:
        owners: dict[tuple[str, int], None] = {}  # in order of first appearance
        for chunk_id in ranking:
            detail = details.get(chunk_id)
            if detail is None or not _wanted(detail, options):
                continue
            owner = (detail.owner_type, detail.owner_id)
            if owner not in owners:
                owners[owner] = None
                best.setdefault(owner, detail)
        for rank, owner in enumerate(owners):
            fused[owner] = fused.get(owner, 0.0) + weight / (RRF_K + rank + 1)
    ranked = sorted(fused.items(), key=lambda item: -item[1])[: options.limit]
    return [_result(score, best[owner], query) for owner, score in ranked]


def _dense(store: Store, model: str, query: str) -> list[int]:
    import numpy as np

    rows, matrix = _vectors(store, model)
    if not rows:
        return []
    scores = matrix @ embed.encode(model, [query])[0]
    if len(scores) > CANDIDATES:  # the best few, without sorting every score
        top = np.argpartition(-scores, CANDIDATES)[:CANDIDATES]
        order = top[np.argsort(-scores[top], kind="stable")]
    else:
        order = np.argsort(-scores, kind="stable")
    return [rows[i][0] for i in order]


_loaded: list[Any] = []  # [connection, model, data_version, rows, matrix] of the last load


def _vectors(store: Store, model: str) -> tuple[list[tuple[int, str, int, bytes]], Any]:
    """Every chunk vector as one matrix, kept while the database is unchanged (a long-lived
    ``kgnotes serve`` then answers without reading them again). ``PRAGMA data_version`` is
    per connection, so the cache is tied to the connection object itself."""
    version = store.data_version()
    if _loaded and _loaded[0] is store.db and _loaded[1] == model and _loaded[2] == version:
        return _loaded[3], _loaded[4]
    rows = store.chunk_vectors(model)
    matrix = _matrix(rows) if rows else None
    _loaded[:] = [store.db, model, version, rows, matrix]
    return rows, matrix


def _matrix(rows: list[tuple[int, str, int, bytes]]) -> Any:
    import numpy as np

    matrix = np.frombuffer(b"".join(row[3] for row in rows), dtype=np.float32)
    return matrix.reshape(len(rows), -1)


def related(
    store: Store, model: str, owners: set[tuple[str, int]], limit: int = 10
) -> list[dict[str, Any]]:
    """The notes and sources nearest in meaning to ``owners`` (an entry or a source), by the
    mean of their passages' vectors."""
    import numpy as np

    rows, matrix = _vectors(store, model)
    mine = [i for i, row in enumerate(rows) if (row[1], row[2]) in owners]
    if not mine:
        return []
    centre = matrix[mine].mean(axis=0)
    centre /= np.linalg.norm(centre) or 1.0
    scores = matrix @ centre
    picked: dict[tuple[str, int], tuple[float, int]] = {}
    for i in np.argsort(-scores):
        owner = (rows[i][1], rows[i][2])
        if owner[0] == "concept":
            continue  # related reading: notes and sources, not the concepts they name
        if owner not in owners and owner not in picked:
            picked[owner] = (float(scores[i]), rows[i][0])
            if len(picked) == limit:
                break
    details = store.chunk_details([chunk_id for _, chunk_id in picked.values()])
    return [_result(score, details[chunk_id], "") for score, chunk_id in picked.values()]


def fts_query(query: str) -> str:
    """An FTS5 query: any of the words, each CJK run as a phrase of its bigrams."""
    terms = []
    for run in CJK_RUN.findall(query):
        pairs = cjk_bigrams(run)
        terms.append('"' + " ".join(pairs) + '"')
    latin = CJK_RUN.sub(" ", query)
    terms += [f'"{word}"' for word in _WORD.findall(latin)]
    return " OR ".join(terms)


def _wanted(detail: ChunkDetail, options: SearchOptions) -> bool:
    if options.kind and KINDS.get(detail.owner_type) != options.kind:
        return False
    if options.since and (not detail.day or detail.day < options.since):
        return False
    return not (options.until and (not detail.day or detail.day > options.until))


def _result(score: float, detail: ChunkDetail, query: str) -> dict[str, Any]:
    kind = KINDS[detail.owner_type]
    if kind == "note":  # a passage of the journal: its first line is its topic
        title = detail.text.strip().splitlines()[0][:120] if detail.text.strip() else detail.day
    else:
        title = detail.title or detail.url
    return {
        "kind": kind,
        "title": title,
        "date": detail.day,
        "url": detail.url,
        "page": _page(kind, detail),
        "score": round(score, 6),
        "snippet": snippet(detail.text, query),
    }


def _page(kind: str, detail: ChunkDetail) -> str | None:
    """The vault page a result lives on, relative to the vault: the one ``kgnotes export``
    wrote, else where it will write it."""
    if detail.page:
        return detail.page
    if kind == "note" and detail.day:
        return f"Journal/{detail.day}.md"
    if kind == "concept" and detail.title:
        return f"Concepts/{detail.title}.md"
    return None


def snippet(text: str, query: str, width: int = 240) -> str:
    """The part of ``text`` around the first query word, with query words in **bold**."""
    words = {
        w.lower()
        for w in _WORD.findall(CJK_RUN.sub(" ", query))
        if len(w) > 2 and w.lower() not in _STOPWORDS
    }
    words |= set(CJK_RUN.findall(query))
    flat = re.sub(r"\s+", " ", text).strip()
    pattern = None
    if words:  # latin words from their start (heads, Heads), CJK runs anywhere
        alternatives = sorted(words, key=len, reverse=True)
        pattern = re.compile(
            "|".join(
                re.escape(w) if CJK_RUN.match(w) else rf"\b{re.escape(w)}" for w in alternatives
            ),
            re.IGNORECASE,
        )
    match = pattern.search(flat) if pattern else None
    start = max(0, match.start() - width // 3) if match else 0
    piece = flat[start : start + width]
    piece = ("…" if start else "") + piece + ("…" if start + width < len(flat) else "")
    return pattern.sub(lambda m: f"**{m.group(0)}**", piece) if pattern else piece
