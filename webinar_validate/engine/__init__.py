"""One validation run: header, pandera over the contract's schema, failures, rows."""
