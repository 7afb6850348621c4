"""ENV014: a descriptor whose default is not a value of its kind (``EnvBool("false")``)."""

from __future__ import annotations

from ..context import FileContext
from ._review import PRELUDE, REGISTRY, key_span
from .base import Invalid, Rule, Valid

_PRELUDE = PRELUDE + "class EnvFloat(EnvField): ...\nclass EnvStr(EnvField): ...\n"


def _fits(kind: str, value: object) -> bool:
    if value is None:
        return True  # "unset" distinguishable from every value (Rule 2)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "float":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "str":
        return isinstance(value, str)
    if kind == "tuple":
        return isinstance(value, (tuple, list))
    return True  # json and unknown kinds take anything


class DefaultOfWrongType(Rule):
    """
    ## What it does
    Flags a descriptor whose literal default is not a value of the descriptor's
    kind: `EnvBool("false")`, `EnvInt("8")`, `EnvInt(1.5)`, `EnvFloat("x")`,
    `EnvStr(5)`, `EnvTuple("a,b")`. `None` fits every kind (Rule 2: an unset
    state distinguishable from any value), an `int` fits `EnvFloat`, and an
    `IntEnum` member fits `EnvInt`. Defaults that are expressions (a callable,
    `os.path.expanduser(...)`) are not judged. Descriptor-style registries
    only: a module-style registry's default lives in its getter's code.

    ## Why is this bad
    `.get()` returns the default *as written* while the key is unset and a
    parsed value once it is set: `EnvBool("false").get()` is the string
    `"false"` — truthy — until someone sets the key, then a real `bool`. Call
    sites written for the kind break on the default, which is what production
    runs.

    ## Example
    ```python
    SGLANG_ENABLE_FOO = EnvBool("false")
    SGLANG_FOO_SIZE = EnvInt("8")
    ```

    ## Use instead
    ```python
    SGLANG_ENABLE_FOO = EnvBool(False)
    SGLANG_FOO_SIZE = EnvInt(8)
    ```

    ## Fix safety
    No automatic fix: `EnvBool("false")` is truthy today, so turning it into
    `False` changes production behaviour; the author must say which was meant.
    """

    code = "ENV014"
    name = "default-of-wrong-type"
    summary = "Descriptor default is not a value of its kind (EnvBool(\"false\"), EnvInt(\"8\"))"

    VALID = (
        Valid(
            _PRELUDE + "class Envs:\n    SGLANG_A = EnvBool(None)\n    SGLANG_B = EnvFloat(1)\n"
            "    SGLANG_C = EnvStr(lambda: 'x')\n    SGLANG_D = EnvInt(2**31)\n",
            path=REGISTRY,
        ),
    )
    INVALID = (
        Invalid(
            _PRELUDE + 'class Envs:\n    SGLANG_ENABLE_FOO = EnvBool("false")\n'
            '    SGLANG_FOO_SIZE = EnvInt("8")\n    SGLANG_FOO_RATIO = EnvInt(1.5)\n'
            '    SGLANG_FOO_SCALE = EnvFloat("x")\n',
            findings=((7, 5), (8, 5), (9, 5), (10, 5)),
            path=REGISTRY,
        ),
    )

    def begin(self, ctx: FileContext) -> None:
        registry = ctx.own_registry
        if registry is None or registry.style != "descriptor":
            return
        for name, field in registry.fields.items():
            if not field.default_is_literal or _fits(field.kind, field.default):
                continue
            ctx.report(
                self.code,
                None,
                f"{name} = {field.descriptor}({field.default_source}): a {field.kind} key with a "
                f"{type(field.default).__name__} default; .get() returns {field.default!r} while the "
                f"key is unset and a {field.kind} once it is set",
                key=name,
                span=key_span(registry, name),
            )
