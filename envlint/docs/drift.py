"""Drift between a reference page and the registries: ENV101, ENV102, ENV103.

The page is compared with the registries, not with a regenerated page, so a
hand-written page in any layout can be checked: only names and defaults are
compared. Defaults are compared by meaning, not spelling (``true``/``1`` for
``True``, ``"info"``/``info``, ``Not set``/``-``/empty for ``None``, ``0.5``/``.5``);
a default the registry computes (``os.path.expanduser(...)``) is never compared.
"""

from __future__ import annotations

import ast
import json
from typing import Any, Optional, Sequence

from ..findings import Finding
from .model import Default, Entry, Reference
from .page import Row

STALE = "ENV101"
UNDOCUMENTED = "ENV102"
DEFAULT_DIFFERS = "ENV103"

_NONE_WORDS = {"", "none", "null", "not set", "unset", "-", "—", "–", "(none)", "(not set)"}
_TRUE = {"true", "1", "yes", "y", "on"}
_FALSE = {"false", "0", "no", "n", "off"}


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def _number(text: str) -> Optional[float]:
    try:
        return float(text.replace("_", ""))
    except ValueError:
        return None


def _structure(text: str) -> Any:
    """A list, tuple or dict written as Python or JSON; None when it is neither."""
    for parse in (ast.literal_eval, json.loads):
        try:
            return parse(text)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            continue
    return None


def _sequence(text: str) -> tuple:
    if text.lower() in _NONE_WORDS or text in ("()", "[]"):
        return ()
    parsed = _structure(text)
    if isinstance(parsed, (list, tuple)):
        return tuple(parsed)
    return tuple(_unquote(part.strip()) for part in text.split(",") if part.strip())


def default_matches(documented: str, default: Default) -> bool:
    """Whether ``documented`` (a page's default cell) states ``default``'s literal value."""
    text = documented.strip()
    if text == default.text:
        return True
    value, plain = default.value, _unquote(text)
    if value is None:
        return plain.lower() in _NONE_WORDS
    if isinstance(value, bool):
        return plain.lower() in (_TRUE if value else _FALSE)
    if isinstance(value, (int, float)):
        return _number(plain) == value
    if isinstance(value, str):
        return plain == value
    if isinstance(value, (tuple, list)):
        return _sequence(text) in (tuple(value), tuple(str(v) for v in value))
    return _structure(text) == value


def _labels(references: Sequence[Reference]) -> str:
    return " or ".join(reference.label for reference in references)


def _stale_message(
    name: str,
    references: Sequence[Reference],
    defined: dict[str, tuple[Entry, Reference]],
    legacy_prefixes: Sequence[tuple[str, str]],
) -> str:
    for reference in references:
        for entry in reference.entries:
            if name in entry.aliases:
                return f"{name} is documented but is a deprecated alias of {entry.name}"
        if name in reference.removed:
            return f"{name} is documented but {reference.label} deprecates it without replacement"
    for legacy, canonical in legacy_prefixes:
        if name.startswith(legacy) and canonical + name[len(legacy):] in defined:
            return (
                f"{name} is documented under its legacy prefix; the registry defines "
                f"{canonical + name[len(legacy):]}"
            )
    return f"{name} is documented but not defined in {_labels(references)}"


def _finding(
    path: str, line: int, column: int, code: str, length: int, message: str, key: str
) -> Finding:
    return Finding(
        path=path,
        line=line,
        column=column,
        code=code,
        end_line=line,
        end_column=column + length,
        message=message,
        key=key,
    )


def check_page(
    path: str,
    rows: Sequence[Row],
    references: Sequence[Reference],
    legacy_prefixes: Sequence[tuple[str, str]] = (),
) -> list[Finding]:
    """Findings for ``rows`` (a page's documented variables) against ``references``.

    Undocumented variables have no line of their own on the page: they are
    reported at 1:1, in registry order.
    """
    defined: dict[str, tuple[Entry, Reference]] = {}
    for reference in references:
        for entry in reference.entries:
            defined.setdefault(entry.name, (entry, reference))
    findings = []
    for row in rows:
        if row.name not in defined:
            message = _stale_message(row.name, references, defined, legacy_prefixes)
            findings.append(
                _finding(path, row.line, row.column, STALE, len(row.name), message, row.name)
            )
            continue
        entry, reference = defined[row.name]
        documented = row.default
        if (
            documented is not None
            and entry.default.is_literal
            and not default_matches(documented.text, entry.default)
        ):
            message = (
                f"{row.name} default documented as {documented.text!r}, but {reference.label} "
                f"sets {entry.default.text}"
            )
            findings.append(
                _finding(
                    path,
                    row.line,
                    documented.column,
                    DEFAULT_DIFFERS,
                    len(documented.text),
                    message,
                    row.name,
                )
            )
    documented_names = {row.name for row in rows}
    for name, (entry, reference) in defined.items():
        if name not in documented_names:
            message = f"{name} is defined in {reference.label}:{entry.line} but not documented"
            findings.append(_finding(path, 1, 1, UNDOCUMENTED, 0, message, name))
    return sorted(findings)
