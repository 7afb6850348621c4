"""What a module-style getter returns when its variable is unset, where that is evident.

vLLM-style registries map each key to a getter, ``"K": lambda: int(os.getenv("K", "60"))``.
The ``TYPE_CHECKING`` stubs state a type and default too, but not every key has
one, and stubs go stale: the getter is what runs. So the getter is read: the
default passed to ``os.getenv`` / ``os.environ.get`` and the conversions wrapped
around it (``int``, ``float``, ``bool``, ``str``, ``.lower()``, ``== "true"``,
``in (...)``) are applied to it, exactly as Python would when the variable is unset.

Anything else (project helpers such as ``_lazy_bool("K")``, function calls,
``os.environ["K"]``) is not guessed: it yields no default.
"""

from __future__ import annotations

import ast
from typing import Any, Optional


_CONVERSIONS = {"int": int, "float": float, "bool": bool, "str": str}
_STRING_METHODS = ("lower", "upper", "strip")
_KINDS = {bool: "bool", int: "int", float: "float", str: "str"}


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


_READERS = ("os.getenv", "os.environ.get", "environ.get", "getenv")


class _Unknown(Exception):
    """The getter does something this module does not evaluate."""


def _evaluate(node: ast.AST, key: str) -> Any:
    """The value of ``node`` when ``key`` is unset; raises ``_Unknown`` otherwise."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Tuple):
        return tuple(_evaluate(element, key) for element in node.elts)
    if isinstance(node, ast.Call) and not node.keywords:
        name = _dotted(node.func)
        if name in _READERS and 1 <= len(node.args) <= 2:
            read = node.args[0]
            if not (isinstance(read, ast.Constant) and read.value == key):
                raise _Unknown
            return _evaluate(node.args[1], key) if len(node.args) == 2 else None
        if name in _CONVERSIONS and len(node.args) == 1:
            return _apply(_CONVERSIONS[name], _evaluate(node.args[0], key))
        if (
            isinstance(node.func, ast.Attribute)
            and node.func.attr in _STRING_METHODS
            and not node.args
        ):
            value = _evaluate(node.func.value, key)
            if isinstance(value, str):
                return getattr(value, node.func.attr)()
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        left, right = _evaluate(node.left, key), _evaluate(node.comparators[0], key)
        op = node.ops[0]
        if isinstance(op, (ast.Eq, ast.NotEq)):
            return (left == right) == isinstance(op, ast.Eq)
        if isinstance(op, (ast.In, ast.NotIn)) and isinstance(right, tuple):
            return (left in right) == isinstance(op, ast.In)
    raise _Unknown


def _apply(function, value: Any) -> Any:
    try:
        return function(value)
    except (TypeError, ValueError):  # int(None), int("x"): the getter raises when unset
        raise _Unknown from None


def getter_default(getter: ast.AST, key: str) -> Optional[tuple[str, Any]]:
    """``(kind, value)`` that ``getter`` returns for ``key`` unset, or None when not evident."""
    if not (isinstance(getter, ast.Lambda) and not getter.args.args):
        return None
    try:
        value = _evaluate(getter.body, key)
    except _Unknown:
        return None
    if value is None:
        # ``os.getenv("K")`` itself: a string when set; anything else returning None is opaque.
        reads = isinstance(getter.body, ast.Call) and _dotted(getter.body.func) in _READERS
        return ("str", None) if reads else ("unknown", None)
    kind = _KINDS.get(type(value))
    return None if kind is None else (kind, value)

