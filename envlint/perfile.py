"""``per-file-ignores``: codes switched off for the files a glob matches.

Semantics are flake8's (and ruff's, for the patterns both accept), so a
configuration moved between the tools means the same thing:

* a pattern without ``/`` matches a file's *name* anywhere (``__init__.py``,
  ``test_*.py``), or its absolute path (``*tests*``);
* a pattern with ``/`` is relative to the directory of the ``pyproject.toml``
  and matches the whole path (``tests/*``, ``scripts/*.py``); as in
  ``fnmatch``, ``*`` also matches ``/``, so ``tests/*`` covers every file below
  ``tests``;
* the codes are code prefixes, as in ``ignore``; an ignored code is off for a
  matching file whatever ``select`` says (ruff's rule).

Applied to a run's findings after checking (not inside the engine), because
cached results are shared between files with the same content and module name;
an ignore depends on the path.
"""

from __future__ import annotations

import os
from fnmatch import fnmatch
from pathlib import Path
from typing import Sequence

from .findings import Finding

PerFileIgnores = tuple[tuple[str, tuple[str, ...]], ...]


def normalize_pattern(pattern: str, root: Path) -> str:
    """flake8's normalisation: anchored at ``root`` when it names a directory part."""
    if "/" not in pattern:
        return pattern
    return os.path.abspath(os.path.join(root, pattern)).rstrip("/")


def ignored_codes(rules: PerFileIgnores, path: Path) -> tuple[str, ...]:
    """The code prefixes ``rules`` (normalized patterns -> codes) switch off for ``path``."""
    if not rules:
        return ()
    absolute = os.path.abspath(path)
    name = os.path.basename(absolute)
    codes: list[str] = []
    for pattern, prefixes in rules:
        # flake8's matches_filename: the name first, then the absolute path.
        if fnmatch(name, pattern) or fnmatch(absolute, pattern):
            codes.extend(prefixes)
    return tuple(codes)


def apply(rules: PerFileIgnores, path: Path, findings: Sequence[Finding]) -> list[Finding]:
    """``findings`` of the file at ``path`` without those its per-file ignores switch off."""
    codes = ignored_codes(rules, path)
    if not codes:
        return list(findings)
    return [finding for finding in findings if not finding.code.startswith(codes)]
