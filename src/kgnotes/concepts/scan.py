"""The one pass over every text for every name: mentions, what each text is about, the
sentences relations quote, and the wording around names (arrows, expansions, roles, pointers
back to what a tutorial taught before)."""

from __future__ import annotations

import bisect
import itertools
import os
import re
from collections import Counter

import kgnotes.concepts.terms as terms
from kgnotes import prose
from kgnotes.cjk import CJK_RUN
from kgnotes.concepts.cues import REPLACES, cue_words, cues_in
from kgnotes.concepts.kinds import KindsList, genera_in, kinds_listed, listed_examples
from kgnotes.concepts.matcher import Matcher
from kgnotes.concepts.model import (
    SECTION,
    TOKEN,
    Concept,
    Mention,
    Scan,
    Unit,
    fold,
)
from kgnotes.concepts.naming import presented_names

_PARENTHESES = re.compile(r"\s*[(（][^)）]*[)）]")


PARALLEL_CHARS = 4_000_000  # below this much text a worker process costs more than it saves


def scan_texts(concepts: dict[str, Concept], units: list[Unit], sentences: list[list[str]]) -> Scan:
    """Find every concept name in every sentence, what each unit is about, the wording that
    says one concept builds on or uses another or what it is, the headings, and how names are
    written.

    This reads every word of every text, so a large archive is read in two halves at once,
    the second in a worker process (the machine's second core)."""
    matcher = Matcher(concepts)
    sizes = list(itertools.accumulate(len(u.text) for u in units))
    if not sizes or sizes[-1] < PARALLEL_CHARS or (os.cpu_count() or 1) < 2:
        return _scan_part(matcher, concepts, units, sentences, 0)
    half = bisect.bisect_left(sizes, sizes[-1] / 2) + 1
    first, second = _in_two(matcher, concepts, units, sentences, half)
    first.merge(second)
    return first


def _in_two(
    matcher: Matcher,
    concepts: dict[str, Concept],
    units: list[Unit],
    sentences: list[list[str]],
    half: int,
) -> tuple[Scan, Scan]:
    """Scan ``units[:half]`` here and the rest in a worker; in-process if no worker starts."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    rest = (matcher, concepts, units[half:], sentences[half:], half)
    try:
        context = multiprocessing.get_context("forkserver")
        with ProcessPoolExecutor(1, mp_context=context) as pool:
            future = pool.submit(_scan_part, *rest)
            first = _scan_part(matcher, concepts, units[:half], sentences[:half], 0)
            return first, future.result()
    except (OSError, BrokenProcessPool):  # no process to spare: read it all here
        first = _scan_part(matcher, concepts, units[:half], sentences[:half], 0)
        return first, _scan_part(*rest)


def _scan_part(
    matcher: Matcher,
    concepts: dict[str, Concept],
    units: list[Unit],
    sentences: list[list[str]],
    offset: int,
) -> Scan:
    """``scan_texts`` of some units, numbered from ``offset``."""
    scan = Scan()
    for local, unit in enumerate(units):
        index = local + offset
        about, defines, filed = _about(unit, concepts, matcher)
        speaker = tuple(sorted(defines)) if unit.paper else ()
        subjects = _subjects(unit, about, defines | filed, matcher)
        own_number = _section_number(unit.title or "") if subjects else None
        modelled = _modelled(unit, subjects, filed)
        scan.genera += [(g, k, index, 0) for g, k in _titled_genus(unit, matcher)]
        for key in sorted(about | defines):
            scan.mentions[key][index] = Mention(0, key in about, [], key in defines, key in filed)
        kinds_of: KindsList | None = None  # a list of the kinds of a concept, being read
        for number, sentence in enumerate(sentences[local]):
            spans = matcher.spans(sentence)
            kinds_of, listed_kind = kinds_listed(kinds_of, sentence, spans)
            if listed_kind:
                scan.genera.append((*listed_kind, index, number))
            for key, start, end in spans:
                mention = scan.mentions[key].get(index)
                if mention is None:
                    mention = scan.mentions[key][index] = Mention(0, False, [])
                mention.count += 1
                if not mention.sentences or mention.sentences[-1] != number:
                    mention.sentences.append(number)
                scan.surface[key][sentence[start:end]] += 1
            if sentence.startswith("#"):
                level = len(sentence) - len(sentence.lstrip("#"))
                keys = (
                    ()
                    if terms.generic_heading(sentence)
                    else tuple(dict.fromkeys(k for k, _, _ in spans))
                )
                scan.headings.setdefault(index, []).append((number, level, keys))
                continue
            if number or unit.owner_type == "entry":  # a source's first line is its title
                _count_case(sentence, spans, scan.capitalised)
            if unit.owner_type == "entry" and len(spans) > 1 and _ARROW.search(sentence):
                scan.paths += [(a, b, index, number) for a, b in _arrowed(sentence, spans)]
            if subjects and spans:
                for k in _recalled(sentence, spans, subjects, own_number):
                    scan.recalls += [(k, s, index, number) for s in sorted(subjects)]
                for k in _in_role(sentence, spans, subjects):
                    scan.uses += [(k, s, index, number) for s in sorted(modelled)]
            scan.expansions += [(k, long, index, number) for k, long in _expanded(sentence, spans)]
            if len(spans) > 1 or (speaker and spans):
                said = prose.plain(sentence)
                scan.genera += [(g, s, index, number) for g, s in genera_in(said, spans, matcher)]
                scan.genera += [(g, s, index, number) for g, s in listed_examples(said, spans)]
                if cue_words(said) or (speaker and REPLACES.match(said)):
                    for kind, a, b in cues_in(said, spans, speaker):
                        (scan.cues if kind == "wording" else scan.uses).append(
                            (a, b, index, number)
                        )
    scan.mentions = dict(scan.mentions)
    scan.surface = dict(scan.surface)
    return scan


_ARROW = re.compile(r"\s*(?:-+>|=+>|→|⟶|⇒|➡|➔)\s*")


_CLAUSE = re.compile(r"[,，;；。:：!?！？()（）]|\s-\s")


def _arrowed(sentence: str, spans: list[tuple[str, int, int]]) -> list[tuple[str, str]]:
    """(step, next step) of the arrows an author writes to sum up what they learnt in order:
    "CNN -> ResNet，RNN -> LSTM -> seq2seq -> attention -> Transformer". A step is what stands
    between two arrows within a clause, and counts where it names one concept: "BERT / GPT ->
    ViT" says ViT came after the two, not that it builds on both."""
    cuts = sorted(
        [(m.start(), m.end(), True) for m in _ARROW.finditer(sentence)]
        + [(m.start(), m.end(), False) for m in _CLAUSE.finditer(sentence)]
    )
    steps: list[tuple[set[str], bool]] = []  # a step's concepts, and whether an arrow ends it
    start = 0
    for begin, end, arrow in [*cuts, (len(sentence), len(sentence), False)]:
        steps.append(({k for k, a, b in spans if a >= start and b <= begin}, arrow))
        start = end
    found = []
    for (before, arrow), (after, _) in itertools.pairwise(steps):
        if arrow and len(before) == 1 and len(after) == 1 and before != after:
            found.append((next(iter(before)), next(iter(after))))
    return found


_RECALL = re.compile(  # a tutorial pointing back at what it taught before this page
    r"\b(?:previous|preceding|earlier|last)\s+(?:sections?|chapters?|lessons?|units?|parts?"
    r"|posts?|articles?|tutorials?|notebooks?)\b|\brecall\s+(?:that|from|how)\b|^Recall\b"
    r"|\balready\s+(?:seen|saw|met|covered|discussed|described|introduced|learned|learnt)\b"
    r"|\b(?:seen|saw|covered|discussed|described|introduced|learned|learnt)\s+(?:\w+\s+)?"
    r"(?:before|previously|earlier)\b"
    r"|上一(?:节|章|课|篇|讲|部分)|前面(?:介绍|提到|讨论|讲|学)|之前(?:介绍|描述|讨论|提到|讲|学)"
    r"|已经(?:介绍|描述|讨论|实现|学习|学过|讲)|在此之前|前几(?:节|章|课)"
)


MAX_RECALLED = 3  # a sentence recalling more is a list of what came before, not a pointer


_SECTION_REF = re.compile(
    r"\b(?:Sections?|Sec\.|Chapters?|Chap\.|§)\s*(\d+(?:\.\d+)*)|(\d+(?:\.\d+)+)\s*节"
    r"|第\s*(\d+)\s*章"
)


def _section_number(title: str) -> tuple[int, ...] | None:
    """A textbook page's own number, from its title ("11.4. The Bahdanau Attention …")."""
    match = SECTION.match(title.strip() + " ")
    number = tuple(int(x) for x in match.group(1).split(".")) if match else ()
    return number if len(number) > 1 else None


def _titled_genus(unit: Unit, matcher: Matcher) -> list[tuple[str, str]]:
    """(genus, concept) from a page titled "Genus (Name)": "Word Embedding (word2vec)" —
    where the name in brackets is another concept, not the first's short name."""
    if unit.owner_type != "document" or not unit.title:
        return []
    match = _GENUS_TITLE.match(terms.strip_numbering(unit.title))
    if not match:
        return []
    outer, inner = matcher.spans(match.group(1)), matcher.spans(match.group(2))
    if len(outer) != 1 or len(inner) != 1 or outer[0][0] == inner[0][0]:
        return []
    if outer[0][2] - outer[0][1] < len(match.group(1).strip()) - 1:
        return []  # the name is only part of what is outside the brackets
    return [(outer[0][0], inner[0][0])]


_GENUS_TITLE = re.compile(r"^\s*([^()（）]+?)\s*[(（]\s*([^()（）]+?)\s*[)）]\s*$")


def _subjects(unit: Unit, about: set[str], given: set[str], matcher: Matcher) -> set[str]:
    """What a tutorial page is on, for what it recalls: what its title names, what it
    defines and the author's topic lines over it; failing those, what else it is about (the
    short name its opening defines). Not a list of many."""
    if unit.owner_type != "document" or unit.paper:
        return set()
    found = given | {key for key, _, _ in matcher.spans(unit.title or "")} or about
    return found if len(found) <= MAX_SUBJECTS else set()


MAX_SUBJECTS = 3


def _recalled(
    sentence: str,
    spans: list[tuple[str, int, int]],
    subjects: set[str],
    own: tuple[int, ...] | None,
) -> list[str]:
    """The concepts a sentence of a page recalls from before it: those named in the clause
    that says in words that it points back ("as we saw in the previous chapter", 上一节), or
    in the clause after it when that one names none; where it
    cites an earlier section of a numbered textbook, the name just before the citation in
    its clause ("the pooling layer introduced in Section 7.5") or else just after it
    ("受 7.6节中残差网络的启发"). Never the page's subject, or a refinement of it named after
    it (fast R-CNN on the R-CNN page)."""
    cue = _RECALL.search(sentence)
    if cue:
        found = _in_clause(sentence, spans, cue.start())
    elif own is not None:
        found = []
        for match in _SECTION_REF.finditer(sentence):
            cited = tuple(int(x) for x in next(g for g in match.groups() if g).split("."))
            if cited < own and own[: len(cited)] != cited:
                found += _near(sentence, spans, match.start(), match.end())
    else:
        return []
    found = [k for k in dict.fromkeys(found) if not _refines(k, subjects)]
    return found if len(found) <= MAX_RECALLED else []


_LONG_AFTER = re.compile(  # CLIP (Contrastive …), CLIP, for Contrastive …, CLIP: Contrastive …
    r"^[*_]*\s*(?:[(（]\s*|,\s*(?:short\s+)?for\s+|:\s*)[*_]*([A-Za-z][\w\s\-–’']{4,80}?)"
    r"[*_]*\s*(?:[)）]|[,.;:]|$)"  # bold or italic around either: "**CLIP**, for **…**"
)


_SPELLS_OUT = re.compile(r"[(（:]|,\s*(?:short\s+)?for\s")


_TWO_CAPITALS = re.compile(r"[A-Z][^A-Z]*[A-Z]")


def _expanded(sentence: str, spans: list[tuple[str, int, int]]) -> list[tuple[str, str]]:
    """(short name, its long form) where a sentence spells a short name out: "CLIP
    (Contrastive Language-Image Pre-training)", "Bidirectional Encoder Representations from
    Transformers (BERT)", "CLIP, for Contrastive …" — checked as ``terms.acronym_definitions``
    checks a long form before its bracket (``terms.covers``)."""
    found: list[tuple[str, str]] = []
    if not _SPELLS_OUT.search(sentence):
        return found  # no bracket, colon or ", for": nothing spelled out
    for key, start, end in spans:
        short = sentence[start:end]
        near = sentence[end : end + 3]
        if not ("(" in near or "（" in near or "," in near or ":" in near or ")" in near):
            continue  # neither spelled out after it nor closing a bracket after its long form
        if not _TWO_CAPITALS.search(short):
            continue
        after = _LONG_AFTER.match(sentence[end:])
        words = terms.long_words(after.group(1)) if after else []
        if len(words) > 1 and terms.covers([c.lower() for c in short if c.isalnum()], words):
            found.append((key, " ".join(words)))
        window = sentence[max(0, start - 90) : start].rstrip()
        if window.endswith(("(", "（")) and re.match(r"\s*[)）]", sentence[end:]):
            long = terms.long_form(short, window[:-1])
            if long and " " in long:
                found.append((key, long))
    return found


_ROLE_USE = re.compile(  # "we will use a ResNet50 as our image encoder"
    r"\b(?:we|I)(?:'ll|\s+will|\s+can|\s+now)?\s+(?:use|used|choose|chose|pick|take)\s+"
    r"(?:a\s+|an\s+|the\s+|pre-?trained\s+)*$"
    r"|(?:我们|这里|此处)(?:将|会)?(?:使用|采用|选用|选择)(?:了|的是)?\s*$",
    re.IGNORECASE,
)


_ROLE_AS = re.compile(r"^\s*(?:model\s+)?(?:as|for)\s+(?:our|the|its|an?)\s+\w|^\s*(?:模型)?作为")


def _modelled(unit: Unit, subjects: set[str], filed: set[str]) -> set[str]:
    """The one thing a tutorial builds, for what it says it builds it from: its subject, or
    of several, the one its title names, and the author's topic line too ("OpenAI-CLIP"
    filed under "CLIP / contrastive learning" builds CLIP)."""
    if len(subjects) <= 1:
        return subjects
    title = {fold(word) for word in TOKEN.findall(unit.title or "")}
    titled = {key for key in subjects if title.issuperset(key.split())}
    return next((group for group in (titled & filed, titled) if len(group) == 1), set())


def _in_role(sentence: str, spans: list[tuple[str, int, int]], subjects: set[str]) -> list[str]:
    """What a tutorial on a model says it builds the model from, in the first person: "Here
    we will use a ResNet50 as our image encoder" on the CLIP page, "我们使用 BERT 作为文本编码器".
    A part in a role ("as our …"), never a setting ("we use a batch size of 64")."""
    found: list[str] = []
    if " as " not in sentence and " for " not in sentence and "作为" not in sentence:
        return found  # no role named
    for key, start, end in spans:
        if key in subjects or not _ROLE_USE.search(sentence[max(0, start - 40) : start]):
            continue
        if _ROLE_AS.match(sentence[end:]):
            found.append(key)
    return found


def _in_clause(sentence: str, spans: list[tuple[str, int, int]], at: int) -> list[str]:
    """The names in the clause of the wording at ``at`` ("In the previous post, we looked
    at Attention"), or, if it names none, in the next clause ("As we saw in the previous
    chapter, Neural Networks receive …")."""
    cuts = [0, *(m.end() for m in _CLAUSE_MARK.finditer(sentence)), len(sentence)]
    clauses = [(a, b) for a, b in itertools.pairwise(cuts) if b > a]
    for number, (low, high) in enumerate(clauses):
        if low <= at < high:
            for near_low, near_high in clauses[number : number + 2]:
                names = [k for k, start, _ in spans if near_low <= start < near_high]
                if names:
                    return names
            return []
    return []


_CLAUSE_MARK = re.compile(r"[,;:，；：。!?！？]")


def _near(sentence: str, spans: list[tuple[str, int, int]], start: int, end: int) -> list[str]:
    before = [
        sp for sp in spans if sp[2] <= start and not _CITE_GAP.search(sentence[sp[2] : start])
    ]
    if before:
        return [before[-1][0]]
    after = [sp for sp in spans if sp[1] >= end and not _CITE_GAP.search(sentence[end : sp[1]])]
    return [after[0][0]] if after else []


_CITE_GAP = re.compile(r"[,;:，；：。]|.{41}", re.DOTALL)  # a clause's end, or too far


def _refines(key: str, subjects: set[str]) -> bool:
    return any(
        key == s or key.endswith(" " + s) or (CJK_RUN.fullmatch(s) and key.endswith(s))
        for s in subjects
    )


def _count_case(sentence: str, spans: list[tuple[str, int, int]], out: Counter[str]) -> None:
    """Count the mid-sentence mentions of each name and those written with a capital: the
    way writers mark a proper name (the Transformer, Bash) apart from a word (epoch, team)."""
    for key, start, _ in spans:
        before = sentence[:start].rstrip()
        if before and before[-1] not in ".!?:;。！？：；*#|-•>`":
            out[key] += 1
            if sentence[start].isupper():
                out[key + "!"] += 1


def _about(
    unit: Unit, concepts: dict[str, Concept], matcher: Matcher
) -> tuple[set[str], set[str], set[str]]:
    """What a unit is about — the concepts its title or its topic lines name (or, filed under
    none, the author's words around its link), and the short name a source defines in its
    opening ("… Vision Transformer (ViT) …") — and what it defines: the names a paper
    presents, an encyclopedia article's title, the name a page's title gives before its
    description ("SimCLR - A Simple Framework for …"); and what its topic lines name."""
    filed = {key for topic in unit.topics for key, _, _ in matcher.spans(topic)}
    about = set(filed)
    if not about:  # filed under no topic line that names something: the author's words say
        about = {key for line in unit.context for key, _, _ in matcher.spans(line)}
    about |= {key for key, _, _ in matcher.spans(unit.title or "")}
    defines: set[str] = set()
    if unit.owner_type != "document":
        return about, defines, filed
    opening = unit.text[: 1500 if unit.paper else 400]
    shorts = [m.group(1) for m in terms.ACRONYM.finditer(opening)]
    named = [key for short in shorts for key, _, _ in matcher.spans(short)]
    if named:  # the first short name it defines, near its start
        about.add(named[0])
    split = re.split(r"\s+[-–—|]\s+|:\s+", unit.title or "", maxsplit=1)
    if len(split) == 2 and len(split[1].split()) >= 3:  # "SimCLR - A Simple Framework for …"
        defines = {key for key, _, _ in matcher.spans(split[0])}
    elif not unit.paper:  # "Vision Transformer (ViT)", "Masked Language Model": a name
        named_by_title = {key for key, _, _ in matcher.spans(unit.title or "")}
        title = _PARENTHESES.sub("", unit.title or "")
        if len(named_by_title) == 1 and len(title.split()) <= 4:
            defines = named_by_title
    if unit.paper:
        defines |= {
            key
            for name in presented_names(unit, unit.text[:1500])
            for key, _, _ in matcher.spans(name)
        }
        if not defines:  # no name of its own: the short name its abstract defines first
            defines = set(named[:1])
    elif unit.wikipedia and unit.title:
        defines |= {key for key, _, _ in matcher.spans(unit.title)}
    return about | defines, defines, filed
