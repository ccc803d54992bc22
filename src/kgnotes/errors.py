"""Typed errors. The CLI turns any of these into one clear line; nothing else should."""


class KgnotesError(Exception):
    """Base class: a problem the user can act on, with a message that says what to do next."""


class VaultError(KgnotesError):
    """The vault or its database cannot be opened or used."""


class VaultBusyError(VaultError):
    """Another kgnotes process holds the vault's write lock for longer than we wait."""


class NoteFileError(KgnotesError):
    """A notes file could not be read: missing, binary, empty, undecodable or too large."""

    def __init__(self, path: str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class ModelError(KgnotesError):
    """The embedding model cannot be loaded or run."""


class ConfigError(KgnotesError):
    """The config file is malformed or holds a value of the wrong type."""
