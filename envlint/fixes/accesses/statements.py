"""Fixes for presence checks, writes and deletes: the registry's ``is_set()``,
``set()`` and ``clear()``, safe only when those methods are verified to be sglang's."""

from __future__ import annotations

import ast
from typing import Optional

from ...accesses import RawAccess
from ...context import FileContext
from ...findings import SAFE, UNSAFE, Fix
from ...forwarding import forwarded_setting
from ...registry import Registry
from ..common import (
    is_pure_str_expression,
    is_str_expression,
    negated,
    raises_are_caught,
    registry_reference,
    statement_alone_on_its_lines,
)
from .sites import _fix


def _check_fix(ctx: FileContext, access: RawAccess, registry: Registry, key: str) -> Optional[Fix]:
    if key not in registry.fields:
        return None
    reference = registry_reference(ctx, registry, access.node)
    if reference is None:
        return None
    name, imports = reference
    if registry.style == "descriptor":
        call = f"{name}.{key}.is_set()"
    elif "is_set" in registry.module_attributes:
        call = f'{name}.is_set("{key}")'
    else:
        return None
    text = negated(ctx, access.node, call) if access.operation == "not in" else call
    reason = None
    if key != access.key:
        reason = f"checks {key} where the code checked {access.key}"
    else:
        reason = _unverified(registry, "is_set")
    return _fix(ctx, UNSAFE if reason else SAFE, access.node, text, imports, (), reason)


def _unverified(registry: Registry, *methods: str) -> Optional[str]:
    """Why the rewrite is not proven, when it relies on a registry method envlint could
    not verify is sglang's (``Registry.verified_methods``); None when all are."""
    for method in methods:
        if method not in registry.verified_methods:
            owner = "EnvField." if registry.style == "descriptor" else ""
            return (
                f"{owner}{method}() in {registry.path.name} is not the code envlint models, "
                "so the rewrite is not proven equivalent"
            )
    return None


def _statement_of(ctx: FileContext, access: RawAccess) -> Optional[ast.stmt]:
    """The statement that *is* this access (``os.environ[K] = v``, ``del``, a bare call)."""
    parent = ctx.parent_of(access.node)
    if isinstance(parent, ast.Assign) and parent.targets == [access.node]:
        return parent
    if isinstance(parent, ast.Delete) and parent.targets == [access.node]:
        return parent
    if isinstance(parent, ast.Expr):
        return parent
    return None


def _statement_target(ctx: FileContext, access: RawAccess, registry: Registry, key: str):
    """(statement, registry name, imports) for a write/delete fix, or None when there is none.

    Writes and deletes have a fix only as whole statements, on registered keys of a
    descriptor registry (the only kind with ``set()``/``clear()``).
    """
    if registry.style != "descriptor" or key not in registry.fields or access.operation == "update":
        return None
    statement = _statement_of(ctx, access)
    reference = registry_reference(ctx, registry, access.node)
    if statement is None or reference is None:
        return None
    return (statement, *reference)


def _write_fix(ctx: FileContext, access: RawAccess, registry: Registry, key: str) -> Optional[Fix]:
    if ctx.is_test_code:
        # Rule 3: a test that sets a variable must restore it (``override``). Turning the
        # raw write into ``envs.K.set()`` keeps it leaking, and ENV019 reports the result:
        # a fix must not trade one finding for another. Wrapping the code that needs the
        # value in ``with envs.K.override(...)`` is a change of structure left to a person.
        return None
    target = _statement_target(ctx, access, registry, key)
    if target is None:
        return None
    statement, name, imports = target
    if isinstance(statement, ast.Assign):
        value = statement.value
        if forwarded_setting(value, key, ctx.config.owned_prefixes) is not None:
            return None  # ENV017 would report the result: the knob needs one name, not a rewrite
        text = f"{name}.{key}.set({ctx.source.segment(value)})"
    elif access.operation == "setdefault" and len(access.node.args) == 2:
        if not statement_alone_on_its_lines(ctx, statement):
            return None
        value = access.node.args[1]
        line = ctx.source.line_text(statement.lineno)
        indent = line[: len(line) - len(line.lstrip())]
        step = "\t" if "\t" in indent else "    "
        newline = ctx.source.newline
        text = (
            f"if not {name}.{key}.is_set():{newline}{indent}{step}"
            f"{name}.{key}.set({ctx.source.segment(value)})"
        )
    else:
        return None
    reason = None
    caught = raises_are_caught(ctx, statement)
    if key != access.key:
        reason = f"sets {key} where the code set {access.key}"
    elif not is_str_expression(ctx, value) and caught:
        reason = (
            "set() stores str(value) where os.environ raises TypeError for anything but a "
            "str, and a try block around it may depend on that"
        )
    elif access.operation == "setdefault" and not is_pure_str_expression(value):
        reason = (
            "setdefault() always evaluates its value; the rewrite evaluates it only when " f"{key} is unset"
        )
    else:
        reason = _unverified(registry, "set", *(("is_set",) if access.operation == "setdefault" else ()))
    return _fix(ctx, UNSAFE if reason else SAFE, statement, text, imports, (), reason)


def _delete_fix(ctx: FileContext, access: RawAccess, registry: Registry, key: str) -> Optional[Fix]:
    target = _statement_target(ctx, access, registry, key)
    if target is None:
        return None
    statement, name, imports = target
    text = f"{name}.{key}.clear()"
    reason = None
    if key != access.key:
        reason = f"clears {key} where the code removed {access.key}"
    elif (
        isinstance(statement, ast.Delete)
        or (access.operation == "pop" and len(access.node.args) + len(access.node.keywords) < 2)
    ) and raises_are_caught(ctx, statement):
        reason = (
            f"the original raises KeyError when {key} is unset, and a try block around it "
            "may depend on that; clear() does not raise"
        )
    else:
        reason = _unverified(registry, "clear")
    return _fix(ctx, UNSAFE if reason else SAFE, statement, text, imports, (), reason)
