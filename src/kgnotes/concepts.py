"""Concepts: what the journal and its sources talk about, under one name per idea.

Texts are first reduced to their prose (``prose.py``: no code, no math, no site boilerplate).
Candidate names come from the places writers mark terms (``terms.py``): the author's topic
lines, titles, section headings, bold type, defining sentences, short names defined in
brackets, Chinese glossed with English, and the names papers present. Identifiers, people and
generic section names are refused. Variants fold to one key (case, hyphens, plurals, model
versions: GPT-3 is GPT), acronyms and glosses join their expansions, "X mechanism" and
"X layer" fold into X, and the user's ``[concepts]`` settings win over all of it. Then every
text is scanned once for every name, which gives the mentions, what each source is *about*
(and which papers *define* a concept), the sentences relations quote, the wording that states
a relation, and each text's section headings.

Pure: plain data in, plain data out; no SQL, no network, no model.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import os
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from kgnotes import prose, terms
from kgnotes.cjk import CJK_CHARS, CJK_RUN
from kgnotes.terms import topic_names  # noqa: F401  (part of this module's interface)

CONCEPTS_VERSION = 11  # bump when extraction changes, so stored graphs are rebuilt

_TOKEN = re.compile(f"[A-Za-z0-9]+(?:['’][a-z]+)?|[{CJK_CHARS}]+")
_DOTTED_BEFORE = re.compile(r"[A-Za-z_]\w*\.$")  # a module path ending where a name starts
_DOTTED_AFTER = re.compile(r"\.[A-Za-z_]")  # an attribute after the name


def _dotted(text: str, start: int, end: int) -> bool:
    """Is ``text[start:end]`` part of a dotted identifier (``nn.RNN``, ``LSTM.forward``)?"""
    if text[start - 1 : start] != "." and text[end : end + 1] != ".":
        return False  # the common case, decided without a pattern
    return bool(_DOTTED_BEFORE.search(text[max(0, start - 40) : start])) or bool(
        _DOTTED_AFTER.match(text, end)
    )


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(\[])|(?<=[。！？；])|\n+")
_CAPITALS = re.compile(r"\b[A-Z][A-Z0-9]{1,7}s?\b")  # BERT, GPT: short names in capitals
_VERSIONED = re.compile(r"^([a-z]{3,}?)v?\d+$")  # resnet50, simclrv2, vgg16, yolov3
_UNCLEAN_SPELLING = re.compile(r"[^\w\s\-–'’]")  # "Attention (machine learning" is no name
_PRESENTS = re.compile(
    r"\b(?:[Ii]ntroduces|[Pp]resents|[Dd]escribes|[Pp]roposes|[Tt]rains|[Ww]e\s+(?:introduce|"
    r"present|propose|describe))\s+(?:the\s+|a\s+|an\s+)?([A-Z][\w\-]*(?:\s+[A-Z][\w\-]*){0,3})"
)
_CALLED = re.compile(r"\b(?:called|named|dubbed|termed)\s+([A-Z][A-Za-z0-9\-]*[A-Z0-9][\w\-]*)")
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
_PARENTHESES = re.compile(r"\s*[(（][^)）]*[)）]")
_VARIANT = re.compile(r"^\s*(?:的变种|的变体|的一种|的改进)\s*[—\-–:：，,]*\s*$")
MIN_UNITS = 2  # texts that must name a candidate, unless the author's own words do
OWN = frozenset({"topic", "journal", "user"})  # names the author gave: topics, notes, settings
PARALLEL_CHARS = 4_000_000  # below this much text a worker process costs more than it saves


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
    """One word as names are compared: lower case, singular, no model version (``ResNet50``
    is ResNet). Cached: a corpus repeats its words, and this runs for every word of every
    text."""
    word = singular(token.lower())
    if word in ("modeling", "modelling"):
        return "model"  # language modelling is the language model's task
    if word == "headed":
        return "head"  # multi-headed attention is multi-head attention
    versioned = _VERSIONED.match(word)
    return versioned.group(1) if versioned and not word.startswith("word") else word


def key_of(name: str) -> str:
    """The folded form that identifies a concept: ``Self-Attention`` and ``self attentions``
    both give ``self attention``; ``GPT-3`` gives ``gpt``; ``language modelling`` gives
    ``language model``."""
    words = [fold(t) for t in _TOKEN.findall(name)]
    while len(words) > 1 and words[-1].isdigit() and len(words[-2]) >= 3 and words[-2].isalpha():
        words.pop()  # GPT-3, VGG 16, CIFAR-10: a version of the thing named before it
    return " ".join(words)


_VERB_ENDINGS = ("ing", "ed", "es", "e", "s")


@functools.lru_cache(maxsize=20_000)
def _stem(word: str) -> str:
    """A word without its verb ending, to compare glued and spaced spellings
    ("pretraining" and "pre-training") — not to match text."""
    for ending in _VERB_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


def variants(key: str) -> list[str]:
    """Other spellings of a folded name that mean the same: "convolutional network" for
    "convolutional neural network" (writers drop *neural* once the kind of network is said)."""
    words = key.split()
    if len(words) >= 3 and words[-2:] == ["neural", "network"]:
        return [" ".join([*words[:-2], "network"])]
    return []


Cue = tuple[str, str, int, int]  # (prerequisite key, concept key, unit, sentence number)
Heading = tuple[int, int, tuple[str, ...]]  # (sentence number, level, concept keys it names)


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
    authors: str | None = None  # as the page or the paper gives them
    paper: bool = False
    series: tuple[str, int] | None = None  # ("lesson", 15): its place in a tutorial series
    context: tuple[str, ...] = ()  # the author's words around a source's link


@dataclass
class Concept:
    key: str
    name: str
    aliases: list[str]
    description: str | None = None
    origins: set[str] = field(default_factory=set)  # topic, title, heading, acronym, … user


@dataclass
class Mention:
    """How often a concept appears in one unit, whether the unit is about it, and whether it
    is a paper or encyclopedia article that defines it."""

    count: int
    about: bool
    sentences: list[int]  # indexes into the unit's sentences
    defines: bool = False
    filed: bool = False  # a topic line the unit is filed under names it


@dataclass
class _Scan:
    """What one reading of the texts found."""

    mentions: dict[str, dict[int, Mention]] = field(default_factory=lambda: defaultdict(dict))
    surface: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    cues: list[Cue] = field(default_factory=list)  # "builds on"
    uses: list[Cue] = field(default_factory=list)  # "uses", "is trained with"
    genera: list[Cue] = field(default_factory=list)  # "is a"
    recalls: list[Cue] = field(default_factory=list)  # "as we saw in the previous section"
    paths: list[Cue] = field(default_factory=list)  # the author's "A -> B -> C"
    expansions: list[tuple[str, str, int, int]] = field(default_factory=list)  # CLIP (Con…)
    headings: dict[int, list[Heading]] = field(default_factory=dict)
    capitalised: Counter[str] = field(default_factory=Counter)  # key, and key + "!"

    def merge(self, other: _Scan) -> None:
        for key, where in other.mentions.items():
            self.mentions.setdefault(key, {}).update(where)
        for key, seen in other.surface.items():
            self.surface.setdefault(key, Counter()).update(seen)
        self.cues += other.cues
        self.uses += other.uses
        self.genera += other.genera
        self.recalls += other.recalls
        self.paths += other.paths
        self.expansions += other.expansions
        self.headings.update(other.headings)
        self.capitalised.update(other.capitalised)


@dataclass
class ConceptIndex:
    """Everything the graph is built from."""

    concepts: dict[str, Concept]  # by key
    units: list[Unit]
    sentences: list[list[str]]  # per unit
    mentions: dict[str, dict[int, Mention]]  # concept key → unit index → mention
    cues: list[Cue]  # (prerequisite, concept, unit, sentence) from wording
    genera: list[Cue] = field(default_factory=list)  # (genus, concept, …): "X is a Y"
    uses: list[Cue] = field(default_factory=list)  # (part, concept, …): "X uses Y"
    headings: dict[int, list[Heading]] = field(default_factory=dict)  # unit → its headings
    recalls: list[Cue] = field(default_factory=list)  # (taught before, page's subject, …)
    spelled: list[Cue] = field(default_factory=list)  # (idea, short name whose long form says it)
    paths: list[Cue] = field(default_factory=list)  # (step, next step, …) of the author's arrows


@dataclass(frozen=True)
class Settings:
    """The user's say, from ``[concepts]`` in config.toml: it wins over extraction."""

    ignore: frozenset[str] = frozenset()  # keys
    aliases: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (name, aliases), merged as one

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Settings:
        section = config.get("concepts", {})
        groups = [(str(k), tuple(map(str, v))) for k, v in section.get("aliases", {}).items()]
        groups += [(str(g[0]), tuple(map(str, g[1:]))) for g in section.get("merge", []) if g]
        return cls(
            ignore=frozenset(key_of(str(n)) for n in section.get("ignore", [])),
            aliases=tuple(groups),
        )


def find_concepts(
    units: list[Unit],
    settings: Settings | None = None,
    embed_names: Callable[[list[str]], Any] | None = None,
) -> ConceptIndex:
    """Concepts named across ``units``, with where each is mentioned and what is about it."""
    settings = settings or Settings()
    units, code_words = prepare(units)
    sentences = [split_sentences(u.text) for u in units]
    found = _Candidates(units, sentences)
    concepts = _fold(found, units, settings)
    scan = _scan(concepts, units, sentences)
    keep = _kept(concepts, scan, code_words) - _only_quoted(concepts, scan, found.quoted, sentences)
    concepts = {k: c for k, c in concepts.items() if k in keep}
    if embed_names is not None:  # names no text glosses, paired by a multilingual model
        _join_languages(concepts, scan, embed_names)
        keep = set(concepts)
    mentions = {k: m for k, m in scan.mentions.items() if k in keep}

    def kept(cues: list[Cue]) -> list[Cue]:
        return [c for c in cues if c[0] in keep and c[1] in keep and c[0] != c[1]]

    headings = {
        u: [(n, level, tuple(k for k in keys if k in keep)) for n, level, keys in rows]
        for u, rows in scan.headings.items()
    }
    for key, concept in concepts.items():
        _choose_name(concept, scan.surface.get(key, Counter()), settings)
        concept.description = _description(mentions[key], units, sentences)
    return ConceptIndex(
        concepts,
        units,
        sentences,
        mentions,
        kept(scan.cues),
        kept(scan.genera),
        kept(scan.uses),
        headings,
        kept(scan.recalls),
        kept(_spelled(concepts, scan.expansions)),
        kept(scan.paths),
    )


def prepare(units: list[Unit]) -> tuple[list[Unit], Counter[str]]:
    """The units as prose (code, math and each site's boilerplate out), each source's place
    in its tutorial series noted; and how often each word occurs in the code taken out."""
    cleaned, code_words = [], Counter()
    for unit in units:
        text, code = prose.without_code(unit.text)
        for fragment in code:
            code_words.update(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", fragment))
        series = prose.series_position(unit.title, text) if unit.owner_type == "document" else None
        cleaned.append(replace(unit, text=text, series=series))
    sites = prose.boilerplate((u.label, u.text) for u in cleaned if u.owner_type == "document")
    return [
        replace(
            u,
            text=prose.unwrap(
                prose.drop_lines(u.text, sites.get(prose.site_of(u.label), frozenset()))
            ),
        )
        if u.owner_type == "document"
        else u
        for u in cleaned
    ], code_words


def split_sentences(text: str) -> list[str]:
    """Sentences and lines, for evidence and for what co-occurs closely. A heading stays one
    line, numbering and all ("## 14.8.2. Fast R-CNN")."""
    found = []
    for line in text.splitlines():
        if line.lstrip().startswith("#"):
            found.append(line.strip())
        else:
            found += [s.strip() for s in _SENTENCE_END.split(line) if s and s.strip()]
    return [s for s in found if s]


class _Candidates:
    """Every name a place that marks terms gives, with where it came from; and the pairs of
    names for one thing (acronyms and their expansions, Chinese and its English gloss)."""

    def __init__(self, units: list[Unit], sentences: list[list[str]]):
        self.names: list[tuple[str, str]] = []  # (surface form, origin)
        self.pairs: list[tuple[str, str]] = []  # names of one concept
        self.quoted: dict[str, set[str]] = defaultdict(set)  # title phrase → its titles, folded
        people = terms.person_words(
            (u.authors or "" for u in units), (u.text for u in units if u.owner_type == "document")
        )
        acronyms: set[str] = set()
        for unit, said in zip(units, sentences, strict=True):
            plain = prose.without_code_spans(unit.text)
            for short, long in terms.acronym_definitions(plain):
                self._pair(short, long, "acronym")
                acronyms.add(short.lower())
            for term, english in terms.glosses(plain):
                for name in english:
                    self._pair(term, name, "gloss")
            for sentence in said:
                self._sentence(unit, prose.without_code_spans(sentence))
            if unit.owner_type == "document":
                self._document(unit, plain, said)
        acronyms |= {w.lower() for u in units for w in _CAPITALS.findall(u.text)}
        self.pairs += _translations(units, sentences)
        for unit in units:
            for topic in unit.topics:
                self.names += [(n, "topic") for n in terms.topic_names(topic, acronyms)]
        self.names = [
            (name, origin)
            for name, origin in self.names
            if origin in OWN or not _person(name, people)
        ]
        self.pairs = [p for p in self.pairs if not (_person(p[0], people) or _person(p[1], people))]

    def _pair(self, a: str, b: str, origin: str) -> None:
        if _acceptable(a, origin) and _acceptable(b, origin):
            self.names += [(a, origin), (b, origin)]
            self.pairs.append((a, b))

    def _sentence(self, unit: Unit, sentence: str) -> None:
        if sentence.startswith("#"):
            if unit.owner_type == "document":
                self.names += [(n, "heading") for n in terms.heading_names(sentence)]
                for short, long in terms.heading_pairs(sentence):
                    self._pair(short, long, "acronym")
            return
        if unit.owner_type == "entry":  # the author's own words: what they define or spell
            self.names += [(n, "journal") for n in terms.defined_sentence(sentence)]
            self.names += [(n, "journal") for n in terms.capitalised_terms(sentence)]
            self.names += [(n, "journal") for n in terms.noted_terms(sentence)]
            self.names += [(n, "phrase") for n in terms.embedded_phrases(sentence)]
        else:
            self.names += [(n, "definition") for n in terms.defined_sentence(sentence)]

    def _document(self, unit: Unit, text: str, said: list[str]) -> None:
        if unit.title:
            origin = "wiki" if unit.wikipedia else "title"
            self.names += [
                (n, origin)
                for n in terms.title_names(unit.title, paper=unit.paper, wikipedia=unit.wikipedia)
            ]
            if unit.wikipedia:
                names = terms.title_names(unit.title, wikipedia=True)
                self.pairs += list(itertools.pairwise(names))
        self.names += [(n, "emphasis") for n in terms.emphasised(text)]
        if unit.paper:
            for name in _presented(unit, text):
                self.names.append((name, "paper"))
            for name in terms.paper_title_phrases(unit.title or ""):
                self.names.append((name, "paper title"))
                self.quoted[key_of(name)].add(key_of(unit.title or ""))


def _translations(units: list[Unit], sentences: list[list[str]]) -> list[tuple[str, str]]:
    """(name, name) from one page in two languages, where a site keeps a translation under a
    language folder: at the same address ("/lessons/embeddings.html" and
    "/zh/lessons/embeddings.html"), or with the same file name when the folders were renamed
    in translation (d2l's "…-and-transformers/multihead-attention.html"). Their titles pair
    (*Embeddings* is 嵌入), and so do their headings: by section number relative to the
    title's ("8.6.2. Residual Blocks" is "7.6.2. 残差块"), or side by side when unnumbered
    and as many. Only where both sides give as many names, in two scripts."""
    pairs = []
    for a, b in _translated_pages(units):
        heads = [[x for x in sentences[v] if x.startswith("#")] for v in (a, b)]
        lines = [(units[a].title or "", units[b].title or "")]
        lines += _aligned_headings(units[a].title or "", units[b].title or "", *heads)
        for number, (one, other) in enumerate(lines):
            read = terms.title_names if number == 0 else terms.heading_names
            names = [read(one), read(other)]
            if len(names[0]) != len(names[1]) or not names[0]:
                continue
            pairs += [(x, y) for x, y in zip(*names, strict=True) if _scripts_differ(x, y)]
    return pairs


def _translated_pages(units: list[Unit]) -> list[tuple[int, int]]:
    """Pairs of documents that are one page in two languages (see ``prose.translations``)."""
    numbers = [
        n
        for n, u in enumerate(units)
        if u.owner_type == "document" and u.title and "://" in u.label
    ]
    pairs = prose.translations([units[n].label for n in numbers])
    return [(numbers[a], numbers[b]) for a, b in pairs]


_SECTION = re.compile(r"^#*\s*(\d+(?:\.\d+)*)\.?\s")


def _aligned_headings(
    title_a: str, title_b: str, heads_a: list[str], heads_b: list[str]
) -> list[tuple[str, str]]:
    """Headings of two versions of a page that are one section: numbered alike relative to
    the title's own number, or (unnumbered, as many) in the same place."""

    def relative(title: str, heads: list[str]) -> dict[str, str]:
        own = _SECTION.match(title.strip() + " ")
        prefix = own.group(1) + "." if own else ""
        found = {}
        for head in heads:
            number = _SECTION.match(head)
            if number and prefix and number.group(1).startswith(prefix):
                found[number.group(1)[len(prefix) :]] = head
        return found

    rel_a, rel_b = relative(title_a, heads_a), relative(title_b, heads_b)
    if rel_a and rel_b:
        return [(rel_a[k], rel_b[k]) for k in rel_a if k in rel_b]
    if len(heads_a) == len(heads_b):
        return list(zip(heads_a, heads_b, strict=True))
    return []


def _scripts_differ(a: str, b: str) -> bool:
    return bool(CJK_RUN.search(a)) != bool(CJK_RUN.search(b))


def _presented(unit: Unit, text: str) -> list[str]:
    """The names a paper presents: its title's short name ("BERT: …"), "Introduces the
    Transformer", "Presents CLIP", and the acronym of its title ("You Only Look Once" →
    YOLO, when the abstract writes YOLO)."""
    names = terms.title_names(unit.title or "", paper=True)
    names += [m.group(1) for m in _PRESENTS.finditer(text) if terms.plausible(m.group(1), 4)]
    names += [m.group(1) for m in _CALLED.finditer(text[:600])]  # "… a new model called BERT"
    head = (unit.title or "").split(":")[0]
    words = re.findall(r"[A-Za-z0-9]+", head)
    for short in set(re.findall(r"\b[A-Z][A-Za-z0-9\-]{1,9}\b", text)):
        letters = [c.lower() for c in short if c.isalnum()]
        if sum(c.isupper() for c in short) < 2 or len(words) < 2:
            continue
        if terms.covers(letters, words) or terms.spells(short, words):
            names.append(short)
    return sorted(dict.fromkeys(names), key=names.index)


def _acceptable(name: str, origin: str = "") -> bool:
    """A name for pairing: a term, and not a lone lower-case word (``密钥（key）``: the gloss
    of an everyday word is a translation, not a term). An acronym's expansion may hold small
    words ("Bidirectional Encoder Representations from Transformers")."""
    if not terms.plausible(name, max_words=6, inner_words=origin == "acronym"):
        return False
    if CJK_RUN.search(name):
        return True
    return len(name.split()) > 1 or any(c.isupper() for c in name) or "-" in name


def _person(name: str, people: set[str]) -> bool:
    words = [w.lower() for w in _TOKEN.findall(name)]
    return (
        bool(words)
        and all(w in people for w in words)
        and not any(c.isdigit() for c in name)
        and not name.isupper()
    )


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


def _fold(found: _Candidates, units: list[Unit], settings: Settings) -> dict[str, Concept]:
    """One concept per group of names that mean the same: folded spellings, an acronym and its
    expansion, a term and its gloss, a Wikipedia title and its short form, "X mechanism" and
    X, and whatever the user joined."""
    groups = _Groups()
    names: dict[str, dict[str, None]] = defaultdict(dict)  # key → surface forms
    origins: dict[str, set[str]] = defaultdict(set)
    for name, origin in found.names:
        key = key_of(name)
        if key and key not in settings.ignore:
            groups.find(key)
            names[key][name.strip()] = None
            origins[key].add(origin)
    user_names: dict[str, str] = {}
    for name, aliases in settings.aliases:
        key = key_of(name)
        names[key][name] = None
        origins[key].add("user")
        for alias in aliases:
            names[key_of(alias)][alias] = None
            groups.join(key, key_of(alias))
        user_names[key] = name
    for a, b in found.pairs:
        if key_of(a) in names and key_of(b) in names:
            groups.join(key_of(a), key_of(b))
    glued: dict[str, str] = {}
    for key in list(names):
        for other in variants(key):
            if other in names:
                groups.join(key, other)
        solid = "".join(_stem(w) for w in key.split())  # "pretraining" is "pre-training"
        if len(solid) > 5 and solid in glued:
            groups.join(key, glued[solid])
        glued.setdefault(solid, key)
    for key, surface in list(_clipped_pairs(names, units)):  # seq2seq: sequence-to-sequence
        names[key_of(surface)][surface] = None
        origins[key_of(surface)] |= origins[key]
        groups.join(key, key_of(surface))
    for key in list(names):  # "attention mechanism" is attention, "Transformer layer" Transformer
        bare = _bare(key)
        if bare is None:
            continue
        if bare not in names and _names_a_kind(key, bare):
            names[bare][bare] = None  # the idea itself, named bare ("attention")
            origins[bare].add("folded")
        if bare in names and _can_stand_alone(bare, names[bare], origins[bare]):
            groups.join(key, bare)
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


_CLIPPED = re.compile(r"([a-z]{2,})2([a-z]{2,})")
_TO_PHRASE = re.compile(r"[a-z]+ to [a-z]+")


def _clipped_pairs(names: dict[str, Any], units: list[Unit]) -> Iterator[tuple[str, str]]:
    """A name that writes "to" as 2 and clips the words around it, and the words in full: in
    a text, hyphenated ("sequence-to-sequence" for seq2seq); among the names, any way ("Image
    to Text" for img2txt). "mapping words to vectors" is prose, not word2vec."""
    clipped = {key: m.groups() for key in names if (m := _CLIPPED.fullmatch(key))}
    if not clipped:
        return
    hyphenated = re.compile(
        "|".join(rf"\b{a}[a-z]*-to-{b}[a-z]*\b" for a, b in clipped.values()), re.IGNORECASE
    )
    seen: dict[str, None] = {}
    for unit in units:
        if "-to-" in unit.text:  # rare enough to look for first
            seen.update(dict.fromkeys(m.group(0) for m in hyphenated.finditer(unit.text)))
    seen.update(dict.fromkeys(key for key in names if _TO_PHRASE.fullmatch(key)))
    for surface in seen:
        words = re.split(r"[-\s]+", surface.lower())
        for key, (a, b) in clipped.items():
            if len(words) == 3 and words[0].startswith(a) and words[2].startswith(b):
                yield key, surface


def _names_a_kind(key: str, bare: str) -> bool:
    """Is ``key`` "X mechanism" or "X architecture" (X机制, X架构), whose bare X names the idea
    itself even where no text writes it bare?"""
    if CJK_RUN.fullmatch(key):
        return key.endswith(("机制", "架构")) and terms.plausible_cjk(bare)
    return (
        key.split()[-1] in ("mechanism", "architecture")
        and terms.plausible(bare, 3)
        and bare.split()[-1] not in terms.GENERIC_HEADS
    )


def _bare(key: str) -> str | None:
    """X of "X mechanism", "X layer", "X architecture", "X network", "X model", "X机制",
    "X层": the name with its generic head taken off."""
    words = key.split()
    if len(words) > 1 and words[-1] in terms.FOLDED_HEADS:
        return " ".join(words[:-1])
    if len(words) == 1 and CJK_RUN.fullmatch(key):
        for head in terms.CJK_HEADS:
            if key.endswith(head) and len(key) - len(head) >= 2:
                return key[: -len(head)]
    return None


def _can_stand_alone(key: str, spellings: Iterable[str], origins: set[str]) -> bool:
    """Is the bare X of "X layer" a concept in its own right, rather than a word that only
    means something with its head ("language" in "language model")?"""
    if " " in key or "-" in "".join(spellings) or CJK_RUN.fullmatch(key):
        return True
    if origins & {*OWN, "acronym", "gloss", "folded"}:
        return True
    return any(any(c.isupper() for c in s[1:]) or s.isupper() for s in spellings)


def _kept(concepts: dict[str, Concept], scan: _Scan, code_words: Counter[str]) -> set[str]:
    """The concepts that stay: named in ``MIN_UNITS`` texts (the author's topics and the
    user's names need only one); not a class name that lives in code more than in prose
    (``MultiHeadAttention``); and, when the name is one plain word (``values``, ``epoch``,
    ``任务``), only if the author's topics name it or the texts treat it as a name."""
    keep = set()
    code_words = _lowered(code_words)  # ``tensorboard`` on the command line is TensorBoard
    for key, concept in concepts.items():
        where = scan.mentions.get(key)
        if not where:
            continue
        own = concept.origins & OWN
        if len(where) < MIN_UNITS and not own and not _one_text_term(concept, where):
            continue
        if "user" not in concept.origins and _in_code(scan.surface.get(key, Counter()), code_words):
            continue
        if not own and not _named_as_term(concept, scan.capitalised):
            continue
        keep.add(key)
    return keep


def _one_text_term(concept: Concept, where: dict[int, Mention]) -> bool:
    """A term though only one text names it: an encyclopedia article's title; a short name
    defined in brackets, or a name a text gives itself or a section of its own
    (``Chinese-CLIP``, ``3.1.3 ALBERT``), that the text goes on using."""
    count = sum(m.count for m in where.values())
    if "wiki" in concept.origins:
        return True
    if concept.origins & {"acronym", "gloss"} and count >= 2:
        return True
    shaped = any(s.isupper() or any(c.isupper() for c in s[1:]) for s in concept.aliases)
    return bool(concept.origins & {"heading", "title"}) and shaped and count >= 3


def _named_as_term(concept: Concept, capitalised: Counter[str]) -> bool:
    """A concept named by more than one plain word, or by a term-shaped word (CNN, ResNet,
    Word2Vec, self-attention, 位置编码), or by a word the texts capitalise mid-sentence
    (the Transformer), or by an encyclopedia title."""
    spellings = [concept.key, *concept.aliases]
    if len(concept.key.split()) > 1 or concept.origins & {"wiki", "acronym", "gloss"}:
        return True
    for spelling in spellings:
        if CJK_RUN.fullmatch(spelling):
            if len(spelling) >= 3 or concept.origins & {"title"}:
                return True
        elif "-" in spelling or any(c.isdigit() or c.isupper() for c in spelling[1:]):
            return True
    mid = capitalised[concept.key]
    return mid >= 3 and capitalised[concept.key + "!"] >= 0.7 * mid


def _only_quoted(
    concepts: dict[str, Concept],
    scan: _Scan,
    titles: dict[str, set[str]],
    sentences: list[list[str]],
) -> set[str]:
    """Phrases only a paper's title gives ("Deep Bidirectional Transformers") that the texts
    name only where they quote the title (``titles``: phrase → the titles giving it, folded):
    no idea of their own. "Language Models", from "Language Models are Few-Shot Learners", is
    named in prose of its own and stays."""
    quoted = set()
    for key, concept in concepts.items():
        if concept.origins != {"paper title"} or key not in titles:
            continue
        free = {
            unit
            for unit, mention in scan.mentions.get(key, {}).items()
            if any(
                not any(t in key_of(sentences[unit][n]) for t in titles[key])
                for n in mention.sentences
            )
        }
        if len(free) < MIN_UNITS:
            quoted.add(key)
    return quoted


def _lowered(words: Counter[str]) -> Counter[str]:
    found: Counter[str] = Counter()
    for word, count in words.items():
        found[word.lower()] += count
    return found


def _in_code(seen: Counter[str], code_words: Counter[str]) -> bool:
    """A class or tool name (``MultiHeadAttention``, ``TensorBoard``) that the code holds, in
    any case (``code_words`` are lower-cased), at least as often as the prose does."""
    spellings = [s for s in seen if " " not in s and terms.camel_case(s)]
    if not spellings or sum(seen[s] for s in spellings) * 2 < sum(seen.values()):
        return False  # mostly written as a word of prose
    return sum(code_words[s] for s in {s.lower() for s in seen}) >= sum(seen.values())


class Matcher:
    """Finds every concept name in a text, longest name first, by folded words (so plurals,
    case and hyphens match), and Chinese names inside runs of Chinese characters; never inside
    inline code."""

    def __init__(self, concepts: dict[str, Concept]):
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


def _scan(concepts: dict[str, Concept], units: list[Unit], sentences: list[list[str]]) -> _Scan:
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
) -> tuple[_Scan, _Scan]:
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
) -> _Scan:
    """``_scan`` of some units, numbered from ``offset``."""
    scan = _Scan()
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
        kinds_of: _KindsList | None = None  # a list of the kinds of a concept, being read
        for number, sentence in enumerate(sentences[local]):
            spans = matcher.spans(sentence)
            kinds_of, kind = _kinds_listed(kinds_of, sentence, spans)
            if kind:
                scan.genera.append((*kind, index, number))
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
                scan.genera += [(g, s, index, number) for g, s in _genera(said, spans, matcher)]
                scan.genera += [(g, s, index, number) for g, s in _examples(said, spans)]
                if _cue_words(said) or (speaker and _REPLACES.match(said)):
                    for kind, a, b in _cues_in(said, spans, speaker):
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
    match = _SECTION.match(title.strip() + " ")
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
_LEARNING_KINDS = frozenset({"learning", "method", "methods", "model", "models", "approach"})


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


def _spelled(
    concepts: dict[str, Concept], expansions: list[tuple[str, str, int, int]]
) -> list[Cue]:
    """(idea, short name, unit, sentence) where a short name's long form says the idea:
    "Generative Pre-trained Transformer" says the Transformer, "Embeddings from Language
    Models" language models; "Contrastive Language-Image Pre-training" contrastive learning,
    by the kind of learning that leads it. A single word counts only as the long form's last,
    its head ("Language" inside CLIP's long form is no idea it builds on)."""
    whole = {tuple(key.split()): key for key in concepts}
    kinds = {  # contrastive learning → contrastive: said by its first word alone
        words[:-1]: key
        for key in concepts
        if len(words := tuple(key.split())) > 1 and words[-1] in _LEARNING_KINDS
    }
    found: list[Cue] = []
    for short, long, unit, number in expansions:
        words = tuple(key_of(long).split())
        for size in range(len(words), 0, -1):
            for at in range(len(words) - size + 1):
                part = words[at : at + size]
                idea = whole.get(part)
                if idea is not None and size == 1 and at + size != len(words):
                    idea = None
                if idea is None and at == 0 and size < len(words):
                    idea = kinds.get(part)
                if idea is not None and idea != short:
                    found.append((idea, short, unit, number))
    return list(dict.fromkeys(found))


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
    title = {fold(word) for word in _TOKEN.findall(unit.title or "")}
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


def _join_languages(
    concepts: dict[str, Concept], scan: _Scan, embed_names: Callable[[list[str]], Any]
) -> None:
    """Fold a Chinese-only concept into an English-only one where the two names are each
    other's clear nearest in a multilingual model (``crosslingual.pairs``): 注意力机制 is
    attention, 残差连接 residual connection. Names you gave stay as you gave them."""
    from kgnotes import crosslingual

    def only(script: re.Pattern[str], concept: Concept) -> bool:
        return "user" not in concept.origins and not any(
            script.search(n) for n in [concept.key, *concept.aliases]
        )

    latin = re.compile(r"[A-Za-z]")
    chinese = [k for k, c in concepts.items() if CJK_RUN.search(k) and only(latin, c)]
    english = [k for k, c in concepts.items() if not CJK_RUN.search(k) and only(CJK_RUN, c)]
    spellings = [_spellings(k, concepts[k], scan) for k in chinese + english]
    found = crosslingual.pairs(spellings[: len(chinese)], spellings[len(chinese) :], embed_names)
    for i, j, _ in found:
        old, new = chinese[i], english[j]
        concepts[new].aliases += [
            x for x in [old, *concepts[old].aliases] if x not in concepts[new].aliases
        ]
        concepts[new].origins |= concepts.pop(old).origins | {"translation"}
        _rename(scan, old, new)


def _spellings(key: str, concept: Concept, scan: _Scan, most: int = 4) -> list[str]:
    """A concept's names as the texts write them most, for comparing across languages."""
    seen = [s for s, _ in scan.surface.get(key, Counter()).most_common(most)]
    return list(dict.fromkeys([*seen, *concept.aliases, key]))[:most]


def _rename(scan: _Scan, old: str, new: str) -> None:
    """Everything the scan found of concept ``old``, as found of ``new``."""
    for unit, mention in scan.mentions.pop(old, {}).items():
        into = scan.mentions.setdefault(new, {}).get(unit)
        if into is None:
            scan.mentions[new][unit] = mention
            continue
        into.count += mention.count
        into.about |= mention.about
        into.defines |= mention.defines
        into.filed |= mention.filed
        into.sentences = sorted(set(into.sentences) | set(mention.sentences))
    scan.surface.setdefault(new, Counter()).update(scan.surface.pop(old, Counter()))
    for mark in ("", "!"):
        scan.capitalised[new + mark] += scan.capitalised.pop(old + mark, 0)

    def renamed(cues: list[Cue]) -> list[Cue]:
        return [(new if a == old else a, new if b == old else b, u, n) for a, b, u, n in cues]

    scan.cues, scan.uses = renamed(scan.cues), renamed(scan.uses)
    scan.genera, scan.recalls = renamed(scan.genera), renamed(scan.recalls)
    scan.paths = renamed(scan.paths)
    scan.expansions = [(new if k == old else k, long, u, n) for k, long, u, n in scan.expansions]
    for unit, rows in scan.headings.items():
        scan.headings[unit] = [
            (n, level, tuple(dict.fromkeys(new if k == old else k for k in keys)))
            for n, level, keys in rows
        ]


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
            key for name in _presented(unit, unit.text[:1500]) for key, _, _ in matcher.spans(name)
        }
        if not defines:  # no name of its own: the short name its abstract defines first
            defines = set(named[:1])
    elif unit.wikipedia and unit.title:
        defines |= {key for key, _, _ in matcher.spans(unit.title)}
    return about | defines, defines, filed


def _genera(
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
            clause = _CLAUSE_END.search(sentence, reach)
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


def _examples(sentence: str, spans: list[tuple[str, int, int]]) -> Iterator[tuple[str, str]]:
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
class _KindsList:
    genus: str  # the concept whose kinds the list names
    since: int = 0  # sentences since the last item


_KINDS_INTRO = re.compile(
    r"\b(?:variants|variations|types|kinds|families|flavou?rs|categories|forms)\b"
    r"|变体|变种|类型|种类|类别",
    re.IGNORECASE,
)
_ITEM = re.compile(r"^\s*(?:[-*+•]|\d{1,2}[.)、])\s+(?:\*\*|__)?")
_ITEM_GAP = 2  # sentences of an item's own text between two items


def _kinds_listed(
    reading: _KindsList | None, sentence: str, spans: list[tuple[str, int, int]]
) -> tuple[_KindsList | None, tuple[str, str] | None]:
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
        return _KindsList(keys.pop()), None
    return None, None


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
    concept.name = min(counts, key=lambda a: (_participle(a, counts), -counts[a], len(a), a))
    concept.aliases = sorted(
        {a for a in aliases if a != concept.name}, key=lambda a: (a.lower(), a)
    )


def _participle(spelling: str, counts: dict[str, int]) -> bool:
    """ "pre-trained", "fine-tuned": the adjective, when the noun ("pre-training") is there to
    name the idea."""
    return spelling.endswith("ed") and any(not s.endswith("ed") for s in counts)


def _description(
    mentions: dict[int, Mention], units: list[Unit], sentences: list[list[str]]
) -> str | None:
    """A sentence that says what the concept is: the opening of the article or paper that
    defines it, else the first sentence of a source about it that names it, else the first
    that names it anywhere."""
    ranked = sorted(
        mentions.items(),
        key=lambda item: (
            not item[1].defines,
            not item[1].about,
            units[item[0]].owner_type != "document",
            item[0],
        ),
    )
    for index, mention in ranked:
        for number in mention.sentences:
            sentence = sentences[index][number]
            if 40 <= len(sentence) <= 400 and not sentence.startswith(("http", "#", "`")):
                return re.sub(r"\*\*|__", "", sentence)  # Markdown bold from the extractor
    return None


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
_REPLACES = re.compile(  # a paper's subject-less abstract: "Replaces … of Fast R-CNN with …"
    r"^(?:Replaces|Improves(?:\s+on|\s+upon)?|Extends|Generali[sz]es|Simplifies|Speeds\s+up)\b"
)
_SUBJECTLESS = re.compile(r"^[A-Z][a-z]+s\b(?!\s+(?:is|are|was|were|has|have)\b)")


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


_CUE_WORDS = _word_set(  # a quick test for the wording the patterns above look for
    """
    based build builds built building relies rely relying founded grounded draw draws extends
    extending extension generalizes generalises variant version improves use uses used employ
    employs consists composed made stack stacks combine combines combining adopt adopts
    adopting employing leverage leverages leveraging utilizes utilises utilizing utilising
    trained train trains resemble resembles foundation foundations basis backbone backbones
    precursor precursors implemented
    """
)
_SOLVE_WORDS = _word_set(  # what fixes another's problem: "LSTM solves the … problem of RNNs"
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


def _cue_words(text: str) -> bool:
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
_CLAUSE_END = re.compile(r"[;；。!?！？]|\.\s")
_ZH_CLAUSE_END = re.compile(r"[，,、;；。!?！？：:]")


def _cues_in(
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
            found = _subject(spans, i, sentence, "wording", _CLAUSE_END, 2)
            if not found and subjectless and not _CLAUSE_END.search(sentence[:start]):
                found = [("wording", key, s) for s in speaker if s != key]
        elif _USE_BEFORE.search(before):
            found = _subject(spans, i, sentence, "use", _CLAUSE_END, 3)
            if not found and subjectless and not _CLAUSE_END.search(sentence[:start]):
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
        elif _ZH_TAKING.search(before) and _ZH_AS_BASE.match(after):  # 以 X 为基础的 Y
            base = _ZH_AS_BASE.match(after)
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
        elif subjectless and i == 0 and _REPLACES.match(sentence):
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
            spans, i, sentence, "wording", _ZH_CLAUSE_END if chinese else _CLAUSE_END, 8
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
