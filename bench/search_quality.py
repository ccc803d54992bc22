"""Search quality on a labelled corpus: lexical only, dense only and hybrid, side by side.

    python bench/search_quality.py

The corpus (``bench/search_corpus``) is 33 short articles served from a local server, a
journal in the seed's style that links them (topic lines and notes, many in Chinese) plus notes
of its own, and labelled queries of three types: keyword, paraphrase (no content word shared
with the answer) and Chinese. Prints nDCG@10 and Recall@5 per mode, overall and per type.
"""

from __future__ import annotations

import json
import math
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.webserver import Request, Web  # noqa: E402

from kgnotes import embed, pipeline  # noqa: E402
from kgnotes.config import VaultPaths, load_config, resolve_vault  # noqa: E402
from kgnotes.search import SearchOptions, search  # noqa: E402
from kgnotes.store import Store  # noqa: E402

CORPUS = Path(__file__).parent / "search_corpus"
MODES = ("lexical", "dense", "hybrid")


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
    """A vault holding the corpus journal, its pages archived and everything indexed."""
    journal = (CORPUS / "journal.md").read_text(encoding="utf-8")
    notes = workdir / "journal.md"
    notes.write_text(journal.replace("{base}", web.url("")), encoding="utf-8")
    paths = resolve_vault(workdir / "vault")
    report = pipeline.add(paths, [str(notes)], pipeline.AddOptions(year=2024, wayback=False))
    assert report.archive is not None and not report.archive.failed_by_reason, report.archive
    return paths


def queries() -> list[dict[str, Any]]:
    return json.loads((CORPUS / "queries.json").read_text(encoding="utf-8"))


def result_id(result: dict[str, Any]) -> str:
    """``page:<slug>`` for a source, ``note:M-DD`` for a journal entry."""
    if result["kind"] == "note":
        month, day = result["date"][5:7], result["date"][8:10]
        return f"note:{int(month)}-{day}"
    return "page:" + result["url"].rsplit("/", 1)[-1].removesuffix(".html")


def ndcg_at(found: list[str], relevant: set[str], k: int = 10) -> float:
    gain = sum(1 / math.log2(i + 2) for i, item in enumerate(found[:k]) if item in relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(k, len(relevant))))
    return gain / ideal if ideal else 0.0


def recall_at(found: list[str], relevant: set[str], k: int = 5) -> float:
    return len(set(found[:k]) & relevant) / len(relevant) if relevant else 0.0


def evaluate(paths: VaultPaths, labelled: list[dict[str, Any]], mode: str) -> dict[str, Any]:
    """Mean nDCG@10 and Recall@5 overall and per query type, for one ranking mode."""
    scores: dict[str, list[tuple[float, float]]] = {}
    model = embed.model_name(load_config(paths))
    for item in labelled:
        with Store(paths.db) as store:  # in-process: the bench measures ranking, not serving
            options = SearchOptions(limit=40, mode=mode)
            # labels name notes and sources; concepts are a kind of their own, left out here
            results = search(store, model, item["query"], options)
            results = [r for r in results if r["kind"] != "concept"][:10]
        found = list(dict.fromkeys(result_id(r) for r in results))
        relevant = set(item["relevant"])
        pair = (ndcg_at(found, relevant), recall_at(found, relevant))
        scores.setdefault("all", []).append(pair)
        scores.setdefault(item["type"], []).append(pair)
    return {
        group: {
            "ndcg@10": sum(p[0] for p in pairs) / len(pairs),
            "recall@5": sum(p[1] for p in pairs) / len(pairs),
            "queries": len(pairs),
        }
        for group, pairs in scores.items()
    }


def main() -> None:
    labelled = queries()
    web = serve_corpus()
    with tempfile.TemporaryDirectory() as tmp:
        paths = build_vault(Path(tmp), web)
        table = {mode: evaluate(paths, labelled, mode) for mode in MODES}
    web.close()
    groups = ["all", *sorted({q["type"] for q in labelled})]
    print(f"{len(labelled)} queries; nDCG@10 / Recall@5")
    print(
        f"{'':10}"
        + "".join(f"{g + ' (' + str(table['hybrid'][g]['queries']) + ')':>22}" for g in groups)
    )
    for mode in MODES:
        cells = "".join(
            f"{table[mode][g]['ndcg@10']:>13.3f} / {table[mode][g]['recall@5']:.3f}" for g in groups
        )
        print(f"{mode:10}{cells}")


if __name__ == "__main__":
    main()
