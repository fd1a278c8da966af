"""Whether two paths name one file: the one test every output path check uses (no import of
openpyxl or pandas, so the command line asks it before anything heavy is loaded); and the
overwrite policy that every output follows."""

from __future__ import annotations

import os
from pathlib import Path


def same_file(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    """Whether two paths name the same file (by inode when both exist, else by resolved path)."""
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):  # ValueError: a NUL in a path
        pass
    try:
        return Path(a).resolve() == Path(b).resolve()
    except (OSError, ValueError):
        return os.path.abspath(a) == os.path.abspath(b)


OVERWRITES = (
    "Every output (--output, --annotate, --fix, --valid-out, --invalid-out and the template "
    "command) overwrites a file that is already there; none may be an input FILE or the "
    "--schema file (refused, exit status 2)."
)
"""The overwrite policy, as ``--help`` and the README state it."""
OVERWRITES_SHORT = "an existing file is overwritten, an input never"
"""The policy in a flag's ``--help``."""


def replacing(path: str) -> str:
    """What an output's "wrote" line adds when it replaces a file: asked before it is written."""
    return ", replacing the file that was there" if os.path.isfile(path) else ""
