"""Moments in a video's transcript: the ``[12:05]`` marks that open its paragraphs, and the
link to a moment (``&t=725s``), so a search result from a lecture opens where it is said."""

from __future__ import annotations

import re

MARK = re.compile(r"\[(?:(\d+):)?(\d{1,2}):(\d{2})\]")


def stamp(seconds: float) -> str:
    """``[m:ss]``, or ``[h:mm:ss]`` past the hour."""
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"[{hours}:{minutes:02d}:{secs:02d}]" if hours else f"[{minutes}:{secs:02d}]"


def moment(text: str, near: int = 0) -> int | None:
    """The second of the last mark in ``text`` at or before character ``near`` (else of its
    first mark), or None where it has none."""
    marks = list(MARK.finditer(text))
    if not marks:
        return None
    before = [m for m in marks if m.start() <= near] or marks[:1]
    hours, minutes, secs = before[-1].groups()
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(secs)


def at_moment(url: str, seconds: int) -> str:
    """The video's address opening at ``seconds``."""
    return f"{url}{'&' if '?' in url else '?'}t={seconds}s"
