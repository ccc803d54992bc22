"""Chinese, Japanese and Korean text for full-text search, which has no spaces to split on."""

from __future__ import annotations

import re

# Kana, CJK ideographs (extension A and the unified block) and Hangul: the one character class
# every module that tells CJK text from the rest uses.
CJK_CHARS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af"
CJK_CHAR = re.compile(f"[{CJK_CHARS}]")
CJK_RUN = re.compile(f"[{CJK_CHARS}]+")


def cjk_bigrams(text: str) -> list[str]:
    """CJK runs as overlapping character pairs: 多头注意 → 多头 头注 注意."""
    pairs = []
    for run in CJK_RUN.findall(text):
        pairs += [run[i : i + 2] for i in range(max(1, len(run) - 1))]
    return pairs
