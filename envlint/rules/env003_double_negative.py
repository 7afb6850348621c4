"""ENV003: ``DISABLE_* = EnvBool(True)``, the one forbidden flag/default combination."""

from __future__ import annotations

import ast
from typing import Optional

from ..context import FileContext
from ..findings import UNSAFE, Edit, Fix, RegistryEdit
from ..fixes.common import node_edit
from .base import Invalid, Rule, Valid

_REGISTRY = "python/sglang/srt/environ.py"
_PRELUDE = "class EnvField: ...\nclass EnvBool(EnvField): ...\n"


def disable_token_index(name: str) -> int:
    """Index of the ``DISABLE`` word in ``name`` split on ``_``, or -1."""
    parts = name.split("_")
    return parts.index("DISABLE") if "DISABLE" in parts else -1


def enable_name(name: str) -> str:
    """``SGLANG_DISABLE_FOO`` -> ``SGLANG_ENABLE_FOO``."""
    parts = name.split("_")
    parts[disable_token_index(name)] = "ENABLE"
    return "_".join(parts)


class DoubleNegative(Rule):
    """
    ## What it does
    Flags a boolean descriptor whose name carries the `DISABLE` verb and whose
    default is `True`: `SGLANG_DISABLE_FOO = EnvBool(True)`.

    ## Why is this bad
    Both `ENABLE_*` and `DISABLE_*` are valid verbs, and every other
    combination reads naturally. This one makes every call site a true double
    negative: `if not envs.SGLANG_DISABLE_FOO.get():` means "if foo is
    enabled", and foo is off in production by default.

    ## Example
    ```python
    class Envs:
        SGLANG_DISABLE_FOO = EnvBool(True)
    ```

    ## Use instead
    ```python
    class Envs:
        SGLANG_ENABLE_FOO = EnvBool(False)
    ```
    with every call site inverted (`not envs.SGLANG_DISABLE_FOO.get()` becomes
    `envs.SGLANG_ENABLE_FOO.get()`), and a deprecation entry so users who set
    `SGLANG_DISABLE_FOO` keep their behaviour.

    ## Fix safety
    *Unsafe*: renaming the variable changes what users must set, and a user's
    `SGLANG_DISABLE_FOO=0` means `SGLANG_ENABLE_FOO=1` — the value is
    inverted, which a plain rename cannot carry. The message spells out the
    replacement; apply it with `--unsafe-fixes` and review the call sites.
    Every use is inverted or none: the fix is blocked, with a note, by a use it
    cannot invert (a `set()` of a value that is not provably a `bool`, the
    descriptor passed around) and by the key spelt in a string anywhere in the
    project (`os.environ["SGLANG_DISABLE_FOO"] = ...` would keep the old name
    and meaning), unless `fix` rewrites those raw accesses to the registry in
    the same run, which it then inverts too.
    """

    code = "ENV003"
    name = "double-negative-flag"
    summary = "DISABLE_* = EnvBool(True) is a forbidden double negative"

    VALID = (
        Valid(
            _PRELUDE + "class Envs:\n    SGLANG_DISABLE_FOO = EnvBool(False)\n"
            "    SGLANG_ENABLE_BAR = EnvBool(True)\n    SGLANG_DISABLED_ARCHS = EnvBool(True)\n",
            path=_REGISTRY,
        ),
        Valid("class Envs:\n    SGLANG_DISABLE_FOO = make_flag(True)\n", path="python/sglang/other.py"),
    )
    INVALID = (
        Invalid(
            _PRELUDE + "class Envs:\n    SGLANG_DISABLE_FOO = EnvBool(True)\n"
            "    SGLANG_DISABLE_BAR = EnvBool(default=True)\n",
            findings=((4, 5), (5, 5)),
            path=_REGISTRY,
            fixed=_PRELUDE + "class Envs:\n    SGLANG_ENABLE_FOO = EnvBool(False)\n"
            "    SGLANG_ENABLE_BAR = EnvBool(default=False)\n",
            applicability="unsafe",
        ),
    )

    def begin(self, ctx: FileContext) -> None:
        registry = ctx.own_registry
        if registry is None or registry.style != "descriptor":
            return
        for field in registry.fields.values():
            if (
                field.kind == "bool"
                and disable_token_index(field.name) >= 0
                and field.default_is_literal
                and field.default is True
            ):
                replacement = enable_name(field.name)
                ctx.report(
                    self.code,
                    None,
                    f"{field.name} = {field.descriptor}(True) is a double negative "
                    f"(call sites read `if not {registry.instance or 'envs'}.{field.name}.get()`); "
                    f"use {replacement} = {field.descriptor}(False) and invert the call sites",
                    key=field.name,
                    span=(field.line, field.column, field.line, field.column + len(field.name)),
                    fix=self._fix(ctx, registry, field, replacement),
                )

    def _fix(self, ctx: FileContext, registry, field, replacement: str) -> Optional[Fix]:
        if replacement in registry.fields:
            return None
        default = _default_node(ctx.tree, field.line)
        if default is None:
            return None
        path = str(registry.path)
        edits = (
            Edit(field.line, field.column, field.line, field.column + len(field.name), replacement),
            node_edit(ctx, default, "False"),
        )
        registry_edits = [RegistryEdit("invert-flag", path, field.name, new_name=replacement)]
        if registry.deprecation_mechanism == "table":
            registry_edits.append(
                RegistryEdit("add-inverted-deprecation", path, field.name, new_name=replacement)
            )
            keeps = f"{field.name} keeps working through an inverting deprecation entry"
        else:
            # Name the registry's own mechanism (a generic registry may have none).
            mechanism = (
                "_print_deprecated_env cannot invert a value"
                if registry.deprecation_mechanism == "function"
                else f"{registry.path.name} has no deprecation entry that inverts a value"
            )
            keeps = f"users who set {field.name} must set {replacement} to the opposite value; {mechanism}"
        return Fix(
            applicability=UNSAFE,
            description=f"Rename to {replacement} = {field.descriptor}(False) and invert every use",
            edits=edits,
            reason=f"renames the variable users set and inverts its meaning; {keeps}",
            registry_edits=tuple(registry_edits),
        )


def _default_node(tree: ast.Module, line: int) -> Optional[ast.AST]:
    """The ``True`` default argument of the descriptor defined on ``line``."""
    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.lineno == line:
            call = node.value
            if isinstance(call, ast.Call):
                if call.args:
                    return call.args[0]
                for keyword in call.keywords:
                    if keyword.arg == "default":
                        return keyword.value
    return None
