"""Which files a run checks: ``.py`` files under the given paths, minus excludes.

Exclude patterns are fnmatch globs matched against a file or directory's name
and against its path relative to the project root (``tests/fixtures/*``), like
flake8's ``--exclude``. Excluded directories are pruned, never descended into.
Files named explicitly on the command line are always checked.
"""

from __future__ import annotations

import os
from fnmatch import fnmatch
from pathlib import Path
from typing import Iterable


class DiscoveryError(Exception):
    """A path given on the command line does not exist."""


def _excluded(path: Path, root: Path, patterns: tuple[str, ...]) -> bool:
    name = path.name
    try:
        relative = path.relative_to(root).as_posix()
    except ValueError:
        relative = path.as_posix()
    return any(fnmatch(name, p) or fnmatch(relative, p) for p in patterns)


def is_excluded(path: Path, root: Path, exclude: tuple[str, ...]) -> bool:
    """Whether ``path`` or a directory above it (up to ``root``) matches an exclude."""
    path = path.resolve()
    root = root.resolve()
    for candidate in (path, *path.parents):
        if candidate == root or root not in candidate.parents:
            break
        if _excluded(candidate, root, exclude):
            return True
    return False


def walk_python_files(directory: Path, root: Path, exclude: tuple[str, ...]) -> list[Path]:
    """Every ``.py`` file under ``directory``, pruning excluded directories, sorted."""
    found = []
    for current, dirnames, filenames in os.walk(directory):
        base = Path(current)
        dirnames[:] = sorted(
            d for d in dirnames if not _excluded((base / d).resolve(), root, exclude)
        )
        for filename in sorted(filenames):
            if filename.endswith(".py"):
                path = base / filename
                if not _excluded(path.resolve(), root, exclude):
                    found.append(path)
    return found


def discover(paths: Iterable[Path], root: Path, exclude: tuple[str, ...]) -> list[Path]:
    found: list[Path] = []
    seen: set[Path] = set()
    root = root.resolve()
    for given in paths:
        if not given.exists():
            raise DiscoveryError(f"{given}: no such file or directory")
        if given.is_file():
            candidates = [given]
        else:
            candidates = walk_python_files(given, root, exclude)
        for path in candidates:
            resolved = path.resolve()
            if resolved not in seen:
                seen.add(resolved)
                found.append(path)
    return found


def display_path(path: Path) -> str:
    """Relative to the working directory when inside it, else absolute."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    return str(Path(path).resolve()) if relative.startswith("..") else relative
