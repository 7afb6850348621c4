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
import bisect
import re
from collections import Counter
from typing import Optional

_KINDS = frozenset({"UndefinedName", "RedefinedWhileUnused", "UnusedImport", "ImportShadowedByLoopVar"})


def _messages(
    tree: ast.Module, filename: str, names: Optional[frozenset[str]] = None, text: str = ""
) -> Counter:
    from pyflakes import checker

    if names is not None:
        tree = _pruned(tree, names, text)
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


def _pruned(tree: ast.Module, names: frozenset[str], text: str) -> ast.Module:
    """``tree`` with the body of every function that never mentions ``names`` replaced
    by ``pass``: the messages about those names are the same, and pyflakes' work —
    most of it in function bodies — shrinks to the functions a rewrite touched.

    "Mentions" is read from the text (a line holding one of the names as a word),
    which over-approximates (a comment counts) and so only keeps more than needed.
    """
    if not names:
        return tree
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(n) for n in sorted(names)) + r")\b")
    breaks = [m.start() for m in re.finditer("\n", text)]
    ordered = sorted({bisect.bisect_left(breaks, m.start()) + 1 for m in pattern.finditer(text)})
    pending: list[ast.AST] = [tree]
    while pending:
        node = pending.pop()
        for field in ("body", "orelse", "finalbody", "handlers", "cases"):
            for child in getattr(node, field, None) or ():
                if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    index = bisect.bisect_left(ordered, child.lineno)
                    if index == len(ordered) or ordered[index] > child.end_lineno:
                        first = child.body[0]
                        child.body = [ast.Pass(lineno=first.lineno, col_offset=first.col_offset)]
                        continue
                if isinstance(child, ast.AST):
                    pending.append(child)
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
    now = _messages(tree, filename, names, after)
    if not now:
        return []
    try:
        earlier = _messages(ast.parse(before), filename, names, before)
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
