"""A setting forwarded into the environment variable of the same name (spec Rule 6).

``envs.SGLANG_ENABLE_TORCH_COMPILE.set(cfg.enable_torch_compile)`` copies a
command-line or config setting into an env var so that other code reads it
from there: one knob, two names. ENV017 reports the descriptor form; the ENV001
write fix must not produce it from the raw form (``os.environ[K] = ...``), or a
fix would trade one finding for another. Both ask here.
"""

from __future__ import annotations

import ast
from typing import Optional


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
