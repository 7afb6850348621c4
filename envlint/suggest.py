"""Did-you-mean suggestions for names a user typed (codes, configuration keys, profiles).

A leaf module: configuration validation (low in the layering) and code
selection (above the rules) both use it.
"""

from __future__ import annotations

import difflib
from typing import Iterable


def did_you_mean(value: str, candidates: Iterable[str]) -> str:
    """``"; did you mean 'X'?"`` for the closest candidate, or ``""`` when none is close.

    Close means a difflib ratio of at least 0.75: one typo in a code (ENVV001,
    ENV01) or a key is suggested; a code two digits away is not.
    A value that differs from a candidate only in letter case is suggested in
    the candidate's spelling (``env001`` -> ``ENV001``, ``Owned-Prefixes``).
    """
    candidates = list(candidates)
    folded = {candidate.lower(): candidate for candidate in candidates}
    if value.lower() in folded and folded[value.lower()] != value:
        return f"; did you mean {folded[value.lower()]!r}?"
    close = difflib.get_close_matches(value, candidates, n=1, cutoff=0.75)
    if not close:
        close = difflib.get_close_matches(value.upper(), candidates, n=1, cutoff=0.75)
    return f"; did you mean {close[0]!r}?" if close else ""
