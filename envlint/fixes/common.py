"""Building blocks every fix needs: edits from nodes, the registry's name at a site, imports.

A fix is text edits plus metadata (imports to add, imports that may have become
unused, registry edits). Text edits keep everything outside the rewritten span
byte-identical; LibCST handles the import block when the fixer applies them.
"""

from __future__ import annotations

import ast
import io
import json
import tokenize
from typing import Any, Optional

from ..context import FileContext
from ..findings import Edit, ImportRequest
from ..registry import Registry

# Parents in which a ``not x`` replacement needs no parentheses.
_LOW_PRECEDENCE_OK = (ast.If, ast.While, ast.Assert, ast.Return, ast.Assign, ast.AnnAssign,
                      ast.Expr, ast.BoolOp, ast.keyword, ast.IfExp, ast.comprehension)


def drops_comment(ctx: FileContext, node: ast.AST) -> bool:
    """Whether replacing ``node`` would delete a comment written inside it."""
    if node.lineno == node.end_lineno:
        return False  # a one-line expression ends before any trailing comment
    try:
        tokens = tokenize.generate_tokens(io.StringIO("(" + ctx.source.segment(node) + ")").readline)
        return any(token.type == tokenize.COMMENT for token in tokens)
    except (tokenize.TokenError, SyntaxError):
        return True


def node_edit(ctx: FileContext, node: ast.AST, content: str) -> Edit:
    line, col, end_line, end_col = ctx.span(node)
    return Edit(line, col, end_line, end_col, content)


def insert_after(ctx: FileContext, node: ast.AST, content: str) -> Edit:
    _, _, end_line, end_col = ctx.span(node)
    return Edit(end_line, end_col, end_line, end_col, content)


def segment(ctx: FileContext, node: ast.AST) -> str:
    return ctx.source.segment(node)


def negated(ctx: FileContext, node: ast.AST, text: str) -> str:
    """``not <text>`` as a replacement for ``node``, parenthesised where precedence needs it."""
    parent = ctx.parent_of(node)
    if isinstance(parent, ast.IfExp) and parent.test is not node:
        return f"(not {text})"
    if parent is None or isinstance(parent, _LOW_PRECEDENCE_OK):
        return f"not {text}"
    if isinstance(parent, ast.UnaryOp) and isinstance(parent.op, ast.Not):
        return f"not {text}"
    return f"(not {text})"


def literal(value: Any) -> str:
    """Source text for a descriptor default (``True``, ``5``, ``"info"``, ``None``).

    Strings use double quotes, the style of sglang's registry (and black's).
    """
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return repr(value)


def registry_reference(
    ctx: FileContext, registry: Registry
) -> Optional[tuple[str, tuple[ImportRequest, ...]]]:
    """How to name ``registry`` at the current site, and the import that makes it so.

    Reuses a binding the file already has (``envs``, ``envs as sglang_envs``,
    ``environ`` for ``environ.envs``); otherwise imports ``envs`` — or, when that
    name is taken at the site, ``<package>_envs`` (sglang itself uses
    ``from sglang.srt.environ import envs as srt_envs``). None when no name works.
    """
    scope = ctx.scope
    resolver = ctx.resolver
    target = registry.qualified_name
    attribute = target.rpartition(".")[2]
    for name, value in resolver.module_scope.bindings.items():
        if not isinstance(value, str):
            continue
        if value == target and scope.lookup(name) == target:
            return name, ()
        if registry.style == "descriptor" and f"{value}.{attribute}" == target and (
            scope.lookup(name) == value
        ):
            return f"{name}.{attribute}", ()
    import_as = (
        registry.style == "module" and ctx.config.profile.module_registry_import == "import-as"
    )
    if registry.style == "descriptor":
        module, name = registry.module, registry.instance or "envs"
    else:
        module, name = registry.package, attribute
    package_last = registry.package.rpartition(".")[2] or "registry"
    for local in (name, f"{package_last}_envs"):
        if not scope.is_bound(local):
            if import_as:  # ``import vllm.envs as envs``
                return local, (ImportRequest(registry.module, None, local),)
            asname = None if local == name else local
            return local, (ImportRequest(module, name, asname),)
    return None


def imported_names(ctx: FileContext, node: ast.AST) -> tuple[str, ...]:
    """Module-level names used inside ``node``: imports a rewrite may leave unused."""
    module_bindings = ctx.resolver.module_scope.bindings
    names = {
        n.id
        for n in ast.walk(node)
        if isinstance(n, ast.Name) and isinstance(module_bindings.get(n.id), str)
    }
    return tuple(sorted(names))


def is_str_expression(ctx: FileContext, node: ast.AST) -> bool:
    """Statically a ``str``: a string literal, an f-string, or ``str(...)``."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return ctx.qualified_name(node.func) == "builtins.str"
    return False


def statement_alone_on_its_lines(ctx: FileContext, statement: ast.stmt) -> bool:
    """True when nothing else shares the statement's lines (a block may replace it)."""
    source = ctx.source
    first = source.line_text(statement.lineno)
    before = first[: source.char_col(statement.lineno, statement.col_offset)]
    last = source.line_text(statement.end_lineno)
    after = last[source.char_col(statement.end_lineno, statement.end_col_offset):]
    return not before.strip() and (not after.strip() or after.strip().startswith("#"))
