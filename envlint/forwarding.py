"""One knob, two names (spec Rule 6): an env var next to the CLI setting of the same name.

``envs.SGLANG_ENABLE_TORCH_COMPILE.set(cfg.enable_torch_compile)`` copies a
command-line or config setting into an env var so that other code reads it from
there (ENV017); a registry key ``SGLANG_ENABLE_TORCH_COMPILE`` next to the flag
``--enable-torch-compile`` is the same knob on two surfaces (ENV016). The rules
report these; the ENV001 fixes must not produce them (a ``set()`` from a raw write,
a new registry entry from a raw read), or a fix would trade one finding for
another. Both ask here.
"""

from __future__ import annotations

import ast
from typing import Mapping, Optional, TypeVar

Flag = TypeVar("Flag")


def owned_words(name: str, prefixes: tuple[str, ...]) -> Optional[list[str]]:
    """The words of ``name`` after its owned prefix (``SGLANG_ENABLE_X`` -> [ENABLE, X]),
    or None when it has no owned prefix."""
    for prefix in sorted(prefixes, key=len, reverse=True):
        if name.startswith(prefix) and len(name) > len(prefix):
            return name[len(prefix):].split("_")
    return None


def forwarded_setting(value: ast.AST, key: str, prefixes: tuple[str, ...]) -> Optional[ast.Attribute]:
    """The attribute named like ``key`` (``x`` for ``SGLANG_X``) that ``value`` reads, if any."""
    words = owned_words(key, prefixes)
    if not words:
        return None
    setting = "_".join(words).lower()
    return next((n for n in ast.walk(value) if isinstance(n, ast.Attribute) and n.attr == setting), None)


def duplicated_flag(key: str, prefixes: tuple[str, ...], flags: Mapping[str, Flag]) -> Optional[Flag]:
    """The CLI flag named like ``key`` (``--enable-torch-compile`` for
    ``SGLANG_ENABLE_TORCH_COMPILE``; two words at least), if the project has one."""
    words = owned_words(key, prefixes)
    if not words or len(words) < 2 or not flags:
        return None
    return flags.get("_".join(words).lower())
