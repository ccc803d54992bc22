"""The full-text ranking of a large vault, held in memory: FTS5's own BM25, computed with numpy.

FTS5 finds the passages that hold a word quickly, but ranking them calls its ``bm25()`` once
for every passage that holds any query word. A long English query holds "the" or "and", which
most passages hold too, so at 100,000 passages the ranking took 44 ms of a 48 ms query, and at
a million ten times that. Matching alone took 4 ms.

So above ``MEMORY_ABOVE`` passages the search server reads FTS5's postings once (through its
``fts5vocab`` table: the very terms FTS5 made of each passage, stemmed by its own tokenizer),
keeps them as arrays, and scores a query by adding one array per query term. The query's words
are cut into terms by FTS5's tokenizer too, and the score is FTS5's: ``ranking`` returns the
passages in the order ``ORDER BY bm25(chunk_text)`` does, with equal scores by passage id.
A phrase (a run of Chinese bigrams) is matched from the terms' positions, read from FTS5 when
the query asks for it. The arrays are kept while the database is unchanged (``search._cached``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from kgnotes.store import Store

MEMORY_ABOVE = 20_000  # passages; below this FTS5 ranks a query in a few milliseconds itself
K1, B = 1.2, 0.75  # FTS5's bm25() constants
FLOOR_IDF = 1e-6  # FTS5 gives a term in more than half the passages this weight, not less
BATCH = 1_000_000  # term occurrences turned into postings at once (bounds the memory to build)
# A posting is 3 bytes: its chunk id's low 16 bits and its count in one byte. The high bits
# are kept once per run of a term's postings that share them (a term's chunk ids ascend, so
# a term has at most one run per 65,536 ids), and the rare count over 255 beside the rest.
# At a million passages of the bench's journal that is 146 MB of postings instead of 292.
LOW_BITS = 16
COUNT_CAP = 255


@dataclass(frozen=True)
class LexicalIndex:
    """Every term's postings: the passages (by chunk id) that hold it and how often."""

    terms: dict[str, int]  # term → its number
    starts: NDArray[np.int64]  # term t's postings are [starts[t], starts[t + 1])
    low: NDArray[np.uint16]  # each posting's chunk id, its low ``shift`` bits
    counts: NDArray[np.uint8]  # how often the term occurs in that passage, up to ``cap``
    runs: NDArray[np.int64]  # where each run of postings with the same high bits starts
    highs: NDArray[np.int64]  # those high bits (chunk id >> shift) of each run
    over_at: NDArray[np.int64]  # postings whose count is over ``cap``, ascending
    over: NDArray[np.int64]  # and their counts
    norms: NDArray[np.float64]  # by chunk id: BM25's length norm, k1 (1 - b + b length / mean)
    rows: int  # passages in the full-text index (FTS5's row count)
    average: float  # mean passage length in terms
    shift: int = LOW_BITS
    cap: int = COUNT_CAP

    def postings(self, term: str) -> list[Postings]:
        """The passages holding ``term`` and how often each does, as runs of chunk ids that
        share their high bits."""
        import numpy as np

        number = self.terms.get(term)
        if number is None:
            return []
        start, end = int(self.starts[number]), int(self.starts[number + 1])
        first = int(self.runs.searchsorted(start, side="right")) - 1
        last = int(self.runs.searchsorted(end, side="left"))
        found = []
        for run in range(first, last):
            lo, hi = max(start, int(self.runs[run])), end
            if run + 1 < len(self.runs):
                hi = min(end, int(self.runs[run + 1]))
            counts = self.counts[lo:hi]
            i, j = self.over_at.searchsorted(lo), self.over_at.searchsorted(hi)
            if j > i:  # a count over the cap: read it from beside the rest
                counts = counts.astype(np.int64)
                counts[self.over_at[i:j] - lo] = self.over[i:j]
            found.append(Postings(int(self.highs[run]) << self.shift, self.low[lo:hi], counts))
        return found

    @property
    def postings_count(self) -> int:
        return len(self.low)


@dataclass(frozen=True)
class Postings:
    """Passages ``base + offsets`` hold a term (or a phrase) ``counts`` times each."""

    base: int
    offsets: NDArray[np.integer]
    counts: NDArray[np.integer]


def load(store: Store, above: int = MEMORY_ABOVE) -> LexicalIndex | None:
    """The vault's postings in memory, or None when it has fewer than ``above`` passages."""
    with store.snapshot():  # the vocabulary and the postings of one state of the index
        rows = store.fts_rows()
        if rows < above or rows == 0:
            return None
        return build(store, rows)


def build(store: Store, rows: int, shift: int = LOW_BITS, cap: int = COUNT_CAP) -> LexicalIndex:
    """Read every term's occurrences from FTS5 into postings. The arrays are sized first from
    the vocabulary (how many passages hold each term), then filled a batch of terms at a
    time: a term's occurrences arrive in chunk-id order, one per position. ``shift`` and
    ``cap`` are smaller only in tests, to make many runs and many counts over the cap."""
    import numpy as np

    vocabulary = store.fts_vocabulary()
    terms = {term: number for number, (term, _) in enumerate(vocabulary)}
    starts = np.zeros(len(vocabulary) + 1, dtype=np.int64)
    np.cumsum([holding for _, holding in vocabulary], out=starts[1:])
    low = np.empty(starts[-1], dtype=np.uint16)
    counts = np.empty(starts[-1], dtype=np.uint8)
    lengths = np.zeros(store.fts_max_rowid() + 1, dtype=np.float64)  # terms per passage
    runs: list[NDArray[np.int64]] = []
    highs: list[NDArray[np.int64]] = []
    over_at: list[NDArray[np.int64]] = []
    over: list[NDArray[np.int64]] = []
    pending: list[NDArray[np.int64]] = []
    first_term = 0  # the first term of the pending batch

    def flush() -> None:
        nonlocal first_term
        if not pending:
            return
        occurrences = np.concatenate(pending)
        lengths[:] += np.bincount(occurrences, minlength=len(lengths))
        owners = np.repeat(np.arange(len(pending), dtype=np.int32), [len(p) for p in pending])
        new = np.ones(len(occurrences), dtype=bool)  # a new (term, chunk) pair starts here
        new[1:] = (occurrences[1:] != occurrences[:-1]) | (owners[1:] != owners[:-1])
        at = np.flatnonzero(new)
        span = slice(starts[first_term], starts[first_term + len(pending)])
        if len(at) != span.stop - span.start:
            raise RuntimeError("full-text postings disagree with the vocabulary")
        chunks, terms_of = occurrences[at], owners[at]
        low[span] = chunks & ((1 << shift) - 1)
        high = chunks >> shift
        run = np.ones(len(chunks), dtype=bool)  # a new term, or new high bits within one
        run[1:] = (high[1:] != high[:-1]) | (terms_of[1:] != terms_of[:-1])
        runs.append(span.start + np.flatnonzero(run))
        highs.append(high[run])
        repeats = np.diff(np.append(at, len(occurrences)))
        counts[span] = np.minimum(repeats, cap)
        many = np.flatnonzero(repeats > cap)
        over_at.append(span.start + many)
        over.append(repeats[many])
        first_term += len(pending)
        pending.clear()

    size = 0
    for number, (term, occurrences) in enumerate(store.fts_occurrences()):
        if number >= len(vocabulary) or vocabulary[number][0] != term:
            raise RuntimeError("full-text terms disagree with the vocabulary")
        pending.append(np.fromstring(occurrences, dtype=np.int64, sep=" "))  # text: not deprecated
        size += len(pending[-1])
        if size >= BATCH:
            flush()
            size = 0
    flush()
    average = float(lengths.sum()) / rows

    def joined(parts: list[NDArray[np.int64]]) -> NDArray[np.int64]:
        return np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)

    return LexicalIndex(
        terms=terms,
        starts=starts,
        low=low,
        counts=counts,
        runs=joined(runs),
        highs=joined(highs),
        over_at=joined(over_at),
        over=joined(over),
        norms=(K1 * (1 - B + B * lengths / average)).astype(np.float64),
        rows=rows,
        average=average,
        shift=shift,
        cap=cap,
    )


def ranking(store: Store, index: LexicalIndex, phrases: list[str], depth: int | None) -> list[int]:
    """Chunk ids holding any of ``phrases`` (as FTS5 reads ``"a" OR "b c"``), best BM25 first:
    the ``depth`` best, or all."""
    import numpy as np

    scores, matched = _scores(store, index, phrases)
    found = np.flatnonzero(matched)
    if depth is not None and len(found) > depth:
        kept = np.argpartition(-scores[found], depth - 1)[:depth]
        found = np.sort(found[kept])  # in id order, so equal scores keep it below
    order = found[np.argsort(-scores[found], kind="stable")]
    return [int(chunk) for chunk in order]


def bm25(store: Store, index: LexicalIndex, phrases: list[str]) -> dict[int, float]:
    """Chunk id → FTS5's ``bm25()`` (negative: lower is better) of each passage holding any
    of ``phrases``: what ``ranking`` orders by, to compare with FTS5's own."""
    import numpy as np

    scores, matched = _scores(store, index, phrases)
    return {int(chunk): -float(scores[chunk]) for chunk in np.flatnonzero(matched)}


def _scores(
    store: Store, index: LexicalIndex, phrases: list[str]
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """By chunk id: the BM25 score (higher is better) and whether any phrase is there."""
    import numpy as np

    scores = np.zeros(len(index.norms), dtype=np.float64)
    matched = np.zeros(len(index.norms), dtype=bool)
    for tokens in store.fts_tokens(phrases):
        found = _phrase(store, index, tokens)
        hits = sum(len(p.offsets) for p in found)
        if not hits:
            continue
        idf = max(math.log((index.rows - hits + 0.5) / (hits + 0.5)), FLOOR_IDF)
        for part in found:  # through views of the passages from part.base on
            tf = part.counts.astype(np.float64)
            norms = index.norms[part.base :][part.offsets]
            scores[part.base :][part.offsets] += idf * (tf * (K1 + 1)) / (tf + norms)
            matched[part.base :][part.offsets] = True
    return scores, matched


def _phrase(store: Store, index: LexicalIndex, tokens: list[str]) -> list[Postings]:
    """The passages holding the terms ``tokens`` one after another, and how often."""
    import numpy as np

    if len(tokens) == 1:
        return index.postings(tokens[0])
    if not tokens or any(t not in index.terms for t in tokens):
        return []
    shift = np.int64(1 << 24)  # positions within a passage stay below this
    keys = None
    for place, token in enumerate(tokens):
        found = np.array(store.fts_positions(token), dtype=np.int64).reshape(-1, 2)
        these = found[:, 0] * shift + found[:, 1] - place  # where the phrase would start
        keys = these if keys is None else np.intersect1d(keys, these, assume_unique=True)
    assert keys is not None
    chunks, counts = np.unique(keys // shift, return_counts=True)
    return [Postings(0, chunks, counts)] if len(chunks) else []
