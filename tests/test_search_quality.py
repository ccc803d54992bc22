"""Search quality may not drop silently: the labelled corpus in bench/, with the real model."""

from __future__ import annotations

import pytest
from bench.search_quality import MODES, build_vault, evaluate, queries, serve_corpus

# Floors a little under what the current code measures: 0.808 and 0.881 (README, "Search").
HYBRID_FLOOR = {"ndcg@10": 0.78, "recall@5": 0.85}


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    web = serve_corpus()
    try:
        paths = build_vault(tmp_path_factory.mktemp("quality"), web)
        return {mode: evaluate(paths, queries(), mode) for mode in MODES}
    finally:
        web.close()


def test_hybrid_beats_both_alone(table):
    for metric in ("ndcg@10", "recall@5"):
        hybrid = table["hybrid"]["all"][metric]
        assert hybrid >= table["dense"]["all"][metric]
        assert hybrid >= table["lexical"]["all"][metric]
    assert table["hybrid"]["all"]["ndcg@10"] > max(
        table["dense"]["all"]["ndcg@10"], table["lexical"]["all"]["ndcg@10"]
    )


def test_hybrid_stays_above_its_floor(table):
    for metric, floor in HYBRID_FLOOR.items():
        assert table["hybrid"]["all"][metric] >= floor
