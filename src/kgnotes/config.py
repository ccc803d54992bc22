"""Where a vault lives and what it is configured to do.

One resolver for paths (``--vault`` > ``KGNOTES_VAULT`` > ``./vault``) and one loader for
``.kgnotes/config.toml`` whose values environment variables override, so every module reads
settings the same way and tests can point everything at ``tmp_path``.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, cast

from kgnotes.errors import ConfigError

DEFAULT_VAULT = "vault"
STATE_DIR = ".kgnotes"
T = TypeVar("T")


@dataclass(frozen=True)
class Config:
    """A vault's ``config.toml`` as read: its tables, empty when there is no file. Read one
    value with ``setting``; a free-form table (``[concepts]``) with ``section``."""

    tables: Mapping[str, Any] = field(default_factory=dict)

    def section(self, name: str) -> Mapping[str, Any]:
        found = self.tables.get(name, {})
        return found if isinstance(found, Mapping) else {}


@dataclass(frozen=True)
class VaultPaths:
    """Every file kgnotes keeps inside a vault, derived from its root."""

    root: Path

    @property
    def state(self) -> Path:
        return self.root / STATE_DIR

    @property
    def db(self) -> Path:
        return self.state / "kgnotes.db"

    @property
    def archive(self) -> Path:
        return self.state / "archive"

    @property
    def config(self) -> Path:
        return self.state / "config.toml"


def resolve_vault(option: str | os.PathLike[str] | None = None) -> VaultPaths:
    """The vault from the command line, else ``KGNOTES_VAULT``, else ``./vault``."""
    chosen = option or os.environ.get("KGNOTES_VAULT") or DEFAULT_VAULT
    return VaultPaths(Path(chosen).expanduser().absolute())


def load_config(paths: VaultPaths) -> Config:
    """The vault's ``config.toml`` (empty when there is none)."""
    try:
        with paths.config.open("rb") as handle:
            return Config(tomllib.load(handle))
    except FileNotFoundError:
        return Config()
    except (tomllib.TOMLDecodeError, OSError) as exc:
        raise ConfigError(f"{paths.config}: cannot read config ({exc}) — fix or remove it") from exc


def setting(config: Config, dotted: str, env: str | None, default: T) -> T:
    """One setting: the environment variable wins, then ``config.toml``, then the default.

    The value is coerced to the default's type so a typo such as ``concurrency = "eight"``
    fails here with the key's name rather than deep inside a worker.
    """
    raw: Any = os.environ.get(env) if env else None
    source = env
    if raw is None:
        node: Any = config.tables
        for part in dotted.split("."):
            if not isinstance(node, dict) or part not in node:
                return default
            node = node[part]
        raw, source = node, dotted
    return cast(T, _coerce(raw, default, source or dotted))


def _coerce(raw: Any, default: Any, name: str) -> Any:
    if default is None or (isinstance(raw, type(default)) and not isinstance(raw, bool)):
        return raw
    try:
        if isinstance(default, bool):
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in {"1", "true", "yes", "on"}:
                return True
            if text in {"0", "false", "no", "off"}:
                return False
            raise ValueError(raw)
        return type(default)(raw)
    except (TypeError, ValueError) as exc:
        expected = type(default).__name__
        raise ConfigError(f"{name}: expected {expected}, got {raw!r}") from exc
