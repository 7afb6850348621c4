"""ENV011: a new boolean key whose second word is not one of Rule 4's verbs."""

from __future__ import annotations

from ..context import FileContext
from ..forwarding import owned_words
from ._review import PRELUDE, REGISTRY, key_span, own_changes
from .base import Invalid, Rule, Valid


_NO_BASE = PRELUDE + "class Envs:\n    SGLANG_FUSED_QKNORM_ROPE = EnvBool(True)\n"

class BooleanVerb(Rule):
    """
    ## What it does
    Compared with the review base (`--diff-base REF` or `--registry-base FILE`),
    flags a *new* boolean key (added, or the new name of a rename) whose word
    after the project prefix is not one of Rule 4's verbs: `ENABLE`,
    `DISABLE`, `USE`, `FORCE`, `LOG`, `TEST`, `DEBUG`, `OPT` (the
    `boolean-verbs` setting). Vendor aliases (`MOONCAKE_*`, ...) keep their
    upstream names and are not checked.

    Only new keys: most booleans of sglang 0.5.23 predate the rule, and
    renaming them would strand their users (ENV008). Without a base the rule
    is silent.

    ## Why is this bad
    The verb tells a reader what the flag does before they look it up: `ENABLE_`
    turns a feature on, `DISABLE_` is a kill-switch, `USE_` picks an
    implementation, `FORCE_` overrides autodetection, `TEST_` / `DEBUG_` are
    hooks. Rule 4: "Pick the right verb up front — renames require an alias
    entry."

    ## Example
    ```python
    SGLANG_FUSED_QKNORM_ROPE = EnvBool(True)
    ```

    ## Use instead
    ```python
    SGLANG_ENABLE_FUSED_QKNORM_ROPE = EnvBool(True)
    ```

    ## Fix safety
    No automatic fix: which verb fits is a decision, and call sites would have
    to follow.
    """

    code = "ENV011"
    name = "boolean-without-verb"
    summary = "New boolean key whose second word is not a Rule 4 verb (ENABLE, DISABLE, USE, ...)"
    about_change = True

    VALID = (
        Valid(
            PRELUDE + "class Envs:\n    SGLANG_OLD_STYLE = EnvBool(False)\n"
            "    SGLANG_ENABLE_FOO = EnvBool(True)\n    SGLANG_FOO_SIZE = EnvInt(4)\n"
            "    MOONCAKE_CHECK_SERVER = EnvBool(False)\n",
            path=REGISTRY,
            base=PRELUDE + "class Envs:\n    SGLANG_OLD_STYLE = EnvBool(False)\n",
        ),
        # No base: a rule about a change has nothing to say.
        Valid(_NO_BASE, path=REGISTRY),
    )
    INVALID = (
        Invalid(
            _NO_BASE,
            findings=((5, 5),),
            path=REGISTRY,
            base=PRELUDE + "class Envs:\n    pass\n",
        ),
    )

    def begin(self, ctx: FileContext) -> None:
        found = own_changes(ctx)
        if found is None:
            return
        registry, changes = found
        verbs = self.config.boolean_verbs
        if not verbs:
            return
        for name in sorted(changes.new_names, key=lambda n: registry.fields[n].line):
            if registry.fields[name].kind != "bool":
                continue
            words = owned_words(name, self.config.owned_prefixes)
            if not words or words[0] in verbs:
                continue
            ctx.report(
                self.code,
                None,
                f"new boolean {name}: its second word {words[0]} is not one of Rule 4's verbs "
                f"({', '.join(verbs)}); pick one now, a rename later needs an alias entry",
                key=name,
                span=key_span(registry, name),
            )
