"""The descriptor a read of an unregistered key implies: the type a helper, a cast
or a plain string read gives, and the default as written."""

from __future__ import annotations

import ast
from typing import Optional

from ...accesses import RawAccess
from ...context import FileContext
from ...registry import Field
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
) -> Optional[Field]:
    """The descriptor a read of an unregistered key implies: type and default as written.

    Only a helper (its kind) or a typed cast (``int(...)``, ``float(...)``) or a
    plain string read implies a type; comparisons and other idioms do not.
    """
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
        source = literal(value)
        if source is None:
            continue  # nan, inf: no literal to write into the registry
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
    return None
