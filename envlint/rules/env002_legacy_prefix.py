"""ENV002: a legacy ``SGL_*`` key used as an environment-variable name."""

from __future__ import annotations

import ast
from functools import cached_property
from typing import Optional

from ..accesses import raw_accesses
from ..context import FileContext
from ..findings import UNSAFE, Edit, Fix, RegistryEdit
from .base import Invalid, Rule, Valid
from .env001_raw_access import RawEnvAccess
from .legacy_keys import legacy_literal_fix


_RENAME_REASON = (
    "renames the variable: users who set {old} keep working through the deprecation entry "
    "(copied at import), but code that sets {old} after import is no longer seen, and a "
    "{new} that is set now takes effect"
)


class LegacyPrefix(Rule):
    """
    ## What it does
    Flags the deprecated `SGL_*` prefix wherever it names an environment
    variable: a registry descriptor (or module-style registry key) named
    `SGL_*`, a `temp_set_env(SGL_X=...)` keyword, `envs.SGL_X`, and a raw
    access with an `SGL_*` key (`os.getenv("SGL_X")`, helpers) that ENV001
    does not report.

    One site, one finding: `envs.SGL_X` that the registry does not define is
    ENV006's finding (it raises `AttributeError`) when ENV006 runs; a raw
    access of a legacy key is ENV001's finding when
    ENV001 runs (its message names the legacy alias and the current name, and it
    carries this rule's rename as its fix when the registry offers none); inside
    a registry, the entry for a legacy key is the finding, not also the read of
    that key within the entry.

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
    *Unsafe*, though it does what can be done: the descriptor and every use
    are renamed together (or nothing is, when a use lies outside the run), and
    the deprecation entry the registry uses (`_print_deprecated_env` or the
    `_DEPRECATED_ENVS` table) keeps users' `SGL_X` working. What still changes:
    the entry copies the old value at import, so code that sets `SGL_X` later
    is no longer seen, and a `SGLANG_X` that happens to be set starts to count.
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
        # The full legacy prefix ("SGL_"): "SGL" alone would match every SGLANG_ file.
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
            fix = None
            if (
                registry.style == "descriptor"
                and registry.deprecation_mechanism
                and canonical not in registry.fields
            ):
                fix = Fix(
                    applicability=UNSAFE,
                    description=f"Rename to {canonical}; keep {field.name} working through "
                    "the registry's deprecation mechanism",
                    edits=(Edit(line, col, line, col + len(field.name), canonical),),
                    reason=_RENAME_REASON.format(old=field.name, new=canonical),
                    registry_edits=(
                        RegistryEdit("add-deprecation", str(registry.path), field.name, new_name=canonical),
                    ),
                )
            ctx.report(
                self.code,
                None,
                f"{what} {field.name} uses the legacy SGL_ prefix; rename it to {canonical} "
                f"and keep {field.name} working through a deprecation entry",
                key=field.name,
                span=(line, col, line, col + len(field.name)),
                fix=fix,
            )

    def _report_key(
        self, ctx: FileContext, node: ast.AST, key: str, where: str, fixable: bool = False
    ) -> None:
        canonical = self._canonical(key)
        if canonical is None:
            return
        fix = legacy_literal_fix(ctx, node, key, canonical) if fixable else None
        ctx.report(
            self.code,
            node,
            f"legacy key {key} in {where}; SGL_* is a deprecated alias, use {canonical}",
            key=key,
            fix=fix,
        )

    def _check_accesses(self, node: ast.AST, ctx: FileContext) -> None:
        for access in raw_accesses(ctx, node):
            if access.origin is not None or access.dynamic or access.wrapper is not None:
                continue  # the key is not spelt at this site
            if ctx.is_registry_file and access.key in ctx.own_registry.fields:
                continue  # the registry's own entry for this key is the finding (begin())
            if "ENV001" in self.active_codes and self._raw_rule.reports(access, ctx):
                continue  # one site, one finding: ENV001 owns raw accesses (with this fix)
            self._report_key(ctx, access.key_node, access.key, access.via, fixable=True)

    @cached_property
    def _raw_rule(self) -> RawEnvAccess:
        return RawEnvAccess(self.project)

    def visit_Call(self, node: ast.Call, ctx: FileContext) -> None:
        self._check_accesses(node, ctx)
        if ctx.is_temp_set_env(node.func):
            for keyword in node.keywords:
                if keyword.arg is not None:
                    self._report_key(ctx, keyword, keyword.arg, "temp_set_env()")
                elif isinstance(keyword.value, ast.Dict):
                    for key in keyword.value.keys:
                        if isinstance(key, ast.Constant) and isinstance(key.value, str):
                            self._report_key(ctx, key, key.value, "temp_set_env()")

    def visit_Subscript(self, node: ast.Subscript, ctx: FileContext) -> None:
        self._check_accesses(node, ctx)

    def visit_Compare(self, node: ast.Compare, ctx: FileContext) -> None:
        self._check_accesses(node, ctx)

    def visit_Attribute(self, node: ast.Attribute, ctx: FileContext) -> None:
        canonical = self._canonical(node.attr)
        if canonical is None:
            return
        registry = ctx.registry_of(node.value)
        if registry is None:
            return
        if "ENV006" in self.active_codes and not registry.defines(node.attr):
            return  # an AttributeError first: ENV006's finding, with its did-you-mean
        written = ctx.source.segment(node.value)
        ctx.report(
            self.code,
            node,
            f"{written}.{node.attr} uses the legacy SGL_ prefix; use {written}.{canonical}",
            key=node.attr,
            fix=self._use_fix(node, canonical, ctx),
        )

    def _use_fix(self, node: ast.Attribute, canonical: str, ctx: FileContext) -> Optional[Fix]:
        registry = ctx.registry_of(node.value)
        if registry is None or registry.style != "descriptor":
            return None
        line, _, end_line, end_col = ctx.span(node)
        edit = Edit(end_line, end_col - len(node.attr), end_line, end_col, canonical)
        if node.attr in registry.fields and canonical not in registry.fields:
            return Fix(
                applicability=UNSAFE,
                description=f"Rename to {canonical} together with its descriptor",
                edits=(edit,),
                reason=_RENAME_REASON.format(old=node.attr, new=canonical),
                registry_edits=(
                    RegistryEdit("rename-field", str(registry.path), node.attr, new_name=canonical),
                ),
            )
        if node.attr not in registry.fields and canonical in registry.fields:
            return Fix(
                applicability=UNSAFE,
                description=f"Replace with {canonical}",
                edits=(edit,),
                reason=f"{node.attr} is not registered, so the original raises AttributeError",
            )
        return None
