"""The run's clock, when it is fixed from outside: one name for the library and the command line
(neither imports the other here, and the command line must start without pandas)."""

CLOCK_VARIABLE = "WEBINAR_VALIDATE_NOW"
"""An environment variable holding an ISO 8601 instant with its offset (2026-09-10T15:00:00Z):
the clock of every run that is not given one (``now=``, ``--now``), for reproducible CI runs
and tests, as SOURCE_DATE_EPOCH is for builds."""
