"""The concept graph, stored and read: built from the journal and its sources when they change,
then asked for paths, prerequisites, central concepts and pictures.

``concepts.py`` finds the concepts, ``relations.py`` decides which builds on which (and why);
this module keeps the result in the store, loads it into networkx, and answers questions: paths
and pictures use the transitive reduction of ``builds_on``, which draws attention → transformer
→ ViT → CLIP as a chain rather than a clique.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import itertools
import json
import logging
from dataclasses import asdict, astuple, dataclass
from typing import TYPE_CHECKING, Any

from kgnotes.concepts import CONCEPTS_VERSION, ConceptIndex, Settings, Unit, find_concepts, key_of
from kgnotes.config import Config
from kgnotes.errors import KgnotesError, ModelError
from kgnotes.relations import Evidence, Relation, relate

if TYPE_CHECKING:
    import networkx as nx

    from kgnotes.store import ConceptRow, EdgeRow, EntryText, SourceRecord, Store

GRAPH_VERSION = 2
STATE_KEY = "graph_inputs"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class GraphReport:
    concepts: int
    builds_on: int
    related: int
    rebuilt: bool


@dataclass(frozen=True)
class SourceRef:
    """A source to read about a concept."""

    url: str
    title: str | None
    about: bool  # about the concept, not only mentioning it


@dataclass(frozen=True)
class ConceptSummary:
    """One concept of ``kgnotes concepts``."""

    name: str
    aliases: list[str]
    sources: int
    mentions: int
    pagerank: float
    community: int


@dataclass(frozen=True)
class Rung:
    """One builds-on step: ``target`` builds on ``source``, and why."""

    source: str
    target: str
    signals: list[str]
    evidence: list[Evidence]

    def as_json(self) -> dict[str, Any]:
        """The shape ``--json`` has always printed: from, to, signals, evidence."""
        return {
            "from": self.source,
            "to": self.target,
            "signals": self.signals,
            "evidence": [asdict(e) for e in self.evidence],
        }


@dataclass(frozen=True)
class LearningPath:
    path: list[str]  # concept names, from the start up to the goal
    rungs: list[Rung]  # one per step

    def as_json(self) -> dict[str, Any]:
        return {"path": self.path, "edges": [r.as_json() for r in self.rungs]}


@dataclass(frozen=True)
class Prerequisite:
    name: str
    leads_to: list[str]  # what it is a rung to, among the goal and its other prerequisites
    sources: list[SourceRef]


@dataclass(frozen=True)
class Prerequisites:
    concept: str
    prereqs: list[Prerequisite]  # foundations first

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


# -- building ---------------------------------------------------------------------------------


def ensure_graph(store: Store, config: Config, force: bool = False) -> GraphReport:
    """Build the concept graph if what it is built from changed since it was last built (or
    always, with ``force``); the stored graph otherwise."""
    built_from = fingerprint(store, config)
    if not force and store.state(STATE_KEY) == built_from:
        concepts, counts = store.graph_counts()
        return GraphReport(
            concepts, counts.get("builds_on", 0), counts.get("related", 0), rebuilt=False
        )
    names = _NameEmbedder(config)
    index = find_concepts(
        units_from(store.entry_texts(), store.source_records()),
        Settings.from_config(config),
        names if names.model else None,
    )
    relations = relate(index)
    with store.transaction():
        save_graph(store, index, relations)
        # built without the model it was meant to have: the next graph command tries again
        store.set_state(STATE_KEY, built_from if not names.failed else f"{built_from}:retry")
    return GraphReport(
        len(index.concepts),
        sum(r.relation == "builds_on" for r in relations),
        sum(r.relation == "related" for r in relations),
        rebuilt=True,
    )


class _NameEmbedder:
    """The multilingual model, for pairing concept names across languages (None when turned
    off: ``[search] multilingual_model = "none"``). A model that cannot be loaded leaves the
    graph's languages apart, with a warning, and is remembered as failed."""

    def __init__(self, config: Config):
        from kgnotes import embed

        self.model = embed.multilingual_name(config)
        self.failed = False

    def __call__(self, texts: list[str]) -> Any:
        from kgnotes import embed

        try:
            return embed.encode(self.model, texts)  # type: ignore[arg-type]
        except ModelError as exc:  # the graph is still built, its languages apart
            log.warning("concept names not paired across languages: %s", exc)
            self.failed = True
            return None


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
        [
            (r.source, r.target, r.relation, r.weight, r.signals, [astuple(e) for e in r.evidence])
            for r in relations
        ],
    )


def fingerprint(store: Store, config: Config) -> str:
    """What the graph is built from, in one string: when it is the one stored with the graph,
    the graph is up to date (the export bench marks its synthetic graph built with it)."""
    from kgnotes import embed

    settings = json.dumps(dict(config.section("concepts")), sort_keys=True, default=str)
    settings += f"|{embed.multilingual_name(config)}"
    versions = f"{CONCEPTS_VERSION}.{GRAPH_VERSION}"
    raw = f"{versions}|{settings}|{store.graph_inputs()}"
    return hashlib.sha256(raw.encode()).hexdigest()


def units_from(entries: list[EntryText], sources: list[SourceRecord]) -> list[Unit]:
    """The texts concepts are found in: each journal entry, each archived source."""
    from kgnotes.urls import without_urls

    units = [
        Unit(
            "entry",
            e.entry_id,
            without_urls(e.text),  # a URL's words name nothing
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
        topics, context = filed_under(s)
        units.append(
            Unit(
                "document",
                s.document_id,
                text,
                s.url,
                title=s.title,
                day=s.first_day,
                published=(s.published or "")[:10] or None if s.kind == "paper" else None,
                topics=topics,
                wikipedia=wikipedia,
                authors=s.author,
                paper=s.kind == "paper",
                context=context,
            )
        )
    return units


def filed_under(source: SourceRecord) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The topic lines a source is filed under, and the author's other words around it.

    The topics are the run of topic lines above its link in each block that links it
    (``Zero-Shot Classification`` and ``what is linear probing?`` both, when the two lines
    stand together over one link), so not only the nearest; the words are the block's
    prose ("今天算是正式看CLIP的第一天"), which say what a link is about when its topic lines
    do not."""
    from kgnotes.urls import find_urls

    topics: list[str] = list(source.topics)
    context: list[str] = []
    for filing in source.filings:
        lines = filing.text.splitlines()
        found = False
        for line in reversed(lines[: filing.line]):
            topic = _topic_of(line, filing.topics)
            if topic is not None:
                found = True
                if topic not in topics:
                    topics.append(topic)
            elif found and line.strip():
                break
        for line in lines:
            text = line.strip()
            if (
                text
                and not find_urls(text)
                and not text.startswith(("$", "\\"))
                and _topic_of(line, filing.topics) is None
                and text not in context
            ):
                context.append(text)
    return tuple(topics), tuple(context)


def _topic_of(line: str, topics: tuple[str, ...]) -> str | None:
    text = line.strip().strip("*_#").strip()
    return next((t for t in topics if t and text.startswith(t)), None)


def _journal_label(day: str | None) -> str:
    return f"journal {day or 'undated'}"


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

        graph: nx.DiGraph[int] = nx.DiGraph()
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

        graph: nx.Graph[int] = nx.Graph()
        graph.add_nodes_from(sorted(self.concepts))
        for e in self.edges:
            graph.add_edge(e.source_id, e.target_id, weight=max(e.weight, 0.01))
        return graph

    @functools.cached_property
    def pagerank(self) -> dict[int, float]:
        """Importance: prerequisites collect it from what builds on them; related pairs share it."""
        import networkx as nx

        graph: nx.DiGraph[int] = nx.DiGraph()
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

    def sources_about(self, concept_id: int) -> list[SourceRef]:
        """The sources about a concept (first), then those that mention it most."""
        rows = [m for m in self.mentions.get(concept_id, []) if m[0] == "document"]
        rows.sort(key=lambda m: (not m[3], -m[2], m[1]))
        return [
            SourceRef(self.sources[m[1]][0], self.sources[m[1]][1], bool(m[3]))
            for m in rows
            if m[1] in self.sources
        ]


def concept_table(graph: ConceptGraph) -> list[ConceptSummary]:
    """Every concept with its aliases, how many sources and mentions it has, its importance
    and its community; most important first."""
    rows = []
    for cid, concept in graph.concepts.items():
        mentions = graph.mentions.get(cid, [])
        rows.append(
            ConceptSummary(
                concept.name,
                list(concept.aliases),
                sum(1 for m in mentions if m[0] == "document"),
                sum(m[2] for m in mentions),
                round(graph.pagerank.get(cid, 0.0), 5),
                graph.communities.get(cid, 0),
            )
        )
    rows.sort(key=lambda r: (-r.pagerank, r.name.lower()))
    return rows


def learning_path(graph: ConceptGraph, start: str, goal: str) -> LearningPath:
    """The rungs from ``start`` up to ``goal`` along ``builds_on`` (its transitive
    reduction), each step with the evidence for it."""
    import networkx as nx

    a, b = graph.resolve(start), graph.resolve(goal)
    ladder = graph.ladder
    if a == b:
        return LearningPath([graph.name(a)], [])
    for low, high in ((a, b), (b, a)):
        if nx.has_path(ladder, low, high):
            nodes = nx.shortest_path(
                ladder, low, high, weight=lambda u, v, d: 1.0 / (0.1 + d["weight"])
            )
            return LearningPath(
                [graph.name(n) for n in nodes],
                [_rung(graph, ladder.edges[u, v]["edge"]) for u, v in itertools.pairwise(nodes)],
            )
    raise KgnotesError(
        f"no builds-on path between {graph.name(a)} and {graph.name(b)} — "
        f"see what each builds on: kgnotes prereqs {graph.name(b)!r}"
    )


def prerequisites(graph: ConceptGraph, target: str) -> Prerequisites:
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
    return Prerequisites(
        graph.name(goal),
        [
            Prerequisite(
                graph.name(n),
                sorted(
                    graph.name(m) for m in graph.ladder.successors(n) if m in ancestors | {goal}
                ),
                graph.sources_about(n)[:3],
            )
            for n in order
        ],
    )


def _rung(graph: ConceptGraph, edge: EdgeRow) -> Rung:
    return Rung(
        graph.name(edge.source_id),
        graph.name(edge.target_id),
        list(edge.signals),
        [Evidence(source, sentence) for source, sentence in edge.evidence],
    )


def builds_on_edges(graph: ConceptGraph) -> list[Rung]:
    """Every rung of the ladder (the reduced ``builds_on``), for ``kgnotes graph`` as text."""
    edges = [graph.ladder.edges[u, v]["edge"] for u, v in graph.ladder.edges]
    edges.sort(key=lambda e: (graph.name(e.source_id).lower(), graph.name(e.target_id).lower()))
    return [_rung(graph, e) for e in edges]


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
    out: nx.MultiDiGraph[str] = nx.MultiDiGraph()
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
            sources=[asdict(r) for r in graph.sources_about(cid)[:8]],
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
            evidence=[{"source": s, "sentence": q} for s, q in e.evidence],
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
