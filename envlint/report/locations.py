"""Paths as CI systems want them: relative to the repository root, with forward slashes.

envlint prints paths relative to the working directory, which is right for a
terminal. GitHub annotations and code scanning resolve paths against the root
of the checkout instead, so a run from a subdirectory must not change them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional


def source_root(start: Optional[Path] = None) -> Path:
    """The nearest directory holding ``.git`` at or above ``start``; else ``start`` itself.

    Found by looking, not by asking git: formatting output must not depend on a
    git executable, and ``.git`` may be a file (worktrees, submodules).
    """
    start = (start or Path.cwd()).resolve()
    for directory in (start, *start.parents):
        if (directory / ".git").exists():
            return directory
    return start


def root_relative(path: str, root: Path) -> Optional[str]:
    """``path`` relative to ``root`` in POSIX form, or None when it lies outside."""
    absolute = Path(path).resolve()
    try:
        return absolute.relative_to(root).as_posix()
    except ValueError:
        return None
