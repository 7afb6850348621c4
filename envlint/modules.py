"""File path -> dotted module name, without importing anything.

Needed to resolve relative imports (``from ..environ import envs``) and to know
which module a registry file is. sglang has namespace packages (``sglang/srt``
has no ``__init__.py``), so ``__init__.py`` walking alone is not enough: the
source roots (configured ``src``, or derived from where the registries' package
trees start) decide first.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from .paths import real_path


def module_name(path: Path, src_roots: tuple[Path, ...] = ()) -> str:
    directory = _module_prefix(path.parent, src_roots)
    stem = path.stem
    if stem == "__init__":
        return directory
    return f"{directory}.{stem}" if directory else stem


@lru_cache(maxsize=4096)
def _module_prefix(directory: Path, src_roots: tuple[Path, ...]) -> str:
    """The package part of a module name, computed once per directory."""
    return _module_name_uncached(directory / "__init__.py", src_roots)


def _module_name_uncached(path: Path, src_roots: tuple[Path, ...] = ()) -> str:
    path = real_path(path)
    best: Path | None = None
    for root in src_roots:
        try:
            path.relative_to(root)
        except ValueError:
            continue
        if best is None or len(root.parts) > len(best.parts):
            best = root
    if best is not None:
        parts = list(path.relative_to(best).with_suffix("").parts)
    else:
        parts = [path.stem]
        directory = path.parent
        while (directory / "__init__.py").is_file():
            parts.insert(0, directory.name)
            directory = directory.parent
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def resolve_relative(module: str, is_package: bool, level: int, target: str | None) -> str | None:
    """Absolute name of ``from <level dots><target> import ...`` inside ``module``.

    Returns None when the relative import climbs above the top-level package.
    """
    parts = module.split(".") if module else []
    if not is_package:
        parts = parts[:-1]
    if level - 1 > len(parts):
        return None
    if level > 1:
        parts = parts[: len(parts) - (level - 1)]
    if target:
        parts.extend(target.split("."))
    return ".".join(parts) if parts else None
