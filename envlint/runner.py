"""A whole run: configuration, discovery, checking every file, collecting results.

Kept apart from the CLI so that ``check``, ``fix`` and the benchmarks share one
code path, and apart from the engine so the engine stays about one file. This
is where the run-level speed lives: the result cache and the worker processes.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from . import perfile
from .cache import Cache, content_digest, decode_findings, encode_result, fingerprint, result_key
from .config import Config, load_config
from .discovery import discover, display_path
from .engine import FileResult, Linter
from .findings import Finding
from .journal import recover
from .modules import module_name
from .paths import real_path
from .project import Project
from .source import SourceError, read_source_bytes

# Below this many files a worker pool costs more than it saves.
PARALLEL_THRESHOLD = 64


@dataclass
class RunResult:
    project: Project
    files: list[FileResult] = field(default_factory=list)
    cached: int = 0  # files answered from the cache

    @property
    def findings(self) -> list[Finding]:
        return sorted(f for result in self.files for f in result.findings)

    @property
    def errors(self) -> list[tuple[str, str]]:
        """One line per broken file: a registry that is also checked is reported once."""
        checked = {real_path(r.path) for r in self.files if r.error}
        errors = [
            (display_path(path), reason)
            for path, reason in self.project.load_errors
            if real_path(path) not in checked
        ]
        errors += [(display_path(path), reason) for path, reason in self.project.discovery_errors]
        errors += [(r.display_path, r.error) for r in self.files if r.error]
        return errors


def prepare(paths: list[Path], overrides: Optional[dict] = None) -> tuple[Project, list[Path]]:
    """Configuration, the files to check, and the registries (found around and among them).

    A fix killed in this project is completed or rolled back first
    (``envlint.journal``), before any file is read: what is checked is then
    the project as it was or fully fixed, never half of each.
    """
    from .codes import check_config_codes

    config: Config = load_config(paths, overrides)
    check_config_codes(config)
    recovery = recover(config.root)
    for note in recovery.notes:
        print(f"envlint: note: {note}", file=sys.stderr)
    unreadable: list[tuple[Path, str]] = []
    files = discover(paths, config.root, config.exclude, unreadable)
    project = Project.load(config.with_discovered_registries(files))
    project.discovery_errors = unreadable
    project.load_errors.extend((config.root / path, reason) for path, reason in recovery.errors)
    given = [(os.fspath(p), os.path.realpath(p)) for p in paths if Path(p).is_dir()]
    project.discovered = (given, files)
    return project, files


def load_project(paths: list[Path], overrides: Optional[dict] = None) -> Project:
    return prepare(paths, overrides)[0]


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def cache_key(project: Project, path: Path, digest: str) -> str:
    """The result-cache key of a file with this content digest.

    A registry file's findings also depend on inputs outside it: the review
    base (``--diff-base``, ``--registry-base``) and the CLI flag sources
    (ENV016). Their digest is mixed into registry files' keys only, so a new
    base or an edited ``server_args.py`` re-checks the registries and nothing else.
    """
    key = result_key(module_name(path, project.config.src), digest)
    specs = project.config.registries
    if any(spec.path.name == path.name for spec in specs) and any(
        spec.path == path.resolve() for spec in specs
    ):
        key += ":" + project.review_inputs_digest
    return key


# -- workers ------------------------------------------------------------------------------

_WORKER_LINTER: Optional[Linter] = None
_WORKER_SUMMARY_FILES: frozenset = frozenset()  # a cold run's first phase: the summary's files
_WORKER_CACHE: Optional[tuple[Path, str]] = None  # (project root, fingerprint) when caching
_WORKER_CONTENTS: dict = {}  # fix's later passes: the files' contents, rewritten in memory
# Per process and run: a connection must not cross a fork, nor a fingerprint a run.
_OPEN_CACHE: dict[tuple, Optional[Cache]] = {}


def _init_worker(config: Config, select, ignore, use_prefilter: bool, cache) -> None:
    """Spawned workers (non-fork platforms) build their own linter once."""
    global _WORKER_LINTER, _WORKER_CACHE
    _WORKER_LINTER = Linter(Project.load(config), select, ignore, use_prefilter)
    _WORKER_CACHE = cache


def _worker_cache() -> Optional[Cache]:
    if _WORKER_CACHE is None:
        return None
    key = (os.getpid(), *_WORKER_CACHE)
    if key not in _OPEN_CACHE:
        cache = Cache(*_WORKER_CACHE)
        _OPEN_CACHE[key] = cache if cache.usable else None
    return _OPEN_CACHE[key]


def _phase_one(path: Path):
    """A cold run's first phase: check a file with no other module's facts, extract the
    facts of a module that may define wrappers or key constants, and note what a file that
    shows environment use imports (the only way it can reach another module's facts)."""
    linter = _WORKER_LINTER
    try:
        stat = os.stat(path)
        data = read_source_bytes(path, linter.project.config.max_file_size)
    except OSError as exc:
        error = FileResult(path, display_path(path), error=f"cannot read: {exc.strerror or exc}")
        return error, None, False, None, None
    except SourceError as exc:
        return FileResult(path, display_path(path), error=str(exc)), None, False, None, None
    from .summaries.evidence import classify, imported_names, scanned_facts

    project = linter.project
    state = {"m": stat.st_mtime_ns, "s": stat.st_size, "facts": None}
    module = module_name(path, project.config.src)
    is_package = path.name == "__init__.py"
    present: dict = {}
    rules = linter.active_rules(path, data, present)
    evidence = linter.evidence(data, present)
    kind = classify(project, path, data, evidence) if path in _WORKER_SUMMARY_FILES else None
    if kind == "scan":
        state["facts"] = scanned_facts(project, data, module, is_package).to_json()
    result = linter.check_bytes(path, data, display_path(path), facts=kind == "parse", rules=rules)
    if kind == "parse":
        state["facts"] = result.facts
    imports = imported_names(data, module, is_package) if evidence else None
    return result, content_digest(data), False, state, imports


def _check_one(path: Path) -> tuple[FileResult, Optional[str], bool]:
    """(result, content digest, whether it came from the cache) for one file."""
    linter = _WORKER_LINTER
    try:
        data = read_source_bytes(path, linter.project.config.max_file_size)
    except SourceError as exc:
        return FileResult(path, display_path(path), error=str(exc)), None, False
    digest = content_digest(data)
    cache = _worker_cache()
    if cache is not None:
        # Same content, same module: an entry `envlint check` or flake8 stored before.
        key = cache_key(linter.project, path, digest)
        entry = cache.load([key]).get(key)
        if entry is not None:
            return _from_cache(path, entry), digest, True
    return linter.check_bytes(path, data, display_path(path)), digest, False


def check_in_parallel(
    linter: Linter,
    files: list[Path],
    jobs: int,
    cache: Optional[tuple[Path, str]] = None,
    progress: Optional[Callable[[int, int], None]] = None,
    task: Callable = _check_one,
) -> list:
    """``task`` (``_check_one``) over ``files``, in ``jobs`` processes when that pays off."""
    global _WORKER_LINTER, _WORKER_CACHE
    _WORKER_LINTER, _WORKER_CACHE = linter, cache
    report = progress or (lambda done, total: None)
    if jobs <= 1 or len(files) < PARALLEL_THRESHOLD:
        results = []
        for index, path in enumerate(files):
            results.append(task(path))
            report(index + 1, len(files))
        return results
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods:
        # Workers inherit the parent's linter (parsed registries included) for free.
        context, initializer, arguments = multiprocessing.get_context("fork"), None, ()
    else:  # pragma: no cover - macOS/Windows
        context = multiprocessing.get_context("spawn")
        initializer = _init_worker
        arguments = (linter.project.config, linter.select, linter.ignore, linter.use_prefilter, cache)
    chunk = max(1, min(64, len(files) // (jobs * 8)))
    results = []
    with context.Pool(jobs, initializer, arguments) as pool:
        for index, outcome in enumerate(pool.imap(task, files, chunksize=chunk)):
            results.append(outcome)
            report(index + 1, len(files))
    return results


# -- a run --------------------------------------------------------------------------------


def open_cache(linter: Linter) -> Optional[Cache]:
    """The project's result cache for this linter's rules, or None when unusable.

    ``envlint check`` and the flake8 adapter both open it here, so the two
    compute the same fingerprint and share entries. The project summary is
    part of it: a wrapper or key constant changed in one module changes what
    other modules' findings are, so their stored results must not be reused.
    """
    project = linter.project
    codes = [rule.code for rule in linter.rules] + [str(linter.use_prefilter)]
    if linter.uses_summary:
        codes.append(project.summary.digest)
    cache = Cache(project.config.root, fingerprint(project.config, list(project.registry_file_bytes), codes))
    return cache if cache.usable else None


def check_files(
    project: Project,
    files: list[Path],
    select: Optional[tuple[str, ...]] = None,
    ignore: Optional[tuple[str, ...]] = None,
    use_prefilter: bool = True,
    jobs: int = 1,
    use_cache: bool = False,
    progress: Optional[Callable[[int, int], None]] = None,
) -> RunResult:
    linter = Linter(project, select=select, ignore=ignore, use_prefilter=use_prefilter)
    result = RunResult(project)
    config = project.config
    project.summary_cache = project.summary_cache or use_cache
    summary_files = _cold_summary_files(linter, files, use_cache)
    if summary_files is not None:
        fresh = _two_phases(linter, files, summary_files, jobs, use_cache, progress)
        cache = open_cache(linter) if use_cache else None
        if cache is not None:
            new = [(r, digest) for r, digest, _ in fresh if digest is not None and r.error is None]
            cache.store(
                [(result_key(module_name(r.path, config.src), d), _to_cache(r)) for r, d in new],
                [(r.path, d) for r, d in new],
            )
        by_path = {r.path: r for r, _, _ in fresh}
        result.files = [by_path[path] for path in files]
        return result
    cache = open_cache(linter) if use_cache else None
    answered: dict[Path, FileResult] = {}
    if cache is not None:
        # Unchanged files (same path, mtime, size) are answered without being read.
        digests = cache.known_digests(files)
        keys = {path: cache_key(project, path, d) for path, d in digests.items()}
        stored = cache.load(list(keys.values()))
        answered = {path: _from_cache(path, stored[key]) for path, key in keys.items() if key in stored}
    todo = [path for path in files if path not in answered]
    fresh = check_in_parallel(
        linter, todo, jobs, (config.root, cache.fingerprint) if cache is not None else None, progress
    )
    result.cached = len(answered) + sum(hit for _, _, hit in fresh)
    if cache is not None:
        new = [(r, digest) for r, digest, _ in fresh if digest is not None and r.error is None]
        cache.store(
            [(cache_key(project, r.path, digest), _to_cache(r)) for r, digest in new],
            [(r.path, digest) for r, digest in new],
        )
    by_path = {**answered, **{r.path: r for r, _, _ in fresh}}
    result.files = [by_path[path] for path in files]
    if config.per_file_ignores:  # after caching: the cache is shared between paths
        for checked in result.files:
            checked.findings = perfile.apply(config.per_file_ignores, checked.path, checked.findings)
    return result


def check_fresh(
    linter: Linter, files: list[Path], jobs: int, progress: Optional[Callable[[int, int], None]] = None
) -> list:
    """Every file checked from its bytes, without the result cache (``envlint fix``'s first
    pass): ``check_in_parallel``'s results, and on a cold project the summary comes from the
    same parse (``_two_phases``) instead of a build of its own."""
    summary_files = _cold_summary_files(linter, files, use_cache=False)
    if summary_files is not None:
        return _two_phases(linter, files, summary_files, jobs, False, progress)
    return check_in_parallel(linter, files, jobs, progress=progress)


def _check_content(path: Path) -> FileResult:
    return _WORKER_LINTER.check_bytes(path, _WORKER_CONTENTS[path], display_path(path))


def check_contents(linter: Linter, contents: dict[Path, bytes], jobs: int) -> list[FileResult]:
    """Check files whose contents are in memory (``envlint fix``'s later passes), in the
    order of ``contents``; in forked workers when there are enough of them.

    Forked workers inherit the contents and the project summary, which is built here
    first so that each worker does not build its own. Without ``fork`` the files are
    checked in this process (spawned workers would need every content pickled).
    """
    global _WORKER_CONTENTS
    paths = list(contents)
    if jobs <= 1 or len(paths) < PARALLEL_THRESHOLD or "fork" not in multiprocessing.get_all_start_methods():
        return [linter.check_bytes(path, contents[path], display_path(path)) for path in paths]
    if linter.uses_summary:
        _ = linter.project.summary  # built once, before the workers fork
    _WORKER_CONTENTS = contents
    try:
        return check_in_parallel(linter, paths, jobs, task=_check_content)
    finally:
        _WORKER_CONTENTS = {}


def _cold_summary_files(linter: Linter, files: list[Path], use_cache: bool) -> Optional[list[Path]]:
    """The summary's files when this run should build the summary from its own parse.

    That is a cold run (no summary of this project in the process or the cache)
    that checks every file the summary covers and enough files to be worth it;
    anything else builds (or loads) the summary on its own (``Project.summary``).
    """
    from .summaries.build import has_record, summary_files

    project = linter.project
    if project.has_summary or not linter.uses_summary or len(files) < PARALLEL_THRESHOLD:
        return None
    if has_record(project, use_cache):
        return None
    covered = set(summary_files(project))
    found = [path for path in files if _real(path) in covered]
    return found if len(found) == len(covered) else None


def _real(path: Path) -> str:
    """``path`` with its directory resolved (symlinks, ``..``), as summary files are spelt."""
    directory, name = os.path.split(os.fspath(path))
    return os.path.join(_real_directory(directory), name)


@functools.lru_cache(maxsize=4096)
def _real_directory(directory: str) -> str:
    return os.path.realpath(directory or ".")


def _two_phases(linter, files, covered, jobs, use_cache, progress):
    """Check a cold tree, parsing each file once although findings need the summary first.

    Phase one checks every file with no other module's facts (an empty
    summary), extracts the facts of the modules that may define a wrapper or
    a key constant, and notes what each file showing environment use
    imports. Then the summary is resolved. Phase two re-checks only the files
    that import, by name, through their module or with a star, a wrapper or
    key constant another module defines: a file reaches another module's
    facts only that way (its own wrappers and constants it resolves itself,
    and without any access or owned token nothing is looked up at all).
    """
    global _WORKER_SUMMARY_FILES
    from .summaries.build import summary_from_states
    from .summaries.model import ProjectSummary

    project = linter.project
    total = len(files)
    report = progress or (lambda done, total: None)
    project.adopt_summary(ProjectSummary())
    linter.summary_changed()
    _WORKER_SUMMARY_FILES = frozenset(covered)
    try:
        first = check_in_parallel(linter, files, jobs, None, lambda done, _: report(done, total), task=_phase_one)
    finally:
        _WORKER_SUMMARY_FILES = frozenset()
    seen = {path: outcome[3] for path, outcome in zip(files, first)}
    states = {_real(path): seen[path] for path in covered if seen.get(path) is not None}
    summary = summary_from_states(project, states, use_cache)
    project.adopt_summary(summary)
    linter.summary_changed()
    results = {path: outcome[:3] for path, outcome in zip(files, first)}
    reachable = _reachable(summary, states)
    again = [
        path
        for path, outcome in zip(files, first)
        if outcome[4] and outcome[0].error is None and _imports_foreign(path, outcome[4], reachable, project)
    ]
    if again:
        second = check_in_parallel(linter, again, jobs, None, None)
        results.update(zip(again, second))
    return [results[path] for path in files]


def _reachable(summary, states: dict) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """What imports lead to another module's wrappers and constants.

    (strong, weak): ``strong`` maps the defining module, and every name below it
    (``mod.f``, ``mod.C``, ``mod.C.attr``), to the defining modules; ``weak`` maps a
    package above a defining module to the last names defined below it: importing
    ``sglang`` reaches ``sglang.srt.x.KEY`` only by spelling ``KEY``.
    """
    modules = {state["facts"]["module"] for state in states.values() if state.get("facts")}
    strong: dict[str, set[str]] = {}
    weak: dict[str, set[str]] = {}
    for qualified in (*summary.wrappers, *summary.constants):
        parts = qualified.split(".")
        owner = next(
            (".".join(parts[:cut]) for cut in range(len(parts) - 1, 0, -1) if ".".join(parts[:cut]) in modules),
            ".".join(parts[:-1]),
        )
        depth = owner.count(".") + 1
        for cut in range(1, len(parts) + 1):
            prefix = ".".join(parts[:cut])
            if cut >= depth:
                strong.setdefault(prefix, set()).add(owner)
            else:
                weak.setdefault(prefix, set()).add(parts[-1])
    return strong, weak


def _imports_foreign(path: Path, imports: frozenset, reachable: tuple, project) -> bool:
    """Whether one of the file's imports leads to another module's wrapper or constant:
    ``from m import f``, ``import m`` then ``m.f``, ``from m import C`` then ``C.attr``,
    ``from m import *``; or a package above ``m`` and the name spelt in the file."""
    from .summaries.evidence import names_pattern

    strong, weak = reachable
    module = module_name(path, project.config.src)
    names: set[str] = set()
    for target in imports:
        target = target[:-2] if target.endswith(".*") else target
        owners = strong.get(target)
        if owners and any(owner != module and not owner.startswith(module + ".") for owner in owners):
            return True
        names |= weak.get(target, set())
    if not names:
        return False
    try:
        data = path.read_bytes()
    except OSError:
        return True
    return names_pattern(names).search(data) is not None


def _to_cache(result: FileResult) -> dict:
    return encode_result(result.raw_findings, result.findings, result.error, result.parsed)


def _from_cache(path: Path, entry: dict) -> FileResult:
    display = display_path(path)
    result = FileResult(path, display, parsed=entry["parsed"])
    result.raw_findings, result.findings = decode_findings(entry, display)
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


# -- registry review ------------------------------------------------------------------------


def with_review(project: Project, base) -> Project:
    """The project compared with ``base`` (a ``review.base.ReviewBase``); registries are not re-parsed."""
    from dataclasses import replace

    return replace(project, config=replace(project.config, review=base), _changes={})


def change_codes() -> frozenset[str]:
    """Codes of the rules about a change (they need a base; ``--diff-base`` keeps all their findings)."""
    from .rules import ALL_RULES

    return frozenset(rule.code for rule in ALL_RULES if rule.about_change)


def changelog(project: Project):
    """Every registry's changes against the project's review base, or None without one."""
    from .review.changes import Changelog

    base = project.config.review
    if base is None:
        return None
    found = [project.registry_changes(r) for r in project.registries]
    return Changelog(base.description, [c for c in found if c is not None])
