"""Signals during a write: SIGTERM and SIGINT must not leave a temporary file behind.

Their default action ends the process at once, so no ``finally`` or ``except`` runs. While an
output is written, :func:`signals_clean_up` makes them raise instead, lets the clean-up run,
then delivers the signal again with its default action, so that the process still ends by it.
No handler is left changed.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType

_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGINT") if hasattr(signal, name))


class _Signalled(BaseException):
    """SIGTERM or SIGINT arrived while an output was written (a BaseException, so that no
    ``except Exception`` on the way swallows it)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _raise_signalled(signum: int, frame: FrameType | None) -> None:
    raise _Signalled(signum)


@contextlib.contextmanager
def signals_clean_up() -> Iterator[None]:
    """While the block runs, SIGTERM and SIGINT raise instead of ending the process at once,
    so that the block's clean-up runs; then the signal is delivered again as it would have been.

    Only a signal left to its default action (which ends the process without clean-up) is
    caught; a handler someone installed, Python's KeyboardInterrupt and an ignored signal are
    left alone. Handlers can only be set on the main thread: elsewhere this does nothing. The
    previous handlers are always restored.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught = [sig for sig in _SIGNALS if signal.getsignal(sig) == signal.SIG_DFL]
    for sig in caught:
        signal.signal(sig, _raise_signalled)
    try:
        yield
    except _Signalled as exc:
        if exc.signum not in caught:  # an outer block's handler raised it: that block delivers it
            raise
        for sig in caught:
            signal.signal(sig, signal.SIG_DFL)
        caught = []
        signal.raise_signal(exc.signum)  # the default action: the process ends by the signal
        raise  # only reached if something changed the handler in between
    finally:
        for sig in caught:
            signal.signal(sig, signal.SIG_DFL)
