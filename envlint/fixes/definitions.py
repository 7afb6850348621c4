"""Find the code a fix relies on: a function's definition in the project, by qualified name.

A fix is safe only when envlint has read the code it reasons about. ENV005's fix
relies on ``temp_set_env`` raising for sglang keys; that is a fact about the
project's own ``temp_set_env``, so it is checked on its definition, found here
without importing anything: the module's file under the source roots, then the
re-exports it makes (``from .common import *``, ``from x import name``).

Parsed files are cached per process by (path, size, mtime), so a run reads each
at most once.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Iterable, Optional

from ..modules import resolve_relative

_TREES: dict[tuple[str, int, int], Optional[ast.Module]] = {}
_MAX_HOPS = 6


def module_file(module: str, roots: Iterable[Path]) -> Optional[Path]:
    """The file defining ``module`` under one of ``roots`` (``a/b.py`` or ``a/b/__init__.py``)."""
    parts = module.split(".")
    for root in roots:
        base = root.joinpath(*parts)
        for candidate in (base.with_suffix(".py"), base / "__init__.py"):
            if candidate.is_file():
                return candidate
    return None


def _tree(path: Path) -> Optional[ast.Module]:
    try:
        stat = path.stat()
    except OSError:
        return None
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    if key not in _TREES:
        try:
            _TREES[key] = ast.parse(path.read_bytes(), filename=str(path))
        except (SyntaxError, ValueError, OSError, RecursionError, MemoryError):
            _TREES[key] = None
    return _TREES[key]


def find_function(
    qualified: str, roots: Iterable[Path]
) -> Optional[tuple[ast.FunctionDef, Path, ast.Module]]:
    """(definition, file, its module tree) of the function ``qualified`` names, or None."""
    roots = list(roots)
    module, _, name = qualified.rpartition(".")
    seen: set[str] = set()
    for _ in range(_MAX_HOPS):
        if not module or module in seen:
            return None
        seen.add(module)
        path = module_file(module, roots)
        tree = _tree(path) if path else None
        if tree is None:
            return None
        found = _defined_here(tree, name)
        if found is not None:
            return found, path, tree
        source = _reexported_from(tree, name, module, path.name == "__init__.py", roots)
        if source is None:
            return None
        module, name = source
    return None


def origin(qualified: str, roots: Iterable[Path]) -> str:
    """Where the name ``qualified`` comes from, following re-exports:
    ``sglang.srt.utils.envs`` is ``sglang.srt.environ.envs`` when ``sglang.srt.utils``
    star-imports a module that imports ``envs`` from ``sglang.srt.environ``."""
    roots = list(roots)
    module, _, name = qualified.rpartition(".")
    for _ in range(_MAX_HOPS):
        path = module_file(module, roots) if module else None
        tree = _tree(path) if path else None
        if tree is None:
            break
        source = _reexported_from(tree, name, module, path.name == "__init__.py", roots)
        if source is None:
            break
        module, name = source
    return f"{module}.{name}" if module else name


def _defined_here(tree: ast.Module, name: str) -> Optional[ast.FunctionDef]:
    found = None
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            found = node  # the last definition is the one the module ends up with
    return found


def _reexported_from(
    tree: ast.Module, name: str, module: str, is_package: bool, roots: list[Path], depth: int = 0
) -> Optional[tuple[str, str]]:
    """(module, name) that ``module`` takes ``name`` from, through its imports."""
    if depth > _MAX_HOPS:
        return None
    stars = []
    for node in tree.body:
        if not isinstance(node, ast.ImportFrom):
            continue
        base = (
            node.module if node.level == 0 else resolve_relative(module, is_package, node.level, node.module)
        )
        if base is None:
            continue
        for alias in node.names:
            if alias.name == "*":
                stars.append(base)
            elif (alias.asname or alias.name) == name:
                return base, alias.name
    for base in stars:
        path = module_file(base, roots)
        star_tree = _tree(path) if path else None
        if star_tree is not None and (
            _defined_here(star_tree, name) is not None
            or _reexported_from(star_tree, name, base, path.name == "__init__.py", roots, depth + 1)
        ):
            return base, name
    return None


def temp_set_env_refusal(function: ast.FunctionDef) -> Optional[tuple[str, tuple[str, ...]]]:
    """(exception, key prefixes) when ``function`` is sglang's ``temp_set_env``: a
    ``@contextmanager`` whose first statement is::

        if not allow_sglang:
            for key in env_vars:
                if key.startswith("SGLANG_") or key.startswith("SGL_"):
                    raise ValueError(...)

    so entering it with such a key (and ``allow_sglang`` left False) raises
    before it touches ``os.environ``. None when the code is anything else.
    """
    if not any(
        (isinstance(d, ast.Name) and d.id == "contextmanager")
        or (isinstance(d, ast.Attribute) and d.attr == "contextmanager")
        for d in function.decorator_list
    ):
        return None
    args = function.args
    flag = next((a for a in args.kwonlyargs if a.arg == "allow_sglang"), None)
    if flag is None or args.kwarg is None:
        return None
    default = args.kw_defaults[args.kwonlyargs.index(flag)]
    if not (isinstance(default, ast.Constant) and default.value is False):
        return None
    body = function.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    if not body or not isinstance(body[0], ast.If) or body[0].orelse:
        return None
    test = body[0].test
    if not (
        isinstance(test, ast.UnaryOp)
        and isinstance(test.op, ast.Not)
        and isinstance(test.operand, ast.Name)
        and test.operand.id == "allow_sglang"
    ):
        return None
    loop = body[0].body
    if len(loop) != 1 or not isinstance(loop[0], ast.For) or loop[0].orelse:
        return None
    target, iterated = loop[0].target, loop[0].iter
    if not (
        isinstance(target, ast.Name)
        and isinstance(iterated, ast.Name)
        and iterated.id == args.kwarg.arg
        and len(loop[0].body) == 1
        and isinstance(loop[0].body[0], ast.If)
    ):
        return None
    check = loop[0].body[0]
    if check.orelse or len(check.body) != 1 or not isinstance(check.body[0], ast.Raise):
        return None
    raised = check.body[0].exc
    exception = raised.func if isinstance(raised, ast.Call) else raised
    if not isinstance(exception, ast.Name):
        return None
    prefixes = _startswith_prefixes(check.test, target.id)
    if not prefixes:
        return None
    return exception.id, prefixes


def _startswith_prefixes(test: ast.AST, variable: str) -> Optional[tuple[str, ...]]:
    """The prefixes of ``key.startswith("A") or key.startswith(("B", "C"))``, else None."""
    parts = test.values if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or) else [test]
    prefixes: list[str] = []
    for part in parts:
        if not (
            isinstance(part, ast.Call)
            and isinstance(part.func, ast.Attribute)
            and part.func.attr == "startswith"
            and isinstance(part.func.value, ast.Name)
            and part.func.value.id == variable
            and len(part.args) == 1
            and not part.keywords
        ):
            return None
        argument = part.args[0]
        items = argument.elts if isinstance(argument, ast.Tuple) else [argument]
        for item in items:
            if not (isinstance(item, ast.Constant) and isinstance(item.value, str)):
                return None
            prefixes.append(item.value)
    return tuple(prefixes)
