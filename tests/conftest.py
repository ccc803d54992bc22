"""Shared fixtures: every test gets its own vault in ``tmp_path`` and a real CLI runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kgnotes.cli import cli

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def vault(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point kgnotes at a fresh vault, and keep the user's environment out of the tests."""
    for name in ("KGNOTES_RAISE_ERRORS", "KGNOTES_MAX_NOTE_MB"):
        monkeypatch.delenv(name, raising=False)
    root = tmp_path / "vault"
    monkeypatch.setenv("KGNOTES_VAULT", str(root))
    return root


@pytest.fixture
def kg():
    """Run ``kgnotes ARGS…`` in-process; returns click's Result (stdout and stderr apart)."""
    runner = CliRunner()

    def run(*args: str, input: bytes | str | None = None, expect: int = 0) -> Result:
        result = runner.invoke(cli, list(args), input=input, catch_exceptions=False)
        assert result.exit_code == expect, result.output
        return result

    return run


@pytest.fixture
def kg_json(kg):
    def run(*args: str):
        return json.loads(kg(*args, "--json").stdout)

    return run


@pytest.fixture
def journal_path() -> Path:
    return FIXTURES / "journal.md"
