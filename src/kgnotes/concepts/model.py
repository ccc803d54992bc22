"""The shapes concepts are found in and given as (texts as units, concepts, mentions, the
scan's findings), and the keys that fold spellings of one name together."""

from __future__ import annotations

import functools
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from kgnotes.cjk import CJK_CHARS
from kgnotes.config import Config

CONCEPTS_VERSION = 11  # bump when extraction changes, so stored graphs are rebuilt


TOKEN = re.compile(f"[A-Za-z0-9]+(?:['’][a-z]+)?|[{CJK_CHARS}]+")


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(\[])|(?<=[。！？；])|\n+")


_VERSIONED = re.compile(r"^([a-z]{3,}?)v?\d+$")  # resnet50, simclrv2, vgg16, yolov3


MIN_UNITS = 2  # texts that must name a candidate, unless the author's own words do


OWN = frozenset({"topic", "journal", "user"})  # names the author gave: topics, notes, settings


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
    words = [fold(t) for t in TOKEN.findall(name)]
    while len(words) > 1 and words[-1].isdigit() and len(words[-2]) >= 3 and words[-2].isalpha():
        words.pop()  # GPT-3, VGG 16, CIFAR-10: a version of the thing named before it
    return " ".join(words)


_VERB_ENDINGS = ("ing", "ed", "es", "e", "s")


@functools.lru_cache(maxsize=20_000)
def stem(word: str) -> str:
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


class Named(Protocol):
    """Anything with a name and aliases: a concept being found, or one read back from the
    store (the vault marks the names of stored concepts in journal pages)."""

    @property
    def name(self) -> str: ...

    @property
    def aliases(self) -> Sequence[str]: ...


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
class Scan:
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

    def merge(self, other: Scan) -> None:
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
    def from_config(cls, config: Config) -> Settings:
        section = config.section("concepts")
        groups = [(str(k), tuple(map(str, v))) for k, v in section.get("aliases", {}).items()]
        groups += [(str(g[0]), tuple(map(str, g[1:]))) for g in section.get("merge", []) if g]
        return cls(
            ignore=frozenset(key_of(str(n)) for n in section.get("ignore", [])),
            aliases=tuple(groups),
        )


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


SECTION = re.compile(r"^#*\s*(\d+(?:\.\d+)*)\.?\s")


CLAUSE_END = re.compile(r"[;；。!?！？]|\.\s")
