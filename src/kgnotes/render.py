"""Pictures and files of the concept graph, in the format the file name asks for.

Pictures (PNG, SVG, PDF, the HTML page, the canvas, Mermaid) show concepts only, laid out in
layers from left to right along ``builds_on`` so a ladder reads as a ladder; the data formats
(JSON node-link, GraphML, GEXF, DOT) carry the sources and journal entries as well.
matplotlib is imported only when a picture (PNG, SVG, PDF) is drawn.
"""

from __future__ import annotations

import html
import json
import math
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kgnotes.errors import KgnotesError
from kgnotes.markup import inert

if TYPE_CHECKING:
    import networkx as nx

PICTURES = (".png", ".svg", ".pdf")
CONCEPT_ONLY = (*PICTURES, ".mmd", ".canvas", ".html")
FORMATS = (*CONCEPT_ONLY, ".json", ".graphml", ".gexf", ".dot")
PICTURE_MAX_NODES = 60  # beyond this, labels stop fitting; --max-nodes changes it
LABEL_CHARS = 28
# A colour-blind-safe palette (Okabe & Ito), then the 20 colours of matplotlib's tab20 for
# larger graphs, written out so the canvas, Mermaid and HTML outputs need no matplotlib.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999")
TAB20 = (
    "#1f77b4", "#aec7e8", "#ff7f0e", "#ffbb78", "#2ca02c", "#98df8a", "#d62728", "#ff9896",
    "#9467bd", "#c5b0d5", "#8c564b", "#c49c94", "#e377c2", "#f7b6d2", "#7f7f7f", "#c7c7c7",
    "#bcbd22", "#dbdb8d", "#17becf", "#9edae5",
)  # fmt: skip


def format_of(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise KgnotesError(
            f"{path}: unknown graph format {suffix or '(none)'} — use one of {', '.join(FORMATS)}"
        )
    return suffix


def write(graph: nx.MultiDiGraph, path: Path) -> None:
    """Write ``graph`` to ``path`` in the format its extension names, atomically."""
    suffix = format_of(path)
    if suffix in CONCEPT_ONLY:
        graph = concepts_only(graph)
    if suffix in PICTURES:
        _atomic(path, lambda tmp: draw(graph, tmp, suffix[1:]))
        return
    writers = {
        ".json": lambda: json.dumps(node_link(graph), ensure_ascii=False, indent=1),
        ".mmd": lambda: mermaid(graph),
        ".canvas": lambda: json.dumps(canvas(graph), ensure_ascii=False, indent=1),
        ".html": lambda: page(graph),
        ".dot": lambda: dot(graph),
    }
    if suffix in writers:
        text = writers[suffix]()
        _atomic(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
        return
    import networkx as nx

    flat = _flat(graph)
    write_nx = nx.write_graphml if suffix == ".graphml" else nx.write_gexf
    _atomic(path, lambda tmp: write_nx(flat, tmp))


def _atomic(path: Path, produce: Any) -> None:
    """Write to a temporary file beside ``path``, then rename: no half-written graph."""
    from kgnotes.files import replace_atomically

    replace_atomically(path, produce)


def concepts_only(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    keep = [n for n, d in graph.nodes(data=True) if d.get("type") == "concept"]
    return graph.subgraph(keep).copy()


def node_link(graph: nx.MultiDiGraph) -> dict[str, Any]:
    """networkx node-link data (for Cytoscape, D3): nodes with id, name, type, aliases;
    links with source, target, relation, weight."""
    import networkx as nx

    return nx.node_link_data(graph, edges="links")


def _flat(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy whose attributes are all scalars, as GraphML and GEXF require."""
    flat = graph.copy()
    for _, data in flat.nodes(data=True):
        _flatten(data)
    for _, _, data in flat.edges(data=True):
        _flatten(data)
    return flat


def _flatten(data: dict[str, Any]) -> None:
    for key, value in list(data.items()):
        if value is None:
            del data[key]
        elif isinstance(value, list | dict | tuple):
            data[key] = json.dumps(value, ensure_ascii=False)


# -- layout -----------------------------------------------------------------------------------


def layers(graph: nx.MultiDiGraph) -> list[list[str]]:
    """Columns of concepts, left to right: each concept one column right of everything it
    builds on; concepts outside any ladder go beside the related concept they share most with,
    or, with none, into columns of their own at the right."""
    import networkx as nx

    ladder: nx.DiGraph[str] = nx.DiGraph()
    ladder.add_edges_from(
        (u, v) for u, v, d in graph.edges(data=True) if d.get("relation") == "builds_on"
    )
    column: dict[str, int] = {}
    for node in nx.topological_sort(ladder):
        column[node] = max((column[p] + 1 for p in ladder.predecessors(node)), default=0)
    loose = sorted((n for n in graph if n not in column), key=lambda n: _sort_key(graph, n))
    rest = []
    for node in loose:
        placed = [
            (d.get("weight", 0), column[other])
            for a, b, d in graph.edges(node, data=True)
            for other in (b,)
            if other in column
        ] + [
            (d.get("weight", 0), column[a])
            for a, _, d in graph.in_edges(node, data=True)
            if a in column
        ]
        if placed:
            column[node] = max(placed)[1]
        else:
            rest.append(node)
    width = max(column.values(), default=-1) + 1
    tallest = max([sum(1 for c in column.values() if c == i) for i in range(width)] + [1])
    per_column = max(tallest, math.ceil(math.sqrt(len(rest))) or 1)
    for i, node in enumerate(rest):
        column[node] = width + i // per_column
    columns: dict[int, list[str]] = defaultdict(list)
    for node in sorted(column, key=lambda n: _sort_key(graph, n)):
        columns[column[node]].append(node)
    ordered = [columns[i] for i in sorted(columns)]
    _reduce_crossings(graph, ordered)
    return ordered


def _sort_key(graph: nx.MultiDiGraph, node: str) -> tuple[int, float, str]:
    data = graph.nodes[node]
    return (data.get("community", 0), -data.get("pagerank", 0.0), data.get("name", node).lower())


def _reduce_crossings(graph: nx.MultiDiGraph, columns: list[list[str]]) -> None:
    """A few barycentre sweeps: each node moves toward the mean row of its neighbours in the
    column before, which untangles most edges in layered drawings (Sugiyama et al., 1981)."""
    for _ in range(4):
        row = {n: i for col in columns for i, n in enumerate(col)}
        for index in range(1, len(columns)):
            previous = set(columns[index - 1])
            columns[index].sort(key=lambda node: _centre(graph, node, previous, row))
            row.update({n: i for i, n in enumerate(columns[index])})


def _centre(
    graph: nx.MultiDiGraph, node: str, previous: set[str], row: dict[str, int]
) -> tuple[float, str]:
    rows = [row[p] for p in _neighbours(graph, node) if p in previous]
    return (sum(rows) / len(rows) if rows else row[node], node)


def _neighbours(graph: nx.MultiDiGraph, node: str) -> list[str]:
    return list(graph.predecessors(node)) + list(graph.successors(node))


def positions(
    graph: nx.MultiDiGraph, column_width: float, row_height: float
) -> dict[str, tuple[float, float]]:
    """Node → (x, y) with y growing downward, each column centred on the tallest."""
    columns = layers(graph)
    tallest = max((len(c) for c in columns), default=1)
    out = {}
    for x, col in enumerate(columns):
        offset = (tallest - len(col)) / 2
        for y, node in enumerate(col):
            out[node] = (x * column_width, (y + offset) * row_height)
    return out


def label(graph: nx.MultiDiGraph, node: str) -> str:
    name = str(graph.nodes[node].get("name", node))
    return name if len(name) <= LABEL_CHARS else name[: LABEL_CHARS - 1] + "…"


def colour(community: int) -> str:
    if community < len(PALETTE):
        return PALETTE[community]
    return TAB20[community % len(TAB20)]


def community_names(graph: nx.MultiDiGraph) -> dict[int, str]:
    """Each community named after its most important members."""
    members: dict[int, list[str]] = defaultdict(list)
    for node in sorted(graph, key=lambda n: -graph.nodes[n].get("pagerank", 0.0)):
        members[graph.nodes[node].get("community", 0)].append(graph.nodes[node]["name"])
    return {
        c: ", ".join(names[:3]) + (" …" if len(names) > 3 else "") for c, names in members.items()
    }


# -- matplotlib -------------------------------------------------------------------------------


def draw(graph: nx.MultiDiGraph, path: str, fmt: str) -> None:
    """PNG, SVG or PDF: boxes coloured by community, builds-on arrows left to right, related
    pairs dashed, a legend. Sized from the layout so labels never overlap."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.collections import LineCollection
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyArrowPatch, Patch

    plt.rcParams["font.family"] = _fonts(graph)

    labelled = len(graph) <= PICTURE_MAX_NODES * 2
    longest = max((len(label(graph, n)) for n in graph), default=8)
    column_width = max(1.6, 0.085 * longest + 0.9) if labelled else 1.5
    row_height = 0.42 if labelled else 0.14
    # in a large graph only the most central concepts get a name beside their dot
    named = set(sorted(graph, key=lambda n: -graph.nodes[n].get("pagerank", 0.0))[:60])
    where = positions(graph, column_width, row_height)
    columns = max((x for x, _ in where.values()), default=0) / column_width + 1
    rows = max((y for _, y in where.values()), default=0) / row_height + 1
    width = min(60.0, max(6.0, columns * column_width + 0.5))
    height = min(60.0, max(3.5, rows * row_height + 1.6))
    figure, axes = plt.subplots(figsize=(width, height))
    axes.set_xlim(-column_width * 0.6, (columns - 0.4) * column_width)
    axes.set_ylim(rows * row_height - row_height * 0.4, -row_height * 0.6)
    axes.axis("off")
    related = []
    for u, v, data in graph.edges(data=True):
        (x1, y1), (x2, y2) = where[u], where[v]
        if data.get("relation") == "builds_on":
            if labelled and x1 != x2:  # from the right edge of one box to the left of the next
                x1, x2 = x1 + _half_width(graph, u), x2 - _half_width(graph, v)
            arrow = FancyArrowPatch(
                (x1, y1),
                (x2, y2),
                arrowstyle="-|>",
                mutation_scale=12,
                color="#333333",
                linewidth=1.3,
                shrinkA=2,
                shrinkB=2 if labelled else 4,
                connectionstyle="arc3,rad=0.0" if x1 != x2 else "arc3,rad=0.4",
                zorder=4,
            )
            axes.add_patch(arrow)
        elif data.get("relation") == "related":
            related.append([(x1, y1), (x2, y2)])
    axes.add_collection(  # one artist for all of them: a large graph has thousands
        LineCollection(related, linestyles="--", colors="#c8c8c8", linewidths=0.7, zorder=1)
    )
    if not labelled:
        nodes = list(where)
        axes.scatter(
            [where[n][0] for n in nodes],
            [where[n][1] for n in nodes],
            s=18,
            c=[colour(graph.nodes[n].get("community", 0)) for n in nodes],
            edgecolors=["#000000" if graph.nodes[n].get("focus") else "#ffffff" for n in nodes],
            zorder=3,
        )
    for node, (x, y) in where.items():
        data = graph.nodes[node]
        fill = colour(data.get("community", 0))
        edge = "#000000" if data.get("focus") else fill
        if labelled:
            axes.text(
                x,
                y,
                label(graph, node),
                ha="center",
                va="center",
                fontsize=9,
                color="#111111",
                zorder=3,
                bbox={"boxstyle": "round,pad=0.35", "facecolor": fill + "55", "edgecolor": edge},
            )
        elif node in named:
            axes.text(x + 0.06, y, label(graph, node), fontsize=6, va="center", zorder=5)
    names = community_names(graph)
    handles: list[Any] = [Patch(color=colour(c), label=names[c][:48]) for c in sorted(names)[:10]]
    handles += [
        Line2D([], [], color="#333333", marker=">", label="builds on (left → right)"),
        Line2D([], [], color="#bbbbbb", linestyle="--", label="related"),
    ]
    axes.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(0, 0),  # below the drawing, never over it
        fontsize=8,
        frameon=False,
        ncol=min(4, len(handles)),
    )
    figure.savefig(path, format=fmt, dpi=150 if fmt == "png" else None, bbox_inches="tight")
    plt.close(figure)


CJK_FONTS = (  # the first installed one draws the Chinese labels (glyph by glyph fallback)
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Source Han Sans SC",
    "Microsoft YaHei",
    "PingFang SC",
    "Hiragino Sans GB",
    "SimHei",
    "Droid Sans Fallback",
)


def _fonts(graph: nx.MultiDiGraph) -> list[str]:
    """DejaVu Sans, then a CJK font if a label needs one and one is installed; without one,
    one clear warning instead of a warning per missing glyph."""
    import logging
    import warnings

    from matplotlib import font_manager

    from kgnotes.cjk import CJK_RUN

    if not any(CJK_RUN.search(graph.nodes[n].get("name", "")) for n in graph):
        return ["DejaVu Sans"]
    installed = {f.name for f in font_manager.fontManager.ttflist}
    cjk = [name for name in CJK_FONTS if name in installed]
    if not cjk:
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        logging.getLogger(__name__).warning(
            "no CJK font installed: Chinese labels will show as boxes "
            "(install one, e.g. Debian's fonts-noto-cjk)"
        )
    return ["DejaVu Sans", *cjk[:1]]


def _half_width(graph: nx.MultiDiGraph, node: str) -> float:
    """Half a label box's width in data units (one unit is one inch): 9 pt DejaVu Sans runs
    about 0.075 in a character, plus the box's padding."""
    return (0.075 * len(label(graph, node)) + 0.2) / 2


# -- text formats -----------------------------------------------------------------------------


def mermaid(graph: nx.MultiDiGraph) -> str:
    """A Mermaid flowchart (Obsidian renders it in a ```mermaid block)."""
    ids = {node: f"c{i}" for i, node in enumerate(sorted(graph))}
    lines = ["flowchart LR"]
    for node in sorted(graph):
        text = graph.nodes[node].get("name", node).replace('"', "#quot;")
        lines.append(f'  {ids[node]}["{text}"]')
    for u, v, data in sorted(graph.edges(data=True), key=lambda e: (e[0], e[1])):
        arrow = "-->" if data.get("relation") == "builds_on" else "-.-"
        lines.append(f"  {ids[u]} {arrow} {ids[v]}")
    for community in sorted({graph.nodes[n].get("community", 0) for n in graph}):
        lines.append(
            f"  classDef g{community} fill:{colour(community)}33,stroke:{colour(community)}"
        )
    for node in sorted(graph):
        lines.append(f"  class {ids[node]} g{graph.nodes[node].get('community', 0)}")
    return "\n".join(lines) + "\n"


def dot(graph: nx.MultiDiGraph) -> str:
    """Graphviz DOT, left to right, concepts coloured by community."""

    def quote(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'

    lines = ["digraph kgnotes {", "  rankdir=LR;", '  node [shape=box, style="rounded,filled"];']
    for node, data in sorted(graph.nodes(data=True)):
        fill = (
            colour(data.get("community", 0)) + "55" if data.get("type") == "concept" else "#eeeeee"
        )
        lines.append(
            f"  {quote(node)} [label={quote(data.get('name', node))}, fillcolor={quote(fill)}];"
        )
    for u, v, data in sorted(graph.edges(data=True), key=lambda e: (e[0], e[1])):
        relation = data.get("relation", "")
        style = {"builds_on": "solid", "related": "dashed"}.get(relation, "dotted")
        extra = ", dir=none" if relation == "related" else ""
        lines.append(f"  {quote(u)} -> {quote(v)} [label={quote(relation)}, style={style}{extra}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def canvas(
    graph: nx.MultiDiGraph, file_for: dict[str, str] | None = None
) -> dict[str, list[dict[str, Any]]]:
    """A JSON Canvas 1.0 document laid out like the PNG. With ``file_for`` (node → vault path)
    nodes are file cards, so the canvas opens each concept's page."""
    width, height = 220, 60
    where = positions(graph, column_width=width + 120, row_height=height + 40)
    ids = {node: f"n{i:04d}" for i, node in enumerate(sorted(graph))}
    nodes = []
    for node in sorted(graph):
        x, y = where[node]
        card: dict[str, Any] = {
            "id": ids[node],
            "x": round(x),
            "y": round(y),
            "width": width,
            "height": height,
            "color": colour(graph.nodes[node].get("community", 0)),
        }
        if file_for and node in file_for:
            card.update(type="file", file=file_for[node])
        else:
            name = str(graph.nodes[node].get("name", node))
            card.update(type="text", text=inert(name))  # a card's text is Markdown
        nodes.append(card)
    edges = []
    for i, (u, v, data) in enumerate(sorted(graph.edges(data=True), key=lambda e: (e[0], e[1]))):
        related = data.get("relation") == "related"
        edge = {
            "id": f"e{i:04d}",
            "fromNode": ids[u],
            "fromSide": "right",
            "toNode": ids[v],
            "toSide": "left",
            "toEnd": "none" if related else "arrow",
        }
        if related:
            edge.update(fromSide="bottom", toSide="top", color="#bbbbbb")
        else:
            edge["label"] = "builds on"
        edges.append(edge)
    return {"nodes": nodes, "edges": edges}


def page(graph: nx.MultiDiGraph) -> str:
    """A self-contained HTML page: the layered graph in SVG, pan by dragging, zoom with the
    wheel, click a concept to read its description, links and sources. No network at all."""
    where = positions(graph, column_width=260, row_height=64)
    nodes = [
        {
            "id": node,
            "name": data.get("name", node),
            "label": label(graph, node),
            "x": where[node][0],
            "y": where[node][1],
            "color": colour(data.get("community", 0)),
            "aliases": data.get("aliases", []),
            "description": data.get("description", ""),
            "sources": data.get("sources", []),
        }
        for node, data in sorted(graph.nodes(data=True))
    ]
    edges = [
        {
            "from": u,
            "to": v,
            "relation": data.get("relation"),
            "evidence": data.get("evidence", [])[:2],
        }
        for u, v, data in sorted(graph.edges(data=True), key=lambda e: (e[0], e[1]))
    ]
    data = json.dumps({"nodes": nodes, "edges": edges}, ensure_ascii=False)
    data = data.replace("</", "<\\/")  # never closes the script element early
    template = (Path(__file__).parent / "graph.html").read_text(encoding="utf-8")
    return template.replace("{{TITLE}}", html.escape("kgnotes concept graph")).replace(
        "{{DATA}}", data
    )
