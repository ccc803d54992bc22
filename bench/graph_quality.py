"""Concept-graph quality on real pages: does the graph say what the corpus says?

    python bench/graph_quality.py [--corpus ../shared/corpus] [--vault DIR] [--rebuild]
                                  [--top 60] [--year 2025] [--json]

Serves a corpus folder (default ``../shared/corpus``: real articles with their site chrome, a
journal in the seed's style, arXiv records and ``graph_expect.tsv``) with its own ``serve.py``,
runs the real ``kgnotes add`` on its journal, then reads the graph the vault holds and prints:

- **core recall** (and weak recall): the share of expected "B builds on A" edges for which B
  is reachable from A along ``builds_on``;
- **judged precision**: of the ``builds_on`` edges between concepts the expectations name,
  those the expectations can judge — right when B is reachable from A in the expected graph,
  wrong when A is reachable from B (the edge points backwards), when the pair is a
  ``not_edge``, or when it is ``not_linked`` — the share that is right; over the direct edges
  and over everything they imply (their transitive closure);
- **not_linked violations**: pairs that must stay apart yet have a direct edge of any kind
  (``builds_on`` or ``related``) or a ``builds_on`` path between them;
- the answer of ``kgnotes path attention CLIP`` and whether it climbs
  attention → … → Transformer → ViT → CLIP;
- the share of the ``--top`` most central concepts that are code, a person's name or page
  chrome, judged from the corpus itself (see ``CorpusJudge``), with the list to read.

A concept is matched to an expected concept id when one of its names equals one of the id's
aliases, compared in lower case with hyphens, underscores and spaces alike and a final plural
``s`` ignored. ``--vault DIR`` keeps the vault there; with ``--rebuild`` an existing vault is not
archived again, only its graph rebuilt with the current code (quick, for tuning).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"
LADDER = ("attention", "transformer", "vit", "clip")


# -- expectations -----------------------------------------------------------------------------


def norm(name: str) -> str:
    """A name as the bench compares it: lower case, hyphens/underscores/spaces alike."""
    return " ".join(re.split(r"[\s\-_–]+", name.strip().lower())).strip()


def loose(name: str) -> str:
    """``norm`` with a final plural ``s`` dropped (``scaling laws`` = ``scaling law``)."""
    base = norm(name)
    return base[:-1] if len(base) > 3 and base.endswith("s") and not base.endswith("ss") else base


@dataclass
class Expectations:
    aliases: dict[str, list[str]]  # concept id → its names in the corpus
    edges: list[tuple[str, str, str]]  # (a, b, strength): b builds on a
    not_edge: list[tuple[str, str]]
    not_linked: list[tuple[str, str]]

    @classmethod
    def load(cls, path: Path) -> Expectations:
        aliases: dict[str, list[str]] = defaultdict(list)
        edges, not_edge, not_linked = [], [], []
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
            cells = line.split("\t")
            if number == 0 or len(cells) < 3:
                continue
            kind, a, b = cells[0], cells[1], cells[2]
            if kind == "alias":
                aliases[a].append(b)
            elif kind == "edge":
                edges.append((a, b, cells[3] if len(cells) > 3 else "core"))
            elif kind == "not_edge":
                not_edge.append((a, b))
            elif kind == "not_linked":
                not_linked.append((a, b))
        for a, b, _ in edges:  # an id with no alias row is named by itself
            for cid in (a, b):
                aliases.setdefault(cid, [cid])
        return cls(dict(aliases), edges, not_edge, not_linked)

    def closure(self) -> dict[str, set[str]]:
        """Concept id → every id that builds on it, directly or not."""
        after: dict[str, set[str]] = defaultdict(set)
        for a, b, _ in self.edges:
            after[a].add(b)
        return {cid: _reach(after, cid) for cid in self.aliases}


def _reach(graph: dict, start) -> set:
    seen, todo = set(), [start]
    while todo:
        for nxt in graph.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


# -- the graph as the vault holds it ------------------------------------------------------------


@dataclass
class GraphView:
    """Concepts (most central first), the full ``builds_on`` relation and ``related`` pairs."""

    concepts: list[tuple[str, list[str]]]  # (name, aliases)
    builds_on: list[tuple[str, str]]  # (built upon, builds on it) by name
    related: list[tuple[str, str]]


def read_graph(vault: Path) -> GraphView:
    from kgnotes.config import resolve_vault
    from kgnotes.graph import ConceptGraph, concept_table
    from kgnotes.store import Store

    with Store(resolve_vault(vault).db) as store:
        graph = ConceptGraph.load(store)
    table = concept_table(graph)
    names = {c: graph.name(c) for c in graph.concepts}
    edges = {"builds_on": [], "related": []}
    for e in graph.edges:
        edges[e.relation].append((names[e.source_id], names[e.target_id]))
    return GraphView([(r.name, r.aliases) for r in table], edges["builds_on"], edges["related"])


# -- scoring ------------------------------------------------------------------------------------


@dataclass
class Quality:
    core_recall: float
    weak_recall: float
    precision: float  # direct builds_on edges
    precision_closure: float  # everything they imply
    judged: int
    judged_closure: int
    not_linked_violations: list[str]
    found_core: list[str] = field(default_factory=list)
    missing_core: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)  # expected ids with no concept
    merged: list[str] = field(default_factory=list)  # one concept answering for several ids
    path: list[str] = field(default_factory=list)
    path_error: str | None = None
    ladder: bool = False
    junk: list[tuple[str, str]] = field(default_factory=list)  # (concept, kind) in the top
    top: list[str] = field(default_factory=list)

    @property
    def junk_share(self) -> float:
        return len(self.junk) / len(self.top) if self.top else 0.0


def concept_ids(expect: Expectations, view: GraphView) -> dict[str, set[str]]:
    """Concept name → the expected ids it answers for (by any of its names)."""
    by_alias: dict[str, set[str]] = defaultdict(set)
    for cid, names in expect.aliases.items():
        for name in [cid, *names]:
            by_alias[norm(name)].add(cid)
            by_alias[loose(name)].add(cid)
    found: dict[str, set[str]] = {}
    for name, aliases in view.concepts:
        ids = set()
        for alias in [name, *aliases]:
            ids |= by_alias.get(norm(alias), set()) | by_alias.get(loose(alias), set())
        if ids:
            found[name] = ids
    return found


def evaluate(expect: Expectations, view: GraphView) -> Quality:
    ids_of = concept_ids(expect, view)
    concepts_of: dict[str, set[str]] = defaultdict(set)
    for name, ids in ids_of.items():
        for cid in ids:
            concepts_of[cid].add(name)
    after: dict[str, set[str]] = defaultdict(set)
    for a, b in view.builds_on:
        after[a].add(b)
    reach = {name: _reach(after, name) for name, _ in view.concepts}

    def reaches(a: str, b: str) -> bool:
        return any(reach.get(x, set()) & concepts_of[b] for x in concepts_of[a])

    quality = Quality(0.0, 0.0, 0.0, 0.0, 0, 0, [])
    for strength in ("core", "weak"):
        wanted = [(a, b) for a, b, s in expect.edges if s == strength]
        hits = [(a, b) for a, b in wanted if reaches(a, b)]
        share = len(hits) / len(wanted) if wanted else 0.0
        if strength == "core":
            quality.core_recall = share
            quality.found_core = [f"{a} → {b}" for a, b in hits]
            quality.missing_core = [f"{a} → {b}" for a, b in wanted if (a, b) not in hits]
        else:
            quality.weak_recall = share
    later = expect.closure()
    forbidden = set(expect.not_edge) | {p for a, b in expect.not_linked for p in ((a, b), (b, a))}
    direct = _judge(((a, b) for a, b in view.builds_on), ids_of, later, forbidden)
    implied = _judge(
        ((a, b) for a in reach for b in reach[a]), ids_of, later, forbidden, record=False
    )
    (right, wrong), (right_c, wrong_c) = direct, implied
    quality.judged, quality.judged_closure = right + len(wrong), right_c + len(wrong_c)
    quality.precision = right / quality.judged if quality.judged else 0.0
    quality.precision_closure = right_c / quality.judged_closure if quality.judged_closure else 0.0
    quality.wrong = wrong
    linked = {frozenset(p) for p in view.builds_on + view.related}
    for a, b in expect.not_linked:
        for x in concepts_of[a]:
            for y in concepts_of[b]:
                if frozenset((x, y)) in linked or y in reach.get(x, ()) or x in reach.get(y, ()):
                    quality.not_linked_violations.append(f"{a} ({x}) ~ {b} ({y})")
    quality.unresolved = sorted(cid for cid in expect.aliases if not concepts_of[cid])
    quality.merged = sorted(f"{n}: {', '.join(sorted(i))}" for n, i in ids_of.items() if len(i) > 1)
    return quality


def _judge(
    edges: Iterable[tuple[str, str]],
    ids_of: dict[str, set[str]],
    later: dict[str, set[str]],
    forbidden: set[tuple[str, str]],
    record: bool = True,
) -> tuple[int, list[str]]:
    """(edges judged right, descriptions of those judged wrong); unjudged ones are left out."""
    right, wrong = 0, []
    for a, b in edges:
        verdicts = []
        for x in ids_of.get(a, ()):
            for y in ids_of.get(b, ()):
                if x == y:
                    continue
                if y in later.get(x, ()):
                    verdicts.append(True)
                elif x in later.get(y, ()) or (x, y) in forbidden:
                    verdicts.append(False)
        if not verdicts:
            continue
        if all(verdicts):
            right += 1
        else:
            wrong.append(f"{a} → {b}" if record else "")
    return right, wrong


def check_path(path: list[str], ids_of: dict[str, set[str]]) -> bool:
    """Does the path start at attention and pass Transformer, ViT and CLIP in that order?"""
    steps = [ids_of.get(name, set()) for name in path]
    if not steps or "attention" not in steps[0]:
        return False
    rest = iter(steps)
    return all(any(want in ids for ids in rest) for want in LADDER[1:])


# -- what a concept that is no idea looks like, judged from the corpus -------------------------


class _Text(HTMLParser):
    """A page's code (``<pre>``, ``<code>``) apart from the rest."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.code: list[str] = []
        self.depth = 0
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("pre", "code"):
            self.depth += 1
            self.code.append("")
        elif tag in ("script", "style"):
            self.skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("pre", "code") and self.depth:
            self.depth -= 1
        elif tag in ("script", "style") and self.skip:
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if self.depth and not self.skip:
            self.code[-1] += data


@dataclass
class CorpusJudge:
    """Tells code, people's names and page chrome from ideas, using the corpus itself:

    - *code*: a name shaped like an identifier (``snake_case``, ``dotted.name``, ``call()``),
      or one that occurs in the pages' code (``<pre>``, ``<code>``) and never in their prose,
      or a CamelCase word that occurs in code more often than in prose;
    - *name*: every word of it is a word of a person's name — arXiv authors, the manifest's
      attributions, the word before "et al." — and it is no expected concept;
    - *chrome*: it occurs in no page body (``gold/``, the text a reader sees without the site
      around it) nor in the journal, or only in lines that recur in three or more bodies
      (quiz headings, "Review & Self Study").
    """

    prose: str  # page bodies without their code, lower-cased, one string
    code: str
    repeated: str  # lines that recur across three or more bodies
    journal: str
    people: set[str]
    expected: set[str]

    @classmethod
    def load(cls, corpus: Path, expect: Expectations) -> CorpusJudge:
        prose, code, lines = [], [], defaultdict(int)
        for gold in sorted((corpus / "gold").rglob("*.txt")):
            body = gold.read_text(encoding="utf-8")
            page = _page_of(corpus, gold)
            fragments = _code_of(page) if page else []
            for fragment in sorted(fragments, key=len, reverse=True):
                if fragment.strip():
                    body = body.replace(fragment.strip(), " ")
            prose.append(body)
            code += fragments
            for line in {x.strip().lower() for x in body.splitlines() if x.strip()}:
                lines[line] += 1
        people = set()
        for record in (corpus / "arxiv").glob("*.xml"):
            for name in re.findall(r"<name>([^<]+)</name>", record.read_text(encoding="utf-8")):
                people |= {w.lower() for w in re.findall(r"[^\W\d_]+", name)}
        manifest = corpus / "manifest.json"
        if manifest.exists():
            data = json.loads(manifest.read_text(encoding="utf-8"))
            for source in data.get("sources", []):
                credit = re.sub(
                    r"(?:'|\"|“|‘)[^'\"”’]{4,}(?:'|\"|”|’)|\([^)]*\)",
                    " ",
                    source.get("attribution", ""),
                )  # no titles in quotes
                for name in re.findall(r"\b[A-Z][a-z]+(?:\s+[A-Z]\.)?\s+[A-Z][a-z]+\b", credit):
                    people |= {w.lower() for w in re.findall(r"[A-Za-z]+", name)}
        text = "\n".join(prose)
        people |= {w.lower() for w in re.findall(r"\b([A-Z][a-z]+)\s+et\s+al\b", text)}
        expected = {norm(a) for names in expect.aliases.values() for a in names}
        journal_path = corpus / "journal.md"
        journal = journal_path.read_text(encoding="utf-8") if journal_path.exists() else ""
        return cls(
            text.lower(),
            "\n".join(code).lower(),
            "\n".join(line for line, n in lines.items() if n >= 3),
            journal.lower(),
            people,
            expected,
        )

    def kind(self, name: str, aliases: list[str]) -> str | None:
        """``"code"``, ``"name"``, ``"chrome"``, or None for what looks like an idea."""
        names = [name, *aliases]
        if any(norm(n) in self.expected for n in names):
            return None
        if re.search(r"[A-Za-z0-9]_[A-Za-z0-9]|[a-z]\.[a-z]|\(\)", name):
            return "code"
        prose = sum(_count(self.prose, n) for n in names)
        code = sum(_count(self.code, n) for n in names)
        if code and not prose:
            return "code"
        if re.search(r"[a-z][A-Z]", name) and code > prose:
            return "code"
        words = re.findall(r"[^\W\d_]+", name.lower())
        if words and all(w in self.people for w in words):
            return "name"
        if not prose and not any(_count(self.journal, n) for n in names):
            return "chrome"
        if prose and prose == sum(_count(self.repeated, n) for n in names):
            return "chrome"
        return None


def _count(text: str, name: str) -> int:
    if not name.strip():
        return 0
    if re.search(r"[\u3400-\u9fff]", name):  # Chinese has no word boundaries to look for
        return text.count(name.lower())
    pattern = r"(?<![\w])" + re.escape(name.lower()).replace(r"\ ", r"[\s\-_]+") + r"(?![\w])"
    return len(re.findall(pattern, text))


def _page_of(corpus: Path, gold: Path) -> Path | None:
    relative = gold.relative_to(corpus / "gold").with_suffix("")
    for candidate in (
        corpus / "site" / relative.with_suffix(".html"),
        corpus / "site" / relative.parent / f"{relative.name}.html",
        corpus / "site" / relative / "index.html",
        corpus / "site" / relative.parent / "index.html" if relative.name == "index" else None,
    ):
        if candidate is not None and candidate.is_file():
            return candidate
    return None


def _code_of(page: Path) -> list[str]:
    parser = _Text()
    parser.feed(page.read_text(encoding="utf-8", errors="replace"))
    return parser.code


# -- running kgnotes on the corpus ---------------------------------------------------------------


@contextmanager
def served(corpus: Path) -> Iterator[int]:
    """The corpus's own ``serve.py`` on a free port, stopped (SIGTERM) afterwards."""
    with tempfile.TemporaryDirectory() as tmp:
        port_file = Path(tmp) / "port"
        server = subprocess.Popen(
            [
                sys.executable,
                str(corpus / "serve.py"),
                "--port",
                "0",
                "--port-file",
                str(port_file),
                "--quiet",
            ],
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 20
            while not (port_file.exists() and port_file.read_text().strip()):
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"{corpus / 'serve.py'} did not start")
                time.sleep(0.05)
            yield int(port_file.read_text())
        finally:
            server.terminate()
            server.wait(10)


def corpus_env(port: int) -> dict[str, str]:
    """kgnotes pointed at the corpus server's stand-ins for arXiv, YouTube and Wayback."""
    base = f"http://127.0.0.1:{port}"
    return {
        **os.environ,
        "KGNOTES_ARXIV_API": f"{base}/api/query",
        "KGNOTES_ARXIV_PDF": f"{base}/pdf/",
        "KGNOTES_WAYBACK_API": f"{base}/wayback/available",
        "KGNOTES_YOUTUBE_OEMBED": f"{base}/oembed",
        "KGNOTES_SERVE": "0",
    }


def kgnotes(vault: Path, *args: str, env: dict[str, str] | None = None, check: bool = True):
    return subprocess.run(
        [sys.executable, "-m", "kgnotes", "--vault", str(vault), *args],
        capture_output=True,
        text=True,
        env=env,
        check=check,
    )


def build(corpus: Path, vault: Path, year: int) -> float:
    """``kgnotes add`` of the corpus journal into ``vault``; seconds taken."""
    with served(corpus) as port, tempfile.TemporaryDirectory() as tmp:
        journal = Path(tmp) / "journal.md"
        text = (corpus / "journal.md").read_text(encoding="utf-8")
        journal.write_text(text.replace("{PORT}", str(port)), encoding="utf-8")
        start = time.perf_counter()
        done = kgnotes(vault, "add", str(journal), "--year", str(year), env=corpus_env(port))
        print(done.stdout.strip(), file=sys.stderr)
        return time.perf_counter() - start


def rebuild(vault: Path) -> float:
    """The vault's graph rebuilt with the current code (its archive left as it is)."""
    from kgnotes.config import load_config, resolve_vault
    from kgnotes.graph import ensure_graph
    from kgnotes.store import Store

    paths = resolve_vault(vault)
    start = time.perf_counter()
    with Store(paths.db) as store:
        ensure_graph(store, load_config(paths), force=True)
    return time.perf_counter() - start


def measure(corpus: Path, vault: Path, top: int = 60) -> Quality:
    """Score the graph in ``vault`` against the corpus's expectations."""
    expect = Expectations.load(corpus / "graph_expect.tsv")
    view = read_graph(vault)
    quality = evaluate(expect, view)
    ids_of = concept_ids(expect, view)
    from kgnotes import pipeline
    from kgnotes.config import resolve_vault
    from kgnotes.errors import KgnotesError

    try:  # what `kgnotes path attention CLIP` answers
        result = pipeline.learning_path(resolve_vault(vault), "attention", "CLIP")
        quality.path = result.path
        quality.ladder = check_path(result.path, ids_of)
    except KgnotesError as exc:
        quality.path_error = str(exc)
    judge = CorpusJudge.load(corpus, expect)
    quality.top = [name for name, _ in view.concepts[:top]]
    for name, aliases in view.concepts[:top]:
        kind = judge.kind(name, aliases)
        if kind:
            quality.junk.append((name, kind))
    return quality


def report(quality: Quality, top: int) -> str:
    ladder = " → ".join(quality.path) if quality.path else quality.path_error
    lines = [
        f"core recall (reachability)   {quality.core_recall:.2f}  "
        f"({len(quality.found_core)} of {len(quality.found_core) + len(quality.missing_core)})",
        f"weak recall                  {quality.weak_recall:.2f}",
        f"judged precision             {quality.precision:.2f}  ({quality.judged} judged edges)",
        f"  over the closure           {quality.precision_closure:.2f}  "
        f"({quality.judged_closure} judged pairs)",
        f"not_linked violations        {len(quality.not_linked_violations)}",
        f"path attention CLIP          {ladder}  "
        f"[{'the ladder' if quality.ladder else 'NOT the ladder'}]",
        f"code/names/chrome in top {top}   {quality.junk_share:.0%}  ({len(quality.junk)})",
        "",
        "missing core edges: " + ("; ".join(quality.missing_core) or "none"),
        "wrong edges: " + ("; ".join(quality.wrong) or "none"),
        "not_linked: " + ("; ".join(quality.not_linked_violations) or "none"),
        "expected concepts not found: " + (", ".join(quality.unresolved) or "none"),
        "one concept for several: " + ("; ".join(quality.merged) or "none"),
        "junk in the top: " + (", ".join(f"{n} ({k})" for n, k in quality.junk) or "none"),
        f"top {top}: " + ", ".join(quality.top),
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--vault", type=Path, help="build the vault here (kept)")
    parser.add_argument("--rebuild", action="store_true", help="reuse --vault: rebuild its graph")
    parser.add_argument("--year", type=int, default=2025, help="year of the journal's headings")
    parser.add_argument("--top", type=int, default=60)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    corpus = args.corpus.resolve()
    if not (corpus / "graph_expect.tsv").is_file():
        raise SystemExit(f"{corpus}: no graph_expect.tsv (is this a kgnotes corpus folder?)")
    with tempfile.TemporaryDirectory() as tmp:
        vault = args.vault or Path(tmp) / "vault"
        if args.rebuild and (vault / ".kgnotes" / "kgnotes.db").exists():
            print(f"graph rebuilt in {rebuild(vault):.2f} s", file=sys.stderr)
        else:
            print(f"kgnotes add took {build(corpus, vault, args.year):.1f} s", file=sys.stderr)
        quality = measure(corpus, vault, args.top)
    if args.json:
        print(json.dumps({**asdict(quality), "junk_share": quality.junk_share}, indent=1))
    else:
        print(report(quality, args.top))


if __name__ == "__main__":
    main()
