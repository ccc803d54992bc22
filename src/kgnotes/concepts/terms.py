"""Where concept names come from, and what no concept is named like.

People mark the terms of their field in a few ways, and each is a place to look: the author's
own topic lines; titles (of articles, Wikipedia pages, papers: "BERT: Pre-training of …");
section headings ("2.1.4 自注意力", "YOLO - You Only Look Once"); short names a text defines
("Vision Transformer (ViT)", "掩码语言模型（Masked Language Model，MLM）"); the name a paper's
abstract presents ("Introduces the Transformer", "Describes BERT, a …"); and bold type.

Just as plain are the things that are not ideas: identifiers (``d_model``, ``nn.Linear``,
``forward()``, ``MultiHeadAttention``), people ("Graves et al., 2013"), generic section names
("Conclusion", "Usage", "简介") and sentences. These are refused here, whatever their source.

Pure functions over strings.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterable, Iterator

from kgnotes.cjk import CJK_CHARS, CJK_RUN
from kgnotes.concepts.vocabulary import (
    CJK_FUNCTION,
    CJK_GENERIC,
    CJK_QUESTIONS,
    CJK_VERBS,
    FUNCTION_WORDS,
    GENERIC_HEADS,
    GENERIC_PHRASES,
    GENERIC_SECTIONS,
    INNER_FUNCTION,
    LEADING_MODIFIERS,
    LEADING_PREPOSITIONS,
    STEP_GERUNDS,
    STEP_VERBS,
    STOPWORDS,
    TRAILING_GENERIC,
    word_set,
)

_WORD = re.compile(f"[A-Za-z0-9]+(?:['’][a-z]+)?|[{CJK_CHARS}]+")


_NUMBERING = re.compile(
    r"^\s*(?:(?:\d+(?:\.\d+)*\.?)|[（(]\s*\d+\s*[)）]|[IVXLC]+\."
    r"|第\s*[0-9一二三四五六七八九十百]+\s*[章节课讲部篇]"
    r"|(?:part|step|lesson|chapter|unit|module|section)\s+\d+\s*[:.：-]?)\s*",
    re.IGNORECASE,
)


_SYMBOLS = re.compile(r"^[^\w(（]+|[^\w)）+#]+$")


_NAME_SPLIT = re.compile(
    r"\s+[-–—]+\s+|——|[:：/&|;；，,、+·]|\s(?i:and|vs\.?|versus)\s|[和与跟及]|\.\s"
)


_TOPIC_SPLIT = re.compile(r"\s*(?:[,，、/&+;；|]|\band\b|\bvs\.?\b|\bversus\b|和|与|跟)\s*")


_PARENTHETICAL = re.compile(r"\s*[(（][^)）]*[)）]\s*")


_QUESTION = re.compile(
    r"^(?:what|why|how|when|which|who)\s+(?:is|are|does|do)\s+(.+?)\s*[?？]$", re.IGNORECASE
)


_IDENTIFIER = re.compile(
    r"[A-Za-z0-9]_[A-Za-z0-9_]|\b[a-z]\w*\.[a-z_]\w*|\w\(\)|\(\s*\)|__\w"
    r"|^(?:def|class|import|from|return|lambda)\s|^(?:self|torch|nn|np|tf|os|sys)\."
)


_CAMEL = re.compile(r"^[A-Z][a-z]+(?:[A-Z][a-z]+)+$|^[a-z]+[A-Z]\w*$")


_MATH_SYMBOLS = re.compile(r"[=≈<>±×÷∑∫√^{}\\$]")


ACRONYM = re.compile(r"[(（]\s*([A-Za-z][A-Za-z0-9\-]{1,9})\s*[)）]")


_ALTERNATIVES = re.compile(  # "(ViT)", "(CNNs / ConvNets)"
    r"[(（]\s*([A-Za-z][A-Za-z0-9\-]{1,9}(?:\s*(?:/|,|，|、|or)\s*[A-Za-z][A-Za-z0-9\-]{1,9}){0,3})"
    r"\s*[)）]"
)


def tokens(name: str) -> list[str]:
    return _WORD.findall(name)


_QUANTITIES = word_set("multiple several various numerous different many few")


def plausible(name: str, max_words: int = 5, inner_words: bool = False) -> bool:
    """Could this be the name of an idea? Not a sentence, a question, a number, an
    identifier, a formula, a generic section name, nor something starting with a stopword."""
    words = tokens(name)
    if not words or len(words) > max_words or len(name) > 60 or name.endswith(("?", "？", "!")):
        return False
    if len(words) == 1 and len(words[0]) < 2:
        return False
    lower = [w.lower() for w in words]
    if lower[0] in STOPWORDS or all(w.isdigit() for w in words) or looks_like_code(name):
        return False
    if len(words) == 2 and lower[0] in _QUANTITIES:
        return False  # "multiple times", "several ways": how much, not what
    if _MATH_SYMBOLS.search(name):
        return False
    if not inner_words and any(w in INNER_FUNCTION for w in lower[1:-1]):
        return False
    if lower[-1] in INNER_FUNCTION or lower[-1] in ("and", "or", "the", "a", "an", "of"):
        return False
    plain = " ".join(lower)
    if plain in GENERIC_SECTIONS or plain in GENERIC_PHRASES or plain in GENERIC_HEADS:
        return False
    cjk = "".join(CJK_RUN.findall(name))
    return not cjk or plausible_cjk(cjk)


def plausible_cjk(cjk: str) -> bool:
    """A run of Chinese that could be a term: short, no particles, verbs or question words."""
    return (
        2 <= len(cjk) <= 8
        and not (set(cjk) & CJK_FUNCTION)
        and not (set(cjk) & CJK_VERBS)
        and not cjk.startswith(CJK_QUESTIONS)
        and cjk not in CJK_GENERIC
    )


def looks_like_code(name: str) -> bool:
    """``snake_case``, ``dotted.names``, ``calls()``, dunders and Python keywords."""
    return bool(_IDENTIFIER.search(name))


def camel_case(word: str) -> bool:
    """``MultiHeadAttention``, ``LazyLinear``, ``torchVision``: a class or variable name, when
    the word lives in code (``ResNet`` and ``ImageNet`` have the shape too, and live in prose)."""
    return bool(_CAMEL.match(word))


def _clean(part: str) -> str:
    part = _PARENTHETICAL.sub(" ", part)
    part = _NUMBERING.sub("", part.strip())
    part = _SYMBOLS.sub("", part.strip()).strip()
    words = part.split()
    while len(words) > 1 and words[0].lower() in ("the", "a", "an"):
        words = words[1:]
    while len(words) > 1 and words[0].lower() in LEADING_MODIFIERS | LEADING_PREPOSITIONS:
        words = words[1:]
    while len(words) > 1 and words[-1].lower() in TRAILING_GENERIC:
        words = words[:-1]
    if len(words) > 1 and words[0].lower() == "introduction" and words[1].lower() == "to":
        words = words[2:]
    return " ".join(words)


def _mixed(part: str) -> list[str]:
    """A part mixing English and Chinese: both halves when each is a name ("SSH 密钥登录"), else
    the one that is ("搭建一个 Transformer" is Transformer)."""
    cjk_runs = CJK_RUN.findall(part)
    if not cjk_runs or not re.search(r"[A-Za-z]{2}", part):
        return [part]
    latin = " ".join(CJK_RUN.sub(" ", part).split())
    names = [latin] if latin else []
    cjk = "".join(cjk_runs)
    for suffix in ("的做法", "做法", "简介", "入门", "基础"):
        cjk = cjk.removesuffix(suffix)
    if plausible_cjk(cjk):
        names.append(cjk)
    return names


def strip_numbering(text: str) -> str:
    """A title or heading without its section numbering ("15.1. ", "第三章 ")."""
    return _NUMBERING.sub("", text.strip())


_ANCHOR = re.compile(r"\s+[#¶§🔗]+\s*$")  # a heading's permalink mark ("GPT-2 #")


def heading_names(heading: str) -> list[str]:
    """The names a section heading gives: numbering, emoji and generic words dropped, split
    at ``:``, `` - ``, ``/``, "and": "2.1.4 自注意力" → 自注意力, "R-CNN: Region-Based CNN"
    → R-CNN, Region-Based CNN; "How to install?" → nothing."""
    text = _ANCHOR.sub("", heading.lstrip("#").strip())
    if not text or text.endswith(("?", "？", "!", ":", "：")):
        return []
    text = _NUMBERING.sub("", text)
    names = []
    for part in _NAME_SPLIT.split(text):
        part = _clean(part)
        if not part:
            continue
        words = part.lower().split()
        if len(words) > 1 and words[0].endswith("ing") and words[0] != "embedding":
            continue  # "Training CLIP", "Loading models": what a section does, not a name
        if len(words) > 1 and words[0] in STEP_VERBS:
            continue  # "Prepare the data", "Compile the model": a tutorial's step
        if words[-1] in STEP_GERUNDS:
            continue  # "Text preprocessing", "Data loading": a step, named as a noun
        for name in _mixed(part):
            if plausible(name, max_words=4):
                names.append(name)
    return names


def generic_heading(heading: str) -> bool:
    """A heading with a generic part ("✍️ Exercises: Transformers", "Conclusion"): a section
    every lesson has, whatever it names besides."""
    text = _NUMBERING.sub("", heading.lstrip("#").strip())
    parts = [_clean(p).lower() for p in _NAME_SPLIT.split(text)]
    return any(p in GENERIC_SECTIONS or p in GENERIC_PHRASES for p in parts if p)


def heading_pairs(heading: str) -> list[tuple[str, str]]:
    """(short, long) when a heading gives a name and its spelled-out form side by side:
    "YOLO - You Only Look Once", "F-RCNN - Fast R-CNN", "R-CNN: Region-Based CNN"."""
    text = _NUMBERING.sub("", heading.lstrip("#").strip())
    parts = [p.strip() for p in re.split(r"\s+[-–—]+\s+|[:：]\s+", text) if p.strip()]
    pairs = []
    for a, b in itertools.pairwise(parts):
        for short, long in ((a, b), (b, a)):
            if len(short.split()) == 1 and sum(c.isupper() for c in short) >= 2:
                letters = [c.lower() for c in short if c.isalnum()]
                if covers(letters, re.findall(r"[A-Za-z0-9]+", long)):
                    pairs.append((short, long))
    return pairs


def title_names(title: str, *, paper: bool = False, wikipedia: bool = False) -> list[str]:
    """The names a title gives. A Wikipedia title is a name ("Attention (machine learning)"
    gives *Attention*); a paper names what it presents before a colon ("BERT: Pre-training of
    …"); an article's title parts of up to four words ("Introduction to Neural Networks.
    Multi-Layered Perceptron", "宫保鸡丁的做法"). A title that is the name of a work ("The
    Annotated Transformer", "Attention Is All You Need") names no idea."""
    if wikipedia:
        title = re.sub(r"\s+[-–—|]\s+Wikipedia.*$", "", title).strip()
        short = _PARENTHETICAL.sub(" ", title).strip()
        return [n for n in dict.fromkeys([short, title]) if n]
    title = _NUMBERING.sub("", title.strip())
    if paper:
        head = title.split(":")[0].strip() if ":" in title else ""
        return [head] if head and plausible(head, max_words=4) else []
    names = []
    for part in re.split(r"\s+[-–—|·]+\s+|[:：]\s*|\.\s+|[,，]\s*", title):
        words = part.split()
        if len(words) >= 3 and words[0].lower() == "the":
            continue  # "The Annotated Transformer", "The Compleat Angler"
        for piece in re.split(r"\s(?:and|&)\s", part):
            piece = _clean(piece)
            if not piece or (len(piece.split()) > 1 and _title_sentence(piece)):
                continue
            names += [n for n in _mixed(piece) if plausible(n, max_words=4)]
    return names


_TITLE_JOINS = re.compile(
    r"\s+(of|for|from|by|with|in|at|via|using|through|to|on|and|&)\s+", re.IGNORECASE
)


_TITLE_TOPICS = ("of", "for", "and", "&")  # what a paper is of or for, not what it works with


_TITLE_VERB = re.compile(r"\s+(?:is|are|was|were)\s+", re.IGNORECASE)


def paper_title_phrases(title: str) -> list[str]:
    """The ideas a paper's title names besides what it presents: the subject of a title that
    is a clause ("Language Models are Few-Shot Learners") and the noun phrases it is of or for
    ("Low-Rank Adaptation of Large Language Models", "Deep Residual Learning for Image
    Recognition") — of two to four words, not a verb's ("Improving …", "Jointly Learning");
    a one-word idea ("Attention Is All You Need") comes from the texts, not the title."""
    found = []
    for part in re.split(r"[:：]\s*", strip_numbering(title)):
        clause = _TITLE_VERB.split(part, maxsplit=1)
        # "Language Models are …": what the clause is about; else what it is of or for
        pieces = [clause[0]] if len(clause) == 2 else _title_topics(part)
        for piece in pieces:
            words = _clean(piece).split()
            while words and words[0].lower() in _TITLE_PRAISE:
                words = words[1:]  # "Very Deep …", "Efficient Estimation": how, not what
            if not 2 <= len(words) <= 4 or words[0].lower().endswith(("ing", "ly")):
                continue
            if any(w.lower().endswith("ly") for w in words) or not all(
                w[:1].isupper() or w[:1].isdigit() for w in words
            ):
                continue  # a title's phrases are in Title Case; "… at scale" is not one
            name = " ".join(words)
            rest = " ".join(tokens(name)[1:])  # "Large Language Models": an adjective leads
            if plausible(name, max_words=4) or (len(tokens(name)) > 2 and plausible(rest, 4)):
                found.append(name)
    return found


def _title_topics(part: str) -> list[str]:
    """The pieces of a title that say what the paper is: its head and what it is "of" or
    "for" ("… Adaptation of Large Language Models"), not what it works "with", "by" or "in"
    ("… Learning with Neural Networks", "… in Vector Space")."""
    pieces = _TITLE_JOINS.split(part)
    kept = [pieces[0]]
    for joiner, piece in zip(pieces[1::2], pieces[2::2], strict=True):
        if joiner.lower() in _TITLE_TOPICS:
            kept.append(piece)
    return kept


_TITLE_PRAISE = word_set(
    "very highly extremely efficient simple new novel improved improving unified fast faster "
    "scalable robust better effective towards toward"
)


def _title_sentence(piece: str) -> bool:
    """ "Attention Is All You Need", "An Image is Worth 16x16 Words": a title that is a clause."""
    lower = [w.lower() for w in piece.split()]
    return any(w in ("is", "are", "was", "all", "you", "we", "need", "your") for w in lower)


def topic_names(topic: str, acronyms: Iterable[str] = ()) -> list[str]:
    """The concepts a topic line names: ``bert gpt`` is two (both short names), ``encoder
    decoder`` one, ``GloVe 词向量`` two, ``what is linear probing?`` one, ``attention as soft
    dictionary lookup`` one (attention). Annotations in brackets are not names; a line ending
    in a colon introduces notes and names nothing."""
    line = topic.strip()
    if line.endswith((":", "：")):
        return []
    asked = _QUESTION.match(line)
    if asked:
        line = asked.group(1)
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
        if latin and cjk and re.search(r"[A-Za-z]{2}", latin):
            names += [latin] + ([cjk] if plausible_cjk(cjk) else [])
        else:
            names.append(_before_description(part))
    return [n for n in names if plausible(n, max_words=6)]


def _before_description(part: str) -> str:
    """ "attention as soft dictionary lookup" names *attention*: a topic line that describes
    its subject names what comes before the first small word."""
    words = part.split()
    for i, word in enumerate(words[1:], start=1):
        if word.lower() in INNER_FUNCTION:
            return " ".join(words[:i])
    return part


def defined_sentence(sentence: str) -> Iterator[str]:
    """Names a sentence defines: "A bottleneck layer is a layer that …" gives *bottleneck
    layer*; "X, also called Y" and "known as Y" give Y; "称为X"/"叫做X" give X."""
    match = re.match(
        r"^(?:(?i:an?|the)\s+)?([A-Za-z][\w\-]*(?:\s+[A-Za-z][\w\-]*){0,3})\s+(?:is|are)\s+"
        r"(?:an?|the)\s+\w+",
        sentence.strip(),
    )
    if match and plausible(match.group(1), max_words=4):
        yield match.group(1)
    for found in re.finditer(
        r"\b(?:called|known as|termed|dubbed|named)\s+(?:the\s+|an?\s+)?"
        r"((?:[A-Z][\w\-]*|[a-z][a-z\-]+)(?:\s+[A-Za-z][\w\-]*){0,3}?)(?=\s*[,.;:()]|\s+(?:which|that|and|or|is|are)\b)",
        sentence,
    ):
        if plausible(found.group(1), max_words=4):
            yield found.group(1)


_CAPITALISED = re.compile(
    r"(?<![A-Za-z0-9_\-\[$])[A-Z][A-Z0-9]{1,5}(?:-[A-Z0-9]{1,4})?(?![A-Za-z0-9_\]])"
)


_NOT_TERMS = word_set("OK TODO FYI PS NB ASAP TBD AM PM US UK EU PDF URL")


def capitalised_terms(sentence: str) -> Iterator[str]:
    """Short names written in capitals in the author's notes ("今天算是正式看CLIP的第一天"):
    in a learning journal these are the field's acronyms, not shouting."""
    words = re.findall(r"[A-Za-z]{2,}", sentence)
    if len(words) >= 3 and sum(w.isupper() for w in words) * 2 > len(words):
        return  # a title in capitals ("VERY DEEP CONVOLUTIONAL NETWORKS FOR …")
    for word in _CAPITALISED.findall(sentence):
        letters = sum(c.isalpha() for c in word)
        if letters >= 2 and word not in _NOT_TERMS and not word.isdigit():
            yield word


_NOTED = re.compile(r"^\s*([A-Za-z][A-Za-z0-9\- +&/]{1,40}?)\s*[：:](?!//)\s*\S")


_NOT_NOTED = word_set(
    "note notes todo ps nb update summary tip idea q a question answer edit ref refs source "
    "paper video link links example examples result results conclusion problem bug fix step "
    "tldr aside recap goal plan reading"
)


def noted_terms(sentence: str) -> Iterator[str]:
    """What the author defines in a note written "term：explanation" ("causal attention：对角线
    以上 mask 成 -inf", "skip-gram + negative sampling: …"): the words before the colon, split
    at "+" and "/", when they are a short name and not a note's label ("TODO:", "Summary:")."""
    if ":" not in sentence and "：" not in sentence:
        return
    match = _NOTED.match(sentence)
    if not match:
        return
    for part in re.split(r"\s[+/]\s|/", match.group(1)):
        name = part.strip()
        words = name.split()
        if not name or len(words) > 3 or name.lower() in _NOT_NOTED:
            continue
        if any(re.fullmatch(r"\d+[A-Za-z]?", w) for w in words):
            continue  # "GPT-2 small 124M": a model's size, not an idea
        if plausible(name, max_words=3):
            yield name


_LATIN_RUN = re.compile(r"[A-Za-z][A-Za-z\-]*(?:[ \t]+[A-Za-z][A-Za-z\-]*)+")


def embedded_phrases(sentence: str) -> Iterator[str]:
    """English phrases set into the author's Chinese ("region proposal network 替代 selective
    search", "self attention是rnn和cnn的superset"): in a bilingual journal, the words kept in
    English are the field's terms. Two to four words, each run as the author wrote it."""
    if not CJK_RUN.search(sentence):
        return
    for match in _LATIN_RUN.finditer(sentence):
        before, after = sentence[match.start() - 1 : match.start()], sentence[match.end() :][:1]
        if before in ("/", ".", ":", "@", "_") or after in ("/", ".", "(", "_", "@"):
            continue  # a path, a file, a call, an address
        name = match.group(0).strip()
        if 2 <= len(name.split()) <= 4 and plausible(name, max_words=4):
            yield name


def emphasised(text: str) -> Iterator[str]:
    """Words set in bold, as tutorials mark a term where they introduce it."""
    for match in re.finditer(r"\*\*([^*\n`]{2,50})\*\*", text):
        if match.group(1).strip().endswith((":", "：")):
            continue
        for part in re.split(r"[/／,，、]|\s(?i:and|&)\s", match.group(1)):
            name = _clean(part)
            words = name.split()
            if len(words) > 1 and words[0].lower() in STEP_VERBS:
                continue  # "**Try it out**": a step, not a term
            if name and plausible(name, max_words=4):
                yield name


def acronym_definitions(text: str) -> Iterator[tuple[str, str]]:
    """(short, long) pairs from "long form (SHORT)", in the manner of Schwartz & Hearst (2003):
    every letter of the short form in order in the words before the bracket, the first one
    starting a word; and from Chinese glossed in English, "掩码语言模型（Masked Language Model，
    MLM）" (both the English and the acronym are names of the Chinese term)."""
    for match in _ALTERNATIVES.finditer(text):  # "(ViT)", "(CNNs / ConvNets)"
        before = text[max(0, match.start() - 120) : match.start()]
        for short in re.split(r"\s*[/,，、]\s*|\s+or\s+", match.group(1)):
            short = short.strip()
            if not re.fullmatch(r"[A-Za-z][A-Za-z0-9\-]{1,9}", short):
                continue
            if sum(c.isupper() for c in short) < 2 or short.isdigit():
                continue
            long = long_form(singular_short(short), before) or long_form(short, before)
            if long:
                yield short, long


def singular_short(short: str) -> str:
    """ "CNNs" is the plural of CNN, "ConvNets" of ConvNet: compare without the s."""
    plural = short.endswith("s") and any(c.isupper() for c in short[1:-1])
    return short[:-1] if plural else short


def long_form(short: str, before: str) -> str | None:
    """The words that end ``before`` and spell ``short`` ("… the Vision Transformer" for
    ViT), or None."""
    words = long_words(before.split("\n")[-1])
    letters = [c.lower() for c in short if c.isalnum()]
    limit = min(len(letters) + 5, len(letters) * 2)
    for count in range(1, min(limit, len(words)) + 1):
        candidate = words[-count:]
        if covers(letters, candidate):
            if candidate[0].lower() in FUNCTION_WORDS:
                return None
            return " ".join(candidate)
    return None


def long_words(text: str) -> list[str]:
    """The words of a long form, hyphenated ones kept whole ("Language-Image")."""
    return re.findall(r"[A-Za-z0-9]+(?:[-–][A-Za-z0-9]+)*", text)


def covers(letters: list[str], words: list[str]) -> bool:
    """Do the short form's letters appear in order in ``words``, the first letter starting the
    first word, and every word's first letter among them (no idle words but small ones:
    "Bidirectional Encoder Representations from Transformers" is BERT)?"""
    text = " ".join(words).lower()
    if not text or not letters or text[0] != letters[0]:
        return False
    position = 0
    for letter in letters:
        position = text.find(letter, position)
        if position < 0:
            return False
        position += 1
    content = [w for w in words if w.lower() not in FUNCTION_WORDS]  # "… from Transformers"
    return all(w[0].lower() in letters for w in content) and len(content) <= len(letters)


def spells(short: str, words: list[str]) -> bool:
    """Looser than ``covers``, for a paper's own name against its title: the short form's
    letters in order through the title's content words, the first starting the first word and
    most of them starting a word, so "SimCLR" spells "A Simple Framework for Contrastive
    Learning of Visual Representations"."""
    content = [w.lower() for w in words if w.lower() not in FUNCTION_WORDS]
    letters = [c for c in short.lower() if c.isalnum()]
    if not content or not letters or content[0][0] != letters[0]:
        return False
    text = " ".join(content)
    starts = {i for i in range(len(text)) if i == 0 or text[i - 1] == " "}

    @functools.cache
    def best(i: int, position: int) -> int:
        """Most word-initial letters when matching ``letters[i:]`` from ``position``."""
        if i == len(letters):
            return 0
        found = -1
        at = text.find(letters[i], position)
        while at >= 0:
            rest = best(i + 1, at + 1)
            if rest >= 0:
                found = max(found, rest + (at in starts))
            at = text.find(letters[i], at + 1)
        return found

    initial = best(1, 1)
    return initial >= 0 and (initial + 1) * 2 >= len(letters)


_GLOSS = re.compile(
    r"([\u3400-\u4dbf\u4e00-\u9fff][\u3400-\u4dbf\u4e00-\u9fff\-－–]{1,15})\s*[（(]\s*"
    r"([A-Za-z][^（）()\n]{0,60}?)\s*[）)]"
)


_CHINESE_BRACKET = re.compile(r"[（(]\s*([\u3400-\u4dbf\u4e00-\u9fff]{2,12})\s*[）)]")


_SHORT_BEFORE = re.compile(r"(?<![\w\-])([A-Z][A-Za-z0-9\-]{1,9})\s*$")  # "CNN（卷积神经网络）"


_CUT_AFTER = (
    "称为",
    "叫做",
    "也叫",
    "简称",
    "通过",
    "采用",
    "使用",
    "一种",
    "一个",
    "即",
    "的",
    "了",
    "和",
    "与",
    "及",
    "或",
)


_LEADING = set("是")


_CITATION = re.compile(r"\bet\s+al\b|\b(?:19|20)\d\d[a-z]?\b")


def _gloss_term(run: str) -> str:
    """The term a run of Chinese ends in: cut after the last connecting word, then, if what
    is left is no term, after its last verb ("利用残差块" is 残差块; "字节对编码" stays whole,
    and is no term)."""
    for cut in _CUT_AFTER:
        if cut in run[:-1]:
            run = run[run.rindex(cut) + len(cut) :]
    while len(run) > 2 and run[0] in _LEADING:
        run = run[1:]
    if plausible_cjk(run):
        return run
    verbs = [i for i, c in enumerate(run[:-2]) if c in CJK_VERBS]
    if verbs and plausible_cjk(run[verbs[-1] + 1 :]):
        return run[verbs[-1] + 1 :]
    return ""


def glosses(text: str) -> Iterator[tuple[str, list[str]]]:
    """(Chinese term, its English names) where a text glosses one with the other:
    "自注意力（self-attention，自注意力）", "循环神经网络（Recurrent Neural Network，RNN）".
    The term is the end of the run of Chinese before the bracket, cut after the last particle
    or verb ("和残差连接" is 残差连接, "利用残差块" is 残差块); the English, each comma-separated
    name in the bracket. A citation in brackets ("(Vaswani et al., 2017)") glosses nothing.
    A short name glossed in Chinese ("CNN（卷积神经网络）") pairs the two as well."""
    for match in _GLOSS.finditer(text):
        if _CITATION.search(match.group(2)):
            continue
        term = _gloss_term(match.group(1))
        if not term:
            continue
        names = []
        for part in re.split(r"[，,、;；]", match.group(2)):
            part = part.strip()
            if part and not CJK_RUN.search(part) and plausible(part, max_words=5):
                names.append(part)
        if names:
            yield term, names
    for match in _CHINESE_BRACKET.finditer(text):  # the other way round: a short name first
        before = _SHORT_BEFORE.search(text[max(0, match.start() - 12) : match.start()])
        term = match.group(1)
        if not before or sum(c.isupper() for c in before.group(1)) < 2:
            continue
        if plausible_cjk(term) and not _remark(term):
            yield term, [before.group(1)]


def _remark(text: str) -> bool:
    """Is a bracket's Chinese what the author thought of a thing ("BERT（非常有帮助）",
    "（推荐）"), not its name? Read as the journal's notes are read."""
    from kgnotes.annotations import interpret

    note = interpret(text)
    return bool(note.reading or note.quality)


def person_words(author_fields: Iterable[str], texts: Iterable[str]) -> set[str]:
    """Lower-cased words of people's names: the authors of the archived documents, and the
    names in citations ("Graves et al., 2013", "Bahdanau et al.", "(Vaswani, 2017)")."""
    words: set[str] = set()
    for field in author_fields:
        for person in re.split(r"[;,]|\band\b", field or ""):
            words |= {w.lower() for w in re.findall(r"[^\W\d_]{2,}", person)}
    for text in texts:
        for match in re.finditer(
            r"\b([A-Z][a-z]+)(?:\s+(?:and|&)\s+([A-Z][a-z]+))?\s+et\s+al\b"
            r"|\(([A-Z][a-z]+)(?:\s+(?:and|&)\s+([A-Z][a-z]+))?,?\s+(?:19|20)\d\d[a-z]?\)",
            text,
        ):
            words |= {w.lower() for w in match.groups() if w}
    return words
