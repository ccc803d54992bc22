"""The approximate nearest-neighbour index of large vaults, made to start at one vector
(``KGNOTES_EXACT_BELOW=1``) so a small journal exercises it; the real model embeds."""

from __future__ import annotations

import numpy as np
import pytest

from kgnotes import nearest
from kgnotes.config import resolve_vault
from kgnotes.store import Store

TOPICS = {
    "2024-07-01": "self-attention lets every token look at every other token in the sequence",
    "2024-07-02": "gradient clipping keeps exploding gradients from wrecking the training run",
    "2024-07-03": "a risotto needs constant stirring and warm stock added a ladle at a time",
    "2024-07-04": "beam search keeps the few best partial translations at every decoding step",
    "2024-07-05": "contrastive learning pulls an image and its caption together, others apart",
    "2024-07-06": "the learning rate warmup ramps up slowly over the first thousand steps",
}
QUERIES = ("how do tokens attend to each other", "an Italian rice dish", "pairing images with text")


def journal(topics: dict[str, str]) -> str:
    return "\n\n".join(f"# {day}\n\n{text}" for day, text in topics.items()) + "\n"


@pytest.fixture
def large(kg, tmp_path, monkeypatch, vault):
    """A vault whose every model is past the size where its index starts."""
    monkeypatch.setenv("KGNOTES_EXACT_BELOW", "1")
    notes = tmp_path / "notes.md"
    notes.write_text(journal(TOPICS), encoding="utf-8")
    kg("add", "--no-fetch", str(notes))
    kg("index")
    return notes


def index_files(vault) -> list:
    return sorted((vault / ".kgnotes" / "nearest").glob("*.usearch"))


def in_step(vault) -> bool:
    """Every model's index holds exactly the store's chunks with their current texts."""
    with Store(resolve_vault(vault).db) as store:
        for model in store_models(store):
            path = nearest.index_file(store.path.parent, model)
            keys = sorted(map(tuple, np.load(path.with_suffix(".keys.npy")).tolist()))
            wanted = sorted((c, nearest.hash_key(h)) for c, h in store.vector_keys(model))
            if keys != wanted:
                return False
    return True


def store_models(store: Store) -> list[str]:
    return [r[0] for r in store.db.execute("SELECT DISTINCT model FROM vectors")]


def days(found: list[dict]) -> list[str]:
    return [r["date"] for r in found if r["kind"] == "note"]


def test_a_large_vault_searches_through_its_index_and_finds_what_exact_search_finds(
    large, kg_json, vault
):
    from kgnotes.search import dense_ranking

    assert len(index_files(vault)) == 2  # the English model and the multilingual one
    assert in_step(vault)
    with Store(resolve_vault(vault).db) as store:
        for model in store_models(store):
            for query in QUERIES:
                approximate = dense_ranking(store, model, query, depth=100)
                exact = dense_ranking(store, model, query, depth=None)  # every vector
                assert approximate[0] == exact[0]  # int8 vectors may swap far-off near-ties
                assert set(approximate) == set(exact)
        rice = dense_ranking(store, store_models(store)[0], "an Italian rice dish", depth=10)
        assert "risotto" in store.chunk_details(rice[:1])[rice[0]].text
    through_index = {q: days(kg_json("search", q, "-n", "3"))[0] for q in QUERIES}
    for path in index_files(vault):
        path.unlink()  # no index: the search multiplies by every vector
    assert {q: days(kg_json("search", q, "-n", "3"))[0] for q in QUERIES} == through_index


def test_edits_reach_the_index_and_a_damaged_one_is_built_again(large, kg, vault, caplog):
    edited = dict(TOPICS)
    edited["2024-07-03"] = "a carbonara wants guanciale, egg yolks and pecorino, never cream"
    del edited["2024-07-05"]
    edited["2024-07-07"] = "layer normalization rescales each token's features to unit variance"
    large.write_text(journal(edited), encoding="utf-8")
    said = kg("add", "--no-fetch", str(large)).stdout
    assert said.count("(2 added, 2 removed)") == 2, said  # a text changed, one gone, one new
    assert in_step(vault)
    damaged = index_files(vault)[0]
    damaged.write_bytes(b"not an index" * 10)
    assert "approximate index built: " in kg("index").stdout
    assert in_step(vault) and damaged.stat().st_size > 120
    assert any("it will be rebuilt" in r.getMessage() for r in caplog.records)


def test_a_small_vault_keeps_no_index(kg, tmp_path, vault, monkeypatch):
    notes = tmp_path / "notes.md"
    notes.write_text(journal(TOPICS), encoding="utf-8")
    monkeypatch.setenv("KGNOTES_EXACT_BELOW", "1")
    kg("add", "--no-fetch", str(notes))
    kg("index")
    assert index_files(vault)
    monkeypatch.delenv("KGNOTES_EXACT_BELOW")  # back to the default, far above six entries
    notes.write_text(journal({**TOPICS, "2024-07-08": "dropout drops units at random"}))
    kg("add", "--no-fetch", str(notes))
    kg("index")
    assert index_files(vault) == []


def test_an_index_built_with_other_settings_is_built_again(kg, tmp_path, vault, monkeypatch):
    """An index from before its connectivity changed is rebuilt with the new one, not kept."""
    from usearch.index import Index

    monkeypatch.setenv("KGNOTES_EXACT_BELOW", "1")
    settled = nearest.CONNECTIVITY
    monkeypatch.setattr(nearest, "CONNECTIVITY", 16)
    notes = tmp_path / "notes.md"
    notes.write_text(journal(TOPICS), encoding="utf-8")
    kg("add", "--no-fetch", str(notes))
    kg("index")
    assert {Index.restore(str(p)).connectivity for p in index_files(vault)} == {16}
    monkeypatch.setattr(nearest, "CONNECTIVITY", settled)
    assert "approximate index built: " in kg("index").stdout
    assert {Index.restore(str(p)).connectivity for p in index_files(vault)} == {settled}
    assert in_step(vault)
