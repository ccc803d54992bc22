"""Shared fixtures: every test gets its own vault in ``tmp_path``, a real CLI runner, and a
real local web server; no test can reach the internet."""

from __future__ import annotations

import ipaddress
import json
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kgnotes import pipeline
from kgnotes.cli import cli
from kgnotes.config import resolve_vault
from tests.graph_corpus import journal as graph_journal
from tests.graph_corpus import routes as graph_routes
from tests.real_corpus import CORPUS, add_corpus
from tests.webserver import Web, standard_routes

FIXTURES = Path(__file__).parent / "fixtures"
_real_getaddrinfo = socket.getaddrinfo


def _local_only(host, *args, **kwargs):
    """Resolve loopback addresses only: any other host fails as DNS would offline."""
    name = host.decode() if isinstance(host, bytes) else str(host)
    try:
        local = ipaddress.ip_address(name).is_loopback
    except ValueError:
        local = name == "localhost"
    if not local:
        raise socket.gaierror(socket.EAI_NONAME, f"tests resolve no outside host ({name})")
    return _real_getaddrinfo(host, *args, **kwargs)


@pytest.fixture(scope="session")
def web_server():
    web = Web()
    standard_routes(web)
    yield web
    web.close()


@pytest.fixture
def web(web_server):
    web_server.reset()
    return web_server


@pytest.fixture(autouse=True)
def vault(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, web_server: Web) -> Path:
    """A fresh vault; services pointed at the local server; the user's settings kept out."""
    for name in (
        "KGNOTES_RAISE_ERRORS",
        "KGNOTES_MAX_NOTE_MB",
        "KGNOTES_CONCURRENCY",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(socket, "getaddrinfo", _local_only)
    settings = {
        "KGNOTES_ARXIV_API": web_server.url("/arxiv/api/query"),
        "KGNOTES_ARXIV_PDF": web_server.url("/arxiv/pdf/"),
        "KGNOTES_YOUTUBE_OEMBED": web_server.url("/oembed"),
        "KGNOTES_YOUTUBE": web_server.url("/youtube"),
        "KGNOTES_WAYBACK_API": web_server.url("/wayback/available"),
        "KGNOTES_ARXIV_INTERVAL": "0",  # the stub needs no pacing; one test sets it
        "KGNOTES_CONNECT_TIMEOUT": "2",
        "KGNOTES_READ_TIMEOUT": "1",
        "KGNOTES_RETRIES": "2",
        "KGNOTES_BACKOFF": "0.05",
        "KGNOTES_RETRY_AFTER_CAP": "2",
        "KGNOTES_MAX_FETCH_MB": "1",
        "KGNOTES_SERVE": "0",  # tests that want the search server turn it on themselves
    }
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
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
    def run(*args: str, expect: int = 0):
        return json.loads(kg(*args, "--json", expect=expect).stdout)

    return run


@pytest.fixture
def journal_path() -> Path:
    return FIXTURES / "journal.md"


@pytest.fixture(scope="session")
def graph_vault(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The corpus journal added once, its pages and papers archived from a local server."""
    web = Web()
    graph_routes(web)
    work = tmp_path_factory.mktemp("graph")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(socket, "getaddrinfo", _local_only)
        mp.setenv("KGNOTES_ARXIV_API", web.url("/graph/arxiv/api/query"))
        mp.setenv("KGNOTES_ARXIV_PDF", web.url("/graph/arxiv/pdf/"))
        mp.setenv("KGNOTES_SERVE", "0")
        notes = work / "journal.md"
        notes.write_text(graph_journal(web.url("/graph")), encoding="utf-8")
        report = pipeline.add(
            resolve_vault(work / "vault"), [str(notes)], pipeline.AddOptions(year=2024)
        )
    web.close()
    assert report.archive is not None and not report.archive.failed_by_reason
    return work / "vault"


@pytest.fixture(scope="session")
def corpus_vault(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``../shared/corpus`` (real pages with their chrome, a journal in the seed's style,
    expectations) added once with its journal; skipped where the corpus is not (a clone on a
    user's machine has no ../shared)."""
    if not (CORPUS / "journal.md").is_file():
        pytest.skip(f"no development corpus at {CORPUS} (set KGNOTES_TEST_CORPUS to one)")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(socket, "getaddrinfo", _local_only)
        return add_corpus(CORPUS, tmp_path_factory.mktemp("corpus"), mp)


@pytest.fixture
def kgv(kg, graph_vault):
    """``kgnotes --vault <the corpus vault> ARGS…``"""
    return lambda *args, expect=0: kg("--vault", str(graph_vault), *args, expect=expect)


@pytest.fixture
def kgv_json(kgv):
    return lambda *args: json.loads(kgv(*args, "--json").stdout)
