"""Building blocks for hostile-input tests: a small project, and proof nothing outside it changed.

Every test that feeds envlint a hostile tree keeps a sibling directory
``outside/`` next to the project and compares a snapshot of it (every entry,
its type, bytes and link target) before and after the run.
"""

from __future__ import annotations

import os
import stat
import textwrap
from pathlib import Path

from gitrepo import REGISTRY, REGISTRY_PATH


def make_project(base: Path, files: dict[str, str] | None = None, pyproject: str = "[tool.envlint]\n") -> Path:
    """``base/project``: the test registry, a pyproject, and ``files`` (path -> source)."""
    root = base / "project"
    (root / REGISTRY_PATH).parent.mkdir(parents=True)
    (root / REGISTRY_PATH).write_text(REGISTRY)
    (root / "pyproject.toml").write_text(pyproject)
    for relative, text in (files or {}).items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text))
    return root


def make_outside(base: Path) -> Path:
    """``base/outside``: a directory envlint must never touch, with a file in it."""
    outside = base / "outside"
    outside.mkdir()
    (outside / "victim.py").write_text("VICTIM = 1\n")
    return outside


def snapshot(directory: Path) -> dict[str, tuple]:
    """Everything observable about a directory tree, symlinks not followed."""
    entries: dict[str, tuple] = {}
    for current, dirnames, filenames in os.walk(directory):
        for name in dirnames + filenames:
            path = Path(current) / name
            info = path.lstat()
            relative = path.relative_to(directory).as_posix()
            if stat.S_ISLNK(info.st_mode):
                entries[relative] = ("link", os.readlink(path))
            elif stat.S_ISREG(info.st_mode):
                entries[relative] = ("file", path.read_bytes(), stat.S_IMODE(info.st_mode))
            else:
                entries[relative] = ("other", stat.S_IFMT(info.st_mode))
    return entries
