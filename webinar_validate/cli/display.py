"""What a person sees on a terminal: text escaped for one line, and standard streams that never
raise an I/O error.

Every line the command line prints goes through :func:`display`, so a control character in a file
name or a cell is shown escaped (``\\n``) and one error is one line. :class:`Guarded` wraps
standard output and standard error so that a closed pipe (``| head``) ends the run quietly and a
stream that cannot be written (``>/dev/full``) is recorded for one line on stderr, never a
traceback.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterable
from typing import Any, TextIO, cast

# C0 and C1 controls, DEL, the line and paragraph separators, and the bidirectional controls
# that reorder what is shown (a file name that reads backwards): never printed raw.
_CONTROL = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069"
    r"\ud800-\udfff]"  # and lone surrogates (a file name's undecodable bytes)
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_NON_ASCII = re.compile(r"[^\x00-\x7f]")

Pieces = Callable[[Iterable[bytes]], None]


def display(text: str) -> str:
    r"""``text`` for one line of output: control characters shown as ``\n``, ``\r``, ``\t`` or
    ``\uXXXX``, so a line break in a file name or a cell never starts a new line."""
    if text.isprintable():  # the usual case, decided in C
        return text
    return _CONTROL.sub(_escaped, text)


def counted(number: int, noun: str, plural: str | None = None) -> str:
    """``1 cell``, ``2 cells``: a count with its noun in agreement (``plural`` when it is not
    ``noun + "s"``)."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"


def listed(words: Iterable[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``: words listed as a sentence lists them."""
    items = list(words)
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def shown_value(text: str) -> str:
    r"""A cell's text as a person reads it on one line: as it is, or in straight double quotes
    when it is empty, has white space at either end or holds a character that cannot be seen.
    Such a character (a control, NBSP or any space but the plain one, a zero-width character, a
    BOM) is shown as ``\n``, ``\r``, ``\t`` or ``\uXXXX``, never as Python's repr."""
    seen = text if text.isprintable() else "".join(_visible(ch) for ch in text)
    if not text or text != text.strip() or seen != text:
        return f'"{seen}"'
    return seen


def _visible(char: str) -> str:
    if char.isprintable():
        return char
    named = _NAMED.get(char)
    if named:
        return named
    return f"\\u{ord(char):04x}" if ord(char) <= 0xFFFF else f"\\U{ord(char):08x}"


def _escaped(match: re.Match[str]) -> str:
    char = match.group()
    return _NAMED.get(char) or f"\\u{ord(char):04x}"


class Gone(Exception):
    """Standard output was closed or failed while the report was being printed."""


class Guarded:
    """A standard stream that never raises an I/O error: the first failure is kept and later
    writes are dropped. With ``stop`` set, a write after a failure raises :class:`Gone`, so a
    reporter stops formatting lines that nobody will read."""

    def __init__(self, stream: TextIO | None) -> None:
        self.stream = stream
        self.failure: OSError | ValueError | None = None
        self.stop = False

    @property
    def encoding(self) -> str:
        return getattr(self.stream, "encoding", None) or "utf-8"

    @property
    def closed_pipe(self) -> bool:
        """Whether the reader went away (``| head``), rather than a write failing."""
        return isinstance(self.failure, BrokenPipeError | ValueError)

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        # Inline, not through _put: this runs once per line of a report of a million errors.
        if self.stream is not None and self.failure is None:
            try:
                self.stream.write(text)
            except UnicodeEncodeError:  # a console that cannot show every character
                self._attempt(self.stream.write, _backslashed(text, self.encoding))
            except (OSError, ValueError) as exc:
                self._fail_on(exc)
        if self.failure is not None and self.stop:
            raise Gone
        return len(text)

    def write_pieces(self, pieces: Iterable[bytes]) -> None:
        """Write UTF-8 pieces (a JSON report): as bytes when the stream is UTF-8 over bytes."""
        if self.stream is None:
            return
        binary = getattr(self.stream, "buffer", None)
        if binary is None or not is_utf8(self.encoding):
            for piece in pieces:
                self._put(piece.decode(), _json_ascii)
                if self.failure is not None:
                    break
            return
        self.flush()
        for piece in pieces:
            if self.failure is None:
                self._attempt(binary.write, piece)
            if self.failure is not None:
                break
        if self.failure is None:
            self._attempt(binary.flush)
        self._check()

    def flush(self) -> None:
        if self.stream is not None and self.failure is None:
            self._attempt(self.stream.flush)

    def _put(self, text: str, fallback: Callable[[str, str], str]) -> None:
        stream = self.stream
        if stream is not None and self.failure is None:
            try:
                self._attempt(stream.write, text)
            except UnicodeEncodeError:  # a console that cannot show every character
                self._attempt(stream.write, fallback(text, self.encoding))
        self._check()

    def _attempt(self, action: Callable[..., object], *args: Any) -> None:
        try:
            action(*args)
        except UnicodeEncodeError:
            raise
        except (OSError, ValueError) as exc:
            self._fail_on(exc)

    def _fail_on(self, exc: OSError | ValueError) -> None:
        if isinstance(exc, ValueError) and not getattr(self.stream, "closed", False):
            raise exc  # not the stream going away: a bug, to be seen
        self._failed(exc)

    def _check(self) -> None:
        if self.failure is not None and self.stop:
            raise Gone

    def _failed(self, exc: OSError | ValueError) -> None:
        self.failure = exc
        # What Python's documentation advises for SIGPIPE: point the descriptor at devnull, so
        # that the interpreter's last flush of the bytes still buffered cannot fail again.
        with contextlib.suppress(OSError, ValueError, AttributeError):
            fd = cast(TextIO, self.stream).fileno()
            null = os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(null, fd)
            finally:
                os.close(null)


def _backslashed(text: str, encoding: str) -> str:
    return text.encode(encoding, "backslashreplace").decode(encoding, "replace")


def _json_ascii(text: str, encoding: str) -> str:
    """JSON text in ASCII: every other character as a JSON escape (valid only in strings, which
    is where a report has them)."""
    import json

    return _NON_ASCII.sub(lambda m: json.dumps(m.group())[1:-1], text)


def say(stream: Any, text: str) -> None:
    """Print one line, escaped for display."""
    print(display(text), file=stream)


def is_utf8(encoding: str) -> bool:
    import codecs

    try:
        return codecs.lookup(encoding).name == "utf-8"
    except LookupError:
        return False
