"""A whole run: configuration, discovery, checking every file, collecting results.

Kept apart from the CLI so that ``check``, ``fix`` and the benchmarks share one
code path, and apart from the engine so the engine stays about one file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from .config import Config, load_config
from .discovery import discover, display_path
from .engine import FileResult, Linter
from .findings import Finding
from .project import Project


@dataclass
class RunResult:
    project: Project
    files: list[FileResult] = field(default_factory=list)

    @property
    def findings(self) -> list[Finding]:
        return sorted(f for result in self.files for f in result.findings)

    @property
    def errors(self) -> list[tuple[str, str]]:
        """One line per broken file: a registry that is also checked is reported once."""
        checked = {r.path.resolve() for r in self.files if r.error}
        errors = [
            (display_path(path), reason)
            for path, reason in self.project.load_errors
            if path.resolve() not in checked
        ]
        errors += [(r.display_path, r.error) for r in self.files if r.error]
        return errors


def prepare(paths: list[Path], overrides: Optional[dict] = None) -> tuple[Project, list[Path]]:
    """Configuration, the files to check, and the registries (found around and among them)."""
    config: Config = load_config(paths, overrides)
    files = discover(paths, config.root, config.exclude)
    return Project.load(config.with_discovered_registries(files)), files


def load_project(paths: list[Path], overrides: Optional[dict] = None) -> Project:
    return prepare(paths, overrides)[0]


def check_files(
    project: Project,
    files: list[Path],
    select: Optional[tuple[str, ...]] = None,
    ignore: Optional[tuple[str, ...]] = None,
    use_prefilter: bool = True,
) -> RunResult:
    linter = Linter(project, select=select, ignore=ignore, use_prefilter=use_prefilter)
    result = RunResult(project)
    for path in files:
        result.files.append(linter.check_path(path, display_path(path)))
    return result


def check_paths(
    project: Project,
    paths: list[Path],
    select: Optional[tuple[str, ...]] = None,
    ignore: Optional[tuple[str, ...]] = None,
    use_prefilter: bool = True,
) -> RunResult:
    files = discover(paths, project.config.root, project.config.exclude)
    return check_files(project, files, select, ignore, use_prefilter)


def selected_codes(
    project: Project,
    select: Optional[tuple[str, ...]] = None,
    ignore: Optional[tuple[str, ...]] = None,
) -> frozenset[str]:
    """The rule codes a run with these options can report, decided as the linter decides."""
    return frozenset(rule.code for rule in Linter(project, select=select, ignore=ignore).rules)
