"""ENV012: a key registered that the project does not own (external, or without its prefix)."""

from __future__ import annotations

from ..context import FileContext
from ._review import MODULE_REGISTRY, PRELUDE, REGISTRY, key_span
from .base import Invalid, Rule, Valid

_MODULE_HEAD = "import os\n\nenvironment_variables = {\n"


class ForeignKey(Rule):
    """
    ## What it does
    Flags a key a registry defines although the project does not own it:

    * an external variable — set by a launcher, driver or the OS (`RANK`,
      `LOCAL_RANK`, `WORLD_SIZE`, `MASTER_ADDR`, `MASTER_PORT`, `HOME`, `PATH`,
      `CUDA_*`, `NCCL_*`, `TORCH_*`, `OMP_*`, raw `HF_HUB_*`, `PYTEST_*`: the
      profile's external lists);
    * a key without an owned prefix (`SGLANG_`) that is not a listed vendor
      alias (`vendor-keys`, `vendor-prefixes`: `MOONCAKE_*`, `ASCEND_*`,
      `IS_H200`, ...).

    On existing code, the second case is narrowed to keys whose *first* word
    is one of Rule 4's verbs (`ENABLE_ASCEND_TRANSFER_WITH_MOONCAKE`,
    `USE_ROCM_AITER_ROPE_BACKEND`): such a name was made up by the project and
    lost its prefix. A key named after another product (`EXA_API_KEY`,
    `FLASHINFER_NVFP4_4OVER6`) is usually that product's own variable, which
    the conventions allow to keep its upstream name: it is flagged only when
    it is new against the review base (`--diff-base`, `--registry-base`), so
    the reviewer decides whether to rename it or list it as a vendor key.

    Profiles whose registries hold launcher variables on purpose (vLLM's
    `envs.py`) do not run this rule.

    ## Why is this bad
    Rule 1's decision table: external variables are read with `os.getenv`, as
    the launcher set them; registering one suggests sglang owns its lifecycle
    (tests override it, docs list it as sglang's). Rule 4: `SGLANG_` is the
    prefix of every new sglang key; vendor aliases are an explicit, listed
    exception.

    ## Example
    ```python
    class Envs:
        USE_ROCM_AITER_ROPE_BACKEND = EnvStr("0")
    ```

    ## Use instead
    ```python
    class Envs:
        SGLANG_USE_ROCM_AITER_ROPE_BACKEND = EnvStr("0")
    ```
    (with a deprecation entry for the old name), or `vendor-keys = [...]` in
    `[tool.envlint]` when the name belongs to an upstream project.

    ## Fix safety
    No automatic fix: a rename needs a deprecation path, a removal needs the
    readers changed to `os.getenv`.
    """

    code = "ENV012"
    name = "foreign-key-registered"
    summary = "Registered key is external, or lacks an owned prefix and is not a vendor alias"

    VALID = (
        Valid(
            PRELUDE + "class Envs:\n    SGLANG_A = EnvInt(1)\n    MOONCAKE_PROTOCOL = EnvInt(1)\n"
            "    HF_HUB_DISABLE_XET = EnvBool(False)\n    EXA_API_KEY = EnvInt(0)\n",
            path=REGISTRY,
        ),
    )
    INVALID = (
        Invalid(
            PRELUDE + "class Envs:\n    ENABLE_ASCEND_TRANSFER_WITH_MOONCAKE = EnvBool(False)\n"
            "    USE_ROCM_AITER_ROPE_BACKEND = EnvInt(0)\n",
            findings=((5, 5), (6, 5)),
            path=REGISTRY,
        ),
        Invalid(
            _MODULE_HEAD + '    "LOCAL_RANK": lambda: int(os.getenv("LOCAL_RANK", "0")),\n}\n',
            findings=((4, 6),),
            path=MODULE_REGISTRY,
        ),
        Invalid(
            # New against the base: any unowned, unlisted name.
            PRELUDE + "class Envs:\n    SGLANG_A = EnvInt(1)\n    EXA_API_KEY = EnvInt(0)\n",
            findings=((6, 5),),
            path=REGISTRY,
            base=PRELUDE + "class Envs:\n    SGLANG_A = EnvInt(1)\n",
        ),
    )

    def begin(self, ctx: FileContext) -> None:
        registry = ctx.own_registry
        if registry is None or not self.config.profile.registries_hold_only_owned_keys:
            return
        project, config = ctx.project, self.config
        changes = project.registry_changes(registry)
        new_names = changes.new_names if changes is not None else set()
        for name, field in registry.fields.items():
            if project.is_vendor(name) or name.startswith(config.owned_prefixes):
                continue
            if project.is_external(name):
                message = (
                    f"{name} is an external variable (set by a launcher, driver or the OS): read it "
                    "with os.getenv as it is set; a registry is for the project's own keys"
                )
            elif name.split("_", 1)[0] in config.boolean_verbs or name in new_names:
                prefix = config.owned_prefixes[0] if config.owned_prefixes else ""
                message = (
                    f"{name} has no owned prefix and is not a listed vendor alias: name it "
                    f"{prefix}{name}, or list it in vendor-keys if it is an upstream name"
                )
            else:
                continue
            ctx.report(self.code, None, message, key=name, span=key_span(registry, name))
