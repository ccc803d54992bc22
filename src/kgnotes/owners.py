"""Which entry, document or concept owns each passage, held in memory by a search that runs
again and again (``kgnotes serve``).

A hybrid query collapses about 1,500 candidate passages to their owners. Asked of SQLite, that
is a B-tree search per passage: 8 ms a query on a vault of 100k passages (bench/scale.py),
a third of the query. Here it is a binary search in a sorted array: 17 bytes a passage, 17 MB
at a million, loaded in one pass over an index that holds no text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from kgnotes.store import Store

OWNER_TYPES = ("entry", "document", "concept")


@dataclass(frozen=True)
class Owners:
    """Every passage's owner: ``chunks`` sorted, ``kinds`` indexes ``OWNER_TYPES``."""

    chunks: NDArray[np.int64]
    kinds: NDArray[np.uint8]
    owner_ids: NDArray[np.int64]

    def of(self, chunk_ids: list[int]) -> dict[int, tuple[str, int]]:
        """Chunk id → (owner type, owner id) for those of ``chunk_ids`` the vault holds."""
        import numpy as np

        if not chunk_ids or not len(self.chunks):
            return {}
        wanted = np.asarray(chunk_ids, dtype=np.int64)
        at = np.minimum(np.searchsorted(self.chunks, wanted), len(self.chunks) - 1)
        held = self.chunks[at] == wanted
        at = at[held]
        return {
            chunk: (OWNER_TYPES[kind], owner)
            for chunk, kind, owner in zip(
                wanted[held].tolist(),
                self.kinds[at].tolist(),
                self.owner_ids[at].tolist(),
                strict=True,
            )
        }


def load(store: Store) -> Owners:
    """Every passage's owner, read from the store."""
    import numpy as np

    parts = [
        np.fromstring(store.owned_chunks(kind), dtype=np.int64, sep=" ").reshape(-1, 2)
        for kind in OWNER_TYPES
    ]
    pairs = np.concatenate(parts)
    kinds = np.repeat(np.arange(len(OWNER_TYPES), dtype=np.uint8), [len(p) for p in parts])
    order = np.argsort(pairs[:, 0], kind="stable")
    return Owners(
        np.ascontiguousarray(pairs[order, 0]), kinds[order], np.ascontiguousarray(pairs[order, 1])
    )
