"""Writing a file whole or not at all: to a temporary name beside it, then renamed over it.

The temporary file is made private (``mkstemp`` gives 0600), so before the rename it is given
the mode a plain ``open`` would have given it under the user's umask: vault pages and graph
files are shared, synced and served like any other file the user makes.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def replace_atomically(path: Path, produce: Callable[[str], None], durable: bool = False) -> None:
    """Have ``produce`` write a temporary file (given its name), then put it at ``path``; with
    ``durable``, the bytes reach the disk before the rename (an archive's snapshots), so a
    crash leaves the old file or the new one, never an empty one. A temporary name starts
    with a dot: a folder's leftovers are its hidden files."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # the real suffix kept: a writer may pick its format by it (matplotlib does)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        produce(tmp)
        if durable:
            _sync(tmp)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text_atomically(path: Path, text: str) -> None:
    """``text`` as UTF-8 with ``\\n`` line ends, whole or not at all."""

    def produce(tmp: str) -> None:
        with open(tmp, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)

    replace_atomically(path, produce)


def _sync(name: str) -> None:
    fd = os.open(name, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _umask() -> int:
    """The process's umask (reading it means setting it: put it straight back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
