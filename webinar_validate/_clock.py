"""The run's clock, when it is fixed from outside: one name and one reading of an instant for the
library and the command line (the command line must start without pandas)."""

from datetime import UTC, datetime

CLOCK_VARIABLE = "WEBINAR_VALIDATE_NOW"
"""An environment variable holding an ISO 8601 instant with its offset (2026-09-10T15:00:00Z):
the clock of every run that is not given one (``now=``, ``--now``), for reproducible CI runs
and tests, as SOURCE_DATE_EPOCH is for builds."""


def read_instant(text: str, named: str) -> datetime:
    """The instant ``text`` writes (ISO 8601 with its UTC offset), in UTC; ValueError saying
    why not, in one line that starts with ``named`` (``--now 2026-09-01``, say)."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            f"{named} is not an ISO 8601 date-time; write it like 2026-09-01T09:00:00Z "
            "or 2026-09-01T09:00:00-04:00."
        ) from None
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(
            f"{named} has no UTC offset; add Z or one like -04:00 "
            f"({value.isoformat()}Z, for example)."
        )
    return value.astimezone(UTC)  # the same instant, in UTC as createdAt is written
