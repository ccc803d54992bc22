"""Plain-text renderings of library results for the terminal (JSON goes out as it is)."""

from __future__ import annotations

import json
from typing import Any

from kgnotes.ingest import FileReport


def to_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


def file_line(report: FileReport) -> str:
    """One line per notes file: what changed."""
    if report.status == "unchanged":
        return f"{report.label}: unchanged"
    parts = [f"{report.entries} entries"]
    if report.status == "updated":
        parts.append(f"{report.entries_changed} changed, {report.entries_removed} removed")
    parts.append(f"{report.links} links ({report.new_links} new)")
    return f"{report.label}: {report.status}, " + ", ".join(parts)


def status_lines(counts: dict[str, Any]) -> list[str]:
    by_status = counts["links_by_status"]
    return [
        f"entries    {counts['entries']}",
        f"links      {counts['links']} ("
        + ", ".join(f"{n} {name}" for name, n in by_status.items())
        + ")",
        f"documents  {counts['documents']}",
        f"chunks     {counts['chunks']}",
        f"concepts   {counts['concepts']}",
        f"edges      {counts['edges']}",
    ]


def link_line(link: dict[str, Any]) -> str:
    """``2024-07-27  read/positive  video     archived  https://…  title``"""
    opinion = "/".join(x for x in (link["reading"], link["quality"]) if x) or "-"
    title = f"  {link['title']}" if link.get("title") else ""
    return (
        f"{link['first_seen']}  {opinion:<16} {link['kind']:<8} {link['status']:<9} "
        f"{link['url']}{title}"
    )
