"""ENV005: ``temp_set_env`` called with sglang keys, which it rejects at run time."""

from __future__ import annotations

import ast
import math
from typing import Optional

from ..context import FileContext
from ..findings import SAFE, UNSAFE, Fix
from ..fixes.common import imported_names, node_edit, raises_are_caught, registry_reference
from ..fixes.definitions import find_function, temp_set_env_refusal
from .base import Invalid, Rule, Valid

_IMPORT = "from sglang.srt.utils.common import temp_set_env\n"


def sglang_keywords(call: ast.Call, prefixes: tuple[str, ...]) -> list[ast.keyword]:
    """Keywords of ``call`` naming keys ``temp_set_env`` refuses (``**{...}`` literals too)."""
    found = []
    for keyword in call.keywords:
        if keyword.arg is not None and keyword.arg.startswith(prefixes):
            found.append(keyword)
    return found


def sglang_unpacked_keys(call: ast.Call, prefixes: tuple[str, ...]) -> list[ast.Constant]:
    found = []
    for keyword in call.keywords:
        if keyword.arg is None and isinstance(keyword.value, ast.Dict):
            for key in keyword.value.keys:
                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                    if key.value.startswith(prefixes):
                        found.append(key)
    return found


def allow_sglang(call: ast.Call) -> Optional[bool]:
    """The literal value of ``allow_sglang=``; None when it is not a literal."""
    for keyword in call.keywords:
        if keyword.arg == "allow_sglang":
            value = keyword.value
            if isinstance(value, ast.Constant) and isinstance(value.value, bool):
                return value.value
            return None
    return False


class TempSetEnvOwnedKey(Rule):
    """
    ## What it does
    Flags `temp_set_env(...)` calls that pass `SGLANG_*` / `SGL_*` keys, unless
    they pass `allow_sglang=True`.

    ## Why is this bad
    `temp_set_env` exists for non-sglang keys (`CUDA_LAUNCH_BLOCKING`,
    `NCCL_DEBUG`) and explicitly rejects sglang keys: the call raises
    `ValueError` when it runs. sglang keys go through the descriptor's
    `override()`, which also restores the explicit-None state correctly.

    ## Example
    ```python
    with temp_set_env(SGLANG_TEST_RETRACT="true", CUDA_LAUNCH_BLOCKING="1"):
        ...
    ```

    ## Use instead
    ```python
    with envs.SGLANG_TEST_RETRACT.override(True), temp_set_env(CUDA_LAUNCH_BLOCKING="1"):
        ...
    ```

    ## Fix safety
    *Safe* when envlint has verified in the project's own `temp_set_env` that it
    raises for these keys before touching `os.environ` (sglang's checks
    `allow_sglang` first and refuses `SGLANG_*` / `SGL_*` keys with
    `ValueError`), the call is entered right there as a `with` item, and no
    `try` around it catches the error: the original fails in every environment,
    so the rewrite repairs a crash. The value is converted to the descriptor's
    type (`"true"` becomes `True` for an `EnvBool`). *Unsafe* otherwise, with
    the reason naming what could not be verified.
    """

    code = "ENV005"
    name = "temp-set-env-sglang-key"
    summary = "temp_set_env() with SGLANG_*/SGL_* keys raises ValueError; use envs.X.override()"

    VALID = (
        Valid(_IMPORT + 'with temp_set_env(CUDA_LAUNCH_BLOCKING="1"):\n    pass\n'),
        Valid(_IMPORT + 'with temp_set_env(allow_sglang=True, SGLANG_DYNAMIC="1"):\n    pass\n'),
        Valid('from contextlib import nullcontext as temp_set_env\nwith temp_set_env(SGLANG_X="1"):\n    pass\n'),
    )
    INVALID = (
        Invalid(
            _IMPORT + 'with temp_set_env(SGLANG_TEST_RETRACT="true", CUDA_LAUNCH_BLOCKING="1"):\n'
            "    pass\n",
            findings=((2, 6),),
            fixed="from sglang.srt.environ import envs\n" + _IMPORT
            + 'with envs.SGLANG_TEST_RETRACT.override(True), temp_set_env(CUDA_LAUNCH_BLOCKING="1"):\n'
            "    pass\n",
            applicability="safe",
        ),
        Invalid(
            _IMPORT + 'with temp_set_env(allow_sglang=False, SGL_LOG_LEVEL="debug"):\n    pass\n',
            findings=((2, 6),),
        ),
    )

    def prefilter(self):
        return [[tuple(self.config.temp_set_env), tuple(self.config.owned_prefixes)]]

    def visit_Call(self, node: ast.Call, ctx: FileContext) -> None:
        if not node.keywords or not ctx.is_temp_set_env(node.func):
            return
        prefixes = self.config.owned_prefixes
        keys = [k.arg for k in sglang_keywords(node, prefixes)]
        keys += [k.value for k in sglang_unpacked_keys(node, prefixes)]
        if not keys or allow_sglang(node) is not False:
            return
        canonical = [self.project.canonical_name(key) or key for key in keys]
        overrides = ", ".join(f"envs.{key}.override(...)" for key in canonical)
        ctx.report(
            self.code,
            node,
            f"temp_set_env() rejects sglang keys ({', '.join(keys)}) with ValueError; "
            f"use {overrides}",
            key=keys[0],
            fix=self._fix(node, ctx),
        )

    def _fix(self, call: ast.Call, ctx: FileContext) -> Optional[Fix]:
        """``with temp_set_env(SGLANG_A="true", CUDA_X="1"):`` ->
        ``with envs.SGLANG_A.override(True), temp_set_env(CUDA_X="1"):``."""
        if any(k.arg is None for k in call.keywords) or call.args:
            return None  # **kwargs or positional arguments: not a literal set of keys
        prefixes = self.config.owned_prefixes
        overrides, kept, registry = [], [], None
        for keyword in call.keywords:
            if keyword.arg == "allow_sglang":
                continue
            if not keyword.arg.startswith(prefixes):
                kept.append(ctx.source.segment(keyword))
                continue
            key = self.project.canonical_name(keyword.arg) or keyword.arg
            holder = self.project.registry_for_key(key, ctx.module)
            if holder is None or holder.style != "descriptor" or (registry not in (None, holder)):
                return None
            registry = holder
            overrides.append((key, typed_value(ctx, keyword.value, holder.fields[key].kind)))
        reference = registry_reference(ctx, registry, call)
        if reference is None:
            return None
        name, imports = reference
        parts = [f"{name}.{key}.override({value})" for key, value in overrides]
        if kept:
            parts.append(f"{ctx.source.segment(call.func)}({', '.join(kept)})")
        parent = ctx.parent_of(call)
        in_with = isinstance(parent, ast.withitem) and parent.optional_vars is None
        if len(parts) > 1 and not in_with:
            return None
        text = ", ".join(parts)
        reason = self._why_unsafe(call, ctx, in_with)
        return Fix(
            applicability=UNSAFE if reason else SAFE,
            description=f"Replace with `{text}`",
            edits=(node_edit(ctx, call, text),),
            reason=reason,
            add_imports=imports,
            maybe_unused=() if kept else imported_names(ctx, call.func),
        )

    def _why_unsafe(self, call: ast.Call, ctx: FileContext, in_with: bool) -> Optional[str]:
        """None when the original raises whenever it runs (the rewrite repairs a crash).

        That is read from the project's own ``temp_set_env``: it must refuse the
        keys this call passes before touching ``os.environ``, and the call must be
        entered right here (a ``with`` item) outside any ``try``.
        """
        qualified = ctx.qualified_name(call.func) or ""
        roots = (*self.config.src, self.config.root)
        found = find_function(qualified, roots)
        refusal = temp_set_env_refusal(found[0]) if found else None
        if refusal is None:
            return (
                f"envlint could not verify in the code of {qualified or 'temp_set_env'} that it "
                "raises for these keys; the rewrite runs the block with the override"
            )
        exception, prefixes = refusal
        if not any(k.arg and k.arg.startswith(prefixes) for k in call.keywords):
            return (
                f"temp_set_env refuses only keys starting with {', '.join(prefixes)}; "
                "the rewrite runs the block with the override"
            )
        if not in_with and not isinstance(ctx.parent_of(call), ast.withitem):
            return (
                f"the original raises {exception} only when the context is entered, which "
                "does not happen here; the rewrite's override is entered wherever it is"
            )
        if raises_are_caught(ctx, call):
            return (
                f"the original raises {exception}, and a try block around it may depend on "
                "that; the rewrite runs the block with the override"
            )
        return None


def typed_value(ctx: FileContext, value: ast.AST, kind: str) -> str:
    """A string literal converted to the descriptor's type (``"true"`` -> ``True``)."""
    text = ctx.source.segment(value)
    if not (isinstance(value, ast.Constant) and isinstance(value.value, str)):
        return text
    raw = value.value
    try:
        if kind == "bool":
            lowered = raw.lower()
            if lowered in ("true", "1", "yes", "y"):
                return "True"
            if lowered in ("false", "0", "no", "n"):
                return "False"
            return text
        if kind == "int":
            return repr(int(raw))
        if kind == "float":
            number = float(raw)
            return repr(number) if math.isfinite(number) else text
    except ValueError:
        return text
    return text
