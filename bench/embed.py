"""Embedding speed on this CPU: kgnotes' ``embed.encode`` against the bare fp32
``SentenceTransformer.encode`` of the same texts, in the same run.

    python bench/embed.py [--texts 800] [--rounds 3] [--corpus DIR] [--model NAME]

The texts are real passages: the corpus' extracted articles (``gold/``, English and Chinese)
cut as ``kgnotes index`` cuts a document, shuffled with a fixed seed (nothing of the corpus is
kept in the repository). The baseline is one bare ``encode`` call over all of them (batches of
64, normalised, which is what sentence-transformers does when asked plainly: it sorts the texts
by their length in characters); kgnotes is ``embed.encode`` called as ``kgnotes index`` calls
it, 256 texts at a time. The two alternate for ``--rounds`` rounds after one warm-up each, so a
busy moment falls on both; the figures are each one's median. The vectors are compared: kgnotes
must give the baseline's (cosine of each pair).

The last line: ``texts N: bare encode X/s, kgnotes Y/s (R×), cosine to bare ≥ C``.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent

from kgnotes import embed  # noqa: E402
from kgnotes.index import passages  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"
INDEX_BATCH = 256  # texts per embed.encode call in kgnotes index (index._embed_missing)


def corpus_passages(corpus: Path, count: int, seed: int) -> list[str]:
    """Up to ``count`` passages of the corpus' articles, in a seeded shuffle."""
    files = sorted((corpus / "gold").rglob("*.txt"))
    if not files:
        sys.exit(f"{corpus}: no gold/*.txt articles (pass --corpus DIR)")
    texts = [p for f in files for p in passages(f.read_text(encoding="utf-8"))]
    random.Random(seed).shuffle(texts)
    return texts[:count]


def bare(model_name: str, texts: list[str]) -> np.ndarray:
    model = embed.load(model_name)
    return np.asarray(
        model.encode(texts, batch_size=64, normalize_embeddings=True, convert_to_numpy=True),
        dtype=np.float32,
    )


def kgnotes(model_name: str, texts: list[str]) -> np.ndarray:
    parts = [
        embed.encode(model_name, texts[i : i + INDEX_BATCH])
        for i in range(0, len(texts), INDEX_BATCH)
    ]
    return np.vstack(parts)


def timed(run: Callable[[str, list[str]], np.ndarray], model: str, texts: list[str]):
    start = time.perf_counter()
    vectors = run(model, texts)
    return time.perf_counter() - start, vectors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--texts", type=int, default=800)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--corpus", type=Path, default=Path(os.environ.get("KGNOTES_TEST_CORPUS", CORPUS))
    )
    parser.add_argument("--model", default=embed.DEFAULT_MODEL)
    args = parser.parse_args()
    texts = corpus_passages(args.corpus, args.texts, args.seed)
    model = embed.load(args.model)
    pieces = [len(p) for p in model.tokenizer(texts)["input_ids"]]
    print(
        f"{len(texts)} passages of {args.corpus / 'gold'}: {statistics.mean(pieces):.0f} word "
        f"pieces on average (max {max(pieces)}; the model reads {model.get_max_seq_length()}), "
        f"on {embed.device_of(args.model)}, torch threads {_torch_threads()}"
    )
    for run in (bare, kgnotes):  # warm-up: first calls allocate and tune
        run(args.model, texts[:64])
    seconds: dict[str, list[float]] = {"bare": [], "kgnotes": []}
    vectors: dict[str, np.ndarray] = {}
    for round_ in range(1, args.rounds + 1):
        for name, run in (("bare", bare), ("kgnotes", kgnotes)):
            took, vectors[name] = timed(run, args.model, texts)
            seconds[name].append(took)
            print(f"round {round_}: {name:8} {took:6.1f} s, {len(texts) / took:5.1f} texts/s")
    cosine = (vectors["bare"] * vectors["kgnotes"]).sum(axis=1)
    rate = {name: len(texts) / statistics.median(s) for name, s in seconds.items()}
    print(
        f"\ntexts {len(texts)}: bare encode {rate['bare']:.1f}/s, kgnotes "
        f"{rate['kgnotes']:.1f}/s ({rate['kgnotes'] / rate['bare']:.2f}×), "
        f"cosine to bare ≥ {cosine.min():.6f}"
    )


def _torch_threads() -> int:
    import torch

    return torch.get_num_threads()


if __name__ == "__main__":
    main()
