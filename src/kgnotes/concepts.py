"""Concepts: what the journal and its sources talk about, under one name per idea.

Candidates come from five places, each a way people name an idea: the author's topic lines
(``Word2Vec``, ``bert gpt`` → BERT, GPT), Wikipedia article titles, short names that texts
define for themselves ("Vision Transformer (ViT)"), words consistently capitalised mid-sentence
(the Transformer), and technical phrases frequent across sources. Variants fold to one key
(case, hyphens, plurals), acronyms join their expansions, and the user's ``[concepts]``
settings win over all of it. Then every text is scanned once for every name, which gives the
mentions, the sentences the relations quote as evidence, and what each source is *about*.

Pure: plain data in, plain data out; no SQL, no network, no model.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import math
import os
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from kgnotes.cjk import CJK_RUN

CONCEPTS_VERSION = 2  # bump when extraction changes, so stored graphs are rebuilt

_TOKEN = re.compile(r"[A-Za-z0-9]+(?:['’][a-z]+)?|[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(\[])|(?<=[。！？；])|\n+")
_ACRONYM = re.compile(r"\(\s*([A-Za-z][A-Za-z0-9\-]{1,9})\s*\)")
_TOPIC_SPLIT = re.compile(r"\s*(?:[,，、/&+;；|]|\band\b|\bvs\.?\b|\bversus\b|和|与|跟)\s*")
_PARENTHETICAL = re.compile(r"\s*[(（][^)）]*[)）]\s*")
_COMMON_WORDS = """a an the and or of to in on at by for from with without into onto over
    under as is are
    was were be been being it its this that these those which who whom whose what when where why
    how than then there here so such not no nor but if else also only just very more most less
    least much many few each every all any some both either neither one two three first second
    new old same other another our their his her your my we they he she you i me us them can
    could may might must shall should will would do does did done has have had having use used
    using uses make makes made get gets got like via per about above below between among across
    after before during while until since within out up down off again further once s t don
    way ways thing things lot lots part parts kind kinds example examples case cases number
    figure table section chapter page paper papers article post blog today day week time times
    well good better best great simple simply easy hard different similar large small big
    long short high low real really still even though although however therefore thus
    hence later earlier billion million thousand hundred note notes summary todo question
    questions misc reading intro introduction overview"""
_STOPWORDS = frozenset(_COMMON_WORDS.split())
_NOT_NAME_WORDS = """january february march april may june july august september october
    november december
    monday tuesday wednesday thursday friday saturday sunday i we the a an in on at this that
    these it its however for from with and or but if when while figure table section english
    chinese french german japanese spanish abstract references acknowledgements appendix"""
_NOT_NAMES = frozenset(_NOT_NAME_WORDS.split())
_CJK_QUESTIONS = ("为什么", "怎么", "如何", "什么", "是否")
_GENERIC_HEAD_WORDS = "model method algorithm architecture mechanism loss function design layer"
_PREFIXES = frozenset(
    ["self", "multi", "pre", "non", "co", "cross", "semi", "sub", "inter", "intra"]
)
_GENERIC_HEADS = frozenset(_GENERIC_HEAD_WORDS.split())
_UNCLEAN_SPELLING = re.compile(r"[^\w\s\-–'’]")  # "Attention (machine learning" is no name
# Names and phrases are mined from each source's opening (mentions are counted everywhere)
MINING_WORDS = 2_000
MINING_TOTAL = 1_000_000
_PHRASE_BREAK = re.compile(r"[,;:()\[\]\"“”/]")


def singular(word: str) -> str:
    """A plural's singular, by spelling alone: good enough to fold *transformers* and
    *transformer*, and applied to both sides of every comparison, so a wrong guess still folds
    the same way everywhere."""
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is", "as", "os")):
        return word[:-1]
    return word


@functools.lru_cache(maxsize=200_000)
def fold(token: str) -> str:
    """One word as names are compared: lower case, singular. Cached: a corpus repeats its
    words, and this runs for every word of every text."""
    return singular(token.lower())


def key_of(name: str) -> str:
    """The folded form that identifies a concept: ``Self-Attention`` and ``self attentions``
    both give ``self attention``."""
    return " ".join(fold(t) for t in _TOKEN.findall(name))


Cue = tuple[str, str, int, int]  # (prerequisite key, concept key, unit, sentence number)
PARALLEL_CHARS = 4_000_000  # below this much text a worker process costs more than it saves


@dataclass(frozen=True)
class Unit:
    """A text that mentions concepts: one journal entry, or one archived source."""

    owner_type: str  # "entry" or "document"
    owner_id: int
    text: str
    label: str  # how evidence names it: the source's URL, or "journal 2024-07-27"
    title: str | None = None
    day: str | None = None  # the entry's day, or the journal day the source was filed on
    published: str | None = None  # a paper's date
    topics: tuple[str, ...] = ()  # topic lines: the entry's own, or those it was filed under
    wikipedia: bool = False


@dataclass
class Concept:
    key: str
    name: str
    aliases: list[str]
    description: str | None = None
    origins: set[str] = field(default_factory=set)  # topic, title, acronym, name, phrase, user


@dataclass
class Mention:
    """How often a concept appears in one unit, and whether the unit is about it."""

    count: int
    about: bool
    sentences: list[int]  # indexes into the unit's sentences


ScanResult = tuple[dict[str, dict[int, "Mention"]], dict[str, Counter[str]], list[Cue]]


@dataclass
class ConceptIndex:
    """Everything the graph is built from."""

    concepts: dict[str, Concept]  # by key
    units: list[Unit]
    sentences: list[list[str]]  # per unit
    mentions: dict[str, dict[int, Mention]]  # concept key → unit index → mention
    cues: list[Cue]  # (prerequisite, concept, unit, sentence) from wording


@dataclass(frozen=True)
class Settings:
    """The user's say, from ``[concepts]`` in config.toml: it wins over extraction."""

    ignore: frozenset[str] = frozenset()  # keys
    aliases: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (name, aliases), merged as one
    max_phrases: int = 40

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Settings:
        section = config.get("concepts", {})
        groups = [(str(k), tuple(map(str, v))) for k, v in section.get("aliases", {}).items()]
        groups += [(str(g[0]), tuple(map(str, g[1:]))) for g in section.get("merge", []) if g]
        return cls(
            ignore=frozenset(key_of(str(n)) for n in section.get("ignore", [])),
            aliases=tuple(groups),
            max_phrases=int(section.get("max_phrases", 40)),
        )


def find_concepts(units: list[Unit], settings: Settings | None = None) -> ConceptIndex:
    """Concepts named across ``units``, with where each is mentioned and what is about it."""
    settings = settings or Settings()
    sentences = [split_sentences(u.text) for u in units]
    acronyms = _acronym_definitions(units)
    known_acronyms = {short.lower() for short, _ in acronyms} | _uppercase_words(units)
    candidates: list[tuple[str, str]] = []  # (surface form, origin)
    for unit in units:
        for topic in unit.topics:
            candidates += [(name, "topic") for name in topic_names(topic, known_acronyms)]
        if unit.wikipedia and unit.title:
            candidates += [(name, "title") for name in _wikipedia_names(unit.title)]
    for short, long in acronyms:
        candidates += [(short, "acronym"), (long, "acronym")]
    openings = _openings(units, sentences)
    candidates += [(name, "name") for name in _proper_names(openings)]
    candidates += [(p, "phrase") for p in _frequent_phrases(openings, settings.max_phrases)]
    concepts = _fold(candidates, acronyms, units, settings)
    mentions, surface, cues = _scan(concepts, units, sentences)
    concepts = {k: c for k, c in concepts.items() if k in mentions}
    for key, concept in concepts.items():
        _choose_name(concept, surface.get(key, Counter()), settings)
        concept.description = _description(concept, mentions[key], units, sentences)
    return ConceptIndex(concepts, units, sentences, mentions, cues)


def split_sentences(text: str) -> list[str]:
    """Sentences and lines, for evidence and for what co-occurs closely."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


def topic_names(topic: str, acronyms: Iterable[str] = ()) -> list[str]:
    """The concepts a topic line names: ``bert gpt`` is two (both short names), ``encoder
    decoder`` one, ``GloVe 词向量`` two (an English name beside a Chinese one is as often a
    gloss, "GloVe word vectors", as a translation). Annotations in brackets are not names; a
    line ending in a colon introduces notes and names nothing."""
    line = topic.strip()
    if line.endswith((":", "：")):
        return []
    known = set(acronyms)
    names = []
    line = _PARENTHETICAL.sub(" ", line).strip(" -—#*")
    for part in filter(None, (p.strip() for p in _TOPIC_SPLIT.split(line))):
        words = part.split()
        if 2 <= len(words) <= 3 and all(
            w.lower() in known or (len(w) <= 4 and w.isalpha() and w.isascii()) for w in words
        ):
            names += words
            continue
        latin = " ".join(CJK_RUN.sub(" ", part).split())
        cjk = "".join(CJK_RUN.findall(part))
        if latin and cjk and len(cjk) >= 2 and re.search(r"[A-Za-z]{2}", latin):
            names += [latin, cjk]
        else:
            names.append(part)
    return [n for n in names if _plausible_name(n)]


def _plausible_name(name: str) -> bool:
    """Not a sentence, a question, or a word that names nothing (``Note``, ``Why …``)."""
    tokens = _TOKEN.findall(name)
    if not tokens or len(tokens) > 6 or len(name) > 60 or name.endswith(("?", "？")):
        return False
    if tokens[0].lower() in _STOPWORDS or all(t.isdigit() for t in tokens):
        return False
    cjk = "".join(CJK_RUN.findall(name))
    return not (cjk and (len(cjk) > 8 or "的" in cjk or cjk.startswith(_CJK_QUESTIONS)))


def _wikipedia_names(title: str) -> list[str]:
    """``Attention (machine learning) - Wikipedia`` names *Attention*; the full title stays
    an alias."""
    title = re.sub(r"\s+[-–—|]\s+Wikipedia.*$", "", title).strip()
    short = _PARENTHETICAL.sub(" ", title).strip()
    return [n for n in dict.fromkeys([short, title]) if n]


def _acronym_definitions(units: list[Unit]) -> list[tuple[str, str]]:
    """(short, long) pairs from "long form (SHORT)", in the manner of Schwartz & Hearst (2003):
    every letter of the short form must appear in order in the words before the bracket, the
    first one starting a word."""
    found: dict[tuple[str, str], None] = {}
    for unit in units:
        for match in _ACRONYM.finditer(unit.text):
            short = match.group(1)
            if sum(c.isupper() for c in short) < 2 or short.isdigit():
                continue
            before = unit.text[max(0, match.start() - 120) : match.start()]
            long = _long_form(short, before)
            if long:
                found[(short, long)] = None
    return list(found)


def _long_form(short: str, before: str) -> str | None:
    words = re.findall(r"[A-Za-z0-9]+(?:[-–][A-Za-z0-9]+)*", before.split("\n")[-1])
    letters = [c.lower() for c in short if c.isalnum()]
    limit = min(len(letters) + 5, len(letters) * 2)
    for count in range(1, min(limit, len(words)) + 1):
        candidate = words[-count:]
        if _covers(letters, candidate):
            if candidate[0].lower() in _STOPWORDS:
                return None
            return " ".join(candidate)
    return None


def _covers(letters: list[str], words: list[str]) -> bool:
    """Do the short form's letters appear in order in ``words``, the first letter starting the
    first word, and every word's first letter among them (no idle words)?"""
    text = " ".join(words).lower()
    if not text or text[0] != letters[0]:
        return False
    position = 0
    for letter in letters:
        position = text.find(letter, position)
        if position < 0:
            return False
        position += 1
    starts = [w[0].lower() for w in words]
    return all(s in letters for s in starts) and len(words) <= len(letters)


def _uppercase_words(units: list[Unit]) -> set[str]:
    """Lower-cased words written in capitals somewhere (BERT, GPT): short names, so a topic
    line ``bert gpt`` names two things."""
    words: set[str] = set()
    for unit in units:
        words.update(w.lower() for w in re.findall(r"\b[A-Z][A-Z0-9]{1,7}s?\b", unit.text))
    return words


def _title_case(sentence: str) -> bool:
    """Titles and author lists ("Attention Is All You Need", "Ashish Vaswani, Noam Shazeer")
    capitalise nearly every word, which says nothing about any one of them."""
    words = [w for w in re.findall(r"[A-Za-z]+", sentence) if len(w) > 3]
    return len(words) >= 2 and sum(w[0].isupper() for w in words) >= 0.6 * len(words)


def _prose(sentences: list[str]) -> Iterator[str]:
    """The sentences of a source that are prose: not its title line, nor title-cased."""
    for number, sentence in enumerate(sentences):
        if number > 0 and not _title_case(sentence):
            yield sentence


def _proper_names(openings: dict[int, list[str]]) -> list[str]:
    """Words written with a capital in mid-sentence nearly every time they appear, in several
    texts: the way writers mark a named thing (the Transformer, ImageNet, BERT)."""
    upper: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    spread: dict[str, set[int]] = defaultdict(set)
    form: dict[str, Counter[str]] = defaultdict(Counter)
    for index, opening in openings.items():
        for sentence in opening:
            for position, token in enumerate(_TOKEN.findall(sentence)):
                lower = token.lower()
                if len(token) < 3 or lower in _STOPWORDS or not token.isascii():
                    continue
                seen[lower] += 1
                if position > 0 and token[0].isupper():
                    upper[lower] += 1
                    form[lower][token] += 1
                    spread[lower].add(index)
    return [
        form[w].most_common(1)[0][0]
        for w, n in upper.items()
        if n >= 3 and len(spread[w]) >= 3 and n >= 0.8 * seen[w] and w not in _NOT_NAMES
    ]


def _frequent_phrases(openings: dict[int, list[str]], limit: int) -> list[str]:
    """Two- and three-word phrases that recur across sources, scored like tf-idf: frequent
    where they appear, in a few sources rather than everywhere."""
    count: Counter[tuple[str, ...]] = Counter()
    spread: dict[tuple[str, ...], set[int]] = defaultdict(set)
    form: dict[tuple[str, ...], Counter[str]] = defaultdict(Counter)
    for index, opening in openings.items():
        clauses = (c for s in opening for c in _PHRASE_BREAK.split(s))
        for run in (r for c in clauses for r in _word_runs(c)):
            folded = [fold(w) for w in run]
            for n in (2, 3):
                for start in range(len(run) - n + 1):
                    last = run[start + n - 1].lower()
                    if last in _PREFIXES or last.endswith(("ing", "ed")):
                        continue  # "multi-head self", "… trained": the start of something
                    gram = tuple(folded[start : start + n])
                    count[gram] += 1
                    spread[gram].add(index)
                    form[gram][" ".join(run[start : start + n])] += 1
    total = max(1, len(openings))
    scored = [
        (n * math.log(1 + total / len(spread[g])), g)
        for g, n in count.items()
        if n >= 3 and len(spread[g]) >= 2 and len(spread[g]) <= max(2, total // 2)
    ]
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [form[g].most_common(1)[0][0] for _, g in scored[:limit]]


def _word_runs(clause: str) -> Iterator[list[str]]:
    """Stretches of words that may be part of a phrase (no stopwords, numbers, adverbs)."""
    run: list[str] = []
    for word in _TOKEN.findall(clause):
        if _phrase_word(word):
            run.append(word)
        else:
            if len(run) > 1:
                yield run
            run = []
    if len(run) > 1:
        yield run


@functools.lru_cache(maxsize=200_000)
def _phrase_word(word: str) -> bool:
    lower = word.lower()
    return not (
        len(word) < 3
        or not word.isascii()
        or lower in _STOPWORDS
        or word.isdigit()
        or lower.endswith("ly")
    )


def _openings(units: list[Unit], sentences: list[list[str]]) -> dict[int, list[str]]:
    """The prose opening of each source (by unit index): its first 2,000 words, or fewer when
    there are many sources, so about a million words in all. Enough to see which names and
    phrases the sources use, and it bounds the mining of a large archive."""
    documents = [i for i, u in enumerate(units) if u.owner_type == "document"]
    budget = max(200, min(MINING_WORDS, MINING_TOTAL // max(1, len(documents))))
    openings = {}
    for index in documents:
        kept, used = [], 0
        for sentence in _prose(sentences[index]):
            if used >= budget:
                break
            kept.append(sentence)
            used += sentence.count(" ") + 1
        openings[index] = kept
    return openings


class _Groups:
    """Union-find over concept keys."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, key: str) -> str:
        root = self.parent.setdefault(key, key)
        while root != self.parent[root]:
            root = self.parent[root]
        self.parent[key] = root
        return root

    def join(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _fold(
    candidates: list[tuple[str, str]],
    acronyms: list[tuple[str, str]],
    units: list[Unit],
    settings: Settings,
) -> dict[str, Concept]:
    """One concept per group of names that mean the same: folded spellings, an acronym and its
    expansion, a Wikipedia title and its short form, and whatever the user joined."""
    groups = _Groups()
    names: dict[str, dict[str, None]] = defaultdict(dict)  # key → surface forms
    origins: dict[str, set[str]] = defaultdict(set)
    for name, origin in candidates:
        key = key_of(name)
        if key and key not in settings.ignore:
            groups.find(key)
            names[key][name.strip()] = None
            origins[key].add(origin)
    for short, long in acronyms:
        if key_of(short) in names and key_of(long) in names:
            groups.join(key_of(short), key_of(long))
    for key in list(names):  # "encoder decoder model" is the encoder–decoder
        words = key.split()
        if len(words) > 1 and words[-1] in _GENERIC_HEADS and " ".join(words[:-1]) in names:
            groups.join(key, " ".join(words[:-1]))
    for unit in units:
        if unit.wikipedia and unit.title:
            keys = [key_of(n) for n in _wikipedia_names(unit.title) if key_of(n) in names]
            for other in keys[1:]:
                groups.join(keys[0], other)
    user_names: dict[str, str] = {}
    for name, aliases in settings.aliases:
        key = key_of(name)
        names[key][name] = None
        origins[key].add("user")
        for alias in aliases:
            names[key_of(alias)][alias] = None
            groups.join(key, key_of(alias))
        user_names[key] = name
    concepts: dict[str, Concept] = {}
    for key in sorted(names):
        root = groups.find(key)
        if root in settings.ignore or key in settings.ignore:
            continue
        concept = concepts.setdefault(root, Concept(root, "", []))
        concept.aliases += [n for n in names[key] if n not in concept.aliases]
        concept.origins |= origins[key]
        if key in user_names:
            concept.name = user_names[key]
    return concepts


class Matcher:
    """Finds every concept name in a text, longest name first, by folded words (so plurals,
    case and hyphens match), and Chinese names inside runs of Chinese characters."""

    def __init__(self, concepts: dict[str, Concept]):
        self.by_first: dict[str, list[tuple[tuple[str, ...], str]]] = defaultdict(list)
        self.cjk: list[tuple[str, str]] = []
        for key, concept in concepts.items():
            for alias in [key, concept.name, *concept.aliases]:
                folded = tuple(key_of(alias).split())
                if not folded:
                    continue
                if len(folded) == 1 and CJK_RUN.fullmatch(folded[0]):
                    self.cjk.append((folded[0], key))
                elif (folded, key) not in self.by_first[folded[0]]:
                    self.by_first[folded[0]].append((folded, key))
        for options in self.by_first.values():
            options.sort(key=lambda item: -len(item[0]))
        self.cjk = sorted(set(self.cjk))

    def spans(self, text: str) -> list[tuple[str, int, int]]:
        """(concept key, start, end) of each name, in order, leftmost-longest."""
        folded = list(map(fold, _TOKEN.findall(text)))
        starts = [i for i, word in enumerate(folded) if word in self.by_first]
        found = []
        if starts:  # offsets only for texts that name something
            matches = list(_TOKEN.finditer(text))
            taken = 0
            for position in starts:
                if position < taken:
                    continue  # inside a longer name already found
                for words, key in self.by_first[folded[position]]:
                    end = position + len(words)
                    if tuple(folded[position:end]) == words:
                        found.append((key, matches[position].start(), matches[end - 1].end()))
                        taken = end
                        break
        for name, key in self.cjk:
            if name in text:
                start = text.find(name)
                while start >= 0:
                    found.append((key, start, start + len(name)))
                    start = text.find(name, start + len(name))
        return sorted(found, key=lambda item: item[1])


def _scan(
    concepts: dict[str, Concept], units: list[Unit], sentences: list[list[str]]
) -> tuple[dict[str, dict[int, Mention]], dict[str, Counter[str]], list[Cue]]:
    """Find every concept name in every sentence, what each unit is about, and the wording
    that says one concept builds on another. Returns mentions by concept and unit, how often
    each spelling was seen, and the cues.

    This reads every word of every text, so a large archive is read in two halves at once,
    the second in a worker process (the machine's second core)."""
    matcher = Matcher(concepts)
    sizes = list(itertools.accumulate(len(u.text) for u in units))
    if not sizes or sizes[-1] < PARALLEL_CHARS or (os.cpu_count() or 1) < 2:
        return _scan_part(matcher, concepts, units, sentences, 0)
    half = bisect.bisect_left(sizes, sizes[-1] / 2) + 1
    first, second = _in_two(matcher, concepts, units, sentences, half)
    mentions, surface, cues = first
    for key, where in second[0].items():
        mentions.setdefault(key, {}).update(where)
    for key, seen in second[1].items():
        surface.setdefault(key, Counter()).update(seen)
    return mentions, surface, cues + second[2]


def _in_two(
    matcher: Matcher,
    concepts: dict[str, Concept],
    units: list[Unit],
    sentences: list[list[str]],
    half: int,
) -> tuple[ScanResult, ScanResult]:
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
) -> ScanResult:
    """``_scan`` of some units, numbered from ``offset``."""
    mentions: dict[str, dict[int, Mention]] = defaultdict(dict)
    surface: dict[str, Counter[str]] = defaultdict(Counter)
    cues: list[Cue] = []
    for local, unit in enumerate(units):
        index = local + offset
        about = sorted(_about(unit, concepts, matcher))
        for key in about:
            mentions[key][index] = Mention(0, True, [])
        for number, sentence in enumerate(sentences[local]):
            spans = matcher.spans(sentence)
            for key, start, end in spans:
                mention = mentions[key].get(index)
                if mention is None:
                    mention = mentions[key][index] = Mention(0, False, [])
                mention.count += 1
                if not mention.sentences or mention.sentences[-1] != number:
                    mention.sentences.append(number)
                surface[key][sentence[start:end]] += 1
            if spans and _CUE_WORDS.search(sentence):
                cues += [(a, b, index, number) for a, b in _cues_in(sentence, spans, about)]
    return dict(mentions), dict(surface), cues


def _about(unit: Unit, concepts: dict[str, Concept], matcher: Matcher) -> set[str]:
    """What a unit is about: the concepts its title or its topic lines name, and the short
    name a source defines in its opening ("… Vision Transformer (ViT) …")."""
    about = {key for topic in unit.topics for key, _, _ in matcher.spans(topic)}
    # a title names what a source is about, but a frequent phrase caught in a paper's title
    # ("… From Natural Language Supervision") is not its subject
    about |= {
        key
        for key, _, _ in matcher.spans(unit.title or "")
        if unit.wikipedia or concepts[key].origins != {"phrase"}
    }
    if unit.owner_type == "document":  # the first short name it defines, near its start
        for match in _ACRONYM.finditer(unit.text[:800]):
            key = key_of(match.group(1))
            if key in concepts:
                about.add(key)
                break
    return about


def _choose_name(concept: Concept, seen: Counter[str], settings: Settings) -> None:
    """The user's name if they gave one, else the spelling seen most often (ties: the
    shortest), so a concept reads the way its sources write it: ViT, CLIP, attention."""
    if concept.name:
        return
    aliases = concept.aliases
    counts = {a: seen.get(a, 0) for a in aliases}
    for spelling, n in seen.items():
        if _UNCLEAN_SPELLING.search(spelling):
            continue
        counts[spelling] = max(counts.get(spelling, 0), n)
        if spelling not in aliases:
            aliases.append(spelling)
    concept.name = min(counts, key=lambda a: (-counts[a], len(a), a))
    concept.aliases = sorted(
        {a for a in aliases if a != concept.name}, key=lambda a: (a.lower(), a)
    )


def _description(
    concept: Concept, mentions: dict[int, Mention], units: list[Unit], sentences: list[list[str]]
) -> str | None:
    """A sentence that says what the concept is: its own article's opening, else the first
    sentence of a source about it that names it, else the first that names it anywhere."""
    ranked = sorted(
        mentions.items(),
        key=lambda item: (
            not (units[item[0]].wikipedia and item[1].about),
            not item[1].about,
            units[item[0]].owner_type != "document",
            item[0],
        ),
    )
    for index, mention in ranked:
        for number in mention.sentences:
            sentence = sentences[index][number]
            if 40 <= len(sentence) <= 400 and not sentence.startswith(("http", "#")):
                return re.sub(r"\*\*|__", "", sentence)  # Markdown bold from the extractor
    return None


_CUE_BEFORE = re.compile(
    r"(?:\b(?:based|builds?|built|building|relies|rely|relying|founded|grounded|draws?)"
    r"(?:\s+\w+)?\s+(?:on|upon)|\bextends|\bextending|\bextension\s+of|\bgeneralizes"
    r"|\bgeneralises|\bvariant\s+of|\bapplies|\bapplying|\badapts|\badapting|基于|建立在)"
    r"\s*(?:the\s+|a\s+|an\s+)?(?:original\s+|standard\s+)?$",
    re.IGNORECASE,
)
_CUE_WORDS = re.compile(  # a quick test for the wording _CUE_BEFORE looks for
    r"\b(?:(?:based|builds?|built|building|relies|rely|relying|founded|grounded|draws?)"
    r"\s+(?:\w+\s+)?(?:on|upon)|extends|extending|extension\s+of|generali[sz]es|variant\s+of"
    r"|applies|applying|adapts|adapting)\b|基于|建立在|基础上",
    re.IGNORECASE,
)
_CUE_AROUND = re.compile(r"在\s*$")  # 在 X 的基础上
_CUE_AFTER = re.compile(r"^\s*(?:的|之)?基础上")


def _cues_in(
    sentence: str, spans: list[tuple[str, int, int]], about: list[str]
) -> Iterator[tuple[str, str]]:
    """(prerequisite, concept) pairs the wording of ``sentence`` states: "ViT builds on the
    Transformer", "CLIP 是在ViT的基础上…". The one building is the nearest name before the
    wording, or else what the text is about."""
    for key, start, end in spans:
        before, after = sentence[max(0, start - 60) : start], sentence[end : end + 12]
        if not (
            _CUE_BEFORE.search(before) or (_CUE_AROUND.search(before) and _CUE_AFTER.match(after))
        ):
            continue
        before_names = [k for k, s, _ in spans if k != key and s < start]
        for other in dict.fromkeys(before_names[-1:] or [k for k in about if k != key]):
            yield key, other
