"""A workbook's zip entry names, checked so that every reader finds the same entry by a name.

``check_entries`` refuses, by the zip's own directory, what must not reach a reader (encryption, a
part declared over MAX_PART_BYTES or inflating like a bomb, a NUL in a name, a second Info-ZIP
name, two names that are one ignoring letter case or ``\\``); ``find_entry`` looks a part up by
its exact name, refusing one that only another spelling matches; ``link_target`` turns a
relationship target into an entry name, refusing one not written plainly; ``ambiguous`` is the
error for a workbook whose parts two readers could take differently. ``zip_parts`` resolves the
workbook's parts with them.
"""

from __future__ import annotations

import re
import struct
import zipfile

from webinar_validate.errors import UnreadableFile
from webinar_validate.reading.limits import MAX_PART_BYTES

MAX_RATIO = 100
"""Largest inflation of a part past 16 MiB: real XLSX XML deflates 5-20x, a bomb 200-1000x."""
_RATIO_GRACE = 16 * 1024 * 1024
# A path segment as Excel writes them: no escapes, no ".", "..", empty or dot-ending segment.
_SEGMENT = re.compile(r"[A-Za-z0-9_~!$'()*+,;=@.-]*[A-Za-z0-9_~!$'()*+,;=@-]")
_UNICODE_PATH = 0x7075  # Info-ZIP's second name for an entry, which calamine's zip reader uses


def ambiguous(source: str, what: str) -> UnreadableFile:
    """The error for a workbook whose parts two readers could take differently."""
    return UnreadableFile(
        f"{source}'s workbook parts are ambiguous ({what}); open it in Excel and save it again."
    )


def check_entries(source: str, zf: zipfile.ZipFile) -> dict[str, str]:
    """Refuse by the zip's own directory what must not reach a reader; the entry names by their
    folded form (letter case and ``\\`` ignored, as calamine and Excel look them up).

    The declared size is enough: both Python's zipfile and calamine's zip reader stop a member
    that inflates past its declared size.
    """
    folded: dict[str, str] = {}
    for info in zf.infolist():
        if info.flag_bits & 0x1:
            raise UnreadableFile(
                f"{source} is password-protected (encrypted); remove the password and save it "
                "again."
            )
        if info.file_size > MAX_PART_BYTES:
            raise UnreadableFile(
                f"{source} expands past the 256 MiB limit ({info.filename} unpacks to "
                f"{info.file_size / 2**20:,.0f} MiB), so it cannot be checked."
            )
        if info.file_size > _RATIO_GRACE and info.file_size > MAX_RATIO * info.compress_size:
            raise UnreadableFile(
                f"{source} is a zip bomb ({info.filename} unpacks to "
                f"{info.file_size // max(info.compress_size, 1):,} times its size), so it "
                "cannot be checked."
            )
        name = info.filename
        if info.orig_filename != name:
            raise ambiguous(source, f"the part name {info.orig_filename!r} holds a NUL character")
        other_name = _unicode_path(info.extra)
        if other_name is not None and other_name != name:
            raise ambiguous(source, f"the part {name!r} carries a second name, {other_name!r}")
        other = folded.get(_fold(name))
        if other == name:
            raise ambiguous(source, f"it holds two parts named {name!r}")
        if other is not None:
            raise ambiguous(
                source,
                f"it holds parts named {other!r} and {name!r}, which programs that ignore "
                "letter case take for one",
            )
        folded[_fold(name)] = name
    return folded


def _fold(name: str) -> str:
    return name.replace("\\", "/").casefold()


def _unicode_path(extra: bytes) -> str | None:
    """The name in an entry's Info-ZIP Unicode Path extra field, if it has one."""
    at = 0
    while at + 4 <= len(extra):
        tag, size = struct.unpack_from("<HH", extra, at)
        if tag == _UNICODE_PATH:
            return extra[at + 9 : at + 4 + size].decode("utf-8", "replace")
        at += 4 + size
    return None


def find_entry(
    source: str, zf: zipfile.ZipFile, folded: dict[str, str], name: str, what: str
) -> zipfile.ZipInfo | None:
    """The entry named exactly ``name``; None when there is none, and refused when only an
    entry spelt otherwise (another letter case, ``\\``) has that name."""
    info = zf.NameToInfo.get(name)
    if info is not None:
        return info
    other = folded.get(_fold(name))
    if other is not None:
        raise ambiguous(source, f"{what} is {name!r}, but the file holds {other!r} instead")
    return None


def link_target(source: str, base: str, target: str, what: str) -> str:
    """The entry a relationship target names (``base``: the source part's folder), refused
    unless it is written plainly, so that every reader resolves it to the same name."""
    body = target[1:] if target.startswith("/") else target
    if not body or not all(_SEGMENT.fullmatch(segment) for segment in body.split("/")):
        raise ambiguous(
            source, f"{what} is linked as {target!r}, which programs resolve to different parts"
        )
    return body if target.startswith("/") else base + body
