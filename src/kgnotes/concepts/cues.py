"""The wording that states a relation between two names: builds on, uses, is based on,
solves a problem of (in English and Chinese), and who the subject of such a sentence is."""

from __future__ import annotations

import re
from collections.abc import Iterator

from kgnotes.cjk import CJK_RUN
from kgnotes.concepts.model import CLAUSE_END
from kgnotes.concepts.vocabulary import word_set

_CUE_BEFORE = re.compile(
    r"(?:\b(?:based|builds?|built|building|relies|rely|relying|founded|grounded|draws?)"
    r"(?:\s+\w+)?\s+(?:on|upon)|\bextends|\bextending|\bextension\s+of|\bgeneralizes"
    r"|\bgeneralises|\bvariant\s+of|\bimproves\s+(?:on|upon)|\bresembles?)"
    r"\s*(?:the\s+|a\s+|an\s+)?(?:original\s+|standard\s+|vanilla\s+)?$",
    re.IGNORECASE,
)


_USE_BEFORE = re.compile(
    r"\b(?:uses?|employs?|relies\s+on|(?:is|are)\s+implemented\s+(?:by|with|using)|consists\s+of|(?:is|are)\s+composed\s+of|"
    r"(?:is|are)\s+made\s+(?:up\s+)?of|(?:is|are)\s+built\s+(?:from|with|out\s+of)|"
    r"stacks?|combines?|adopts?|leverages?|utili[sz]es|(?:pre-?)?trained\s+(?:with|using)|"
    r"(?:by|from|through)\s+(?:adopting|employing|leveraging|utili[sz]ing|combining)|"
    r"(?:pre-?)?trains?\s+with)\s+(?:[\w\-]+\s+){0,2}[\"“‘'*]?$",
    re.IGNORECASE,
)


_USED_AFTER = re.compile(
    r"^\s*(?:\([^)]{0,40}\)\s*)?,?\s*(?:(?:which|that)\s+)?(?:(?:is|are|was)\s+)?(?:also\s+)?"
    r"used\s+(?:in|by|to\s+(?:pre-?)?train|to\s+(?:build|construct)|for\s+(?:pre-?)?training)"
    r"\s+(?:the\s+|a\s+|an\s+)?"
    r"|^\s*(?:模块|结构|层|机制)?\s*(?:被)?(?:用来|用于)(?:构建|搭建|组成|构成)\s*"
)


_WHAT_USES = re.compile(r"^\s*\(\s*(?:what|which|as|that)\s+(?:the\s+)?")


_USES_CLOSE = re.compile(r"^(?:-?\d+(?:\.\d+)?)?\s+(?:uses|use|used|employs)\s*\)")


REPLACES = re.compile(  # a paper's subject-less abstract: "Replaces … of Fast R-CNN with …"
    r"^(?:Replaces|Improves(?:\s+on|\s+upon)?|Extends|Generali[sz]es|Simplifies|Speeds\s+up)\b"
)


_SUBJECTLESS = re.compile(r"^[A-Z][a-z]+s\b(?!\s+(?:is|are|was|were|has|have)\b)")


_CUE_WORDS = word_set(  # a quick test for the wording the patterns above look for
    """
    based build builds built building relies rely relying founded grounded draw draws extends
    extending extension generalizes generalises variant version improves use uses used employ
    employs consists composed made stack stacks combine combines combining adopt adopts
    adopting employing leverage leverages leveraging utilizes utilises utilizing utilising
    trained train trains resemble resembles foundation foundations basis backbone backbones
    precursor precursors implemented
    """
)


_SOLVE_WORDS = word_set(  # what fixes another's problem: "LSTM solves the … problem of RNNs"
    """
    solve solves solved address addresses addressed overcome overcomes overcame overcoming
    alleviate alleviates alleviated alleviating mitigate mitigates mitigated mitigating fix
    fixes fixed
    """
)
_CUE_WORDS |= _SOLVE_WORDS


_ZH_CUE_WORDS = re.compile(
    r"基于|建立在|基础|使用|采用|利用|引入|通过|基座|开创之作|用到|添加|加入|借鉴|用来|用于|解决|缓解"
    r"|克服|开端|前身|雏形|为基础|为基座|为核心"
)


_LOWER_WORD = re.compile(r"[a-z]+")


def cue_words(text: str) -> bool:
    """Might ``text`` hold wording that says one concept builds on or uses another? A word
    test, cheap enough to ask of every sentence before the patterns are."""
    if not _CUE_WORDS.isdisjoint(_LOWER_WORD.findall(text.lower())):
        return True
    return CJK_RUN.search(text) is not None and _ZH_CUE_WORDS.search(text) is not None


_ZH_BASED = re.compile(r"(?:基于|建立在)\s*$")


_ZH_USE = re.compile(
    r"(?<!不)(?<!不再)(?<!没有)(?<!没)(?<!未)(?:采用了?|使用了|使用到了|用到了|利用了|是使用|是采用"
    r"|添加了|加入了|引入了|借鉴了)\s*$"
)


_FOUNDATION_AFTER = re.compile(  # Y 的基础 / 的基座模型 / 的开创之作: what Y stands on
    r"^\s*(?:时代|模型|架构)?\s*的\s*(?:基础|基座|基石|开端|开创之作|前身|基础架构|雏形)"
)


_ZH_FOUNDATION_VERB = re.compile(r"是|成就了|奠定了|成为")


_FOUNDATION_BEFORE = re.compile(
    r"\b(?:is|are|was|were|forms?|formed|provides?|laid|lays)\s+the\s+(?:foundation|basis|"
    r"backbone|building\s+block|precursor|forerunner)s?\s+(?:of|for)\s+(?:the\s+|a\s+|an\s+)?$",
    re.IGNORECASE,
)


_ZH_BY = re.compile(r"通过(?:预训练任务|任务|训练)?\s*$")  # 通过 MLM 来学习: by means of MLM


_ZH_TOPIC = re.compile(r"^\s*(?:是|采用|使用|就是|则是)")  # a sentence's topic, then what it is


_ZH_ON_TOP = re.compile(r"在\s*$")  # 在 X 的基础上


_ZH_TAKING = re.compile(r"以\s*$")  # 以 X 为基础


_ZH_AS_BASE = re.compile(
    r"^\s*(?:架构|模型)?\s*为(?:基础|基座|核心|骨干|基座模型)[^，,。；]{0,4}?的?\s*"
)


_ZH_TOP_AFTER = re.compile(r"^\s*(?:的|之)?基础上")


_ZH_OF = re.compile(  # 基于 X 的 Y, 基于 X 架构而来的 Y: Y builds on X
    r"^\s*(?:架构|结构|模型|机制|思想|方法|框架)?\s*(?:而来|构建|搭建|设计|实现)?\s*的\s*$"
)


ZH_GAP = 8  # Chinese characters between a subject and its verb ("是一个", "模型也是")


_SUBJECT_GAP = re.compile(r"^[\s\w\-]*$")  # between a subject and its verb: words only


_PRONOUNS = frozenset({"we", "i", "you", "they", "it", "this", "that", "which", "these", "those"})


_ZH_CLAUSE_END = re.compile(r"[，,、;；。!?！？：:]")


def cues_in(
    sentence: str, spans: list[tuple[str, int, int]], speaker: tuple[str, ...] = ()
) -> Iterator[tuple[str, str, str]]:
    """(kind, prerequisite, concept) that the wording of ``sentence`` states: "wording" for
    "ViT builds on the Transformer", "BERT 是一个基于 Transformer 的模型", "在 BERT 的基础上，
    RoBERTa …"; "use" for "the Transformer uses multi-head attention", "BERT is pre-trained
    with MLM", "T5 采用了 Encoder-Decoder 结构". The one building is the name before the
    wording in the same clause (or, in Chinese, the name it qualifies: 基于 X 的 Y); in a
    paper's abstract written without a subject ("Replaces the … step of Fast R-CNN with …",
    "Relies only on attention"), the concepts the paper presents (``speaker``)."""
    subjectless = bool(speaker) and _SUBJECTLESS.match(sentence) is not None
    for i, (key, start, end) in enumerate(spans):
        before = sentence[max(0, start - 60) : start]
        after = sentence[end:]
        found: list[tuple[str, str, str]] = []
        if _CUE_BEFORE.search(before):
            found = _subject(spans, i, sentence, "wording", CLAUSE_END, 2)
            if not found and subjectless and not CLAUSE_END.search(sentence[:start]):
                found = [("wording", key, s) for s in speaker if s != key]
        elif _USE_BEFORE.search(before):
            found = _subject(spans, i, sentence, "use", CLAUSE_END, 3)
            if not found and subjectless and not CLAUSE_END.search(sentence[:start]):
                found = [("use", key, s) for s in speaker if s != key]
        elif _ZH_BASED.search(before) or _ZH_USE.search(before) or _ZH_BY.search(before):
            kind = "wording" if _ZH_BASED.search(before) else "use"
            following = spans[i + 1] if i + 1 < len(spans) else None
            if following and _ZH_OF.match(sentence[end : following[1]]):
                found = [(kind, key, following[0])]
            else:
                found = _subject(spans, i, sentence, kind, _ZH_CLAUSE_END, 12)
            if not found and spans[0][0] != key and _ZH_TOPIC.match(sentence[spans[0][2] :]):
                found = [(kind, key, spans[0][0])]  # "BERT 是…模型，通过 MLM 来学习": its topic
        elif _ZH_TAKING.search(before) and (base := _ZH_AS_BASE.match(after)):  # 以 X 为基础的 Y
            later = next((sp for sp in spans[i + 1 :] if sp[1] >= end + base.end()), None)
            if later and later[0] != key and not _ZH_CLAUSE_END.search(sentence[end : later[1]]):
                found = [("wording", key, later[0])]
            else:
                found = _subject(spans, i, sentence, "wording", _ZH_CLAUSE_END, 12)
        elif _ZH_ON_TOP.search(before) and _ZH_TOP_AFTER.match(after):
            found = _subject(spans, i, sentence, "wording", _ZH_CLAUSE_END, 12)
            if (
                not found
                and i + 1 < len(spans)
                and re.match(r"^\s*(?:的|之)?基础上\s*[，,]?\s*$", sentence[end : spans[i + 1][1]])
            ):
                found = [("wording", key, spans[i + 1][0])]
        elif (what := _WHAT_USES.match(after)) and i + 1 < len(spans):
            user, u_start, u_end = spans[i + 1]  # "masked self-attention (what GPT-2 uses)"
            if u_start == end + what.end() and _USES_CLOSE.match(sentence[u_end:]):
                found = [("use", key, user)] if user != key else []
        elif used := _USED_AFTER.match(after):
            later = next((sp for sp in spans[i + 1 :] if sp[1] == end + used.end()), None)
            if later and later[0] != key:
                found = [("use", key, later[0])]
        elif subjectless and i == 0 and REPLACES.match(sentence):
            found = [("wording", key, s) for s in speaker if s != key]
        if not found and i > 0:
            found = _foundation(spans, i, sentence)
        yield from found
    yield from _listed_bases(sentence, spans)
    yield from _solved(sentence, spans)


_SOLVES = re.compile(
    r"\b(?:solves?|solved|address(?:es|ed)?|overcomes?|overcame|alleviates?|alleviated"
    r"|mitigates?|mitigated|fix(?:es|ed)?)\s+(?:[\w\-]+\s+){0,4}?(?:problems?|issues?"
    r"|limitations?|shortcomings?|weakness(?:es)?)\s+(?:of|in|with|that|faced\s+by)\s+$"
    r"|(?:解决了?|缓解了?|克服了?)\s*$",
    re.IGNORECASE,
)


_ZH_SOLVE_WORDS = re.compile(r"解决|缓解|克服")


_ZH_PROBLEM = re.compile(r"^[^。；;!?！？]{0,40}?(?:问题|缺陷|不足|局限)")


_ZH_ARRIVAL = re.compile(r"^\s*(?:的(?:出现|提出|诞生|引入))?\s*[，,]")


def _solved(sentence: str, spans: list[tuple[str, int, int]]) -> Iterator[tuple[str, str, str]]:
    """ "LSTM solves the vanishing gradient problem of RNNs", "ResNet的出现，在一定程度上解决了
    卷积神经网络随深度的增加…的问题": what fixes another's problem builds on it. The one
    fixing is the name before the wording in its clause, or (in Chinese) the sentence's first
    name when its clause says only that it came ("ResNet的出现，")."""
    if _SOLVE_WORDS.isdisjoint(_LOWER_WORD.findall(sentence.lower())) and not (
        _ZH_SOLVE_WORDS.search(sentence)
    ):
        return
    for i, (key, start, end) in enumerate(spans):
        cue = _SOLVES.search(sentence[max(0, start - 80) : start])
        if not cue:
            continue
        chinese = CJK_RUN.search(cue.group(0)) is not None
        if chinese and not _ZH_PROBLEM.match(sentence[end:]):
            continue
        found = _subject(
            spans, i, sentence, "wording", _ZH_CLAUSE_END if chinese else CLAUSE_END, 8
        )
        topic, _, topic_end = spans[0]
        if not found and chinese and topic != key and _ZH_ARRIVAL.match(sentence[topic_end:]):
            found = [("wording", key, topic)]
        yield from found


_CUE_LIST = re.compile(  # "BERT builds on top of a number of clever ideas -- including …"
    r"\b(?:builds?|built|based|draws?|relies|rely)\s+(?:on|upon)\s+(?:top\s+of\s+)?"
    r"[^.;:]{0,80}?\b(?:ideas|works?|methods|models|techniques|advances|concepts)\b[^.;:]{0,80}?"
    r"(?:including(?:\s+but\s+not\s+limited\s+to)?|such\s+as|like|namely)\s*:?",
    re.IGNORECASE,
)


MAX_LISTED = 6


_LIST_WORDS = re.compile(r"\b(?:including|such\s+as|like|namely)\b", re.IGNORECASE)


def _listed_bases(
    sentence: str, spans: list[tuple[str, int, int]]
) -> Iterator[tuple[str, str, str]]:
    """ "BERT builds on top of a number of clever ideas -- including … ELMo, ULMFiT, the
    OpenAI transformer, and the Transformer": each name listed builds the subject, the name
    just before the wording (``_close_enough``, words only between)."""
    if not _LIST_WORDS.search(sentence):
        return
    cue = _CUE_LIST.search(sentence)
    if not cue:
        return
    before = [sp for sp in spans if sp[2] <= cue.start()]
    if not before:
        return
    subject, _, subject_end = before[-1]
    if not _close_enough(sentence[subject_end : cue.start()], 3, words_only=True):
        return
    listed = [key for key, start, _ in spans if start >= cue.end() and key != subject]
    listed = list(dict.fromkeys(listed))
    if len(listed) <= MAX_LISTED:
        yield from (("wording", key, subject) for key in listed)


def _foundation(
    spans: list[tuple[str, int, int]], i: int, sentence: str
) -> list[tuple[str, str, str]]:
    """ "Attention is the foundation of the Transformer", "GPT-3 是 LLM 的开创之作", "GPT 系列
    模型，也是现今大火的 LLM 的基座模型": span ``i`` builds on the name before it (in Chinese,
    the sentence's topic, its first name)."""
    key, start, end = spans[i]
    previous, _, previous_end = spans[i - 1]
    if previous != key and _FOUNDATION_BEFORE.search(sentence[previous_end:start]):
        return [("wording", previous, key)]
    topic, _, topic_end = spans[0]
    if (
        topic != key
        and _FOUNDATION_AFTER.match(sentence[end:])
        and _ZH_FOUNDATION_VERB.search(sentence[topic_end:start])
    ):
        return [("wording", topic, key)]
    return []


def _subject(
    spans: list[tuple[str, int, int]],
    i: int,
    sentence: str,
    kind: str,
    clause: re.Pattern[str],
    gap: int,
) -> list[tuple[str, str, str]]:
    """The name before span ``i`` in the same clause, as the one that builds on span ``i`` —
    when it stands close enough before the wording (``_close_enough``)."""
    key, start, _ = spans[i]
    cue = _cue_start(sentence, start)
    for other, _, other_end in reversed(spans[:i]):
        if other_end > cue:
            continue  # part of the wording itself ("通过预训练任务 MLM")
        between = sentence[other_end:cue]
        if clause.search(between):
            return []
        if other != key:
            return [(kind, key, other)] if _close_enough(between, gap, kind == "use") else []
    return []


def _close_enough(between: str, gap: int, words_only: bool) -> bool:
    """Can the name before ``between`` be the subject of the wording after it? At most
    ``gap`` words and no pronoun between them ("we use a batch size of 64" is not the nearest
    name using a batch size), or at most ZH_GAP Chinese characters ("在 NLU 任务上取得更好效果的
    模型都是在 BERT 基础上": not NLU); with ``words_only``, nothing but words."""
    if CJK_RUN.search(between):
        return len("".join(CJK_RUN.findall(between))) <= ZH_GAP
    words = [w.lower() for w in re.findall(r"[A-Za-z]+", between)]
    if len(words) > gap or _PRONOUNS & set(words):
        return False
    return not words_only or _SUBJECT_GAP.match(between) is not None


_CUE_PATTERNS = (
    _CUE_BEFORE,
    _USE_BEFORE,
    _ZH_BASED,
    _ZH_USE,
    _ZH_BY,
    _ZH_TAKING,
    _ZH_ON_TOP,
    _SOLVES,
)


def _cue_start(sentence: str, start: int) -> int:
    """Where the wording before a name begins (the verb), for measuring the subject's gap."""
    before = sentence[max(0, start - 60) : start]
    for pattern in _CUE_PATTERNS:
        match = pattern.search(before)
        if match:
            return start - len(before) + match.start()
    return start
