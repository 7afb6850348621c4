"""flake8 adapter: ``flake8 --select ENV`` reports what ``envlint check`` reports.

Deliberately thin: flake8 already decoded and parsed the file, so the adapter
hands that text and ``ast`` tree to the same engine ``envlint check`` uses and
translates findings into flake8's tuples. ``# noqa`` is left to flake8 (so
``--disable-noqa`` keeps working); envlint's own noqa logic mirrors it exactly.
Projects (config + parsed registries) are cached per configuration, so each
flake8 worker parses a registry once, not once per file.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Iterator

from . import __version__
from .config import Config, ConfigError, load_config
from .discovery import is_excluded
from .engine import Linter
from .project import Project

_LINTERS: dict[Config, Linter] = {}
_BY_DIRECTORY: dict[Path, Linter] = {}


def _linter_for(filename: str) -> Linter:
    directory = Path(filename).resolve().parent
    linter = _BY_DIRECTORY.get(directory)
    if linter is None:
        config = load_config([Path(filename)])
        linter = _LINTERS.get(config)
        if linter is None:
            # [tool.envlint] select/ignore apply here too, so both front ends agree.
            linter = Linter(Project.load(config))
            _LINTERS[config] = linter
        _BY_DIRECTORY[directory] = linter
    return linter


class EnvlintChecker:
    name = "envlint"
    version = __version__

    def __init__(self, tree: ast.Module, filename: str, lines: list[str]):
        self.tree = tree
        self.filename = filename
        self.lines = lines

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        if self.filename in ("-", "stdin"):
            path = Path("stdin.py").resolve()
        else:
            path = Path(self.filename)
        try:
            linter = _linter_for(str(path))
        except ConfigError as exc:
            yield 1, 0, f"ENV000 envlint configuration error: {exc}", type(self)
            return
        config = linter.project.config
        if is_excluded(path, config.root, config.exclude):
            return
        result = linter.check_text(
            path, "".join(self.lines), self.filename, tree=self.tree, apply_noqa=False
        )
        for finding in result.findings:
            yield finding.line, finding.column - 1, f"{finding.code} {finding.message}", type(self)
