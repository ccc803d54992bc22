"""The installed ``kgnotes`` command: fast start, ``python -m``, and real processes."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("torch", "sentence_transformers", "trafilatura", "matplotlib", "transformers")
SCRIPT = Path(sys.executable).with_name("kgnotes")


def run(*args: str, env: dict[str, str], stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(args, env=env, input=stdin, capture_output=True, timeout=120)


@pytest.fixture
def env(vault):
    return {**os.environ, "KGNOTES_VAULT": str(vault)}


def test_help_imports_nothing_heavy(env):
    probe = (
        "import sys\n"
        "from kgnotes.cli import main\n"
        "sys.argv = ['kgnotes', '--help']\n"
        "try:\n    main()\n"
        "except SystemExit:\n    pass\n"
        f"print('HEAVY=' + ','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    result = run(sys.executable, "-c", probe, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode().splitlines()[-1] == "HEAVY="


@pytest.mark.skipif(not SCRIPT.exists(), reason="kgnotes is not installed next to this Python")
def test_installed_script_round_trip(env, journal_path):
    added = run(str(SCRIPT), "add", "--year", "2024", "--no-fetch", str(journal_path), env=env)
    assert added.returncode == 0, added.stderr
    status = run(str(SCRIPT), "status", "--json", env=env)
    assert json.loads(status.stdout)["links"] == 21


def test_python_dash_m(env):
    result = run(sys.executable, "-m", "kgnotes", "--help", env=env)
    assert result.returncode == 0
    assert b"Usage: kgnotes" in result.stdout


def test_errors_are_one_line_unless_asked_for_a_traceback(env, tmp_path):
    bad = tmp_path / "v"
    (bad / ".kgnotes").mkdir(parents=True)
    (bad / ".kgnotes" / "kgnotes.db").write_bytes(b"this is not a database" * 100)
    env = {**env, "KGNOTES_VAULT": str(bad)}
    result = run(sys.executable, "-m", "kgnotes", "status", env=env)
    assert result.returncode == 1
    assert result.stderr.decode().count("\n") == 1
    assert "the database is damaged" in result.stderr.decode()  # and what to do about it
    traced = run(
        sys.executable, "-m", "kgnotes", "status", env={**env, "KGNOTES_RAISE_ERRORS": "1"}
    )
    assert b"Traceback" in traced.stderr


def test_graph_files_that_are_no_pictures_need_no_matplotlib(env, journal_path, tmp_path):
    """The canvas, Mermaid and HTML page pick their colours without matplotlib; only PNG, SVG
    and PDF pictures import it."""
    added = run(sys.executable, "-m", "kgnotes", "add", "--year", "2024", "--no-fetch",
                str(journal_path), env=env)  # fmt: skip
    assert added.returncode == 0, added.stderr
    for name in ("graph.canvas", "graph.mmd", "graph.html"):
        probe = (
            "import sys\n"
            "from kgnotes.cli import main\n"
            f"sys.argv = ['kgnotes', 'graph', '-o', {str(tmp_path / name)!r}]\n"
            "try:\n    main()\n"
            "except SystemExit as exc:\n    assert not exc.code, exc.code\n"
            "from kgnotes import render\n"
            "assert render.colour(20) == '#1f77b4'  # past the palette: a large graph's colours\n"
            "print('MATPLOTLIB=' + str('matplotlib' in sys.modules))\n"
        )
        result = run(sys.executable, "-c", probe, env=env)
        assert result.returncode == 0, result.stderr
        assert result.stdout.decode().splitlines()[-1] == "MATPLOTLIB=False", name
        assert (tmp_path / name).stat().st_size > 0
