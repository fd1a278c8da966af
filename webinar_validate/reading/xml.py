"""XML parsing that refuses DTDs and entity declarations itself, whatever comes before them.

An entity declaration is how an XML bomb ("billion laughs") and external-entity reads work, and a
workbook Excel saved never has one. So no XML part this package reads reaches a parser that would
read a DTD: ``parse`` parses a whole small part with defusedxml (DTDs forbidden), and
``refuse_dtd`` runs expat over a part's prolog, up to its root element (the only place XML allows
a DTD), with handlers that raise on a document type declaration, an entity declaration or an
external reference. Processing instructions, comments, byte-order marks and UTF-16 are the
parser's business, not a text search's: there is no text search to fool.

calamine never expands an entity either (quick-xml reports a DTD and calamine skips it; a
reference to a declared entity is an error in calamine), but every part it reads goes through
``refuse_dtd`` first all the same.
"""

from __future__ import annotations

from typing import IO
from xml.etree.ElementTree import Element
from xml.parsers import expat

import defusedxml.ElementTree as safe_tree  # type: ignore[import-untyped] # no stubs
from defusedxml import DefusedXmlException

from webinar_validate.errors import UnreadableFile

__all__ = ["XML_SUFFIXES", "parse", "refuse_dtd", "refusing_handlers"]

XML_SUFFIXES = (".xml", ".rels", ".vml")
"""Part names that are XML by their name; other parts are checked when they are read."""
_PROLOG_CAP = 64 * 1024
_STEP = 4096


class _Declared(ValueError):
    """A DTD, an entity declaration or an external reference was met."""


class _RootReached(Exception):
    """The root element starts: no DTD can follow."""


def _declared(*args: object) -> None:
    raise _Declared("it declares a DTD or entities")


def _root(*args: object) -> None:
    raise _RootReached


def refusing_handlers(parser: expat.XMLParserType) -> None:
    """Make ``parser`` raise on a DTD, an entity declaration or an external entity reference."""
    parser.StartDoctypeDeclHandler = _declared
    parser.EntityDeclHandler = _declared
    parser.UnparsedEntityDeclHandler = _declared
    parser.NotationDeclHandler = _declared
    parser.ExternalEntityRefHandler = _declared  # type: ignore[assignment] # expat wants an int


def dtd_refused(source: str, name: str) -> UnreadableFile:
    """The error for a part that declares a DTD or entities."""
    return UnreadableFile(
        f"{source} declares a DTD or entities in {name}, which is refused for safety; save the "
        "workbook again from Excel."
    )


def refuse_dtd(source: str, name: str, member: IO[bytes]) -> None:
    """Parse the part's prolog with expat up to its root element; raise UnreadableFile when it
    declares a DTD or entities, runs past 64 KiB, or is not XML (an empty part passes)."""
    parser = expat.ParserCreate()
    refusing_handlers(parser)
    parser.StartElementHandler = _root
    seen = 0
    try:
        while chunk := member.read(_STEP):
            seen += len(chunk)
            parser.Parse(chunk, False)
            if seen > _PROLOG_CAP:
                raise UnreadableFile(
                    f"{source} has an XML part ({name}) whose preamble runs past 64 KiB, so it "
                    "cannot be checked; save the workbook again from Excel."
                )
        if seen:
            parser.Parse(b"", True)
    except _RootReached:
        return
    except _Declared:
        raise dtd_refused(source, name) from None
    except expat.ExpatError as exc:
        raise _not_xml(source, name, exc) from None


def parse(source: str, name: str, data: bytes) -> Element:
    """A whole (small) XML part as an element tree, parsed by a parser that refuses DTDs and
    entities; UnreadableFile when it declares them or is not XML."""
    try:
        root: Element = safe_tree.fromstring(data, forbid_dtd=True)
    except DefusedXmlException:
        raise dtd_refused(source, name) from None
    except safe_tree.ParseError as exc:
        raise _not_xml(source, name, exc) from None
    return root


def _not_xml(source: str, name: str, exc: Exception) -> UnreadableFile:
    """The error for a part that is not readable XML, whichever parser found it."""
    return UnreadableFile(
        f"{source} is damaged ({name} is not readable XML: {exc}); open it in Excel and save it "
        "again."
    )
