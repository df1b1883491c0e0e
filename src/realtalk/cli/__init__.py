"""The ``realtalk`` command line: ``realtalk demo`` and ``realtalk emulator``."""

from realtalk.cli.main import main

__all__ = ["main"]
