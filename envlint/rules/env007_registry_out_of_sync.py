"""ENV007: a module-style registry whose keys and ``TYPE_CHECKING`` stubs disagree."""

from __future__ import annotations

from ..context import FileContext
from .base import Invalid, Rule, Valid

_PATH = "python/sglang/multimodal_gen/envs.py"
_HEAD = "import os\nfrom typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n"


class RegistryOutOfSync(Rule):
    """
    ## What it does
    In a module-style registry (vLLM's `vllm/envs.py`, sglang's
    `sglang/multimodal_gen/envs.py`), flags a key of `environment_variables`
    that has no `TYPE_CHECKING` stub, and a stub that has no key.

    ## Why is this bad
    The registry is read as `envs.KEY` through a module `__getattr__`; type
    checkers and IDEs only see the stubs. A key without a stub is invisible to
    them (every use is an "unknown attribute" to mypy); a stub without a key
    type-checks but raises `AttributeError` at run time. The two lists drift
    because nothing ties them together.

    ## Example
    ```python
    if TYPE_CHECKING:
        VLLM_PORT: int | None = None

    environment_variables = {
        "VLLM_HOST_IP": lambda: os.getenv("VLLM_HOST_IP", ""),
    }
    ```

    ## Use instead
    ```python
    if TYPE_CHECKING:
        VLLM_HOST_IP: str = ""

    environment_variables = {
        "VLLM_HOST_IP": lambda: os.getenv("VLLM_HOST_IP", ""),
    }
    ```

    ## Fix safety
    No automatic fix: the stub's type and default, or whether a stale stub's
    key should come back, need a decision.
    """

    code = "ENV007"
    name = "registry-stubs-out-of-sync"
    summary = "Module-style registry key without TYPE_CHECKING stub, or stub without key"

    VALID = (
        Valid(
            _HEAD + "    SGLANG_A: int = 1\n\n"
            'environment_variables = {"SGLANG_A": lambda: int(os.getenv("SGLANG_A", "1"))}\n',
            path=_PATH,
        ),
        Valid(
            # No stubs at all: the registry does not use them, nothing to keep in sync.
            'import os\nenvironment_variables = {"SGLANG_A": lambda: os.getenv("SGLANG_A")}\n',
            path=_PATH,
        ),
    )
    INVALID = (
        Invalid(
            _HEAD + "    SGLANG_A: int = 1\n    SGLANG_GONE: bool = False\n\n"
            "environment_variables = {\n"
            '    "SGLANG_A": lambda: int(os.getenv("SGLANG_A", "1")),\n'
            '    "SGLANG_NEW": lambda: os.getenv("SGLANG_NEW"),\n'
            "}\n",
            findings=((6, 5), (10, 6)),
            path=_PATH,
        ),
    )

    def begin(self, ctx: FileContext) -> None:
        registry = ctx.own_registry
        if registry is None or registry.style != "module" or not registry.stubs:
            return
        for name, field in registry.fields.items():
            if name not in registry.stubs:
                ctx.report(
                    self.code,
                    None,
                    f"{name} is in {registry.dict_name} but has no TYPE_CHECKING stub: type "
                    f"checkers do not know envs.{name}",
                    key=name,
                    span=(field.line, field.column + 1, field.line, field.column + 1 + len(name)),
                )
        for name, stub in registry.stubs.items():
            if name not in registry.fields and not name.startswith(registry.dynamic_prefixes):
                ctx.report(
                    self.code,
                    None,
                    f"{name} has a TYPE_CHECKING stub but no entry in {registry.dict_name}: "
                    f"envs.{name} raises AttributeError at run time",
                    key=name,
                    span=(stub.line, stub.column, stub.line, stub.column + len(name)),
                )
