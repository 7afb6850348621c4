"""Import housekeeping after a rewrite, with LibCST's own codemod visitors.

``AddImportsVisitor`` adds ``from sglang.srt.environ import envs`` to the
file's import block (merging into an existing ``from sglang.srt.environ import
...``); ``RemoveImportsVisitor`` removes an import the rewrite stopped using —
and only when scope analysis shows nothing else in the module uses it.
LibCST is imported here, lazily: ``envlint check`` never pays for it.
"""

from __future__ import annotations

import ast
from typing import Iterable, Optional

from ..findings import ImportRequest
from ..modules import resolve_relative


def _import_of(tree: ast.Module, local: str, module: str, is_package: bool, header_end: int):
    """(module, obj, asname) of the header import binding ``local``, or None."""
    for node in tree.body:
        if node.lineno > header_end:
            break
        if isinstance(node, ast.Import):
            for alias in node.names:
                bound = alias.asname or alias.name.split(".")[0]
                if bound == local:
                    return alias.name, None, alias.asname
        elif isinstance(node, ast.ImportFrom):
            base = node.module if node.level == 0 else resolve_relative(
                module, is_package, node.level, node.module
            )
            for alias in node.names:
                if (alias.asname or alias.name) == local and base:
                    return base, alias.name, alias.asname
    return None


def _names_in_use(tree: ast.Module) -> set[str]:
    """Names read anywhere in the module, plus the strings of a literal ``__all__``."""
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    for node in tree.body:
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
                for item in ast.walk(node.value):
                    if isinstance(item, ast.Constant) and isinstance(item.value, str):
                        used.add(item.value)
    return used


def _header_end(tree: ast.Module) -> int:
    """The last line of the module's import header: up to its last top-level import
    before the first function or class. Imports live there; LibCST only needs it."""
    end = 0
    for statement in tree.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            break
        if isinstance(statement, (ast.Import, ast.ImportFrom)) or (
            end == 0
            and isinstance(statement, ast.Expr)
            and isinstance(statement.value, ast.Constant)
            and isinstance(statement.value.value, str)
        ):
            end = statement.end_lineno
    return end


def _split(text: str, line: int) -> tuple[str, str]:
    """``text`` cut after line ``line`` (keeping that line's break)."""
    if line <= 0:
        return "", text
    offset = 0
    for _ in range(line):
        next_break = min(
            (i for i in (text.find("\n", offset), text.find("\r", offset)) if i != -1),
            default=-1,
        )
        if next_break == -1:
            return text, ""
        offset = next_break + (2 if text.startswith("\r\n", next_break) else 1)
    return text[:offset], text[offset:]


def update_imports(
    text: str,
    add: Iterable[ImportRequest],
    maybe_unused: Iterable[str],
    module: str,
    is_package: bool,
    protected: frozenset[str] = frozenset(),
) -> str:
    """Add the imports a rewrite needs and drop those it left unused.

    Only the module's import header is handed to LibCST: its codemod visitors
    traverse every node (seconds on a 4,000-line sglang file), and imports live
    in the header. Whether a name is still used is decided on the whole file
    with ``ast``. ``protected`` names stay even when unused (other modules
    import them from this one).
    """
    add = list(dict.fromkeys(add))
    maybe_unused = sorted(set(maybe_unused) - protected)
    if not add and not maybe_unused:
        return text
    from libcst.codemod import CodemodContext
    from libcst.codemod.visitors import AddImportsVisitor, RemoveImportsVisitor

    package: Optional[str] = module if is_package else module.rpartition(".")[0]
    context = CodemodContext(full_module_name=module or None, full_package_name=package or None)
    for request in add:
        AddImportsVisitor.add_needed_import(
            context, request.module, request.name, request.asname
        )
    tree = ast.parse(text)
    if is_package:
        maybe_unused = []  # an __init__.py import may be a public re-export: never remove
    still_used = _names_in_use(tree)
    header_end = _header_end(tree)
    removals = 0
    for local in maybe_unused:
        found = _import_of(tree, local, module, is_package, header_end)
        # Only schedule names that are really gone: LibCST keeps *every* import of a
        # module when one scheduled alias of it is still used (``os`` and ``_os``).
        if found is not None and local not in still_used:
            RemoveImportsVisitor.remove_unused_import(context, *found)
            removals += 1
    if not add and not removals:
        return text
    import libcst as cst

    header, rest = _split(text, header_end)
    wrapper = cst.parse_module(header)
    # Remove first: the import the rewrite needs then lands where the old ones
    # were, instead of after an import that is about to disappear.
    if removals:
        wrapper = RemoveImportsVisitor(context).transform_module(wrapper)
    if add:
        wrapper = AddImportsVisitor(context).transform_module(wrapper)
    header = _blank_line_after_docstring(wrapper).code
    if header and rest and not header.endswith(("\n", "\r")):
        header += wrapper.default_newline
    return header + rest


def _blank_line_after_docstring(module):
    """Keep PEP 8's blank line between a module docstring and an import we added."""
    import libcst as cst

    body = list(module.body)
    if len(body) < 2 or not _is_docstring(body[0]):
        return module
    following = body[1]
    is_import = isinstance(following, cst.SimpleStatementLine) and any(
        isinstance(s, (cst.Import, cst.ImportFrom)) for s in following.body
    )
    if not is_import or following.leading_lines:
        return module
    body[1] = following.with_changes(leading_lines=[cst.EmptyLine()])
    return module.with_changes(body=body)


def _is_docstring(statement) -> bool:
    import libcst as cst

    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )
