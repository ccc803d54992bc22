"""The concept graph: which concept builds on which, which go together, and why.

A ``builds_on`` edge A → B ("B builds on A") is kept only where independent signals agree,
each recorded with the edge so the picture can say why a rung is there:

- *subsumption*: A is in nearly every text that mentions B, and not the reverse
  (Sanderson & Croft, 1999);
- *asymmetry*: the sources about B mention A far more often than the sources about A mention B;
- *chronology*: A's paper came first (or, with no paper dates, A came first in the journal);
- *naming*: a name of B contains A ("Vision Transformer", "self-attention");
- *wording*: a sentence says so ("based on A", "builds on A", "基于A", "在A的基础上").

Two agreeing signals, more than point the other way, make an edge. Cycles are broken at their
weakest edge, so ``builds_on`` is a DAG; paths and pictures use its transitive reduction, which
draws attention → transformer → ViT → CLIP as a chain rather than a clique. ``related`` joins
concepts that share texts more often than chance (normalised PMI).
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import heapq
import itertools
import json
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kgnotes.concepts import CONCEPTS_VERSION, ConceptIndex, Settings, Unit, find_concepts, key_of
from kgnotes.errors import KgnotesError

if TYPE_CHECKING:
    import networkx as nx

    from kgnotes.store import ConceptRow, EdgeRow, EntryText, SourceRecord, Store

GRAPH_VERSION = 1
STATE_KEY = "graph_inputs"
MAX_PAIRS_PER_UNIT = 30  # the concepts of a text counted for co-occurrence, most mentioned first
SUBSUMES = 0.8
MIN_SHARED = 2  # texts that must name both concepts of a builds_on edge, unless one says so
RELATED_NPMI = 0.3
RELATED_PER_CONCEPT = 5
EVIDENCE_PER_EDGE = 3
JOURNAL_ORDER = "chronology: first met in the journal on"


@dataclass
class Relation:
    source: str  # concept key; for builds_on, the one built upon
    target: str
    relation: str  # builds_on | related
    weight: float
    signals: list[str]
    evidence: list[dict[str, str]]


@dataclass(frozen=True)
class GraphReport:
    concepts: int
    builds_on: int
    related: int
    rebuilt: bool


# -- building ---------------------------------------------------------------------------------


def ensure_graph(store: Store, config: dict[str, Any], force: bool = False) -> GraphReport:
    """Build the concept graph if what it is built from changed since it was last built (or
    always, with ``force``); the stored graph otherwise."""
    fingerprint = _fingerprint(store, config)
    if not force and store.state(STATE_KEY) == fingerprint:
        concepts, counts = store.graph_counts()
        return GraphReport(
            concepts, counts.get("builds_on", 0), counts.get("related", 0), rebuilt=False
        )
    index = find_concepts(
        units_from(store.entry_texts(), store.source_records()), Settings.from_config(config)
    )
    relations = relate(index)
    with store.transaction():
        save_graph(store, index, relations)
        store.set_state(STATE_KEY, fingerprint)
    return GraphReport(
        len(index.concepts),
        sum(r.relation == "builds_on" for r in relations),
        sum(r.relation == "related" for r in relations),
        rebuilt=True,
    )


def save_graph(store: Store, index: ConceptIndex, relations: list[Relation]) -> None:
    """Store concepts, their mentions and the relations, in a fixed order (inside the
    caller's transaction)."""
    store.save_concepts(
        [
            (c.key, c.name, c.aliases, c.description)
            for c in sorted(index.concepts.values(), key=lambda c: c.key)
        ],
        [
            (key, index.units[u].owner_type, index.units[u].owner_id, m.count, m.about)
            for key, where in sorted(index.mentions.items())
            for u, m in sorted(where.items())
        ],
        [(r.source, r.target, r.relation, r.weight, r.signals, r.evidence) for r in relations],
    )


def _fingerprint(store: Store, config: dict[str, Any]) -> str:
    settings = json.dumps(config.get("concepts", {}), sort_keys=True, default=str)
    versions = f"{CONCEPTS_VERSION}.{GRAPH_VERSION}"
    raw = f"{versions}|{settings}|{store.graph_inputs()}"
    return hashlib.sha256(raw.encode()).hexdigest()


def units_from(entries: list[EntryText], sources: list[SourceRecord]) -> list[Unit]:
    """The texts concepts are found in: each journal entry, each archived source."""
    units = [
        Unit(
            "entry",
            e.entry_id,
            _without_urls(e.text),
            _journal_label(e.day),
            day=e.day,
            topics=e.topics,
        )
        for e in entries
    ]
    for s in sources:
        wikipedia = (s.site or "").lower() == "wikipedia" or (s.title or "").endswith(
            " - Wikipedia"
        )
        text = f"{s.title}\n{s.text}" if s.title else s.text
        units.append(
            Unit(
                "document",
                s.document_id,
                text,
                s.url,
                title=s.title,
                day=s.first_day,
                published=(s.published or "")[:10] or None if s.kind == "paper" else None,
                topics=s.topics,
                wikipedia=wikipedia,
            )
        )
    return units


def _count(votes: list[tuple[str, float]]) -> float:
    """Agreeing signals; the journal's order (what the author met first) counts half."""
    return sum(0.5 if label.startswith(JOURNAL_ORDER) else 1.0 for label, _ in votes)


def _without_urls(text: str) -> str:
    """A URL's words (``/pages/bert-language-model``) are not the author naming anything."""
    from kgnotes.urls import find_urls

    for span in reversed(find_urls(text)):
        text = text[: span.start] + " " + text[span.end :]
    return text


def _journal_label(day: str | None) -> str:
    return f"journal {day or 'undated'}"


def relate(index: ConceptIndex) -> list[Relation]:
    """``builds_on`` edges where signals agree (cycles broken), then ``related`` pairs."""
    facts = _Facts(index)
    candidates = []
    for (a, b), together in sorted(facts.together.items()):
        if together < MIN_SHARED and (a, b) not in facts.cues and (b, a) not in facts.cues:
            continue  # one shared text is too thin to say anything about the pair
        both = len(facts.units_of[a] & facts.units_of[b])
        for low, high in ((a, b), (b, a)):
            votes, against = facts.votes(low, high, both), facts.votes(high, low, both)
            if _count(votes) >= 2 and _count(votes) > _count(against):
                candidates.append(
                    Relation(
                        low,
                        high,
                        "builds_on",
                        round(sum(strength for _, strength in votes), 3),
                        [label for label, _ in votes],
                        facts.evidence(low, high),
                    )
                )
    builds_on = _acyclic(candidates)
    linked = {frozenset((r.source, r.target)) for r in builds_on}
    return builds_on + _related(facts, linked)


@dataclass
class _Facts:
    """Counts the signals are read from."""

    index: ConceptIndex
    units_of: dict[str, set[int]] = field(init=False)
    about_of: dict[str, set[int]] = field(init=False)
    together: Counter[tuple[str, str]] = field(init=False)
    cues: dict[tuple[str, str], list[tuple[int, int]]] = field(init=False)

    def __post_init__(self) -> None:
        mentions = self.index.mentions
        self.units_of = {k: set(where) for k, where in mentions.items()}
        self.about_of = {
            k: {u for u, m in where.items() if m.about} for k, where in mentions.items()
        }
        per_unit: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for key, where in mentions.items():
            for unit, mention in where.items():
                per_unit[unit].append((-(mention.count + 100 * mention.about), key))
        self.together = Counter()
        for ranked in per_unit.values():
            if len(ranked) > MAX_PAIRS_PER_UNIT:
                ranked = heapq.nsmallest(MAX_PAIRS_PER_UNIT, ranked)
            keys = sorted(k for _, k in ranked)
            for i, a in enumerate(keys):
                for b in keys[i + 1 :]:
                    self.together[(a, b)] += 1
        self.cues = defaultdict(list)
        for low, high, unit, sentence in self.index.cues:
            self.cues[(low, high)].append((unit, sentence))

    @functools.cached_property
    def dates(self) -> dict[str, tuple[str | None, str | None]]:
        """Concept → (first paper date among sources about it, first journal day)."""
        units = self.index.units
        out = {}
        for key, where in self.units_of.items():
            papers = [units[u].published for u in self.about_of[key] if units[u].published]
            days = [units[u].day for u in where if units[u].day]
            out[key] = (min(papers, default=None), min(days, default=None))
        return out

    def name(self, key: str) -> str:
        return self.index.concepts[key].name

    @functools.cached_property
    def names(self) -> dict[str, list[list[str]]]:
        """Each concept's names as folded word lists, for the naming signal."""
        return {
            key: [key_of(a).split() for a in dict.fromkeys([key, c.name, *c.aliases])]
            for key, c in self.index.concepts.items()
        }

    def votes(self, low: str, high: str, both: int) -> list[tuple[str, float]]:
        """The signals that ``high`` builds on ``low`` (``both``: the texts naming the two),
        each with its strength (0–1)."""
        votes = []
        n_low, n_high = len(self.units_of[low]), len(self.units_of[high])
        if n_high >= 2 and both >= SUBSUMES * n_high and both < SUBSUMES * n_low:
            votes.append(
                (
                    f"subsumption: {self.name(low)} is in {both} of the {n_high} "
                    f"texts that mention {self.name(high)}",
                    both / n_high,
                )
            )
        about_low, about_high = self.about_of[low], self.about_of[high]
        if about_low and about_high:
            up = len(about_high & self.units_of[low]) / len(about_high)
            down = len(about_low & self.units_of[high]) / len(about_low)
            if up >= 0.6 and up - down >= 0.5:
                votes.append(
                    (
                        f"asymmetry: {up:.0%} of the sources about {self.name(high)} mention "
                        f"{self.name(low)}, {down:.0%} the other way",
                        up - down,
                    )
                )
        votes += self._chronology(low, high)
        named = self._naming(low, high)
        if named:
            votes.append((f"naming: “{named}” contains “{self.name(low)}”", 1.0))
        cued = len(self.cues.get((low, high), ()))
        if cued:
            votes.append(
                (
                    f"wording: {cued} sentence{'s' * (cued > 1)} say {self.name(high)} builds on "
                    f"{self.name(low)}",
                    min(1.0, 0.5 + 0.25 * cued),
                )
            )
        return votes

    def _chronology(self, low: str, high: str) -> list[tuple[str, float]]:
        (paper_low, day_low), (paper_high, day_high) = self.dates[low], self.dates[high]
        if paper_low and paper_high:
            if paper_low < paper_high:
                return [(f"chronology: papers of {paper_low} and {paper_high}", 1.0)]
            return []
        if day_low and day_high and day_low < day_high:
            return [(f"{JOURNAL_ORDER} {day_low} and {day_high}", 0.5)]
        return []

    def _naming(self, low: str, high: str) -> str | None:
        """A name of ``high`` that contains ``low``'s name as whole words, if any."""
        words = low.split()
        size = len(words)
        for folded in self.names[high]:
            if (
                len(folded) > size
                and words[0] in folded
                and any(folded[i : i + size] == words for i in range(len(folded) - size + 1))
            ):
                return " ".join(folded)
        return None

    def evidence(self, low: str, high: str) -> list[dict[str, str]]:
        """Sentences that support the edge: those with the wording first, then sentences naming
        both in sources about the later concept, then anywhere."""
        found: dict[str, dict[str, str]] = {}
        for unit, number in self.cues.get((low, high), ()):
            self._add(found, unit, number)
        shared_units = self.units_of[low] & self.units_of[high]
        about = shared_units & self.about_of[high]
        ranked = sorted(about) + sorted(shared_units - about)
        for unit in ranked:
            if len(found) >= EVIDENCE_PER_EDGE:
                break
            shared = sorted(
                set(self.index.mentions[low][unit].sentences)
                & set(self.index.mentions[high][unit].sentences)
            )
            if shared:
                self._add(found, unit, shared[0])
        for unit in ranked:  # no sentence names both: where the later one's text names the first
            if found:
                break
            for number in self.index.mentions[low][unit].sentences[:1]:
                self._add(found, unit, number)
        return list(found.values())[:EVIDENCE_PER_EDGE]

    def _add(self, found: dict[str, dict[str, str]], unit: int, number: int) -> None:
        sentence = re.sub(r"\*\*|__", "", self.index.sentences[unit][number])  # Markdown bold
        if len(sentence) > 300:
            sentence = sentence[:297].rstrip() + "…"
        found.setdefault(sentence, {"source": self.index.units[unit].label, "sentence": sentence})


def _acyclic(relations: list[Relation]) -> list[Relation]:
    """Drop the weakest edge of each cycle until none is left."""
    import networkx as nx

    graph = nx.DiGraph()
    for r in relations:
        graph.add_edge(r.source, r.target, weight=r.weight)
    while True:
        try:
            cycle = nx.find_cycle(graph)
        except nx.NetworkXNoCycle:
            break
        weakest = min(cycle, key=lambda e: (graph.edges[e[0], e[1]]["weight"], e[0], e[1]))
        graph.remove_edge(weakest[0], weakest[1])
    return [r for r in relations if graph.has_edge(r.source, r.target)]


def _related(facts: _Facts, linked: set[frozenset[str]]) -> list[Relation]:
    """Pairs that share texts more than chance would (NPMI), the strongest few per concept."""
    total = len(facts.index.units)
    scored: dict[tuple[str, str], float] = {}
    for (a, b), both in facts.together.items():
        if both < 2 or frozenset((a, b)) in linked or both >= total:
            continue
        p_both = both / total
        p_a, p_b = len(facts.units_of[a]) / total, len(facts.units_of[b]) / total
        npmi = math.log(p_both / (p_a * p_b)) / -math.log(p_both)
        if npmi >= RELATED_NPMI:
            scored[(a, b)] = npmi
    best: dict[str, list[tuple[float, str, str]]] = defaultdict(list)
    for (a, b), npmi in scored.items():
        best[a].append((-npmi, a, b))
        best[b].append((-npmi, a, b))
    kept = {(a, b) for ranked in best.values() for _, a, b in sorted(ranked)[:RELATED_PER_CONCEPT]}
    return [
        Relation(
            a,
            b,
            "related",
            round(scored[(a, b)], 3),
            [f"npmi {scored[(a, b)]:.2f} over {facts.together[(a, b)]} shared texts"],
            facts.evidence(a, b),
        )
        for a, b in sorted(kept)
    ]


# -- reading ----------------------------------------------------------------------------------


@dataclass
class ConceptGraph:
    """The stored graph, loaded for questions and pictures."""

    concepts: dict[int, ConceptRow]
    edges: list[EdgeRow]
    mentions: dict[int, list[tuple[str, int, int, bool]]]  # concept → (kind, owner, count, about)
    sources: dict[int, tuple[str, str | None]]  # document id → (url, title)
    days: dict[int, str | None]  # entry id → day

    @classmethod
    def load(cls, store: Store) -> ConceptGraph:
        return cls(
            {c.id: c for c in store.concepts()},
            store.concept_edges(),
            store.concept_mentions(),
            store.source_titles(),
            store.entry_days(),
        )

    @functools.cached_property
    def builds_on(self) -> nx.DiGraph:
        import networkx as nx

        graph = nx.DiGraph()
        graph.add_nodes_from(sorted(self.concepts))
        for e in self.edges:
            if e.relation == "builds_on":
                graph.add_edge(e.source_id, e.target_id, weight=e.weight, edge=e)
        return graph

    @functools.cached_property
    def ladder(self) -> nx.DiGraph:
        """The transitive reduction of ``builds_on``: each rung once, no shortcuts."""
        import networkx as nx

        reduced = nx.transitive_reduction(self.builds_on)
        reduced.add_nodes_from(self.builds_on.nodes)
        reduced.add_edges_from((u, v, self.builds_on.edges[u, v]) for u, v in reduced.edges)
        return reduced

    @functools.cached_property
    def undirected(self) -> nx.Graph:
        import networkx as nx

        graph = nx.Graph()
        graph.add_nodes_from(sorted(self.concepts))
        for e in self.edges:
            graph.add_edge(e.source_id, e.target_id, weight=max(e.weight, 0.01))
        return graph

    @functools.cached_property
    def pagerank(self) -> dict[int, float]:
        """Importance: prerequisites collect it from what builds on them; related pairs share it."""
        import networkx as nx

        graph = nx.DiGraph()
        graph.add_nodes_from(sorted(self.concepts))
        for e in self.edges:
            graph.add_edge(e.target_id, e.source_id, weight=e.weight)
            if e.relation == "related":
                graph.add_edge(e.source_id, e.target_id, weight=e.weight)
        if not graph:
            return {}
        return nx.pagerank(graph, weight="weight")

    @functools.cached_property
    def communities(self) -> dict[int, int]:
        """Concept → community number (0 the largest), by Louvain modularity, seeded so the
        same graph always splits the same way."""
        import networkx as nx

        if not self.undirected:
            return {}
        groups = nx.community.louvain_communities(self.undirected, weight="weight", seed=7)
        ordered = sorted(groups, key=lambda g: (-len(g), min(self.concepts[c].key for c in g)))
        return {c: number for number, group in enumerate(ordered) for c in group}

    def name(self, concept_id: int) -> str:
        return self.concepts[concept_id].name

    def concept_id_of_key(self, key: str) -> int | None:
        return self._by_key.get(key)

    @functools.cached_property
    def _by_key(self) -> dict[str, int]:
        return {c.key: c.id for c in self.concepts.values()}

    @functools.cached_property
    def _keys(self) -> dict[str, int]:
        """Every folded name and alias → its concept (a concept's own key wins a clash)."""
        keys: dict[str, int] = {}
        for concept in sorted(self.concepts.values(), key=lambda c: c.key):
            for alias in (concept.name, *concept.aliases):
                keys.setdefault(key_of(alias), concept.id)
        keys.update({c.key: c.id for c in self.concepts.values()})
        return keys

    def resolve(self, text: str) -> int:
        """The concept ``text`` names: any alias, in any case or spelling variant."""
        found = self._keys.get(key_of(text))
        if found is not None:
            return found
        if not self.concepts:
            raise KgnotesError("no concepts yet — add notes first: kgnotes add journal.md")
        names = {n: c.id for c in self.concepts.values() for n in (c.name, *c.aliases)}
        close = difflib.get_close_matches(text, list(names), n=3, cutoff=0.6)
        hint = f" — did you mean {', '.join(close)}?" if close else " — see: kgnotes concepts"
        raise KgnotesError(f"{text}: no such concept{hint}")

    def sources_about(self, concept_id: int) -> list[dict[str, Any]]:
        """The sources about a concept (first), then those that mention it most."""
        rows = [m for m in self.mentions.get(concept_id, []) if m[0] == "document"]
        rows.sort(key=lambda m: (not m[3], -m[2], m[1]))
        return [
            {"url": self.sources[m[1]][0], "title": self.sources[m[1]][1], "about": m[3]}
            for m in rows
            if m[1] in self.sources
        ]


def concept_table(graph: ConceptGraph) -> list[dict[str, Any]]:
    """Every concept with its aliases, how many sources and mentions it has, its importance
    and its community; most important first."""
    rows = []
    for cid, concept in graph.concepts.items():
        mentions = graph.mentions.get(cid, [])
        rows.append(
            {
                "name": concept.name,
                "aliases": list(concept.aliases),
                "sources": sum(1 for m in mentions if m[0] == "document"),
                "mentions": sum(m[2] for m in mentions),
                "pagerank": round(graph.pagerank.get(cid, 0.0), 5),
                "community": graph.communities.get(cid, 0),
            }
        )
    rows.sort(key=lambda r: (-r["pagerank"], r["name"].lower()))
    return rows


def learning_path(graph: ConceptGraph, start: str, goal: str) -> dict[str, Any]:
    """The rungs from ``start`` up to ``goal`` along ``builds_on`` (its transitive
    reduction), each step with the evidence for it."""
    import networkx as nx

    a, b = graph.resolve(start), graph.resolve(goal)
    ladder = graph.ladder
    if a == b:
        return {"path": [graph.name(a)], "edges": []}
    for low, high in ((a, b), (b, a)):
        if nx.has_path(ladder, low, high):
            nodes = nx.shortest_path(
                ladder, low, high, weight=lambda u, v, d: 1.0 / (0.1 + d["weight"])
            )
            return {
                "path": [graph.name(n) for n in nodes],
                "edges": [
                    _edge_json(graph, ladder.edges[u, v]["edge"])
                    for u, v in itertools.pairwise(nodes)
                ],
            }
    raise KgnotesError(
        f"no builds-on path between {graph.name(a)} and {graph.name(b)} — "
        f"see what each builds on: kgnotes prereqs {graph.name(b)!r}"
    )


def prerequisites(graph: ConceptGraph, target: str) -> dict[str, Any]:
    """Everything ``target`` builds on, directly or not, foundations first, each with the
    sources to read about it."""
    import networkx as nx

    goal = graph.resolve(target)
    ancestors = nx.ancestors(graph.builds_on, goal)
    sub = graph.ladder.subgraph(ancestors)
    order = list(
        nx.lexicographical_topological_sort(
            sub, key=lambda n: (-graph.pagerank.get(n, 0.0), graph.concepts[n].key)
        )
    )
    return {
        "concept": graph.name(goal),
        "prereqs": [
            {
                "name": graph.name(n),
                "leads_to": sorted(
                    graph.name(m) for m in graph.ladder.successors(n) if m in ancestors | {goal}
                ),
                "sources": graph.sources_about(n)[:3],
            }
            for n in order
        ],
    }


def _edge_json(graph: ConceptGraph, edge: EdgeRow) -> dict[str, Any]:
    return {
        "from": graph.name(edge.source_id),
        "to": graph.name(edge.target_id),
        "signals": list(edge.signals),
        "evidence": [dict(e) for e in edge.evidence],
    }


def builds_on_edges(graph: ConceptGraph) -> list[dict[str, Any]]:
    """Every rung of the ladder (the reduced ``builds_on``), for ``kgnotes graph`` as text."""
    edges = [graph.ladder.edges[u, v]["edge"] for u, v in graph.ladder.edges]
    edges.sort(key=lambda e: (graph.name(e.source_id).lower(), graph.name(e.target_id).lower()))
    return [_edge_json(graph, e) for e in edges]


# -- export -----------------------------------------------------------------------------------


def export(
    graph: ConceptGraph,
    focus: str | None = None,
    depth: int = 2,
    max_nodes: int | None = None,
    owners: bool = True,
) -> nx.MultiDiGraph:
    """The graph to draw or save: concepts (around ``focus`` if given, the most important
    ``max_nodes``), the ``builds_on`` rungs (reduced) and ``related`` pairs between them, and
    with ``owners`` the sources and journal entries that mention or are about them."""
    import networkx as nx

    chosen = _choose(graph, focus, depth, max_nodes)
    out = nx.MultiDiGraph()
    for cid in sorted(chosen, key=lambda c: graph.concepts[c].key):
        concept = graph.concepts[cid]
        out.add_node(
            _cid(concept),
            id=_cid(concept),
            name=concept.name,
            type="concept",
            aliases=list(concept.aliases),
            description=concept.description or "",
            pagerank=round(graph.pagerank.get(cid, 0.0), 5),
            community=graph.communities.get(cid, 0),
            sources=graph.sources_about(cid)[:8],
            focus=focus is not None and cid == graph.resolve(focus),
        )
    for e in graph.edges:
        if e.source_id not in chosen or e.target_id not in chosen:
            continue
        if e.relation == "builds_on" and not graph.ladder.has_edge(e.source_id, e.target_id):
            continue
        out.add_edge(
            _cid(graph.concepts[e.source_id]),
            _cid(graph.concepts[e.target_id]),
            key=e.relation,
            relation=e.relation,
            weight=e.weight,
            signals=list(e.signals),
            evidence=[dict(x) for x in e.evidence],
        )
    if owners:
        _add_owners(graph, chosen, out)
    return out


def _choose(graph: ConceptGraph, focus: str | None, depth: int, max_nodes: int | None) -> set[int]:
    import networkx as nx

    chosen = set(graph.concepts)
    center = None
    if focus is not None:
        center = graph.resolve(focus)
        chosen = set(nx.single_source_shortest_path_length(graph.undirected, center, depth))
    if max_nodes is not None and len(chosen) > max_nodes:
        ranked = sorted(
            chosen,
            key=lambda c: (c != center, -graph.pagerank.get(c, 0.0), graph.concepts[c].key),
        )
        chosen = set(ranked[:max_nodes])
    return chosen


def _cid(concept: ConceptRow) -> str:
    return f"concept:{concept.key}"


def _add_owners(graph: ConceptGraph, chosen: set[int], out: nx.MultiDiGraph) -> None:
    """Sources and entries, with ``about`` or ``mentions`` edges to the chosen concepts."""
    for cid in sorted(chosen, key=lambda c: graph.concepts[c].key):
        for kind, owner, count, about in graph.mentions.get(cid, []):
            if kind == "document" and owner in graph.sources:
                node = f"source:{owner}"
                url, title = graph.sources[owner]
                out.add_node(node, id=node, name=title or url, type="source", aliases=[], url=url)
            elif kind == "entry":
                node = f"entry:{owner}"
                day = graph.days.get(owner) or "undated"
                out.add_node(node, id=node, name=f"journal {day}", type="entry", aliases=[])
            else:
                continue
            relation = "about" if about else "mentions"
            out.add_edge(
                node,
                _cid(graph.concepts[cid]),
                key=relation,
                relation=relation,
                weight=float(max(count, 1)),
            )
