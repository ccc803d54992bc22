"""The Wayback Machine, for links that died: find the closest snapshot and capture that."""

from __future__ import annotations

import dataclasses
import json
import re
from urllib.parse import urlencode

from kgnotes.fetch import Fetcher, FetchError
from kgnotes.sources.context import Capture, Context, Endpoints, Source

DEAD_REASONS = frozenset({"http 404", "http 410", "dns", "connection"})
_SNAPSHOT = re.compile(r"(/web/\d{1,14})(/)")


def snapshot_url(url: str, fetcher: Fetcher, endpoints: Endpoints) -> str | None:
    """The closest archived copy of ``url`` per the availability API, or None."""
    response = fetcher.get(
        f"{endpoints.wayback}?{urlencode({'url': url})}", accept="application/json"
    )
    try:
        closest = json.loads(response.body).get("archived_snapshots", {}).get("closest") or {}
    except (ValueError, AttributeError):
        return None
    if not closest.get("available") or not str(closest.get("status", "200")).startswith("2"):
        return None
    # "id_" asks for the page as it was captured, without the Wayback toolbar and rewriting.
    return _SNAPSHOT.sub(r"\1id_\2", closest["url"], count=1) if closest.get("url") else None


def capture(url: str, source: Source, ctx: Context) -> Capture:
    """Capture ``url`` from its Wayback snapshot with the source that claims it."""
    snapshot = snapshot_url(url, ctx.fetcher, ctx.endpoints)
    if snapshot is None:
        raise FetchError(url, "not in wayback", "no Wayback Machine snapshot")
    captured = source.capture(url, ctx, fetch_url=snapshot)
    return dataclasses.replace(captured, via="wayback")
