"""ENV001: an owned environment variable accessed raw instead of through its registry."""

from __future__ import annotations

import ast
import re
from typing import Optional

from ..accesses import RawAccess, raw_accesses
from ..context import FileContext
from ..fixes.accesses import access_fix
from ..registry import Registry
from .base import Invalid, Rule, Valid


_ENVIRON_USE = re.compile(rb"environ\b(?!\s+import\b)")


class RawEnvAccess(Rule):
    """
    ## What it does
    Flags reads and writes of project-owned environment variables that bypass the
    registry: `os.getenv("SGLANG_X")`, `os.environ.get(...)`, `os.environ[...]`,
    `"SGLANG_X" in os.environ`, `get_bool_env_var(...)`, `get_int_env_var(...)`,
    and writes through `os.environ[...] = v`, `del`, `.pop`, `.setdefault`, `.update`.

    Owned means: the `SGLANG_*` prefix, the legacy `SGL_*` prefix, every key a
    registry defines, and the vendor aliases sglang centralises (`MOONCAKE_*`,
    `ASCEND_*`, `DEEP_NORMAL_*`, `IS_H200`, `USE_TRITON_W8A8_FP8_KERNEL`,
    `HF_HUB_DISABLE_XET`, `DISABLE_OPENAPI_DOC`). External and launcher keys
    (`CUDA_*`, `NCCL_*`, `TORCH_*`, `OMP_*`, `HF_HUB_*`, `RANK`, `MASTER_ADDR`, ...)
    are never flagged: reading them raw is correct. The registry files
    themselves are exempt; they are where raw access belongs.

    ## Why is this bad
    A raw read has its own idea of the type and the default. `get_bool_env_var`
    accepts "true"/"1" where `EnvBool` also accepts "yes"/"y"; an `os.getenv`
    default can disagree with the registry's. Tests cannot `override()` a value
    that is read raw, and `envlint docs` cannot document it.

    ## Example
    ```python
    if get_bool_env_var("SGLANG_ENABLE_TORCH_COMPILE"):
        ...
    timeout = int(os.getenv("SGLANG_SCHEDULER_RECV_INTERVAL", "1"))
    ```

    ## Use instead
    ```python
    from sglang.srt.environ import envs

    if envs.SGLANG_ENABLE_TORCH_COMPILE.get():
        ...
    timeout = envs.SGLANG_SCHEDULER_RECV_INTERVAL.get()
    ```
    A key that is not registered yet gets a typed descriptor in `Envs` first.

    ## Fix safety
    The fix is *safe* only when the rewritten code gives the same value (type
    included) for the variable unset and for every string a user can set, and
    leaves `os.environ` the same — except where the original raises and nothing
    around it catches the error (`os.environ["K"]` when unset: the rewrite
    returns the default, a repaired crash). Otherwise it is *unsafe*, and its
    reason names every value that reads differently (for example
    `os.environ.get("K")` returns the `str` as set where an `EnvBool` returns a
    `bool`; sglang's diffusion `get_bool_env_var` reads `on` and `t` as true,
    `EnvBool` does not). See docs/fixing.md.
    """

    code = "ENV001"
    name = "raw-env-access"
    summary = "Owned environment variable accessed raw instead of through its registry"

    VALID = (
        Valid('import os\nvisible = os.getenv("CUDA_VISIBLE_DEVICES")\n'),
        Valid('import os\nrank = int(os.environ["LOCAL_RANK"])\n'),
        Valid('import os\nname = "SGLANG_LOG_GC"\nvalue = os.getenv(name)\n'),
        Valid('import os\nvalue = os.getenv(f"SGLANG_{suffix}")\n'),
        Valid(
            "from sglang.srt.environ import envs\n"
            "if envs.SGLANG_ENABLE_TORCH_COMPILE.get():\n    pass\n"
        ),
        Valid('def f(os):\n    return os.getenv("SGLANG_LOG_GC")\n'),
        Valid('from mylib import get_bool_env_var\nflag = get_bool_env_var("SGLANG_LOG_GC")\n'),
        Valid('"""Set SGLANG_LOG_GC=1 to log GC pauses (os.getenv("SGLANG_LOG_GC"))."""\n'),
    )
    INVALID = (
        Invalid(
            'import os\nflag = os.getenv("SGLANG_LOG_GC")\n',
            findings=((2, 8),),
            fixed="from sglang.srt.environ import envs\n\nflag = envs.SGLANG_LOG_GC.get()\n",
            applicability="unsafe",  # None / a str before, a bool after
        ),
        Invalid(
            'import os\ninterval = int(os.getenv("SGLANG_SCHEDULER_RECV_INTERVAL", "1"))\n',
            findings=((2, 16),),
            fixed="from sglang.srt.environ import envs\n\n"
            "interval = envs.SGLANG_SCHEDULER_RECV_INTERVAL.get()\n",
            applicability="safe",
        ),
        Invalid(
            "from os import environ as env\nif env.get('SGLANG_USE_AITER'):\n    pass\n",
            findings=((2, 4),),
        ),
        Invalid(
            'from sglang.srt.utils import get_bool_env_var\n'
            'flag = get_bool_env_var("SGLANG_ENABLE_TORCH_COMPILE")\n',
            findings=((2, 8),),
        ),
        Invalid(
            'import os as _os\n_os.environ["MOONCAKE_PROTOCOL"] = "tcp"\n'
            'del _os.environ["IS_H200"]\nok = "SGLANG_TEST_RETRACT" in _os.environ\n',
            findings=((2, 1), (3, 5), (4, 6)),
        ),
    )

    def prefilter(self):
        # ``environ`` counts unless it is the registry module being imported
        # (``from sglang.srt.environ import envs``), which every sglang file does.
        access_tokens = (_ENVIRON_USE, "getenv", *(h.name for h in self.config.helpers))
        return [[self.project.owned_tokens(), access_tokens]]

    def visit_Call(self, node: ast.Call, ctx: FileContext) -> None:
        self._check(node, ctx)

    def visit_Subscript(self, node: ast.Subscript, ctx: FileContext) -> None:
        self._check(node, ctx)

    def visit_Compare(self, node: ast.Compare, ctx: FileContext) -> None:
        self._check(node, ctx)

    def _check(self, node: ast.AST, ctx: FileContext) -> None:
        if ctx.is_registry_file:
            return
        project = self.project
        for access in raw_accesses(ctx, node):
            if not project.is_owned(access.key):
                continue
            registry, target = self._target(access.key, ctx)
            if access.access in ("write", "delete") and not self._reports_writes(registry):
                continue
            anchor = access.key_node if access.operation == "update" else access.node
            ctx.report(
                self.code,
                anchor,
                self._message(access, registry, target, ctx),
                key=access.key,
                fix=access_fix(ctx, access, registry, target),
            )

    def _reports_writes(self, registry: Optional[Registry]) -> bool:
        """Writes are flagged only where a registry offers a setter (descriptor style)."""
        if not self.config.flag_writes:
            return False
        return registry is None or registry.style == "descriptor"

    def _target(self, key: str, ctx: FileContext) -> tuple[Optional[Registry], str]:
        """(registry the access should go through, the key name to use there)."""
        project = self.project
        canonical = project.canonical_name(key)
        if canonical is not None:
            registry = project.registry_for_key(canonical, ctx.module)
            if registry is not None or project.registry_for_key(key, ctx.module) is None:
                return registry or project.governing_registry(ctx.module), canonical
        registry = project.registry_for_key(key, ctx.module)
        if registry is not None:
            return registry, key
        renamed = project.renamed_to(key)
        if renamed is not None:
            return renamed
        return project.governing_registry(ctx.module), key

    def _message(
        self, access: RawAccess, registry: Optional[Registry], target: str, ctx: FileContext
    ) -> str:
        verb = {
            "read": "raw read",
            "write": "raw write",
            "delete": "raw delete",
            "check": "raw presence check",
        }[access.access]
        use = replacement_text(access, registry, target)
        registered = registry is not None and target in registry.fields
        if registry is None:
            where = "a registry"
        elif registry.style == "descriptor":
            where = f"{registry.class_name or 'Envs'} ({_display(registry, ctx)})"
        else:
            where = f"{registry.dict_name or 'the registry'} ({_display(registry, ctx)})"
        if not registered:
            advice = f"register {target} in {where}"
            if use is not None:
                advice += f" and use {use}"
        elif use is None:
            advice = (
                f"{_display(registry, ctx)} offers no is_set(); compare {access_name(registry)}.{target} "
                "with its default instead"
            )
        elif target != access.key and self.project.canonical_name(access.key) != target:
            advice = f"{access.key} is a deprecated name of {target}: use {use}"
        else:
            advice = f"use {use}"
        governing = self.project.governing_registry(ctx.module)
        if registry is not None and governing is not None and registry is not governing:
            advice += f" (from {registry.module})"
        return f"{verb} of {access.key} via {access.via}; {advice}"


def access_name(registry: Optional[Registry]) -> str:
    """How messages name the registry in code: its own instance or module name, not sglang's."""
    if registry is None:
        return "envs"
    if registry.style == "module":
        return registry.module.rpartition(".")[2] or "envs"
    return registry.instance or "envs"


def replacement_text(access: RawAccess, registry: Optional[Registry], key: str) -> Optional[str]:
    """The registry API call that replaces ``access`` (shown in messages), or None if none."""
    name = access_name(registry)
    if registry is not None and registry.style == "module":
        if access.access == "check":
            if "is_set" in registry.module_attributes:
                prefix = "not " if access.operation == "not in" else ""
                return f'{prefix}{name}.is_set("{key}")'
            return None
        return f"{name}.{key}"
    descriptor = f"{name}.{key}"
    if access.access == "read":
        return f"{descriptor}.get()"
    if access.access == "check":
        return f"not {descriptor}.is_set()" if access.operation == "not in" else f"{descriptor}.is_set()"
    if access.access == "delete":
        return f"{descriptor}.clear()"
    return f"{descriptor}.set(...)"


def _display(registry: Registry, ctx: FileContext) -> str:
    return ctx.project.shown(registry.path)
