"""Compare two models over the samples and describe the differences."""

from __future__ import annotations

from .outcomes import Reader
from .values import samples_for


def differences(before: Reader, after: Reader, key: str, kind: str, limit: int = 3) -> list[str]:
    """Human-readable differences over the sample matrix (empty: equivalent)."""
    found = []
    for value in samples_for(kind):
        old, new = before(value), after(value)
        if not old.same_as(new):
            label = f"{key} unset" if value is None else f"{key}={value!r}"
            found.append(f"{label}: {old.describe()} before, {new.describe()} after")
            if len(found) >= limit:
                break
    return found
