"""Whether two paths name one file: the one test every output path check uses (no import of
openpyxl or pandas, so the command line asks it before anything heavy is loaded)."""

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
