"""The search server: started by the first search, used by the next, stopped on request."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time

from kgnotes.config import resolve_vault
from kgnotes.serve import socket_path


def kgnotes(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kgnotes", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_search_starts_a_server_and_the_next_search_uses_it(kg, vault, tmp_path):
    notes = tmp_path / "n.md"
    notes.write_text(
        "# 2024-07-27\n\nmulti-head attention runs heads in parallel\n\n"
        "# 2024-07-28\n\n自注意力（没看完）\n",
        encoding="utf-8",
    )
    kg("add", "--no-fetch", str(notes))
    env = {**os.environ, "KGNOTES_SERVE": "1", "KGNOTES_SERVE_IDLE": "60"}
    sock = socket_path(resolve_vault(vault))
    try:
        first = kgnotes("-v", "search", "attention heads", "--json", env=env)
        assert first.returncode == 0, first.stderr
        assert "searching in-process" in first.stderr
        deadline = time.monotonic() + 90
        while not sock.exists():
            assert time.monotonic() < deadline, "the server never came up"
            time.sleep(0.2)
        assert stat.S_IMODE(sock.stat().st_mode) == 0o600
        second = kgnotes("-v", "search", "attention heads", "--json", env=env)
        assert second.returncode == 0, second.stderr
        assert "answered by kgnotes serve" in second.stderr
        assert json.loads(second.stdout) == json.loads(first.stdout)
        chinese = kgnotes("search", "没看完", "--json", env=env)
        assert json.loads(chinese.stdout)[0]["date"] == "2024-07-28"
    finally:
        stopped = kgnotes("serve", "--stop", env=env)
    assert stopped.stdout.strip() == "stopped"
    deadline = time.monotonic() + 10
    while sock.exists():
        assert time.monotonic() < deadline, "the server left its socket behind"
        time.sleep(0.1)
    assert kgnotes("serve", "--stop", env=env).stdout.strip() == "no server was running"


def test_many_first_searches_start_one_server(kg, vault):
    from kgnotes.serve import start_background

    paths = resolve_vault(vault)
    kg("status")  # creates the vault
    env = {**os.environ, "KGNOTES_SERVE_IDLE": "60"}
    try:
        for _ in range(5):
            start_background(paths)
        deadline = time.monotonic() + 90
        while not socket_path(paths).exists():
            assert time.monotonic() < deadline, "the server never came up"
            time.sleep(0.2)
        running = subprocess.run(
            ["pgrep", "-f", f"kgnotes --vault {paths.root} serve"], capture_output=True, text=True
        ).stdout.split()
        assert len(running) == 1
    finally:
        kgnotes("serve", "--stop", env=env)
