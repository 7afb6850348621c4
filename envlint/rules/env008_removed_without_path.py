"""ENV008: a key removed or renamed with no path for users who still set the old name."""

from __future__ import annotations

from typing import Optional

from ..context import FileContext
from ..fixes.deprecations import alias_fix, alias_variant, entries_fix
from ..review.snapshot import KeyState
from ._review import PRELUDE, REGISTRY, base_span, describe, key_span, own_changes
from .base import Invalid, Rule, Valid

_ALIAS_PRELUDE = (
    PRELUDE
    + "class _DeprecatedEnvFallback:\n"
    + "    def __init__(self, default, deprecated_name): ...\n"
    + "class EnvBoolWithAlias(_DeprecatedEnvFallback, EnvBool): ...\n"
)
_TABLE = (
    "\nclass _DeprecatedEnv:\n    def __init__(self, replacement=None, note=None): ...\n"
    "\n_DEPRECATED_ENVS = {\n"
    '    "SGLANG_GONE_BEFORE": _DeprecatedEnv(),\n'
)


class RemovedWithoutPath(Rule):
    """
    ## What it does
    Compared with the review base (`--diff-base REF` or `--registry-base FILE`),
    flags a registered key that is gone with no path for users who still set
    it: no `*WithAlias(..., deprecated_name="OLD")` descriptor, no
    `_print_deprecated_env("OLD", ...)` call, no entry in a
    `_DEPRECATED_ENVS`-style table, no `_warn_deprecated_env_to_cli_flag("OLD",
    ...)`, not rewritten by the legacy-prefix rule (`SGL_X` -> `SGLANG_X`), and
    not registered in another registry.

    A *rename* is a removal plus an addition whose call sites moved: the diff
    shows lines that read the old key now reading the new one (see
    `docs/registry-review.md`). Its finding points at the new key. A plain
    removal has no line any more: its finding points at the line where the key
    was **at the base** (the message gives that line and says so). Only owned
    keys count: a launcher variable dropped from a registry (`CUDA_VISIBLE_DEVICES`)
    strands nobody.

    Without a base the rule is silent: it is about a change.

    ## Why is this bad
    Rule 5 of the conventions: renames go through `*WithAlias` or
    `_print_deprecated_env`, and full removals through a deprecation entry. A
    user who sets the old name after the change gets no error and no warning:
    the setting is silently ignored and the server runs with the default.

    ## Example
    At the base:
    ```python
    class Envs:
        SGLANG_NSA_FUSE_TOPK = EnvBool(True)
    ```
    After the change, with every `envs.SGLANG_NSA_FUSE_TOPK` now reading
    `envs.SGLANG_DSA_FUSE_TOPK`:
    ```python
    class Envs:
        SGLANG_DSA_FUSE_TOPK = EnvBool(True)
    ```

    ## Use instead
    ```python
    class Envs:
        SGLANG_DSA_FUSE_TOPK = EnvBoolWithAlias(True, deprecated_name="SGLANG_NSA_FUSE_TOPK")
    ```
    and, for a key removed for good, a deprecation entry:
    `"SGLANG_OLD": _DeprecatedEnv()` (or `_print_deprecated_env("SGLANG_OLD")`).

    ## Fix safety
    *Unsafe*, in the form the registry already uses: a rename becomes the
    `*WithAlias` variant of the new key's descriptor when the registry defines
    one; otherwise the old names get deprecation entries next to the existing
    ones (one fix, on the first finding, adds the entries of all of the
    registry's stranded keys: insertions at one point cannot be applied apart).
    Either way users of the old name start getting a warning, and a renamed
    key's value starts reaching the new key: that is the point, and a behaviour
    change. No fix when the registry has no deprecation mechanism, or when its
    `_DeprecatedEnv` / `_print_deprecated_env` would not accept the entry (a
    required argument): an edit must never make the registry fail at import.
    """

    code = "ENV008"
    name = "removed-without-deprecation"
    summary = "Registry key removed or renamed with no alias or deprecation entry for its users"
    about_change = True

    VALID = (
        Valid(
            _ALIAS_PRELUDE + "class Envs:\n"
            '    SGLANG_DSA_FUSE_TOPK = EnvBoolWithAlias(True, deprecated_name="SGLANG_NSA_FUSE_TOPK")\n',
            path=REGISTRY,
            base=PRELUDE + "class Envs:\n    SGLANG_NSA_FUSE_TOPK = EnvBool(True)\n",
            moves=(("SGLANG_NSA_FUSE_TOPK", "SGLANG_DSA_FUSE_TOPK"),),
        ),
        Valid(
            # A removal with a deprecation entry, and a launcher variable dropped.
            PRELUDE + "class Envs:\n    SGLANG_KEEP = EnvInt(1)\n"
            + _TABLE + '    "SGLANG_OLD": _DeprecatedEnv(),\n}\n',
            path=REGISTRY,
            base=PRELUDE + "class Envs:\n    SGLANG_KEEP = EnvInt(1)\n    SGLANG_OLD = EnvInt(2)\n"
            "    CUDA_VISIBLE_DEVICES = EnvInt(0)\n"
            + _TABLE + "}\n",
        ),
        Valid(
            # No base: nothing to compare with.
            PRELUDE + "class Envs:\n    SGLANG_KEEP = EnvInt(1)\n",
            path=REGISTRY,
        ),
    )
    INVALID = (
        Invalid(
            # A rename whose call sites moved: the registry offers EnvBoolWithAlias.
            _ALIAS_PRELUDE + "class Envs:\n    SGLANG_DSA_FUSE_TOPK = EnvBool(True)\n",
            findings=((8, 5),),
            path=REGISTRY,
            base=_ALIAS_PRELUDE + "class Envs:\n    SGLANG_NSA_FUSE_TOPK = EnvBool(True)\n",
            moves=(("SGLANG_NSA_FUSE_TOPK", "SGLANG_DSA_FUSE_TOPK"),),
            fixed=_ALIAS_PRELUDE + "class Envs:\n"
            '    SGLANG_DSA_FUSE_TOPK = EnvBoolWithAlias(True, deprecated_name="SGLANG_NSA_FUSE_TOPK")\n',
            applicability="unsafe",
        ),
        Invalid(
            # Two plain removals; the findings point at the base's lines (6 and 7).
            PRELUDE + "class Envs:\n    SGLANG_KEEP = EnvInt(1)\n"
            + _TABLE + "}\n",
            findings=((6, 1), (7, 1)),
            path=REGISTRY,
            base=PRELUDE + "class Envs:\n    SGLANG_KEEP = EnvInt(1)\n"
            "    SGLANG_SWA_EVICTION_INTERVAL_MULTIPLIER = EnvInt(2)\n"
            "    SGLANG_DISAGGREGATION_NUM_PRE_ALLOCATE_REQS = EnvInt(0)\n"
            + _TABLE + "}\n",
            fixed=PRELUDE + "class Envs:\n    SGLANG_KEEP = EnvInt(1)\n"
            + _TABLE
            + '    "SGLANG_SWA_EVICTION_INTERVAL_MULTIPLIER": _DeprecatedEnv(),\n'
            + '    "SGLANG_DISAGGREGATION_NUM_PRE_ALLOCATE_REQS": _DeprecatedEnv(),\n}\n',
            applicability="unsafe",
        ),
    )

    def begin(self, ctx: FileContext) -> None:
        found = own_changes(ctx)
        if found is None:
            return
        registry, changes = found
        stranded: list[tuple[KeyState, Optional[str], tuple[int, int, int, int], str]] = []
        for rename in changes.renamed:
            if rename.has_path or not ctx.project.is_owned(rename.old.name):
                continue
            old, new = rename.old.name, rename.new.name
            stranded.append((
                rename.old, new, key_span(registry, new),
                f"{old} was renamed to {new} (the call sites of {old} now read {new}) with no path "
                f"for users who still set {old}: they are silently ignored",
            ))
        for removal in changes.removed:
            old = removal.key
            if removal.path is not None or not ctx.project.is_owned(old.name):
                continue
            stranded.append((
                old, None, base_span(ctx, old.line),
                f"{old.name} ({describe(old)}) was removed with no deprecation entry: users who "
                f"set it get no warning (the key was at line {old.line} at the base)",
            ))
        if not stranded:
            return
        group = [(old, new) for old, new, span, _ in stranded
                 if new is None or not alias_variant(ctx, registry.fields[new].descriptor)]
        group_fix = entries_fix(ctx, registry, group) if group else None
        first_in_group = min((old.line for old, _ in group), default=None)
        for old, new, span, message in stranded:
            variant = alias_variant(ctx, registry.fields[new].descriptor) if new else None
            if variant:
                advice = f'use {variant}(..., deprecated_name="{old.name}")'
                fix = alias_fix(ctx, registry.fields[new].line, variant, old.name, new)
            else:
                advice = _entry_advice(registry, old.name, new)
                fix = group_fix if old.line == first_in_group else None
            ctx.report(self.code, None, f"{message}; {advice}", key=old.name, span=span, fix=fix)


def _entry_advice(registry, old: str, new: Optional[str]) -> str:
    if registry.deprecation_mechanism == "table":
        replacement = f'replacement="{new}"' if new else ""
        return f'add "{old}": _DeprecatedEnv({replacement}) to _DEPRECATED_ENVS'
    if registry.deprecation_mechanism == "function":
        return f'add _print_deprecated_env("{old}"' + (f', "{new}")' if new else ")")
    if registry.style == "module":
        return "this registry has no deprecation mechanism: keep the old name working with a warning"
    return 'add a deprecation entry (Rule 5: _print_deprecated_env("OLD"[, "NEW"]))'
