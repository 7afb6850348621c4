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


def _import_of(tree: ast.Module, local: str, module: str, is_package: bool):
    """(module, obj, asname) of the top-level import binding ``local``, or None."""
    for node in tree.body:
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


def update_imports(
    text: str,
    add: Iterable[ImportRequest],
    maybe_unused: Iterable[str],
    module: str,
    is_package: bool,
) -> str:
    add = list(dict.fromkeys(add))
    maybe_unused = sorted(set(maybe_unused))
    if not add and not maybe_unused:
        return text
    import libcst as cst
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
    for local in maybe_unused:
        found = _import_of(tree, local, module, is_package)
        # Only schedule names that are really gone: LibCST keeps *every* import of a
        # module when one scheduled alias of it is still used (``os`` and ``_os``).
        if found is not None and local not in still_used:
            RemoveImportsVisitor.remove_unused_import(context, *found)
    # Remove first: the import the rewrite needs then lands where the old ones
    # were, instead of after an import that is about to disappear.
    wrapper = cst.parse_module(text)
    wrapper = RemoveImportsVisitor(context).transform_module(wrapper)
    wrapper = AddImportsVisitor(context).transform_module(wrapper)
    return _blank_line_after_docstring(wrapper).code


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
