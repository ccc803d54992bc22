"""Concept-graph build and rendering speed on a large synthetic journal and source archive.

    python bench/graph.py [--entries 10000] [--documents 5000] [--vocabulary 500] [--quick]

Builds seeded synthetic journal entries and archived sources (``EntryText``/``SourceRecord``,
no HTTP, no archiving) from a vocabulary of invented technical concepts (some with acronyms,
some building on others) mixed with prose from the graph test fixtures. Times each stage of
what ``ensure_graph`` does (find concepts, relate, store, load + pagerank + communities +
transitive reduction) against a bare tokenising pass over the same texts (baseline), then
exports the 500 most important concepts and times ``render.write`` for each format, and 60
concepts to PNG for contrast. Prints seconds, ratios, file sizes and peak memory. The goal:
graph build under 30 s for 10k entries and 5k documents; rendering 500 nodes under 10 s.
"""

from __future__ import annotations

import argparse
import functools
import html
import itertools
import json
import os
import random
import re
import resource
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import TypeVar

from kgnotes import embed, render
from kgnotes.concepts import find_concepts, key_of
from kgnotes.graph import ConceptGraph, export, relate, save_graph, units_from
from kgnotes.store import EntryText, SourceRecord, Store

CORPUS = Path(__file__).parent.parent / "tests" / "fixtures" / "graph_corpus"
BUILD_GOAL = 30.0
RENDER_GOAL = 10.0
T = TypeVar("T")
START = date(2019, 1, 1)
SPAN_DAYS = 5 * 365

# field: domain nouns | heads | what it works on
FIELD_TABLE = """
vision: image pixel patch object scene depth | encoder detector segmenter backbone | images
language: token sentence dialogue parsing translation prompt | decoder tokenizer transformer
    parser | text
speech: phoneme waveform acoustic speaker prosody spectrogram | vocoder recognizer aligner
    codec | audio
graphs: graph message neighbourhood subgraph hypergraph walk | network convolution pooling
    embedding | graphs
control: policy reward value planning exploration critic | learner estimator search controller
    | agents
optimisation: gradient momentum curvature schedule weight batch | optimizer regularizer
    clipping averaging | training
generative: diffusion flow score energy latent noise | sampler autoencoder generator prior
    | samples
retrieval: retrieval index ranking query passage memory | reranker retriever hashing lookup
    | documents
systems: cache kernel tensor pipeline shard attention | scheduler compiler runtime allocator
    | accelerators
inference: posterior likelihood evidence belief particle mixture | inference filter bound
    estimator | uncertainty
robotics: grasp motion trajectory contact tactile locomotion | planner tracker controller
    simulator | robots
biology: protein molecule sequence genome structure binding | folding docking predictor
    aligner | molecules
"""
FIELDS = {
    name: (nouns.split(), heads.split(), data.strip())
    for name, rest in re.findall(r"(?m)^(\w+):(.*(?:\n    .*)*)", FIELD_TABLE)
    for nouns, heads, data in [" ".join(rest.split()).split("|")]
}
MODIFIER_WORDS = """sparse contrastive recurrent hierarchical residual variational adversarial gated
    spectral causal masked federated quantized dilated stochastic adaptive bayesian
    convolutional implicit equivariant autoregressive denoising kernelized probabilistic
    differentiable incremental multiscale symbolic deformable low-rank cross-modal
    self-supervised temporal structured continual distributed geometric"""
MODIFIERS = MODIFIER_WORDS.split()
SYLLABLE_TEXT = "zen tor ix quil mor van kel dra syn oph lum arc vex bri tal nov cor pel mir"
SYLLABLES = SYLLABLE_TEXT.split()
RESERVED = {"RNN", "CNN", "GPT", "BERT", "VIT", "CLIP", "LSTM", "GRU", "NLP", "MLP", "API"}

OPENINGS = [
    "The {c}{a} is a method for {data} that builds on the {p}.",
    "In {field}, the {c}{a} is an extension of the {p} to {data}.",
    "{C}{a} was introduced in {year} as a variant of the {p}.",
    "The {c}{a} is a widely used approach to {data}, first described in {year}.",
]
BODY = [
    "The {c} builds on the {p}, replacing one of its stages with a {s}.",
    "Like the {p}, the {c} relies on {s} during training.",
    "Compared with the {s}, the {c} needs far less memory on long inputs.",
    "Most implementations of the {c} start from a pretrained {p}.",
    "{A} is usually trained end to end, and the {p} it extends is frozen at first.",
    "A common variant of the {c} applies {o} to every layer.",
    "Benchmarks on {data} put the {c} ahead of the {s} by a small margin.",
    "Without the {p}, the {c} would not work at all.",
    "Practitioners often combine the {c} with the {s}.",
    "Ablations show that removing the {p} from the {c} costs several points.",
    "The {p} remains the standard baseline against which the {c} is measured.",
    "{A} also appears in work on {o}, though less often.",
]
NOTES = [
    "{t} builds on {p}, the trick is the {s} part",
    "{t} = {p} + {s}",
    "read the {t} post again, still unclear how it differs from {s}",
    "{t} 是在{p}的基础上加了{s}",
    "{t} 其实就是把{p}和{s}拼在一起",
    "todo: compare {t} with {o}",
    "{t} needs {p} first, otherwise the {s} section makes no sense",
    "the {t} paper has a good figure of how {p} feeds into it",
]
ASIDES = ["（没看完）", "(讲的很清楚)", "(非常有帮助)", "（没看）", "(图画的很好)", ""]


class Concept:
    """An invented concept: its name, field, acronym (if any) and what it builds on."""

    def __init__(self, index: int, name: str, field: str, coined: bool) -> None:
        self.index, self.name, self.field, self.coined = index, name, field, coined
        self.acronym = ""
        self.parents: list[Concept] = []


def fixture_prose() -> tuple[list[str], list[str]]:
    """Sentences of the fixture pages' paragraphs and arXiv abstracts: (on topic, off topic)."""
    on, off = [], []
    offtopic = ("houseplant", "marathon", "roman", "sourdough")
    for page in sorted((CORPUS / "pages").glob("*.html")):
        paragraphs = re.findall(r"<p>(.*?)</p>", page.read_text(encoding="utf-8"), re.S)
        text = " ".join(html.unescape(re.sub(r"<[^>]+>", "", p)) for p in paragraphs)
        sentences = [s for s in re.split(r"(?<=[.!?])\s+", " ".join(text.split())) if s]
        (off if page.stem.startswith(offtopic) else on).extend(sentences)
    for paper in json.loads((CORPUS / "arxiv.json").read_text(encoding="utf-8")).values():
        on += [s for s in re.split(r"(?<=[.!?])\s+", paper["summary"]) if s]
    return on, off


def vocabulary(rng: random.Random, size: int) -> list[Concept]:
    """``size`` invented concepts, in order of invention: modifier + domain noun + head
    ("gated patch encoder"), a few coined proper names ("Zentorix"), and some named after what
    they build on ("sparse gated patch encoder"). Each builds on one or two earlier ones,
    mostly recent ones of its own field; about half have an acronym of their own."""
    concepts: list[Concept] = []
    seen: set[str] = set()
    acronyms: set[str] = set(RESERVED)
    while len(concepts) < size:
        field = rng.choice(list(FIELDS))
        nouns, heads, _ = FIELDS[field]
        same = [c for c in concepts if c.field == field]
        roll = rng.random()
        base = None
        if roll < 0.08:
            name = "".join(rng.sample(SYLLABLES, rng.randint(2, 3))).capitalize()
        elif roll < 0.25 and [c for c in same if not c.coined]:
            base = rng.choice([c for c in same if not c.coined])
            name = f"{rng.choice(MODIFIERS)} {base.name}"
        else:
            name = f"{rng.choice(MODIFIERS)} {rng.choice(nouns)} {rng.choice(heads)}"
        if name.lower() in seen or len(name.split()) > 4:
            continue
        seen.add(name.lower())
        concept = Concept(len(concepts), name, field, coined=roll < 0.08)
        concept.parents = [base] if base else []
        pool = (same or concepts)[-40:]
        want = rng.choice((1, 1, 2))
        for _ in range(4):
            if len(concept.parents) >= want or not pool:
                break
            parent = rng.choice(pool if rng.random() < 0.9 else concepts)
            if parent not in concept.parents:
                concept.parents.append(parent)
        short = "".join(w[0] for w in name.split()).upper()
        if not concept.coined and rng.random() < 0.5 and short not in acronyms:
            acronyms.add(short)
            concept.acronym = short
        concepts.append(concept)
    return concepts


def intro_day(concept: Concept, total: int) -> int:
    return int(concept.index / total * SPAN_DAYS * 0.8)


def pick(rng: random.Random, concepts: list[Concept], cumulative: list[float]) -> Concept:
    return rng.choices(concepts, cum_weights=cumulative)[0]


def sibling(rng: random.Random, concept: Concept, by_field: dict[str, list[Concept]]) -> Concept:
    options = [c for c in by_field[concept.field] if c is not concept] or [concept]
    return rng.choice(options)


def fill(
    template: str,
    rng: random.Random,
    c: Concept,
    by_field: dict[str, list[Concept]],
    concepts: list[Concept],
) -> str:
    """A template sentence about ``c``: {p} what it builds on, {s} a concept of its field,
    {o} any concept; acronyms now and then in place of names."""
    p = rng.choice(c.parents) if c.parents else sibling(rng, c, by_field)
    s = sibling(rng, c, by_field)
    o = rng.choice(concepts)
    return template.format(
        c=c.name,
        C=c.name[0].upper() + c.name[1:],
        A=c.acronym or c.name[0].upper() + c.name[1:],
        a=f" ({c.acronym})" if c.acronym else "",
        p=p.acronym if p.acronym and rng.random() < 0.3 else p.name,
        s=s.name,
        o=o.name,
        t=c.acronym if c.acronym and rng.random() < 0.3 else c.name,
        data=FIELDS[c.field][2],
        field=f"work on {FIELDS[c.field][2]}",
        year=2012 + c.index * 10 // len(concepts),
    )


def synthetic_inputs(
    entries: int, documents: int, size: int, seed: int = 1
) -> tuple[list[EntryText], list[SourceRecord], list[Concept]]:
    """Journal entries (30-120 words: topic lines, a link, an aside, notes) and sources
    (300-1500 words: ~20% Wikipedia articles, ~10% arXiv papers with dates, the rest blog
    posts, 5% off-topic), each about a concept drawn by a Zipf-like popularity, dated so that
    what a concept builds on tends to come first."""
    rng = random.Random(seed)
    concepts = vocabulary(rng, size)
    by_field: dict[str, list[Concept]] = {}
    for c in concepts:
        by_field.setdefault(c.field, []).append(c)
    order = list(range(len(concepts)))
    rng.shuffle(order)
    weights = list(itertools.accumulate(1.0 / (rank + 8) ** 0.8 for rank in order))  # Zipf-like
    on, off = fixture_prose()

    sources = []
    for number in range(documents):
        c = pick(rng, concepts, weights)
        slug = c.name.replace(" ", "_").capitalize()
        words = rng.randint(300, 1500)
        roll = rng.random()
        published = None
        if rng.random() < 0.05:  # off-topic reading
            kind, site = "web", "Example Blog"
            title, url = "Weekend notes", f"https://blog{number % 40}.example.com/p/{number}"
            body = [rng.choice(off) for _ in range(words // 18)]
            sources.append(
                SourceRecord(number + 1, url, kind, title, site, None, " ".join(body), (), None)
            )
            continue
        if roll < 0.2:
            kind, site = "web", "Wikipedia"
            title = f"{c.name[0].upper() + c.name[1:]} - Wikipedia"
            url = f"https://en.wikipedia.org/wiki/{slug}_{number}"
        elif roll < 0.3:
            kind, site = "paper", "arXiv"  # links.kind of an arXiv link
            title = f"{c.name.title()}: {rng.choice(['Scaling', 'Simplifying', 'Revisiting'])} "
            title += f"Learning for {FIELDS[c.field][2].title()}"
            day = START - timedelta(days=900) + timedelta(days=intro_day(c, len(concepts)))
            published = (day + timedelta(days=rng.randint(0, 60))).isoformat() + "T00:00:00Z"
            url = f"https://arxiv.org/abs/{19 + number % 6}{number % 12 + 1:02d}.{number:05d}"
        else:
            kind, site = "web", f"Blog {number % 60}"
            title = f"{rng.choice(['Understanding', 'Notes on', 'A gentle introduction to'])} "
            title += c.name
            url = f"https://blog{number % 60}.example.com/posts/{slug.lower()}-{number}"
        parts = [fill(rng.choice(OPENINGS), rng, c, by_field, concepts)]
        count = len(parts[0].split())
        while count < words:
            if rng.random() < 0.4:
                sentence = fill(rng.choice(BODY), rng, c, by_field, concepts)
            else:
                sentence = rng.choice(on)
            parts.append(sentence)
            count += len(sentence.split())
        paragraphs = [" ".join(parts[i : i + 6]) for i in range(0, len(parts), 6)]
        topic = c.acronym if c.acronym and rng.random() < 0.3 else c.name.lower()
        first = START + timedelta(days=intro_day(c, len(concepts)) + rng.randint(0, 200))
        sources.append(
            SourceRecord(
                number + 1,
                url,
                kind,
                title,
                site,
                published,
                "\n\n".join(paragraphs),
                (topic,),
                first.isoformat(),
            )
        )

    drafts = []
    for _ in range(entries):
        c = pick(rng, concepts, weights)
        day = START + timedelta(
            days=min(SPAN_DAYS, intro_day(c, len(concepts)) + rng.randint(0, 300))
        )
        topics = [c]
        if rng.random() < 0.3:
            topics.append(sibling(rng, c, by_field))
        words = rng.randint(30, 120)
        blocks, lines, count = [], [], 0
        both_short = len(topics) == 2 and all(t.acronym for t in topics)
        if both_short and rng.random() < 0.5:
            names = [f"{topics[0].acronym.lower()} {topics[1].acronym.lower()}"]
        else:
            names = [t.acronym if t.acronym and rng.random() < 0.3 else t.name for t in topics]
        for t, name in zip(topics, names, strict=False):
            blocks.append(
                f"{name}\n\nhttps://blog{rng.randint(0, 59)}.example.com/posts/{t.index}\n"
                f"{rng.choice(ASIDES)}"
            )
            count += len(name.split()) + 2
        while count < words:
            note = fill(rng.choice(NOTES), rng, rng.choice(topics), by_field, concepts)
            lines.append(note)
            count += len(note.split())
        text = "\n\n".join(blocks) + "\n\n" + "\n".join(lines)
        drafts.append((day.isoformat(), text, tuple(names)))
    drafts.sort(key=lambda d: d[0])
    journal = [EntryText(i + 1, day, text, topics) for i, (day, text, topics) in enumerate(drafts)]
    return journal, sources, concepts


class Seconds(float):
    """Wall-clock seconds that also know the process's CPU seconds over the same stretch: on a
    busy machine the gap between the two is time spent waiting for a core."""

    cpu: float


def timed(func: Callable[[], T]) -> tuple[T, Seconds]:
    start, cpu = time.perf_counter(), time.process_time()
    result = func()
    seconds = Seconds(time.perf_counter() - start)
    seconds.cpu = time.process_time() - cpu
    return result, seconds


def line(label: str, seconds: float, extra: str = "") -> None:
    cpu = f"(cpu {seconds.cpu:6.2f} s)" if isinstance(seconds, Seconds) else " " * 16
    print(f"{label:<42} {seconds:7.2f} s {cpu}  {extra}".rstrip())


def added(*parts: Seconds) -> Seconds:
    total = Seconds(sum(parts))
    total.cpu = sum(p.cpu for p in parts)
    return total


def verdict(seconds: float, goal: float) -> str:
    return f"goal {goal:.0f} s: {'OK' if seconds <= goal else 'OVER'} ({seconds / goal:.0%} of it)"


def size(path: Path) -> str:
    n = path.stat().st_size
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} kB"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--documents", type=int, default=5_000)
    parser.add_argument("--vocabulary", type=int, default=500, help="invented concepts")
    parser.add_argument("--quick", action="store_true", help="1,000 entries and 500 documents")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="write the rendered files here, and keep them")
    args = parser.parse_args()
    if args.quick:
        args.entries, args.documents = 1_000, 500
    print(f"load average at start: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")

    (entries, sources, invented), seconds = timed(
        lambda: synthetic_inputs(args.entries, args.documents, args.vocabulary, args.seed),
    )
    entry_words = sum(len(e.text.split()) for e in entries)
    source_words = sum(len(s.text.split()) for s in sources)
    print(
        f"inputs: {len(entries):,} entries ({entry_words:,} words), {len(sources):,} documents "
        f"({source_words:,} words; {sum(s.site == 'Wikipedia' for s in sources):,} Wikipedia, "
        f"{sum(s.kind == 'paper' for s in sources):,} arXiv), from {len(invented)} invented "
        f"concepts ({sum(bool(c.acronym) for c in invented)} with acronyms); "
        f"generated in {seconds:.1f} s"
    )
    texts = [e.text for e in entries] + [f"{s.title}\n{s.text}" for s in sources]
    mb = sum(len(t.encode("utf-8")) for t in texts) / (1024 * 1024)
    token = re.compile(r"[A-Za-z0-9]+")
    _, base = timed(lambda: [token.findall(t.lower()) for t in texts])
    line(
        "baseline: tokenise every text (re.findall)", base, f"{mb / base:6.1f} MB/s of {mb:.1f} MB"
    )

    names = functools.partial(embed.encode, embed.MULTILINGUAL_MODEL)  # as `kgnotes add` does
    index, find = timed(lambda: find_concepts(units_from(entries, sources), None, names))
    line("1 units_from + find_concepts", find, f"{mb / find:6.1f} MB/s")
    relations, rel = timed(lambda: relate(index))
    builds_on = sum(r.relation == "builds_on" for r in relations)
    related = sum(r.relation == "related" for r in relations)
    line("2 relate", rel)
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "kgnotes.db")

        def save() -> None:  # as ensure_graph does it
            with store.transaction():
                save_graph(store, index, relations)

        mentions = sum(len(where) for where in index.mentions.values())
        _, stored = timed(save)
        line("3 save_concepts (one transaction)", stored, f"{mentions:,} mention rows")
        graph, load = timed(lambda: ConceptGraph.load(store))
        _, rank = timed(lambda: graph.pagerank)
        _, groups = timed(lambda: graph.communities)
        _, ladder = timed(lambda: graph.ladder)
        analyse = added(load, rank, groups, ladder)
        line("4 load + pagerank + communities + ladder", analyse)
        line("    ConceptGraph.load", load)
        line("    pagerank", rank)
        line("    communities (Louvain)", groups, f"{len(set(graph.communities.values()))} found")
        line("    ladder (transitive reduction)", ladder, f"{graph.ladder.number_of_edges()} rungs")
        store.close()
    total = added(find, rel, stored, analyse)
    names = {key_of(n) for c in invented for n in (c.name, c.acronym) if n}
    ours = sum(
        any(key_of(n) in names for n in (c.name, *c.aliases)) for c in index.concepts.values()
    )
    print(
        f"graph: {len(index.concepts):,} concepts ({ours:,} of the invented ones, the rest from "
        f"the fixture prose), {builds_on:,} builds_on edges, {related:,} related edges, "
        f"{len(index.cues):,} wording cues"
    )
    line("build total (1-4)", total, verdict(total, BUILD_GOAL))
    print(
        f"find_concepts / baseline: {find / base:.1f}x   relate / baseline: {rel / base:.1f}x   "
        f"build / baseline: {total / base:.1f}x"
    )

    # ConceptGraph.load read no documents or entries (the store holds only the graph): give it
    # the titles and days it would have read, so exports carry the sources and entries.
    graph.sources = {s.document_id: (s.url, s.title) for s in sources}
    graph.days = {e.entry_id: e.day for e in entries}
    if len(graph.concepts) < 500:
        print(f"WARNING: only {len(graph.concepts)} concepts, fewer than 500: raise --vocabulary")
    with tempfile.TemporaryDirectory() as tmp:
        out = args.keep or Path(tmp)
        out.mkdir(parents=True, exist_ok=True)
        big, seconds = timed(lambda: export(graph, max_nodes=500))
        kinds = [d.get("type") for _, d in big.nodes(data=True)]
        concepts_only = render.concepts_only(big)
        line(
            "export(max_nodes=500)",
            seconds,
            f"{kinds.count('concept')} concepts ({concepts_only.number_of_edges():,} edges), "
            f"{len(kinds):,} nodes and {big.number_of_edges():,} edges with sources and entries",
        )
        slowest = 0.0
        for suffix in (".png", ".svg", ".html", ".canvas", ".json", ".graphml"):
            path = out / f"graph500{suffix}"
            _, seconds = timed(lambda path=path: render.write(big, path))
            slowest = max(slowest, seconds)
            line(
                f"render 500 concepts {suffix}",
                seconds,
                f"{size(path):>8}  {verdict(seconds, RENDER_GOAL)}",
            )
        small, seconds = timed(lambda: export(graph, max_nodes=60))
        line("export(max_nodes=60)", seconds)
        path = out / "graph60.png"
        _, seconds = timed(lambda: render.write(small, path))
        line("render 60 concepts .png", seconds, f"{size(path):>8}")
        line("slowest 500-concept render", slowest, verdict(slowest, RENDER_GOAL))
        if args.keep:
            print(f"rendered files kept in {args.keep}")
    print(f"load average at end: {os.getloadavg()[0]:.2f}")
    print(f"peak memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
