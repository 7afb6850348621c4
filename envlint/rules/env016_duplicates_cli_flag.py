"""ENV016: a registered key that duplicates a command-line flag (Rule 6)."""

from __future__ import annotations

from ..context import FileContext
from ..forwarding import duplicated_flag
from ._review import PRELUDE, REGISTRY, key_span
from .base import Invalid, Rule, Valid


class DuplicatesCliFlag(Rule):
    """
    ## What it does
    Flags a registered key whose name, without the project prefix, is a
    command-line flag of the project: `SGLANG_GRPC_PORT` and `--grpc-port`.
    The flags are read statically from the `cli-flag-sources` setting (sglang:
    `sglang/srt/server_args.py` — `add_argument` names and `ServerArgs`
    fields — and the `A[T, ...]` fields of `sglang/srt/arg_groups/fields/`).

    Not flagged: a key with a deprecation entry (`_warn_deprecated_env_to_cli_flag`,
    a `_DEPRECATED_ENVS` entry: a sanctioned migration to the flag), and a key
    whose name is a single word after the prefix (`SGLANG_PORT` is the base of
    sglang's ephemeral ports, not `--port`; one word is too little to call it
    the same setting).

    Existing duplicates are recorded in a baseline (`envlint baseline`);
    `check --baseline` then reports only new ones, and `check --diff-base`
    only those on lines the change adds.

    ## Why is this bad
    Rule 6: "don't add an env var that duplicates an existing CLI flag. Pick
    one surface." Two surfaces for one setting disagree on precedence and
    defaults, and users set the one that is silently ignored.

    ## Example
    ```python
    class Envs:
        SGLANG_GRPC_PORT = EnvInt(None)   # and server_args has --grpc-port
    ```

    ## Use instead
    The CLI flag alone; while migrating, warn users of the variable with
    `_warn_deprecated_env_to_cli_flag("SGLANG_GRPC_PORT", "Please use '--grpc-port' instead.")`.

    ## Fix safety
    No automatic fix: removing a surface needs a migration path.
    """

    code = "ENV016"
    name = "duplicates-cli-flag"
    summary = "Registered key duplicates a command-line flag (SGLANG_GRPC_PORT vs --grpc-port)"

    # The fixture project's sglang/srt/server_args.py defines --grpc-port, --port,
    # --enable-torch-compile and --log-level.
    VALID = (
        Valid(
            PRELUDE + "class Envs:\n    SGLANG_PORT = EnvInt(None)\n    SGLANG_GRPC_TIMEOUT = EnvInt(5)\n"
            "    SGLANG_LOG_LEVEL = EnvInt(0)\n\n"
            '_warn_deprecated_env_to_cli_flag("SGLANG_LOG_LEVEL", "Please use \'--log-level\' instead.")\n',
            path=REGISTRY,
        ),
    )
    INVALID = (
        Invalid(
            PRELUDE + "class Envs:\n    SGLANG_GRPC_PORT = EnvInt(None)\n"
            "    SGLANG_ENABLE_TORCH_COMPILE = EnvBool(False)\n",
            findings=((5, 5), (6, 5)),
            path=REGISTRY,
        ),
    )

    def begin(self, ctx: FileContext) -> None:
        registry = ctx.own_registry
        if registry is None:
            return
        flags = ctx.project.cli_flags
        if not flags:
            return
        for name in registry.fields:
            if name in registry.deprecation_entries:
                continue
            flag = duplicated_flag(name, self.config.owned_prefixes, flags)
            if flag is None:
                continue
            ctx.report(
                self.code,
                None,
                f"{name} duplicates the CLI flag {flag.name} ({ctx.project.shown(flag.path)}:"
                f"{flag.line}): pick one surface (Rule 6); to move users to the flag, keep a "
                "_warn_deprecated_env_to_cli_flag entry",
                key=name,
                span=key_span(registry, name),
            )
