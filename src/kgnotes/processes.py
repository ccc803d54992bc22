"""Whether a process still runs, asked the one way kgnotes asks it (the extractor workers
watching their archiver, the search server's pid file)."""

from __future__ import annotations

import os


def alive(pid: int) -> bool:
    """Whether ``pid`` still runs as a process of this user. A dead process not yet reaped (a
    zombie) counts as gone, and so does one of another user (``PermissionError``): a pid file
    naming it is stale, its number reused."""
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rsplit(b")", 1)[-1].split()[0] != b"Z"
    except OSError:  # no /proc (macOS): os.kill is all we have
        return True
