"""Default expressions as Python values: literals, ``tuple()``, arithmetic, IntEnum members."""

from __future__ import annotations

import ast
from typing import Any

_NO_VALUE = object()


def _literal(node: ast.AST, enums: dict[str, dict[str, int]]) -> Any:
    """The Python value of a default expression, or ``_NO_VALUE`` when not literal."""
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        pass
    if isinstance(node, ast.Call) and not node.args and not node.keywords:
        if isinstance(node.func, ast.Name) and node.func.id in ("tuple", "list", "dict"):
            return {"tuple": (), "list": [], "dict": {}}[node.func.id]
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Pow, ast.Mult, ast.Add, ast.Sub)):
        left, right = _literal(node.left, enums), _literal(node.right, enums)
        numbers = (int, float)
        if isinstance(left, numbers) and isinstance(right, numbers):
            if isinstance(node.op, ast.Pow) and (abs(right) > 128 or abs(left) > 2**16):
                return _NO_VALUE
            op = {ast.Pow: pow, ast.Mult: lambda a, b: a * b, ast.Add: lambda a, b: a + b,
                  ast.Sub: lambda a, b: a - b}[type(node.op)]
            return op(left, right)
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        members = enums.get(node.value.id)
        if members is not None and node.attr in members:
            return members[node.attr]
    return _NO_VALUE


def _int_enums(tree: ast.Module) -> dict[str, dict[str, int]]:
    """``class Level(IntEnum): OFF = 0`` members, so ``EnvInt(Level.OFF)`` has a value."""
    enums: dict[str, dict[str, int]] = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and any(
            isinstance(b, ast.Name) and b.id in ("IntEnum", "IntFlag") for b in node.bases
        ):
            members = {}
            for stmt in node.body:
                if (
                    isinstance(stmt, ast.Assign)
                    and len(stmt.targets) == 1
                    and isinstance(stmt.targets[0], ast.Name)
                    and isinstance(stmt.value, ast.Constant)
                    and isinstance(stmt.value.value, int)
                ):
                    members[stmt.targets[0].id] = stmt.value.value
            enums[node.name] = members
    return enums
