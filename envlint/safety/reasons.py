"""Compare two models over the value classes and name every difference, as a reason says it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Optional

from .outcomes import Outcome, Reader
from .values import OTHER_VALUES, value_classes


@dataclass(frozen=True)
class Difference:
    """One value for which the rewrite computes something else than the original."""

    value: Optional[str]  # None: the variable unset
    before: Outcome
    after: Outcome


def compare(
    before: Reader, after: Reader, values: Iterable[Optional[str]], raising_may_change: bool = True
) -> list[Difference]:
    """Every value whose outcome differs — skipping values for which the original
    raises (when ``raising_may_change``: nothing catches that exception, so a
    rewrite that returns a value repairs a crash)."""
    found = []
    for value in values:
        old, new = before(value), after(value)
        if old.same_as(new) or (raising_may_change and old.raised):
            continue
        found.append(Difference(value, old, new))
    return found


def differences(before: Reader, after: Reader, key: str, kind: str, words: Iterable[str] = ()) -> list[str]:
    """The differences over the value classes, as the phrases a reason lists (empty:
    equivalent)."""
    found = compare(before, after, value_classes(words, kind))
    return describe(found, key, value_classes(words, kind)) if found else []


def _normal(value: str) -> str:
    return value.strip().lower()


def _phrase(base: str, members: list[str], all_values: list[str]) -> str:
    """``'on'``, ``'on' in any case``, ``'on' in any case, with or without surrounding
    whitespace`` ... for the values of one spelling that differ — or each of them
    when they are not a whole family."""
    family = [v for v in all_values if _normal(v) == base]
    chosen = set(members)

    def cell(bare: bool, lower: bool) -> set[str]:
        return {v for v in family if (v == v.strip()) == bare and (v.strip() == base) == lower}

    for bare_options in ((True,), (False,), (True, False)):
        for lower_options in ((True,), (False,), (True, False)):
            union = set().union(*(cell(b, l) for b in bare_options for l in lower_options))
            if union and union == chosen:
                qualifiers = []
                if lower_options == (False,):
                    qualifiers.append("upper or mixed case")
                elif lower_options == (True, False) and cell(True, False) | cell(False, False):
                    qualifiers.append("any case")
                if bare_options == (False,):
                    qualifiers.append("surrounded by whitespace")
                elif bare_options == (True, False):
                    qualifiers.append("with or without surrounding whitespace")
                return repr(base) + (f" ({', '.join(qualifiers)})" if qualifiers else "")
    return ", ".join(repr(v) for v in members)


def _relative(outcome: Outcome, value: Optional[str]) -> str:
    """An outcome described relative to the value set, so that values that behave
    alike group together: "the value as set" rather than 'true', 'yes', ..."""
    if not outcome.raised and value is not None and isinstance(outcome.value, str):
        if outcome.value == value:
            return "the value as set"
        if outcome.value == value.strip():
            return "the value stripped"
        if outcome.value == value.lower():
            return "the value lower-cased"
        if outcome.value == value.strip().lower():
            return "the value stripped and lower-cased"
    return outcome.describe()


def _spellings(members: list[str], all_values: list[str], listed: set[str]) -> str:
    by_base: dict[str, list[str]] = {}
    for value in members:
        by_base.setdefault(_normal(value), []).append(value)
    return ", ".join(_phrase(base, group, all_values) for base, group in by_base.items())


def describe(found: list[Difference], key: str, values: Iterable[Optional[str]]) -> list[str]:
    """One phrase per (before, after) outcome pair, naming every value that differs.

    ``K='on', 't' in any case: True before, False after``. Values nobody lists
    are named as what they are: "any other value (such as 'abc')".
    """
    all_values = [v for v in values if v is not None]
    listed = {_normal(v) for v in all_values} - {_normal(v) for v in OTHER_VALUES}
    phrases = []
    set_differences = [d for d in found if d.value is not None]
    if len(set_differences) == len(all_values) and all(
        _relative(d.before, d.value) == "the value as set" and not d.after.raised for d in set_differences
    ):
        # A raw string read replaced by a typed value: say so once, then what it maps to.
        unset = [d for d in found if d.value is None]
        if unset:
            phrases.append(
                f"{key} unset: {unset[0].before.describe()} before, {unset[0].after.describe()} after"
            )
        by_after: dict[str, list[str]] = {}
        for d in set_differences:
            by_after.setdefault(d.after.describe(), []).append(d.value)
        ordered = sorted(by_after.items(), key=lambda item: len(item[1]))
        parts = [
            f"{outcome} for {_spellings(members, all_values, listed)}" for outcome, members in ordered[:-1]
        ]
        parts.append(f"{ordered[-1][0]} for every other value" if parts else f"{ordered[-1][0]}")
        kind = type(set_differences[0].after.value).__name__
        phrases.append(
            f"{key} set to any value: the value as set (a str) before, a {kind} after "
            f"({'; '.join(parts)})"
        )
        return phrases
    groups: dict[tuple[str, str], list[Optional[str]]] = {}
    for difference in found:
        pair = (_relative(difference.before, difference.value), _relative(difference.after, difference.value))
        groups.setdefault(pair, []).append(difference.value)
    for (old, new), members in groups.items():
        names = []
        if None in members:
            names.append(f"{key} unset")
        by_base: dict[str, list[str]] = {}
        others = []
        for value in members:
            if value is None:
                continue
            if _normal(value) in listed or value in ("",):
                by_base.setdefault(_normal(value), []).append(value)
            else:
                others.append(value)
        spelled = [_phrase(base, values_, all_values) for base, values_ in by_base.items()]
        if spelled:
            names.append(f"{key}=" + ", ".join(spelled))
        if others:
            names.append(f"{key} set to any other value (such as {others[0]!r})")
        phrases.append(f"{' or '.join(names)}: {old} before, {new} after")
    return phrases
