"""Which findings ``envlint fix`` may touch: ``--diff-base``, ``--baseline`` and ``--key``.

Why: on a codebase with debt, a fix hook that rewrites every old finding in a
file the commit touches (and then fails on the old findings it cannot fix)
blocks every commit. ``fix`` takes the same scoping ``check`` has: only the
findings on lines changed since a git revision, only those a baseline does not
record, only those of some variables. Findings outside the scope are neither
fixed nor counted as left over.

A fix run makes several passes over text it already rewrote, so a finding of a
later pass may sit on a line that moved. ``--diff-base`` therefore maps each
line of a rewritten file back to the file as it was: a line envlint itself
wrote counts as changed (it replaced an in-scope line, or is an import or
registry entry such a fix needs); any other line is judged by where it came
from. ``--baseline`` needs no mapping: it identifies findings by content.
"""

from __future__ import annotations

import difflib
from collections import Counter
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Callable, Iterable, Optional

from .findings import Finding
from .gitdiff import ChangedLines

# (original text, current text) of a file the run rewrote, or None when untouched.
TextPair = Callable[[Path], Optional[tuple[str, str]]]


def line_origins(original: str, current: str) -> dict[int, int]:
    """current line number -> original line number, for the lines a rewrite kept as they were."""
    matcher = difflib.SequenceMatcher(None, original.splitlines(), current.splitlines(), autojunk=False)
    origins: dict[int, int] = {}
    for tag, old_start, _, new_start, new_end in matcher.get_opcodes():
        if tag == "equal":
            for offset in range(new_end - new_start):
                origins[new_start + offset + 1] = old_start + offset + 1
    return origins


@dataclass
class FixScope:
    changed: Optional[ChangedLines] = None
    baseline: Optional[tuple[Counter, Path]] = None  # (recorded identities, the baseline file)
    keys: tuple[str, ...] = ()  # fnmatch patterns of variable names

    def describe(self) -> str:
        """The options that make up the scope, for the summary (``--diff-base main``...)."""
        parts = []
        if self.changed is not None:
            parts.append("--diff-base")
        if self.baseline is not None:
            parts.append("--baseline")
        if self.keys:
            parts.append("--key")
        return ", ".join(parts)

    def select(self, findings: Iterable[tuple[Path, Finding]], texts: TextPair) -> set[int]:
        """``id()`` of every finding in the scope; ``findings`` are a whole pass's, with their files."""
        chosen = list(findings)
        if self.keys:
            chosen = [
                (path, f) for path, f in chosen
                if f.key is not None and any(fnmatchcase(f.key, pattern) for pattern in self.keys)
            ]
        if self.changed is not None:
            origins: dict[Path, Optional[dict[int, int]]] = {}
            for path, _ in chosen:
                if path not in origins:
                    pair = texts(path)
                    origins[path] = line_origins(*pair) if pair is not None else None
            chosen = [(path, f) for path, f in chosen if self._on_changed_lines(path, f, origins[path])]
        if self.baseline is not None:
            from .baseline import compare

            recorded, file = self.baseline
            new = compare(recorded, sorted(f for _, f in chosen), file, (), ())
            kept = {id(f) for f in new.new}
            chosen = [(path, f) for path, f in chosen if id(f) in kept]
        return {id(f) for _, f in chosen}

    def _on_changed_lines(self, path: Path, finding: Finding, origins: Optional[dict[int, int]]) -> bool:
        lines = list(range(finding.line, finding.end_line + 1))
        if origins is not None:
            if any(line not in origins for line in lines):
                return True  # a line envlint wrote
            lines = [origins[line] for line in lines]
        changed = self.changed
        try:
            key = path.resolve().relative_to(changed.root).as_posix()
        except ValueError:  # outside the repository: nothing in it changed
            return False
        if key in changed.new_files:
            return True
        return any(line in changed.lines.get(key, ()) for line in lines)
