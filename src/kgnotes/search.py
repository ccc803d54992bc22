"""Hybrid search: dense (embeddings) and lexical (BM25) rankings fused, then grouped by owner.

Dense search finds paraphrases that share no word with the answer; lexical search finds exact
terms, names and Chinese phrases that an English-trained model reads poorly. Reciprocal rank
fusion needs no score calibration between the two, and grouping turns passages into one
result per journal entry or source, with its best passage as the snippet.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

from kgnotes import embed, lexical, moments
from kgnotes import owners as owners_
from kgnotes.cjk import CJK_RUN, cjk_bigrams
from kgnotes.hits import SearchHit, SearchOptions
from kgnotes.urls import youtube_id

if TYPE_CHECKING:  # the store pulls in the journal parser; a search server client needs none
    from kgnotes.store import ChunkDetail, Store

RRF_K = 30
# Weights of the passage rankings, fused by reciprocal rank; chosen on the real pages of
# ../shared/corpus and checked on bench/search_quality.py's own corpus (README, "Figures").
# A query with Chinese in it leans on the multilingual model: the English one reads it poorly.
WEIGHTS = {  # (full text, English model, multilingual model, through concepts)
    "en": (1.0, 0.8, 0.4, 0.0),
    "zh": (1.0, 0.2, 0.2, 1.0),
}
ENTRY_WEIGHT = 0.7  # a journal entry repeats what the source's profile says: sources first…
FACET_BOOST = 2.0  # …unless the query speaks of the journal; links its words describe, first
CONCEPTS_THROUGH = 3  # concepts a Chinese query is matched to, for the sources about them
_JOURNAL_WORDS = re.compile(  # a query about what the author read: "the page that was slow"
    r"\b(?:I|my|me|mine)\b|我|那篇|那个|那条|那章|那一篇"
    r"|\bthe\s+(?:[\w\-]+\s+){0,3}?(?:page|link|video|post|article|paper|tutorial|chapter|readme"
    r"|repo|notebook|blog|lesson|one)\s+(?:that|which|where|with|I)\b",
    re.IGNORECASE,
)
CANDIDATES = 500
RERANK = 100  # of the approximate index's candidates, put in their exact order
TWIN_SHARE = 0.9  # of a source's score, for its translation
KINDS = {"entry": "note", "document": "source", "concept": "concept"}
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# Chinese has no spaces, but its question words and a few particles mark where one name ends
# and the next begins: 宫保鸡丁怎么做 asks for 宫保鸡丁, 卷积神经网络的滤波器 for two names.
# Only characters that rarely sit inside a word split alone (not 是 or 对: 但是, 对比学习).
_ZH_GLUE = re.compile(
    "怎么|怎样|如何|为什么|什么|哪些|哪个|有没有|是否|之间|以及|还是|那篇|这篇|那个|这个|一下"
    "|[的和与及吗呢]"
)
_COMMON_WORDS = (  # not worth marking in a snippet
    "the and for with that this from what which who how why are was were has have had not "
    "but its into about than then them they you your our can"
)
_STOPWORDS = frozenset(_COMMON_WORDS.split())


def search(store: Store, model: str, query: str, options: SearchOptions) -> list[SearchHit]:
    """The best entries and sources for ``query``, best first.

    Phrases that describe the journal's own notes ("the video I found very helpful", "没看完的")
    become filters on what the journal recorded about each link (see ``facets.py``) and leave
    the ranking. Each ranking of passages — full text, the English model over every passage,
    the multilingual model over the journal and each source's profile — is first collapsed to
    a ranking of owners (an entry or a source at its best passage), so a long source with many
    passages cannot crowd the list; the owner rankings are then fused by reciprocal rank, each
    weighted by the query's language.
    """
    from kgnotes import facets as facets_

    asked = facets_.asked(
        query, options.facets, options.reading, options.quality, options.link_kind
    )
    chosen = [f for f in asked.facets if f.words.startswith("--")]  # options filter…
    described = [f for f in asked.facets if not f.words.startswith("--")]  # …words lift
    allowed = (_allowed(store, chosen) or set()) if chosen else None  # options filter for real
    lifted = _allowed(store, described) if described else None
    text = asked.rest
    language = "zh" if CJK_RUN.search(text) else "en"
    lexical, dense, multilingual, through = WEIGHTS[language]
    depth = None if allowed is not None else CANDIDATES
    english = _english_names(store, text) if language == "zh" else ""  # 多头注意力: its name
    worded = f"{text} {english}".strip()  # in English too, for the rankings that read English
    rankings: list[tuple[float, list[tuple[str, int]], bool]] = []  # (weight, owners, lexical)
    chunk_rankings: list[tuple[float, list[int]]] = []
    if options.mode in ("hybrid", "dense"):
        chunk_rankings.append((dense, dense_ranking(store, model, worded, depth)))
        if options.multilingual:
            chunk_rankings.append(
                (multilingual, dense_ranking(store, options.multilingual, text, depth))
            )
            if through and options.mode == "hybrid":
                rankings.append(
                    (through, _through_concepts(store, options.multilingual, text), False)
                )
    lexical_ranking: list[int] = []
    if options.mode in ("hybrid", "lexical"):
        lexical_ranking = lexical_passages(store, worded, depth, options.lexical_above)
        chunk_rankings.append((lexical, lexical_ranking))
    passages = list({c for _, ranking in chunk_rankings for c in ranking})
    owner_of = _admitted(store, passages, options)
    best: dict[tuple[str, int], int] = {}  # owner → its passage ranked first by any ranking
    for weight, ranking in chunk_rankings:
        owners: dict[tuple[str, int], None] = {}  # in order of first appearance
        for chunk_id in ranking:
            owner = owner_of.get(chunk_id)
            if owner is None:
                continue
            owners.setdefault(owner, None)
            best.setdefault(owner, chunk_id)
        rankings.append((weight, list(owners), ranking is lexical_ranking))
    journal = bool(described) or about_the_journal(query)
    fused: dict[tuple[str, int], float] = {}
    for weight, owners_ranked, by_words in rankings:
        rank = 0
        for owner in owners_ranked:
            if owner not in best or (allowed is not None and owner not in allowed):
                continue
            share = weight / (RRF_K + rank + 1)
            if owner[0] == "entry" and not journal and not by_words:
                share *= ENTRY_WEIGHT  # short notes sit near every query in meaning
            fused[owner] = fused.get(owner, 0.0) + share
            rank += 1
    for owner in fused:
        if lifted and owner in lifted:
            fused[owner] += FACET_BOOST / (RRF_K + 1)
    _with_translations(store, fused, best, options, allowed)
    ranked = sorted(fused.items(), key=lambda item: -item[1])[: options.limit]
    details = store.chunk_details([best[owner] for owner, _ in ranked])  # the shown ones only
    return [_result(score, details[best[owner]], worded) for owner, score in ranked]


def _admitted(store: Store, ids: list[int], options: SearchOptions) -> dict[int, tuple[str, int]]:
    """The owner (entry, document or concept) of each passage the options let through. Only
    dates need the passage's details; its owner is a lookup by id."""
    if options.since or options.until:
        details = store.chunk_details(ids)
        return {i: (d.owner_type, d.owner_id) for i, d in details.items() if _wanted(d, options)}
    owners = _cached(store, "owners", lambda: owners_.load(store)).of(ids)
    if options.kind:
        return {i: o for i, o in owners.items() if KINDS.get(o[0]) == options.kind}
    return owners


def _english_names(store: Store, text: str) -> str:
    """The English names of the concepts a Chinese query names by a Chinese name of theirs
    (多头注意力机制 → multi-head attention), for the rankings that read English best."""
    found = []
    for chinese, english in _cached(store, "chinese names", lambda: _chinese_names(store)):
        if chinese in text and english.lower() not in text.lower():
            found.append(english)
            text = text.replace(chinese, " ")
    return " ".join(dict.fromkeys(found))


def _chinese_names(store: Store) -> list[tuple[str, str]]:
    """(Chinese name, the concept's English name) for each concept named in both, longest
    Chinese name first so 多头注意力 is found before 注意力."""
    pairs = []
    for concept in store.concepts():
        names = [concept.name, *concept.aliases]
        english = next((n for n in names if not CJK_RUN.search(n)), None)
        if english is None:
            continue
        pairs += [(n, english) for n in names if len(n) > 1 and CJK_RUN.fullmatch(n)]
    return sorted(pairs, key=lambda pair: -len(pair[0]))


def about_the_journal(query: str) -> bool:
    """Does the query ask after something the author read and noted ("what I said was badly
    written", "the page that was very slow to load", "那篇…的文章") rather than a topic? Then
    journal entries rank by meaning as sources do."""
    return bool(_JOURNAL_WORDS.search(query))


def _with_translations(
    store: Store,
    fused: dict[tuple[str, int], float],
    best: dict[tuple[str, int], int],
    options: SearchOptions,
    allowed: set[tuple[str, int]] | None,
) -> None:
    """A source's translation ranks just after it ("/lessons/x.html" and "/zh/lessons/x.html"
    say one thing in two languages): each takes ``TWIN_SHARE`` of the other's score if its
    own is lower. The query's words in one language rarely reach the other version, though
    the user wants both."""
    twins = _cached(store, "translations", lambda: _translations(store))
    lifted: dict[tuple[str, int], float] = {}
    for owner, score in fused.items():
        twin = twins.get(owner)
        if twin is None or (allowed is not None and twin[0] not in allowed):
            continue
        if TWIN_SHARE * score > max(fused.get(twin[0], 0.0), lifted.get(twin[0], 0.0)):
            lifted[twin[0]] = TWIN_SHARE * score
    unseen = {twins[owner][1]: owner for owner in lifted if owner not in best}
    for chunk in _admitted(store, list(unseen), options):  # one read for them all
        best[unseen[chunk]] = chunk
    fused.update({owner: score for owner, score in lifted.items() if owner in best})


def _translations(store: Store) -> dict[tuple[str, int], tuple[tuple[str, int], int]]:
    """Source → (its translation, the translation's first passage)."""
    from kgnotes.prose import translations

    documents = store.indexed_documents()
    twins = {}
    for a, b in translations([url for _, url, _ in documents]):
        (id_a, _, chunk_a), (id_b, _, chunk_b) = documents[a], documents[b]
        twins[("document", id_a)] = (("document", id_b), chunk_b)
        twins[("document", id_b)] = (("document", id_a), chunk_a)
    return twins


def _through_concepts(store: Store, model: str, text: str) -> list[tuple[str, int]]:
    """Owners by way of the concept graph: the concepts nearest the query (by their names,
    aliases and description, in any language), then the sources about each and those that
    mention it most — so 零样本图像分类 finds the English pages about zero-shot classification."""
    import numpy as np

    rows, matrix = _vectors(store, model, "concept")
    if not rows:
        return []
    scores = matrix @ _query_vector(model, text)
    mentions = _cached(store, "concept mentions", store.concept_mentions)
    found: dict[tuple[str, int], tuple[int, bool, int]] = {}
    for rank, i in enumerate(np.argsort(-scores)[:CONCEPTS_THROUGH]):
        for kind, owner, count, about in mentions.get(rows[i][2], []):
            found.setdefault((kind, owner), (rank, not about, -count))
    return sorted(found, key=lambda owner: found[owner])


def _allowed(store: Store, facets: list[Any]) -> set[tuple[str, int]] | None:
    """The entries and sources whose links match every facet: a source by its own link, an
    entry by any link it mentions. None when nothing matches (the facets are then ignored
    rather than leave the user with no answer)."""
    allowed: set[tuple[str, int]] = set()
    for found, owners in _cached(store, "link facets", lambda: _link_facets(store)):
        if all(found.get(f.field) == f.value for f in facets):
            allowed |= owners
    return allowed or None


def _link_facets(store: Store) -> list[tuple[dict[str, str | None], set[tuple[str, int]]]]:
    """What the journal recorded of links, and the sources and entries of the links it
    recorded that of: one group for each combination (a few thousand), not one for each link,
    which at 90,000 links held 200 MB and took a filtered search 166 ms to walk."""
    from kgnotes.annotations import fold

    owners = store.link_owners()
    groups: dict[tuple[str | None, ...], set[tuple[str, int]]] = {}
    for link in store.links():
        reading, quality, added = fold(link.notes)
        said = (reading, quality, link.kind, added.isoformat()[5:] if added else None)
        documents, entries = owners.get(link.id, (set(), set()))
        group = groups.setdefault(said, set())
        group.update(("document", d) for d in documents)
        group.update(("entry", e) for e in entries)
    fields = ("reading", "quality", "kind", "added")
    return [(dict(zip(fields, said, strict=True)), group) for said, group in groups.items()]


def dense_ranking(
    store: Store, model: str, query: str, depth: int | None = CANDIDATES
) -> list[int]:
    """Chunk ids by the cosine of their ``model`` vector to the query's, nearest first (the
    ``depth`` nearest, or all). A large vault answers from its approximate index (nearest.py);
    the rest, and every ranking asked for all, multiply the query by every vector."""
    import numpy as np

    if depth:
        from kgnotes import nearest

        index = _cached(store, f"nearest {model}", lambda: nearest.load(store, model))
        if index is not None:
            vector = _query_vector(model, query)
            return _reranked(store, model, vector, nearest.search(index, vector, depth))

    rows, matrix = _vectors(store, model)
    if not rows:
        return []
    scores = matrix @ _query_vector(model, query)
    if depth and len(scores) > depth:  # the best few, without sorting every score
        top = np.argpartition(-scores, depth)[:depth]
        order = top[np.argsort(-scores[top], kind="stable")]
    else:
        order = np.argsort(-scores, kind="stable")
    return [rows[i][0] for i in order]


def _reranked(store: Store, model: str, vector: Any, found: list[int]) -> list[int]:
    """The index's nearest, the first ``RERANK`` in the order of their exact cosines: the
    index compares int8 vectors, which can swap near neighbours; the float32 ones are in the
    store."""
    import numpy as np

    head = store.vectors_of(model, found[:RERANK])
    if not head:
        return found
    scores = embed.matrix(blob for _, blob in head) @ vector
    order = [head[i][0] for i in np.argsort(-scores, kind="stable")]
    placed = set(order)
    return order + [i for i in found if i not in placed]


@functools.lru_cache(maxsize=16)
def _query_vector(model: str, text: str) -> Any:
    """The query's vector under ``model``, encoded once though two rankings read it (the
    multilingual passages, and the concepts a Chinese query goes through)."""
    return embed.encode_query(model, text)


T = TypeVar("T")
_loaded: dict[str, list[Any]] = {}  # what → [connection, data_version, value]


def drop_caches() -> None:
    """Forget every vector matrix and index loaded so far (a process done with a vault)."""
    _loaded.clear()
    _query_vector.cache_clear()


def _cached(store: Store, what: str, load: Callable[[], T]) -> T:
    """``load()``, kept while the database is unchanged (a long-lived ``kgnotes serve`` then
    answers without reading it again). ``PRAGMA data_version`` is per connection, so the cache
    is tied to the connection object itself."""
    version = store.data_version()
    cached = _loaded.get(what)
    if cached and cached[0] is store.db and cached[1] == version:
        return cast(T, cached[2])
    value = load()
    _loaded[what] = [store.db, version, value]
    return value


def _vectors(
    store: Store, model: str, owner_type: str | None = None
) -> tuple[list[tuple[int, str, int, bytes]], Any]:
    """Every chunk vector of a model (or of one owner type's chunks), and the same as one
    matrix, loaded once while the database is unchanged."""

    def load() -> tuple[list[tuple[int, str, int, bytes]], Any]:
        rows = store.chunk_vectors(model, owner_type)
        return rows, embed.matrix(row[3] for row in rows) if rows else None

    return _cached(store, f"vectors {model} {owner_type or 'all'}", load)


def related(
    store: Store, model: str, owners: set[tuple[str, int]], limit: int = 10
) -> list[SearchHit]:
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


def lexical_passages(
    store: Store, query: str, depth: int | None, above: int = lexical.MEMORY_ABOVE
) -> list[int]:
    """Chunk ids holding any of the query's words, best BM25 first (the ``depth`` best, or
    all): from FTS5, or in a vault of ``above`` passages or more from its postings in memory,
    which rank the same passages in the same order (see lexical.py)."""
    phrases = fts_phrases(query)
    if not phrases:
        return []
    index = _cached(store, f"lexical {above}", lambda: lexical.load(store, above))
    if index is None:
        return store.lexical_matches(fts_query(query), depth or 100_000)
    return lexical.ranking(store, index, phrases, depth)


def fts_phrases(query: str) -> list[str]:
    """What the full text is searched for: each word, and each CJK run as a phrase of its
    bigrams."""
    phrases = []
    for run in CJK_RUN.findall(query):
        for piece in _ZH_GLUE.split(run):
            if len(piece) > 1 or piece == run:
                phrases.append(" ".join(cjk_bigrams(piece)))
    latin = CJK_RUN.sub(" ", query)
    return phrases + _WORD.findall(latin)


def fts_query(query: str) -> str:
    """An FTS5 query: any of the words, each CJK run as a phrase of its bigrams."""
    return " OR ".join(f'"{phrase}"' for phrase in fts_phrases(query))


def _wanted(detail: ChunkDetail, options: SearchOptions) -> bool:
    if options.kind and KINDS.get(detail.owner_type) != options.kind:
        return False
    if options.since and (not detail.day or detail.day < options.since):
        return False
    return not (options.until and (not detail.day or detail.day > options.until))


def _result(score: float, detail: ChunkDetail, query: str) -> SearchHit:
    kind = KINDS[detail.owner_type]
    if kind == "note":  # a passage of the journal: its first line is its topic
        title = detail.text.strip().splitlines()[0][:120] if detail.text.strip() else detail.day
    else:
        title = detail.title or detail.url
    return SearchHit(
        kind=kind,
        title=title,
        date=detail.day,
        url=detail.url,
        page=_page(kind, detail),
        score=round(score, 6),
        snippet=snippet(detail.text, query),
        final_url=detail.final_url if detail.final_url != detail.url else None,
        moment=_moment(detail, query) if kind == "source" else None,
    )


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


def _query_words(query: str) -> re.Pattern[str] | None:
    """The query's words as one pattern: latin words from their start (heads, Heads), CJK
    runs anywhere; None when it has no word worth finding."""
    words = {
        w.lower()
        for w in _WORD.findall(CJK_RUN.sub(" ", query))
        if len(w) > 2 and w.lower() not in _STOPWORDS
    }
    words |= set(CJK_RUN.findall(query))
    if not words:
        return None
    alternatives = sorted(words, key=len, reverse=True)
    return re.compile(
        "|".join(re.escape(w) if CJK_RUN.match(w) else rf"\b{re.escape(w)}" for w in alternatives),
        re.IGNORECASE,
    )


def _moment(detail: ChunkDetail, query: str) -> str | None:
    """For a passage of a video's transcript, the video's address at the moment the query's
    first word is said (the mark that opens its paragraph)."""
    if not detail.url or youtube_id(detail.url) is None:
        return None
    pattern = _query_words(query)
    found = pattern.search(detail.text) if pattern else None
    second = moments.moment(detail.text, found.start() if found else 0)
    return None if second is None else moments.at_moment(detail.url, second)


def snippet(text: str, query: str, width: int = 240) -> str:
    """The part of ``text`` around the first query word, with query words in **bold**."""
    pattern = _query_words(query)
    flat = re.sub(r"\s+", " ", text).strip()
    match = pattern.search(flat) if pattern else None
    start = max(0, match.start() - width // 3) if match else 0
    piece = flat[start : start + width]
    piece = ("…" if start else "") + piece + ("…" if start + width < len(flat) else "")
    return pattern.sub(lambda m: f"**{m.group(0)}**", piece) if pattern else piece
