"""flake8 adapter: ``flake8 --select ENV`` reports what ``envlint check`` reports.

Deliberately thin: flake8 already decoded and parsed the file, so the adapter
hands that text and ``ast`` tree to the same engine ``envlint check`` uses and
translates findings into flake8's tuples. ``# noqa`` is left to flake8 (so
``--disable-noqa`` keeps working); envlint's own noqa logic mirrors it exactly.
Projects (config + parsed registries) are cached per configuration, so each
flake8 worker parses a registry once, not once per file; per-file results go
through the same ``.envlint_cache/`` as ``envlint check``.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Iterator, Optional

from . import __version__, perfile
from .cache import Cache, content_digest, decode_findings, encode_result
from .codes import check_config_codes
from .config import Config, ConfigError, load_config
from .discovery import is_excluded
from .engine import Linter
from .paths import real_path
from .noqa import file_is_ignored, filter_suppressed
from .project import Project
from .runner import cache_key, open_cache
from .source import size_limit_reason

_LINTERS: dict[Config, Linter] = {}
_BY_DIRECTORY: dict[Path, Linter] = {}
_CACHES: dict[int, Optional[Cache]] = {}


def _cache_for(linter: Linter) -> Optional[Cache]:
    """The project's result cache, shared with ``envlint check`` (None when unusable)."""
    if id(linter) not in _CACHES:
        _CACHES[id(linter)] = open_cache(linter)
    return _CACHES[id(linter)]


def _linter_for(filename: str) -> Linter:
    directory = real_path(filename).parent
    linter = _BY_DIRECTORY.get(directory)
    if linter is None:
        config = load_config([Path(filename)])
        check_config_codes(config)
        linter = _LINTERS.get(config)
        if linter is None:
            # [tool.envlint] select/ignore apply here too, so both front ends agree.
            project = Project.load(config)
            project.summary_cache = True  # the project summary lives in .envlint_cache too
            linter = Linter(project)
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
            path = real_path("stdin.py")
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
        text = "".join(self.lines)
        data = text.encode("utf-8", "surrogatepass")
        if len(data) > config.max_file_size:
            # The same refusal as `envlint check`, so the two agree on what is checked.
            reason = size_limit_reason(f"{len(data):,} bytes", config.max_file_size)
            yield 1, 0, f"ENV000 envlint cannot check this file: {reason}", type(self)
            return
        findings, error = self._findings(linter, path, text, data)
        for finding in perfile.apply(config.per_file_ignores, path, findings):
            yield finding.line, finding.column - 1, f"{finding.code} {finding.message}", type(self)
        if error is not None:
            yield 1, 0, f"ENV000 envlint cannot check this file: {error}", type(self)

    def _findings(self, linter: Linter, path: Path, text: str, data: bytes) -> tuple[list, Optional[str]]:
        """(findings before ``# noqa``, an error) through the shared cache; flake8 applies noqa."""
        cache = _cache_for(linter)
        key = cache_key(linter.project, path, content_digest(data))
        entry = cache.load([key]).get(key) if cache else None
        if entry is not None:
            return decode_findings(entry, self.filename)[0], None
        result = linter.check_text(path, text, self.filename, tree=self.tree, apply_noqa=False)
        if cache is not None and result.error is None:
            # Store what `envlint check` needs too, so the two front ends share entries.
            checked = [] if file_is_ignored(text) else filter_suppressed(result.findings, text, self.tree)
            cache.store([(key, encode_result(result.findings, checked, None, result.parsed))], [])
        return result.findings, result.error
