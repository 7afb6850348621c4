"""ENV009: a key's default changed, or flipped during a rename (Rule 5)."""

from __future__ import annotations

from ..context import FileContext
from ._review import PRELUDE, REGISTRY, default_text, key_span, own_changes
from .base import Invalid, Rule, Valid


_NO_BASE = (
    PRELUDE + "class Envs:\n    SGLANG_AUTO_NUMA_BIND = EnvBool(True)\n"
    "    SGLANG_DSA_FUSE_TOPK = EnvBool(False)\n"
)

class DefaultChanged(Rule):
    """
    ## What it does
    Compared with the review base (`--diff-base REF` or `--registry-base FILE`),
    flags a registered key whose default changed — for a key that kept its
    name, and between an old name and the new one during a rename (through
    `deprecated_name=`, a deprecation entry with a replacement, or moved call
    sites). Literal defaults are compared by value (`2 ** 31` is `2**31`;
    `1` and `1.0` are the same number, `1` and `True` are not); other defaults
    by their source text, and the message says the values could not be
    compared. The finding points at the key's line in the working tree.

    Without a base the rule is silent: it is about a change.

    ## Why is this bad
    The default is production behaviour: `SGLANG_AUTO_NUMA_BIND = EnvBool(True)`
    changes what every deployment that does not set the key does. Rule 5:
    "Don't silently flip a default during a rename. If the new default
    disagrees with the old one, that's a behavior change — call it out in the
    PR body separately from the rename." The finding is that call-out, for a
    reviewer to confirm.

    ## Example
    At the base:
    ```python
    SGLANG_AUTO_NUMA_BIND = EnvBool(False)
    ```
    After the change:
    ```python
    SGLANG_AUTO_NUMA_BIND = EnvBool(True)
    ```

    ## Use instead
    Keep the default, or make the change on purpose and say so in the pull
    request; record an accepted change in a baseline if the check runs on a
    branch that keeps it (see `docs/registry-review.md`).

    ## Fix safety
    No automatic fix: whether the new default is intended is the reviewer's
    decision.
    """

    code = "ENV009"
    name = "default-changed"
    summary = "Registry key's default changed (or flipped during a rename)"
    about_change = True

    VALID = (
        Valid(
            PRELUDE + "class Envs:\n    SGLANG_BIG = EnvInt(2**31)\n    SGLANG_NEW = EnvBool(True)\n",
            path=REGISTRY,
            base=PRELUDE + "class Envs:\n    SGLANG_BIG = EnvInt(2 ** 31)\n",
        ),
        # No base: a rule about a change has nothing to say.
        Valid(_NO_BASE, path=REGISTRY),
    )
    INVALID = (
        Invalid(
            _NO_BASE,
            findings=((5, 5), (6, 5)),
            path=REGISTRY,
            base=PRELUDE + "class Envs:\n    SGLANG_AUTO_NUMA_BIND = EnvBool(False)\n"
            "    SGLANG_NSA_FUSE_TOPK = EnvBool(True)\n",
            moves=(("SGLANG_NSA_FUSE_TOPK", "SGLANG_DSA_FUSE_TOPK"),),
        ),
    )

    def begin(self, ctx: FileContext) -> None:
        found = own_changes(ctx)
        if found is None:
            return
        registry, changes = found
        for change in changes.default_changed:
            old, new = change.old, change.new
            comparable = old.value is not None and new.value is not None
            values = f"{default_text(old)} -> {default_text(new)}"
            if change.rename is not None:
                message = (
                    f"{new.name} was renamed from {old.name} and its default changed ({values}): "
                    "a rename must not silently flip a default (Rule 5); call the behaviour change out"
                )
            else:
                message = f"{new.name}: default changed ({values}): every deployment that does not set it changes behaviour"
            if not comparable:
                message += "; the defaults are expressions, compared as written"
            ctx.report(self.code, None, message, key=new.name, span=key_span(registry, new.name))
