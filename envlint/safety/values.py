"""The value classes: one value for every class of strings the two sides can tell apart."""

from __future__ import annotations

import ast
import itertools
from typing import Iterable, Optional


def _case_variants(word: str) -> list[str]:
    options = [(c.lower(), c.upper()) if c.isalpha() else (c,) for c in word]
    return sorted({"".join(p) for p in itertools.product(*options)} - {word})


def _case_forms(word: str) -> tuple[str, ...]:
    """The spellings that stand for every letter case of ``word``: as written, lower,
    UPPER, Title, and both alternating mixes (one of them differs from any single
    spelling a side can list, so it stands for "some other case")."""
    if not any(c.isalpha() for c in word):
        return (word,)
    alternating = "".join(c.upper() if i % 2 else c.lower() for i, c in enumerate(word))
    reverse = "".join(c.lower() if i % 2 else c.upper() for i, c in enumerate(word))
    return tuple(dict.fromkeys((word, word.lower(), word.upper(), word.title(), alternating, reverse)))


_BOOL_WORDS = ("true", "1", "yes", "y", "false", "0", "no", "n")


# Canonical EnvBool spellings (a registry whose EnvBool.parse uses others is not modelled).
BOOL_TRUE = frozenset({"true", "1", "yes", "y"})


BOOL_FALSE = frozenset({"false", "0", "no", "n"})


# Every value EnvBool parses, each upper/lower-case spelling of its words (kept for
# tests and tools that want the exhaustive list; the oracle uses the classes).
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
    "0x10",
    "1.5",
    "1e3",
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
    "Infinity",
    "0x10",
)


STR_SAMPLES = ("abc", "None", " spaced ", "üñí", "~/x", "a,b")


# Values no side lists: they stand for "anything else" a user may set.
OTHER_VALUES = ("abc", "maybe", "2", "-", "üñí")


_PADDINGS = ("{}", " {} ", "\t{}\n")


SAMPLES = {"bool": _BOOL_WORDS, "int": INT_SAMPLES, "float": FLOAT_SAMPLES, "str": STR_SAMPLES}


# The spellings each modelled helper lists (its code compares with these).
HELPER_WORDS = {
    "sglang-srt-bool": ("true", "1", "false", "0"),
    "sglang-srt-int": (),
    "sglang-diffusion-bool": ("1", "true", "yes", "y", "t", "on", "0", "false", "no", "n", "f", "off", ""),
}


def value_classes(words: Iterable[str] = (), kind: str = "str") -> tuple[Optional[str], ...]:
    """Unset (None) first, then one value of every class the two sides can tell apart.

    ``words`` are the spellings either side lists (its literals, a helper's words);
    the descriptor ``kind`` adds its own (``EnvBool``'s words, numbers for
    ``EnvInt``/``EnvFloat``). Each word comes in every case form and with
    surrounding whitespace; the empty string and values nobody lists are always in.
    """
    base = [*SAMPLES.get(kind, STR_SAMPLES), *words]
    values: dict[str, None] = {"": None}
    for word in base:
        if not isinstance(word, str):
            continue
        for form in _case_forms(word):
            values[form] = None
            if form.strip():
                for padding in _PADDINGS[1:]:
                    values[padding.format(form.strip())] = None
    for word in OTHER_VALUES:
        values[word] = None
    return (None, *values)


def samples_for(kind: str) -> tuple[Optional[str], ...]:
    """The value classes of a descriptor of ``kind`` on its own (no site spellings)."""
    return value_classes((), kind)


def literal_words(node: Optional[ast.AST]) -> tuple[str, ...]:
    """The string literals an expression compares with or defaults to."""
    if node is None:
        return ()
    return tuple(
        dict.fromkeys(
            n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)
        )
    )
