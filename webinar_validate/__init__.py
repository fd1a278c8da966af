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
    from webinar_validate.contract.columns import ColumnSpec, Kind, Rule, SessionContract
    from webinar_validate.contract.schema import SessionRow, session_schema
    from webinar_validate.engine.run import validate_file, validate_frame
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
    from webinar_validate.report.model import (
        CellError,
        DryRunReport,
        InvalidRow,
        ValidRow,
        WireResponse,
    )

_WHERE = {
    "Code": "codes",
    "ColumnSpec": "contract.columns",
    "Kind": "contract.columns",
    "Rule": "contract.columns",
    "SessionContract": "contract.columns",
    "EmptyFile": "errors",
    "FileNotFound": "errors",
    "HeaderError": "errors",
    "TooManyRows": "errors",
    "UnreadableFile": "errors",
    "UnsupportedFormat": "errors",
    "UsageError": "errors",
    "WebinarValidateError": "errors",
    "CellError": "report.model",
    "DryRunReport": "report.model",
    "InvalidRow": "report.model",
    "ValidRow": "report.model",
    "WireResponse": "report.model",
    "SessionRow": "contract.schema",
    "session_schema": "contract.schema",
    "validate_file": "engine.run",
    "validate_frame": "engine.run",
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
    "SessionRow",
    "TooManyRows",
    "UnreadableFile",
    "UnsupportedFormat",
    "UsageError",
    "ValidRow",
    "WebinarValidateError",
    "WireResponse",
    "__version__",
    "session_schema",
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
