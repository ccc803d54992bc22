"""A whole-vault checker: what Obsidian (and every file system) needs of the pages kgnotes
writes. Returns a list of problems, one line each; empty means the vault is sound."""

from __future__ import annotations

import datetime
import json
import re
import unicodedata
from pathlib import Path

import yaml

from kgnotes.names import MAX_BYTES, MAX_CHARS

OURS = ("Journal", "Sources", "Concepts")
WIKILINK = re.compile(r"(?<!\\)\[\[([^\]|#^]+)(?:[#^][^\]|]*)?(?:\|[^\]]*)?\]\]")
FORBIDDEN = re.compile(r'[\\/:*?"<>|\[\]#^\x00-\x1f]')
RESERVED = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$", re.IGNORECASE)
RAW_HTML = re.compile(r"<\s*(script|iframe|object|embed|style)\b|\bon\w+\s*=|javascript:", re.I)
DATE_KEYS = ("date", "published", "archived")
SIDES = ("top", "right", "bottom", "left")


def check(root: Path) -> list[str]:
    pages = [root / "Home.md"] if (root / "Home.md").exists() else []
    for folder in OURS:
        pages += sorted((root / folder).glob("*.md"))
    problems: list[str] = []
    for folder in OURS:
        problems += check_names(root / folder)
    for page in pages:
        problems += check_page(root, page)
    if (root / "Graph.canvas").exists():
        problems += check_canvas(root, json.loads((root / "Graph.canvas").read_text("utf-8")))
    return problems


def check_names(folder: Path) -> list[str]:
    problems, seen = [], {}
    for path in sorted(folder.glob("*")):
        name = path.name
        stem = name.removesuffix(".md")
        where = f"{folder.name}/{name}"
        if FORBIDDEN.search(stem):
            problems.append(f"{where}: forbidden character in the name")
        if RESERVED.match(stem):
            problems.append(f"{where}: a reserved name on Windows")
        if stem != stem.strip(" .") or not stem:
            problems.append(f"{where}: leading or trailing dot or space")
        if len(stem) > MAX_CHARS or len(stem.encode()) > MAX_BYTES:
            problems.append(f"{where}: name too long")
        folded = unicodedata.normalize("NFC", name).casefold()
        if folded in seen:
            problems.append(f"{where}: same name as {seen[folded]} without regard to case")
        seen[folded] = name
    return problems


def check_page(root: Path, page: Path) -> list[str]:
    where = str(page.relative_to(root))
    text = page.read_text(encoding="utf-8")
    problems = []
    match = re.match(r"---\n(.*?)\n---\n", text, re.DOTALL)
    if not match:
        problems.append(f"{where}: no properties block")
    else:
        try:
            properties = yaml.safe_load(match.group(1))
            assert isinstance(properties, dict)
        except (yaml.YAMLError, AssertionError) as exc:
            problems.append(f"{where}: properties do not parse: {exc}")
        else:
            for key in DATE_KEYS:
                if key in properties and not isinstance(properties[key], datetime.date):
                    problems.append(f"{where}: {key} is not a YYYY-MM-DD date")
    body = re.sub(r"```.*?```", "", text, flags=re.DOTALL)
    for target in WIKILINK.findall(body):
        target = target.strip()
        if not ((root / f"{target}.md").exists() or (root / target).exists()):
            problems.append(f"{where}: [[{target}]] leads nowhere")
    if RAW_HTML.search(body) and where.startswith("Sources/"):
        problems.append(f"{where}: raw HTML or a script link in archived text")
    if "\n## My notes\n" not in text:
        problems.append(f"{where}: no My notes section")
    return problems


def check_canvas(root: Path, canvas: dict) -> list[str]:
    """JSON Canvas 1.0: nodes with id, type, x, y, width, height; edges between them."""
    problems, ids = [], set()
    for node in canvas.get("nodes", []):
        if node.get("id") in ids:
            problems.append(f"canvas: node id {node.get('id')} twice")
        ids.add(node.get("id"))
        if node.get("type") not in ("text", "file", "link", "group"):
            problems.append(f"canvas: node {node.get('id')} has type {node.get('type')}")
        for key in ("x", "y", "width", "height"):
            if not isinstance(node.get(key), int):
                problems.append(f"canvas: node {node.get('id')} has no integer {key}")
        if node.get("type") == "file" and not (root / node.get("file", "")).exists():
            problems.append(f"canvas: node {node.get('id')} names a missing file")
    for edge in canvas.get("edges", []):
        if edge.get("fromNode") not in ids or edge.get("toNode") not in ids:
            problems.append(f"canvas: edge {edge.get('id')} joins unknown nodes")
        for side in ("fromSide", "toSide"):
            if side in edge and edge[side] not in SIDES:
                problems.append(f"canvas: edge {edge.get('id')} has {side} {edge[side]}")
    return problems
