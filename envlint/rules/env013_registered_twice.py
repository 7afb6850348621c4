"""ENV013: the same key registered in two registries."""

from __future__ import annotations

from ..context import FileContext
from ._review import key_span
from .base import Invalid, Rule, Valid

_MODULE = "python/sglang/multimodal_gen/envs.py"
_HEAD = "import os\n\nenvironment_variables = {\n"


class RegisteredTwice(Rule):
    """
    ## What it does
    Flags a key that more than one of the project's registries defines
    (sglang's `Envs` in `sglang/srt/environ.py` and the diffusion registry
    `sglang/multimodal_gen/envs.py`, say). Each registry's definition is
    reported, naming the other registries. External variables are left to
    ENV012.

    ## Why is this bad
    Two definitions of one variable drift apart: types, defaults and parsing
    differ (`EnvBool` accepts `yes`, a diffusion getter may not), so the same
    setting means different things in different parts of the server, and the
    generated reference documents it twice.

    ## Example
    ```python
    # sglang/srt/environ.py
    class Envs:
        SGLANG_EXTERNAL_MODEL_PACKAGE = EnvStr("")

    # sglang/multimodal_gen/envs.py
    environment_variables = {
        "SGLANG_EXTERNAL_MODEL_PACKAGE": lambda: os.getenv("SGLANG_EXTERNAL_MODEL_PACKAGE", ""),
    }
    ```

    ## Use instead
    One definition, in the registry that owns the variable; the other part of
    the code imports it from there.

    ## Fix safety
    No automatic fix: which definition wins is a decision.
    """

    code = "ENV013"
    name = "registered-twice"
    summary = "Key registered in two registries"

    VALID = (
        Valid(_HEAD + '    "SGLANG_DIFFUSION_ONLY": lambda: os.getenv("SGLANG_DIFFUSION_ONLY"),\n}\n',
              path=_MODULE),
    )
    INVALID = (
        Invalid(
            # SGLANG_LOG_LEVEL is also registered in the project's sglang/srt/environ.py.
            _HEAD + '    "SGLANG_LOG_LEVEL": lambda: os.getenv("SGLANG_LOG_LEVEL", "info"),\n}\n',
            findings=((4, 6),),
            path=_MODULE,
        ),
    )

    def begin(self, ctx: FileContext) -> None:
        registry = ctx.own_registry
        if registry is None:
            return
        others = [r for r in ctx.project.registries if r.module != registry.module]
        if not others:
            return
        for name in registry.fields:
            if ctx.project.is_external(name) and not ctx.project.is_vendor(name):
                continue
            holders = [r for r in others if name in r.fields]
            if holders:
                where = ", ".join(
                    f"{ctx.project.shown(r.path)}:{r.fields[name].line}" for r in holders
                )
                ctx.report(
                    self.code,
                    None,
                    f"{name} is registered here and in {where}: one variable, two definitions "
                    "that can disagree on type and default",
                    key=name,
                    span=key_span(registry, name),
                )
