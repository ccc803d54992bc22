"""The Obsidian vault: it opens cleanly (the checker finds nothing), links everywhere, is the
same bytes from the same store, and never overwrites what the user wrote."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from kgnotes.names import MAX_BYTES, MAX_CHARS, Names, safe_name
from tests.vaultcheck import FORBIDDEN, RESERVED, check

HOSTILE_TITLES = [
    "../../etc/passwd",
    "CON",
    "con.txt",
    "a/b",
    "x|y",
    "What? A *star*: <b>",
    "[[wiki]] #tag ^block",
    "emoji 🚀 title",
    "." * 12,
    "   trailing dots...  ",
    "x" * 500,
    "line\nbreak",
    "",
]


def copy_of(vault: Path, tmp_path: Path) -> Path:
    target = tmp_path / "vault"
    shutil.copytree(vault, target)
    return target


def pages(root: Path) -> dict[str, bytes]:
    found = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if path.is_file() and relative.parts[0] not in (".kgnotes",):
            found[str(relative)] = path.read_bytes()
    return found


def test_add_writes_a_vault_the_checker_accepts(graph_vault):
    assert check(graph_vault) == []
    assert (graph_vault / "Journal" / "2024-07-26.md").exists()
    assert (graph_vault / "Sources" / "Vision transformer.md").exists()
    assert (graph_vault / "Concepts" / "ViT.md").exists()
    assert (graph_vault / "Home.md").exists() and (graph_vault / "Graph.canvas").exists()
    groups = json.loads((graph_vault / ".obsidian" / "graph.json").read_text())["colorGroups"]
    assert [g["query"] for g in groups] == ["path:Journal", "path:Sources", "path:Concepts"]


def test_journal_pages_keep_the_text_and_link_it(graph_vault):
    page = (graph_vault / "Journal" / "2024-07-24.md").read_text(encoding="utf-8")
    assert "ViT 其实就是把图片切成patch然后直接用transformer" in page
    assert "vision-transformer.html ([[Sources/Vision transformer|Vision transformer]])" in page
    assert page.count("[[Concepts/ViT|") == 1  # the first mention only
    latex = (graph_vault / "Journal" / "2024-07-18.md").read_text(encoding="utf-8")
    assert "$" in latex and "[[Concepts" not in latex.split("$", 1)[1].split("$", 1)[0]
    unread = (graph_vault / "Journal" / "2024-07-17.md").read_text(encoding="utf-8")
    assert "· unread)" in unread


def test_source_and_concept_pages_carry_properties_and_links(graph_vault):
    source = (graph_vault / "Sources" / "Attention Is All You Need.md").read_text("utf-8")
    properties = yaml.safe_load(source.split("---\n")[1])
    assert properties["url"] == "https://arxiv.org/abs/1706.03762"
    assert str(properties["published"]) == "2017-06-12"
    assert properties["kind"] == "paper" and "source" in properties["tags"]
    assert {"cs-CL", "cs-LG"} <= set(properties["tags"])  # arXiv's cs.CL: no dot in a tag
    assert not any("." in tag for tag in properties["tags"])
    assert "## Journal" in source and "## Archived text" in source
    concept = (graph_vault / "Concepts" / "ViT.md").read_text("utf-8")
    assert "Vision Transformer" in yaml.safe_load(concept.split("---\n")[1])["aliases"]
    assert "## Builds on\n\n- [[Concepts/Transformer|Transformer]] — “" in concept
    assert "## Leads to\n\n- [[Concepts/CLIP|CLIP]]" in concept
    assert "```mermaid\nflowchart LR" in concept


def test_same_store_same_bytes(graph_vault, kg, tmp_path):
    vault = copy_of(graph_vault, tmp_path)
    before = pages(vault)
    out = kg("--vault", str(vault), "export").stdout
    assert "0 pages written" in out and pages(vault) == before
    for folder in ("Journal", "Sources", "Concepts"):
        shutil.rmtree(vault / folder)
    kg("--vault", str(vault), "export")
    assert pages(vault) == before


def test_my_notes_survive_and_edited_pages_are_left_alone(graph_vault, kg, tmp_path):
    vault = copy_of(graph_vault, tmp_path)
    concept = vault / "Concepts" / "ViT.md"
    concept.write_text(concept.read_text("utf-8") + "Patches are just tokens!\n", "utf-8")
    source = vault / "Sources" / "Seq2seq.md"
    edited = source.read_text("utf-8").replace("# Seq2seq", "# Seq2seq (my title)", 1)
    source.write_text(edited + "mine\n", "utf-8")
    mine = vault / "Concepts" / "An idea of mine.md"
    mine.write_text("# my own page\n[[nowhere]]\n", "utf-8")
    (vault / ".obsidian" / "graph.json").write_text(
        json.dumps({"showTags": True, "colorGroups": [{"query": "tag:#x", "color": {}}]})
    )

    result = kg("--vault", str(vault), "export")
    assert concept.read_text("utf-8").endswith("## My notes\n\nPatches are just tokens!\n")
    assert source.read_text("utf-8") == edited + "mine\n"
    assert "Sources/Seq2seq.md: edited since kgnotes wrote it" in result.stderr
    assert mine.read_text("utf-8") == "# my own page\n[[nowhere]]\n"
    settings_ = json.loads((vault / ".obsidian" / "graph.json").read_text())
    assert settings_["showTags"] is True
    assert settings_["colorGroups"][0]["query"] == "tag:#x" and len(settings_["colorGroups"]) == 4

    kg("--vault", str(vault), "export", "--force")
    forced = source.read_text("utf-8")
    assert "# Seq2seq (my title)" not in forced and forced.endswith("## My notes\n\nmine\n")


def test_a_page_the_user_made_first_is_never_taken(graph_vault, kg, tmp_path):
    vault = copy_of(graph_vault, tmp_path)
    shutil.rmtree(vault / "Concepts")
    (vault / "Concepts").mkdir()
    theirs = vault / "Concepts" / "CLIP.md"
    theirs.write_text("my CLIP notes\n", "utf-8")
    (vault / ".kgnotes" / "config.toml").write_text("")  # nothing changes in the graph
    with_store = kg("--vault", str(vault), "export")
    assert theirs.read_text("utf-8") == "my CLIP notes\n"
    assert "Concepts/CLIP.md" in with_store.stderr


def test_retired_pages_go_unless_edited(graph_vault, kg, tmp_path):
    vault = copy_of(graph_vault, tmp_path)
    edited = vault / "Concepts" / "Sourdough.md"
    edited.write_text(edited.read_text("utf-8") + "keep me\n", "utf-8")
    settings = '[concepts]\nignore = ["houseplants", "Sourdough"]\n'
    (vault / ".kgnotes" / "config.toml").write_text(settings)
    assert (vault / "Concepts" / "houseplants.md").exists()
    kg("--vault", str(vault), "export")
    assert not (vault / "Concepts" / "houseplants.md").exists()
    assert edited.read_text("utf-8").endswith("keep me\n")
    assert check(vault) == [] or all("Sourdough" in p for p in check(vault))


def test_hostile_titles_and_pages_stay_inert(kg, web, tmp_path):
    body = (
        '<html><head><title>Quotes "and": colons\n--- {brackets} [[x]] ../../etc/passwd'
        "</title></head><body><article>"
        "<p>Text with <script>alert(1)</script> and an <iframe src='x'></iframe> and "
        "<a href='javascript:alert(2)'>a link</a> and <img src=x onerror=alert(3)>.</p>"
        "<p>" + "Plenty of ordinary words to make an article. " * 30 + "</p>"
        "</article></body></html>"
    )
    web.route("/hostile", lambda req: req.send(200, body.encode(), content_type="text/html"))
    notes = tmp_path / "j.md"
    notes.write_text(f"# 7-27\n\nhostile pages\n\n{web.url('/hostile')}\n", "utf-8")
    vault = tmp_path / "v"
    kg("--vault", str(vault), "add", "--year", "2024", str(notes))
    assert check(vault) == []
    (page,) = (vault / "Sources").glob("*.md")
    assert not FORBIDDEN.search(page.stem)
    text = page.read_text("utf-8")
    properties = yaml.safe_load(text.split("\n---\n")[0].removeprefix("---\n"))
    assert properties["title"].startswith('Quotes "and": colons')
    for bad in ("<script", "<iframe", "javascript:", "onerror="):
        assert bad not in text.split("## Archived text", 1)[1]


def test_strings_from_the_network_are_inert_in_the_vault_and_the_terminal(kg, web, tmp_path):
    hostile = "<script>alert(1)</script> [[Home]] ![[x]] %%c \x1b]0;PWNED\x07"
    web.route("/reason", lambda req: req.send(404, b"gone", reason=hostile))
    page = (
        "<html><head><title>%%hidden%% title [[Home]]</title></head><body><article><p>"
        + "Plenty of ordinary words to make an article. " * 30
        + "</p></article></body></html>"
    )
    web.route("/comment", lambda req: req.send(200, page.encode()))
    notes = tmp_path / "j.md"
    notes.write_text(
        f"# 7-27\n\nhostile servers\n\n{web.url('/reason')}\n\n{web.url('/comment')}\n", "utf-8"
    )
    vault = tmp_path / "v"
    result = kg("--vault", str(vault), "add", "--year", "2024", "--no-wayback", str(notes))
    shown = result.stdout + result.stderr + kg("--vault", str(vault), "links").stdout
    assert "\x1b" not in shown and "\x07" not in shown
    assert "\\x1b" in shown  # the escape is shown, not sent
    home = (vault / "Home.md").read_text("utf-8")
    failed = home.split("## Failed links", 1)[1]
    for bad in ("<script", "[[Home]]", "![[x]]", "%%", "\x1b"):
        assert bad not in failed, bad
    (source,) = (vault / "Sources").glob("*.md")
    assert "%%" not in source.name
    for text in [p.read_text("utf-8") for p in vault.rglob("*.md")]:
        assert "%%" not in text.split("## Archived text")[0]
    assert check(vault) == []


def test_open_prints_the_obsidian_uri(kg, tmp_path):
    vault = tmp_path / "my vault"
    out = kg("--vault", str(vault), "open", "--print").stdout.strip()
    assert out.startswith("obsidian://open?path=%2F") and "my%20vault" in out


@given(st.one_of(st.sampled_from(HOSTILE_TITLES), st.text(max_size=600)))
@settings(max_examples=300, deadline=None)
def test_any_title_makes_a_safe_name(title):
    name = safe_name(title)
    assert name and not FORBIDDEN.search(name) and not RESERVED.match(name)
    assert name == name.strip(" .") and len(name) <= MAX_CHARS
    assert len(name.encode("utf-8")) <= MAX_BYTES


@given(st.lists(st.sampled_from(["Attention", "attention", "ATTENTION", "CON", "a/b", ""])))
def test_names_stay_unique_without_regard_to_case(titles):
    names = Names()
    claimed = [names.claim(t) for t in titles]
    assert len({n.casefold() for n in claimed}) == len(claimed)


def test_search_results_name_their_vault_pages(graph_vault, kgv_json):
    for kind, folder in (("source", "Sources/"), ("note", "Journal/"), ("concept", "Concepts/")):
        (found,) = kgv_json("search", "vision transformer patches", "--kind", kind, "-n", "1")
        assert found["page"].startswith(folder), found
        assert (graph_vault / found["page"]).exists(), found


def test_the_sample_vault_passes_the_checker(kg, tmp_path):
    """The README's main job, offline: every link fails to fetch, the pages still hold."""
    sample = Path(__file__).parent.parent / "vault" / "notes"
    vault = tmp_path / "vault"
    shutil.copytree(sample, vault / "notes")
    out = kg("--vault", str(vault), "add", "--no-wayback", str(vault / "notes")).stdout
    assert "vault: " in out
    assert check(vault) == []
    day = (vault / "Journal" / "2025-03-14.md").read_text("utf-8")
    assert "[[Concepts/" in day and "(not archived: dns" in day
    assert "2025-03-14" in (vault / "Home.md").read_text("utf-8")


def test_pages_and_graph_files_follow_the_umask(kg, tmp_path):
    import os
    import stat

    notes = tmp_path / "j.md"
    notes.write_text("# 7-27\n\nattention\n\nhttps://example.com/a\n", "utf-8")
    vault = tmp_path / "v"
    old = os.umask(0o022)
    try:
        kg("--vault", str(vault), "add", "--no-fetch", "--year", "2024", str(notes))
        kg("--vault", str(vault), "graph", "-o", str(tmp_path / "g.json"))
    finally:
        os.umask(old)
    written = [vault / "Home.md", *vault.glob("Journal/*.md"), tmp_path / "g.json"]
    assert len(written) >= 3
    for path in written:
        assert stat.S_IMODE(path.stat().st_mode) == 0o644, path


def test_related_sources_rank_as_one_stable_sort_of_every_score(tmp_path):
    """Scored a block of sources at a time and only the best kept, the nearest sources are
    those a stable sort of the whole square of scores gives, ties (copies) included."""
    import numpy as np

    from kgnotes import embed
    from kgnotes.store import Store
    from kgnotes.vault import _nearest_sources

    rng = np.random.default_rng(3)
    base = rng.normal(size=(6, 8)).astype(np.float32)  # 40 sources, many exact copies
    with Store(tmp_path / "kg.db") as store, store.transaction():
        for document in range(1, 41):
            for position in range(1 + document % 3):
                vector = base[(document * 7 + position) % 6]
                digest = f"{document}-{position}"
                store.save_chunk("document", document, position, digest, digest, digest, None)
                store.save_vectors("m", [(digest, embed.blob(vector))], 8)
        link_of_document = {d: 100 + d for d in range(1, 41) if d != 13}
        got = [_nearest_sources(store, "m", link_of_document, block=b) for b in (3, 1024)]
        rows = store.chunk_vectors("m", "document")
    documents = sorted({r[2] for r in rows if r[2] in link_of_document})
    sums = np.zeros((len(documents), 8), dtype=np.float32)
    for r in rows:
        if r[2] in link_of_document:
            sums[documents.index(r[2])] += embed.matrix([r[3]])[0]
    sums /= np.linalg.norm(sums, axis=1, keepdims=True)
    scores = sums @ sums.T
    np.fill_diagonal(scores, -np.inf)
    want = {
        link_of_document[d]: [
            link_of_document[documents[j]] for j in np.argsort(-scores[i], kind="stable")[:5]
        ]
        for i, d in enumerate(documents)
    }
    assert got[0] == got[1] == want
