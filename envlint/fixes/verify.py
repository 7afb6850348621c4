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


def _messages(tree: ast.Module, filename: str) -> Counter:
    from pyflakes import checker

    found: Counter = Counter()
    for message in checker.Checker(tree, filename=filename).messages:
        kind = type(message).__name__
        if kind in _KINDS:
            found[(kind, str(message.message_args[0]))] += 1
    return found


def new_problems(
    before: str,
    after: str,
    filename: str,
    after_tree: Optional[ast.Module] = None,
    kept_imports: frozenset[str] = frozenset(),
) -> list[str]:
    """The pyflakes messages ``after`` has that ``before`` had not (empty: as sound).

    ``kept_imports``: names whose import stays on purpose although this file no
    longer uses them (other modules import them from it).
    """
    try:
        tree = after_tree if after_tree is not None else ast.parse(after)
    except (SyntaxError, ValueError):
        return []  # not parsable: the compile check reports it
    now = _messages(tree, filename)
    if not now:
        return []
    try:
        earlier = _messages(ast.parse(before), filename)
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
