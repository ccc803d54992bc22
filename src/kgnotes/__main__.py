"""Allow ``python -m kgnotes``."""

from kgnotes.cli import main

if __name__ == "__main__":
    main()
