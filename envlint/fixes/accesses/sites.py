"""What a raw read looks like where it stands: the expressions around it that only
transform its value, their models, and the fix that replaces one of them."""

from __future__ import annotations

import ast
from typing import Optional

from ...context import FileContext
from ...findings import SAFE, UNSAFE, Fix
from ...safety import NotModelled, Reader, expression_reader
from ..common import drops_comment, imported_names, node_edit

_CASTS = {"builtins.int": "EnvInt", "builtins.float": "EnvFloat", "builtins.str": "EnvStr"}


_STR_METHODS = {"lower", "upper", "strip", "lstrip", "rstrip", "casefold"}


def _candidates(ctx: FileContext, node: ast.AST) -> list[ast.AST]:
    """``node`` and the enclosing expressions that only transform its value, innermost first."""
    found = [node]
    current = node
    while True:
        parent = ctx.parent_of(current)
        if parent is None:
            break
        if _is_cast(ctx, parent) and parent.args == [current] and not parent.keywords:
            current = parent
        elif isinstance(parent, ast.Attribute) and parent.attr in _STR_METHODS:
            call = ctx.parent_of(parent)
            if not (isinstance(call, ast.Call) and call.func is parent and not call.args):
                break
            current = call
        elif isinstance(parent, ast.Compare) and all(
            _is_literal(operand) for operand in (parent.left, *parent.comparators) if operand is not current
        ):
            current = parent
        elif isinstance(parent, ast.UnaryOp) and isinstance(parent.op, ast.Not):
            current = parent
        else:
            break
        found.append(current)
    return found


def _is_literal(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return all(isinstance(e, ast.Constant) for e in node.elts)
    return False


def _site_reader(ctx: FileContext, node: ast.AST, key: str) -> Optional[Reader]:
    try:
        return expression_reader(node, key, ctx.qualified_name, ctx.helper_semantics)
    except NotModelled:
        return None


def _is_cast(ctx: FileContext, node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and ctx.qualified_name(node.func) in (*_CASTS, "builtins.bool")
    )


def _fix(ctx, applicability, node, replacement, imports, registry_edits, reason) -> Fix:
    if applicability == SAFE and drops_comment(ctx, node):
        applicability, reason = UNSAFE, "the rewrite would delete a comment inside the expression"
    return Fix(
        applicability=applicability,
        description=f"Replace with `{replacement}`",
        edits=(node_edit(ctx, node, replacement),),
        reason=reason,
        add_imports=imports,
        maybe_unused=imported_names(ctx, node),
        registry_edits=registry_edits,
    )
