"""Where an unsafe rewrite goes: it keeps every transformation the registry does not
do, and never yields code that fails (or ignores the variable) in every environment."""

from __future__ import annotations

import ast
from typing import Optional

from ...accesses import RawAccess
from ...context import FileContext
from ...registry import Field
from ...safety import NotModelled, Reader, compare, describe, expression_reader, with_hole
from .sites import _STR_METHODS, _is_cast, _site_reader

_AGREEMENT_SAMPLES = {
    "bool": (("true", "1", "yes"), ("false", "0", "no")),
    "int": (("7",), ()),
    "float": (("0.5",), ()),
    "str": (("abc", " AbC "), ()),
}


def _agrees(site, reader, kind: str) -> bool:
    """Whether a candidate computes *the value* (not something derived from it).

    For a bool it must map some true spelling to True and some false spelling
    to False, as the registry does (``== "1"`` does; ``not ...`` and ``!= "1"``
    invert); for other types it must give the registry's result for every
    plain value (``.lower()`` on a string does not: it transforms the value).
    """
    if reader is None:
        return False
    groups = _AGREEMENT_SAMPLES.get(kind, (("abc",), ()))
    if kind == "bool":
        return all(any(site(v).same_as(reader(v)) for v in group) for group in groups if group)
    return all(site(v).same_as(reader(v)) for group in groups for v in group)


_HOLE = "__envlint_hole__"


def _unsafe_target(
    ctx: FileContext,
    access: RawAccess,
    candidates: list[ast.AST],
    reader: Optional[Reader],
    field: Field,
    values,
    repairs: bool,
) -> Optional[tuple[ast.AST, str, list[str]]]:
    """(what to replace, the replacement template, the differences) for an unsafe
    rewrite, or None when no rewrite keeps the code's meaning.

    The rewrite keeps every transformation the registry does not do: it replaces
    the *largest* candidate whose replacement leaves the whole expression
    computing the same value for every value class (``.lower()`` stays around
    ``.get()``). When none does, it replaces the largest candidate that stands
    for the value (the access, a cast, a comparison that reads it as a flag; a
    ``not`` that inverts it is kept) and the reason lists every difference. A
    rewrite that would fail in every environment (a bool given to ``.lower()``
    or stored in ``os.environ``) is never chosen.
    """
    top = candidates[-1]
    site_top = _site_reader(ctx, top, access.key)
    str_context = _str_context(ctx, top)
    if str_context == "other" and field.kind != "str":
        return None  # ``envs.K.get().split(",")`` on a bool would fail everywhere
    fallback = None
    for candidate in reversed(candidates):
        template = _HOLE
        if candidate is top and str_context == "environ" and field.kind != "str":
            # os.environ takes only str: store the value the way sglang does.
            template = f'"1" if {_HOLE} else "0"' if field.kind == "bool" else f"str({_HOLE})"
        rewritten = _rewritten_reader(ctx, top, candidate, template, access.key, reader)
        if site_top is not None and rewritten is not None:
            if _fails_everywhere(site_top, rewritten, values):
                continue
            found = compare(site_top, rewritten, values, repairs)
            if not found:
                return candidate, template, []
            diffs = describe(found, access.key, values)
        else:
            diffs = []
            if candidate is not access.node and not _is_cast(ctx, candidate):
                continue  # nothing proves the rest of the expression still works
            if field.kind != "str" and _applies_str_method(ctx, candidate, top):
                return None
        if fallback is None:
            site = _site_reader(ctx, candidate, access.key)
            is_value = candidate is access.node or _is_cast(ctx, candidate)
            if is_value or (site is not None and _agrees(site, reader, field.kind)):
                fallback = (candidate, template, diffs)
            elif not isinstance(candidate, ast.UnaryOp) and site_top is None:
                return None
    return fallback


def _rewritten_reader(ctx, top, candidate, template, key, reader) -> Optional[Reader]:
    """A model of ``top`` after ``candidate`` is replaced by ``template`` (the registry read)."""
    if reader is None:
        return None
    try:
        return expression_reader(
            with_hole(top, candidate, template), key, ctx.qualified_name, ctx.helper_semantics, hole=reader
        )
    except (NotModelled, SyntaxError):
        return None


def _fails_everywhere(site: Reader, rewritten: Reader, values) -> bool:
    """The rewrite raises for every value while the original works for some, or it
    computes one value whatever the variable says while the original does not
    (``envs.K.get() != "1"`` on a bool is always true): code that no longer reads
    the variable at all."""
    new = [rewritten(v) for v in values]
    old = [site(v) for v in values]
    if all(o.raised for o in new) and not all(o.raised for o in old):
        return True
    constant = all(o.same_as(new[0]) for o in new)
    return constant and not all(o.same_as(old[0]) for o in old)


def _applies_str_method(ctx: FileContext, candidate: ast.AST, top: ast.AST) -> bool:
    node = candidate
    while node is not top:
        parent = ctx.parent_of(node)
        if isinstance(parent, ast.Attribute) and parent.attr in _STR_METHODS:
            return True
        if parent is None:
            break
        node = parent
    return False


def _str_context(ctx: FileContext, node: ast.AST) -> Optional[str]:
    """Where the value of ``node`` must be a ``str``: "environ" (stored in
    ``os.environ``), "other" (a string method or concatenation), or None."""
    parent = ctx.parent_of(node)
    if isinstance(parent, ast.Assign) and parent.value is node:
        if any(_is_environ_item(ctx, target) for target in parent.targets):
            return "environ"
    if isinstance(parent, ast.Call) and node in parent.args and isinstance(parent.func, ast.Attribute):
        base = (
            ctx.qualified_name(parent.func.value)
            if isinstance(parent.func.value, (ast.Name, ast.Attribute))
            else None
        )
        if base == "os.environ" and parent.func.attr in ("setdefault", "__setitem__"):
            return "environ"
        if ctx.qualified_name(parent.func) == "os.putenv":
            return "environ"
    if isinstance(parent, ast.Attribute) and parent.value is node:
        return "other"
    if isinstance(parent, ast.BinOp) and isinstance(parent.op, (ast.Add, ast.Mod)):
        other = parent.right if parent.left is node else parent.left
        if isinstance(other, (ast.JoinedStr, ast.Constant)) and (
            not isinstance(other, ast.Constant) or isinstance(other.value, str)
        ):
            return "other"
    return None


def _is_environ_item(ctx: FileContext, target: ast.AST) -> bool:
    return (
        isinstance(target, ast.Subscript)
        and isinstance(target.value, (ast.Name, ast.Attribute))
        and ctx.qualified_name(target.value) == "os.environ"
    )
