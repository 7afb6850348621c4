"""Which files a run checks: ``.py`` files under the given paths, minus excludes.

Exclude patterns are fnmatch globs matched against a file or directory's name
and against its path relative to the project root (``tests/fixtures/*``), like
flake8's ``--exclude``. Excluded directories are pruned, never descended into.
Files named explicitly on the command line are always checked.
"""

from __future__ import annotations

import fnmatch
import os
import re
from pathlib import Path
from typing import Iterable


class DiscoveryError(Exception):
    """A path given on the command line does not exist."""


class _Excludes:
    """The exclude globs compiled once into one regex per kind of match (name, path)."""

    def __init__(self, root: Path, patterns: tuple[str, ...]):
        self.root = os.path.realpath(root)
        joined = "|".join(fnmatch.translate(p) for p in patterns) or r"(?!)"
        self.pattern = re.compile(joined)

    def excluded(self, real_path: str) -> bool:
        """``real_path`` is absolute and resolved (``os.path.realpath``)."""
        name = os.path.basename(real_path)
        if self.pattern.match(name):
            return True
        relative = os.path.relpath(real_path, self.root) if real_path.startswith(self.root) else real_path
        return bool(self.pattern.match(relative.replace(os.sep, "/")))


def _excluded(path: Path, root: Path, patterns: tuple[str, ...]) -> bool:
    return _Excludes(root, patterns).excluded(os.path.realpath(path))


def is_excluded(path: Path, root: Path, exclude: tuple[str, ...]) -> bool:
    """Whether ``path`` or a directory above it (up to ``root``) matches an exclude."""
    path = path.resolve()
    root = root.resolve()
    excludes = _Excludes(root, exclude)
    for candidate in (path, *path.parents):
        if candidate == root or root not in candidate.parents:
            break
        if excludes.excluded(str(candidate)):
            return True
    return False


def walk_python_files(directory: Path, root: Path, exclude: tuple[str, ...]) -> list[Path]:
    """Every ``.py`` file under ``directory``, pruning excluded directories, sorted.

    Paths are resolved once per directory, not per file: discovery runs on every
    invocation, and on a 4,700-file tree per-file ``resolve()`` calls cost more
    than the prefilter that follows.
    """
    excludes = _Excludes(root, exclude)
    found = []
    for current, dirnames, filenames in os.walk(directory):
        real = os.path.realpath(current)
        dirnames[:] = sorted(d for d in dirnames if not excludes.excluded(os.path.join(real, d)))
        base = Path(current)
        for filename in sorted(filenames):
            if filename.endswith(".py") and not excludes.excluded(os.path.join(real, filename)):
                found.append(base / filename)
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
