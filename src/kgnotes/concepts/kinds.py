"""What is a kind of what: defining sentences ("X is a Y", "X 是一种 Y"), examples
("decoder models like GPT") and the lists of kinds a text sets out."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from kgnotes.concepts.matcher import Matcher
from kgnotes.concepts.model import CLAUSE_END

# "X is a …", "X, a …", "X 是一种 …"; "X is the …" describes rather than defines
_GENUS_AFTER = re.compile(
    r"^\s*(?:\([^)]{0,40}\)\s*)?(?:(?P<comma>,)\s*(?:which\s+is\s+)?|\s+(?:is|are|was)"
    r"(?:\s*,\s*(?:however|therefore|thus|in\s+fact|of\s+course)\s*,)?\s+"
    r"(?:essentially\s+|basically\s+|simply\s+|just\s+|also\s+)?"
    r"|\s*(?:其实|实际上|本质上)?\s*(?:就|也|则|即)?\s*(?:是|为)\s*)"
    r"(?:an?\s|一种|一个|一类)\s*"
    r"|^\s*(?:依然|仍然|也|都)?\s*(?:归)?属于\s*(?=\S)"  # "LSTM 依然归属于 RNN 之下"
)


_ADJECTIVE_COMMA = re.compile(r",(?=\s+[a-z][\w\-]*\s+[\w\-])")


_LEAD = re.compile(r"^\s*(?:(?:the|a|an)\s+|[A-Z][a-z]+s\s+(?:the\s+|a\s+|an\s+)?)?$", re.I)


_GENUS_END = re.compile(
    r"[,.;:!?，。；：（(]|\s(?:that|which|who|where|with|trained|pre-trained|for|to|on|by|from|"
    r"using|in|of\s+the)\s"
)


_KIND_OF = re.compile(  # the genus after a word for a kind: "a special case of attention"
    r"^(?:[\w\-]+\s+){0,2}?(?:technique|method|approach|form|type|kind|variant|variation|class"
    r"|family|special\s+case|instance|extension|generali[sz]ation|flavou?r|member|subset)s?\s+"
    r"(?:of|for|in|within)\s+(?:the\s+|a\s+|an\s+)?"
)


_PLURAL_GENUS = re.compile(r"^\s+are\s+(?!not\b|also\s+not\b)")


_GENUS_HEAD = re.compile(  # a genus written as a name and the kind of thing it is
    r"^[\s\-]*(?:models?|networks?|architectures?|methods?|algorithms?|techniques?|variants?"
    r"|layers?|mechanisms?|approaches|encoders?|decoders?)\b"
)


_EXAMPLES = re.compile(  # "Decoder models like GPT", "编码端架构的著名的模型如BERT、RoBERTa"
    r"[\s\-]*(?:(?:models?|networks?|architectures?|methods?|algorithms?|variants?|famil(?:y|ies)"
    r"|layers?|mechanisms?)\s+)?(?:such\s+as|like|e\.g\.,?)\s+(?:the\s+)?(?=\S)"
    r"|\s*(?:模型|网络|架构|结构)?\s*的?\s*(?:著名|经典|代表性?|典型)的?\s*(?:模型|网络|架构|代表)?"
    r"\s*(?:有|如|就是|包括|是)\s*(?:大名鼎鼎的)?\s*",
    re.IGNORECASE,
)


_LISTING = re.compile(r"^(?:\s*(?:,|、|，|和|与|以及|and|or|the)\s*)+$", re.IGNORECASE)


_VARIANT = re.compile(r"^\s*(?:的变种|的变体|的一种|的改进)\s*[—\-–:：，,]*\s*$")


def genera_in(
    sentence: str, spans: list[tuple[str, int, int]], matcher: Matcher
) -> Iterator[tuple[str, str]]:
    """(genus, concept) where a sentence says what a concept is: "BERT is a multi-layer
    transformer network", "Trains GPT-3, an autoregressive Transformer language model",
    "自注意力是一种注意力机制", "注意力机制的变种 —— 自注意力". A genus named with a head
    ("a Transformer encoder") gives the name inside it too."""
    for i, (key, start, end) in enumerate(spans):
        if i > 0 and len(sentence[:start].split()) > 4:
            break  # the subject comes first, after a few words at most ("The resulting …")
        plural = _PLURAL_GENUS.match(sentence[end:])
        if plural and sentence[start:end].endswith("s"):  # "ResNets are … CNN models"
            reach = end + plural.end()
            clause = CLAUSE_END.search(sentence, reach)
            for other, s, e in spans[i + 1 :]:
                if clause and s >= clause.start():
                    break
                if other != key and s < reach + 50 and _GENUS_HEAD.match(sentence[e:]):
                    yield other, key
                    break
            break
        after = _GENUS_AFTER.match(sentence[end:])
        if after and after.group("comma") and not _LEAD.match(sentence[:start]):
            break  # "In the RNN encoder-decoder, a …" is no apposition: only "Trains X, a …"
        if after:
            window = sentence[end + after.end() :]
            kind = _KIND_OF.match(window)
            if kind:  # "a common technique for transfer learning", "a type of RNN"
                genus = next(
                    (sp for sp in spans[i + 1 :] if sp[1] == end + after.end() + kind.end()), None
                )
                if genus and genus[0] != key:
                    yield genus[0], key
                break
            stop = _GENUS_END.search(_ADJECTIVE_COMMA.sub(" ", window))  # "a large, deep …"
            limit = end + after.end() + (stop.start() if stop else min(len(window), 80))
            for other, s, e in spans[i + 1 :]:
                if s >= limit:
                    break
                if other != key:
                    yield other, key
                inner = sentence[s:e].rsplit(None, 1)[0] if " " in sentence[s:e] else ""
                for part, _, _ in matcher.spans(inner):
                    if part not in (key, other):
                        yield part, key
            break
    for (a, _, a_end), (b, b_start, _) in itertools.pairwise(spans):
        if a != b and _VARIANT.match(sentence[a_end:b_start]):
            yield a, b


def _may_list_examples(s: str) -> bool:
    """A quick test for the wording ``_EXAMPLES`` looks for, asked of every sentence."""
    return (
        "like" in s
        or "Like" in s
        or "such as" in s
        or "Such as" in s
        or "e.g." in s
        or "著名" in s
        or "经典" in s
        or "代表" in s
        or "典型" in s
    )


def listed_examples(sentence: str, spans: list[tuple[str, int, int]]) -> Iterator[tuple[str, str]]:
    """(genus, concept) where a text names examples of a kind: "Decoder models like GPT",
    "encoder-decoder models like BART and T5", "编码端架构的著名的模型如BERT、RoBERTa". Each
    name listed right after the wording is one of the kind named just before it."""
    if not _may_list_examples(sentence):
        return
    for i, (key, _, end) in enumerate(spans):
        cue = _EXAMPLES.match(sentence, end)  # anchored where the name ends
        if not cue:
            continue
        reach = cue.end()
        for other, start, other_end in spans[i + 1 :]:
            if start != reach and not _LISTING.match(sentence[reach:start]):
                break
            if other != key:
                yield key, other
            reach = other_end


@dataclass
class KindsList:
    genus: str  # the concept whose kinds the list names
    since: int = 0  # sentences since the last item


_KINDS_INTRO = re.compile(
    r"\b(?:variants|variations|types|kinds|families|flavou?rs|categories|forms)\b"
    r"|变体|变种|类型|种类|类别",
    re.IGNORECASE,
)


_ITEM = re.compile(r"^\s*(?:[-*+•]|\d{1,2}[.)、])\s+(?:\*\*|__)?")


_ITEM_GAP = 2  # sentences of an item's own text between two items


def kinds_listed(
    reading: KindsList | None, sentence: str, spans: list[tuple[str, int, int]]
) -> tuple[KindsList | None, tuple[str, str] | None]:
    """(genus, concept) from a list of kinds: a sentence naming one concept that ends in a
    colon and speaks of kinds ("There are several variants of RNN:", "轻量级微调有许多变体，
    其中一些主要的方法包括："), then the name each list item opens with ("2. **前缀调整（Prefix
    Tuning）**：…"). Not a list of parts: "BERT has two pre-training tasks:" lists no BERTs."""
    if sentence.startswith("#"):
        return None, None
    item = _ITEM.match(sentence)
    if reading and item:
        reading.since = 0
        first = next((k for k, start, _ in spans if start == item.end()), None)
        return reading, (reading.genus, first) if first and first != reading.genus else None
    opens = sentence.rstrip().endswith((":", "："))  # a list of its own follows
    if reading and reading.since < _ITEM_GAP and not opens:
        reading.since += 1
        return reading, None
    keys = {k for k, _, _ in spans}
    if opens and len(keys) == 1 and _KINDS_INTRO.search(sentence):
        return KindsList(keys.pop()), None
    return None, None
