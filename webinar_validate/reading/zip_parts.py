"""A workbook's zip entries resolved once into its parts, refused when two readers could differ.

Three programs read a workbook's parts, and Excel is the reference for what the user sees. Each
finds them its own way: calamine (the cells) looks entries up ignoring letter case and joins
relationship targets to ``xl/`` without resolving ``..``; openpyxl (the copies outputs write)
finds the workbook and the shared strings through ``[Content_Types].xml`` and normalises targets
with ``posixpath.normpath``; Excel follows the relationships and ignores letter case. So a part
is accepted only when every way names one and the same entry: entry names unique even ignoring
case, relationship targets written plainly (no ``..``, ``.``, ``//``, ``\\``, percent-escapes,
a name that only another letter case or another spelling matches), one workbook at
xl/workbook.xml, and shared strings and styles at their usual names, linked. Anything else is
refused as ambiguous (CONTRACT v2, "One truth per fact"). The checks on entry names and link
targets themselves are in ``zip_names``.

calamine then reads a zip built here (``calamine_zip``) that holds only the parts inspected,
their compressed bytes copied from the file, and relationships that name them plainly: whatever
calamine's zip reader and path handling would make of the original, it can read no other bytes.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from dataclasses import dataclass
from html import escape

from webinar_validate.errors import UnreadableFile
from webinar_validate.reading.xml import XML_SUFFIXES, parse, refuse_dtd
from webinar_validate.reading.zip_names import ambiguous, check_entries, find_entry, link_target

__all__ = ["Parts", "Sheet", "calamine_zip", "resolve"]

_SMALL_PART_CAP = 16 * 1024 * 1024

WORKBOOK = "xl/workbook.xml"
SHARED_STRINGS = "xl/sharedStrings.xml"
STYLES = "xl/styles.xml"
_WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
_PACKAGE_RELS = "_rels/.rels"
_CONTENT_TYPES = "[Content_Types].xml"
_GENERATED = frozenset({_PACKAGE_RELS, _WORKBOOK_RELS, _CONTENT_TYPES})
"""Parts that calamine_zip writes itself, or that no sheet may be."""
_READ_KINDS = frozenset({"worksheet", "chartsheet", "dialogsheet", "sharedStrings", "styles"})
"""Links whose parts calamine or openpyxl read (besides those a sheet names)."""
_WORKBOOK_TYPES = frozenset(
    "application/vnd." + kind
    for kind in (
        "openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        "openxmlformats-officedocument.spreadsheetml.template.main+xml",
        "ms-excel.sheet.macroEnabled.main+xml",
        "ms-excel.template.macroEnabled.main+xml",
    )
)
_SHARED_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_PKG_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"


@dataclass(frozen=True, slots=True)
class Sheet:
    """A sheet of the workbook, in workbook order, with the entry that holds its cells."""

    name: str
    state: str  # visible, hidden, veryHidden
    kind: str  # worksheet, chartsheet, dialogsheet, xlMacrosheet, ... ("" when unlinked)
    part: str  # the zip entry ("" when unlinked); it may be absent from the zip
    rel_id: str
    rel_type: str


@dataclass(frozen=True, slots=True)
class Parts:
    """The workbook's bytes, its zip, and the entries resolved to its parts."""

    data: bytes
    zf: zipfile.ZipFile
    sheets: list[Sheet]
    shared: str | None
    styles: str | None


@dataclass(frozen=True, slots=True)
class _Rel:
    rel_id: str
    rel_type: str
    target: str
    external: bool

    @property
    def kind(self) -> str:
        return self.rel_type.rpartition("/")[2]


def resolve(source: str, data: bytes, zf: zipfile.ZipFile) -> Parts:
    """Check the zip's entries and resolve the workbook's parts, or raise UnreadableFile."""
    folded = check_entries(source, zf)
    for info in zf.infolist():
        if not info.is_dir() and info.filename.lower().endswith(XML_SUFFIXES):
            with zf.open(info) as member:
                refuse_dtd(source, info.filename, member)
    _check_content_types(source, zf, folded)
    _check_package(source, zf, folded)
    elements = _sheet_elements(source, zf)
    roles = {rel_id: f"sheet {name!r}" for name, _state, rel_id in elements}
    rels: dict[str, _Rel] = {}
    parts: dict[str, str] = {}
    if find_entry(source, zf, folded, _WORKBOOK_RELS, "the workbook's links") is not None:
        for rel in _relationships(source, zf, _WORKBOOK_RELS):
            rels[rel.rel_id] = rel
            if rel.kind not in _READ_KINDS and rel.rel_id not in roles:
                continue  # a part no reader here reads (Excel links custom XML as ../customXml)
            what = _role(rel, roles)
            if rel.external:
                raise ambiguous(source, f"{what} is linked outside the file: {rel.target!r}")
            parts[rel.rel_id] = link_target(source, "xl/", rel.target, what)
            find_entry(source, zf, folded, parts[rel.rel_id], what)
    shared = _linked_once(source, zf, folded, rels, parts, "sharedStrings", SHARED_STRINGS)
    styles = _linked_once(source, zf, folded, rels, parts, "styles", STYLES)
    return Parts(data, zf, _sheets(source, elements, rels, parts), shared, styles)


def _role(rel: _Rel, roles: dict[str, str] | None = None) -> str:
    """What a link is for, in words: a sheet, the shared strings, the styles, another part."""
    if roles and rel.rel_id in roles:
        return roles[rel.rel_id]
    return {"sharedStrings": "the shared strings", "styles": "the styles"}.get(
        rel.kind, f"the part linked as {rel.rel_id!r}"
    )


def _read_small(source: str, zf: zipfile.ZipFile, name: str) -> bytes:
    if zf.getinfo(name).file_size > _SMALL_PART_CAP:
        raise UnreadableFile(f"{source} has an implausibly large {name}; save it again from Excel.")
    return zf.read(name)


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _relationships(source: str, zf: zipfile.ZipFile, name: str) -> list[_Rel]:
    rels = [
        _Rel(
            element.get("Id", ""),
            element.get("Type", ""),
            element.get("Target", ""),
            element.get("TargetMode", "") == "External",
        )
        for element in parse(source, name, _read_small(source, zf, name)).iter()
        if _local(element.tag) == "Relationship"
    ]
    seen: set[str] = set()
    for rel in rels:
        if rel.rel_id in seen:
            raise ambiguous(source, f"{name} has two links with the id {rel.rel_id!r}")
        seen.add(rel.rel_id)
    return rels


def _check_content_types(source: str, zf: zipfile.ZipFile, folded: dict[str, str]) -> None:
    """openpyxl finds the workbook and the shared strings by their declared content types."""
    if find_entry(source, zf, folded, _CONTENT_TYPES, "the content types") is None:
        return
    for element in parse(source, _CONTENT_TYPES, _read_small(source, zf, _CONTENT_TYPES)).iter():
        if _local(element.tag) != "Override":
            continue
        kind, part = element.get("ContentType", ""), element.get("PartName", "")
        for types, expected, role in (
            (_WORKBOOK_TYPES, "/" + WORKBOOK, "the workbook"),
            ({_SHARED_TYPE}, "/" + SHARED_STRINGS, "the shared strings"),
        ):
            if kind in types and part != expected:
                raise ambiguous(
                    source, f"{_CONTENT_TYPES} declares {part!r} as {role}, not {expected!r}"
                )


def _check_package(source: str, zf: zipfile.ZipFile, folded: dict[str, str]) -> None:
    """Excel and calamine find the workbook by _rels/.rels: it must be xl/workbook.xml."""
    if find_entry(source, zf, folded, _PACKAGE_RELS, "the package's links") is None:
        raise UnreadableFile(
            f"{source} is damaged (it has no {_PACKAGE_RELS}, which says where the workbook is); "
            "open it in Excel and save it again."
        )
    documents = [
        rel
        for rel in _relationships(source, zf, _PACKAGE_RELS)
        if rel.rel_type.endswith("/relationships/officeDocument")
    ]
    if len(documents) != 1:
        raise ambiguous(source, f"{_PACKAGE_RELS} names {len(documents)} workbooks, not one")
    target = documents[0].target
    if documents[0].external or link_target(source, "", target, "the workbook") != WORKBOOK:
        raise ambiguous(source, f"{_PACKAGE_RELS} names {target!r} as the workbook")


def _linked_once(
    source: str,
    zf: zipfile.ZipFile,
    folded: dict[str, str],
    rels: dict[str, _Rel],
    parts: dict[str, str],
    kind: str,
    usual: str,
) -> str | None:
    """The part linked as ``kind`` (shared strings, styles), which calamine and openpyxl read
    at its usual name: it must be linked at most once, at that name, and be there when linked,
    and a part at that name must be linked (Excel ignores one that is not)."""
    linked = [rel for rel in rels.values() if rel.kind == kind]
    role = _role(linked[0]) if linked else f"the part {usual}"
    if len(linked) > 1:
        raise ambiguous(source, f"the workbook links {len(linked)} parts as {role}")
    present = find_entry(source, zf, folded, usual, role) is not None
    if not linked:
        if present:
            raise ambiguous(source, f"it holds {usual}, but the workbook does not link to it")
        return None
    if parts[linked[0].rel_id] != usual:
        raise ambiguous(source, f"{role} are linked as {linked[0].target!r}, not as {usual}")
    if not present:
        raise ambiguous(source, f"{role} are linked as {usual}, which is not in the file")
    return usual


def _sheet_elements(source: str, zf: zipfile.ZipFile) -> list[tuple[str, str, str]]:
    """(name, state, link id) of each ``sheet`` child of the workbook's ``sheets``, in order."""
    elements = []
    root = parse(source, WORKBOOK, _read_small(source, zf, WORKBOOK))
    for group in root:
        if _local(group.tag) != "sheets":
            continue
        for element in group:
            if _local(element.tag) != "sheet":
                continue
            name = element.get("name", "")
            ids = [value for key, value in element.attrib.items() if _local(key) == "id"]
            if len(ids) > 1:
                raise ambiguous(source, f"sheet {name!r} has {len(ids)} links")
            elements.append((name, element.get("state", "visible"), ids[0] if ids else ""))
    return elements


def _sheets(
    source: str,
    elements: list[tuple[str, str, str]],
    rels: dict[str, _Rel],
    parts: dict[str, str],
) -> list[Sheet]:
    """The sheets with their links; refused when two share a name (ignoring case) or a part."""
    sheets: list[Sheet] = []
    names: dict[str, str] = {}
    linked: dict[str, str] = {}
    for name, state, rel_id in elements:
        rel = rels.get(rel_id)
        part = parts.get(rel_id, "")
        if name.casefold() in names:
            other = names[name.casefold()]
            raise ambiguous(source, f"two sheets are named {other!r} and {name!r}")
        names[name.casefold()] = name
        if part in linked:
            raise ambiguous(source, f"sheets {linked[part]!r} and {name!r} share one part")
        if part in _GENERATED:
            raise ambiguous(source, f"sheet {name!r} is linked to {part!r}")
        if part:
            linked[part] = name
        sheets.append(
            Sheet(
                name,
                state,
                rel.kind if rel else "",
                part,
                rel.rel_id if rel else "",
                rel.rel_type if rel else "",
            )
        )
    return sheets


def calamine_zip(parts: Parts, sheet: Sheet) -> bytes:
    """A zip of exactly what calamine is to read: the workbook, shared strings, styles and the
    one sheet's part (their compressed bytes as in the file), with relationships of our own
    that name each plainly. calamine can read no other bytes from it."""
    links = "".join(
        f'<Relationship Id="{_attr(s.rel_id)}" Type="{_attr(s.rel_type)}" '
        f'Target="{_attr("/" + s.part)}"/>'
        for s in parts.sheets
        if s.rel_id and s.part
    )
    generated = {
        _PACKAGE_RELS: f'<Relationships xmlns="{_PKG_NS}"><Relationship Id="rId1" '
        f'Type="{_DOC_REL}" Target="{WORKBOOK}"/></Relationships>',
        _WORKBOOK_RELS: f'<Relationships xmlns="{_PKG_NS}">{links}</Relationships>',
    }
    out = bytearray()
    directory = bytearray()
    count = 0
    copied = dict.fromkeys(
        name for name in (WORKBOOK, parts.shared, parts.styles, sheet.part) if name
    )
    members: list[tuple[str, bytes | zipfile.ZipInfo]] = [
        (name, text.encode()) for name, text in generated.items()
    ]
    members += [(name, parts.zf.getinfo(name)) for name in copied]
    for name, member in members:
        if isinstance(member, bytes):
            method, crc, body, size = zipfile.ZIP_STORED, zlib.crc32(member), member, len(member)
        else:
            method, crc, size = member.compress_type, member.CRC, member.file_size
            body = _compressed(parts.data, member)
        encoded = name.encode("utf-8")
        common = struct.pack("<4H3L2H", 0, method, 0, 0x21, crc, len(body), size, len(encoded), 0)
        directory += struct.pack("<4s2H", b"PK\x01\x02", 20, 20) + common
        directory += struct.pack("<3H2L", 0, 0, 0, 0, len(out)) + encoded
        out += struct.pack("<4sH", b"PK\x03\x04", 20) + common + encoded + body
        count += 1
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, len(directory), len(out), 0)
    return bytes(out + directory + end)


def _compressed(data: bytes, info: zipfile.ZipInfo) -> bytes:
    """An entry's compressed bytes, found as Python's zipfile finds them when it opens it."""
    at = info.header_offset
    header = data[at : at + 30]
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise zipfile.BadZipFile(f"bad local file header of {info.filename}")
    name_size, extra_size = struct.unpack_from("<HH", header, 26)
    name = data[at + 30 : at + 30 + name_size]
    if name.decode("utf-8" if info.flag_bits & 0x800 else "cp437") != info.orig_filename:
        raise zipfile.BadZipFile(f"the two names of {info.filename} differ")
    start = at + 30 + name_size + extra_size
    body = data[start : start + info.compress_size]
    if len(body) < info.compress_size:
        raise zipfile.BadZipFile(f"{info.filename} is cut short")
    return body


def _attr(text: str) -> str:
    """An XML attribute value's text (``&``, ``<``, ``>`` and quotes escaped): html.escape,
    because xml.sax.saxutils.quoteattr imports urllib (25 ms at start-up)."""
    return escape(text, quote=True)
