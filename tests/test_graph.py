"""The concept graph on its corpus (tests/fixtures/graph_corpus): the ladder attention →
transformer → ViT → CLIP drawn from the text, every rung explained, aliases resolved, the
distractors left apart, and every output format readable by the tools it is for."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET

import networkx as nx
import pytest

from kgnotes.concepts import Unit, find_concepts, key_of, topic_names
from kgnotes.render import FORMATS
from tests.graph_corpus import DISTRACTORS

LADDER = ["attention", "Transformer", "ViT", "CLIP"]


def in_order(names: list[str], wanted: list[str]) -> bool:
    """Is ``wanted`` a subsequence of ``names``?"""
    rest = iter(names)
    return all(any(n == w for n in rest) for w in wanted)


def test_path_climbs_the_ladder_and_says_why(kgv_json):
    found = kgv_json("path", "attention", "CLIP")
    assert found["path"][0] == "attention" and found["path"][-1] == "CLIP"
    assert in_order(found["path"], LADDER), found["path"]
    assert len(found["edges"]) == len(found["path"]) - 1
    for edge in found["edges"]:
        assert len(edge["signals"]) >= 2, edge
        assert edge["evidence"], edge
        for item in edge["evidence"]:
            assert item["source"] and len(item["sentence"]) > 10


def test_path_resolves_aliases_in_any_case(kgv_json):
    found = kgv_json("path", "Self Attention", "vision transformer")
    assert found["path"][0] == "self-attention" and found["path"][-1] == "ViT"
    assert "Transformer" in found["path"]
    assert kgv_json("path", "ATTENTION", "vit")["path"][-1] == "ViT"
    assert kgv_json("path", "transformers", "clip")["path"][0] == "Transformer"


def test_path_text_names_each_step_and_its_evidence(kgv):
    out = kgv("path", "Transformer", "CLIP").stdout
    assert out.splitlines()[0] == "Transformer → ViT → CLIP"
    assert "because naming: “vision transformer” contains “Transformer”" in out
    assert "“" in out and "— http" in out


def test_unknown_concepts_and_missing_paths_are_one_clear_line(kgv):
    result = kgv("path", "attention", "quantum gravity", expect=1)
    assert result.stderr.strip().startswith("Error: quantum gravity: no such concept")
    result = kgv("path", "sourdough", "CLIP", expect=1)
    assert "no builds-on path between" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_prereqs_come_foundations_first(kgv_json):
    found = kgv_json("prereqs", "clip")
    names = [p["name"] for p in found["prereqs"]]
    assert found["concept"] == "CLIP" and "CLIP" not in names
    assert in_order(names, LADDER[:-1]), names
    assert all(p["sources"] for p in found["prereqs"] if p["name"] in LADDER)


def test_builds_on_is_a_dag_and_distractors_stay_apart(kgv_json, tmp_path):
    kgv_json("graph", "-o", str(tmp_path / "g.json"))
    data = json.loads((tmp_path / "g.json").read_text(encoding="utf-8"))
    names = {n["id"]: n["name"] for n in data["nodes"]}
    concepts = {n["id"] for n in data["nodes"] if n["type"] == "concept"}
    builds = nx.DiGraph()
    builds.add_edges_from(
        (e["source"], e["target"]) for e in data["links"] if e["relation"] == "builds_on"
    )
    assert builds.number_of_edges() >= 5
    assert nx.is_directed_acyclic_graph(builds)
    between = nx.Graph()
    between.add_nodes_from(concepts)
    between.add_edges_from(
        (e["source"], e["target"])
        for e in data["links"]
        if e["source"] in concepts and e["target"] in concepts
    )
    attention = next(i for i in concepts if names[i] == "attention")
    ladder = nx.node_connected_component(between, attention)
    assert {names[i] for i in ladder} >= set(LADDER)
    distractor_words = ("sourdough", "marathon", "houseplant", "aqueduct", "面包", "浇水")
    stray = [names[i] for i in ladder if any(w in names[i].lower() for w in distractor_words)]
    assert not stray
    assert len(DISTRACTORS) == 4  # the corpus still has its four unrelated pages


def test_concepts_fold_variants_and_acronyms(kgv_json):
    table = {c["name"]: c for c in kgv_json("concepts")}
    assert set(LADDER) <= set(table)
    assert "Vision Transformer" in table["ViT"]["aliases"]
    assert {"self attention", "Self-attention"} <= set(table["self-attention"]["aliases"])
    assert "MLM" in table["masked language model"]["aliases"]
    assert table["Transformer"]["sources"] >= 5 and table["Transformer"]["mentions"] >= 20
    assert not any(name.startswith(("Need", "Worth")) for name in table)  # title fragments
    ranks = [c["pagerank"] for c in table.values()]
    assert max(ranks) > min(ranks) and all(isinstance(c["community"], int) for c in table.values())


def test_node_link_json_carries_the_promised_fields(kgv_json, tmp_path):
    out = tmp_path / "graph.json"
    summary = kgv_json("graph", "-o", str(out))
    data = json.loads(out.read_text(encoding="utf-8"))
    assert summary["nodes"] == len(data["nodes"])
    assert {n["type"] for n in data["nodes"]} == {"concept", "source", "entry"}
    for node in data["nodes"]:
        assert {"id", "name", "type", "aliases"} <= set(node)
    assert {e["relation"] for e in data["links"]} == {"builds_on", "related", "mentions", "about"}
    for link in data["links"]:
        assert {"source", "target", "relation", "weight"} <= set(link)


def test_every_format_is_readable_by_its_tools(kgv, tmp_path):
    for suffix in FORMATS:
        path = tmp_path / f"graph{suffix}"
        assert "wrote" in kgv("graph", "-o", str(path)).stdout
        raw = path.read_bytes()
        assert raw, suffix
        if suffix == ".png":
            assert raw.startswith(b"\x89PNG\r\n\x1a\n")
        elif suffix == ".pdf":
            assert raw.startswith(b"%PDF")
        elif suffix == ".svg":
            assert ET.fromstring(raw).tag.endswith("svg")
        elif suffix == ".graphml":
            assert nx.read_graphml(path).number_of_nodes() > 20
        elif suffix == ".gexf":
            assert nx.read_gexf(path).number_of_nodes() > 20
        elif suffix == ".mmd":
            assert raw.decode().startswith("flowchart LR") and "-->" in raw.decode()
        elif suffix == ".dot":
            assert raw.decode().startswith("digraph") and "builds_on" in raw.decode()
        elif suffix == ".canvas":
            check_canvas(json.loads(raw))
        elif suffix == ".html":
            page = raw.decode()
            assert "<script src" not in page and "<link" not in page  # no CDN, nothing fetched
            assert '"name": "CLIP"' in page or '"name":"CLIP"' in page
    assert not list(tmp_path.glob(".graph*"))  # no temporary files left behind


def check_canvas(canvas: dict) -> None:
    """The JSON Canvas 1.0 fields: nodes with id/type/x/y/width/height, edges between them."""
    ids = set()
    for node in canvas["nodes"]:
        assert node["type"] in ("text", "file", "link", "group")
        assert all(isinstance(node[k], int) for k in ("x", "y", "width", "height"))
        assert node["id"] not in ids
        ids.add(node["id"])
    for edge in canvas["edges"]:
        assert edge["fromNode"] in ids and edge["toNode"] in ids
        assert edge.get("fromSide", "top") in ("top", "right", "bottom", "left")
        assert edge.get("toEnd", "arrow") in ("none", "arrow")


def test_focus_depth_and_max_nodes_choose_the_concepts(kgv_json, tmp_path):
    out = tmp_path / "focus.json"
    kgv_json("graph", "-o", str(out), "--focus", "vision transformer", "--depth", "1")
    data = json.loads(out.read_text(encoding="utf-8"))
    names = {n["name"] for n in data["nodes"] if n["type"] == "concept"}
    assert {"ViT", "Transformer", "CLIP"} <= names and "sourdough" not in names
    assert "attention" not in names  # two hops away
    kgv_json("graph", "-o", str(out), "--max-nodes", "3")
    data = json.loads(out.read_text(encoding="utf-8"))
    assert sum(n["type"] == "concept" for n in data["nodes"]) == 3


def test_unknown_format_is_refused_before_any_work(kgv, tmp_path):
    result = kgv("graph", "-o", str(tmp_path / "graph.bmp"), expect=1)
    assert "unknown graph format .bmp" in result.stderr


def test_same_store_same_files(kgv, tmp_path):
    for name in ("a", "b"):
        for suffix in (".json", ".canvas", ".mmd", ".html", ".svg"):
            kgv("graph", "-o", str(tmp_path / f"{name}{suffix}"))
    for suffix in (".json", ".canvas", ".mmd", ".html"):
        assert (tmp_path / f"a{suffix}").read_bytes() == (tmp_path / f"b{suffix}").read_bytes()


def test_user_settings_win(kg_json, graph_vault, tmp_path):
    copy = tmp_path / "vault"
    shutil.copytree(graph_vault, copy)
    (copy / ".kgnotes" / "config.toml").write_text(
        '[concepts]\nignore = ["Google", "sourdough"]\n'
        'merge = [["Transformer", "Transformer encoder"]]\n'
        '[concepts.aliases]\n"attention mechanism" = ["attn", "注意力机制"]\n',
        encoding="utf-8",
    )
    table = {c["name"]: c for c in kg_json("--vault", str(copy), "concepts")}
    assert "Google" not in table and "sourdough" not in table
    assert "attention mechanism" in table  # the user's name for it
    assert {"attn", "注意力机制", "attention"} <= set(table["attention mechanism"]["aliases"])
    assert "Transformer encoder" in table["Transformer"]["aliases"]
    found = kg_json("--vault", str(copy), "path", "attn", "clip")
    assert found["path"][0] == "attention mechanism"


def test_search_finds_concepts_by_alias(kgv_json):
    found = kgv_json("search", "Vision Transformer", "--kind", "concept", "-n", "3")
    assert found[0]["title"] == "ViT" and found[0]["page"] == "Concepts/ViT.md"


# -- the parts, directly ------------------------------------------------------------------


def test_names_fold_case_hyphens_and_plurals():
    assert key_of("Self-Attention") == key_of("self attentions") == "self attention"
    assert key_of("Transformers") == key_of("transformer")
    assert key_of("Word2Vec") == "word2vec"


def test_topic_lines_name_concepts_the_way_the_journal_writes_them():
    assert topic_names("bert gpt", {"bert", "gpt"}) == ["bert", "gpt"]
    assert topic_names("encoder decoder") == ["encoder decoder"]
    assert topic_names("Roman aqueducts (随便看看)") == ["Roman aqueducts"]
    assert topic_names("Note to self (cross-entropy):") == []
    assert topic_names("为什么要除以根号d_k？") == []


def test_acronyms_join_their_expansions():
    text = (
        "The Vision Transformer (ViT) splits an image into patches. ViT then applies a "
        "standard Transformer. BERT is trained as a masked language model (MLM). "
        "The MLM objective hides tokens."
    )
    index = find_concepts([Unit("document", 1, text, "doc", title="ViT")])
    names = {c.name: c.aliases for c in index.concepts.values()}
    assert "ViT" in names and "Vision Transformer" in names["ViT"]
    mlm = next(c for c in index.concepts.values() if c.key in ("mlm", "masked language model"))
    assert {mlm.name, *mlm.aliases} >= {"MLM", "masked language model"}


def test_wording_cues_in_english_and_chinese():
    units = [
        Unit("entry", 1, "ViT\nViT builds on the Transformer.", "j1", topics=("ViT",)),
        Unit("entry", 2, "CLIP\nCLIP 是在ViT的基础上加了文本编码器", "j2", topics=("CLIP",)),
        Unit("entry", 3, "Transformer\nthe Transformer", "j3", topics=("Transformer",)),
    ]
    index = find_concepts(units)
    cues = {(index.concepts[a].name, index.concepts[b].name) for a, b, _, _ in index.cues}
    assert ("Transformer", "ViT") in cues and ("ViT", "CLIP") in cues


def test_the_authors_arrows_give_their_path_one_named_step_at_a_time():
    units = [
        Unit(
            "entry",
            1,
            "总结：CNN -> ResNet，RNN -> LSTM -> Transformer -> BERT / GPT -> ViT → CLIP",
            "j1",
            topics=("CNN", "ResNet", "RNN", "LSTM", "Transformer", "BERT", "GPT", "ViT", "CLIP"),
        ),
        Unit("document", 2, "# Notes\nInput -> CNN -> ResNet features.", "doc", title="Notes"),
    ]
    index = find_concepts(units)
    assert _stated(index, index.paths) == {
        ("CNN", "ResNet"),  # the comma ends a path: ResNet leads nowhere
        ("RNN", "LSTM"),
        ("LSTM", "Transformer"),
        ("ViT", "CLIP"),  # "BERT / GPT" names two: an order, not what ViT builds on
    }
    assert {u for _, _, u, _ in index.paths} == {0}  # a page's arrows are its data flow


def test_an_arrow_needs_papers_dated_its_way_to_tie_a_pair_on_its_own():
    from kgnotes.relations import relate

    papers = [
        ("ViT", "An Image is Worth 16x16 Words", "2020-10-22"),
        ("CLIP", "Learning Transferable Visual Models", "2021-02-26"),
    ]
    units = [
        Unit(
            "document",
            n,
            f"# {title}\nWe present {name}, a new model. {name} works well.",
            f"arxiv:{n}",
            title=f"{title} ({name})",
            published=day,
            paper=True,
            topics=(name,),
        )
        for n, (name, title, day) in enumerate(papers, 1)
    ]
    said = "summary\nViT -> CLIP, and CONV -> ReLU -> pooling"
    units.append(Unit("entry", 9, said, "j", day="2025-09-26", topics=("CONV", "ReLU", "pooling")))
    index = find_concepts(units)
    assert {("ViT", "CLIP"), ("CONV", "ReLU")} <= _stated(index, index.paths)
    edges = {(index.concepts[r.source].name, index.concepts[r.target].name) for r in relate(index)}
    assert ("ViT", "CLIP") in edges
    assert not {("CONV", "ReLU"), ("ReLU", "pooling")} & edges  # no paper dates a layer


def test_a_list_of_kinds_names_each_kind_but_a_list_of_parts_does_not():
    text = (
        "# 轻量级微调\n轻量级微调有许多变体，其中一些主要的方法包括：\n"
        "1. **提示调整（Prompt Tuning）**：在输入前添加可学习的嵌入。\n"
        "它只训练很少的参数。\n"
        "2. **前缀调整（Prefix Tuning）**：前缀调整也集中在输入部分。\n"
        "BERT has two pre-training tasks:\n"
        "- **Masked LM**: hide some words.\n"
        "There are several variants of RNN:\n"
        "- **LSTM** keeps a cell state.\n"
        "After that list, the text goes on. It says more. And more.\n"
        "- GRU is mentioned in a later list.\n"
    )
    topics = (
        "轻量级微调",
        "Prompt Tuning",
        "Prefix Tuning",
        "Masked LM",
        "BERT",
        "RNN",
        "LSTM",
        "GRU",
    )
    index = _page_and_topics(text, "轻量级微调", topics)
    assert _stated(index, index.genera) == {
        ("轻量级微调", "Prompt Tuning"),
        ("轻量级微调", "前缀调整"),  # after a sentence of the item before it
        ("RNN", "LSTM"),
    }


def _stated(index, which: list) -> set[tuple[str, str]]:
    return {(index.concepts[a].name, index.concepts[b].name) for a, b, _, _ in which}


def _page_and_topics(text: str, title: str, topics: tuple[str, ...]):
    """The concepts of one page titled ``title`` and a journal entry naming ``topics``."""
    entry = Unit("entry", 2, "topics\n" + ", ".join(topics), "j", topics=topics)
    return find_concepts([Unit("document", 1, text, "doc", title=title), entry])


def test_chinese_use_wording_and_parts_that_build_a_model():
    units = [
        Unit(
            "entry",
            1,
            "ResNet\nResNet最大的贡献在于添加了shortcut connection。",
            "j1",
            topics=("ResNet", "shortcut connection"),
        ),
        Unit(
            "entry", 2, "BottleNeck\nBottleNeck模块用来构建ResNet。", "j2", topics=("BottleNeck",)
        ),
        Unit("entry", 3, "the shortcut connection and the BottleNeck", "j3"),
    ]
    uses = _stated(find_concepts(units), find_concepts(units).uses)
    assert ("shortcut connection", "ResNet") in uses and ("BottleNeck", "ResNet") in uses


def test_a_tutorial_says_in_the_first_person_what_its_model_is_built_from():
    text = (
        "# CLIP from scratch\nCLIP trains an image encoder and a text encoder together. "
        "Here we will use a ResNet50 as our image encoder. We use a batch size of 32 and "
        "ResNet blocks everywhere. The CLIP loss compares both."
    )
    units = [
        Unit("document", 1, text, "doc", title="CLIP from scratch", topics=("CLIP",)),
        Unit("entry", 2, "ResNet\nResNet, CLIP", "j", topics=("ResNet",)),
    ]
    index = find_concepts(units)
    assert _stated(index, index.uses) == {("ResNet", "CLIP")}


def test_long_forms_say_what_a_short_name_builds_on():
    text = (
        "# CLIP\nCLIP (Contrastive Language-Image Pre-training) learns from captions. "
        "Contrastive learning pulls pairs together. Natural Language Processing (NLP) "
        "is older than CLIP. Language matters to CLIP and NLP alike."
    )
    index = _page_and_topics(text, "CLIP", ("contrastive learning", "language"))
    spelled = {(a.lower(), b) for a, b in _stated(index, index.spelled)}
    assert ("contrastive learning", "CLIP") in spelled  # by the kind of learning leading it
    assert ("language", "CLIP") not in spelled  # a word inside, not the head
    assert ("language", "NLP") not in spelled


def test_a_long_form_set_in_bold_still_spells_its_short_name():
    text = "# CLIP\nOpenAI calls it **CLIP**, for **Contrastive Language-Image Pre-training**."
    index = _page_and_topics(text, "CLIP", ("CLIP", "contrastive learning"))
    spelled = {(a.lower(), b) for a, b in _stated(index, index.spelled)}
    assert ("contrastive learning", "CLIP") in spelled


def test_two_ideas_joined_by_a_hyphen_are_no_kind_of_the_second():
    from kgnotes.relations import _Facts

    text = (
        "# Encoder-decoder\nAn encoder-decoder pairs an encoder with a decoder. "
        "The decoder reads what the encoder wrote. Masked self-attention hides the future."
    )
    topics = ("encoder", "decoder", "self-attention", "masked self-attention")
    facts = _Facts(_page_and_topics(text, "Encoder-decoder", topics))
    assert facts._naming("decoder", "encoder decoder") is None
    assert facts._naming("self attention", "masked self attention") == "masked self attention"


@pytest.mark.parametrize(
    ("text", "title", "topics", "stated"),
    [
        (  # a list of what a model builds on counts each name
            "# BERT\nBERT builds on top of a number of clever ideas that have been bubbling up "
            "recently -- including but not limited to ELMo, ULMFiT and the Transformer. "
            "We build on ideas such as ELMo too.",
            "BERT",
            ("BERT", "ELMo", "ULMFiT", "Transformer"),
            {("ELMo", "BERT"), ("ULMFiT", "BERT"), ("Transformer", "BERT")},
        ),
        (  # what fixes another idea's problem builds on it
            "# LSTM\nLSTM solves the vanishing gradient problem of RNNs. "
            "ResNet的出现，在一定程度上解决了卷积神经网络随深度的增加，但是模型效果却变差的问题。"
            "We solve the problem of RNNs with LSTM.",
            "LSTM",
            ("LSTM", "RNN", "ResNet", "卷积神经网络"),
            {("RNNs", "LSTM"), ("卷积神经网络", "ResNet")},
        ),
    ],
    ids=["a list of bases", "what fixes a problem"],
)
def test_wording_says_what_builds_on_what(text, title, topics, stated):
    index = _page_and_topics(text, title, topics)
    assert _stated(index, index.cues) == stated


def test_the_journal_defines_a_term_before_a_colon():
    from kgnotes.concepts.terms import noted_terms

    assert list(noted_terms("causal attention：对角线以上 mask 成 -inf")) == ["causal attention"]
    assert list(noted_terms("skip-gram + negative sampling: 正样本")) == [
        "skip-gram",
        "negative sampling",
    ]
    for label in (
        "TODO: read it",
        "Summary: good",
        "IoU:",
        "GPT-2 small 124M：12 层",
        "https://example.com: a link",
        "binary的情况：x",
    ):
        assert list(noted_terms(label)) == [], label


def test_paper_titles_name_the_ideas_they_are_about():
    from kgnotes.concepts.terms import paper_title_phrases

    assert paper_title_phrases("Language Models are Few-Shot Learners") == ["Language Models"]
    assert paper_title_phrases("LoRA: Low-Rank Adaptation of Large Language Models") == [
        "Low-Rank Adaptation",
        "Large Language Models",
    ]
    assert paper_title_phrases("Improving Language Understanding by Generative Pre-Training") == [
        "Language Understanding"
    ]
    assert paper_title_phrases("Efficient Estimation of Word Representations in Vector Space") == [
        "Word Representations"
    ]
    assert paper_title_phrases("Sequence to Sequence Learning with Neural Networks") == []


def test_a_title_phrase_named_only_where_the_title_is_quoted_is_no_concept():
    title = "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding"
    gpt = "Language Models are Few-Shot Learners"
    units = [
        Unit(
            "document", 1, f"{title}\nBERT is pre-trained.", "arxiv:bert", title=title, paper=True
        ),
        Unit(
            "document",
            2,
            f"{gpt}\nLanguage models predict text.",
            "arxiv:gpt",
            title=gpt,
            paper=True,
        ),
        Unit(
            "document",
            3,
            f"# BERT\nSee {title}. Language models can be large.",
            "blog",
            title="BERT",
        ),
        Unit("entry", 4, f"{title}\n{gpt}", "j"),
    ]
    names = {c.name for c in find_concepts(units).concepts.values()}
    assert "Deep Bidirectional Transformers" not in names
    assert any(n.lower() == "language models" for n in names)


def test_english_phrases_in_the_authors_chinese_are_terms_when_a_source_uses_them_too():
    from kgnotes.concepts.terms import embedded_phrases

    assert list(embedded_phrases("region proposal network 替代 selective search")) == [
        "region proposal network",
        "selective search",
    ]
    assert list(embedded_phrases("self attention是rnn和cnn的superset")) == ["self attention"]
    assert list(embedded_phrases("An English sentence with many words in it")) == []
    units = [
        Unit(
            "entry",
            1,
            "R-CNN\nregion proposal network 替代 selective search，hung yi lee的视频",
            "j",
        ),
        Unit(
            "document",
            2,
            "# Faster R-CNN\nA region proposal network shares features.",
            "doc",
            title="Faster R-CNN",
        ),
    ]
    names = {c.key for c in find_concepts(units).concepts.values()}
    assert "region proposal network" in names
    assert "selective search" not in names and "hung yi lee" not in names  # no source says it


def test_dotted_identifiers_name_no_concept():
    units = [
        Unit(
            "document",
            1,
            "# RNN\nAn RNN reads a sequence. Compare nn.RNN and "
            "torch.nn.LSTM, or call RNN.forward directly.",
            "doc",
            title="RNN",
        ),
        Unit("entry", 2, "RNN\nRNN and LSTM", "j", topics=("RNN", "LSTM")),
    ]
    index = find_concepts(units)
    mention = index.mentions[
        "recurrent neural network" if "recurrent neural network" in index.mentions else "rnn"
    ][0]
    assert mention.count == 2  # the title and "An RNN", not nn.RNN nor RNN.forward


def test_reading_in_two_processes_finds_the_same(monkeypatch):
    """A large archive is scanned in two halves at once; the result must not change."""
    from kgnotes.concepts import scan

    units = [
        Unit("document", i, f"Doc {i}\n" + text, f"u{i}", title=title)
        for i, (title, text) in enumerate(
            [
                ("ViT", "The Vision Transformer (ViT) builds on the Transformer encoder."),
                ("CLIP", "CLIP builds on the Vision Transformer and a text Transformer."),
                ("Transformer", "The Transformer is based solely on attention mechanisms."),
                ("BERT", "BERT is based on the Transformer encoder, trained as an MLM."),
            ]
            * 3
        )
    ]
    alone = find_concepts(units)
    monkeypatch.setattr(scan, "PARALLEL_CHARS", 0)
    halves = find_concepts(units)
    assert halves.concepts == alone.concepts
    assert halves.mentions == alone.mentions
    assert sorted(halves.cues) == sorted(alone.cues)


def test_names_no_text_glosses_join_across_languages_only_when_clear():
    """残差连接 and "residual connection" are one concept by the multilingual model alone; the
    names of a convolutional and a recurrent network, near in that model, stay two."""
    import functools

    from kgnotes import embed

    english = (
        "## Residual Connection\nA residual connection adds the input back. "
        "## Convolutional Neural Network\nA CNN slides filters. "
        "## Recurrent Neural Network\nAn RNN reads a sequence."
    )
    chinese = (
        "## 残差连接\n残差连接把输入加回输出。\n## 卷积神经网络\n卷积神经网络用卷积核。\n"
        "## 循环神经网络\n循环神经网络逐个读入。"
    )
    units = [
        Unit("document", 1, "Deep networks\n" + english, "en1", title="Deep networks"),
        Unit("document", 2, "More networks\n" + english, "en2", title="More networks"),
        Unit("document", 3, "深度网络\n" + chinese, "zh1", title="深度网络"),
        Unit("document", 4, "更多网络\n" + chinese, "zh2", title="更多网络"),
    ]
    names = functools.partial(embed.encode, embed.MULTILINGUAL_MODEL)
    joined = find_concepts(units, None, names)
    spelled = {c.key: {c.name, *c.aliases} for c in joined.concepts.values()}
    residual = next(s for s in spelled.values() if "残差连接" in s)
    assert "residual connection" in {x.lower() for x in residual}
    convolutional = next(s for s in spelled.values() if "卷积神经网络" in s)
    assert not {x.lower() for x in convolutional} & {"rnn", "recurrent neural network"}
    apart = find_concepts(units)  # no model: no translation
    assert not any("残差连接" in c.aliases and c.key != "残差连接" for c in apart.concepts.values())


def test_examples_of_a_kind_are_that_kind():
    text = (
        "# Decoder models\nDecoder models like GPT generate text one token at a time. "
        "Encoder models such as BERT and RoBERTa read the whole input. "
        "GPT, like BERT, is pretrained on a large corpus. "
        "解码器架构的著名模型就是大名鼎鼎的GPT系列模型。"
    )
    topics = ("decoder", "encoder", "GPT", "BERT", "RoBERTa", "解码器")
    index = _page_and_topics(text, "Decoder models", topics)
    genera = {(a, b) for a, b, _, _ in index.genera}
    assert {("decoder", "gpt"), ("encoder", "bert"), ("encoder", "roberta")} <= genera
    assert ("解码器", "gpt") in genera
    assert not {p for p in genera if "bert" in p and "encoder" not in p}  # a comparison


SEQ2SEQ_PAGE = (
    "# Seq2Seq\nSeq2Seq models map one sequence to another. "
    "With RNNs, sequence-to-sequence is implemented by two recurrent networks. "
    "Word2Vec maps words to vectors. Word2Vec learns from context."
)


@pytest.mark.parametrize(
    ("text", "title", "topics", "joined", "alias", "apart"),
    [
        (  # "to" written as 2: the words in full where hyphenated, not prose
            SEQ2SEQ_PAGE,
            "Seq2Seq",
            ("Seq2Seq", "RNN", "recurrent networks", "Word2Vec"),
            "seq2seq",
            "sequence-to-sequence",
            "word2vec",  # "words to vectors" is prose, no name
        ),
        (  # a short name glossed in Chinese, not a bracket of what the author thought of it
            "# CNN\n在深度学习中，attention 更多是作为 CNN（卷积神经网络）的组件存在。"
            "ResNet 是卷积神经网络的一个里程碑。BERT（非常有帮助）的那篇也要看。",
            "CNN",
            ("CNN", "ResNet", "BERT"),
            "cnn",
            "卷积神经网络",
            "bert",
        ),
    ],
    ids=["seq2seq", "glossed in Chinese"],
)
def test_a_name_written_out_in_full_is_one_concept_with_it(
    text, title, topics, joined, alias, apart
):
    index = _page_and_topics(text, title, topics)
    assert alias in index.concepts[joined].aliases
    assert index.concepts[apart].aliases == []


def test_implemented_by_is_a_use():
    index = _page_and_topics(SEQ2SEQ_PAGE, "Seq2Seq", ("Seq2Seq", "RNN", "recurrent networks"))
    assert ("recurrent network", "seq2seq") in {(a, b) for a, b, _, _ in index.uses}


def test_a_heading_that_names_a_step_names_no_concept():
    from kgnotes.concepts.terms import heading_names

    assert heading_names("### Text preprocessing") == []
    assert heading_names("## 2.3 Data loading") == []
    assert heading_names("## Positional encoding") == ["Positional encoding"]
    assert heading_names("## Negative sampling") == ["Negative sampling"]
