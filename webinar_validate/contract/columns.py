"""The session-row contract as data: every column, its kind and limits, and the rules a user adds.

This is the ONE place that names the columns. It knows nothing of files: it sees a frame of text
cells whose columns carry the contract's names. Subclass :class:`SessionContract` to add columns
or rules of your own instance (see the README).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar

from webinar_validate.codes import Code

if TYPE_CHECKING:
    import pandas as pd


class Kind(StrEnum):
    """How a column's text is judged and normalised."""

    TEXT = "text"
    UUID = "uuid"
    SLUG = "slug"
    INSTANT = "instant"
    TIME_ZONE = "timeZone"
    CHOICE = "choice"
    URL = "url"
    EMAILS = "emails"
    EMAIL = "email"
    """One e-mail address (a ``--schema`` column of type email); its text is sent as it is."""
    INTEGER = "integer"
    BOOLEAN = "boolean"
    LANGUAGE = "language"


class Col:
    """The contract's column names: change a header here and everywhere follows."""

    COURSE_GROUP_ID = "courseGroupId"
    SESSION_ID = "sessionId"
    TITLE = "title"
    SLUG = "slug"
    SKU = "sku"
    START_DATE = "startDate"
    END_DATE = "endDate"
    TIME_ZONE = "timeZone"
    WEBINAR_PROVIDER = "webinarProvider"
    JOIN_URL = "joinUrl"
    INSTRUCTOR_EMAILS = "instructorEmails"
    SEATS_LIMIT = "seatsLimit"
    WAITLISTING_ENABLED = "waitlistingEnabled"
    ENROLLMENT_START_DATE = "enrollmentStartDate"
    ENROLLMENT_END_DATE = "enrollmentEndDate"
    PRICE_IN_CENTS = "priceInCents"
    STATUS = "status"
    LANGUAGE = "language"


PROVIDERS = (
    "zoom",
    "goToWebinar",
    "goToTraining",
    "webex",
    "adobeConnect",
    "microsoftTeams",
    "other",
)
STATUSES = ("draft", "published", "archived", "authoring", "pending", "loginRestriction")


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    """One column of the contract."""

    name: str
    kind: Kind = Kind.TEXT
    required: bool = False
    max_length: int | None = None
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    pattern: str | None = None
    """A regular expression the whole trimmed text must match (user-added columns)."""
    description: str = ""

    @property
    def judged_as_number_or_date(self) -> bool:
        """Columns formula_injection does not apply to (CONTRACT.md)."""
        return self.kind in (Kind.INTEGER, Kind.INSTANT)


SESSION_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec(
        Col.COURSE_GROUP_ID,
        Kind.UUID,
        required=True,
        description="The webinar course group the session belongs to (UUID).",
    ),
    ColumnSpec(
        Col.SESSION_ID, Kind.UUID, description="When present, the row updates that session."
    ),
    ColumnSpec(Col.TITLE, Kind.TEXT, max_length=255, description="The session's title."),
    ColumnSpec(
        Col.SLUG,
        Kind.SLUG,
        max_length=255,
        pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$",
        description="Lower-case letters and digits in words joined by single hyphens.",
    ),
    ColumnSpec(Col.SKU, Kind.TEXT, max_length=64, description="Stock-keeping unit."),
    ColumnSpec(
        Col.START_DATE,
        Kind.INSTANT,
        required=True,
        description="ISO 8601 instant with Z or an offset, e.g. 2025-03-01T15:30:00.000Z.",
    ),
    ColumnSpec(
        Col.END_DATE,
        Kind.INSTANT,
        required=True,
        description="As startDate; after it and at most 24 hours later.",
    ),
    ColumnSpec(
        Col.TIME_ZONE,
        Kind.TIME_ZONE,
        required=True,
        description="IANA time-zone name such as America/New_York, or UTC.",
    ),
    ColumnSpec(
        Col.WEBINAR_PROVIDER,
        Kind.CHOICE,
        required=True,
        choices=PROVIDERS,
        description="One of " + ", ".join(PROVIDERS) + ".",
    ),
    ColumnSpec(
        Col.JOIN_URL,
        Kind.URL,
        description="Absolute https:// URL; required when webinarProvider is other.",
    ),
    ColumnSpec(
        Col.INSTRUCTOR_EMAILS,
        Kind.EMAILS,
        description="One or more e-mail addresses separated by ; or ,.",
    ),
    ColumnSpec(
        Col.SEATS_LIMIT,
        Kind.INTEGER,
        minimum=1,
        description="Whole number of seats, at least 1; blank means unlimited.",
    ),
    ColumnSpec(
        Col.WAITLISTING_ENABLED, Kind.BOOLEAN, description="yes or no; yes needs seatsLimit."
    ),
    ColumnSpec(
        Col.ENROLLMENT_START_DATE,
        Kind.INSTANT,
        description="ISO 8601 instant; before enrollmentEndDate when both are set.",
    ),
    ColumnSpec(
        Col.ENROLLMENT_END_DATE, Kind.INSTANT, description="ISO 8601 instant; not after endDate."
    ),
    ColumnSpec(
        Col.PRICE_IN_CENTS, Kind.INTEGER, minimum=0, description="Whole number of cents, 0 or more."
    ),
    ColumnSpec(
        Col.STATUS, Kind.CHOICE, choices=STATUSES, description="One of " + ", ".join(STATUSES) + "."
    ),
    ColumnSpec(
        Col.LANGUAGE,
        Kind.LANGUAGE,
        description="ISO 639-1 code with optional region: en, en-US, pt-BR.",
    ),
)


_SNAKE_CASE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")


def normalize_header(text: str) -> str:
    """Header matching key: lower-cased, without spaces, ``_`` and ``-`` (CONTRACT.md), and
    without invisible characters (CONTRACT v2, "Headers"): byte-order marks anywhere, zero-width
    spaces, joiners and non-joiners, non-breaking spaces, and ``ï»¿`` (a UTF-8 byte-order mark
    read as Windows-1252). ``engine.header`` names each of them in its warning."""
    if "\u00ef\u00bb\u00bf" in text:
        text = text.replace("\u00ef\u00bb\u00bf", "")
    return "".join(
        ch for ch in text.strip().lower() if ch not in " _-\u00a0\ufeff\u200b\u200c\u200d\u2060"
    )


@dataclass(frozen=True, slots=True)
class Rule:
    """One check on one column: the code it reports and how to find and explain failures.

    ``fails(ctx, column)`` returns a boolean Series over the run's rows, True where the cell
    breaks the rule; ``message(ctx, column, index, value)`` explains one failure to a spreadsheet
    user (``value`` is the cell as read). ``ctx`` offers ``ctx.text(name)`` (cells trimmed, as
    text), ``ctx.blank(name)`` and ``ctx.valid(name)`` (filled in and passed its own checks), for
    any column of the contract. ``code`` is a :class:`Code` or a snake_case code of your own.

    In the pandera schema (``session_schema``) every rule is one Check named by its code; a
    built-in rule's logic is a registered check method (``check``, with ``stats`` as its
    statistics), so that the schema can be written to YAML and read back.
    """

    code: Code | str
    fails: Callable[[Any, str], pd.Series]
    """``fails(ctx, column)``; ``ctx`` is the run's ``contract.cache.Context``."""
    message: Callable[[Any, str, Any, str], str]
    own: bool = True
    """True for a cell's own check; False for rules that compare cells (run on valid cells only)."""
    check: str = ""
    """The registered pandera check method of a built-in rule; empty for a rule of the user's."""
    stats: tuple[tuple[str, Any], ...] = ()
    """The check's statistics (its arguments), as (name, value) pairs."""
    by_value: bool = False
    """True when the message depends on the column and the cell alone: a run makes it once per
    distinct cell."""
    said_when_read: bool = False
    """True for a built-in check whose message needs nothing of the run (``ctx`` and ``index``
    are None): it is made when the report is read, once per distinct cell, so that a run with
    half a million failing cells holds no text for them. A rule of the user's is said in the
    run, so that a message that raises, raises there."""

    def __post_init__(self) -> None:
        if not isinstance(self.code, Code) and not _SNAKE_CASE.fullmatch(self.code):
            raise ValueError(f"a rule's code must be snake_case (region_time_zone): {self.code!r}")

    @property
    def key(self) -> tuple[object, ...]:
        """What makes two rules the same check: a run computes each such check once."""
        return (self.check, self.stats) if self.check else (id(self),)


@dataclass
class SessionContract:
    """The row contract. Subclass it, or pass ``columns``/``extra_rules``, to extend it.

    A subclass declares ``add_columns`` (added, or replacing a column of the same name) and
    ``add_rules`` (column name -> rules run after that column's built-in ones); see the README.
    """

    columns: tuple[ColumnSpec, ...] = SESSION_COLUMNS
    max_rows: int = 1000
    max_session_hours: float = 24.0
    extra_rules: dict[str, tuple[Rule, ...]] = field(default_factory=dict)
    """Column name -> further rules (user-added), run after the built-in ones."""

    add_columns: ClassVar[tuple[ColumnSpec, ...]] = ()
    """Columns a subclass adds to ``columns`` (a column of the same name is replaced)."""
    add_rules: ClassVar[Mapping[str, tuple[Rule, ...]]] = {}
    """Rules a subclass adds, by column name, after the built-in ones and ``extra_rules``."""

    DEFAULT: ClassVar[SessionContract]

    def __post_init__(self) -> None:
        if self.add_columns:
            self.columns = _merged(self.columns, self.add_columns)
        for name in self.add_rules:
            if self.column(name) is None:
                raise ValueError(f"add_rules names {name!r}, which is not a column of the contract")

    def column(self, name: str) -> ColumnSpec | None:
        """The spec of a column by its contract name."""
        for spec in self.columns:
            if spec.name == name:
                return spec
        return None

    @property
    def names(self) -> tuple[str, ...]:
        """Column names in the contract's order."""
        return tuple(spec.name for spec in self.columns)

    def added_rules(self, name: str) -> tuple[Rule, ...]:
        """The rules of the user's on a column: ``extra_rules``, then ``add_rules``."""
        return self.extra_rules.get(name, ()) + tuple(self.add_rules.get(name, ()))

    def with_columns(self, extra: Sequence[ColumnSpec]) -> SessionContract:
        """A copy with columns added (or replaced by name)."""
        return replace(self, columns=_merged(self.columns, extra))


SessionContract.DEFAULT = SessionContract()


def _merged(columns: Sequence[ColumnSpec], extra: Sequence[ColumnSpec]) -> tuple[ColumnSpec, ...]:
    by_name = {spec.name: spec for spec in columns}
    for spec in extra:
        by_name[spec.name] = spec
    return tuple(by_name.values())
