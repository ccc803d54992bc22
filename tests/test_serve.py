"""The search server: started by the first search, used by the next, stopped on request."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
import time
from pathlib import Path

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
        assert re.search(r"answered by kgnotes serve \(pid \d+\) in \d+ ms", second.stderr)
        assert json.loads(second.stdout) == json.loads(first.stdout)
        pid = re.search(r"kgnotes serve \(pid (\d+)\)", second.stderr).group(1)
        maps = Path(f"/proc/{pid}/maps")
        if maps.exists():  # Linux: the server encodes queries with numpy (bert.py), not torch
            assert "libtorch" not in maps.read_text()
        chinese = kgnotes("search", "没看完", "--json", env={**env, "PYTHONPROFILEIMPORTTIME": "1"})
        assert json.loads(chinese.stdout)[0]["date"] == "2024-07-28"
        imported = {line.rsplit("|", 1)[-1].strip() for line in chinese.stderr.splitlines()}
        assert "kgnotes.serve" in imported  # a served search's client: no ranking, no store
        assert not imported & {"kgnotes.search", "kgnotes.store", "numpy", "sqlite3"}
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


def test_the_server_survives_any_client_and_lives_outside_the_vault(kg, vault, tmp_path):
    import socket

    notes = tmp_path / "n.md"
    notes.write_text("# 2024-07-27\n\nmulti-head attention runs heads in parallel\n", "utf-8")
    kg("add", "--no-fetch", str(notes))
    paths = resolve_vault(vault)
    sock = socket_path(paths)
    assert vault.resolve() not in sock.resolve().parents  # synced and copied vaults stay clean
    env = {**os.environ, "KGNOTES_SERVE": "1", "KGNOTES_SERVE_IDLE": "60"}
    server = subprocess.Popen(
        [sys.executable, "-m", "kgnotes", "serve"], env=env, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 90
        while not sock.exists():
            assert time.monotonic() < deadline, "the server never came up"
            time.sleep(0.2)
        silent = socket.socket(socket.AF_UNIX)
        silent.connect(str(sock))  # connects and sends nothing, and holds on
        replies = []
        for garbage in (b"\xff\xfe not utf-8\n", b"[1, 2]\n", b"\n", b'{"op": 1}\n'):
            with socket.socket(socket.AF_UNIX) as client:
                client.settimeout(10)
                client.connect(str(sock))
                client.sendall(garbage)
                replies.append(client.recv(65536))
        assert all(b"error" in r for r in replies[:3]), replies
        found = kgnotes("-v", "search", "attention heads", "--json", env=env)
        assert "answered by kgnotes serve" in found.stderr  # while the silent one still waits
        silent.close()
        assert server.poll() is None  # alive after all of it
    finally:
        kgnotes("serve", "--stop", env=env)
        server.wait(timeout=30)


def test_a_stale_pid_file_naming_another_program_does_not_stop_a_server_starting(kg, vault):
    from kgnotes import serve

    paths = resolve_vault(vault)
    kg("status")
    pid_file = serve._pid_path(paths)
    pid_file.parent.mkdir(parents=True, exist_ok=True)
    # alive, no kgnotes, and not started by this process (the shell that did has exited)
    started = subprocess.run(
        ["sh", "-c", "sleep 60 >/dev/null 2>&1 & echo $!"], capture_output=True, text=True
    )
    sleeper = int(started.stdout)
    try:
        pid_file.write_text(str(sleeper))
        assert serve._claim(paths)  # taken over, not trusted
        assert pid_file.read_text() == str(os.getpid())
    finally:
        os.kill(sleeper, 9)
        pid_file.unlink(missing_ok=True)


def test_a_folder_where_the_socket_goes_is_one_line(kg, vault):
    paths = resolve_vault(vault)
    kg("status")
    sock = socket_path(paths)
    sock.mkdir(parents=True)
    try:
        result = kgnotes("serve", env={**os.environ, "KGNOTES_SERVE_IDLE": "5"})
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert result.stderr.strip() == (
            f"Error: {sock}: a folder where the server's socket goes — remove it"
        )
        found = kg("search", "anything")  # searching still works, in-process
        assert found.exit_code == 0
    finally:
        sock.rmdir()


def test_a_process_is_alive_until_it_ends_even_unreaped():
    from kgnotes.processes import alive

    assert alive(os.getpid())
    child = subprocess.Popen(["sleep", "30"])
    try:
        assert alive(child.pid)
        child.kill()
        deadline = time.monotonic() + 10
        while alive(child.pid):  # dead but not yet waited for: a zombie counts as gone
            assert time.monotonic() < deadline, "a killed child still counts as alive"
            time.sleep(0.05)
    finally:
        child.wait()
    assert not alive(child.pid)
