"""Recognise raw environment accesses with a literal key.

ENV001 (owned key read raw) and ENV002 (legacy ``SGL_*`` key) both need to know
"is this node an environment access, of which key, doing what". The answer is
computed once per node here and memoised in the ``FileContext``.

Recognised, with any spelling of ``os`` the resolver understands
(``import os as _os``, ``from os import environ, getenv``):

====================================  =========
``os.getenv("K"[, d])``               read
``os.environ.get("K"[, d])``          read
``os.environ["K"]``                   read / write / delete (by context)
``"K" in os.environ`` / ``not in``    presence check
``os.environ.pop("K"[, d])``          delete
``os.environ.setdefault("K", v)``     write
``os.environ.update({"K": v}, K=v)``  write, one access per literal key
``get_bool_env_var("K"[, d])``        read through an sglang helper
``get_int_env_var("K"[, d])``         read through an sglang helper
====================================  =========

Keys must be string literals; ``os.getenv(name)`` and f-strings are dynamic and
out of reach of a static check.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Optional

from .context import FileContext
from .profiles import HelperSpec

_ENVIRON_METHODS = {"get", "pop", "setdefault", "update", "keys"}


@dataclass(frozen=True)
class RawAccess:
    node: ast.AST  # the whole expression to report and (maybe) replace
    key: str
    key_node: ast.AST  # the string literal (or keyword) naming the key
    operation: str  # getenv | environ.get | subscript | in | not in | pop | setdefault | update | helper
    access: str  # read | write | delete | check
    via: str  # how the user wrote it, for messages: "os.getenv()", "os.environ[...]"
    helper: Optional[HelperSpec] = None


def _literal_str(node: Optional[ast.AST]) -> Optional[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _first_arg(call: ast.Call, keyword: str) -> Optional[ast.AST]:
    if call.args:
        first = call.args[0]
        return None if isinstance(first, ast.Starred) else first
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
    return None


def _is_environ(ctx: FileContext, expr: ast.AST) -> bool:
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute):
        # os.environ.keys()
        if expr.func.attr == "keys" and not expr.args:
            return _is_environ(ctx, expr.func.value)
        return False
    return isinstance(expr, (ast.Name, ast.Attribute)) and ctx.qualified_name(expr) == "os.environ"


def raw_accesses(ctx: FileContext, node: ast.AST) -> tuple[RawAccess, ...]:
    return ctx.memo("raw-access", node, lambda: tuple(_find(ctx, node)))


def _find(ctx: FileContext, node: ast.AST):
    cls = node.__class__
    if cls is ast.Call:
        yield from _from_call(ctx, node)
    elif cls is ast.Subscript:
        key = _literal_str(node.slice)
        if key is not None and _is_environ(ctx, node.value):
            if isinstance(node.ctx, ast.Store):
                access = "write"
            elif isinstance(node.ctx, ast.Del):
                access = "delete"
            else:
                access = "read"
            yield RawAccess(node, key, node.slice, "subscript", access, "os.environ[...]")
    elif cls is ast.Compare:
        if len(node.ops) == 1 and isinstance(node.ops[0], (ast.In, ast.NotIn)):
            key = _literal_str(node.left)
            if key is not None and _is_environ(ctx, node.comparators[0]):
                operation = "in" if isinstance(node.ops[0], ast.In) else "not in"
                yield RawAccess(node, key, node.left, operation, "check", f"'{operation} os.environ'")


def _from_call(ctx: FileContext, call: ast.Call):
    func = call.func
    if isinstance(func, ast.Attribute):
        name = func.attr
    elif isinstance(func, ast.Name):
        name = func.id
    else:
        return
    if name == "getenv":
        key_node = _first_arg(call, "key")
        key = _literal_str(key_node)
        if key is not None and ctx.qualified_name(func) == "os.getenv":
            yield RawAccess(call, key, key_node, "getenv", "read", "os.getenv()")
        return
    if name in _ENVIRON_METHODS and isinstance(func, ast.Attribute):
        if name == "update":
            if _is_environ(ctx, func.value):
                yield from _from_update(call)
            return
        key_node = _first_arg(call, "key")
        key = _literal_str(key_node)
        if key is None or not _is_environ(ctx, func.value):
            return
        access = {"get": "read", "pop": "delete", "setdefault": "write"}.get(name)
        if access is None:
            return
        operation = "environ.get" if name == "get" else name
        yield RawAccess(call, key, key_node, operation, access, f"os.environ.{name}()")
        return
    key_node = _first_arg(call, "name")
    key = _literal_str(key_node)
    if key is None:
        return
    helper = ctx.helper(func)
    if helper is not None:
        yield RawAccess(call, key, key_node, "helper", "read", f"{helper.name}()", helper)


def _from_update(call: ast.Call):
    for arg in call.args:
        if isinstance(arg, ast.Dict):
            for key_node in arg.keys:
                key = _literal_str(key_node)
                if key is not None:
                    yield RawAccess(call, key, key_node, "update", "write", "os.environ.update()")
    for keyword in call.keywords:
        if keyword.arg is not None:
            yield RawAccess(call, keyword.arg, keyword, "update", "write", "os.environ.update()")
        elif isinstance(keyword.value, ast.Dict):
            for key_node in keyword.value.keys:
                key = _literal_str(key_node)
                if key is not None:
                    yield RawAccess(call, key, key_node, "update", "write", "os.environ.update()")
