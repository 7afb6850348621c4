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

from pathlib import Path
from typing import Callable

from ..discovery import display_path
from ..findings import Finding, RegistryEdit
from ..project import Project
from .references import attribute_mentions

_RENAME_KINDS = ("rename-field", "add-deprecation")


class RenamePlanner:
    def __init__(
        self,
        project: Project,
        chosen: dict[Path, list[Finding]],
        read: Callable[[Path], bytes],
        project_files: Callable[[], list[Path]],
    ):
        """``project_files``: every file of the project, the run's own included."""
        self.project = project
        self.chosen = chosen
        self.read = read
        self.project_files = project_files
        self.notes: list[str] = []

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
        token = old.encode()
        for path in self.project_files():
            data = self.read(path)
            if token not in data:
                continue
            for line in attribute_mentions(data.decode("utf-8", errors="replace"), old):
                if (path, line) not in covered:
                    return f"referenced at {display_path(path)}:{line}, which this run cannot rewrite"
        return None
