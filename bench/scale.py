"""Search at a decade's scale: a vault of ``--chunks`` passages, searched as ``kgnotes serve``
answers and through the ``kgnotes search`` command.

    python bench/scale.py --chunks 100000 [--journal 20000] [--real 2000] [--noise 0.6]
                          [--queries 40] [--cli-runs 8] [--seed 7] [--workdir DIR] [--reuse]

The vault is a decade of reading as the issue pictures it: mostly archived documents, and a
journal about them. ``--journal`` blocks of the synthetic journal of ``bench/search.py`` (in
the seed's style, 2-8 blocks a day: 20,000 blocks are about eleven years), each listing the
links read that day, ingested as ``kgnotes add --no-fetch`` does; one document per link,
recorded as the archiver records it (``Store.record_archived``), its text synthetic prose of
300-2,500 words in the journal's vocabulary, enough documents that journal and documents
together make about ``--chunks`` passages (a document is about eleven: its profile, its text
in passages of 200 words, and the journal's words about it). Only the journal's passages and
each document's profile and notes are embedded by the multilingual model, as in a real vault;
``--journal`` equal to ``--chunks`` gives the journal-only vault of earlier rounds.

Embedding a million passages takes days on a laptop CPU, so the vault is built without running
the model for every passage: it is cut into passages as ``kgnotes index`` cuts it; a seeded
sample of ``--real`` passages is embedded for real by each
model, and every other passage gets the vector of a random one of those, perturbed by Gaussian
noise of norm ``--noise`` and put back on the unit sphere (0.6 puts a copy at cosine ~0.86 to
its original and two copies at ~0.74 to each other: neighbourhoods as crowded as real text,
so an approximate index cannot find them for free). The vectors are stored; ``build_index``
then cuts, hashes and indexes the text and embeds nothing.

Measured, in this order:

1. the vault: journal, ingest, cutting, vectors, the second ``build_index`` (what ``kgnotes
   index`` costs on an unchanged vault) and the database's size;
2. ``--queries`` hybrid searches in this process, as the server runs them (``search.search``,
   vectors loaded once; the vault's files read once before, so they are in the OS's cache):
   p50 and p95, with and without encoding the query; and recall@10 of the dense ranking
   against exact search over the same vectors (numpy, every vector);
3. the ``kgnotes search`` command, warm (answered by the server it starts): p50 over
   ``--cli-runs``; and the server's peak memory;
4. the baseline, in the same run: 2 and 3 again as search ran before this bench (every vector
   multiplied, the approximate indexes of ``nearest.EXACT_BELOW`` moved aside; FTS5's
   ``bm25()`` ranking the full text, not the postings ``lexical.py`` holds in memory; the
   query encoded by sentence-transformers, not ``bert.py``). Above
   ``--baseline-command-below`` passages the baseline's command is not run: its server holds
   every vector as Python bytes, which at a million passages with this process beside it
   outgrew 24 GB.

The last line: ``chunks N: query p50 X ms, p95 Y ms, recall@10 Z, server memory M MB, index
build S s`` (the query times are in-process, without encoding the query, which costs the same
at any size and is printed above them; the build is the first ``build_index`` over the vault
with its vectors in place).
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # bench.search, run as a script

import kgnotes  # noqa: E402
from bench.search import (  # noqa: E402
    KGNOTES,
    QUERIES,
    SENTENCES,
    ZH_LINES,
    EncodeTimer,
    Writer,
    journal_vault,
    pct,
    peak_mb,
    run,
    served_ms,
    server_memory,
)
from kgnotes import embed, lexical  # noqa: E402
from kgnotes.config import VaultPaths, load_config, resolve_vault  # noqa: E402
from kgnotes.extract import Document  # noqa: E402
from kgnotes.hits import SearchOptions  # noqa: E402
from kgnotes.index import build_index, cut_passages  # noqa: E402
from kgnotes.search import dense_ranking, drop_caches, search  # noqa: E402
from kgnotes.store import Store  # noqa: E402
from kgnotes.store.records import ArchivedLink  # noqa: E402

GOALS = {  # the issue's, at a million passages
    "p50_ms": 50.0,
    "p95_ms": 150.0,
    "recall": 0.95,
    "memory_mb": 2048.0,
    "warm_s": 0.3,
}


PASSAGES_PER_DOCUMENT = 11  # profile, ~9 passages of text, the journal's words about it
DOCUMENT_WORDS = (300, 2500)


def document_text(writer: Writer, words: int) -> str:
    """Paragraphs of the journal's sentences, now and then a Chinese line, ``words`` long."""
    rng, paragraphs, count = writer.rng, [], 0
    while count < words:
        if rng.random() < 0.05:
            paragraph = writer.fill(rng.choice(ZH_LINES))
        else:
            sentences = [writer.fill(rng.choice(SENTENCES)) for _ in range(rng.randint(2, 7))]
            paragraph = " ".join(s[0].upper() + s[1:] for s in sentences)
        paragraphs.append(paragraph)
        count += len(paragraph.split())
    return "\n\n".join(paragraphs)


def record_documents(paths: VaultPaths, seed: int) -> int:
    """A document for every link of the journal, recorded as the archiver records one."""
    writer = Writer(seed + 1)
    rng = writer.rng
    with Store(paths.db) as store:
        links = store.links()
        for lo in range(0, len(links), 10_000):
            with store.transaction():
                for link in links[lo : lo + 10_000]:
                    text = document_text(writer, rng.randint(*DOCUMENT_WORDS))
                    document = Document(
                        text=text,
                        title=f"{writer.pick('a').capitalize()} {writer.pick('t')} ({link.id})",
                        site=link.url.split("/")[2],
                        language="en",
                        content_type="text/html",
                    )
                    capture = ArchivedLink(
                        document, f"bench-{link.id}", None, link.url, 200, 1, "direct"
                    )
                    store.record_archived(link.id, capture)
    return len(links)


def synthetic_vectors(
    store: Store, model: str, profiles: bool, real: int, noise: float, rng: np.random.Generator
) -> tuple[int, float]:
    """Store a vector for every passage ``model`` has none for: ``real`` of them embedded for
    real, the rest perturbed copies of those. Returns (how many embedded, seconds it took)."""
    missing = store.hashes_without_vectors(model, profiles)
    if not missing:
        return 0, 0.0
    chosen = rng.choice(len(missing), size=min(real, len(missing)), replace=False)
    start = time.perf_counter()
    seeds = embed.encode(model, [missing[i][1] for i in chosen])
    seconds = time.perf_counter() - start
    is_seed = np.zeros(len(missing), dtype=bool)
    is_seed[chosen] = True
    dim = seeds.shape[1]
    for lo in range(0, len(missing), 50_000):
        part = missing[lo : lo + 50_000]
        picks = rng.integers(0, len(seeds), size=len(part))
        vectors = seeds[picks] + rng.normal(0, noise / np.sqrt(dim), (len(part), dim))
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        vectors = vectors.astype(np.float32)
        rows = [(h, vectors[i].tobytes()) for i, (h, _) in enumerate(part)]
        seeded = {missing[i][0]: seeds[k] for k, i in enumerate(chosen) if lo <= i < lo + 50_000}
        rows = [(h, seeded[h].tobytes() if h in seeded else v) for h, v in rows]
        with store.transaction():
            store.save_vectors(model, rows, dim)
    return len(seeds), seconds


def build(args: argparse.Namespace, workdir: Path) -> tuple[VaultPaths, str, float]:
    """The vault of ``--chunks`` passages with vectors in place; (paths, model, build s)."""
    blocks = min(args.journal, args.chunks)
    documents = (args.chunks - blocks) // PASSAGES_PER_DOCUMENT
    own = 0.08  # links the journal's blocks hold of their own (bench/search.py)
    paths = journal_vault(workdir, blocks, args.seed, max(0.0, documents / blocks - own))
    if documents:  # else the journal-only vault of earlier rounds, its few links unarchived
        start = time.perf_counter()
        recorded = record_documents(paths, args.seed)
        print(f"documents: {recorded:,} recorded in {time.perf_counter() - start:.1f} s")
    config = load_config(paths)
    model, multilingual = embed.model_name(config), embed.multilingual_name(config)
    rng = np.random.default_rng(args.seed)
    with Store(paths.db) as store:
        start = time.perf_counter()
        cut = cut_passages(store)
        print(f"cut: {cut.chunks:,} passages in {time.perf_counter() - start:.1f} s")
        for name, profiles in ((model, False), (multilingual, True)):
            if not name:
                continue
            start = time.perf_counter()
            embedded, seconds = synthetic_vectors(store, name, profiles, args.real, args.noise, rng)
            print(
                f"vectors {name}: {embedded:,} embedded for real in {seconds:.1f} s, the "
                f"rest perturbed; {time.perf_counter() - start:.1f} s in all"
            )
        start = time.perf_counter()
        report = build_index(store, model, multilingual=multilingual)
        seconds = time.perf_counter() - start
    assert report.embedded == 0, report
    print(
        f"build_index with the vectors in place: {seconds:.1f} s ({report.chunks:,} chunks, "
        f"{report.changed} changed, {report.embedded} embedded)"
    )
    size = sum(p.stat().st_size for p in paths.state.glob("kgnotes.db*"))
    print(f"database: {size / 2**20:.0f} MB  (this process's peak memory {peak_mb():.0f} MB)")
    return paths, model, seconds


def reused(workdir: Path) -> tuple[VaultPaths, str, float]:
    """The vault an earlier run built in ``workdir``, as it is; its build time unknown."""
    paths = resolve_vault(workdir / "vault")
    if not paths.db.exists():
        sys.exit(f"{workdir}: no vault built here (run without --reuse first)")
    with Store(paths.db) as store:
        passages = store.counts().chunks
    print(f"reusing the vault in {paths.root}: {passages:,} passages")
    return paths, embed.model_name(load_config(paths)), float("nan")


def queries_in_process(
    paths: VaultPaths, model: str, queries: list[str], lexical_above: int
) -> tuple[float, float, float]:
    """Hybrid searches as the server runs them; (p50 s, p95 s without encoding the query,
    which costs the same at any size, and dense recall@10)."""
    multilingual = embed.multilingual_name(load_config(paths))
    options = SearchOptions(multilingual=multilingual, lexical_above=lexical_above)
    with Store(paths.db) as store:
        start = time.perf_counter()
        search(store, model, queries[0], options)
        print(
            f"first query (loads the vectors and any full-text postings): "
            f"{time.perf_counter() - start:.2f} s  "
            f"(peak memory {peak_mb():.0f} MB)"
        )
        totals, rests = [], []
        for query in queries:
            with EncodeTimer() as timer:
                start = time.perf_counter()
                search(store, model, query, options)
                total = time.perf_counter() - start
            totals.append(total)
            rests.append(total - timer.seconds)
        recall = dense_recall(store, model, queries)
    print(
        f"{len(queries)} hybrid queries in-process: p50 {pct(totals, 0.5) * 1000:.1f} ms, "
        f"p95 {pct(totals, 0.95) * 1000:.1f} ms; without encoding the query p50 "
        f"{pct(rests, 0.5) * 1000:.1f} ms, p95 {pct(rests, 0.95) * 1000:.1f} ms"
    )
    print(f"dense recall@10 against exact search (equally near passages counted): {recall:.3f}")
    return pct(rests, 0.5), pct(rests, 0.95), recall


def dense_recall(store: Store, model: str, queries: list[str]) -> float:
    """How many of the ten the dense ranking returns are among the exact ten nearest, on
    average. Passages of the same text share one vector (a document's notes passage often
    repeats its neighbours'), so as ann-benchmarks counts it, a passage counts when it is as
    near as the exact tenth (to 1e-6): which of equally near passages comes first is a tie."""
    rows = store.chunk_vectors(model)
    ids = np.array([r[0] for r in rows])
    matrix = np.frombuffer(b"".join(r[3] for r in rows), dtype=np.float32).reshape(len(rows), -1)
    place = {chunk: k for k, chunk in enumerate(ids.tolist())}
    found, strict = [], []
    for query in queries:
        similarity = matrix @ embed.encode(model, [query])[0]
        exact = np.argsort(-similarity, kind="stable")[:10]
        got = dense_ranking(store, model, query)[:10]
        found.append(sum(similarity[place[c]] >= similarity[exact[-1]] - 1e-6 for c in got) / 10)
        strict.append(len(set(ids[exact].tolist()) & set(got)) / 10)
    del matrix, rows
    print(f"dense recall@10 by passage id, ties not counted: {sum(strict) / len(strict):.3f}")
    return sum(found) / len(found)


def warm_command(
    paths: VaultPaths, queries: list[str], runs: int, lexical_above: int
) -> tuple[float, float]:
    """``kgnotes search`` answered by the server; (p50 s, the server's peak memory MB)."""
    base = [str(KGNOTES), "--vault", str(paths.root)]
    env = {k: v for k, v in os.environ.items() if k != "KGNOTES_SERVE"}
    env["KGNOTES_LEXICAL_IN_MEMORY_ABOVE"] = str(lexical_above)
    env["KGNOTES_SERVE_IDLE"] = "600"  # a server left behind by a crash exits by itself
    run([*base, "serve", "--stop"], env)
    try:
        run([*base, "search", queries[0]], env)  # starts the server, answers in-process
        socket_ready = time.perf_counter()
        while time.perf_counter() - socket_ready < 600:
            _, _, err, _ = run([*base, "-v", "search", queries[1]], env)
            if "answered by kgnotes serve" in err:
                break
            time.sleep(1)
        warm = [run([*base, "-v", "search", q], env) for q in (queries * runs)[2 : 2 + runs]]
        served = sum("answered by kgnotes serve" in w[2] for w in warm)
        times = [w[0] for w in warm]
        inside = [ms for ms in (served_ms(w[2]) for w in warm) if not math.isnan(ms)]
        memory = server_memory(warm[-1][2])[0]
        print(
            f"warm kgnotes search, {runs} calls ({served} served): p50 "
            f"{pct(times, 0.5):.3f} s, p95 {pct(times, 0.95):.3f} s (the server's search "
            f"itself p50 {pct(inside, 0.5) if inside else float('nan'):.0f} ms); server peak "
            f"memory {memory:.0f} MB"
        )
        return pct(times, 0.5), memory
    finally:
        run([*base, "serve", "--stop"], env)


@dataclass(frozen=True)
class Measured:
    p50: float  # seconds, in-process, without encoding the query
    p95: float
    recall: float
    warm: float  # seconds, the kgnotes search command answered by the server
    memory: float  # MB, the server's peak


def read_through(paths: VaultPaths) -> None:
    """Read the vault's files once, so they sit in the OS's file cache as on a machine that has
    just written or searched them, whichever vault or baseline ran before. Without it a query
    reads the vectors it re-ranks from disk: at 100k passages, after the 1M run had pushed the
    100k vault out of the cache, p50 was 51 ms instead of 13."""
    start, size = time.perf_counter(), 0
    for path in [*paths.state.glob("kgnotes.db*"), *paths.state.glob("nearest/*")]:
        with path.open("rb") as file:
            while block := file.read(1 << 24):
                size += len(block)
    print(
        f"vault files read into the OS's file cache: {size / 2**20:,.0f} MB in "
        f"{time.perf_counter() - start:.1f} s"
    )


def measure(
    paths: VaultPaths,
    model: str,
    queries: list[str],
    runs: int,
    what: str,
    lexical_above: int = lexical.MEMORY_ABOVE,
) -> Measured:
    print(f"-- {what}")
    read_through(paths)
    p50, p95, recall = queries_in_process(paths, model, queries, lexical_above)
    drop_caches()  # this process's vectors out of memory while the server holds its own
    if runs == 0:
        print("warm kgnotes search: not run (--baseline-command-below)")
        return Measured(p50, p95, recall, float("nan"), float("nan"))
    warm, memory = warm_command(paths, queries, runs, lexical_above)
    return Measured(p50, p95, recall, warm, memory)


@contextlib.contextmanager
def torch_queries() -> Iterator[None]:
    """Queries encoded by sentence-transformers, as before ``bert.py``, here and in the server
    a command starts."""
    before = os.environ.get("KGNOTES_QUERY_ENCODER")
    os.environ["KGNOTES_QUERY_ENCODER"] = "sentence-transformers"
    embed.query_encoder.cache_clear()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("KGNOTES_QUERY_ENCODER")
        else:
            os.environ["KGNOTES_QUERY_ENCODER"] = before
        embed.query_encoder.cache_clear()


@contextlib.contextmanager
def indexes_aside(paths: VaultPaths) -> Iterator[None]:
    """The approximate indexes, if any, moved out of the search's way (and back)."""
    folder, aside = paths.state / "nearest", paths.state / "nearest.aside"
    if not any(folder.glob("*.usearch")):
        yield
        return
    folder.rename(aside)
    try:
        yield
    finally:
        aside.rename(folder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument(
        "--journal", type=int, default=20_000, help="Journal blocks; documents make the rest."
    )
    parser.add_argument("--real", type=int, default=2000, help="Passages embedded for real.")
    parser.add_argument("--noise", type=float, default=0.6)
    parser.add_argument("--queries", type=int, default=40)
    parser.add_argument("--cli-runs", type=int, default=8)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", help="Keep the vault here (default: a temporary folder).")
    parser.add_argument("--baseline-command-below", type=int, default=500_000)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="Measure the vault an earlier run built in --workdir (no build, so no build time).",
    )
    args = parser.parse_args()
    if args.reuse and not args.workdir:
        parser.error("--reuse needs --workdir")
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    print(
        f"kgnotes from {Path(kgnotes.__file__).parent}; load average "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    queries = list((QUERIES * (args.queries // len(QUERIES) + 1))[: args.queries])
    with tempfile.TemporaryDirectory() as tmp:
        if args.reuse:
            paths, model, seconds = reused(Path(args.workdir).absolute())
        else:
            paths, model, seconds = build(args, Path(args.workdir or tmp).absolute())
        found = measure(paths, model, queries, args.cli_runs, "as built")
        runs = args.cli_runs if args.chunks < args.baseline_command_below else 0
        with indexes_aside(paths), torch_queries():
            what = "the baseline: exact vectors, FTS5's bm25(), queries encoded by torch"
            base = measure(paths, model, queries, runs, what, lexical_above=2**62)
        print(
            f"as built against the baseline, same run: p50 {found.p50 / base.p50:.2f}x, "
            f"p95 {found.p95 / base.p95:.2f}x, warm search {found.warm / base.warm:.2f}x, "
            f"server memory {found.memory / base.memory:.2f}x"
        )
    misses = [
        name
        for name, ok in (
            ("p50", found.p50 * 1000 <= GOALS["p50_ms"]),
            ("p95", found.p95 * 1000 <= GOALS["p95_ms"]),
            ("recall", found.recall >= GOALS["recall"]),
            ("memory", found.memory <= GOALS["memory_mb"]),
            ("warm search", found.warm <= GOALS["warm_s"]),
        )
        if not ok
    ]
    print(
        f"goals at a million (p50 <= 50 ms, p95 <= 150 ms, recall >= 0.95, memory <= 2 GB, "
        f"warm search <= 0.3 s): {'all met' if not misses else 'missed: ' + ', '.join(misses)}"
    )
    print(
        f"chunks {args.chunks}: query p50 {found.p50 * 1000:.0f} ms, p95 {found.p95 * 1000:.0f} "
        f"ms, recall@10 {found.recall:.3f}, server memory {found.memory:.0f} MB, "
        f"index build {seconds:.1f} s"
    )


if __name__ == "__main__":
    main()
