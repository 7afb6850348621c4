"""What ``envlint fix`` did: the files it changed, the fixes it applied, what is left.

Kept apart from the fixer's machinery because the CLI reads it after the
write phase, when it describes what is on disk (``Fixer.write`` removes the
files it could not write).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .findings import Finding
from .report import format_counts
from .source import SourceFile
from .unidiff import unified_diff


@dataclass
class FileChange:
    path: Path
    display: str
    original: SourceFile
    text: str

    @property
    def data(self) -> bytes:
        """The new content as the file stores it (its encoding, BOM and line breaks)."""
        return self.original.encode(self.text)

    def diff(self) -> bytes:
        """A patch that ``patch -p1`` and ``git apply`` apply (see ``envlint.unidiff``)."""
        return unified_diff(self.original.data, self.data, self.display)


@dataclass
class FixReport:
    changes: dict[Path, FileChange] = field(default_factory=dict)
    applied: Counter = field(default_factory=Counter)
    remaining: list[Finding] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    out_of_scope: int = 0  # findings a FixScope left alone (not fixed, not "left")
    # per file, the findings whose fixes were applied, each with the text it was applied to
    fixed: dict[Path, list[tuple[str, Finding]]] = field(default_factory=dict)

    @property
    def changed(self) -> list[FileChange]:
        return [c for c in self.changes.values() if c.text != c.original.text]

    def summary(self, unsafe_applied: bool) -> list[str]:
        """What ``envlint fix`` prints last: what was fixed, what is left and why."""
        fixed, files = sum(self.applied.values()), len(self.changed)
        line = f"Fixed {fixed} finding{'s' * (fixed != 1)} in {files} file{'s' * (files != 1)}"
        lines = [line + (f" ({format_counts(self.applied)})." if fixed else ".")]
        remaining = self.remaining
        if not remaining:
            return lines
        unsafe = Counter(f.code for f in remaining if f.fix and not f.fix.is_safe)
        blocked = Counter(f.code for f in remaining if f.fix and f.fix.is_safe)
        none = Counter(f.code for f in remaining if not f.fix)
        parts = []
        for code, count in sorted(Counter(f.code for f in remaining).items()):
            detail = []
            if unsafe[code] and not unsafe_applied:
                detail.append(f"{unsafe[code]} with unsafe fixes")
            not_applied = blocked[code] + (unsafe[code] if unsafe_applied else 0)
            if not_applied:
                detail.append(f"{not_applied} with blocked fixes")
            if none[code]:
                detail.append(f"{none[code]} without a fix")
            parts.append(f"{code}: {count}" + (f" ({', '.join(detail)})" if detail else ""))
        lines.append(f"{len(remaining)} left: {'; '.join(parts)}.")
        if any(unsafe.values()) and not unsafe_applied:
            lines.append("Unsafe fixes change behaviour; review them with --unsafe-fixes --diff.")
        if self.notes and (any(blocked.values()) or unsafe_applied):
            lines.append("The notes on stderr say why blocked fixes were not applied.")
        return lines
