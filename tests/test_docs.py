"""Docs that cannot drift: every command is in the README, and every command has help."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from kgnotes.cli import cli

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_is_documented(name):
    assert re.search(rf"^### `kgnotes {name}\b", README, re.M), f"README has no section for {name}"
    assert cli.commands[name].help, f"{name} has no help text"


def test_readme_commands_exist():
    documented = set(re.findall(r"^### `kgnotes (\w+)", README, re.M))
    assert documented <= set(cli.commands)


def test_ruff_is_clean():
    ruff = Path(sys.executable).with_name("ruff")
    if not ruff.exists():
        pytest.skip("ruff is not installed (pip install -e '.[dev]')")
    result = subprocess.run(
        [str(ruff), "check", "src", "tests", "bench"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout


def test_cli_link_statuses_match_the_store():
    from kgnotes import cli as cli_module
    from kgnotes.store import LINK_STATUSES

    assert cli_module.LINK_STATUSES == LINK_STATUSES
