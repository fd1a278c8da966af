"""Refusal of XML that declares a DTD or entities, before any parser sees the part.

An entity declaration is how an XML bomb ("billion laughs") and external-entity reads work, and
a workbook Excel saved never has one. The prolog (everything before the root element) is read,
comments skipped, in the part's own encoding (UTF-8 or UTF-16), up to 64 KiB.
"""

from __future__ import annotations

import codecs
import re
import zipfile

from webinar_validate.errors import UnreadableFile

XML_SUFFIXES = (".xml", ".rels", ".vml")
"""Part names that are XML by their name; other parts are checked when they are parsed."""
_PROLOG_CAP = 64 * 1024
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_ROOT_TAG = re.compile(r"<[A-Za-z_]")
_DTD = re.compile(r"<!(?:DOCTYPE|ENTITY)", re.I)


def check_prolog(source: str, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Refuse an XML part that declares a DTD or entities before its root element."""
    with zf.open(info) as member:
        data = member.read(4096)
        while True:
            if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\0" in data[:4]:
                big_endian = data.startswith(codecs.BOM_UTF16_BE) or data[:1] == b"\0"
                text = data.decode("utf-16-be" if big_endian else "utf-16-le", "ignore")
            else:
                text = data.decode("latin-1")
            text = _COMMENT.sub("", text)
            unclosed = text.find("<!--")
            if unclosed >= 0:
                text = text[:unclosed]
            root = _ROOT_TAG.search(text)
            if _DTD.search(text, 0, root.start() if root else len(text)):
                raise UnreadableFile(
                    f"{source} declares a DTD or entities in {info.filename}, which is refused "
                    "for safety; save the workbook again from Excel."
                )
            more = b"" if root else member.read(4096)
            if not more:
                return
            data += more
            if len(data) > _PROLOG_CAP:
                raise UnreadableFile(
                    f"{source} has an XML part ({info.filename}) whose preamble runs past "
                    "64 KiB, so it cannot be checked; save the workbook again from Excel."
                )
