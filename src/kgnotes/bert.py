"""A sentence-transformers BERT model (all-MiniLM-L6-v2 and its kind) run with numpy, for
encoding queries in the search server without torch.

torch and sentence-transformers cost the server about 350 MB of its memory and 5 s of its
start, to encode a query of a few words, which this does as fast (about 9 ms for a dozen
words on 2 cores) from the same weights (read from the model's ``model.safetensors``) and
the same tokenizer (its ``tokenizer.json``, through the ``tokenizers`` package). Its vectors
agree with sentence-transformers' to float32 rounding (the tests hold them to a cosine of
0.99999).
Passages are still embedded by sentence-transformers, which batches many texts faster.

Only the layout it knows is taken: a ``BertModel`` with absolute positions and GELU, then mean
pooling, then normalisation (``modules.json``). ``Encoder.open`` returns None for any other
model, and the caller uses sentence-transformers.
"""

from __future__ import annotations

import json
import math
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

_MODULES = [
    "sentence_transformers.models.Transformer",
    "sentence_transformers.models.Pooling",
    "sentence_transformers.models.Normalize",
]
_DTYPES = {"F32": "<f4", "F16": "<f2"}


@dataclass(frozen=True)
class Layer:
    """One transformer block's weights, each matrix transposed for ``x @ w``."""

    qkv: NDArray[np.float32]  # (hidden, 3 * hidden): query, key and value side by side
    qkv_bias: NDArray[np.float32]
    attention_out: NDArray[np.float32]
    attention_out_bias: NDArray[np.float32]
    attention_norm: tuple[NDArray[np.float32], NDArray[np.float32]]
    up: NDArray[np.float32]
    up_bias: NDArray[np.float32]
    down: NDArray[np.float32]
    down_bias: NDArray[np.float32]
    output_norm: tuple[NDArray[np.float32], NDArray[np.float32]]


@dataclass(frozen=True)
class Encoder:
    """The weights and tokenizer of one model, and its settings."""

    tokenizer: Any  # tokenizers.Tokenizer
    words: NDArray[np.float32]
    positions: NDArray[np.float32]
    token_type: NDArray[np.float32]
    embedding_norm: tuple[NDArray[np.float32], NDArray[np.float32]]
    layers: tuple[Layer, ...]
    heads: int
    eps: float

    @classmethod
    def open(cls, folder: str | Path) -> Encoder | None:
        """The model in ``folder`` (a sentence-transformers model's files), or None when it is
        not one this module can run exactly."""
        folder = Path(folder)
        try:
            config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
            modules = json.loads((folder / "modules.json").read_text(encoding="utf-8"))
            pooling = json.loads((folder / "1_Pooling" / "config.json").read_text("utf-8"))
            settings = json.loads(
                (folder / "sentence_bert_config.json").read_text(encoding="utf-8")
            )
        except (OSError, ValueError):
            return None
        if not _supported(config, modules, pooling):
            return None
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        tokenizer.no_padding()
        tokenizer.enable_truncation(int(settings.get("max_seq_length", 512)))
        weights = _tensors(folder / "model.safetensors")
        prefix = "bert." if "bert.embeddings.word_embeddings.weight" in weights else ""
        return cls(
            tokenizer=tokenizer,
            words=weights[f"{prefix}embeddings.word_embeddings.weight"],
            positions=weights[f"{prefix}embeddings.position_embeddings.weight"],
            token_type=weights[f"{prefix}embeddings.token_type_embeddings.weight"][0],
            embedding_norm=_norm(weights, f"{prefix}embeddings.LayerNorm"),
            layers=tuple(
                _layer(weights, f"{prefix}encoder.layer.{k}")
                for k in range(int(config["num_hidden_layers"]))
            ),
            heads=int(config["num_attention_heads"]),
            eps=float(config.get("layer_norm_eps", 1e-12)),
        )

    def encode(self, texts: list[str]) -> NDArray[np.float32]:
        """One unit vector per text, as ``SentenceTransformer.encode(normalize)`` gives."""
        import numpy as np

        vectors = [self._one(ids) for ids in (t.ids for t in self.tokenizer.encode_batch(texts))]
        return np.stack(vectors).astype(np.float32) if vectors else np.empty((0, 0), np.float32)

    def _one(self, ids: list[int]) -> NDArray[np.float32]:
        """A text's vector: its tokens through every layer, averaged, made unit length."""
        import numpy as np

        x = self.words[ids] + self.positions[: len(ids)] + self.token_type
        x = _layer_norm(x, self.embedding_norm, self.eps)
        for layer in self.layers:
            x = self._block(x, layer)
        mean: NDArray[np.float32] = x.mean(axis=0)
        return cast("NDArray[np.float32]", mean / max(float(np.linalg.norm(mean)), 1e-12))

    def _block(self, x: NDArray[np.float32], layer: Layer) -> NDArray[np.float32]:
        import numpy as np

        tokens, hidden = x.shape
        size = hidden // self.heads
        qkv = (x @ layer.qkv + layer.qkv_bias).reshape(tokens, 3, self.heads, size)
        q, k, v = (qkv[:, i].transpose(1, 0, 2) for i in range(3))  # (heads, tokens, size)
        scores = q @ k.transpose(0, 2, 1) / np.float32(math.sqrt(size))
        scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
        scores /= scores.sum(axis=-1, keepdims=True)
        context = (scores @ v).transpose(1, 0, 2).reshape(tokens, hidden)
        attended = context @ layer.attention_out + layer.attention_out_bias
        x = _layer_norm(attended + x, layer.attention_norm, self.eps)
        up = _gelu(x @ layer.up + layer.up_bias)
        return _layer_norm(up @ layer.down + layer.down_bias + x, layer.output_norm, self.eps)


def _supported(config: dict[str, Any], modules: list[dict[str, Any]], pooling: Any) -> bool:
    return (
        config.get("model_type") == "bert"
        and config.get("hidden_act") == "gelu"
        and config.get("position_embedding_type", "absolute") == "absolute"
        and [m.get("type") for m in modules] == _MODULES
        and bool(pooling.get("pooling_mode_mean_tokens"))
        and not any(
            pooling.get(other)
            for other in (
                "pooling_mode_cls_token",
                "pooling_mode_max_tokens",
                "pooling_mode_mean_sqrt_len_tokens",
                "pooling_mode_weightedmean_tokens",
                "pooling_mode_lasttoken",
            )
        )
    )


def _tensors(path: Path) -> dict[str, NDArray[Any]]:
    """The tensors of a safetensors file, memory-mapped (its format: an 8-byte header length,
    a JSON header of names, dtypes, shapes and offsets, then the data)."""
    import numpy as np

    with open(path, "rb") as handle:
        (length,) = struct.unpack("<Q", handle.read(8))
        header = json.loads(handle.read(length))
    data = np.memmap(path, dtype=np.uint8, mode="r", offset=8 + length)
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__" or info["dtype"] not in _DTYPES:
            continue
        start, end = info["data_offsets"]
        array = data[start:end].view(_DTYPES[info["dtype"]]).reshape(info["shape"])
        tensors[name] = array.astype(np.float32, copy=False)
    return tensors


def _layer(weights: dict[str, NDArray[Any]], name: str) -> Layer:
    import numpy as np

    def w(part: str) -> NDArray[np.float32]:  # copied: BLAS needs aligned memory
        return np.ascontiguousarray(weights[f"{name}.{part}.weight"].T)

    def b(part: str) -> NDArray[np.float32]:
        return weights[f"{name}.{part}.bias"]

    sides = ("attention.self.query", "attention.self.key", "attention.self.value")
    return Layer(
        qkv=np.concatenate([w(side) for side in sides], axis=1),
        qkv_bias=np.concatenate([b(side) for side in sides]),
        attention_out=w("attention.output.dense"),
        attention_out_bias=b("attention.output.dense"),
        attention_norm=_norm(weights, f"{name}.attention.output.LayerNorm"),
        up=w("intermediate.dense"),
        up_bias=b("intermediate.dense"),
        down=w("output.dense"),
        down_bias=b("output.dense"),
        output_norm=_norm(weights, f"{name}.output.LayerNorm"),
    )


def _norm(
    weights: dict[str, NDArray[Any]], name: str
) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    return weights[f"{name}.weight"], weights[f"{name}.bias"]


def _layer_norm(
    x: NDArray[np.float32], norm: tuple[NDArray[np.float32], NDArray[np.float32]], eps: float
) -> NDArray[np.float32]:
    import numpy as np

    mean = x.mean(axis=-1, keepdims=True)
    variance = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    normed = (x - mean) / np.sqrt(variance + np.float32(eps)) * norm[0] + norm[1]
    return cast("NDArray[np.float32]", normed)


def _gelu(x: NDArray[np.float32]) -> NDArray[np.float32]:
    """BERT's exact GELU, x Φ(x)."""
    import numpy as np
    from scipy.special import erf

    return cast("NDArray[np.float32]", x * 0.5 * (1.0 + erf(x / math.sqrt(2.0))).astype(np.float32))
