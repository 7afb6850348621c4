"""ENV001's two exceptions: raw reads that belong to something the registry cannot express.

Both look at the rest of the enclosing function for a raw *write* of the same
key, so they are asked only about reads ENV001 would otherwise report.
"""

from __future__ import annotations

import ast
from typing import Iterator

from ..accesses import RawAccess, raw_accesses, same_scope_nodes
from ..context import FileContext


def saved_for_restore(ctx: FileContext, access: RawAccess, writes_reported: bool) -> bool:
    """``saved = os.environ.get(K)`` ... ``os.environ[K] = saved`` where writes are not flagged.

    A module-style registry has no setter (and cannot say "unset"), so ENV001
    leaves its raw writes alone; the read that saves the value to restore it
    later is part of the same write and is not a use of the variable either
    (vLLM's startup benchmark saves and restores ``VLLM_CACHE_ROOT``).
    """
    if writes_reported:
        return False
    parent = ctx.parent
    if not (
        isinstance(parent, ast.Assign)
        and parent.value is access.node
        and len(parent.targets) == 1
        and isinstance(parent.targets[0], ast.Name)
    ):
        return False
    saved = parent.targets[0].id
    for node in _same_scope(ctx):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Name) and node.value.id == saved:
            for target in node.targets:
                if any(a.key == access.key and a.access == "write" for a in raw_accesses(ctx, target)):
                    return True
    return False


def helper_under_test(ctx: FileContext, access: RawAccess) -> bool:
    """A test of a reading helper: the test function sets an unregistered key, then reads it.

    ``monkeypatch.setenv("SGLANG_TEST_FLAG_A", "maybe")`` followed by
    ``get_bool_env_var("SGLANG_TEST_FLAG_A")`` in a ``test_*`` function tests
    the helper with a synthetic key; "register it" would be meaningless
    advice. A registered key read this way is still reported.
    """
    function = ctx.scope.node
    if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) or not function.name.startswith("test"):
        return False
    if any(access.key in registry.fields for registry in ctx.project.registries):
        return False
    for node in _same_scope(ctx):
        if node.__class__ in (ast.Call, ast.Subscript) and any(
            a.key == access.key and a.access == "write" for a in raw_accesses(ctx, node)
        ):
            return True
    return False


def _same_scope(ctx: FileContext) -> Iterator[ast.AST]:
    """Nodes of the current function (or module) body, nested scopes excluded."""
    return same_scope_nodes(ctx.scope.node)
