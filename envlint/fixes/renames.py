"""Renames move as a group: a registry descriptor and every use of it, or nothing.

Renaming ``SGL_X`` to ``SGLANG_X`` in ``Envs`` while one ``envs.SGL_X`` elsewhere
keeps the old name would turn a working program into an ``AttributeError``. So a
rename is applied only when, in the same run,

* the registry's own ENV002 fix (rename + deprecation entry) is applied, and
* every attribute reference to the old name anywhere in the project (not only
  in the linted paths) is one of this run's use-site fixes.

Any other mention — a use outside the linted paths, ``getattr(envs, "SGL_X")``,
a comment naming ``envs.SGL_X`` — blocks the group and is reported, because a
text search cannot tell which of those would break.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Callable

from ..config import Config
from ..discovery import discover, display_path
from ..engine import FileResult
from ..findings import Finding, RegistryEdit
from ..project import Project

_RENAME_KINDS = ("rename-field", "add-deprecation")


class RenamePlanner:
    def __init__(
        self,
        config: Config,
        project: Project,
        results: dict[Path, FileResult],
        chosen: dict[Path, list[Finding]],
        read: Callable[[Path], bytes],
    ):
        self.config = config
        self.project = project
        self.results = results
        self.chosen = chosen
        self.read = read
        self.notes: list[str] = []
        self._project_files: list[Path] | None = None

    def blocked_edits(self) -> set[RegistryEdit]:
        groups: dict[str, list[tuple[Path, Finding]]] = {}
        for path, findings in self.chosen.items():
            for finding in findings:
                for edit in finding.fix.registry_edits:
                    if edit.kind in _RENAME_KINDS:
                        groups.setdefault(edit.name, []).append((path, finding))
        blocked: set[RegistryEdit] = set()
        for old, members in groups.items():
            problem = self._problem(old, members)
            if problem:
                self.notes.append(f"{old} not renamed: {problem}")
                blocked |= {
                    e for _, f in members for e in f.fix.registry_edits if e.name == old
                }
        return blocked

    def _problem(self, old: str, members: list[tuple[Path, Finding]]) -> str | None:
        if not any(e.kind == "add-deprecation" for _, f in members for e in f.fix.registry_edits):
            paths = {e.registry_path for _, f in members for e in f.fix.registry_edits}
            registry = next((r for r in self.project.registries if str(r.path) in paths), None)
            if registry is not None and registry.deprecation_mechanism is None:
                return (
                    f"{display_path(registry.path)} has no deprecation mechanism "
                    f"(_print_deprecated_env calls or a _DEPRECATED_ENVS table) to keep {old} working"
                )
            return "its descriptor's own fix is not part of this run"
        covered = {(path, f.fix.edits[0].line) for path, f in members}
        pattern = re.compile(
            r"\.[ \t]*" + re.escape(old) + r"\b|getattr\([^)]*[\"']" + re.escape(old) + r"[\"']"
        )
        token = old.encode()
        for path in self._files():
            data = self.read(path)
            if token not in data:
                continue
            text = data.decode("utf-8", errors="replace")
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                if (path, line) not in covered:
                    return f"referenced at {display_path(path)}:{line}, which this run cannot rewrite"
        return None

    def _files(self) -> list[Path]:
        if self._project_files is None:
            found = discover([self.config.root], self.config.root, self.config.exclude)
            self._project_files = sorted({p.resolve() for p in found} | set(self.results))
        return self._project_files
