"""Names for one concept across languages, where no text glosses one with the other.

A Chinese page says 注意力机制 and 残差连接; an English one, attention and residual connection;
no sentence pairs them, so the graph would keep two concepts for each idea. A multilingual
sentence encoder places a name and its translation close together, but also near names that
only share a word (卷积神经网络 sits at 0.72 from "recurrent neural network"), so a pair is taken
only when each side is the other's clear nearest: similar enough, and ahead of every rival on
both sides by a margin. Pure arithmetic over vectors it is handed; the caller owns the model.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

MIN_SIMILARITY = 0.75  # cosine of the two names' vectors
MARGIN = 0.05  # over the next-nearest name, on each side


def pairs(
    chinese: list[list[str]], english: list[list[str]], embed: Callable[[list[str]], Any]
) -> list[tuple[int, int, float]]:
    """(index in ``chinese``, index in ``english``, similarity) for each Chinese concept whose
    nearest English concept has it as its own nearest, both clearly. Each concept comes as its
    spellings (注意力机制, 注意力层; attention, attention mechanism); two concepts are as near
    as their nearest two spellings. ``embed`` may answer None (no model): no pairs."""
    if not chinese or not english:
        return []
    import numpy as np

    names = [n for group in chinese + english for n in group]
    vectors = embed(names)
    if vectors is None:  # no model to ask
        return []
    owner = np.repeat(np.arange(len(chinese) + len(english)), [len(g) for g in chinese + english])
    cut = sum(len(g) for g in chinese)
    spelling = vectors[:cut] @ vectors[cut:].T
    similarity = np.full((len(chinese), len(english)), -1.0)
    rows, columns = owner[:cut], owner[cut:] - len(chinese)
    np.maximum.at(similarity, (rows[:, None], columns[None, :]), spelling)
    found = []
    for i in range(len(chinese)):
        row = similarity[i]
        j = int(np.argmax(row))
        if row[j] < MIN_SIMILARITY or _runner_up(row, j) > row[j] - MARGIN:
            continue
        column = similarity[:, j]
        if int(np.argmax(column)) != i or _runner_up(column, i) > column[i] - MARGIN:
            continue
        found.append((i, j, round(float(row[j]), 3)))
    return found


def _runner_up(values: Any, best: int) -> float:
    import numpy as np

    others = np.delete(values, best)
    return float(others.max()) if others.size else -1.0
