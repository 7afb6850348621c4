"""What a project is when its configuration does not say: profile, registries, source roots.

Why apart from ``envlint.config``: that module reads and validates what the user
wrote; this one looks at the tree. A project without ``registries`` gets the
profile whose known registry files it has (sglang's, then vLLM's), found around
the linted paths and, failing that, below the root; its source roots are where
those registries' package trees start; its CLI flag sources are the profile's
that exist there. Nothing here raises ``ConfigError``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from .paths import real_path
from .profiles import PROFILES, Profile

# Directories never worth linting: VCS metadata, virtualenvs, build output, caches.
DEFAULT_EXCLUDES = (
    ".git",
    ".hg",
    ".svn",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    "__pycache__",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".envlint_cache",
    ".eggs",
    "*.egg-info",
    "build",
    "dist",
    "node_modules",
    "site-packages",
)



@dataclass(frozen=True)
class RegistrySpec:
    path: Path
    style: str  # "descriptor" | "module"
    module: str  # dotted module name, e.g. "sglang.srt.environ"



def discover_registries(
    profile: Profile, root: Path, paths: list[Path]
) -> tuple[RegistrySpec, ...]:
    """Find the profile's known registry files around the root and the linted paths.

    Search bases are the project root and every linted path with all its
    ancestors, so ``envlint check python/sglang/srt/layers`` still finds
    ``python/sglang/srt/environ.py``. The known relative paths are specific
    (``sglang/srt/environ.py``) so walking up cannot pick an unrelated file.
    """
    bases: list[Path] = [root]
    for path in paths:
        path = real_path(path)
        directory = path if path.is_dir() else path.parent
        for candidate in (directory, *directory.parents):
            if candidate not in bases:
                bases.append(candidate)
    found: dict[Path, RegistrySpec] = {}
    for base in bases:
        for known in profile.known_registries:
            candidate = base / known.relative_path
            if candidate.is_file():
                resolved = real_path(candidate)
                found.setdefault(resolved, RegistrySpec(resolved, known.style, known.module))
    return tuple(found.values())


def detect_profile(
    root: Path, paths: list[Path], configured: tuple[RegistrySpec, ...] = ()
) -> Profile:
    """The profile whose registries the tree has: sglang's, else vLLM's; else generic when
    the configured registries name no sglang key; else sglang.

    Looks around the linted paths first (cheap), then below the root. A project
    that configures its own registries and none of them mentions ``SGLANG_`` or
    ``SGL_`` is not sglang: its registry's shapes decide, not sglang's conventions.
    """
    searchable = [profile for profile in PROFILES.values() if profile.known_registries]
    for profile in searchable:
        if discover_registries(profile, root, paths):
            return profile
    for profile in searchable:
        if registries_below(profile, root, DEFAULT_EXCLUDES):
            return profile
    if configured and not any(_mentions_sglang(spec.path) for spec in configured):
        return PROFILES["generic"]
    return PROFILES["sglang"]


def _mentions_sglang(path: Path) -> bool:
    try:
        data = path.read_bytes()
    except OSError:
        return True  # unreadable: keep the historical default; loading reports it
    return b"SGLANG_" in data or b"SGL_" in data


_BELOW_ROOT_CACHE: dict[tuple[Path, str, tuple[str, ...]], tuple[RegistrySpec, ...]] = {}


def registries_below(
    profile: Profile, root: Path, exclude: tuple[str, ...]
) -> tuple[RegistrySpec, ...]:
    """Known registry files anywhere below ``root`` (a monorepo's ``third_party/sglang``).

    Only used when nothing was found around the linted paths; cached per root so
    a flake8 worker walks the tree at most once.
    """
    key = (root, profile.name, exclude)
    if key not in _BELOW_ROOT_CACHE:
        from .discovery import walk_python_files

        found = (known_registry_at(path, profile) for path in walk_python_files(root, root, exclude))
        _BELOW_ROOT_CACHE[key] = tuple(spec for spec in found if spec is not None)
    return _BELOW_ROOT_CACHE[key]


def known_registry_at(path: Path, profile: Profile) -> Optional[RegistrySpec]:
    """The registry ``path`` is, when it sits where one of the profile's registries lives."""
    posix = path.as_posix()
    for known in profile.known_registries:
        if posix.endswith("/" + known.relative_path):
            return RegistrySpec(real_path(path), known.style, known.module)
    return None


def default_src(
    root: Path, registries: tuple[RegistrySpec, ...], root_marked: bool = True
) -> tuple[Path, ...]:
    """Source roots for module names: where each registry's package tree starts.

    The project root counts too when a ``pyproject.toml`` or ``.git`` marks it;
    an unmarked fallback root (the linted directory itself) would cut module
    names short (``sglang/srt/managers/x.py`` would become ``x``).
    """
    roots: list[Path] = []
    for spec in registries:
        depth = spec.module.count(".") + 1
        base = spec.path
        for _ in range(depth):
            base = base.parent
        if base not in roots:
            roots.append(base)
    if root_marked and root not in roots:
        roots.append(root)
    return tuple(roots)


def default_cli_sources(profile: Profile, src: tuple[Path, ...]) -> tuple[Path, ...]:
    """The profile's CLI flag sources that exist under a source root."""
    found: list[Path] = []
    for base in src:
        for relative in profile.cli_flag_sources:
            candidate = base / relative
            if candidate.exists() and candidate.resolve() not in found:
                found.append(candidate.resolve())
    return tuple(found)
