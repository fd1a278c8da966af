"""webinar_validate: pre-flight a Thought Industries webinar-session bulk import.

``validate_file("sessions.xlsx")`` answers, locally and in the API's own dry-run shape, what
``POST /incoming/v2/content/session/webinar/bulk`` would accept and reject.

Names are loaded on first use, so ``webinar-validate --help`` never pays for pandas.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from webinar_validate._version import __version__

if TYPE_CHECKING:
    from webinar_validate.codes import Code
    from webinar_validate.contract import ColumnSpec, Kind, Rule, SessionContract
    from webinar_validate.errors import (
        EmptyFile,
        FileNotFound,
        HeaderError,
        TooManyRows,
        UnreadableFile,
        UnsupportedFormat,
        UsageError,
        WebinarValidateError,
    )
    from webinar_validate.report import (
        CellError,
        DryRunReport,
        InvalidRow,
        ValidRow,
        WireResponse,
    )
    from webinar_validate.validation import validate_file, validate_frame

_WHERE = {
    "Code": "codes",
    "ColumnSpec": "contract",
    "Kind": "contract",
    "Rule": "contract",
    "SessionContract": "contract",
    "EmptyFile": "errors",
    "FileNotFound": "errors",
    "HeaderError": "errors",
    "TooManyRows": "errors",
    "UnreadableFile": "errors",
    "UnsupportedFormat": "errors",
    "UsageError": "errors",
    "WebinarValidateError": "errors",
    "CellError": "report",
    "DryRunReport": "report",
    "InvalidRow": "report",
    "ValidRow": "report",
    "WireResponse": "report",
    "validate_file": "validation",
    "validate_frame": "validation",
}

__all__ = [
    "CellError",
    "Code",
    "ColumnSpec",
    "DryRunReport",
    "EmptyFile",
    "FileNotFound",
    "HeaderError",
    "InvalidRow",
    "Kind",
    "Rule",
    "SessionContract",
    "TooManyRows",
    "UnreadableFile",
    "UnsupportedFormat",
    "UsageError",
    "ValidRow",
    "WebinarValidateError",
    "WireResponse",
    "__version__",
    "validate_file",
    "validate_frame",
]


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        value = getattr(importlib.import_module(f"webinar_validate.{_WHERE[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'webinar_validate' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
