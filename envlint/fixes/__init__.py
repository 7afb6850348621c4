"""Fix builders: turn a finding's node into a ``Fix`` (edits, imports, registry edits, safety)."""
