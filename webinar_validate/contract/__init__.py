"""The session-row contract: columns, rules as pandera checks, the schema."""
