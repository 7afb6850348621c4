"""Is a fixed file as sound as it was? Compare pyflakes' verdict before and after.

A rewrite that compiles can still be broken: a name used where nothing binds it
(``envs`` shadowed in a function), a second import binding ``envs`` to another
registry (the first becomes unreachable: AttributeError at run time), an import
the rewrite left unused (function-local ones included). pyflakes (it ships with
flake8, a dependency already) reports exactly these; a fixed file must not have
more of them than the original had.

Only the messages a rewrite can cause are compared, by kind and name (line
numbers move): undefined names, redefinitions of unused names, unused imports,
imports shadowed by loop variables. The original is checked only when the fixed
file has such a message at all, which for almost every file it has not.
"""

from __future__ import annotations

import ast
from collections import Counter
from typing import Optional

_KINDS = frozenset({"UndefinedName", "RedefinedWhileUnused", "UnusedImport", "ImportShadowedByLoopVar"})


def _messages(tree: ast.Module, filename: str, names: Optional[frozenset[str]] = None) -> Counter:
    from pyflakes import checker

    if names is not None:
        tree = _pruned(tree, names)
    found: Counter = Counter()
    for message in checker.Checker(tree, filename=filename).messages:
        kind = type(message).__name__
        if kind in _KINDS:
            name = str(message.message_args[0])
            if names is None or _bound_name(kind, name) in names:
                found[(kind, name)] += 1
    return found


def _bound_name(kind: str, name: str) -> str:
    """The name a message is about (``sglang.srt.utils.get_bool_env_var`` -> ``get_bool_env_var``)."""
    if kind == "UnusedImport":
        name = name.split(" as ")[-1] if " as " in name else name.rpartition(".")[2] if "." in name else name
    return name


def _pruned(tree: ast.Module, names: frozenset[str]) -> ast.Module:
    """``tree`` with the body of every function that never mentions ``names`` replaced
    by ``pass``: the messages about those names are the same, and pyflakes' work —
    most of it in function bodies — shrinks to the functions a rewrite touched."""

    def mentions(node: ast.AST) -> bool:
        found = False
        for child in ast.iter_child_nodes(node):
            found = mentions(child) or found
        if isinstance(node, ast.Name):
            found = found or node.id in names
        elif isinstance(node, ast.alias):
            found = found or (node.asname or node.name.partition(".")[0]) in names
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            found = found or bool(names.intersection(node.names))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found = found or node.name in names
            if not found:
                node.body = [ast.Pass(lineno=node.body[0].lineno, col_offset=node.body[0].col_offset)]
        return found

    try:
        mentions(tree)
    except RecursionError:
        pass  # deeply nested code: pyflakes sees what was pruned so far, which is still exact
    return tree


def new_problems(
    before: str,
    after: str,
    filename: str,
    after_tree: Optional[ast.Module] = None,
    kept_imports: frozenset[str] = frozenset(),
    names: Optional[frozenset[str]] = None,
) -> list[str]:
    """The pyflakes messages ``after`` has that ``before`` had not (empty: as sound).

    ``kept_imports``: names whose import stays on purpose although this file no
    longer uses them (other modules import them from it). ``names``: when given,
    only messages about them are compared (a rewrite can only change those: the
    names its imports bind, the names it stopped using, the names it writes) and
    functions mentioning none of them are not analysed. ``after_tree`` is pruned
    in place.
    """
    try:
        tree = after_tree if after_tree is not None else ast.parse(after)
    except (SyntaxError, ValueError):
        return []  # not parsable: the compile check reports it
    now = _messages(tree, filename, names)
    if not now:
        return []
    try:
        earlier = _messages(ast.parse(before), filename, names)
    except (SyntaxError, ValueError, RecursionError):
        earlier = Counter()
    # By name: one more use of a name that was undefined before is not a new problem.
    added = {
        (kind, name)
        for kind, name in set(now) - set(earlier)
        if not (kind == "UnusedImport" and name.rpartition(".")[2].split(" as ")[-1] in kept_imports)
    }
    return [f"{_KIND_TEXT[kind]} {name}" for (kind, name) in sorted(added)]


_KIND_TEXT = {
    "UndefinedName": "undefined name",
    "RedefinedWhileUnused": "redefinition of unused",
    "UnusedImport": "unused import",
    "ImportShadowedByLoopVar": "import shadowed by loop variable",
}
