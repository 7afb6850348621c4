"""What the registry-review rules (ENV008-ENV019) share: where a key is, how to name one."""

from __future__ import annotations

import functools
import re

from .. import testcode
from ..context import FileContext
from ..registry import Registry
from ..review.snapshot import KeyState

REGISTRY = "python/sglang/srt/environ.py"
MODULE_REGISTRY = "python/sglang/multimodal_gen/envs.py"
# Just enough of sglang's descriptor classes for the examples to parse like the real registry.
PRELUDE = (
    "class EnvField: ...\n"
    "class EnvBool(EnvField): ...\n"
    "class EnvInt(EnvField): ...\n"
)


def own_changes(ctx: FileContext):
    """(this registry file's registry, its changes against the review base), or None when
    the file is not a registry or there is no base: the rules about changes have nothing
    to say then."""
    registry = ctx.own_registry
    if registry is None:
        return None
    changes = ctx.project.registry_changes(registry)
    return None if changes is None else (registry, changes)


def key_span(registry: Registry, name: str) -> tuple[int, int, int, int]:
    """The key's name where the registry defines it (0-based columns).

    A module-style key is a string literal: the span leaves out its quotes.
    """
    field = registry.fields[name]
    column = field.column + (1 if registry.style == "module" else 0)
    return field.line, column, field.line, column + len(name)


def base_span(ctx: FileContext, line: int) -> tuple[int, int, int, int]:
    """A line of the working-tree file standing for a line of the base.

    A removed key has no line any more; its finding points where the key was
    at the base (the message says so). Past the end of today's file, the last
    line stands in.
    """
    last = max(1, len(ctx.source.line_starts) - (1 if ctx.source.text.endswith(("\n", "\r")) else 0))
    line = min(max(line, 1), last)
    return line, 0, line, len(ctx.source.line_text(line))


def describe(key: KeyState) -> str:
    """``EnvBool(True)`` (descriptor style) or ``bool = True`` (module style) for messages."""
    if key.descriptor:
        return f"{key.descriptor}({key.default})"
    if key.kind == "unknown" and not key.default:
        return "no TYPE_CHECKING stub"
    return f"{key.kind}" + (f" = {key.default}" if key.default else "")


def default_text(key: KeyState) -> str:
    return key.default or "(none)"


def relative_parts(ctx: FileContext) -> tuple[str, ...]:
    """The file's path parts below the project root (``envlint.testcode``)."""
    return testcode.relative_parts(ctx.path, ctx.config.root)


def is_test_file(parts: tuple[str, ...]) -> bool:
    return testcode.is_test_file(parts)


@functools.lru_cache(maxsize=None)
def descriptor_call_test(prefixes: tuple[str, ...]):
    """A prefilter test: do the bytes hold ``.<PREFIX>KEY.set(`` or ``.override(``?

    One object per prefix set, shared by the rules that use it, so the engine
    evaluates it once per file. Each pattern starts with a literal
    (``.SGLANG_``), which the regular-expression engine searches for quickly;
    ``.set(`` alone is in every file that uses ``threading.Event``.
    """
    patterns = [
        re.compile(re.escape(f".{prefix}").encode() + rb"[A-Z0-9_]*\.(?:set|override)\(")
        for prefix in prefixes
    ]

    def test(data: bytes) -> bool:
        return any(pattern.search(data) for pattern in patterns)

    return test


def canonical_prefixes(config) -> tuple[str, ...]:
    """The owned prefixes new keys use (legacy ones, ``SGL_``, left out)."""
    legacy = {old for old, _ in config.legacy_prefixes}
    return tuple(p for p in config.owned_prefixes if p not in legacy) or config.owned_prefixes


def definition_tokens(prefixes: tuple[str, ...]) -> tuple[str, ...]:
    """Byte evidence of an owned name being *assigned* at module level or in a class body
    indented by four spaces: ``\\nSGLANG_X = ``, ``\\n    SGLANG_X = ``."""
    return tuple(f"\n{indent}{prefix}" for prefix in prefixes for indent in ("", "    "))
