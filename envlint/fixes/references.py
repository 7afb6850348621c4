"""Where a registry attribute is mentioned in text, for fixes that must move every use at once.

A rename (ENV002) or an inversion (ENV003) is applied only when each mention of
the old name in the project is one of the run's own rewrites. Name resolution
finds the uses it understands; this text scan finds *every* mention that could
be a use (``x.SGL_FOO``, ``getattr(envs, "SGL_FOO")``), so a use reached some
other way blocks the fix instead of being left behind.
"""

from __future__ import annotations

import re
from typing import Iterator


def attribute_mentions(text: str, name: str) -> Iterator[int]:
    """1-based line numbers of ``.name`` and ``getattr(..., "name")`` in ``text``."""
    quoted = re.escape(name)
    pattern = re.compile(r"\.[ \t]*" + quoted + r"\b|getattr\([^)]*[\"']" + quoted + r"[\"']")
    for match in pattern.finditer(text):
        yield text.count("\n", 0, match.start()) + 1
