"""Pausing the cyclic garbage collector while large row structures are built."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block; reference counting still frees.

    Reading and reporting a million rows allocate millions of small containers without cycles,
    yet each allocation burst triggers collections that walk all of them again (measured: a 1M-row
    CSV read in 5.7 s with the collector running and 2.9 s without; validating 100k rows, 9.1 s
    and 5.7 s).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
