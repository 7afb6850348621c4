"""Compute the project summary once per run, and keep it in the result cache.

Which files: the project's own packages (each configured package root under
each source root, e.g. ``python/sglang``), whatever paths a run checks, so a
finding in one file never depends on which other files were named on the
command line. Registry files are left out: raw access belongs there.

How, cheaply: most modules are never parsed. Round one parses the modules
whose bytes may define a wrapper or a key constant (``evidence.definition_pattern``);
each later round parses the modules that mention, as a word, the name of a
wrapper or constant found so far (a caller passing its parameter on, a package
re-exporting it), until no new name appears.

Cached: the facts of every parsed module and the byte-test outcome of every
other one, by (path, mtime, size), in the same ``.envlint_cache`` as results,
under a fingerprint of envlint, the configuration and the registries. An
unchanged tree is answered from one cache entry; a changed file costs its own
re-parse (plus one pass over the bytes of unparsed files when the set of
wrapper/constant names changes).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from ..cache import Cache, fingerprint
from ..discovery import walk_python_files
from ..modules import module_name
from ..source import SourceError, SourceFile
from .evidence import PARSE, SCAN, classify, scanned_facts
from .model import ModuleFacts, ProjectSummary
from .resolve import resolve

if TYPE_CHECKING:
    from ..project import Project

_KEY = "project-summary"
# The last record per configuration in this process: a fixer pass, another flake8
# directory or a second Project of the same run re-parses only what changed on disk.
_IN_PROCESS: dict = {}


def summary_files(project: "Project") -> list[Path]:
    """The modules the summary covers: the project's packages under its source roots."""
    config = project.config
    registries = {spec.path for spec in config.registries}
    names = {path.name for path in registries}
    found: dict[Path, None] = {}
    for root in config.src:
        for package in config.package_roots:
            directory = root / package
            if directory.is_dir():
                for path in walk_python_files(directory, config.root, config.exclude):
                    found.setdefault(path, None)
            elif (root / f"{package}.py").is_file():
                found.setdefault(root / f"{package}.py", None)
    return [p for p in found if p.name not in names or p.resolve() not in registries]


def summary_fingerprint(project: "Project") -> str:
    """envlint, the configuration and the registries: what facts and their resolution depend on."""
    contents = []
    for spec in project.config.registries:
        try:
            contents.append(spec.path.read_bytes())
        except OSError:
            contents.append(b"")
    return fingerprint(project.config, contents, ["summary"])


def build_summary(project: "Project", use_cache: bool = False) -> ProjectSummary:
    key = summary_fingerprint(project)
    record = _IN_PROCESS.get(key)
    cache = None
    if use_cache:
        cache = Cache(project.config.root, key)
        cache = cache if cache.usable else None
    from_cache = False
    if record is None and cache is not None:
        record = cache.load([_KEY]).get(_KEY)
        from_cache = record is not None
    builder = _Builder(project, record)
    summary = builder.run()
    stored = builder.record(summary) if builder.changed or key not in _IN_PROCESS else None
    if stored is not None:
        _IN_PROCESS.clear()  # one project at a time is what a process works on
        _IN_PROCESS[key] = stored
    if cache is not None and (builder.changed or not from_cache):
        cache.store([(_KEY, stored or builder.record(summary))], [])
    return summary


def has_record(project: "Project", use_cache: bool) -> bool:
    """Whether an earlier summary of this project exists (in this process or in the cache)."""
    key = summary_fingerprint(project)
    if key in _IN_PROCESS:
        return True
    if not use_cache:
        return False
    cache = Cache(project.config.root, key)
    return cache.usable and bool(cache.load([_KEY]))


def summary_from_states(project: "Project", states: dict[str, dict], use_cache: bool) -> ProjectSummary:
    """The summary of facts a run extracted while checking every summary file itself.

    ``states`` holds, for every file of ``summary_files(project)``, what the
    builder would have recorded: ``{"m": mtime_ns, "s": size, "facts": ...}``.
    The record is kept exactly as ``build_summary`` keeps its own.
    """
    key = summary_fingerprint(project)
    summary = resolve(
        ModuleFacts.from_json(state["facts"]) for state in states.values() if state["facts"] is not None
    )
    record = {"files": states, "summary": summary.to_json()}
    _IN_PROCESS.clear()
    _IN_PROCESS[key] = record
    if use_cache:
        cache = Cache(project.config.root, key)
        if cache.usable:
            cache.store([(_KEY, record)], [])
    return summary


class _Builder:
    def __init__(self, project: "Project", record: Optional[dict]):
        self.project = project
        self.old = record or {"files": {}, "summary": None}
        self.states: dict[str, dict] = {}
        self.changed = record is None

    def run(self) -> ProjectSummary:
        old_files = self.old["files"]
        dirty = []
        for path in summary_files(self.project):
            try:
                stat = os.stat(path)
            except OSError:
                continue
            key = str(path)
            previous = old_files.get(key)
            if previous and previous["m"] == stat.st_mtime_ns and previous["s"] == stat.st_size:
                self.states[key] = previous
            else:
                dirty.append((path, stat))
        if not dirty and self.old["summary"] is not None and len(self.states) == len(old_files):
            return ProjectSummary.from_json(self.old["summary"])
        self.changed = True
        for path, stat in dirty:
            data = _read(path)
            state = {"m": stat.st_mtime_ns, "s": stat.st_size, "facts": None}
            kind = classify(self.project, path, data) if data is not None else None
            if kind == PARSE:
                state["facts"] = self._extract(path, data)
            elif kind == SCAN:
                module = module_name(path, self.project.config.src)
                state["facts"] = scanned_facts(self.project, data, module, path.name == "__init__.py").to_json()
            self.states[str(path)] = state
        return self._resolve()

    def _resolve(self) -> ProjectSummary:
        facts = [
            ModuleFacts.from_json(state["facts"])
            for state in self.states.values()
            if state["facts"] is not None
        ]
        return resolve(facts)

    def _extract(self, path: Path, data: bytes) -> Optional[dict]:
        from ..context import FileContext
        from ..registry import parse_source

        module = module_name(path, self.project.config.src)
        try:
            source = SourceFile.from_bytes(path, data)
            tree = parse_source(source, path)
        except (SourceError, RecursionError, MemoryError):
            return None  # the check reports it
        facts = FileContext(self.project, source, tree, str(path), module, None).module_facts()
        return facts.to_json() if facts is not None else None

    def record(self, summary: ProjectSummary) -> dict:
        return {"files": self.states, "summary": summary.to_json()}


def _read(path: Path) -> Optional[bytes]:
    try:
        return path.read_bytes()
    except OSError:
        return None
