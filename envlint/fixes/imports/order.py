"""isort's order (profile black): which section an import belongs to, how it sorts,
and the blocks of consecutive imports isort sorts as one."""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass
from typing import Optional

from ..style import CodeStyle

FUTURE, STDLIB, THIRDPARTY, FIRSTPARTY, LOCALFOLDER = range(5)


# isort's Python 3 standard library list also keeps modules newer Pythons removed.
_STDLIB = frozenset(sys.stdlib_module_names) | {"asynchat", "asyncore", "distutils", "imp", "smtpd"}


_NATURAL = re.compile(r"(\d+)")


def _natural(text: str) -> tuple:
    return tuple(int(part) if part.isdigit() else part for part in _NATURAL.split(text))


def _module_key(module: str) -> tuple:
    """isort's ``module_key``: case-insensitive, natural number order."""
    return _natural(module.lower())


def _name_key(name: str) -> tuple:
    """isort's order of the names in ``from m import ...`` (``order_by_type``):
    CONSTANTS, then Classes, then everything else, each case-insensitively."""
    if name.isupper() and len(name) > 1:
        kind = "A"
    elif name[:1].isupper():
        kind = "B"
    else:
        kind = "C"
    return (kind, _natural(name.lower()))


def section_of(module: str, level: int, style: CodeStyle) -> int:
    """Which isort section an import of ``module`` belongs to."""
    if level:
        return LOCALFOLDER
    top = module.partition(".")[0]

    def known(names: frozenset[str]) -> bool:
        return any(module == n or module.startswith(n + ".") for n in names)

    if known(style.local_folder):
        return LOCALFOLDER
    if known(style.third_party):
        return THIRDPARTY
    if top == "__future__":
        return FUTURE
    if known(style.first_party):
        return FIRSTPARTY
    if top in _STDLIB:
        return STDLIB
    return THIRDPARTY


@dataclass
class _Statement:
    node: ast.stmt
    section: int
    key: tuple  # sort key inside its section

    @property
    def is_from(self) -> bool:
        return isinstance(self.node, ast.ImportFrom)


def _statement(node: ast.stmt, style: CodeStyle) -> _Statement:
    if isinstance(node, ast.ImportFrom):
        module = node.module or ""
        section = section_of(module, node.level, style)
        return _Statement(node, section, _module_key("." * node.level + module))
    module = node.names[0].name
    return _Statement(node, section_of(module, 0, style), _module_key(module))


def _order(statement_is_from: bool, key: tuple, style: CodeStyle) -> tuple:
    if style.force_sort_within_sections:
        return (key,)
    return (statement_is_from, key)  # ``import x`` lines before ``from x import y``


def _blocks(tree: ast.Module) -> list[list[ast.stmt]]:
    """Runs of consecutive module-level import statements (what isort sorts as one)."""
    blocks: list[list[ast.stmt]] = []
    current: list[ast.stmt] = []
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            current.append(node)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _first_use(tree: ast.Module, name: str) -> Optional[int]:
    """The first line where module-level code (run at import time) reads ``name``."""
    first = None
    pending: list[ast.AST] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            # Decorators, defaults and annotations run at definition time.
            pending.extend(node.decorator_list)
            pending.extend(d for d in (*node.args.defaults, *node.args.kw_defaults) if d is not None)
            continue
        if isinstance(node, ast.Lambda):
            pending.extend(node.args.defaults)
            continue
        if isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load):
            first = node.lineno if first is None else min(first, node.lineno)
        pending.extend(ast.iter_child_nodes(node))
    return first


def _is_docstring(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )
