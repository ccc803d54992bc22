"""Every concept name in a text at once: one pattern over all spellings, with the checks
that a match is the name and not part of an identifier (``nn.RNN``, ``LSTM.forward``)."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping

from kgnotes import prose
from kgnotes.cjk import CJK_RUN
from kgnotes.concepts.model import TOKEN, Named, fold, key_of, variants

_DOTTED_BEFORE = re.compile(r"[A-Za-z_]\w*\.$")  # a module path ending where a name starts
_DOTTED_AFTER = re.compile(r"\.[A-Za-z_]")  # an attribute after the name


def _dotted(text: str, start: int, end: int) -> bool:
    """Is ``text[start:end]`` part of a dotted identifier (``nn.RNN``, ``LSTM.forward``)?"""
    if text[start - 1 : start] != "." and text[end : end + 1] != ".":
        return False  # the common case, decided without a pattern
    return bool(_DOTTED_BEFORE.search(text[max(0, start - 40) : start])) or bool(
        _DOTTED_AFTER.match(text, end)
    )


class Matcher:
    """Finds every concept name in a text, longest name first, by folded words (so plurals,
    case and hyphens match), and Chinese names inside runs of Chinese characters; never inside
    inline code."""

    def __init__(self, concepts: Mapping[str, Named]) -> None:
        self.by_first: dict[str, list[tuple[tuple[str, ...], str]]] = defaultdict(list)
        self.cjk: list[tuple[str, str]] = []
        for key, concept in concepts.items():
            names = [key_of(a) for a in [key, concept.name, *concept.aliases]]
            for alias in dict.fromkeys(names + [v for n in names for v in variants(n)]):
                folded = tuple(alias.split())
                if not folded:
                    continue
                if len(folded) == 1 and CJK_RUN.fullmatch(folded[0]):
                    self.cjk.append((folded[0], key))
                elif (folded, key) not in self.by_first[folded[0]]:
                    self.by_first[folded[0]].append((folded, key))
        for options in self.by_first.values():
            options.sort(key=lambda item: -len(item[0]))
        self.cjk = sorted(set(self.cjk), key=lambda item: (-len(item[0]), item))

    def spans(self, text: str) -> list[tuple[str, int, int]]:
        """(concept key, start, end) of each name, in order, leftmost-longest."""
        text = prose.without_code_spans(text)
        folded = list(map(fold, TOKEN.findall(text)))
        starts = [i for i, word in enumerate(folded) if word in self.by_first]
        found = []
        if starts:  # offsets only for texts that name something
            matches = list(TOKEN.finditer(text))
            taken = 0
            for position in starts:
                if position < taken:
                    continue  # inside a longer name already found
                for words, key in self.by_first[folded[position]]:
                    end = position + len(words)
                    if tuple(folded[position:end]) == words:
                        start, stop = matches[position].start(), matches[end - 1].end()
                        if _dotted(text, start, stop):
                            break  # part of an identifier: nn.RNN, torch.nn.LSTM, LSTM.forward
                        found.append((key, start, stop))
                        taken = end
                        break
        if self.cjk and CJK_RUN.search(text):
            taken_cjk: list[tuple[int, int]] = []
            for name, key in self.cjk:  # longest first: 掩码自注意力 before 自注意力
                start = text.find(name)
                while start >= 0:
                    end = start + len(name)
                    if not any(a < end and start < b for a, b in taken_cjk):
                        found.append((key, start, end))
                        taken_cjk.append((start, end))
                    start = text.find(name, end)
        return sorted(found, key=lambda item: item[1])
