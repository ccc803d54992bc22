"""The Obsidian vault: journal days, sources and concepts as linked Markdown pages.

Pages are built from the store alone, in a fixed order, so the same store writes the same
bytes (a vault can live in git). The user's writing is never lost: every page ends in a
``## My notes`` section that is carried over on every export, a page the user changed
anywhere else is left as it is (kgnotes keeps the hash of what it last wrote) until
``--force``, and a page kgnotes did not write is never touched.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kgnotes.markup import inert
from kgnotes.names import Names

if TYPE_CHECKING:
    from kgnotes.concepts import Matcher
    from kgnotes.extract import Document
    from kgnotes.graph import ConceptGraph
    from kgnotes.store import EdgeRow, Store
    from kgnotes.views import LinkView

MY_NOTES = "## My notes"
GROUPS = (  # Obsidian graph view colour groups: (query, RGB)
    ("path:Journal", 0x4E79A7),
    ("path:Sources", 0xF28E2B),
    ("path:Concepts", 0x59A14F),
)
CANVAS_CONCEPTS = 100
SOURCES_AT_ONCE = 200  # documents read from the store together while their pages are written
_MATH_OR_CODE = re.compile(r"\$\$.*?\$\$|\$[^$\n]+\$|```.*?```|`[^`\n]+`", re.DOTALL)
_LINK = re.compile(r"(!?)\[([^\]\n]*)\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
_SAFE_SCHEMES = ("http://", "https://", "mailto:")


@dataclass
class ExportReport:
    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    kept_edited: list[str] = field(default_factory=list)  # the user changed them: left alone
    kept_foreign: list[str] = field(default_factory=list)  # kgnotes never wrote them

    @property
    def problems(self) -> list[str]:
        return [
            *(
                f"{p}: edited since kgnotes wrote it — kept (--force overwrites it; your "
                "My notes section survives either way)"
                for p in self.kept_edited
            ),
            *(f"{p}: not written by kgnotes — left alone" for p in self.kept_foreign),
        ]


@dataclass(frozen=True)
class Page:
    path: str  # relative to the vault, with forward slashes
    text: str
    owner: str | None = None  # link:<id>, concept:<key> or day:<YYYY-MM-DD>


# -- building pages ---------------------------------------------------------------------------


class _Vault:
    """Everything the pages link to, named once."""

    def __init__(self, store: Store, graph: ConceptGraph, model: str):
        from kgnotes.views import link_view

        self.store, self.graph, self.model = store, graph, model
        self.links = {r.id: link_view(r) for r in store.links()}
        self.by_normalized = {v.normalized: v for v in self.links.values()}
        self.days_of_link = store.link_days()
        self.entries = store.entry_texts()
        self.documents: dict[int, int] = {}  # link id → latest document id
        self.source_names: dict[int, str] = {}  # link id → page name
        latest = store.latest_document_ids()
        names = Names()
        for link_id, view in sorted(self.links.items()):
            document = latest.get(link_id) if view.status == "archived" else None
            if document is not None:
                self.documents[link_id] = document
                title = view.title or _url_title(view.url)
                self.source_names[link_id] = names.claim(title)
        self.link_of_document = {d: link for link, d in self.documents.items()}
        concept_names = Names()
        self.concept_names = {
            c.id: concept_names.claim(c.name)
            for c in sorted(graph.concepts.values(), key=lambda c: c.key)
        }
        self.days = sorted({e.day for e in self.entries if e.day})
        self.day_of_entry = {e.entry_id: e.day for e in self.entries}
        self.related = _nearest_sources(store, model, self.link_of_document)
        self.concepts_of_document: dict[int, list[tuple[bool, int]]] = defaultdict(list)
        for cid, mentions in graph.mentions.items():  # document id → (about, concept id)
            if cid in self.concept_names:
                for kind, owner, _, about in mentions:
                    if kind == "document":
                        self.concepts_of_document[owner].append((about, cid))

    def source_link(self, link_id: int, text: str | None = None) -> str:
        name = self.source_names[link_id]
        return _wikilink(f"Sources/{name}", text or name)

    def concept_link(self, concept_id: int, text: str | None = None) -> str:
        name = self.concept_names[concept_id]
        return _wikilink(f"Concepts/{name}", text or self.graph.name(concept_id))

    def journal_page(self, entry_id: int) -> str:
        day = self.day_of_entry.get(entry_id)
        return f"Journal/{day}" if day else f"Journal/undated {entry_id}"

    def evidence_source(self, label: str) -> str:
        """An evidence label (a URL or ``journal 2024-07-27``) as a link where a page exists."""
        if label.startswith("journal ") and label[8:] in self.days:
            return _wikilink(f"Journal/{label[8:]}", label[8:])
        from kgnotes.urls import normalize

        view = self.by_normalized.get(normalize(label)) if "://" in label else None
        if view and view.id in self.source_names:
            return self.source_link(view.id)
        return label


def build_pages(store: Store, graph: ConceptGraph, model: str) -> Iterator[Page]:
    """Every page kgnotes writes, in a fixed order, one at a time: a page is built when the
    one before it has been written, and the sources' documents are read a few hundred at a
    time, so a large archive is never in memory whole."""
    vault = _Vault(store, graph, model)
    yield from _journal_pages(vault)
    link_ids = sorted(vault.source_names)
    for start in range(0, len(link_ids), SOURCES_AT_ONCE):
        part = link_ids[start : start + SOURCES_AT_ONCE]
        documents = store.documents_of(part)
        for link_id in part:
            yield _source_page(vault, link_id, documents.pop(link_id))
    for cid in sorted(vault.concept_names):
        yield _concept_page(vault, cid)
    yield _home(vault)
    yield Page("Graph.canvas", _canvas(vault))


def _journal_pages(vault: _Vault) -> Iterator[Page]:
    by_page: dict[str, list[Any]] = defaultdict(list)
    for entry in vault.entries:
        by_page[vault.journal_page(entry.entry_id)].append(entry)
    matcher = _matcher(vault.graph)
    for path, entries in sorted(by_page.items()):
        day = entries[0].day
        linked: set[int] = set()  # each concept linked at its first mention on the page
        bodies = [_annotate(vault, e.text, matcher, linked) for e in entries]
        properties = {"date": day, "tags": ["journal"]} if day else {"tags": ["journal"]}
        title = day or path.rsplit("/", 1)[-1]
        owner = f"day:{day}" if day else None
        yield Page(f"{path}.md", _page(properties, f"# {title}", *bodies), owner)


def _annotate(vault: _Vault, text: str, matcher: Matcher, linked: set[int]) -> str:
    """The entry as written, each URL followed by its source page and reading status, the
    first mention of each concept linked; math, code and URLs untouched."""
    from kgnotes.urls import find_urls, normalize

    protected = [(m.start(), m.end()) for m in _MATH_OR_CODE.finditer(text)]
    edits: list[tuple[int, int, str]] = []
    for span in find_urls(text):
        protected.append((span.start, span.end))
        view = vault.by_normalized.get(normalize(text[span.start : span.end]))
        if view is not None:  # after the URL, or after the bracket that closes around it
            at = span.end + 1 if text[span.end : span.end + 1] in ("]", ")", ">") else span.end
            edits.append((at, at, _link_note(vault, view)))
    for key, start, end in matcher.spans(text):
        concept_id = vault.graph.concept_id_of_key(key)
        if concept_id is None or concept_id in linked:
            continue
        if any(a < end and start < b for a, b in protected) or _inside_link(text, start):
            continue
        linked.add(concept_id)
        edits.append((start, end, vault.concept_link(concept_id, text[start:end])))
    for start, end, new in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        text = text[:start] + new + text[end:]
    return _escape_my_notes(text.strip())


def _inside_link(text: str, position: int) -> bool:
    """Is ``position`` inside a ``[[wikilink]]`` or a Markdown link's text?"""
    before = text[:position]
    return before.rfind("[[") > before.rfind("]]") or before.rfind("[") > before.rfind("]")


def _link_note(vault: _Vault, view: LinkView) -> str:
    opinion = ", ".join(x for x in (view.reading, view.quality) if x)
    status = f" · {opinion}" if opinion else ""
    if view.id in vault.source_names:
        return f" ({vault.source_link(view.id)}{status})"
    reason = view.reason or view.status
    return f" (not archived: {reason}{status})"


def _source_page(vault: _Vault, link_id: int, document: Document) -> Page:
    view = vault.links[link_id]
    document_id = vault.documents[link_id]
    properties = {
        "url": view.url,
        "title": document.title or view.title,
        "author": document.author,
        "published": _date(document.published),
        "site": document.site,
        "kind": view.kind,
        "status": view.status,
        "archived": _date(view.archived_at),
        "reading": view.reading,
        "quality": view.quality,
        "tags": ["source", *_tags(document.tags)],
    }
    name = vault.source_names[link_id]
    parts = [f"# {_one_line(_sanitize(document.title or name))}"]
    if document.description:
        parts.append(
            "\n".join(f"> {line}" for line in _sanitize(document.description).splitlines())
        )
    days = vault.days_of_link.get(link_id, [])
    notes = "; ".join(view.notes)
    if days:
        lines = [f"- {_wikilink(f'Journal/{d}', d)}" for d in days]
        if notes:
            lines.append(f"- notes: {_sanitize(notes)}")
        parts.append("## Journal\n\n" + "\n".join(lines))
    concepts = list(vault.concepts_of_document.get(document_id, ()))
    if concepts:
        concepts.sort(key=lambda item: (not item[0], vault.graph.name(item[1]).lower()))
        parts.append(
            "## Concepts\n\n"
            + "\n".join(
                f"- {vault.concept_link(c)}" + (" (about)" if a else "") for a, c in concepts
            )
        )
    related = [r for r in vault.related.get(link_id, []) if r in vault.source_names]
    if related:
        parts.append("## Related\n\n" + "\n".join(f"- {vault.source_link(r)}" for r in related))
    parts.append("## Archived text\n\n" + _escape_my_notes(_sanitize(document.text)))
    return Page(f"Sources/{name}.md", _page(properties, *parts), f"link:{link_id}")


def _nearest_sources(
    store: Store, model: str, link_of_document: dict[int, int], limit: int = 5, block: int = 256
) -> dict[int, list[int]]:
    """Link id → the link ids of the sources nearest in meaning: each source is the mean of
    its passages' vectors (read and added up a slice at a time), compared with every other by
    a matrix product, ``block`` sources at a time (no model needed; at 5,000 sources the whole
    square of scores would be 100 MB)."""
    import itertools

    import numpy as np

    from kgnotes import embed

    archived = sorted(link_of_document)
    place = {d: i for i, d in enumerate(archived)}
    rows = ((d, v) for d, v in store.document_vectors(model) if d in place)
    sums: np.ndarray | None = None
    seen = np.zeros(len(archived), dtype=bool)  # the sources with vectors
    while part := list(itertools.islice(rows, 8192)):
        vectors = embed.matrix(v for _, v in part)
        if sums is None:
            sums = np.zeros((len(archived), vectors.shape[1]), dtype=np.float32)
        at = [place[d] for d, _ in part]
        np.add.at(sums, at, vectors)
        seen[at] = True
    if sums is None:
        return {}
    present = np.flatnonzero(seen)
    documents = [archived[i] for i in present]
    sums = sums[present]
    sums /= np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-9)
    nearest = {}
    n = len(documents)
    kth = n - min(limit, n)  # the limit-th best score's place in a row sorted ascending
    for lo in range(0, n, block):
        scores = sums[lo : lo + block] @ sums.T
        scores[np.arange(len(scores)), np.arange(lo, lo + len(scores))] = -np.inf
        # the best ``limit`` of each row, ties in document order (as a stable sort of the
        # whole row ranks them): every score as good as the limit-th best, those sorted
        bar = np.partition(scores, kth, axis=1)[:, kth]
        for i, row in enumerate(scores):
            candidates = np.flatnonzero(row >= bar[i])
            order = candidates[np.argsort(-row[candidates], kind="stable")][:limit]
            nearest[link_of_document[documents[lo + i]]] = [
                link_of_document[documents[j]] for j in order if np.isfinite(row[j])
            ]
    return nearest


def _concept_page(vault: _Vault, concept_id: int) -> Page:
    graph = vault.graph
    concept = graph.concepts[concept_id]
    properties = {"aliases": list(concept.aliases), "tags": ["concept"]}
    parts = [f"# {_one_line(_sanitize(concept.name))}"]
    if concept.description:
        parts.append(_escape_my_notes(_sanitize(concept.description)))
    ladder = graph.ladder
    sections = (
        ("Builds on", [(u, ladder.edges[u, concept_id]) for u in ladder.predecessors(concept_id)]),
        ("Leads to", [(v, ladder.edges[concept_id, v]) for v in ladder.successors(concept_id)]),
    )
    for title, edges in sections:
        if edges:
            lines = [_edge_line(vault, other, data["edge"]) for other, data in edges]
            parts.append(f"## {title}\n\n" + "\n".join(sorted(lines)))
    related = [
        (e.target_id if e.source_id == concept_id else e.source_id, e)
        for e in graph.edges
        if e.relation == "related" and concept_id in (e.source_id, e.target_id)
    ]
    if related:
        lines = [_edge_line(vault, other, e) for other, e in related]
        parts.append("## Related\n\n" + "\n".join(sorted(lines)))
    mentions = graph.mentions.get(concept_id, [])
    sources = [
        (not about, -count, vault.link_of_document[owner])
        for kind, owner, count, about in mentions
        if kind == "document" and owner in vault.link_of_document
    ]
    if sources:
        lines = [f"- {vault.source_link(link)}" for *_, link in sorted(sources)[:30]]
        parts.append("## Sources\n\n" + "\n".join(lines))
    days = sorted({vault.journal_page(owner) for kind, owner, _, _ in mentions if kind == "entry"})
    if days:
        parts.append(
            "## Journal\n\n" + "\n".join(f"- {_wikilink(d, d.split('/', 1)[1])}" for d in days)
        )
    parts.append("## Neighbourhood\n\n```mermaid\n" + _neighbourhood(vault, concept_id) + "```")
    name = vault.concept_names[concept_id]
    return Page(f"Concepts/{name}.md", _page(properties, *parts), f"concept:{concept.key}")


def _edge_line(vault: _Vault, other: int, edge: EdgeRow) -> str:
    line = f"- {vault.concept_link(other)}"
    if edge.evidence:
        source, said = edge.evidence[0]
        line += f" — “{_one_line(_sanitize(said))}” ({vault.evidence_source(source)})"
    return line


def _neighbourhood(vault: _Vault, concept_id: int) -> str:
    from kgnotes import graph as graphs
    from kgnotes import render

    key = vault.graph.concepts[concept_id].key
    around = graphs.export(vault.graph, focus=key, depth=1, max_nodes=15, owners=False)
    return render.mermaid(around)


def _home(vault: _Vault) -> Page:
    from kgnotes import annotations
    from kgnotes import graph as graphs

    counts = vault.store.counts()
    by_status = counts.links_by_status
    parts = [
        "# kgnotes",
        f"{counts.entries} journal entries, {counts.links} links "
        f"({by_status.archived} archived, {by_status.pending} pending, "
        f"{by_status.failed} failed), {len(vault.graph.concepts)} concepts.",
    ]
    queue = [
        v
        for _, v in sorted(vault.links.items())
        if v.reading in (annotations.UNREAD, annotations.PARTIAL)
    ]
    if queue:
        parts.append("## Reading queue\n\n" + "\n".join(_queue_line(vault, v) for v in queue))
    central = graphs.concept_table(vault.graph)[:15]
    ids = {vault.graph.name(c): c for c in vault.concept_names}
    if central:
        lines = [f"- {vault.concept_link(ids[row.name])}" for row in central if row.name in ids]
        parts.append("## Central concepts\n\n" + "\n".join(lines))
    failed = [v for _, v in sorted(vault.links.items()) if v.status == "failed"]
    lines = [f"- {_autolink(v.url)} — {_inline(v.error or v.reason or 'failed')}" for v in failed]
    lines += [f"- “{_inline(t.title)}” — {t.reason}" for t in vault.store.titles_without_paper()]
    if lines:
        parts.append("## Failed links\n\n" + "\n".join(lines))
    return Page("Home.md", _page({"tags": ["home"]}, *parts))


def _queue_line(vault: _Vault, view: LinkView) -> str:
    target = vault.source_link(view.id) if view.id in vault.source_names else _autolink(view.url)
    return f"- {view.first_seen} {target} ({view.reading})"


def _canvas(vault: _Vault) -> str:
    from kgnotes import graph as graphs
    from kgnotes import render

    exported = graphs.export(vault.graph, max_nodes=CANVAS_CONCEPTS, owners=False)
    files = {
        node: f"Concepts/{vault.concept_names[cid]}.md"
        for cid in vault.concept_names
        if (node := f"concept:{vault.graph.concepts[cid].key}") in exported
    }
    return json.dumps(render.canvas(exported, files), ensure_ascii=False, indent=1) + "\n"


def _matcher(graph: ConceptGraph) -> Matcher:
    from kgnotes.concepts import Matcher

    return Matcher({c.key: c for c in graph.concepts.values()})


# -- text -------------------------------------------------------------------------------------


def _page(properties: dict[str, Any], *parts: str) -> str:
    body = "\n\n".join(p for p in parts if p)
    return f"{front_matter(properties)}{body}\n\n{MY_NOTES}\n\n"


def front_matter(properties: dict[str, Any]) -> str:
    """YAML properties that parse whatever a title holds: strings are JSON-quoted (valid
    YAML), dates bare ``YYYY-MM-DD``, lists one item a line; empty values left out."""
    lines = ["---"]
    for key, value in properties.items():
        if value is None or value == [] or value == "":
            continue
        if isinstance(value, list):
            lines.append(f"{key}:")
            lines += [f"  - {_yaml_string(item)}" for item in value]
        elif key in ("date", "published", "archived") and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            lines.append(f"{key}: {value}")
        else:
            lines.append(f"{key}: {_yaml_string(value)}")
    lines.append("---")
    return "\n".join(lines) + "\n"


def _yaml_string(value: Any) -> str:
    """A JSON string is a YAML double-quoted scalar; ``[[`` and ``%%`` are opened up so
    Obsidian reads a title as neither a link nor a comment."""
    text = str(value).replace("[[", "[ [").replace("]]", "] ]").replace("%%", "% %")
    return json.dumps(text, ensure_ascii=False)


def _wikilink(target: str, text: str) -> str:
    shown = re.sub(r"[\[\]|\n]|%(?=%)", " ", text).strip() or target
    return f"[[{target}|{shown}]]"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _inline(text: str) -> str:
    """A string from the network (a reason phrase, an error) as inert Markdown on one line:
    no HTML, wikilink, embed or ``%%`` comment opens, no control character survives."""
    from kgnotes.markup import printable

    return _one_line(_sanitize(printable(text)))


def _autolink(url: str) -> str:
    """``<url>``, with what could end the autolink or open a comment percent-encoded."""
    from urllib.parse import quote

    safe = quote(url, safe=":/?#[]@!$&'()*+,;=%~")
    return "<" + re.sub(r"%(?![0-9A-Fa-f]{2})", "%25", safe) + ">"


def _date(value: str | None) -> str | None:
    if value and re.match(r"\d{4}-\d{2}-\d{2}", value):
        return value[:10]
    return None


def _tags(tags: tuple[str, ...]) -> list[str]:
    """Obsidian tags: letters, digits, ``_``, ``-`` and ``/`` only (no spaces, no dots: arXiv's
    ``cs.CL`` is ``cs-CL``), and not only digits."""
    out = [re.sub(r"[^\w/-]+", "-", t).strip("-") for t in tags]
    return [t for t in out if t and not t.replace("-", "").isdigit()]


def _sanitize(text: str) -> str:
    """Archived text made inert: no raw HTML (``<`` escaped outside code blocks), links only
    to http(s) and mail, no wikilinks or embeds smuggled in."""
    parts = re.split(r"(```.*?```)", text, flags=re.DOTALL)
    for i in range(0, len(parts), 2):
        parts[i] = _LINK.sub(_safe_link, inert(parts[i]))
    return "".join(parts)


def _safe_link(match: re.Match[str]) -> str:
    _, text, target = match.groups()
    if target.lower().startswith(_SAFE_SCHEMES):
        return match.group(0)
    return text  # javascript:, data:, relative links: the text alone


def _escape_my_notes(text: str) -> str:
    """Generated text never contains the line that starts the user's section."""
    return re.sub(rf"(?m)^{re.escape(MY_NOTES)}\s*$", "## My notes (quoted)", text)


def _url_title(url: str) -> str:
    return re.sub(r"^https?://(www\.)?", "", url).rstrip("/")


# -- writing ----------------------------------------------------------------------------------


def export(
    store: Store, graph: ConceptGraph, root: Path, model: str, force: bool = False
) -> ExportReport:
    """Write the vault's pages under ``root``, keeping what the user wrote."""
    report = ExportReport()
    known = store.page_hashes()
    wanted: set[str] = set()
    with store.transaction():
        for page in build_pages(store, graph, model):  # built, written, let go: one by one
            wanted.add(page.path)
            _write_page(store, root, page, known.get(page.path), force, report)
        for path in sorted(set(known) - wanted):
            _retire_page(store, root, path, known[path], report)
    _graph_settings(root, report)
    return report


def _write_page(
    store: Store, root: Path, page: Page, known: str | None, force: bool, report: ExportReport
) -> None:
    target = root / page.path
    generated, _ = split_notes(page.text)
    digest = _hash(generated)
    if not target.exists():
        _atomic_write(target, page.text)
        store.save_page_hash(page.path, digest, page.owner)
        report.written.append(page.path)
        return
    current = target.read_text(encoding="utf-8", errors="replace")
    ours, notes = split_notes(current)
    if known is None and _hash(ours) != digest:
        report.kept_foreign.append(page.path)
        return
    if known is not None and _hash(ours) != known and not force:
        report.kept_edited.append(page.path)
        return
    text = generated + notes if notes is not None else page.text
    if text == current:
        report.unchanged += 1
    else:
        _atomic_write(target, text)
        report.written.append(page.path)
    store.save_page_hash(page.path, digest, page.owner)


def _retire_page(store: Store, root: Path, path: str, known: str, report: ExportReport) -> None:
    """A page whose source or concept is gone: removed if untouched, kept if edited."""
    target = root / path
    store.forget_page(path)
    if not target.exists():
        return
    ours, notes = split_notes(target.read_text(encoding="utf-8", errors="replace"))
    if _hash(ours) == known and not (notes or "").strip():
        target.unlink()
        report.removed.append(path)
    else:
        report.kept_edited.append(path)


def split_notes(text: str) -> tuple[str, str | None]:
    """(the page up to and including its ``## My notes`` line, what the user wrote after it).
    The second is None when the page has no such line."""
    match = re.search(rf"(?m)^{re.escape(MY_NOTES)}[ \t]*\n?", text)
    if match is None:
        return text, None
    return text[: match.end()], text[match.end() :]


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _atomic_write(path: Path, text: str) -> None:
    from kgnotes.files import write_text_atomically

    write_text_atomically(path, text)


def _graph_settings(root: Path, report: ExportReport) -> None:
    """Colour groups in ``.obsidian/graph.json`` for journal, sources and concepts, keeping
    every other setting (and the user's own groups) as they are."""
    path = root / ".obsidian" / "graph.json"
    settings: dict[str, Any] = {}
    if path.exists():
        try:
            settings = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, OSError):
            report.kept_foreign.append(".obsidian/graph.json")
            return
        if not isinstance(settings, dict):
            report.kept_foreign.append(".obsidian/graph.json")
            return
    ours = {query for query, _ in GROUPS}
    groups = [g for g in settings.get("colorGroups", []) if g.get("query") not in ours]
    groups += [{"query": q, "color": {"a": 1, "rgb": rgb}} for q, rgb in GROUPS]
    updated = settings | {"colorGroups": groups}
    if updated != settings or not path.exists():
        _atomic_write(path, json.dumps(updated, indent=2, ensure_ascii=False) + "\n")
