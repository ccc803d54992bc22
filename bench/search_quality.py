"""Search quality on labelled corpora: kgnotes beside plain BM25, plain dense and plain RRF.

    python bench/search_quality.py                       # its own corpus, bench/search_corpus
    python bench/search_quality.py --corpus ../shared/corpus [--vault DIR [--reuse]]
                                   [--in-process] [--json]

Two kinds of corpus:

- its own (``bench/search_corpus``): 33 short articles served from a local server, a journal
  in the seed's style linking them, 56 queries labelled relevant or not (keyword, paraphrase,
  Chinese);
- a corpus folder in the format of ``../shared/corpus`` (``--corpus DIR``): real pages served
  by the folder's own ``serve.py``, its ``journal.md`` and graded queries in ``queries.tsv``
  (grade 2 answers, grade 1 touches on it; kinds keyword, zh, paraphrase, note, distractor).

The journal is added with the real ``kgnotes add``; each query is asked with the real
``kgnotes search --json`` (through ``kgnotes serve``, as a user's second search would be), or
in-process with ``--in-process``. In the same run, over the same passages of the same vault,
the plain baselines rank too (``bench/search_baselines.py``). Prints nDCG@10 (graded gains),
Recall@5 and MRR per kind and overall, for each ranking. Concept results are left out: the
labels name notes and sources.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.webserver import Request, Web  # noqa: E402

from bench import graph_quality  # noqa: E402
from bench.search_baselines import Passages, rrf  # noqa: E402
from kgnotes import embed, pipeline  # noqa: E402
from kgnotes.config import VaultPaths, load_config, resolve_vault  # noqa: E402
from kgnotes.hits import SearchHit, SearchOptions  # noqa: E402
from kgnotes.search import search  # noqa: E402
from kgnotes.store import ChunkDetail, Store  # noqa: E402

CORPUS = Path(__file__).parent / "search_corpus"
MODES = ("lexical", "dense", "hybrid")
DEPTH = 10


@dataclass(frozen=True)
class Query:
    qid: str
    kind: str
    text: str
    grades: dict[str, int]  # document id → grade (≥ 1 relevant)


# -- metrics ------------------------------------------------------------------------------------


def ndcg_at(found: list[str], grades: dict[str, int], k: int = 10) -> float:
    """nDCG with the grades as gains (a grade-2 answer counts twice a grade-1 one)."""
    gain = sum(grades.get(item, 0) / math.log2(i + 2) for i, item in enumerate(found[:k]))
    best = sorted(grades.values(), reverse=True)[:k]
    ideal = sum(g / math.log2(i + 2) for i, g in enumerate(best))
    return gain / ideal if ideal else 0.0


def recall_at(found: list[str], grades: dict[str, int], k: int = 5) -> float:
    relevant = {d for d, g in grades.items() if g > 0}
    return len(set(found[:k]) & relevant) / len(relevant) if relevant else 0.0


def reciprocal_rank(found: list[str], grades: dict[str, int]) -> float:
    return next((1 / (i + 1) for i, d in enumerate(found) if grades.get(d, 0) > 0), 0.0)


@dataclass
class Table:
    """Per kind of query (and "all"): the mean of each metric."""

    rows: dict[str, list[tuple[float, float, float]]] = field(default_factory=dict)

    def add(self, kind: str, found: list[str], grades: dict[str, int]) -> None:
        scores = (ndcg_at(found, grades), recall_at(found, grades), reciprocal_rank(found, grades))
        for group in ("all", kind):
            self.rows.setdefault(group, []).append(scores)

    def mean(self, group: str, metric: int = 0) -> float:
        rows = self.rows.get(group, [])
        return sum(r[metric] for r in rows) / len(rows) if rows else 0.0

    def as_dict(self) -> dict[str, dict[str, float]]:
        return {
            g: {
                "ndcg@10": self.mean(g, 0),
                "recall@5": self.mean(g, 1),
                "mrr": self.mean(g, 2),
                "queries": len(r),
            }
            for g, r in self.rows.items()
        }


# -- corpora ------------------------------------------------------------------------------------


def serve_corpus() -> Web:
    web = Web()

    def page(req: Request) -> None:
        path = CORPUS / "pages" / req.path.rsplit("/", 1)[-1]
        if path.is_file():
            req.send(200, path.read_bytes())
        else:
            req.send(404, b"not found")

    web.prefix("/pages/", page)
    return web


def build_vault(workdir: Path, web: Web) -> VaultPaths:
    """A vault holding the bench corpus journal, its pages archived and everything indexed."""
    journal = (CORPUS / "journal.md").read_text(encoding="utf-8")
    notes = workdir / "journal.md"
    notes.write_text(journal.replace("{base}", web.url("")), encoding="utf-8")
    paths = resolve_vault(workdir / "vault")
    report = pipeline.add(paths, [str(notes)], pipeline.AddOptions(year=2024, wayback=False))
    assert report.archive is not None and not report.archive.failed_by_reason, report.archive
    return paths


def queries() -> list[dict[str, Any]]:
    return json.loads((CORPUS / "queries.json").read_text(encoding="utf-8"))


def own_queries() -> list[Query]:
    return [
        Query(str(n), q["type"], q["query"], dict.fromkeys(q["relevant"], 1))
        for n, q in enumerate(queries())
    ]


def own_label(kind: str, url: str | None, day: str | None) -> str:
    """``page:<slug>`` for a source, ``note:M-DD`` for a journal entry (the bench's labels)."""
    if kind == "note":
        return f"note:{int((day or '0000-00-00')[5:7])}-{(day or '0000-00-00')[8:10]}"
    return "page:" + (url or "").rsplit("/", 1)[-1].removesuffix(".html")


def judged_queries(corpus: Path) -> list[Query]:
    """``queries.tsv``: qid, lang, kind, query, then ``DOC=GRADE`` judgments."""
    found = []
    lines = (corpus / "queries.tsv").read_text(encoding="utf-8").splitlines()
    for line in lines[1:]:
        cells = line.split("\t")
        if len(cells) < 5:
            continue
        grades = {}
        for judgment in cells[4].split():
            doc, _, grade = judgment.rpartition("=")
            grades[doc] = int(grade)
        found.append(Query(cells[0], cells[2], cells[3], grades))
    return found


def corpus_label(kind: str, url: str | None, day: str | None) -> str:
    """A result as ``queries.tsv`` names documents: the page's path on the corpus server,
    ``arxiv:ID`` for a paper, ``note:YYYY-MM-DD`` for a journal entry."""
    if kind == "note":
        return f"note:{day}"
    parts = urlsplit(url or "")
    if parts.netloc.endswith("arxiv.org"):
        paper = parts.path.rstrip("/").rsplit("/", 1)[-1].removesuffix(".pdf")
        return "arxiv:" + paper.split("v")[0] if "v" in paper[5:] else "arxiv:" + paper
    return unquote(parts.path) or "/"  # a journal may write /第十章/ percent-encoded


# -- rankings -----------------------------------------------------------------------------------


Ranker = Callable[[str], list[str]]  # query → document labels, best first


def kgnotes_cli(vault: Path, env: dict[str, str], label: Callable) -> Ranker:
    """``kgnotes search --json``, the way a user asks (the server answers after the first)."""

    def rank(query: str) -> list[str]:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "kgnotes",
                "--vault",
                str(vault),
                "search",
                query,
                "--json",
                "-n",
                str(DEPTH * 2),
            ],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        return _labels([SearchHit(**hit) for hit in json.loads(done.stdout)], label)

    return rank


def kgnotes_in_process(paths: VaultPaths, label: Callable, mode: str = "hybrid") -> Ranker:
    config = load_config(paths)
    model, multilingual = embed.model_name(config), embed.multilingual_name(config)
    options = SearchOptions(limit=DEPTH * 4, mode=mode, multilingual=multilingual)

    def rank(query: str) -> list[str]:
        with Store(paths.db) as store:
            results = search(store, model, query, options)
        return _labels(results, label)

    return rank


def _labels(results: list[SearchHit], label: Callable) -> list[str]:
    labels = [
        label(r.kind, address(r.url, r.final_url), r.date) for r in results if r.kind != "concept"
    ]
    return list(dict.fromkeys(labels))[:DEPTH]


def address(url: str | None, final_url: str | None) -> str | None:
    """Where a page lives: the link, or where it redirected on its own site (the journal's
    ``/distill/2016/augmented-rnns`` is the page ``/distill/2016/augmented-rnns/``)."""
    if url and final_url and urlsplit(final_url).netloc == urlsplit(url).netloc:
        return final_url
    return url


def baselines(paths: VaultPaths, label: Callable) -> dict[str, Ranker]:
    """Plain BM25, plain dense (each model the vault has vectors for) and their RRF."""
    model = embed.model_name(load_config(paths))
    with Store(paths.db) as store:
        passages = Passages.load(store, [model])

    def labelled(owners: list[tuple[str, int]]) -> list[str]:
        out = []
        for owner in owners:
            detail: ChunkDetail = passages.details[passages.first_chunks[owner]]
            kind = "note" if detail.owner_type == "entry" else "source"
            out.append(label(kind, address(detail.url, detail.final_url), detail.day))
        return list(dict.fromkeys(out))[:DEPTH]

    return {
        "plain BM25": lambda q: labelled(passages.bm25(q)),
        "plain dense": lambda q: labelled(passages.dense(q, model)),
        "plain RRF": lambda q: labelled(rrf(passages.bm25(q), passages.dense(q, model))),
    }


def evaluate_rankers(rankers: dict[str, Ranker], labelled: list[Query]) -> dict[str, Table]:
    tables = {name: Table() for name in rankers}
    for query in labelled:
        for name, rank in rankers.items():
            tables[name].add(query.kind, rank(query.text), query.grades)
    return tables


def evaluate(paths: VaultPaths, labelled: list[dict[str, Any]], mode: str) -> dict[str, Any]:
    """Mean nDCG@10 and Recall@5 overall and per query type, for one kgnotes ranking mode, on
    the bench's own corpus (``tests/test_search_quality.py`` keeps its floors)."""
    items = [
        Query(str(n), q["type"], q["query"], dict.fromkeys(q["relevant"], 1))
        for n, q in enumerate(labelled)
    ]
    table = evaluate_rankers({mode: kgnotes_in_process(paths, own_label, mode)}, items)[mode]
    return table.as_dict()


# -- output -------------------------------------------------------------------------------------


def report(tables: dict[str, Table], kinds: list[str]) -> str:
    groups = ["all", *kinds]
    counts = {g: len(next(iter(tables.values())).rows.get(g, [])) for g in groups}
    head = f"{'nDCG@10 / Recall@5 / MRR':28}" + "".join(
        f"{g + ' (' + str(counts[g]) + ')':>22}" for g in groups
    )
    lines = [head]
    for name, table in tables.items():
        cells = "".join(
            f"{table.mean(g, 0):>10.3f}/{table.mean(g, 1):.3f}/{table.mean(g, 2):.3f}"
            for g in groups
        )
        lines.append(f"{name:28}{cells}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, help="a corpus folder like ../shared/corpus")
    parser.add_argument("--vault", type=Path, help="build the vault here (kept)")
    parser.add_argument("--reuse", action="store_true", help="reuse --vault as it is")
    parser.add_argument("--in-process", action="store_true", help="search in-process, not the CLI")
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.corpus:
            tables, kinds = _run_corpus(args, Path(tmp))
        else:
            tables, kinds = _run_own(Path(tmp))
    if args.json:
        print(json.dumps({name: t.as_dict() for name, t in tables.items()}, indent=1))
    else:
        print(report(tables, kinds))


def _run_own(tmp: Path) -> tuple[dict[str, Table], list[str]]:
    labelled = own_queries()
    web = serve_corpus()
    try:
        paths = build_vault(tmp, web)
    finally:
        web.close()
    rankers = {f"kgnotes {mode}": kgnotes_in_process(paths, own_label, mode) for mode in MODES}
    rankers.update(baselines(paths, own_label))
    return evaluate_rankers(rankers, labelled), sorted({q.kind for q in labelled})


def _run_corpus(args: argparse.Namespace, tmp: Path) -> tuple[dict[str, Table], list[str]]:
    corpus = args.corpus.resolve()
    if not (corpus / "queries.tsv").is_file():
        raise SystemExit(f"{corpus}: no queries.tsv (is this a kgnotes corpus folder?)")
    vault = args.vault or tmp / "vault"
    if not (args.reuse and (vault / ".kgnotes" / "kgnotes.db").exists()):
        seconds = graph_quality.build(corpus, vault, args.year)
        print(f"kgnotes add took {seconds:.1f} s", file=sys.stderr)
    paths = resolve_vault(vault)
    labelled = judged_queries(corpus)
    if args.in_process:
        rankers = {"kgnotes": kgnotes_in_process(paths, corpus_label)}
    else:
        env = {k: v for k, v in os.environ.items() if k != "KGNOTES_SERVE"}
        rankers = {"kgnotes": kgnotes_cli(vault, env, corpus_label)}
    rankers.update(baselines(paths, corpus_label))
    try:
        tables = evaluate_rankers(rankers, labelled)
    finally:
        if not args.in_process:
            subprocess.run(
                [sys.executable, "-m", "kgnotes", "--vault", str(vault), "serve", "--stop"],
                capture_output=True,
                check=False,
            )
    return tables, sorted({q.kind for q in labelled})


if __name__ == "__main__":
    main()
