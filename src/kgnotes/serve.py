"""A background process that keeps the embedding model and vectors loaded, so searches after
the first answer without paying the ~5 s import of sentence-transformers.

The first search that finds no server starts one (detached) and answers in-process; later
searches ask it over a Unix socket in ``.kgnotes/`` (mode 0600). The server exits after an
idle period; a client that finds one with another kgnotes version or model stops it and starts
a fresh one. Anything that goes wrong on this path falls back to in-process search.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from kgnotes import __version__
from kgnotes.config import VaultPaths
from kgnotes.search import SearchHit, SearchOptions

log = logging.getLogger(__name__)

SOCKET_NAME = "serve.sock"
MAX_SOCKET_PATH = 100  # AF_UNIX paths are limited to about 108 bytes
DEFAULT_IDLE = 900.0


class Unavailable(Exception):
    """No usable server: the caller searches in-process instead."""


def socket_path(paths: VaultPaths) -> Path:
    return paths.state / SOCKET_NAME


def ask(
    paths: VaultPaths, model: str, query: str, options: SearchOptions, timeout: float = 30.0
) -> list[SearchHit]:
    """Search through the running server; raises Unavailable when there is none to use."""
    request = {
        "op": "search",
        "version": __version__,
        "model": model,
        "query": query,
        "options": asdict(options),
    }
    reply = _exchange(paths, request, timeout)
    if reply.get("mismatch"):
        with contextlib.suppress(Unavailable):
            _exchange(paths, {"op": "stop"}, 5.0)
        raise Unavailable(f"server runs {reply.get('version')} with {reply.get('model')}")
    if "error" in reply:
        raise Unavailable(reply["error"])
    log.info("answered by kgnotes serve (pid %s)", reply.get("pid"))
    return [SearchHit(**hit) for hit in reply["results"]]


def stop(paths: VaultPaths) -> bool:
    """Ask the server to exit; False when none was running."""
    try:
        _exchange(paths, {"op": "stop"}, 5.0)
    except Unavailable:
        return False
    return True


def _exchange(paths: VaultPaths, request: dict[str, Any], timeout: float) -> dict[str, Any]:
    path = socket_path(paths)
    if len(str(path)) > MAX_SOCKET_PATH or not path.exists():
        raise Unavailable("no server socket")
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.settimeout(timeout)
            client.connect(str(path))
            client.sendall(json.dumps(request).encode() + b"\n")
            data = b""
            while not data.endswith(b"\n"):
                chunk = client.recv(65536)
                if not chunk:
                    break
                data += chunk
        return json.loads(data)
    except (OSError, ValueError) as exc:
        raise Unavailable(f"server did not answer ({exc})") from exc


def start_background(paths: VaultPaths) -> None:
    """Start ``kgnotes serve`` detached from this terminal, unless one is already starting or
    running for this vault (its pid file says so); never raises."""
    if len(str(socket_path(paths))) > MAX_SOCKET_PATH:
        log.info("vault path too long for a Unix socket; searching in-process")
        return
    if not _claim(paths):
        return
    with contextlib.suppress(OSError):
        process = subprocess.Popen(
            [sys.executable, "-m", "kgnotes", "--vault", str(paths.root), "serve"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            close_fds=True,
        )
        _pid_path(paths).write_text(str(process.pid))


def _pid_path(paths: VaultPaths) -> Path:
    return paths.state / "serve.pid"


def _claim(paths: VaultPaths) -> bool:
    """The right to start the server: create its pid file, or replace a stale one. Without
    this, every search made while the first server loads would start another."""
    pid_file = _pid_path(paths)
    with contextlib.suppress(OSError):
        pid_file.parent.mkdir(parents=True, exist_ok=True)
    for _ in range(2):
        try:
            with open(pid_file, "x") as handle:
                handle.write(str(os.getpid()))
            return True
        except FileExistsError:
            try:
                holder = int(pid_file.read_text().strip() or 0)
            except (OSError, ValueError):
                holder = 0
            if holder and _running(holder):
                return False
            with contextlib.suppress(FileNotFoundError):
                pid_file.unlink()
        except OSError:
            return False
    return False


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def run(paths: VaultPaths, model: str, idle: float = DEFAULT_IDLE) -> None:
    """Serve searches until idle for ``idle`` seconds or asked to stop."""
    from kgnotes import embed
    from kgnotes.config import load_config
    from kgnotes.search import search
    from kgnotes.store import Store

    with contextlib.suppress(Unavailable):
        _exchange(paths, {"op": "ping"}, 2.0)
        return  # another server already answers for this vault
    pid_file = _pid_path(paths)
    paths.state.mkdir(parents=True, exist_ok=True)
    pid_file.write_text(str(os.getpid()))
    embed.load(model)  # pay the import and load once, before accepting anyone
    multilingual = embed.multilingual_name(load_config(paths))
    if multilingual:
        embed.load(multilingual)
    path = socket_path(paths)
    path.parent.mkdir(parents=True, exist_ok=True)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        old_umask = os.umask(0o177)  # the socket is created 0600: only its owner may search
        try:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
            server.bind(str(path))
        finally:
            os.umask(old_umask)
        server.listen(8)
        server.settimeout(1.0)
        last = time.monotonic()
        with Store(paths.db) as store:
            while time.monotonic() - last < idle:
                try:
                    conn, _ = server.accept()
                except TimeoutError:
                    continue
                last = time.monotonic()
                with conn:
                    if not _answer(conn, store, model, search):
                        break
    finally:
        server.close()
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        with contextlib.suppress(FileNotFoundError, ValueError):
            if int(pid_file.read_text().strip() or 0) == os.getpid():
                pid_file.unlink()


def _answer(conn: socket.socket, store, model: str, search) -> bool:
    """Handle one request; False when the server should exit."""
    conn.settimeout(30.0)
    data = b""
    while not data.endswith(b"\n"):
        chunk = conn.recv(65536)
        if not chunk:
            return True
        data += chunk
    request = json.loads(data)
    if request.get("op") == "stop":
        _send(conn, {"stopped": True, "pid": os.getpid()})
        return False
    if request.get("op") == "ping":
        _send(conn, {"pid": os.getpid(), "version": __version__, "model": model})
        return True
    if request.get("version") != __version__ or request.get("model") != model:
        _send(conn, {"mismatch": True, "version": __version__, "model": model})
        return True
    try:
        options = SearchOptions(**request["options"])
        hits = [asdict(hit) for hit in search(store, model, request["query"], options)]
        _send(conn, {"results": hits, "pid": os.getpid()})
    except Exception as exc:  # a bad request must not kill the server
        log.exception("search failed")
        _send(conn, {"error": f"{type(exc).__name__}: {exc}"})
    return True


def _send(conn: socket.socket, reply: dict[str, Any]) -> None:
    conn.sendall(json.dumps(reply, ensure_ascii=False).encode() + b"\n")
