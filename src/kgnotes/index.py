"""The search index: journal blocks and archived documents cut into passages, each embedded
once and indexed for full-text search.

Incremental by content: a chunk is keyed by its owner and place, and its vector by (model,
sha256 of its text), so unchanged text is never embedded twice, edited text is re-embedded,
a new model embeds everything again, and vectors no chunk uses are dropped.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from kgnotes import embed, nearest
from kgnotes.cjk import CJK_CHARS, CJK_RUN, cjk_bigrams
from kgnotes.store import ConceptRow, JournalBlock, SourceText, Store
from kgnotes.urls import without_urls

MAX_TOKENS = 200  # all-MiniLM-L6-v2 reads 256 word pieces; leave room for the title prefix
OVERLAP_TOKENS = 30
OPENING_TOKENS = 60  # of a source's text, in its profile
NOTES_POSITION = -1  # a source's passage of the author's own words about its link
_TOKEN = re.compile(f"[{CJK_CHARS}]|[^\\W_]+", re.UNICODE)

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Chunk:
    owner_type: str
    owner_id: int
    position: int
    text: str

    @property
    def hash(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class IndexReport:
    chunks: int
    changed: int
    removed: int
    embedded: int
    model: str
    seconds: float
    device: str | None = None  # where the model embedded, when it embedded anything
    nearest: tuple[nearest.NearestReport, ...] = ()  # the approximate indexes that changed


def searchable(text: str) -> str:
    """The text the full-text index holds: the words, plus CJK bigrams so 多头 finds 多头注意力."""
    return text + "\n" + " ".join(cjk_bigrams(text))


def chunks_of_block(block: JournalBlock) -> Iterator[Chunk]:
    text = without_urls(block.text, sep="").strip()
    if block.topic and block.topic not in text:
        text = f"{block.topic}\n{text}"
    for k, passage in enumerate(passages(text)):
        yield Chunk("entry", block.entry_id, block.position * 1000 + k, passage)


def chunks_of_document(doc: SourceText) -> Iterator[Chunk]:
    """First the source's profile — its title, the author's own words about the link (topic,
    link text, notes), its description and opening — then the text in passages, each carrying
    the title so it reads on its own; last the author's words alone (topic, link text, notes:
    "contrastive learning / (这个页面加载好慢)"), a short passage that matches what they say
    closely, as anchor text does for a web page."""
    title = doc.title or doc.url
    about = [title, *doc.journal_words, doc.description or "", opening(doc.text)]
    yield Chunk("document", doc.document_id, 0, "\n".join(w for w in about if w))
    for k, passage in enumerate(passages(doc.text), start=1):
        yield Chunk("document", doc.document_id, k, f"{title}\n{passage}")
    if doc.journal_words:
        yield Chunk("document", doc.document_id, NOTES_POSITION, "\n".join(doc.journal_words))


def opening(text: str, size: int = OPENING_TOKENS) -> str:
    """The first words of a text's prose (no code, no headings' marks), for its profile."""
    from kgnotes.prose import without_code, without_code_spans

    prose = re.sub(r"^#+\s*", " ", without_code_spans(without_code(text)[0]), flags=re.MULTILINE)
    words = _TOKEN.findall(prose) if CJK_RUN.search(prose[:400]) else prose.split()
    joiner = "" if CJK_RUN.search(prose[:400]) else " "
    return joiner.join(words[:size])


def chunks_of_concept(concept: ConceptRow) -> Iterator[Chunk]:
    """A concept as one passage: its names and what it is, so ``--kind concept`` finds it by
    any alias or by a paraphrase of its description."""
    lines = [concept.name, ", ".join(concept.aliases), concept.description or ""]
    yield Chunk("concept", concept.id, 0, "\n".join(line for line in lines if line))


def passages(text: str) -> list[str]:
    """Split on blank lines and headings into passages of at most MAX_TOKENS, with overlap."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n|\n(?=#{1,6} )", text) if p.strip()]
    out: list[str] = []
    current: list[str] = []
    size = 0
    for paragraph in paragraphs:
        for piece in _pieces(paragraph):
            cost = _tokens(piece)
            if current and size + cost > MAX_TOKENS:
                out.append("\n\n".join(current))
                tail = current[-1] if _tokens(current[-1]) <= OVERLAP_TOKENS else ""
                current, size = ([tail], _tokens(tail)) if tail else ([], 0)
            current.append(piece)
            size += cost
    if current:
        out.append("\n\n".join(current))
    return out


def _pieces(paragraph: str) -> Iterator[str]:
    """A paragraph longer than a passage, cut into windows of words that overlap a little."""
    if _tokens(paragraph) <= MAX_TOKENS:
        yield paragraph
        return
    words = _TOKEN.findall(paragraph) if CJK_RUN.search(paragraph) else paragraph.split()
    joiner = "" if CJK_RUN.search(paragraph) else " "
    step = MAX_TOKENS - OVERLAP_TOKENS
    for start in range(0, len(words), step):
        yield joiner.join(words[start : start + MAX_TOKENS])


def _tokens(text: str) -> int:
    """A cheap stand-in for word pieces: words, with each CJK character counted once."""
    return len(_TOKEN.findall(text))


def build_index(
    store: Store,
    model: str,
    rebuild: bool = False,
    progress: Progress | None = None,
    multilingual: str | None = None,
    exact_below: int = nearest.EXACT_BELOW,
) -> IndexReport:
    """Bring chunks, full-text entries and vectors in line with the store's notes and documents:
    every passage embedded with ``model``, and the journal's passages and each source's
    profile also with the ``multilingual`` model, which reads across languages; then each
    model's nearest-neighbour index, once it has ``exact_below`` vectors (see nearest.py)."""
    started = time.perf_counter()
    cut = cut_passages(store, rebuild)
    todo = [(model, store.hashes_without_vectors(model))]
    if multilingual and multilingual != model:
        todo.append((multilingual, store.hashes_without_vectors(multilingual, profiles=True)))
    embedded = _embed_missing(store, todo, progress)
    synced = [nearest.sync(store, name, exact_below) for name, _ in todo]
    changed_indexes = tuple(r for r in synced if r and (r.added or r.removed or r.rebuilt))
    models = " and ".join(m for m, _ in todo) if len(todo) > 1 else model
    english = bool(todo[0][1])  # MiniLM embedded something: it is loaded, so ask it where
    device = embed.device_of(model) if english else ("cpu" if embedded else None)
    return IndexReport(
        cut.chunks,
        cut.changed,
        cut.removed,
        embedded,
        models,
        time.perf_counter() - started,
        device,
        changed_indexes,
    )


@dataclass(frozen=True)
class Cut:
    """What cutting the store's texts into passages changed."""

    chunks: int
    changed: int
    removed: int


def cut_passages(store: Store, rebuild: bool = False) -> Cut:
    """Chunks and their full-text entries in line with the notes, documents and concepts, in
    one transaction; vectors of texts no chunk has any more are dropped. Embedding is left to
    the caller (``build_index``), so a benchmark can bring vectors of its own."""
    wanted = [c for b in store.journal_blocks() for c in chunks_of_block(b)]
    wanted += [c for d in store.latest_documents() for c in chunks_of_document(d)]
    wanted += [c for k in store.concepts() for c in chunks_of_concept(k)]
    stored = store.chunk_hashes()
    changed = 0
    with store.transaction():
        if rebuild:
            store.delete_chunks([chunk_id for chunk_id, _ in stored.values()])
            stored = {}
        for chunk in wanted:
            key = (chunk.owner_type, chunk.owner_id, chunk.position)
            existing = stored.pop(key, None)
            if existing and existing[1] == chunk.hash:
                continue
            store.save_chunk(
                *key,
                chunk.text,
                chunk.hash,
                searchable(chunk.text),
                existing[0] if existing else None,
            )
            changed += 1
        store.delete_chunks([chunk_id for chunk_id, _ in stored.values()])
        store.drop_orphan_vectors()
    return Cut(len(wanted), changed, len(stored))


def _embed_missing(
    store: Store,
    todo: list[tuple[str, list[tuple[str, str]]]],
    progress: Progress | None,
    batch: int = 256,
) -> int:
    """Embed every chunk text each model has no vector for, committing batch by batch so an
    interrupted run keeps what it embedded."""
    total = sum(len(texts) for _, texts in todo)
    if progress and total:
        progress(0, total)  # the bar shows while the model loads
    done = 0
    for model, texts in todo:
        for start in range(0, len(texts), batch):
            part = texts[start : start + batch]
            vectors = embed.encode(model, [text for _, text in part])
            with store.transaction():
                store.save_vectors(
                    model,
                    [(h, embed.blob(v)) for (h, _), v in zip(part, vectors, strict=True)],
                    vectors.shape[1],
                )
            done += len(part)
            if progress:
                progress(done, total)
    return total
