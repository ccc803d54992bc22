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

The rooms: ``model`` (the shapes and the keys names fold to), ``naming`` (candidates to
concepts), ``scan`` (the one pass over every text), ``kinds`` (what is a kind of what) and
``cues`` (the wording that states a relation). ``find_concepts`` puts them in order.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from kgnotes import prose
from kgnotes.concepts.matcher import Matcher
from kgnotes.concepts.model import (
    CONCEPTS_VERSION,
    Concept,
    ConceptIndex,
    Cue,
    Mention,
    Settings,
    Unit,
    key_of,
    split_sentences,
)
from kgnotes.concepts.naming import (
    Candidates,
    choose_name,
    describe,
    fold_names,
    join_languages,
    only_quoted,
    spelled_out,
    surviving,
)
from kgnotes.concepts.scan import scan_texts
from kgnotes.concepts.terms import topic_names

__all__ = [
    "CONCEPTS_VERSION",
    "Concept",
    "ConceptIndex",
    "Matcher",
    "Mention",
    "Settings",
    "Unit",
    "find_concepts",
    "key_of",
    "prepare",
    "topic_names",
]


def find_concepts(
    units: list[Unit],
    settings: Settings | None = None,
    embed_names: Callable[[list[str]], Any] | None = None,
) -> ConceptIndex:
    """Concepts named across ``units``, with where each is mentioned and what is about it."""
    settings = settings or Settings()
    units, code_words = prepare(units)
    sentences = [split_sentences(u.text) for u in units]
    found = Candidates(units, sentences)
    concepts = fold_names(found, units, settings)
    scan = scan_texts(concepts, units, sentences)
    keep = surviving(concepts, scan, code_words) - only_quoted(
        concepts, scan, found.quoted, sentences
    )
    concepts = {k: c for k, c in concepts.items() if k in keep}
    if embed_names is not None:  # names no text glosses, paired by a multilingual model
        join_languages(concepts, scan, embed_names)
        keep = set(concepts)
    mentions = {k: m for k, m in scan.mentions.items() if k in keep}

    def kept(cues: list[Cue]) -> list[Cue]:
        return [c for c in cues if c[0] in keep and c[1] in keep and c[0] != c[1]]

    headings = {
        u: [(n, level, tuple(k for k in keys if k in keep)) for n, level, keys in rows]
        for u, rows in scan.headings.items()
    }
    for key, concept in concepts.items():
        choose_name(concept, scan.surface.get(key, Counter()), settings)
        concept.description = describe(mentions[key], units, sentences)
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
        kept(spelled_out(concepts, scan.expansions)),
        kept(scan.paths),
    )


def prepare(units: list[Unit]) -> tuple[list[Unit], Counter[str]]:
    """The units as prose (code, math and each site's boilerplate out), each source's place
    in its tutorial series noted; and how often each word occurs in the code taken out."""
    cleaned: list[Unit] = []
    code_words: Counter[str] = Counter()
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
