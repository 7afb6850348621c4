"""What evaluating a read produced: a value (type included) or the exception raised."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Optional


@dataclass(frozen=True)
class Outcome:
    """What evaluating a read produced: a value or the name of the exception raised."""

    value: Any = None
    raised: Optional[str] = None

    def same_as(self, other: "Outcome") -> bool:
        if self.raised or other.raised:
            return self.raised == other.raised
        a, b = self.value, other.value
        if type(a) is not type(b):
            return False
        if isinstance(a, float):
            return repr(a) == repr(b)  # nan equals nan; -0.0 does not equal 0.0
        return a == b

    def describe(self) -> str:
        return f"raises {self.raised}" if self.raised else repr(self.value)


Reader = Callable[[Optional[str]], Outcome]


def _outcome(function: Callable[[], Any]) -> Outcome:
    try:
        return Outcome(value=function())
    except Exception as exc:  # the modelled code's own exception is the result
        return Outcome(raised=type(exc).__name__)
