"""Plain rankings over a vault's own passages, to measure kgnotes' search against.

- **BM25** (Robertson's k1 = 1.2, b = 0.75) over each passage's words, lower-cased, with
  Chinese as character bigrams (the way kgnotes' full-text index reads it);
- **dense**: the cosine of the query's embedding with each passage's stored vector;
- **RRF**: the two fused by reciprocal rank (k = 60), equal weights.

Each passage ranking becomes a ranking of owners (a journal entry or a source) at its best
passage, as kgnotes' own search does. Reads the store through the library; embeds only queries.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from kgnotes import embed
from kgnotes.cjk import CJK_RUN, cjk_bigrams
from kgnotes.store import ChunkDetail, Store

RRF_K = 60
_WORD = re.compile(r"[^\W_]+", re.UNICODE)

Owner = tuple[str, int]


def words(text: str) -> list[str]:
    """Lower-cased words of the Latin script and bigrams of the Chinese runs."""
    latin = CJK_RUN.sub(" ", text.lower())
    return (
        _WORD.findall(latin) + cjk_bigrams(text) if CJK_RUN.search(text) else _WORD.findall(latin)
    )


@dataclass
class Passages:
    """Every embedded passage of a vault: its owner, its words and its vector."""

    ids: list[int]
    details: dict[int, ChunkDetail]
    vectors: dict[str, object] = field(default_factory=dict)  # model → matrix, rows as ids
    _bm25: tuple | None = None

    @classmethod
    def load(cls, store: Store, models: list[str]) -> Passages:
        import numpy as np

        rows = store.chunk_vectors(models[0])
        ids = [r[0] for r in rows]
        details = store.chunk_details(ids)
        ids = [i for i in ids if i in details and details[i].owner_type != "concept"]
        passages = cls(ids, details)
        for model in models:
            by_id = {r[0]: r[3] for r in store.chunk_vectors(model)}
            matrix = np.frombuffer(b"".join(by_id[i] for i in ids), dtype=np.float32)
            passages.vectors[model] = matrix.reshape(len(ids), -1)
        return passages

    @functools.cached_property
    def first_chunks(self) -> dict[Owner, int]:
        """Each owner's first passage, to name it by (its URL or day)."""
        found: dict[Owner, int] = {}
        for chunk_id in self.ids:
            found.setdefault(self.owner(chunk_id), chunk_id)
        return found

    def owner(self, chunk_id: int) -> Owner:
        detail = self.details[chunk_id]
        return detail.owner_type, detail.owner_id

    def bm25(self, query: str, k1: float = 1.2, b: float = 0.75) -> list[Owner]:
        if self._bm25 is None:
            docs = [Counter(words(self.details[i].text)) for i in self.ids]
            lengths = [sum(d.values()) for d in docs]
            frequency: Counter[str] = Counter()
            for d in docs:
                frequency.update(d.keys())
            self._bm25 = (docs, lengths, frequency, sum(lengths) / max(1, len(lengths)))
        docs, lengths, frequency, mean = self._bm25
        n = len(docs)
        scores: dict[int, float] = defaultdict(float)
        for term in set(words(query)):
            df = frequency.get(term)
            if not df:
                continue
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            for row, d in enumerate(docs):
                tf = d.get(term)
                if tf:
                    norm = tf * (k1 + 1) / (tf + k1 * (1 - b + b * lengths[row] / mean))
                    scores[row] += idf * norm
        ranked = sorted(scores, key=lambda row: -scores[row])
        return self._owners([self.ids[row] for row in ranked])

    def dense(self, query: str, model: str) -> list[Owner]:
        import numpy as np

        vector = embed.encode(model, [query])[0]
        scores = self.vectors[model] @ vector
        order = np.argsort(-scores, kind="stable")
        return self._owners([self.ids[row] for row in order])

    def _owners(self, chunk_ids: list[int]) -> list[Owner]:
        return list(dict.fromkeys(self.owner(c) for c in chunk_ids))


def rrf(*rankings: list[Owner]) -> list[Owner]:
    scores: dict[Owner, float] = defaultdict(float)
    for ranking in rankings:
        for rank, owner in enumerate(ranking):
            scores[owner] += 1 / (RRF_K + rank + 1)
    return sorted(scores, key=lambda owner: -scores[owner])
