"""From candidate names to concepts: which candidates are names at all, which fold together
(acronyms and their expansions, glosses across languages, model versions), which survive
the scan, and what each is called and described as."""

from __future__ import annotations

import itertools
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import kgnotes.concepts.terms as terms
import kgnotes.concepts.vocabulary as vocabulary
from kgnotes import prose
from kgnotes.cjk import CJK_RUN
from kgnotes.concepts.model import (
    MIN_UNITS,
    OWN,
    SECTION,
    TOKEN,
    Concept,
    Cue,
    Mention,
    Scan,
    Settings,
    Unit,
    key_of,
    stem,
    variants,
)

_CAPITALS = re.compile(r"\b[A-Z][A-Z0-9]{1,7}s?\b")  # BERT, GPT: short names in capitals


_UNCLEAN_SPELLING = re.compile(r"[^\w\s\-–'’]")  # "Attention (machine learning" is no name


_PRESENTS = re.compile(
    r"\b(?:[Ii]ntroduces|[Pp]resents|[Dd]escribes|[Pp]roposes|[Tt]rains|[Ww]e\s+(?:introduce|"
    r"present|propose|describe))\s+(?:the\s+|a\s+|an\s+)?([A-Z][\w\-]*(?:\s+[A-Z][\w\-]*){0,3})"
)


_CALLED = re.compile(r"\b(?:called|named|dubbed|termed)\s+([A-Z][A-Za-z0-9\-]*[A-Z0-9][\w\-]*)")


class Candidates:
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
            for name in presented_names(unit, text):
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


def _aligned_headings(
    title_a: str, title_b: str, heads_a: list[str], heads_b: list[str]
) -> list[tuple[str, str]]:
    """Headings of two versions of a page that are one section: numbered alike relative to
    the title's own number, or (unnumbered, as many) in the same place."""

    def relative(title: str, heads: list[str]) -> dict[str, str]:
        own = SECTION.match(title.strip() + " ")
        prefix = own.group(1) + "." if own else ""
        found = {}
        for head in heads:
            number = SECTION.match(head)
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


def presented_names(unit: Unit, text: str) -> list[str]:
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
    words = [w.lower() for w in TOKEN.findall(name)]
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


def fold_names(found: Candidates, units: list[Unit], settings: Settings) -> dict[str, Concept]:
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
        solid = "".join(stem(w) for w in key.split())  # "pretraining" is "pre-training"
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
        and bare.split()[-1] not in vocabulary.GENERIC_HEADS
    )


def _bare(key: str) -> str | None:
    """X of "X mechanism", "X layer", "X architecture", "X network", "X model", "X机制",
    "X层": the name with its generic head taken off."""
    words = key.split()
    if len(words) > 1 and words[-1] in vocabulary.FOLDED_HEADS:
        return " ".join(words[:-1])
    if len(words) == 1 and CJK_RUN.fullmatch(key):
        for head in vocabulary.CJK_HEADS:
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


def surviving(concepts: dict[str, Concept], scan: Scan, code_words: Counter[str]) -> set[str]:
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


def only_quoted(
    concepts: dict[str, Concept],
    scan: Scan,
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


_LEARNING_KINDS = frozenset({"learning", "method", "methods", "model", "models", "approach"})


def spelled_out(
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


def join_languages(
    concepts: dict[str, Concept], scan: Scan, embed_names: Callable[[list[str]], Any]
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


def _spellings(key: str, concept: Concept, scan: Scan, most: int = 4) -> list[str]:
    """A concept's names as the texts write them most, for comparing across languages."""
    seen = [s for s, _ in scan.surface.get(key, Counter()).most_common(most)]
    return list(dict.fromkeys([*seen, *concept.aliases, key]))[:most]


def _rename(scan: Scan, old: str, new: str) -> None:
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


def choose_name(concept: Concept, seen: Counter[str], settings: Settings) -> None:
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


def describe(
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
