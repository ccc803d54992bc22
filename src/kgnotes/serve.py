"""A background process that keeps the embedding model and vectors loaded, so searches after
the first answer without paying the ~5 s import of sentence-transformers.

The first search that finds no server starts one (detached) and answers in-process; later
searches ask it over a Unix socket (mode 0600) in the user's runtime directory
(``$XDG_RUNTIME_DIR``, else a private folder in the temp directory), named for the vault's real
path: not in the vault, which users sync and copy. The server exits after an idle period; a
client that finds one with another kgnotes version or model stops it and starts a fresh one.
Each client's request is read on its own thread with a deadline, so one that sends nothing or
garbage delays no one and kills nothing. Anything that goes wrong on this path falls back to
in-process search.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import queue
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kgnotes import __version__
from kgnotes.config import VaultPaths
from kgnotes.hits import SearchHit, SearchOptions
from kgnotes.processes import alive

if TYPE_CHECKING:
    from kgnotes.store import Store

log = logging.getLogger(__name__)

MAX_SOCKET_PATH = 100  # AF_UNIX paths are limited to about 108 bytes
DEFAULT_IDLE = 900.0
READ_DEADLINE = 5.0  # for a client to send its whole request
MAX_REQUEST = 1 << 20  # bytes


class Unavailable(Exception):
    """No usable server: the caller searches in-process instead."""


def runtime_dir() -> Path:
    """Where the server's socket and pid file live: ``$XDG_RUNTIME_DIR`` (per user, private,
    cleared at logout), else ``kgnotes-<uid>`` in the temp directory, made 0700."""
    base = os.environ.get("XDG_RUNTIME_DIR")
    if base and Path(base).is_dir():
        return Path(base) / "kgnotes"
    return Path(tempfile.gettempdir()) / f"kgnotes-{os.getuid()}"


def _vault_id(paths: VaultPaths) -> str:
    return hashlib.sha256(str(paths.root.resolve()).encode()).hexdigest()[:16]


def socket_path(paths: VaultPaths) -> Path:
    return runtime_dir() / f"{_vault_id(paths)}.sock"


def _private_dir() -> Path:
    """The runtime directory, created owner-only; refused if someone else owns it."""
    folder = runtime_dir()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = folder.stat()
    if info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise Unavailable(f"{folder}: not a private folder of this user")
    return folder


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
    log.info(
        "answered by kgnotes serve (pid %s) in %.0f ms",
        reply.get("pid"),
        float(reply.get("seconds", 0.0)) * 1000,
    )
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
        reply: dict[str, Any] = json.loads(data)
        return reply
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
    return runtime_dir() / f"{_vault_id(paths)}.pid"


def _claim(paths: VaultPaths) -> bool:
    """The right to start the server: create its pid file, or replace a stale one. Without
    this, every search made while the first server loads would start another."""
    pid_file = _pid_path(paths)
    try:
        _private_dir()
    except (OSError, Unavailable) as exc:
        log.info("no search server: %s", exc)
        return False
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
            if holder and alive(holder) and _is_server(holder):
                return False
            with contextlib.suppress(FileNotFoundError):
                pid_file.unlink()
        except OSError:
            return False
    return False


def _is_server(pid: int) -> bool:
    """Is process ``pid`` a kgnotes (starting or serving), not some other program that was
    given a stale pid file's number? Where /proc cannot tell, assume it is."""
    if pid == os.getpid():
        return True
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        parent = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return True
    # a server this process has just started may not have become kgnotes yet
    return parent == os.getpid() or any(b"kgnotes" in part for part in command)


def run(paths: VaultPaths, model: str, idle: float = DEFAULT_IDLE) -> None:
    """Serve searches until idle for ``idle`` seconds or asked to stop."""
    from kgnotes import embed
    from kgnotes.config import load_config
    from kgnotes.search import search
    from kgnotes.store import Store

    with contextlib.suppress(Unavailable):
        _exchange(paths, {"op": "ping"}, 2.0)
        return  # another server already answers for this vault
    from kgnotes.errors import KgnotesError

    try:
        _private_dir()
    except (OSError, Unavailable) as exc:
        raise KgnotesError(f"cannot serve searches: {exc}") from exc
    path = socket_path(paths)
    if path.is_dir():
        raise KgnotesError(f"{path}: a folder where the server's socket goes — remove it")
    pid_file = _pid_path(paths)
    pid_file.write_text(str(os.getpid()))
    embed.query_encoder(model)  # pay the load once, before accepting anyone
    multilingual = embed.multilingual_name(load_config(paths))
    if multilingual:
        embed.load(multilingual)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        old_umask = os.umask(0o177)  # the socket is created 0600: only its owner may search
        try:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
            server.bind(str(path))
        finally:
            os.umask(old_umask)
        server.listen(16)
        requests: queue.Queue[tuple[socket.socket, Any]] = queue.Queue()
        threading.Thread(target=_accept, args=(server, requests), daemon=True).start()
        last = time.monotonic()
        with Store(paths.db) as store:  # searched from this thread only: one connection
            while time.monotonic() - last < idle:
                try:
                    conn, request = requests.get(timeout=1.0)
                except queue.Empty:
                    continue
                last = time.monotonic()
                with conn, contextlib.suppress(OSError):  # OSError: the client went away
                    if not _answer(conn, request, store, model, search):
                        break
    finally:
        server.close()
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        with contextlib.suppress(FileNotFoundError, ValueError):
            if int(pid_file.read_text().strip() or 0) == os.getpid():
                pid_file.unlink()


def _read(conn: socket.socket, requests: queue.Queue) -> None:
    """Read one client's request on its own thread, within ``READ_DEADLINE``: a request (a
    JSON object), or the reason it is none. A client that sends nothing is dropped."""
    ends = time.monotonic() + READ_DEADLINE
    data = b""
    try:
        while not data.endswith(b"\n"):
            conn.settimeout(max(0.01, ends - time.monotonic()))
            chunk = conn.recv(65536)
            if not chunk:
                break
            data += chunk
            if len(data) > MAX_REQUEST:
                raise ValueError("request too large")
        request = json.loads(data.decode("utf-8"))
        if not isinstance(request, dict):
            raise ValueError("a request is a JSON object")
    except (OSError, ValueError) as exc:  # timeouts, bad bytes, bad JSON
        request = exc
    requests.put((conn, request))


def _accept(server: socket.socket, requests: queue.Queue) -> None:
    """Take each client as it comes, and read its request on a thread of its own, until the
    server socket is closed."""
    while True:
        try:
            conn, _ = server.accept()
        except OSError:
            return
        threading.Thread(target=_read, args=(conn, requests), daemon=True).start()


def _answer(
    conn: socket.socket,
    request: dict[str, Any] | Exception,
    store: Store,
    model: str,
    search: Callable[[Store, str, str, SearchOptions], list[SearchHit]],
) -> bool:
    """Handle one request; False when the server should exit."""
    if isinstance(request, Exception):
        if not isinstance(request, TimeoutError):
            _send(conn, {"error": f"bad request: {request}"})
        return True
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
        start = time.perf_counter()
        hits = [asdict(hit) for hit in search(store, model, str(request["query"]), options)]
        seconds = time.perf_counter() - start
        _send(conn, {"results": hits, "pid": os.getpid(), "seconds": seconds})
    except Exception as exc:  # a bad request must not kill the server
        log.exception("search failed")
        _send(conn, {"error": f"{type(exc).__name__}: {exc}"})
    return True


def _send(conn: socket.socket, reply: dict[str, Any]) -> None:
    conn.sendall(json.dumps(reply, ensure_ascii=False).encode() + b"\n")
