"""The full-text ranking held in memory (lexical.py) against FTS5's own ``bm25()``: the same
passages in the same order, English words, repeated words, Chinese phrases and all; made to
start at one passage (``KGNOTES_LEXICAL_IN_MEMORY_ABOVE=1``) so a small journal exercises it."""

from __future__ import annotations

import random

import pytest

from kgnotes import lexical
from kgnotes.config import resolve_vault
from kgnotes.search import fts_phrases, fts_query, lexical_passages
from kgnotes.store import Store

ENTRIES = {
    "2024-07-01": "the attention of the model: every token attends to the other tokens",
    "2024-07-02": "self-attention and the transformer; the attention weights sum to one",
    "2024-07-03": "a risotto needs warm stock and the rice stirred, the stock a ladle at a time",
    "2024-07-04": "今天看了自注意力机制的视频，多头注意力讲得很清楚 the heads",
    "2024-07-05": "注意力 is all you need: the paper behind the transformer and its attention",
    "2024-07-06": "gradient clipping keeps exploding gradients in check during the training",
    "2024-07-07": "the learning rate warmup: the rate ramps up, then the rate decays",
    "2024-07-08": "beam search keeps the best partial translations at each decoding step",
}
QUERIES = (
    "the attention",
    "attention attention the",  # a word twice counts twice, as in FTS5
    "how does the rate of learning change",
    "自注意力",
    "多头注意力是什么 attention",
    "stock",
    "nothing matches this zzzz",
    "the",  # in most passages: FTS5's smallest weight, and every passage that holds it
)


@pytest.fixture
def indexed(kg, tmp_path, vault):
    notes = tmp_path / "notes.md"
    notes.write_text(
        "\n\n".join(f"# {day}\n\n{text}" for day, text in ENTRIES.items()) + "\n",
        encoding="utf-8",
    )
    kg("add", "--no-fetch", str(notes))
    kg("index")
    return notes


def fts_scores(store: Store, query: str) -> dict[int, float]:
    """Each matching passage's FTS5 ``bm25()``, lower is better."""
    rows = store.db.execute(
        "SELECT rowid, bm25(chunk_text) FROM chunk_text WHERE chunk_text MATCH ?",
        (fts_query(query),),
    )
    return {r[0]: r[1] for r in rows}


@pytest.mark.parametrize("packed", ["as built", "tiny runs and cap"])
def test_memory_ranks_the_passages_fts5_ranks_in_its_order(indexed, vault, packed):
    with Store(resolve_vault(vault).db) as store:
        index = lexical.load(store, above=1)
        assert index is not None and index.rows == store.fts_rows() >= len(ENTRIES)
        if packed != "as built":  # runs of 4 chunk ids, and every count over 1 kept aside
            index = lexical.build(store, store.fts_rows(), shift=2, cap=1)
            assert len(index.postings("the")) > 1 and len(index.over) > 0
        for term, number in index.terms.items():  # the bound MaxScore prunes by
            factors = [
                float(tf) * (lexical.K1 + 1) / (float(tf) + index.norms[part.base + int(at)])
                for part in index.postings(term)
                for at, tf in zip(part.offsets, part.counts, strict=True)
            ]
            assert index.peaks[number] == pytest.approx(max(factors)), term
        for query in QUERIES:
            scores = fts_scores(store, query)
            assert lexical.bm25(store, index, fts_phrases(query)) == pytest.approx(scores), query
            for depth in (None, 1, 2, 3, 5):  # a few: ranked by MaxScore, past its bound
                ranked = lexical.ranking(store, index, fts_phrases(query), depth)
                wanted = sorted(scores, key=lambda chunk: (scores[chunk], chunk))[:depth]
                assert len(ranked) == len(wanted), query
                # ties may fall either way; the scores, in order, are FTS5's
                assert [scores[c] for c in ranked] == pytest.approx(
                    [scores[c] for c in wanted], rel=1e-6
                ), query
                if depth is None:
                    assert set(ranked) == set(scores), query
        assert lexical.load(store, above=store.fts_rows() + 1) is None  # small: FTS5 ranks


def test_search_answers_the_same_from_memory_and_sees_new_passages(
    indexed, kg, kg_json, vault, monkeypatch
):
    queries = ("the attention weights", "自注意力", "warmup of the learning rate")
    by_fts5 = {q: kg_json("search", q, "--mode", "lexical") for q in queries}
    hybrid = {q: kg_json("search", q) for q in queries}
    monkeypatch.setenv("KGNOTES_LEXICAL_IN_MEMORY_ABOVE", "1")
    assert {q: kg_json("search", q, "--mode", "lexical") for q in queries} == by_fts5
    assert {q: kg_json("search", q) for q in queries} == hybrid
    with Store(resolve_vault(vault).db) as store:
        assert lexical_passages(store, "carbonara", None, above=1) == []
        more = indexed.read_text(encoding="utf-8") + "\n# 2024-07-09\n\ncarbonara wants pecorino\n"
        indexed.write_text(more, encoding="utf-8")
        kg("add", "--no-fetch", str(indexed))  # another connection writes: memory is stale
        found = lexical_passages(store, "carbonara", None, above=1)
        assert found and set(found) == set(store.lexical_matches(fts_query("carbonara"), 9))
        assert "pecorino" in store.chunk_details(found)[found[0]].text


def test_the_best_few_by_maxscore_are_the_best_of_all(kg, tmp_path, vault):
    """A journal of common words with a few rare ones: the best few passages for a query,
    found by scoring the rare words and only looking the common ones up, are those that
    scoring every passage for every word finds, in the same order."""
    rng = random.Random(5)
    common = ["the", "of", "model", "attention", "layer", "training", "data", "and", "a"]
    rare = ["risotto", "carbonara", "pecorino", "saffron"]
    days = []
    for n in range(150):
        words = [rng.choice(common) for _ in range(rng.randint(5, 40))]
        if rng.random() < 0.3:
            words += [rng.choice(rare)] * rng.randint(1, 3)
        words += [w for w in ("stock", "rice") if rng.random() < 0.3] * rng.randint(1, 4)
        rng.shuffle(words)
        days.append(f"# 2024-{n // 28 + 1:02d}-{n % 28 + 1:02d}\n\n{' '.join(words)}")
    notes = tmp_path / "common.md"
    notes.write_text("\n\n".join(days) + "\n", encoding="utf-8")
    kg("add", "--no-fetch", str(notes))
    pruned = 0
    with Store(resolve_vault(vault).db) as store:
        index = lexical.load(store, above=1)
        assert index is not None
        for query in (
            "risotto the model",
            "saffron of the layer data",
            "pecorino carbonara attention training and",
            "the",
            "the of and a",
            "risotto stock rice",  # once the rare word's best are found, rice still outweighs
        ):
            phrases = fts_phrases(query)
            scores = lexical.bm25(store, index, phrases)
            for depth in (1, 3, 10, 40):
                weighted = lexical._weighted(store, index, phrases)
                pruned += len(weighted) > 1 and lexical._top(index, weighted, depth)[1]
                ranked = lexical.ranking(store, index, phrases, depth)
                wanted = sorted(scores, key=lambda chunk: (scores[chunk], chunk))[:depth]
                assert [scores[c] for c in ranked] == pytest.approx(
                    [scores[c] for c in wanted], rel=1e-9
                ), (query, depth)
    assert pruned >= 4  # the rare words' best were out of the common words' reach
