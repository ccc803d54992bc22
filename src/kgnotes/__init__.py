"""kgnotes: a personal knowledge graph and link archiver for learning journals."""

__version__ = "0.1.0"
