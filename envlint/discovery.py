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
from typing import Iterable, Optional

from .paths import real_path


class DiscoveryError(Exception):
    """A path given on the command line does not exist."""


class _Excludes:
    """The exclude globs compiled once into one regex, matched on names and relative paths."""

    def __init__(self, root: Path, patterns: tuple[str, ...]):
        self.root = os.path.realpath(root)
        joined = "|".join(fnmatch.translate(p) for p in patterns) or r"(?!)"
        self.match = re.compile(joined).match

    def relative(self, real_path: str) -> str:
        if real_path == self.root:
            return "."
        if real_path.startswith(self.root + os.sep):
            return real_path[len(self.root) + 1 :].replace(os.sep, "/")
        return real_path.replace(os.sep, "/")

    def excluded(self, real_path: str) -> bool:
        """``real_path`` is absolute and resolved (``os.path.realpath``)."""
        return bool(self.match(os.path.basename(real_path)) or self.match(self.relative(real_path)))

    def excluded_in(self, relative_dir: str, name: str) -> bool:
        """The same test for ``name`` inside a directory already made root-relative."""
        if self.match(name):
            return True
        return bool(self.match(name if relative_dir == "." else f"{relative_dir}/{name}"))


def is_excluded(path: Path, root: Path, exclude: tuple[str, ...]) -> bool:
    """Whether ``path`` or a directory above it (up to ``root``) matches an exclude."""
    path = real_path(path)
    root = real_path(root)
    excludes = _Excludes(root, exclude)
    for candidate in (path, *path.parents):
        if candidate == root or root not in candidate.parents:
            break
        if excludes.excluded(str(candidate)):
            return True
    return False


def walk_python_files(
    directory: Path,
    root: Path,
    exclude: tuple[str, ...],
    errors: Optional[list[tuple[Path, str]]] = None,
) -> list[Path]:
    """Every ``.py`` file under ``directory``, pruning excluded directories, sorted.

    Each directory is made root-relative once and its entries are matched by
    string joins: discovery runs on every invocation, and per-file ``resolve()``
    calls cost more on a 4,700-file tree than the prefilter that follows.

    A directory that cannot be listed is appended to ``errors`` (path, reason):
    skipping it in silence would pass a tree envlint never looked at.
    """
    excludes = _Excludes(root, exclude)
    found = []
    start = os.path.realpath(directory)

    def unreadable(exc: OSError) -> None:
        if errors is not None:
            errors.append((Path(exc.filename or directory), f"cannot read directory: {exc.strerror or exc}"))

    for current, dirnames, filenames in os.walk(directory, onerror=unreadable):
        # os.walk does not follow symlinks, so below ``start`` the paths stay real.
        suffix = os.path.relpath(current, directory)
        real = start if suffix == "." else os.path.join(start, suffix)
        relative_dir = excludes.relative(real)
        dirnames[:] = sorted(d for d in dirnames if not excludes.excluded_in(relative_dir, d))
        base = Path(current)
        for filename in sorted(filenames):
            if filename.endswith(".py") and not excludes.excluded_in(relative_dir, filename):
                found.append(base / filename)
    return found


def discover(
    paths: Iterable[Path],
    root: Path,
    exclude: tuple[str, ...],
    errors: Optional[list[tuple[Path, str]]] = None,
) -> list[Path]:
    """The files a run checks; directories that cannot be listed go to ``errors``.

    A path named explicitly is checked whatever it is, as long as *something*
    is there: a FIFO, a dangling symlink or a symlink loop becomes a "cannot
    read" error for that file (exit 1) rather than "no such file" (exit 2).
    """
    found: list[Path] = []
    seen: set[str] = set()
    root = real_path(root)
    for given in paths:
        if os.path.isdir(given):
            candidates = walk_python_files(given, root, exclude, errors)
        elif os.path.lexists(given):
            candidates = [given]
        else:
            raise DiscoveryError(f"{given}: no such file or directory")
        for path in candidates:
            # abspath, not resolve(): no symlink lookups per file (a file reached
            # through two different symlinks is checked twice; harmless).
            key = os.path.abspath(path)
            if key not in seen:
                seen.add(key)
                found.append(path)
    return found


def display_path(path: Path) -> str:
    """Relative to the working directory when inside it, else absolute."""
    if not os.path.isabs(path):
        text = os.path.normpath(path)
        if not text.startswith(".."):
            return text  # already relative to the working directory
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    return str(real_path(path)) if relative.startswith("..") else relative
