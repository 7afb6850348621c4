"""ENV010: a key's kind changed (``EnvBool`` -> ``EnvInt``)."""

from __future__ import annotations

from ..context import FileContext
from ._review import PRELUDE, REGISTRY, describe, key_span, own_changes
from .base import Invalid, Rule, Valid


_NO_BASE = PRELUDE + "class Envs:\n    SGLANG_SORT_WEIGHT_FILES = EnvInt(0)\n"

class KindChanged(Rule):
    """
    ## What it does
    Compared with the review base (`--diff-base REF` or `--registry-base FILE`),
    flags a registered key whose kind changed: `EnvBool` became `EnvInt`, a
    module-style stub went from `bool` to `str`; also across a rename. A
    change between a descriptor and its `*WithAlias` variant keeps the kind
    and is not flagged. The finding points at the key's line in the working
    tree.

    Without a base the rule is silent: it is about a change.

    ## Why is this bad
    Values users already set were written for the old kind: `SGLANG_SORT_WEIGHT_FILES=true`
    was a boolean and is now parsed as an integer, which fails at start-up (or,
    the other way round, `2` becomes a warning and the default). Code that
    reads the key may also still treat the value as the old type.

    ## Example
    At the base:
    ```python
    SGLANG_SORT_WEIGHT_FILES = EnvBool(False)
    ```
    After the change:
    ```python
    SGLANG_SORT_WEIGHT_FILES = EnvInt(0)
    ```

    ## Use instead
    A new key for the new kind (`SGLANG_WEIGHT_FILE_ORDER = EnvInt(0)`), with
    the old one deprecated, or an explicit, announced migration.

    ## Fix safety
    No automatic fix: the migration needs a decision.
    """

    code = "ENV010"
    name = "kind-changed"
    summary = "Registry key's kind changed (EnvBool -> EnvInt)"
    about_change = True

    VALID = (
        Valid(
            PRELUDE + "class EnvBoolWithAlias(EnvBool): ...\nclass Envs:\n"
            '    SGLANG_A = EnvBoolWithAlias(False, deprecated_name="SGLANG_B")\n',
            path=REGISTRY,
            base=PRELUDE + "class Envs:\n    SGLANG_A = EnvBool(False)\n",
        ),
        # No base: a rule about a change has nothing to say.
        Valid(_NO_BASE, path=REGISTRY),
    )
    INVALID = (
        Invalid(
            _NO_BASE,
            findings=((5, 5),),
            path=REGISTRY,
            base=PRELUDE + "class Envs:\n    SGLANG_SORT_WEIGHT_FILES = EnvBool(False)\n",
        ),
    )

    def begin(self, ctx: FileContext) -> None:
        found = own_changes(ctx)
        if found is None:
            return
        registry, changes = found
        for change in changes.kind_changed:
            old, new = change.old, change.new
            renamed = f" (renamed from {old.name})" if change.rename is not None else ""
            ctx.report(
                self.code,
                None,
                f"{new.name}{renamed}: kind changed from {old.kind} to {new.kind} "
                f"({describe(old)} -> {describe(new)}): values users already set were written "
                f"for a {old.kind}",
                key=new.name,
                span=key_span(registry, new.name),
            )
