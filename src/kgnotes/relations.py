"""Relations between concepts: which builds on which, which go together, and why.

A ``builds_on`` edge A → B ("B builds on A") is kept where the evidence for it outweighs the
evidence against, each piece recorded with the edge so the picture can say why a rung is there.
What the texts *say* weighs most:

- *naming*: a name of B ends in A ("Vision Transformer", "self-attention", "Fast R-CNN",
  "掩码自注意力"), or a model's name spells A inside it ("RoBERTa", "ALBERT") — not a
  pairing of two ideas ("encoder-decoder" is no kind of decoder);
- *spelled*: B is short for words that name A ("CLIP (Contrastive Language-Image
  Pre-training)" names contrastive learning, "Generative Pre-trained Transformer" the
  Transformer);
- *definition*: a sentence says what B is in terms of A ("BERT is a multi-layer transformer
  network", "GPT-3, an autoregressive Transformer language model", "注意力机制的变种——自注意力");
- *title*: the paper that presents B names A in its title ("… Contrastive Learning of Visual
  Representations" presents SimCLR);
- *wording*: "based on A", "builds on A", "extends A", "A is the foundation of B", "基于A",
  "在A的基础上";
- *use*: "B uses A", "B is made of A", "A is used to pre-train B", "B 采用了 A", "A 模块用来构建
  B"; and on a tutorial that builds B, "we will use A as our image encoder";
- *path*: the author's notes sum up what they learnt as arrows, "RNN -> LSTM -> seq2seq".
  Weaker than a page's statement, for an arrow may also be a layer's data flow ("CONV -> RELU
  -> POOL"): on its own it ties a pair only where the papers presenting both are dated in the
  arrow's order.

How the texts are arranged says which way a related pair points, more weakly:

- *chronology*: the paper that presents A (or, failing that, first names it) is older;
- *asymmetry*: the sources about B discuss A, the sources about A rarely discuss B;
- *filing*: the journal files a page titled with A under a topic line naming B;
- *teaching order*: a tutorial's section on A comes before its section on B, which uses A; or
  an earlier lesson of a series is about A and a later one, which mentions A, about B;
- *journal order*: the author's notes name A first (what they read first, not what came
  first). Teaching and journal order count together at most ``MAX_ORDER``.

The ordering signals only orient a pair the texts already tie together (a statement above,
sentences naming both, or the sources about one discussing the other). Cycles are broken at
their weakest edge, so ``builds_on`` is a DAG. ``related`` joins concepts that share texts more
often than chance (normalised PMI).

Pure: a ``ConceptIndex`` in, ``Relation`` records out.
"""

from __future__ import annotations

import functools
import heapq
import itertools
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from kgnotes.cjk import CJK_RUN
from kgnotes.concepts import ConceptIndex, Mention, key_of

MAX_PAIRS_PER_UNIT = 50  # the concepts of a text counted for co-occurrence, most mentioned first
MIN_SHARED = 2  # texts that must name both concepts of a builds_on edge, unless one says so
MIN_SENTENCES = 2  # sentences naming both, to tie a pair with no statement between them
KEEP = 1.0  # evidence an edge needs, and by more than the evidence against it
KEEP_STATISTICAL = 1.25
KEEP_CLOSE = 0.75  # for a close pair, the order things come in may decide alone
CLOSE_TEXTS = 3
CLOSE_SENTENCES = 3
MARGIN = 0.5
RELATED_NPMI = 0.3
RELATED_PER_CONCEPT = 5
EVIDENCE_PER_EDGE = 3
OPENING = 10  # a text's first sentences, where it says what it builds on
STATED_LABELS = ("naming", "spelled", "definition", "title", "wording", "use", "recall")
ORDER_LABELS = ("sections", "series", "journal")
MAX_ORDER = 0.75


@dataclass(frozen=True)
class Evidence:
    """A sentence quoted for an edge, and where it was said."""

    source: str  # a source's URL, or "journal 2024-07-27"
    sentence: str


@dataclass
class Relation:
    source: str  # concept key; for builds_on, the one built upon
    target: str
    relation: str  # builds_on | related
    weight: float
    signals: list[str]
    evidence: list[Evidence]


Vote = tuple[str, float]  # (what it says, its weight)


def relate(index: ConceptIndex) -> list[Relation]:
    """``builds_on`` edges where the evidence agrees (cycles broken), then ``related`` pairs."""
    facts = _Facts(index)
    candidates = []
    for a, b in sorted(facts.pairs()):
        for low, high in ((a, b), (b, a)):
            votes, against = facts.votes(low, high), facts.votes(high, low)
            weight, contra = _weight(votes), _weight(against)
            needed = _needed(votes)
            if needed > KEEP and _close(facts, a, b) and not _stated(votes):
                needed = KEEP_CLOSE  # named together again and again: their order says enough
            enough = weight >= needed and weight - contra >= MARGIN
            if enough and _grounded(votes, facts, a, b):
                candidates.append(
                    Relation(
                        low,
                        high,
                        "builds_on",
                        round(weight - contra, 3),
                        [label for label, _ in votes],
                        facts.evidence(low, high),
                    )
                )
    builds_on = _acyclic(candidates)
    linked = {frozenset((r.source, r.target)) for r in builds_on}
    return builds_on + _related(facts, linked)


def _stated(votes: list[Vote]) -> bool:
    return any(label.startswith(STATED_LABELS) for label, _ in votes)


def _pair(a: str, b: str) -> tuple[str, str]:
    """Two concept keys in one order, as the counts of what goes together are keyed."""
    return (a, b) if a < b else (b, a)


def _close(facts: _Facts, a: str, b: str) -> bool:
    """Named together in several texts and sentences: a pair the texts keep tying together."""
    pair = _pair(a, b)
    return facts.together[pair] >= CLOSE_TEXTS and facts.sentences_together[pair] >= CLOSE_SENTENCES


def _needed(votes: list[Vote]) -> float:
    """The weight an edge needs: more when nothing says it and no paper dates order it, only
    the statistics of who mentions whom (asymmetry) and the orders things come in."""
    weighty = (*STATED_LABELS, "chronology", "filing", "path")
    if any(label.startswith(weighty) for label, _ in votes):
        return KEEP
    return KEEP_STATISTICAL


def _weight(votes: list[Vote]) -> float:
    """What the evidence adds up to. The orders things come in (teaching order, journal
    order) are one kind of evidence however many say so: they move together."""
    stated = sum(w for label, w in votes if not label.startswith(ORDER_LABELS))
    order = sum(w for label, w in votes if label.startswith(ORDER_LABELS))
    return stated + min(order, MAX_ORDER)


def _grounded(votes: list[Vote], facts: _Facts, a: str, b: str) -> bool:
    """Does something tie the two together beyond the order they come in: a statement, the
    sources about one discussing the other, or sentences naming both?"""
    if any(label.startswith(STATED_LABELS) for label, _ in votes):
        return True
    if any(label.startswith("filing") for label, _ in votes):
        return True  # one source names both, discussing the one it is filed under
    labels = {label.split(":")[0] for label, _ in votes}
    if {"path", "chronology"} <= labels:
        return True  # the author's arrow, and the papers that present both in its order
    pair = _pair(a, b)
    if facts.together[pair] < MIN_SHARED:
        return False
    if any(label.startswith("asymmetry") for label, _ in votes) or _close(facts, a, b):
        return True
    return facts.sentences_together[pair] >= MIN_SENTENCES and any(
        label.startswith("chronology") for label, _ in votes
    )


@dataclass
class _Facts:
    """Counts the signals are read from."""

    index: ConceptIndex
    units_of: dict[str, set[int]] = field(init=False)
    about_of: dict[str, set[int]] = field(init=False)
    defines_of: dict[str, set[int]] = field(init=False)
    together: Counter[tuple[str, str]] = field(init=False)
    sentences_together: Counter[tuple[str, str]] = field(init=False)
    cues: dict[tuple[str, str], list[tuple[int, int]]] = field(init=False)
    genera: dict[tuple[str, str], list[tuple[int, int]]] = field(init=False)
    uses: dict[tuple[str, str], list[tuple[int, int]]] = field(init=False)
    recalls: dict[tuple[str, str], list[tuple[int, int]]] = field(init=False)
    paths: dict[tuple[str, str], list[tuple[int, int]]] = field(init=False)
    spelled: dict[tuple[str, str], list[tuple[int, int]]] = field(init=False)

    def __post_init__(self) -> None:
        mentions = self.index.mentions
        self.units_of = {k: set(where) for k, where in mentions.items()}
        documents = {i for i, u in enumerate(self.index.units) if u.owner_type == "document"}
        self.about_of = {
            k: {u for u, m in where.items() if m.about and u in documents}
            for k, where in mentions.items()
        }
        self.defines_of = {
            k: {u for u, m in where.items() if m.defines} for k, where in mentions.items()
        }
        per_unit: dict[int, list[tuple[int, str]]] = defaultdict(list)
        per_sentence: dict[tuple[int, int], list[str]] = defaultdict(list)
        for key, where in mentions.items():
            for unit, mention in where.items():
                per_unit[unit].append((-(mention.count + 100 * mention.about), key))
                for number in mention.sentences:
                    per_sentence[(unit, number)].append(key)
        self.together = Counter()
        for ranked in per_unit.values():
            if len(ranked) > MAX_PAIRS_PER_UNIT:
                ranked = heapq.nsmallest(MAX_PAIRS_PER_UNIT, ranked)
            keys = sorted(k for _, k in ranked)
            self.together.update(itertools.combinations(keys, 2))
        self.sentences_together = Counter()
        for keys in per_sentence.values():
            if 1 < len(keys) <= 12:
                self.sentences_together.update(itertools.combinations(sorted(keys), 2))
        self.cues = _by_pair(self.index.cues)
        self.genera = _by_pair(self.index.genera)
        self.uses = _by_pair(self.index.uses)
        self.recalls = _by_pair(self.index.recalls)
        self.paths = _by_pair(self.index.paths)
        self.spelled = _by_pair(self.index.spelled)

    def pairs(self) -> set[tuple[str, str]]:
        """The pairs worth weighing: sharing texts, or tied by a statement or a name."""
        found = {p for p, n in self.together.items() if n >= MIN_SHARED}
        stated = itertools.chain(
            self.cues, self.genera, self.uses, self.recalls, self.spelled, self.paths
        )
        found |= {_pair(a, b) for a, b in stated}
        for high, low in self._named_pairs():
            found.add(_pair(low, high))
        found |= {_pair(a, b) for a, b in self._filed}
        for high, units in self.defines_of.items():  # a title naming what its page builds on
            for unit in units:
                for low in self.title_named.get(unit, set()) - {high}:
                    found.add(_pair(low, high))
        return found

    def name(self, key: str) -> str:
        return self.index.concepts[key].name

    @functools.cached_property
    def names(self) -> dict[str, list[list[str]]]:
        """Each concept's names as folded word lists, for the naming signal."""
        return {
            key: [key_of(a).split() for a in dict.fromkeys([key, c.name, *c.aliases])]
            for key, c in self.index.concepts.items()
        }

    @functools.cached_property
    def spellings(self) -> dict[str, list[str]]:
        return {
            key: list(dict.fromkeys([c.name, *c.aliases])) for key, c in self.index.concepts.items()
        }

    def _named_pairs(self) -> set[tuple[str, str]]:
        """(concept, a concept its name ends in or spells inside), for the pairs to weigh."""
        by_last: dict[str, list[str]] = defaultdict(list)
        for key, names in self.names.items():
            for words in names:
                if words:
                    by_last[words[-1]].append(key)
        found = set()
        for high, names in self.names.items():
            for words in names:
                for low in by_last.get(words[-1] if words else "", ()):
                    if low != high and self._naming(low, high):
                        found.add((high, low))
        cjk = {
            k: [w[0] for w in names if len(w) == 1 and _cjk(w[0])]
            for k, names in self.names.items()
        }
        for high, longer in cjk.items():
            for low, shorter in cjk.items():
                if low != high and any(n.endswith(s) and n != s for n in longer for s in shorter):
                    found.add((high, low))
        acronyms = {k: s for k, c in self.spellings.items() for s in c if _acronym(s)}
        for high, spellings in self.spellings.items():
            for low, short in acronyms.items():
                if low != high and self._spelled_inside(short, spellings):
                    found.add((high, low))
        return found

    def votes(self, low: str, high: str) -> list[Vote]:
        """The evidence that ``high`` builds on ``low``, each piece with its weight."""
        votes: list[Vote] = []
        named = self._naming(low, high)
        if named:
            votes.append((f"naming: “{named}” contains “{self.name(low)}”", 1.5))
        h, lo = self.name(high), self.name(low)
        short_for = f"{h} is short for words naming {lo}"
        votes += _said("spelled", self.spelled, low, high, short_for, 1.0, 1.0)
        votes += _said("definition", self.genera, low, high, f"what {h} is in terms of {lo}", 1.0)
        titled = self._title(low, high)
        if titled:
            votes.append((f"title: what presents {h} is “{titled}”", 1.0))
        votes += _said("wording", self.cues, low, high, f"{h} builds on {lo}", 1.0)
        votes += _said("use", self.uses, low, high, f"{h} uses {lo}", 1.0, most=1.25)
        votes += _said("recall", self.recalls, low, high, f"{lo} was taught before {h}", 0.75, 1.0)
        votes += _said("path", self.paths, low, high, f"{lo} -> {h} in the notes", 0.75, 1.0)
        votes += self._chronology(low, high)
        votes += self._cooccurrence(low, high)
        votes += self._filing(low, high)
        votes += self._sections(low, high)
        votes += self._series(low, high)
        votes += self._journal(low, high)
        return votes

    def _naming(self, low: str, high: str) -> str | None:
        """A name of ``high`` that ends in a name of ``low`` (as whole words, or as the end of
        a run of Chinese), that raises its first word by degree ("Faster R-CNN" after "Fast
        R-CNN"), or spells an acronym of ``low`` inside one word."""
        for folded in self.names[high]:
            for words in self.names[low]:
                size = len(words)
                if (
                    size
                    and len(folded) > size
                    and folded[-size:] == words
                    and not self._coordinate(high, folded, size)
                ):
                    return " ".join(folded)
                if (
                    size > 1
                    and len(folded) == size
                    and folded[1:] == words[1:]
                    and folded[0] in (words[0] + "er", words[0] + "r")
                    and words[0].isalpha()
                ):
                    return " ".join(folded)
                if (
                    size == 1
                    and len(folded) == 1
                    and _cjk(words[0])
                    and len(folded[0]) > len(words[0])
                    and folded[0].endswith(words[0])
                ):
                    return folded[0]
        for short in self.spellings[low]:
            if _acronym(short) and self._spelled_inside(short, self.spellings[high]):
                return next(s for s in self.spellings[high] if short in s and s != short)
        return None

    def _coordinate(self, high: str, folded: list[str], size: int) -> bool:
        """ "Encoder-decoder", "编码-解码端": two ideas joined by a hyphen, not a kind of the
        second one — when what comes before the hyphen is a concept of its own too."""
        first = folded[: len(folded) - size]
        if len(first) != 1 or not any("-" in s for s in self.spellings[high]):
            return False
        return first[0] in self._one_word_names

    @functools.cached_property
    def _one_word_names(self) -> set[str]:
        """Every one-word name, and each Chinese one without its last character (编码 of
        编码器): what may stand before a hyphen as an idea of its own."""
        found = set()
        for names in self.names.values():
            for words in names:
                if len(words) == 1:
                    found.add(words[0])
                    if _cjk(words[0]):
                        found.add(words[0][:-1])
        return found

    @staticmethod
    def _spelled_inside(short: str, spellings: list[str]) -> bool:
        """ "BERT" inside "RoBERTa" or "ALBERT", "CLIP" inside "OpenCLIP": one word, written with
        the acronym's capitals, longer than it, and not merely a longer acronym ("CLI" is not
        inside "CLIP": an all-capital word must add at least two letters to a four-letter
        short name)."""
        for spelling in spellings:
            if short not in spelling or spelling == short or " " in spelling or "-" in spelling:
                continue
            rest = spelling.replace(short, "", 1)
            if re.search(r"\d", rest):
                continue
            if spelling.isupper() and (len(short) < 4 or len(rest) < 2):
                continue
            at = spelling.index(short)
            after = spelling[at + len(short) : at + len(short) + 1]
            if not spelling.isupper() and (after.isupper() or spelling[at - 1 : at].isupper()):
                continue  # "CLI" in "OpenCLIP": the capitals run on, another short name
            return True
        return False

    def _title(self, low: str, high: str) -> str | None:
        """The title of a paper or page that presents ``high`` and names ``low`` ("SimCLR - A
        Simple Framework for Contrastive Learning …"); an encyclopedia article's title is only
        its own name."""
        for unit in sorted(self.defines_of.get(high, ())):
            if self.index.units[unit].wikipedia:
                continue
            if low in self.title_named.get(unit, ()) and low not in self.defines_of:
                return self.index.units[unit].title
            if low in self.title_named.get(unit, ()) and unit not in self.defines_of[low]:
                return self.index.units[unit].title
        return None

    @functools.cached_property
    def dates(self) -> dict[str, str]:
        """Concept → the date of the first paper that presents it; where no paper says it
        presents the concept, the first paper about it (filed under it, or titled with it) that
        names it — of the papers the journal links, as near as the archive gets to when the
        idea came. A paper that merely mentions an older idea does not date it."""
        units = self.index.units
        found: dict[str, str] = {}
        for key, where in self.index.mentions.items():
            presenting = [day for u in self.defines_of[key] if (day := units[u].published)]
            naming = [  # a paper the journal files under the concept, or titled with it
                day
                for u in where
                if units[u].paper and where[u].about and (day := units[u].published)
            ]
            if presenting or naming:
                found[key] = min(presenting or naming)
        return found

    def _chronology(self, low: str, high: str) -> list[Vote]:
        a, b = self.dates.get(low), self.dates.get(high)
        if a and b and a[:7] < b[:7]:
            return [(f"chronology: papers of {a} and {b}", 0.75)]
        return []

    def _cooccurrence(self, low: str, high: str) -> list[Vote]:
        """Asymmetry: the sources about ``high`` discuss ``low`` (name it in two sentences or
        more), those about ``low`` rarely discuss ``high``. Sources that define a concept
        (by their title) speak for it first; sources about both say nothing either way."""
        about_low = (self.defines_of[low] or self.about_of[low]) - self.about_of[high]
        about_high = (self.defines_of[high] or self.about_of[high]) - self.about_of[low]
        if not about_high:  # every source about it is about both: the one that defines it
            about_high = self.defines_of[high] - self.defines_of[low]
        if not (about_low and about_high):
            return []
        up = len(about_high & self.discussed[low]) / len(about_high)
        down = len(about_low & self.discussed[high]) / len(about_low)
        if up >= 0.6 and up - down >= 0.5:
            return [
                (
                    f"asymmetry: {up:.0%} of the sources about {self.name(high)} discuss "
                    f"{self.name(low)}, {down:.0%} the other way",
                    0.5,
                )
            ]
        return []

    @functools.cached_property
    def discussed(self) -> dict[str, set[int]]:
        """Concept → the units that discuss it: name it in two sentences or more, or in their
        opening (where a text says what it builds on), not once in passing further down."""
        return {
            key: {u for u, m in where.items() if len(m.sentences) >= 2}
            for key, where in self.index.mentions.items()
        }

    @functools.cached_property
    def _filed(self) -> dict[tuple[str, str], int]:
        """(A, B) → a source the journal files under a topic line naming B whose title names
        A and not B, and which discusses B: "Well-Known CNN Architectures" filed under VGG."""
        found: dict[tuple[str, str], int] = {}
        for number, unit in enumerate(self.index.units):
            if unit.owner_type != "document" or not unit.topics:
                continue
            titled = self.title_named.get(number, set())
            filed = self.topic_named.get(number, set())
            if not titled or titled & filed:
                continue  # its title names one of its topics: it is simply about that
            for b in filed:
                if number in self.discussed.get(b, ()):
                    for a in titled:
                        found.setdefault((a, b), number)
        return found

    @functools.cached_property
    def title_named(self) -> dict[int, set[str]]:
        """Unit → the concepts its title names (a source's title is its first sentence)."""
        units = self.index.units
        return self._by_unit(lambda u, m: bool(units[u].title) and m.sentences[:1] == [0])

    @functools.cached_property
    def topic_named(self) -> dict[int, set[str]]:
        """Source (unit) → the concepts the topic lines it is filed under name."""
        units = self.index.units
        return self._by_unit(lambda u, m: m.filed and units[u].owner_type == "document")

    def _by_unit(self, keep: Callable[[int, Mention], bool]) -> dict[int, set[str]]:
        found: dict[int, set[str]] = defaultdict(set)
        for key, where in self.index.mentions.items():
            for unit, mention in where.items():
                if keep(unit, mention):
                    found[unit].add(key)
        return found

    def _filing(self, low: str, high: str) -> list[Vote]:
        unit = self._filed.get((low, high))
        if unit is None:
            return []
        title = self.index.units[unit].title
        return [(f"filing: “{title}” is filed under {self.name(high)}", 0.5)]

    @functools.cached_property
    def _section_order(self) -> dict[tuple[str, str], list[tuple[int, int, int]]]:
        """(A, B) → (unit, heading of A, heading of B) where a section on A comes before a
        sibling section on B that mentions A."""
        found: dict[tuple[str, str], list[tuple[int, int, int]]] = defaultdict(list)
        for unit, headings in self.index.headings.items():
            for siblings in _siblings(headings, len(self.index.sentences[unit])):
                for (n_a, keys_a, _), (n_b, keys_b, end_b) in itertools.combinations(siblings, 2):
                    for a in keys_a:
                        if a in keys_b:
                            continue  # "Comparing CNNs, RNNs, and Self-Attention": on both
                        lines = self.index.mentions.get(a, {}).get(unit)
                        if lines is None:
                            continue
                        used = any(n_b < line < end_b for line in lines.sentences)
                        for b in keys_b:
                            if b != a and b not in keys_a and used:
                                found[(a, b)].append((unit, n_a, n_b))
        return found

    def _sections(self, low: str, high: str) -> list[Vote]:
        places = self._section_order.get((low, high), [])
        units = sorted({u for u, _, _ in places})
        if not units:
            return []
        unit, n_a, n_b = next(p for p in places if p[0] == units[0])
        sentences = self.index.sentences[unit]
        return [
            (
                f"sections: “{sentences[n_a].lstrip('# ')}” comes before “"
                f"{sentences[n_b].lstrip('# ')}” in {self.index.units[unit].label}",
                min(1.0, 0.5 * len(units)),
            )
        ]

    @functools.cached_property
    def _lessons(self) -> dict[tuple[str, str], tuple[int, int]]:
        """(A, B) → (unit, unit) where an earlier lesson of a series is about A and a later
        one, which mentions A, about B."""
        from kgnotes.prose import site_of

        series: dict[tuple[str, str], list[int]] = defaultdict(list)
        for number, text in enumerate(self.index.units):
            if text.series:
                series[(site_of(text.label), text.series[0])].append(number)
        about: dict[int, set[str]] = defaultdict(set)
        for key, where in self.about_of.items():
            for unit in where:
                about[unit].add(key)
        found: dict[tuple[str, str], tuple[int, int]] = {}
        for members in series.values():
            members.sort(key=lambda u: self.index.units[u].series[1])  # type: ignore[index]
            for u, v in itertools.combinations(members, 2):
                if self.index.units[u].series == self.index.units[v].series:
                    continue
                for a in about[u] - about[v]:
                    if v not in self.units_of[a]:
                        continue
                    for b in about[v] - about[u]:
                        found.setdefault((a, b), (u, v))
        return found

    def _series(self, low: str, high: str) -> list[Vote]:
        place = self._lessons.get((low, high))
        if not place:
            return []
        u, v = (self.index.units[x] for x in place)
        style = u.series[0]  # type: ignore[index]
        return [
            (
                f"series: {style} {u.series[1]} ({u.title}) comes before {style} "  # type: ignore[index]
                f"{v.series[1]} ({v.title})",  # type: ignore[index]
                0.5,
            )
        ]

    @functools.cached_property
    def first_met(self) -> dict[str, str]:
        """Concept → the first journal day whose entry names it (the author's own words)."""
        units = self.index.units
        found: dict[str, str] = {}
        for key, where in self.units_of.items():
            days = [day for u in where if units[u].owner_type == "entry" and (day := units[u].day)]
            if days:
                found[key] = min(days)
        return found

    def _journal(self, low: str, high: str) -> list[Vote]:
        a, b = self.first_met.get(low), self.first_met.get(high)
        if a and b and a < b:
            return [(f"journal: first met on {a} and {b}", 0.5)]
        return []

    def evidence(self, low: str, high: str) -> list[Evidence]:
        """Sentences that support the edge: definitions and wording first, then sentences
        naming both in sources about the later concept, then anywhere."""
        found: dict[str, Evidence] = {}
        stated = self.genera.get((low, high), []) + self.cues.get((low, high), [])
        stated += self.uses.get((low, high), []) + self.recalls.get((low, high), [])
        stated += self.paths.get((low, high), [])
        stated += [  # a long form spelled out in a table or a heading says little more
            (unit, number)
            for unit, number in self.spelled.get((low, high), [])
            if _quotable(self.index.sentences[unit][number])
        ]
        for unit, number in stated:
            self._add(found, unit, number)
        shared_units = self.units_of[low] & self.units_of[high]
        about = shared_units & self.about_of[high]
        ranked = sorted(about) + sorted(shared_units - about)
        for unit in ranked:
            if len(found) >= EVIDENCE_PER_EDGE:
                break
            shared = sorted(
                set(self.index.mentions[low][unit].sentences)
                & set(self.index.mentions[high][unit].sentences)
            )
            quotable = [n for n in shared if _quotable(self.index.sentences[unit][n])]
            if quotable:
                self._add(found, unit, quotable[0])
        for unit in ranked:  # no sentence names both: where the later one's text names the first
            if found:
                break
            lines = self.index.mentions[low][unit].sentences
            for number in [n for n in lines if _quotable(self.index.sentences[unit][n])][:1]:
                self._add(found, unit, number)
        return list(found.values())[:EVIDENCE_PER_EDGE]

    def _add(self, found: dict[str, Evidence], unit: int, number: int) -> None:
        sentence = re.sub(r"\*\*|__", "", self.index.sentences[unit][number])  # Markdown bold
        sentence = re.sub(r"^(?:[-*+>]|\d+\.)\s+", "", sentence)  # a list item's marker
        if len(sentence) > 300:
            sentence = sentence[:297].rstrip() + "…"
        found.setdefault(sentence, Evidence(self.index.units[unit].label, sentence))


def _quotable(sentence: str) -> bool:
    """A sentence worth quoting as evidence: prose, not a heading, table row or link list."""
    if sentence.startswith(("#", "|", "`")) or "http" in sentence or " | " in sentence:
        return False
    if CJK_RUN.search(sentence):
        return 10 <= len(sentence) <= 300
    return 5 <= len(sentence.split()) <= 80


def _said(
    label: str,
    sentences: dict[tuple[str, str], list[tuple[int, int]]],
    low: str,
    high: str,
    claim: str,
    first: float,
    most: float = 1.5,
) -> list[Vote]:
    """A statement's vote: ``first`` for one sentence saying ``claim``, a quarter more for each
    further one, at most ``most``."""
    count = len(sentences.get((low, high), ()))
    if not count:
        return []
    weight = min(most, first + 0.25 * (count - 1))
    said = f"{count} sentences say" if count > 1 else "1 sentence says"
    return [(f"{label}: {said} {claim}", weight)]


def _by_pair(cues: list[tuple[str, str, int, int]]) -> dict[tuple[str, str], list[tuple[int, int]]]:
    found: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    for low, high, unit, sentence in cues:
        if low != high:
            found[(low, high)].append((unit, sentence))
    return found


def _siblings(
    headings: list[tuple[int, int, tuple[str, ...]]], length: int
) -> list[list[tuple[int, tuple[str, ...], int]]]:
    """Groups of sibling sections (same level, same parent), each as (heading sentence, the
    concepts it names, where the section ends)."""
    groups: dict[tuple[int, int], list[tuple[int, tuple[str, ...], int]]] = defaultdict(list)
    parents: list[tuple[int, int]] = []  # (level, heading sentence) of the open sections
    for i, (number, level, keys) in enumerate(headings):
        while parents and parents[-1][0] >= level:
            parents.pop()
        parent = parents[-1][1] if parents else -1
        end = next((n for n, lv, _ in headings[i + 1 :] if lv <= level), length)
        if keys:
            groups[(parent, level)].append((number, keys, end))
        parents.append((level, number))
    return [g for g in groups.values() if len(g) > 1]


def _acronym(spelling: str) -> bool:
    return len(spelling) >= 3 and spelling.isupper() and spelling.isalpha()


def _cjk(word: str) -> bool:
    return bool(word) and all("\u3400" <= c <= "\u9fff" for c in word)


def _acyclic(relations: list[Relation]) -> list[Relation]:
    """Drop the weakest edge of each cycle until none is left."""
    import networkx as nx

    graph: nx.DiGraph[str] = nx.DiGraph()
    for r in relations:
        graph.add_edge(r.source, r.target, weight=r.weight)
    while True:
        try:
            cycle = nx.find_cycle(graph)
        except nx.NetworkXNoCycle:
            break
        weakest = min(cycle, key=lambda e: (graph.edges[e[0], e[1]]["weight"], e[0], e[1]))
        graph.remove_edge(weakest[0], weakest[1])
    return [r for r in relations if graph.has_edge(r.source, r.target)]


def _related(facts: _Facts, linked: set[frozenset[str]]) -> list[Relation]:
    """Pairs that share texts more than chance would (NPMI), the strongest few per concept."""
    total = len(facts.index.units)
    scored: dict[tuple[str, str], float] = {}
    for (a, b), both in facts.together.items():
        if both < 2 or frozenset((a, b)) in linked or both >= total:
            continue
        p_both = both / total
        p_a, p_b = len(facts.units_of[a]) / total, len(facts.units_of[b]) / total
        npmi = math.log(p_both / (p_a * p_b)) / -math.log(p_both)
        if npmi >= RELATED_NPMI:
            scored[(a, b)] = npmi
    best: dict[str, list[tuple[float, str, str]]] = defaultdict(list)
    for (a, b), npmi in scored.items():
        best[a].append((-npmi, a, b))
        best[b].append((-npmi, a, b))
    kept = {(a, b) for ranked in best.values() for _, a, b in sorted(ranked)[:RELATED_PER_CONCEPT]}
    return [
        Relation(
            a,
            b,
            "related",
            round(scored[(a, b)], 3),
            [f"npmi {scored[(a, b)]:.2f} over {facts.together[(a, b)]} shared texts"],
            facts.evidence(a, b),
        )
        for a, b in sorted(kept)
    ]
