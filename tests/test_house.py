"""The house rules, checked on the source itself: typed, small modules, no import cycle.

A rule a reviewer has to remember is broken within a month; these fail the suite instead.
"""

import ast
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

SRC = Path(__file__).parent.parent / "src"
PACKAGE = SRC / "kgnotes"
MAX_LINES = 800
# Functions whose answer is a JSON document by design: each result's ``as_json``, the
# node-link data behind graph.html, and the JSON Canvas file.
JSON_DOCUMENTS = {"as_json", "node_link", "canvas"}


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(SRC).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def imports(name: str, path: Path, known: set[str]) -> set[str]:
    """Every kgnotes module ``name`` imports: at the top, inside functions, for types only."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            targets = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        found |= {t for t in targets if t in known and t != name}
    return found


def test_no_module_is_over_800_lines():
    long = {
        name: n
        for name, path in modules().items()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"split these modules: {long}"


def test_no_import_cycle_among_modules():
    found = modules()
    graph = nx.DiGraph()
    for name, path in found.items():
        graph.add_node(name)
        graph.add_edges_from((name, target) for target in imports(name, path, set(found)))
    cycles = list(nx.simple_cycles(graph))
    assert not cycles, " ; ".join(" -> ".join([*c, c[0]]) for c in cycles[:5])


def test_the_import_check_sees_a_cycle(tmp_path):
    """The check above, on two modules that import each other inside functions."""
    (tmp_path / "a.py").write_text("def f():\n    from pkg import b\n")
    (tmp_path / "b.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                                   "    from pkg.a import f\n")  # fmt: skip
    known = {"pkg.a", "pkg.b"}
    assert imports("pkg.a", tmp_path / "a.py", known) == {"pkg.b"}
    assert imports("pkg.b", tmp_path / "b.py", known) == {"pkg.a"}


def test_no_public_function_returns_a_record_as_a_dict():
    """Results are dataclasses; a ``dict[str, …]`` read by string keys turns a renamed field
    into a KeyError at print time. Lookup tables keyed by id (``dict[int, …]``) are fine."""
    found = []
    for name, path in modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) or not node.returns:
                continue
            returns = ast.unparse(node.returns).replace(" ", "")
            if node.name.startswith("_") or node.name in JSON_DOCUMENTS:
                continue
            if returns.startswith(("dict[str,Any]", "dict[str,object]", "list[dict[str,")):
                found.append(f"{name}.{node.name} -> {returns}")
    assert not found, found


def test_mypy_is_clean():
    """``python -m mypy`` with the project's configuration (pyproject.toml ``[tool.mypy]``)."""
    pytest.importorskip("mypy", reason="mypy is not installed (pip install -e '.[dev]')")
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "src/kgnotes"],
        cwd=SRC.parent,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
