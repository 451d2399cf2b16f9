"""The ``loyaltysim`` command line: :func:`main`, one module per sub-command."""

from loyaltysim.cli.main import main

__all__ = ["main"]
