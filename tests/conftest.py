"""The test session's clock: every run, in this process and in the command-line processes the
tests start, treats 2025-01-01 as now (``$WEBINAR_VALIDATE_NOW``), so that the corpus' 2026 dates
are in the future whatever the day the tests run. A test of the clock itself sets its own."""

import os

os.environ["WEBINAR_VALIDATE_NOW"] = "2025-01-01T00:00:00Z"
