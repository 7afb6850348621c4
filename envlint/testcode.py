"""Is a file test code? One answer for every rule and fix that treats tests differently.

Rule 3 of the conventions is about tests (``override`` restores, ``set`` leaks into
later tests), so ENV018, ENV019 and the ENV001 write fix must agree on what a test
is: a file under a ``test``/``tests``/``testing`` directory of the project, or
named ``test_*.py``, ``*_test.py`` or ``conftest.py``.
"""

from __future__ import annotations

from pathlib import Path

_TEST_DIRS = frozenset({"test", "tests", "testing"})


def relative_parts(path: Path, root: Path) -> tuple[str, ...]:
    """The file's path parts below the project root (the root's own ancestors do not count:
    a project checked out under ``~/tests/`` is not all test code)."""
    try:
        return path.resolve().relative_to(root.resolve()).parts
    except ValueError:
        return path.parts[-3:]


def is_test_file(parts: tuple[str, ...]) -> bool:
    """Test code: under a test directory, or a ``test_*.py`` / ``*_test.py`` / ``conftest.py``."""
    name = parts[-1] if parts else ""
    return (
        any(part in _TEST_DIRS for part in parts[:-1])
        or name.startswith("test_")
        or name.endswith("_test.py")
        or name == "conftest.py"
    )
