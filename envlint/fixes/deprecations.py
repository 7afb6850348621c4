"""Fixes for ENV008: give users of a removed or renamed key the path Rule 5 asks for.

In the form the registry already uses:

* a rename whose new key's descriptor has a ``*WithAlias`` variant in the
  registry (``EnvBool`` -> ``EnvBoolWithAlias``) becomes that variant with
  ``deprecated_name="OLD"``: the edit is on the new key's own line;
* everything else becomes a deprecation entry next to the existing ones
  (``_DEPRECATED_ENVS`` table or ``_print_deprecated_env`` calls): one edit
  adding the entries of all the registry's stranded keys, carried by the
  first finding, because insertions at one point cannot be applied apart.

Never safe: users who set an old name start getting a warning, and with a
replacement their value starts reaching the new key. That is the point of the
fix, and a behaviour change a reviewer must accept.
"""

from __future__ import annotations

import ast
from typing import Optional

from ..context import FileContext
from ..findings import UNSAFE, Edit, Fix
from ..registry import Registry, descriptor_classes
from ..review.snapshot import KeyState
from .registry_edits import RegistryEditError, deprecation_block_edit


def alias_variant(ctx: FileContext, descriptor: Optional[str]) -> Optional[str]:
    """``EnvBoolWithAlias`` for ``EnvBool`` when the registry defines it and it takes
    ``deprecated_name``; None otherwise."""
    if not descriptor or descriptor.endswith("WithAlias"):
        return None
    variant = descriptor + "WithAlias"
    if variant not in descriptor_classes(ctx.tree):
        return None
    for node in ast.walk(ctx.tree):
        if isinstance(node, ast.FunctionDef) and node.name == "__init__":
            if any(a.arg == "deprecated_name" for a in (*node.args.args, *node.args.kwonlyargs)):
                return variant
    return None


def _call_at(tree: ast.Module, line: int) -> Optional[ast.Call]:
    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.lineno == line:
            return node.value if isinstance(node.value, ast.Call) else None
    return None


def alias_fix(ctx: FileContext, new_line: int, variant: str, old: str, new: str) -> Optional[Fix]:
    """``NEW = EnvBool(True)`` -> ``NEW = EnvBoolWithAlias(True, deprecated_name="OLD")``."""
    call = _call_at(ctx.tree, new_line)
    if call is None or not isinstance(call.func, ast.Name):
        return None
    arguments = [*call.args, *(k.value for k in call.keywords)]
    if not arguments or any(k.arg is None for k in call.keywords):
        return None
    last = max(arguments, key=lambda n: (n.end_lineno, n.end_col_offset))
    _, _, end_line, end_col = ctx.span(last)
    line, col, func_end_line, func_end_col = ctx.span(call.func)
    return Fix(
        applicability=UNSAFE,
        description=f'Use {variant}(..., deprecated_name="{old}")',
        edits=(
            Edit(line, col, func_end_line, func_end_col, variant),
            Edit(end_line, end_col, end_line, end_col, f', deprecated_name="{old}"'),
        ),
        reason=f"users who set {old} have their value read as {new}, with a DeprecationWarning "
        f"(today {old} is ignored)",
    )


def entries_fix(
    ctx: FileContext, registry: Registry, entries: list[tuple[KeyState, Optional[str]]]
) -> Optional[Fix]:
    """One fix adding a deprecation entry for each (old key, replacement or None)."""
    try:
        edit = deprecation_block_edit(
            ctx.source, ctx.tree, registry, [(old.name, new) for old, new in entries]
        )
    except RegistryEditError:
        return None
    names = ", ".join(old.name for old, _ in entries)
    forwarded = [old.name for old, new in entries if new]
    reason = "users who set " + ("it" if len(entries) == 1 else "these names") + \
        " get a DeprecationWarning at import"
    if forwarded:
        reason += f", and the values of {', '.join(forwarded)} reach the new names"
    reason += "; envlint does not check what the registry's deprecation helper does"
    where = "_DEPRECATED_ENVS" if registry.deprecation_mechanism == "table" else "_print_deprecated_env calls"
    return Fix(
        applicability=UNSAFE,
        description=f"Add deprecation entries to {where} for {names}",
        edits=(edit,),
        reason=reason,
    )
