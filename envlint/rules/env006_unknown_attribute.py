"""ENV006: an attribute of a registry that does not exist (an AttributeError at run time)."""

from __future__ import annotations

import ast
import difflib
from typing import Optional

from ..context import FileContext
from ..findings import UNSAFE, Edit, Fix
from ..registry import Registry
from .base import Invalid, Rule, Valid


class UnknownRegistryAttribute(Rule):
    """
    ## What it does
    Flags `envs.NAME` where the registry defines no `NAME`: a misspelt key
    (`envs.SGLANG_LOG_GCC`), a key that was removed or renamed, or a key that
    lives in the *other* registry. Descriptor-style registries (`Envs`) and
    module-style ones (`sglang.multimodal_gen.envs`, `vllm.envs`) alike; only
    upper-case names are considered, so methods and module helpers are never
    flagged, and a module-style registry that generates keys in a loop
    (`f"SGLANG_CACHE_DIT_SECONDARY_{suffix}"`) is trusted for every name with
    such a prefix.

    ## Why is this bad
    `Envs` has no `__getattr__` and a module registry's `__getattr__` raises
    `AttributeError` for unknown names: the read crashes when it runs, often on
    a rarely taken code path that tests do not reach.

    ## Example
    ```python
    if envs.SGLANG_LOG_GCC.get():
        ...
    ```

    ## Use instead
    ```python
    if envs.SGLANG_LOG_GC.get():
        ...
    ```

    ## Fix safety
    When exactly one registered name is close enough (a did-you-mean), the fix
    replaces the name. It is *unsafe*: the original raises `AttributeError`;
    the fix reads a variable, which is what was most likely meant, but only a
    reviewer can confirm the spelling.
    """

    code = "ENV006"
    name = "unknown-registry-attribute"
    summary = "Registry attribute that does not exist (AttributeError at run time)"

    VALID = (
        Valid("from sglang.srt.environ import envs\nx = envs.SGLANG_LOG_GC.get()\n"),
        Valid(
            "from sglang.multimodal_gen import envs\nx = envs.SGLANG_CACHE_DIT_FN\n"
            "y = envs.environment_variables\n",
            path="python/sglang/multimodal_gen/runtime/x.py",
        ),
        Valid("from sglang.srt.environ import envs\nx = envs.__class__\n"),
        Valid("def f(envs):\n    return envs.SGLANG_LOG_GCC\n"),
    )
    INVALID = (
        Invalid(
            "from sglang.srt.environ import envs\nif envs.SGLANG_LOG_GCC.get():\n    pass\n",
            findings=((2, 4),),
            fixed="from sglang.srt.environ import envs\nif envs.SGLANG_LOG_GC.get():\n    pass\n",
            applicability="unsafe",
        ),
        Invalid(
            "from sglang.multimodal_gen import envs\nx = envs.SGLANG_CACHE_DIT_ENABLE\n",
            findings=((2, 5),),
            path="python/sglang/multimodal_gen/runtime/x.py",
        ),
    )

    def prefilter(self):
        return [self.project.registry_use_check]

    def visit_Attribute(self, node: ast.Attribute, ctx: FileContext) -> None:
        name = node.attr
        if not name.isupper() or not isinstance(node.ctx, ast.Load):
            return
        registry = ctx.registry_of(node.value)
        if registry is None or registry.defines(name):
            return
        canonical = self.project.canonical_name(name)
        if canonical is not None and registry.defines(canonical):
            return  # ENV002 reports the legacy spelling with the same advice
        written = ctx.source.segment(node.value)
        where = _describe(registry, self.project)
        guess = _closest(name, registry)
        message = f"{written}.{name} is not defined in {where}: AttributeError at run time"
        fix = None
        if guess is not None:
            message += f"; did you mean {guess}?"
            _, _, end_line, end_col = ctx.span(node)
            fix = Fix(
                applicability=UNSAFE,
                description=f"Replace with `{written}.{guess}`",
                edits=(Edit(end_line, end_col - len(name), end_line, end_col, guess),),
                reason=f"the original raises AttributeError; the fix reads {guess} instead",
            )
        else:
            other = _holder_elsewhere(self.project.registries, registry, name)
            if other is not None:
                message += f"; {name} is defined in {_describe(other, self.project)}"
        ctx.report(self.code, node, message, key=name, fix=fix)


def _describe(registry: Registry, project) -> str:
    owner = registry.class_name if registry.style == "descriptor" else registry.module
    return f"{owner} ({project.shown(registry.path)})"


def _closest(name: str, registry: Registry) -> Optional[str]:
    """The single registered name close enough to be a misspelling, if there is one."""
    matches = difflib.get_close_matches(name, list(registry.fields), n=2, cutoff=0.85)
    if len(matches) == 1 or (len(matches) == 2 and _ratio(name, matches[0]) > _ratio(name, matches[1])):
        return matches[0]
    return None


def _ratio(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b).ratio()


def _holder_elsewhere(registries, registry: Registry, name: str) -> Optional[Registry]:
    for other in registries:
        if other is not registry and name in other.fields:
            return other
    return None
