"""Is an expression evaluated where its exception is expected?

``if envs.SGLANG_X:`` raises ``RuntimeError`` on purpose; code that demonstrates
or tests exactly that (``with pytest.raises(RuntimeError):``,
``with self.assertRaises(RuntimeError):``, sglang's own
``with assert_throws(...)``, ``with contextlib.suppress(RuntimeError):``,
``try: ... except RuntimeError:``) is not a bug. ENV004 asks here before it
reports.

Recognised, between the expression and its enclosing function (a ``with`` or
``try`` outside the function does not run the function's body):

* a ``with`` item calling something whose name says it expects an exception:
  ``raises``, ``assertRaises``, ``assertRaisesRegex``, ``assert_throws``,
  ``assert_raises`` and friends (any name containing ``raise`` or ``throw``),
  or ``suppress(...)`` of ``RuntimeError``, ``Exception`` or ``BaseException``;
* a ``try`` body whose handlers name ``RuntimeError`` (alone or in a tuple).
  A blanket ``except Exception`` is not: it would swallow the crash silently,
  which is worth a finding.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Iterator, Optional

if TYPE_CHECKING:
    from ..context import FileContext

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
_BROAD = {"RuntimeError", "Exception", "BaseException"}


def expects_exception(ctx: "FileContext", node: ast.AST) -> bool:
    return ctx.memo("expects-exception", node, lambda: _expects(ctx.tree, node))


def _expects(tree: ast.Module, node: ast.AST) -> bool:
    for statement in _enclosing(tree, node):
        if isinstance(statement, (ast.With, ast.AsyncWith)):
            if _inside(statement.body, node) and any(
                _expecting_manager(item.context_expr) for item in statement.items
            ):
                return True
        elif isinstance(statement, ast.Try) or statement.__class__.__name__ == "TryStar":
            if _inside(statement.body, node) and any(_catches_runtime_error(h) for h in statement.handlers):
                return True
    return False


def _enclosing(tree: ast.Module, node: ast.AST) -> list[ast.stmt]:
    """Statements whose span holds ``node``, outermost first, from its enclosing function on."""
    position = (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))
    chain: list[ast.stmt] = []
    statements: list = tree.body
    while statements:
        found: Optional[ast.stmt] = None
        for statement in statements:
            start = (statement.lineno, statement.col_offset)
            end = (statement.end_lineno, statement.end_col_offset)
            if start <= position < end:
                found = statement
                break
        if found is None:
            break
        if isinstance(found, _SCOPES):
            chain = []  # what encloses the function does not run its body
        else:
            chain.append(found)
        statements = list(_blocks(found))
    return chain


def _blocks(statement: ast.stmt) -> Iterator[ast.stmt]:
    for name in ("body", "orelse", "finalbody"):
        block = getattr(statement, name, None)
        if isinstance(block, list):
            yield from block
    for nested in (*getattr(statement, "handlers", ()), *getattr(statement, "cases", ())):
        yield from nested.body


def _inside(block: list[ast.stmt], node: ast.AST) -> bool:
    if not block:
        return False
    position = (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))
    start = (block[0].lineno, block[0].col_offset)
    end = (block[-1].end_lineno, block[-1].end_col_offset)
    return start <= position < end


def _name(expr: ast.AST) -> str:
    if isinstance(expr, ast.Attribute):
        return expr.attr
    if isinstance(expr, ast.Name):
        return expr.id
    return ""


def _expecting_manager(expr: ast.AST) -> bool:
    if not isinstance(expr, ast.Call):
        return False
    name = _name(expr.func).lower()
    if "raise" in name or "throw" in name:
        return True
    if name == "suppress":
        return any(_name(arg) in _BROAD for arg in expr.args)
    return False


def _catches_runtime_error(handler: ast.ExceptHandler) -> bool:
    kind = handler.type
    if kind is None:
        return False
    kinds = kind.elts if isinstance(kind, ast.Tuple) else [kind]
    return any(_name(k) == "RuntimeError" for k in kinds)
