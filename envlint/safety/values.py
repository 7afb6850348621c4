"""The values a descriptor parses, sampled for the comparison."""

from __future__ import annotations

import itertools
from typing import Optional


def _case_variants(word: str) -> list[str]:
    options = [(c.lower(), c.upper()) if c.isalpha() else (c,) for c in word]
    return sorted({"".join(p) for p in itertools.product(*options)} - {word})


_BOOL_WORDS = ("true", "1", "yes", "y", "false", "0", "no", "n")


# Canonical EnvBool spellings (a registry whose EnvBool.parse uses others is not modelled).
BOOL_TRUE = frozenset({"true", "1", "yes", "y"})


BOOL_FALSE = frozenset({"false", "0", "no", "n"})


# Every value EnvBool parses: the words as written first (readable reasons), then
# every other upper/lower-case spelling of them.
BOOL_SAMPLES = _BOOL_WORDS + tuple(v for word in _BOOL_WORDS for v in _case_variants(word))


INT_SAMPLES = (
    "0",
    "1",
    "-1",
    "7",
    "42",
    "-12",
    "+5",
    " 8 ",
    "007",
    "1_000",
    "2147483648",
    "9007199254740993",
    "-0",
    "123456789012345678901234567890",
)


FLOAT_SAMPLES = (
    "0",
    "0.5",
    "-1.25",
    "3",
    "1e-3",
    "inf",
    "-inf",
    " 2.5 ",
    "nan",
    "1_0.5",
    "-0.0",
    "9007199254740993",
    "1e308",
    "5e-324",
)


STR_SAMPLES = ("", "abc", "None", "0", "true", " spaced ", "üñí")


SAMPLES = {"bool": BOOL_SAMPLES, "int": INT_SAMPLES, "float": FLOAT_SAMPLES, "str": STR_SAMPLES}


def samples_for(kind: str) -> tuple[Optional[str], ...]:
    """Unset (None) first, then the values a descriptor of ``kind`` parses."""
    return (None, *SAMPLES.get(kind, STR_SAMPLES))
