"""ENV017: code that forwards a setting of the same name into an env var (Rule 6)."""

from __future__ import annotations

import ast
from typing import Optional

from ..context import FileContext
from ..registry import Registry
from ..forwarding import forwarded_setting
from ._review import descriptor_call_test
from .base import Invalid, Rule, Valid

_IMPORT = "from sglang.srt.environ import envs\n\n"


class FlagForwardedToEnv(Rule):
    """
    ## What it does
    Flags `envs.SGLANG_X.set(value)` and `envs.SGLANG_X.override(value)` where
    `value` reads an attribute named like the variable: `x` for `SGLANG_X`,
    as in `envs.SGLANG_ENABLE_TORCH_COMPILE.set("1" if cfg.enable_torch_compile else "0")`.
    That is a command-line (or config) setting copied into an environment
    variable of the same name so that other code can read it from there.

    Decided from the file alone (the attribute name), so the result does not
    depend on where the CLI flags are defined; existing forwards are recorded
    in a baseline and `check --baseline` reports new ones.

    ## Why is this bad
    Rule 6: "Don't add a CLI flag that just forwards to an env var." The
    setting now has two surfaces: the flag is copied over the variable (a user
    who sets the variable is silently overridden) and readers of the variable
    depend on the forwarding having run in their process.

    ## Example
    ```python
    envs.SGLANG_ENABLE_TORCH_COMPILE.set("1" if cfg.enable_torch_compile else "0")
    ```

    ## Use instead
    Pass the setting to the code that needs it (it is on `server_args`), and
    keep the variable only if it is an independent expert knob.

    ## Fix safety
    No automatic fix: the readers of the variable must be changed to take the
    setting instead.
    """

    code = "ENV017"
    name = "cli-flag-forwarded-to-env"
    summary = "A setting copied into the env var of the same name (envs.SGLANG_X.set(cfg.x))"

    VALID = (
        Valid(_IMPORT + "def f(cfg):\n    envs.SGLANG_ENABLE_TORCH_COMPILE.set(True)\n"
              "    envs.SGLANG_LOG_LEVEL.set(cfg.level)\n"),
    )
    INVALID = (
        Invalid(
            _IMPORT + "def f(cfg):\n"
            '    envs.SGLANG_ENABLE_TORCH_COMPILE.set("1" if cfg.enable_torch_compile else "0")\n'
            "    with envs.SGLANG_LOG_LEVEL.override(server_args.log_level):\n        pass\n",
            findings=((4, 5), (5, 10)),
        ),
    )

    def prefilter(self):
        test = descriptor_call_test(self.config.owned_prefixes)
        return [[self.project.owned_tokens(), (test,)]]

    def _descriptor(self, func: ast.AST, ctx: FileContext) -> Optional[tuple[Registry, str]]:
        if not (isinstance(func, ast.Attribute) and func.attr in ("set", "override")):
            return None
        target = func.value
        if not (isinstance(target, ast.Attribute) and target.attr.isupper()):
            return None
        registry = ctx.registry_of(target.value)
        if registry is None or registry.style != "descriptor":
            return None
        return registry, target.attr

    def visit_Call(self, node: ast.Call, ctx: FileContext) -> None:
        if len(node.args) != 1:
            return
        found = self._descriptor(node.func, ctx)
        if found is None:
            return
        _, key = found
        source = forwarded_setting(node.args[0], key, self.config.owned_prefixes)
        if source is None:
            return
        ctx.report(
            self.code,
            node,
            f"{ctx.source.segment(source)} is forwarded into {key}: a setting and an env var for "
            "one knob (Rule 6); pass the setting to its readers instead",
            key=key,
        )
