"""The descriptor a read of an unregistered key implies: a flag is an ``EnvBool``;
otherwise the type a helper, a cast or a plain string read gives."""

from __future__ import annotations

import ast
from typing import Optional

from ...accesses import RawAccess
from ...context import FileContext
from ...registry import Field
from ...safety import BOOL_FALSE, BOOL_TRUE, literal_words, value_classes
from ..common import literal
from .sites import _CASTS, _site_reader

_KIND_OF_VALUE = {
    bool: ("bool", "EnvBool"),
    int: ("int", "EnvInt"),
    float: ("float", "EnvFloat"),
    str: ("str", "EnvStr"),
}


def _implied_field(
    ctx: FileContext, access: RawAccess, candidates: list[ast.AST], key: str
) -> Optional[tuple[Field, Optional[str]]]:
    """The descriptor a read of an unregistered key implies, and why it is not an
    ``EnvBool`` when the code tests it like a flag but not by a yes/no spelling.

    A flag (an expression that is a boolean of the value: ``== "1"``,
    ``.lower() in ("true", "1")``, ``int(...) == 1``) is registered as ``EnvBool``
    with the default the expression gives when unset. Otherwise a helper (its
    kind), a typed cast (``int(...)``, ``float(...)``) or a plain string read
    implies the type (``os.environ["K"]``, which has no default, ``EnvStr(None)``);
    other idioms imply nothing.
    """
    flag, not_flag = _flag_field(ctx, access, candidates, key)
    if flag is not None:
        return flag, None
    typed = [access.node] + [
        c
        for c in candidates[1:]
        if isinstance(c, ast.Call) and isinstance(c.func, ast.Name) and ctx.qualified_name(c.func) in _CASTS
    ]
    for candidate in reversed(typed):
        reader = _site_reader(ctx, candidate, access.key)
        if reader is None:
            continue
        unset = reader(None)
        if unset.raised and candidate is access.node and access.operation == "subscript":
            unset = type(unset)(value=None)  # os.environ["K"] has no default: EnvStr(None)
        if unset.raised:
            continue
        value = unset.value
        if access.helper is not None:
            kind = access.helper.kind
            descriptor = "EnvBool" if kind == "bool" else "EnvInt"
            if value is not None and type(value) is not (bool if kind == "bool" else int):
                continue
        elif value is None:
            kind, descriptor = "str", "EnvStr"
        elif type(value) in _KIND_OF_VALUE:
            kind, descriptor = _KIND_OF_VALUE[type(value)]
        else:
            continue
        field = _new_field(key, kind, descriptor, value)
        if field is not None:
            return field, not_flag
    return None


def _new_field(key: str, kind: str, descriptor: str, value) -> Optional[Field]:
    source = literal(value)
    if source is None:
        return None  # nan, inf: no literal to write into the registry
    return Field(
        name=key,
        kind=kind,
        descriptor=descriptor,
        default=value,
        default_is_literal=True,
        default_source=source,
        alias=None,
        line=0,
        column=0,
        section=None,
        description="",
    )


def _flag_field(
    ctx: FileContext, access: RawAccess, candidates: list[ast.AST], key: str
) -> tuple[Optional[Field], Optional[str]]:
    """(EnvBool field, None) when a candidate is a boolean of the raw value, else
    (None, why the boolean the code computes is not registered as one)."""
    if access.helper is not None:
        return None, None
    why_not = None
    for candidate in reversed(candidates[1:]):
        site = _site_reader(ctx, candidate, access.key)
        if site is None:
            continue
        words = literal_words(candidate)
        outcomes = {value: site(value) for value in value_classes(words, "bool")}
        if not all(o.raised or type(o.value) is bool for o in outcomes.values()):
            continue
        unset = outcomes[None]
        if unset.raised:
            continue
        yes = next((t for t in sorted(BOOL_TRUE) if outcomes[t].value is True), None)
        no = next((f for f in sorted(BOOL_FALSE) if outcomes[f].value is False), None)
        if yes is not None and no is not None:
            return _new_field(key, "bool", "EnvBool", unset.value), None
        if why_not is None:
            spelling = next(
                (v for v in ("1", "true", "0", "false") if outcomes[v].value is not (v in BOOL_TRUE)),
                "1",
            )
            why_not = (
                f"{key} is not registered as EnvBool: `{ctx.source.segment(candidate)}` is "
                f"{outcomes[spelling].describe()} for {spelling!r}, not a yes/no reading of the value"
            )
    return None, why_not
