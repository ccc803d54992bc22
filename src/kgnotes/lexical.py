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
BATCH = 1_000_000  # postings gathered before they are written into the arrays (bounds the memory)
# A posting is 3 bytes: its chunk id's low 16 bits and its count in one byte. The high bits
# are kept once per run of a term's postings that share them (a term's chunk ids ascend, so
# a term has at most one run per 65,536 ids), and the rare count over 255 beside the rest.
# At a million passages of the bench's journal that is 146 MB of postings instead of 292.
LOW_BITS = 16
COUNT_CAP = 255
# Looking a passage up in a phrase's postings (a binary search) costs about as much as adding
# five postings (measured at 100k passages: 33 ns against 7), so MaxScore looks candidates up
# only when there are fewer than a fifth as many as the postings it would otherwise add.
LOOKUP_COST = 5


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
    peaks: NDArray[np.float64]  # by term: the most of tf (k1 + 1) / (tf + norm) in its postings
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
    pending: list[tuple[NDArray[np.int64], NDArray[np.int64]]] = []  # (chunks, repeats)
    first_term = 0  # the first term of the pending batch

    def flush() -> None:
        nonlocal first_term
        if not pending:
            return
        chunks = np.concatenate([c for c, _ in pending])
        repeats = np.concatenate([r for _, r in pending])
        lengths[:] += np.bincount(chunks, weights=repeats, minlength=len(lengths))
        terms_of = np.repeat(np.arange(len(pending), dtype=np.int32), [len(c) for c, _ in pending])
        span = slice(starts[first_term], starts[first_term + len(pending)])
        if len(chunks) != span.stop - span.start:
            raise RuntimeError("full-text postings disagree with the vocabulary")
        low[span] = chunks & ((1 << shift) - 1)
        high = chunks >> shift
        run = np.ones(len(chunks), dtype=bool)  # a new term, or new high bits within one
        run[1:] = (high[1:] != high[:-1]) | (terms_of[1:] != terms_of[:-1])
        runs.append(span.start + np.flatnonzero(run))
        highs.append(high[run])
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
        pending.append(_postings_of(occurrences))
        size += len(pending[-1][0])
        if size >= BATCH:
            flush()
            size = 0
    flush()
    average = float(lengths.sum()) / rows
    norms = (K1 * (1 - B + B * lengths / average)).astype(np.float64)

    def joined(parts: list[NDArray[np.int64]]) -> NDArray[np.int64]:
        return np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)

    run_starts, run_highs = joined(runs), joined(highs)
    over_starts, over_counts = joined(over_at), joined(over)
    return LexicalIndex(
        terms=terms,
        starts=starts,
        low=low,
        counts=counts,
        runs=run_starts,
        highs=run_highs,
        over_at=over_starts,
        over=over_counts,
        norms=norms,
        peaks=_peaks(
            starts, low, counts, run_starts, run_highs, over_starts, over_counts, norms, shift
        ),
        rows=rows,
        average=average,
        shift=shift,
        cap=cap,
    )


def _postings_of(occurrences: str) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """One term's occurrences (a chunk id per position, ascending, as FTS5 lists them) as the
    passages holding it and how often each does: made term by term, so the build holds no
    more than one term's occurrences at a time (a common word's are tens of millions at a
    million passages)."""
    import numpy as np

    found = np.fromstring(occurrences, dtype=np.int64, sep=" ")  # text: not deprecated
    new = np.ones(len(found), dtype=bool)  # a new passage starts here
    new[1:] = found[1:] != found[:-1]
    at = np.flatnonzero(new)
    return found[at], np.diff(np.append(at, len(found)))


def _peaks(
    starts: NDArray[np.int64],
    low: NDArray[np.uint16],
    counts: NDArray[np.uint8],
    runs: NDArray[np.int64],
    highs: NDArray[np.int64],
    over_at: NDArray[np.int64],
    over: NDArray[np.int64],
    norms: NDArray[np.float64],
    shift: int,
) -> NDArray[np.float64]:
    """By term, the most tf (k1 + 1) / (tf + norm) any of its postings gives: a term's weight
    in a passage is its idf times that, so idf times its peak bounds what it can add (for
    ``_top``). Read a slice of whole terms at a time, so the chunk ids rebuilt stay small."""
    import numpy as np

    peaks = np.zeros(len(starts) - 1, dtype=np.float64)
    first = 0
    while first < len(peaks):
        last = int(np.searchsorted(starts, starts[first] + BATCH, side="right")) - 1
        last = min(max(last, first + 1), len(peaks))
        lo, hi = int(starts[first]), int(starts[last])
        at = slice(int(np.searchsorted(runs, lo)), int(np.searchsorted(runs, hi)))
        lengths = np.diff(np.append(runs[at], hi))
        chunks = (np.repeat(highs[at], lengths) << shift) | low[lo:hi]
        tf = counts[lo:hi].astype(np.float64)
        factors = _saturated(tf, norms[chunks])
        peaks[first:last] = np.maximum.reduceat(factors, starts[first:last] - lo)
        first = last
    if len(over_at):  # counts over the cap weigh more than their capped byte says
        term = np.searchsorted(starts, over_at, side="right") - 1
        high = highs[np.searchsorted(runs, over_at, side="right") - 1]
        chunks = (high << shift) | low[over_at]
        factors = _saturated(over.astype(np.float64), norms[chunks])
        np.maximum.at(peaks, term, factors)
    return peaks


@dataclass(frozen=True)
class Weighted:
    """A query phrase's postings, its BM25 weight (idf), and the most of tf (k1 + 1) /
    (tf + norm) in them (``peak``; k1 + 1, which no passage reaches, where not known)."""

    parts: list[Postings]
    hits: int  # passages holding it
    idf: float
    peak: float = K1 + 1

    @property
    def bound(self) -> float:
        """The most the phrase adds to any passage's score."""
        return self.idf * self.peak


def ranking(store: Store, index: LexicalIndex, phrases: list[str], depth: int | None) -> list[int]:
    """Chunk ids holding any of ``phrases`` (as FTS5 reads ``"a" OR "b c"``), best BM25 first:
    the ``depth`` best, or all.

    For the ``depth`` best, the phrases are scored rarest first, and once the ``depth``-th
    best score so far is above what all the phrases left could still add to a passage (the
    sum of their bounds: MaxScore), only the passages that could still reach it are scored
    for those, by looking them up in the phrases' postings. Common words ("the", "which"),
    whose postings hold most passages, then cost a lookup instead of a pass, and the order
    is the one scoring every passage gives."""
    import numpy as np

    weighted = _weighted(store, index, phrases)
    if not weighted:
        return []
    if len(weighted) == 1:  # one word or phrase: its postings are the ranking
        return _best(*_alone(index, weighted[0]), depth)
    if depth is not None:
        return _top(index, weighted, depth)[0]
    scores = _scores(index, weighted)
    found = np.flatnonzero(scores)
    return _best(found, scores[found], depth)


def _best(chunks: NDArray[np.int64], scores: NDArray[np.float64], depth: int | None) -> list[int]:
    """``chunks`` (ascending) by their ``scores``, best first, equal scores by id: the
    ``depth`` best, or all."""
    import numpy as np

    if depth is not None and len(chunks) > depth:
        kept = np.sort(np.argpartition(-scores, depth - 1)[:depth])  # in id order, so…
        chunks, scores = chunks[kept], scores[kept]
    order = np.argsort(-scores, kind="stable")  # …equal scores keep it below
    return [int(chunk) for chunk in chunks[order]]


def _alone(index: LexicalIndex, phrase: Weighted) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """The passages holding ``phrase`` (ascending) and its BM25 score in each: a query of
    one word or phrase is ranked from its postings, without a score for every passage."""
    import numpy as np

    chunks = np.concatenate([part.base + part.offsets.astype(np.int64) for part in phrase.parts])
    tf = np.concatenate([part.counts for part in phrase.parts]).astype(np.float64)
    return chunks, phrase.idf * _saturated(tf, index.norms[chunks])


def bm25(store: Store, index: LexicalIndex, phrases: list[str]) -> dict[int, float]:
    """Chunk id → FTS5's ``bm25()`` (negative: lower is better) of each passage holding any
    of ``phrases``: what ``ranking`` orders by, to compare with FTS5's own."""
    import numpy as np

    scores = _scores(index, _weighted(store, index, phrases))
    return {int(chunk): -float(scores[chunk]) for chunk in np.flatnonzero(scores)}


def _weighted(store: Store, index: LexicalIndex, phrases: list[str]) -> list[Weighted]:
    """Each phrase's postings and idf, as FTS5 weighs them; phrases no passage holds left out."""
    found = []
    for tokens in store.fts_tokens(phrases):
        parts = _phrase(store, index, tokens)
        hits = sum(len(p.offsets) for p in parts)
        if hits:
            idf = math.log((index.rows - hits + 0.5) / (hits + 0.5))
            single = len(tokens) == 1
            peak = float(index.peaks[index.terms[tokens[0]]]) if single else K1 + 1
            found.append(Weighted(parts, hits, max(idf, FLOOR_IDF), peak))
    return found


def _scores(index: LexicalIndex, weighted: list[Weighted]) -> NDArray[np.float64]:
    """By chunk id, the BM25 score (higher is better; above 0 exactly where a phrase is: every
    weight is at least ``FLOOR_IDF``)."""
    import numpy as np

    scores = np.zeros(len(index.norms), dtype=np.float64)
    for phrase in weighted:
        _add(scores, index, phrase)
    return scores


def _add(
    scores: NDArray[np.float64],
    index: LexicalIndex,
    phrase: Weighted,
    fresh: list[NDArray[np.int64]] | None = None,
) -> None:
    """Add the phrase's weight to the scores of the passages holding it; into ``fresh``, if
    given, the passages that had no score before (every weight is above 0, so none is missed)."""
    import numpy as np

    for part in phrase.parts:  # through views of the passages from part.base on
        at = part.offsets.astype(np.intp)
        tf = part.counts.astype(np.float64)
        view = scores[part.base :]
        if fresh is not None:
            fresh.append(part.base + at[view[at] == 0])
        view[at] += phrase.idf * _saturated(tf, index.norms[part.base :][at])


def _saturated(tf: NDArray[np.float64], norms: NDArray[np.float64]) -> NDArray[np.float64]:
    """BM25's weight of a term's count in a passage, tf (k1 + 1) / (tf + norm), before idf:
    one expression for scores and bounds alike, so a bound is never a rounding below a score."""
    return tf * (K1 + 1) / (tf + norms)


def _top(index: LexicalIndex, weighted: list[Weighted], depth: int) -> tuple[list[int], bool]:
    """The ``depth`` best by MaxScore (see ``ranking``), and whether the bound was met before
    the last phrase; when it never was, every passage is scored."""
    import numpy as np

    weighted = sorted(weighted, key=lambda w: w.hits)
    scores = np.zeros(len(index.norms), dtype=np.float64)
    hits, scored = 0, 0.0
    with_score: list[NDArray[np.int64]] = []  # gathered as they come, not by a pass over all
    for k, phrase in enumerate(weighted[:-1]):
        _add(scores, index, phrase, with_score)
        found = np.concatenate(with_score)  # the passages scored so far, in no order
        with_score[:] = [found]
        hits, scored = hits + phrase.hits, scored + phrase.bound
        left = sum(w.bound for w in weighted[k + 1 :])  # summed afresh: no rounding drift
        if hits < depth or left >= scored or len(found) < depth:
            continue  # fewer passages than asked, or what is left could outweigh them
        kth = np.partition(scores[found], len(found) - depth)[len(found) - depth]
        if kth <= left:
            continue
        near = found[scores[found] >= kth - left]  # the rest stay below kth
        if len(near) * LOOKUP_COST > sum(w.hits for w in weighted[k + 1 :]):
            continue  # looking them all up would cost more than adding the postings
        candidates = np.sort(near)
        exact = scores[candidates]
        for rest in weighted[k + 1 :]:
            exact += _looked_up(index, rest, candidates)
        return _best(candidates, exact, depth), True
    _add(scores, index, weighted[-1])  # never pruned: every passage scored, each phrase once
    found = np.flatnonzero(scores)
    return _best(found, scores[found], depth), False


def _looked_up(
    index: LexicalIndex, phrase: Weighted, chunks: NDArray[np.int64]
) -> NDArray[np.float64]:
    """What ``phrase`` adds to the score of each of ``chunks`` (ascending ids)."""
    import numpy as np

    added = np.zeros(len(chunks), dtype=np.float64)
    for part in phrase.parts:
        if not len(part.offsets):
            continue
        lo, hi = np.searchsorted(chunks, [part.base, part.base + int(part.offsets[-1]) + 1])
        if lo == hi:
            continue
        wanted = chunks[lo:hi] - part.base
        at = np.minimum(np.searchsorted(part.offsets, wanted), len(part.offsets) - 1)
        held = part.offsets[at] == wanted
        tf = part.counts[at[held]].astype(np.float64)
        norms = index.norms[chunks[lo:hi][held]]
        added[lo:hi][held] = phrase.idf * _saturated(tf, norms)
    return added


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
        found = np.fromstring(store.fts_positions(token), dtype=np.int64, sep=" ").reshape(-1, 2)
        these = found[:, 0] * shift + found[:, 1] - place  # where the phrase would start
        keys = these if keys is None else np.intersect1d(keys, these, assume_unique=True)
    assert keys is not None
    chunks, counts = np.unique(keys // shift, return_counts=True)
    return [Postings(0, chunks, counts)] if len(chunks) else []
