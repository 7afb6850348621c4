"""ENV002: a legacy ``SGL_*`` key used as an environment-variable name."""

from __future__ import annotations

import ast

from ..accesses import raw_accesses
from ..context import FileContext
from .base import Invalid, Rule, Valid


class LegacyPrefix(Rule):
    """
    ## What it does
    Flags the deprecated `SGL_*` prefix wherever it names an environment
    variable: a registry descriptor named `SGL_*`, a raw access with an `SGL_*`
    key (`os.getenv("SGL_X")`, `os.environ["SGL_X"]`, helpers), a
    `temp_set_env(SGL_X=...)` keyword, and `envs.SGL_X`.

    ## Why is this bad
    `SGL_*` is not a parallel valid prefix. sglang rewrites `SGL_*` variables
    to `SGLANG_*` at import time with a `DeprecationWarning`; every new
    `SGL_*` name is tech debt that has to be migrated again.

    ## Example
    ```python
    threshold = envs.SGL_CHUNKED_PREFIX_CACHE_THRESHOLD.get()
    ```

    ## Use instead
    ```python
    threshold = envs.SGLANG_CHUNKED_PREFIX_CACHE_THRESHOLD.get()
    ```
    and in `Envs`, rename the descriptor while the old name keeps working
    through the registry's deprecation mechanism (`_print_deprecated_env` or the
    `_DEPRECATED_ENVS` table).

    ## Fix safety
    Renaming a variable users may set is *unsafe* unless the fix also adds the
    deprecation entry that keeps the old name working; the fix does both.
    Strings that merely mention `SGL_` (docs, comments, f-strings) are never
    touched.
    """

    code = "ENV002"
    name = "legacy-sgl-prefix"
    summary = "Legacy SGL_* key; the canonical prefix is SGLANG_*"

    VALID = (
        Valid('import os\nvalue = os.getenv("SGLANG_CHUNKED_PREFIX_CACHE_THRESHOLD")  # noqa: ENV001\n'),
        Valid('message = "SGL_ is the legacy prefix"\n'),
        Valid("from sglang.srt.environ import envs\nflag = envs.SGLANG_SKIP_SGL_KERNEL_CHECK.get()\n"),
        Valid('import os\nvalue = os.getenv(f"SGL_{name}")\n'),
    )
    INVALID = (
        Invalid(
            "from sglang.srt.environ import envs\n"
            "threshold = envs.SGL_CHUNKED_PREFIX_CACHE_THRESHOLD.get()\n",
            findings=((2, 13),),
        ),
        Invalid(
            'import os\nvalue = os.environ.get("SGL_ENABLE_JIT_DEEPGEMM")  # noqa: ENV001\n',
            findings=((2, 24),),
        ),
    )

    def prefilter(self):
        return [[tuple(legacy for legacy, _ in self.config.legacy_prefixes)]]

    def _canonical(self, key: str):
        return self.project.canonical_name(key)

    def begin(self, ctx: FileContext) -> None:
        registry = ctx.own_registry
        if registry is None:
            return
        for field in registry.fields.values():
            canonical = self._canonical(field.name)
            if canonical is None:
                continue
            what = "descriptor" if registry.style == "descriptor" else "registry key"
            line, col = field.line, field.column
            if registry.style == "module":
                col += 1  # point inside the quotes of the dict key
            ctx.report(
                self.code,
                None,
                f"{what} {field.name} uses the legacy SGL_ prefix; rename it to {canonical} "
                f"and keep {field.name} working through a deprecation entry",
                key=field.name,
                span=(line, col, line, col + len(field.name)),
            )

    def _report_key(self, ctx: FileContext, node: ast.AST, key: str, where: str) -> None:
        canonical = self._canonical(key)
        if canonical is not None:
            ctx.report(
                self.code,
                node,
                f"legacy key {key} in {where}; SGL_* is a deprecated alias, use {canonical}",
                key=key,
            )

    def _check_accesses(self, node: ast.AST, ctx: FileContext) -> None:
        for access in raw_accesses(ctx, node):
            self._report_key(ctx, access.key_node, access.key, access.via)

    def visit_Call(self, node: ast.Call, ctx: FileContext) -> None:
        self._check_accesses(node, ctx)
        if ctx.is_temp_set_env(node.func):
            for keyword in node.keywords:
                if keyword.arg is not None:
                    self._report_key(ctx, keyword, keyword.arg, "temp_set_env()")

    def visit_Subscript(self, node: ast.Subscript, ctx: FileContext) -> None:
        self._check_accesses(node, ctx)

    def visit_Compare(self, node: ast.Compare, ctx: FileContext) -> None:
        self._check_accesses(node, ctx)

    def visit_Attribute(self, node: ast.Attribute, ctx: FileContext) -> None:
        canonical = self._canonical(node.attr)
        if canonical is None or ctx.registry_of(node.value) is None:
            return
        registry = ctx.source.segment(node.value)
        ctx.report(
            self.code,
            node,
            f"{registry}.{node.attr} uses the legacy SGL_ prefix; use {registry}.{canonical}",
            key=node.attr,
        )
