"""Compute the project summary once per run, and keep it in the result cache.

Which files: the project's own packages (each configured package root under
each source root, e.g. ``python/sglang``), whatever paths a run checks, so a
finding in one file never depends on which other files were named on the
command line. Registry files are left out: raw access belongs there.

How, cheaply: most modules are never parsed. Only the modules whose bytes may
define a wrapper or a key constant are (``evidence.classify``: ``PARSE``);
star imports, package re-exports and plain ``NAME = "KEY"`` constants are read
from the bytes (``SCAN``). A function that only passes its parameter on to a
wrapper of *another* module, in a module that shows no access itself, is not
followed (measured: no such chain in sglang or vLLM).

Cached: the facts of every parsed module and the byte-test outcome of every
other one, by (path, mtime, size), in the same ``.envlint_cache`` as results,
under a fingerprint of envlint, the configuration and the registries. An
unchanged tree is answered from one small cache row (its files are only
stat'ed); a changed file costs its own re-read (and re-parse, if it may define
something). A cold run of the whole project (``envlint check``, the first pass
of ``envlint fix``) does not come here at all: it builds the summary from its
own parse (``runner._two_phases``).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from ..cache import Cache, fingerprint
from ..cache_entries import DamagedEntry
from ..discovery import walk_python_files
from ..modules import module_name
from ..source import SourceError, SourceFile, read_source_bytes
from .evidence import PARSE, SCAN, classify, scanned_facts
from .model import ModuleFacts, ProjectSummary
from .resolve import resolve

if TYPE_CHECKING:
    from ..project import Project

# Two cache rows: a small one (the summary, and a digest of every file's (path, mtime, size))
# that answers an unchanged tree, and the per-file states an incremental update starts from.
_INDEX = "project-summary"
_FILES = "project-summary-files"
# The last record per configuration in this process: a fixer pass, another flake8
# directory or a second Project of the same run re-parses only what changed on disk.
_IN_PROCESS: dict = {}


def summary_files(project: "Project") -> list[str]:
    """The modules the summary covers (as path strings): the project's packages under its
    source roots.

    A run that discovered a directory holding a package root (``envlint check .``)
    already walked it, with the same excludes: its files are reused, not walked again.
    """
    config = project.config
    registries = {spec.path for spec in config.registries}
    names = {path.name for path in registries}
    found: dict[str, None] = {}
    for root in config.src:
        for package in config.package_roots:
            directory = root / package
            if directory.is_dir():
                paths = _discovered_under(project, directory)
                if not paths:
                    paths = [str(p) for p in walk_python_files(directory, config.root, config.exclude)]
                for path in paths:
                    found.setdefault(path, None)
            elif (root / f"{package}.py").is_file():
                found.setdefault(str(root / f"{package}.py"), None)
    return [
        p for p in found if os.path.basename(p) not in names or Path(p).resolve() not in registries
    ]


def _discovered_under(project: "Project", directory: Path) -> Optional[list[str]]:
    """The run's own files under ``directory``, spelt as the walk spells them, when the run
    was given a directory that contains it; None otherwise."""
    hint = project.discovered
    if hint is None:
        return None
    given, files = hint
    real = os.path.realpath(directory)
    found = []
    for spelt, real_given in given:
        if not (real == real_given or real.startswith(real_given + os.sep)):
            continue
        # The walk of a given directory spells every file under it with that prefix.
        prefix, inside = spelt.rstrip(os.sep) + os.sep, real + os.sep
        for path in files:
            text = os.fspath(path)
            if text.startswith(prefix):
                candidate = real_given + os.sep + text[len(prefix):]
                if candidate.startswith(inside):
                    found.append(candidate)
        return found
    return None


def summary_fingerprint(project: "Project") -> str:
    """envlint, the configuration and the registries: what facts and their resolution depend on."""
    if project.summary_key is not None:
        return project.summary_key
    project.summary_key = fingerprint(project.config, list(project.registry_file_bytes), ["summary"])
    return project.summary_key


def build_summary(project: "Project", use_cache: bool = False) -> ProjectSummary:
    key = summary_fingerprint(project)
    cache = None
    if use_cache:
        cache = Cache(project.config.root, key)
        cache = cache if cache.usable else None
    stats = _stat_all(summary_files(project))
    signature = _signature(stats)
    memo = _IN_PROCESS.get(key)
    if memo is not None and memo["signature"] == signature:
        return memo["summary_object"]
    previous = memo["summary_object"] if memo is not None else None
    if cache is not None and previous is None:
        index = cache.load([_INDEX], _valid_index).get(_INDEX)
        if index is not None:
            previous = ProjectSummary.from_json(index["summary"])
            if index["signature"] == signature:
                # An unchanged tree: the small row answers, the per-file states are not read.
                _remember(key, signature, previous, None)
                return previous
    states = memo["files"] if memo is not None else None
    if states is None and cache is not None:
        row = cache.load([_FILES], _valid_states).get(_FILES)
        states = row["files"] if row is not None else None
    builder = _Builder(project, states or {})
    summary = builder.run(stats, previous if states else None)
    _remember(key, signature, summary, builder.states)
    if cache is not None:
        _store(cache, signature, summary, builder.states)
    return summary


def has_record(project: "Project", use_cache: bool) -> bool:
    """Whether an earlier summary of this project exists (in this process or in the cache)."""
    key = summary_fingerprint(project)
    if key in _IN_PROCESS:
        return True
    if not use_cache:
        return False
    cache = Cache(project.config.root, key)
    return cache.usable and bool(cache.load([_INDEX], _valid_index))


def summary_from_states(project: "Project", states: dict[str, dict], use_cache: bool) -> ProjectSummary:
    """The summary of facts a run extracted while checking every summary file itself.

    ``states`` holds, for every file of ``summary_files(project)``, what the
    builder would have recorded: ``{"m": mtime_ns, "s": size, "facts": ...}``.
    It is kept exactly as ``build_summary`` keeps its own.
    """
    key = summary_fingerprint(project)
    summary = resolve(
        ModuleFacts.from_json(state["facts"]) for state in states.values() if state["facts"] is not None
    )
    signature = _signature([(path, state["m"], state["s"]) for path, state in states.items()])
    _remember(key, signature, summary, states)
    if use_cache:
        cache = Cache(project.config.root, key)
        if cache.usable:
            _store(cache, signature, summary, states)
    return summary


def _valid_index(entry: object) -> None:
    """Raise ``DamagedEntry`` unless ``entry`` is a summary row ``_store`` wrote."""
    if not isinstance(entry, dict) or set(entry) != {"signature", "summary"}:
        raise DamagedEntry("not a summary row")
    if not isinstance(entry["signature"], str):
        raise DamagedEntry("signature must be a string")
    try:
        ProjectSummary.from_json(entry["summary"])
    except Exception as error:  # any shape from_json cannot read is damage
        raise DamagedEntry(f"summary: {error!r}") from None


def _valid_states(entry: object) -> None:
    """Raise ``DamagedEntry`` unless ``entry`` holds per-file states as ``_Builder`` keeps them."""
    if not isinstance(entry, dict) or set(entry) != {"files"} or not isinstance(entry["files"], dict):
        raise DamagedEntry("not a summary-files row")
    for path, state in entry["files"].items():
        if not isinstance(state, dict) or set(state) != {"m", "s", "facts"}:
            raise DamagedEntry(f"{path}: not a file state")
        if type(state["m"]) is not int or type(state["s"]) is not int:
            raise DamagedEntry(f"{path}: mtime and size must be integers")
        if state["facts"] is not None:
            try:
                ModuleFacts.from_json(state["facts"])
            except Exception as error:
                raise DamagedEntry(f"{path}: facts: {error!r}") from None


def _stat_all(paths: list[str]) -> list[tuple[str, int, int]]:
    found = []
    for path in paths:
        try:
            stat = os.stat(path)
        except OSError:
            continue
        found.append((path, stat.st_mtime_ns, stat.st_size))
    return found


def _signature(stats) -> str:
    """One digest of every summary file's (path, mtime, size): equal means nothing changed."""
    digest = hashlib.sha256()
    for path, mtime, size in sorted(stats):
        digest.update(f"{path}\0{mtime}\0{size}\n".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def _remember(key: str, signature: str, summary: ProjectSummary, states: Optional[dict]) -> None:
    _IN_PROCESS.clear()  # one project at a time is what a process works on
    _IN_PROCESS[key] = {"signature": signature, "summary_object": summary, "files": states}


def _store(cache: Cache, signature: str, summary: ProjectSummary, states: dict) -> None:
    cache.store(
        [
            (_INDEX, {"signature": signature, "summary": summary.to_json()}),
            (_FILES, {"files": states}),
        ],
        [],
    )


class _Builder:
    def __init__(self, project: "Project", states: dict[str, dict]):
        self.project = project
        self.old = states
        self.states: dict[str, dict] = {}

    def run(self, stats: list[tuple[str, int, int]], summary: Optional[ProjectSummary] = None) -> ProjectSummary:
        """The summary of the files in ``stats``; ``summary``: the one the old states gave,
        reused when every changed file states the same facts as before (an edit that
        touched no wrapper and no constant: the common case)."""
        same_facts = summary is not None and len(stats) == len(self.old)
        for key, mtime, size in stats:
            previous = self.old.get(key)
            if previous and previous["m"] == mtime and previous["s"] == size:
                self.states[key] = previous
                continue
            path = Path(key)
            data = _read(path, self.project.config.max_file_size)
            state = {"m": mtime, "s": size, "facts": None}
            kind = classify(self.project, path, data) if data is not None else None
            if kind == PARSE:
                state["facts"] = self._extract(path, data)
            elif kind == SCAN:
                module = module_name(path, self.project.config.src)
                state["facts"] = scanned_facts(self.project, data, module, path.name == "__init__.py").to_json()
            self.states[key] = state
            same_facts = same_facts and previous is not None and previous["facts"] == state["facts"]
        if same_facts:
            return summary
        return resolve(
            ModuleFacts.from_json(state["facts"]) for state in self.states.values() if state["facts"] is not None
        )

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


def _read(path: Path, limit: int) -> Optional[bytes]:
    """A summary file's bytes through the checker's safe reader (regular files, the size
    limit); None when it cannot be read (the check reports it)."""
    try:
        return read_source_bytes(path, limit)
    except SourceError:
        return None
