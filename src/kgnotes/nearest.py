"""The nearest passages by meaning in a large vault: an approximate index (HNSW, from usearch)
per embedding model, kept in ``.kgnotes/nearest/`` beside the database.

Below ``EXACT_BELOW`` vectors the search multiplies the query by every vector: it is exact and,
at that size, as fast. Above it, ``sync`` (run at the end of every ``build_index``) brings the
model's index in line with the store: passages added or whose text changed are added, those
gone are removed, and an index that is missing, unreadable or out of step with its list of
keys is built again from the store, which always holds every vector. The index stores vectors
as int8, a quarter of their float32 size; ``search`` asks for as many neighbours as the ranking
reads (``CANDIDATES``), which keeps the nearest ten among them.

The index file and its keys (each chunk id with its text's hash, so a chunk whose text changed
is re-added) are written whole or not at all, index first: a crash between the two leaves keys
that disagree with the index, which the next ``sync`` rebuilds.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kgnotes.files import replace_atomically

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from kgnotes.store import Store

log = logging.getLogger(__name__)

EXACT_BELOW = 50_000  # vectors; below this, exact search is as fast (measured: bench/scale.py)
BATCH = 20_000  # vectors read from the store and added at once
# Links per node and the breadth of the search that places a new one. Measured on 100k
# perturbed real passages (recall@10 of exact search among the 500 candidates a query reads):
# 32 and 64 gave 0.90-0.95 depending on the build, 32 and 200 0.99 but built in 74 s, 48 and
# 128 0.988 built in 37 s at the same 113 MB (int8 vectors); a search breadth of 1,000 instead
# of 128 made that 1.000, at 1.6 ms a query instead of 0.9. An index built with another
# connectivity is rebuilt by sync. The search breadth is at least the 500 asked for; at a
# million passages of documents (bench/scale.py) 500 gave recall 0.938 and 1,000 gave 0.953,
# for 4.5 ms more a query.
CONNECTIVITY = 48
EXPANSION_ADD = 128
EXPANSION_SEARCH = 1000


@dataclass(frozen=True)
class NearestReport:
    """What ``sync`` did to one model's index."""

    model: str
    vectors: int
    added: int
    removed: int
    rebuilt: bool
    seconds: float


def index_file(state: Path, model: str) -> Path:
    """Where ``model``'s index lives in a vault's state folder (named for the model)."""
    digest = hashlib.sha256(model.encode()).hexdigest()[:16]
    return state / "nearest" / f"{digest}.usearch"


def _keys_file(path: Path) -> Path:
    return path.with_suffix(".keys.npy")


def sync(store: Store, model: str, exact_below: int = EXACT_BELOW) -> NearestReport | None:
    """Bring ``model``'s index in line with the store's vectors; None (and no index kept)
    while the model has fewer than ``exact_below`` of them."""
    import numpy as np

    started = time.perf_counter()
    path = index_file(store.path.parent, model)
    rows = store.vector_keys(model)
    if len(rows) < exact_below:
        _remove(path)
        return None
    wanted = [(chunk, hash_key(digest)) for chunk, digest in rows]
    index, kept = _open(path)
    if index is not None and index.connectivity != CONNECTIVITY:
        log.info(
            "%s: built with connectivity %d; rebuilt with %d",
            path,
            index.connectivity,
            CONNECTIVITY,
        )
        index, kept = None, kept[:0]
    rebuilt = index is None
    if index is None:
        index = _new_index(store, model)
    have = set(map(tuple, kept.tolist()))
    want = set(wanted)
    gone = np.array(sorted(c for c, _ in have - want), dtype=np.uint64)
    new = sorted(c for c, _ in want - have)  # a changed text: its old vector gone, its new added
    if len(gone):
        index.remove(gone)
    for start in range(0, len(new), BATCH):
        ids, vectors = _vectors(store, model, new[start : start + BATCH])
        index.add(ids, vectors)
    if rebuilt or len(gone) or len(new):
        replace_atomically(path, lambda tmp: index.save(tmp), durable=True)
        keys = np.array(wanted, dtype=np.int64)
        replace_atomically(_keys_file(path), lambda tmp: _save_keys(tmp, keys), durable=True)
    report = NearestReport(
        model, len(wanted), len(new), len(gone), rebuilt, time.perf_counter() - started
    )
    log.info("nearest-neighbour index for %s: %s", model, report)
    return report


def load(store: Store, model: str) -> Any | None:
    """``model``'s index for searching (memory-mapped), or None where there is none or it is
    out of step with its keys: the search then falls back to exact."""
    index, _ = _open(index_file(store.path.parent, model), view=True)
    return index


def search(index: Any, vector: NDArray[np.float32], count: int) -> list[int]:
    """Chunk ids of the ``count`` nearest vectors, nearest first."""
    count = min(count, len(index))
    if count <= 0:
        return []
    found = index.search(vector, count)
    return [int(key) for key in found.keys]


def _new_index(store: Store, model: str) -> Any:
    from usearch.index import Index

    return Index(
        ndim=store.vector_dim(model),
        metric="cos",
        dtype="i8",
        connectivity=CONNECTIVITY,
        expansion_add=EXPANSION_ADD,
        expansion_search=EXPANSION_SEARCH,
    )


def _open(path: Path, view: bool = False) -> tuple[Any | None, NDArray[np.int64]]:
    """The index at ``path`` and its keys, or (None, no keys) when either is missing,
    unreadable or they disagree."""
    import numpy as np

    empty = np.empty((0, 2), dtype=np.int64)
    if not path.exists() or not _keys_file(path).exists():
        return None, empty  # the common case, told without importing usearch
    from usearch.index import Index

    try:
        # memory-mapped: a search only needs the count; sync reads them all
        keys = np.load(_keys_file(path), mmap_mode="r", allow_pickle=False)
        index = Index.restore(  # connectivity is the file's own; the expansions are not kept
            str(path), view=view, expansion_add=EXPANSION_ADD, expansion_search=EXPANSION_SEARCH
        )
    except Exception as exc:  # a damaged or truncated file: build it again
        log.warning("%s: unreadable (%s); it will be rebuilt", path, exc)
        return None, empty
    if index is None or keys.ndim != 2 or len(index) != len(keys):
        log.warning("%s: out of step with its keys; it will be rebuilt", path)
        return None, empty
    return index, keys


def _vectors(
    store: Store, model: str, chunk_ids: list[int]
) -> tuple[NDArray[np.uint64], NDArray[np.float32]]:
    import numpy as np

    from kgnotes import embed

    rows = store.vectors_of(model, chunk_ids)
    ids = np.array([chunk for chunk, _ in rows], dtype=np.uint64)
    return ids, embed.matrix(blob for _, blob in rows)


def hash_key(digest: str) -> int:
    """Enough of a text's sha256 to tell a changed text from the same one."""
    return int(digest[:15], 16)


def _save_keys(tmp: str, keys: NDArray[np.int64]) -> None:
    import numpy as np

    with open(tmp, "wb") as out:
        np.save(out, keys, allow_pickle=False)


def _remove(path: Path) -> None:
    for stale in (path, _keys_file(path)):
        stale.unlink(missing_ok=True)
