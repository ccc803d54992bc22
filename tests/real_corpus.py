"""The development corpus of real pages (``../shared/corpus``, or ``$KGNOTES_TEST_CORPUS``):
served by its own ``serve.py`` and added to a vault the way its README says, for the quality
tests. It is never copied into the project; where it is absent those tests skip."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kgnotes import pipeline
from kgnotes.config import resolve_vault

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("KGNOTES_TEST_CORPUS") or ROOT.parent / "shared" / "corpus")


def add_corpus(corpus: Path, work: Path, mp: pytest.MonkeyPatch) -> Path:
    """``kgnotes add`` of the corpus journal (year 2025) into ``work/vault``, with arXiv,
    YouTube and the Wayback Machine pointed at the corpus server; the vault's path."""
    from bench.graph_quality import corpus_env, served

    with served(corpus) as port:
        for name, value in corpus_env(port).items():
            if name.startswith("KGNOTES_"):
                mp.setenv(name, value)
        notes = work / "journal.md"
        text = (corpus / "journal.md").read_text(encoding="utf-8")
        notes.write_text(text.replace("{PORT}", str(port)), encoding="utf-8")
        pipeline.add(resolve_vault(work / "vault"), [str(notes)], pipeline.AddOptions(year=2025))
    return work / "vault"
