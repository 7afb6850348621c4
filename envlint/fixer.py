"""``envlint fix``: apply the fixes that findings carry, and never leave a file broken.

The run is a loop of passes over in-memory text (nothing touches the disk until
the end):

1. check the files; keep the fixes the user allowed (safe, or unsafe too);
2. resolve cross-file needs: a new key several files read is added to the
   registry once; conflicting implied types block it; renames move as a group;
3. rewrite the registry files first (their edits are what call sites depend
   on), then every other file: text edits that do not overlap, then imports
   through LibCST, then a compile check — a file whose result would not compile
   is left exactly as it was and reported;
4. re-check what changed; stop when a pass changes nothing.

Writes are atomic (``envlint.atomic``) and keep permissions, encoding, BOM and
line endings.
"""

from __future__ import annotations

import ast
import difflib
import multiprocessing
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from .atomic import atomic_write
from .config import Config
from .discovery import discover, display_path
from .engine import FileResult, Linter
from .findings import Edit, Finding, Fix, RegistryEdit
from .fixes.imports import update_imports
from .fixes.inversion import InversionPlanner
from .fixes.registry_edits import RegistryEditError, add_field_edits, deprecation_edit
from .fixes.renames import RenamePlanner
from .report import format_counts
from .modules import module_name
from .project import Project
from .runner import check_fresh
from .source import SourceError, SourceFile

MAX_PASSES = 6
# Below this many files to rewrite, worker processes cost more than they save.
PARALLEL_REWRITE_THRESHOLD = 8


@dataclass
class FileChange:
    path: Path
    display: str
    original: SourceFile
    text: str

    def diff(self) -> str:
        before = self.original.text.splitlines(keepends=True)
        after = self.text.splitlines(keepends=True)
        return "".join(
            difflib.unified_diff(before, after, f"a/{self.display}", f"b/{self.display}")
        )


@dataclass
class FixReport:
    changes: dict[Path, FileChange] = field(default_factory=dict)
    applied: Counter = field(default_factory=Counter)
    remaining: list[Finding] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

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


class Fixer:
    def __init__(
        self,
        config: Config,
        files: list[Path],
        select: Optional[tuple[str, ...]] = None,
        ignore: Optional[tuple[str, ...]] = None,
        unsafe: bool = False,
        progress: Optional[Callable[[int, int], None]] = None,
        jobs: int = 1,
    ):
        self.config = config
        self.files = [path.resolve() for path in files]
        self.select = select
        self.ignore = ignore
        self.unsafe = unsafe
        self.progress = progress
        self.jobs = jobs
        self.report = FixReport()
        self._contents: dict[Path, bytes] = {}
        self._sources: dict[Path, SourceFile] = {}
        self._internal: set[int] = set()  # use-site findings the fixer made, not rules
        self._added_keys: set[str] = set()  # keys registered by the current pass
        self._import_index: Optional[dict[bytes, set[bytes]]] = None
        self._all_files: Optional[list[Path]] = None

    # -- driver ----------------------------------------------------------------------------

    def run(self) -> FixReport:
        targets = list(self.files)
        results: dict[Path, FileResult] = {}
        project = Project.load(self.config)
        for error_path, reason in project.load_errors:
            self.report.errors.append((display_path(error_path), reason))
        for pass_number in range(MAX_PASSES):
            linter = Linter(project, select=self.select, ignore=self.ignore)
            if pass_number == 0:
                # Nothing rewritten yet: the files on disk are the input, checked in parallel.
                for result, _, _ in check_fresh(linter, targets, self.jobs, self.progress):
                    results[result.path] = result
            else:
                for path in targets:
                    results[path] = linter.check_bytes(path, self._data(path), display_path(path))
            changed = self._pass(project, results)
            if not changed:
                break
            project = Project.load(self.config, self._contents)
            # Files that mention a key this pass registered may have a fix now.
            mentions = {
                path
                for path in self.files
                if self._added_keys and any(key.encode() in self._data(path) for key in self._added_keys)
            }
            self._added_keys = set()
            targets = sorted(
                changed | mentions | {s.path for s in self.config.registries if s.path in results}
            )
        self.report.remaining = sorted(f for r in results.values() for f in r.findings)
        self.report.errors.extend((r.display_path, r.error) for r in results.values() if r.error)
        return self.report

    def _data(self, path: Path) -> bytes:
        data = self._contents.get(path)
        return data if data is not None else path.read_bytes()

    def _allowed(self, fix: Optional[Fix]) -> bool:
        return fix is not None and (fix.is_safe or self.unsafe)

    # -- one pass ----------------------------------------------------------------------------

    def _pass(self, project: Project, results: dict[Path, FileResult]) -> set[Path]:
        chosen: dict[Path, list[Finding]] = {}
        for path, result in results.items():
            fixes = [f for f in result.findings if self._allowed(f.fix)]
            if fixes:
                chosen[path] = fixes
        if not chosen:
            return set()
        blocked = self._resolve_new_fields(chosen)
        renames = RenamePlanner(project, chosen, self._data, self._project_files)
        blocked |= renames.blocked_edits()
        inversions = InversionPlanner(project, set(self.files), chosen, self._data, self._project_files)
        blocked_inversions, uses = inversions.plan()
        blocked |= blocked_inversions
        for path, found in uses.items():
            # Use-site edits carry the flag's "invert-flag" registry edit: they are
            # applied only if the definition itself is rewritten.
            chosen.setdefault(path, []).extend(found)
            self._internal.update(id(f) for f in found)
        for note in renames.notes + inversions.notes:
            if note not in self.report.notes:
                self.report.notes.append(note)

        def usable(finding: Finding) -> bool:
            return not any(edit in blocked for edit in finding.fix.registry_edits)

        # Decide overlaps now: a registry edit is requested only by fixes that will
        # really be applied (a key is not registered for a rewrite that never happens).
        for path, findings in list(chosen.items()):
            placed = place_edits(self._source(path), [f for f in findings if usable(f)])
            chosen[path] = placed[0] if placed else []

        registry_specs = {spec.path: spec for spec in self.config.registries}
        registry_requests: dict[Path, list[RegistryEdit]] = {}
        for findings in chosen.values():
            for finding in findings:
                if usable(finding):
                    for edit in finding.fix.registry_edits:
                        registry_requests.setdefault(Path(edit.registry_path), []).append(edit)
        changed: set[Path] = set()
        failed_registries: set[str] = set()
        # Registries first: call sites depend on what they add.
        for path, spec in registry_specs.items():
            requests = list(dict.fromkeys(registry_requests.get(path, [])))
            own = [f for f in chosen.get(path, []) if usable(f)]
            if not requests and not own:
                continue
            registry = next((r for r in project.registries if r.path == path), None)
            try:
                extra = self._registry_edits(path, registry, requests)
            except (RegistryEditError, SourceError) as exc:
                failed_registries.add(str(path))
                self.report.notes.append(f"{display_path(path)}: {exc}")
                continue
            if self._rewrite(path, own, extra, spec.module):
                changed.add(path)
                self._added_keys |= {r.name for r in requests if r.kind == "add-field"}
            elif requests:
                failed_registries.add(str(path))
        jobs = []
        for path, findings in chosen.items():
            if path in registry_specs:
                continue
            findings = [
                f for f in findings
                if usable(f) and not any(e.registry_path in failed_registries for e in f.fix.registry_edits)
            ]
            if findings:
                jobs.append((path, findings, module_name(path, self.config.src)))
        return changed | self._rewrite_many(jobs)

    def _resolve_new_fields(self, chosen: dict[Path, list[Finding]]) -> set[RegistryEdit]:
        """A new key is added once; call sites implying different descriptors block it."""
        implied: dict[tuple[str, str], set[RegistryEdit]] = {}
        for findings in chosen.values():
            for finding in findings:
                for edit in finding.fix.registry_edits:
                    if edit.kind == "add-field":
                        implied.setdefault((edit.registry_path, edit.name), set()).add(edit)
        blocked = set()
        for (_, name), edits in implied.items():
            if len(edits) > 1:
                blocked |= edits
                variants = ", ".join(sorted(f"{e.descriptor}({e.default_source})" for e in edits))
                note = f"{name}: call sites imply different descriptors ({variants}); register it by hand"
                if note not in self.report.notes:
                    self.report.notes.append(note)
        return blocked

    def _registry_edits(self, path: Path, registry, requests: list[RegistryEdit]) -> list[Edit]:
        if not requests:
            return []
        if registry is None or registry.style != "descriptor":
            raise RegistryEditError("only descriptor-style registries can be extended automatically")
        source = self._source(path)
        tree = ast.parse(source.text)
        edits = []
        additions = [r for r in requests if r.kind == "add-field"]
        if additions:
            edits.extend(
                add_field_edits(source, tree, registry, additions, self.config.owned_prefixes)
            )
        for request in requests:
            if request.kind in ("add-deprecation", "add-inverted-deprecation"):
                invert = request.kind == "add-inverted-deprecation"
                edits.append(
                    deprecation_edit(source, tree, registry, request.name, request.new_name, invert)
                )
        return edits

    def _source(self, path: Path) -> SourceFile:
        return SourceFile.from_bytes(path, self._data(path))

    def _project_files(self) -> list[Path]:
        """Every file of the project (the run's own included), walked once per run.

        Renames, inversions and re-export protection must see uses outside the
        linted paths too.
        """
        if self._all_files is None:
            root = self.config.root
            found = discover([root], root, self.config.exclude)
            self._all_files = sorted({p.resolve() for p in found} | set(self.files))
        return self._all_files

    # -- rewriting one file ----------------------------------------------------------------

    def _rewrite(
        self, path: Path, findings: list[Finding], extra: list[Edit], module: str
    ) -> bool:
        source = self._source(path)
        original = self._sources.setdefault(path, source)
        outcome = rewrite(path, source, original, findings, extra, module, self._protected(path, findings))
        return self._record(path, original, findings, outcome)

    def _imported_elsewhere(self) -> dict[bytes, set[bytes]]:
        """name -> last components of the modules other files import it from.

        Built once per run from every project file (``from x.y import name``), so
        an import a rewrite left unused is kept when another module imports the
        name *from this one* (a re-export).
        """
        if self._import_index is None:
            index: dict[bytes, set[bytes]] = {}
            statement = re.compile(rb"from\s+([\w.]+)\s+import\s+(\([^)]*\)|[^\n]*)")
            for path in self._project_files():
                try:
                    data = self._data(path)
                except OSError:
                    continue
                if b"import" not in data:
                    continue
                for match in statement.finditer(data):
                    module = match.group(1).rsplit(b".", 1)[-1]
                    for name in re.findall(rb"\b\w+\b", match.group(2)):
                        index.setdefault(name, set()).add(module)
            self._import_index = index
        return self._import_index

    def _protected(self, path: Path, findings: list[Finding]) -> frozenset[str]:
        names = {n for f in findings for n in f.fix.maybe_unused}
        if not names:
            return frozenset()
        last = (module_name(path, self.config.src).rpartition(".")[2] or path.stem).encode()
        index = self._imported_elsewhere()
        return frozenset(n for n in names if last in index.get(n.encode(), ()))

    def _rewrite_many(self, jobs: list[tuple[Path, list[Finding], str]]) -> set[Path]:
        """Rewrite independent files, in worker processes when there are many."""
        work = []
        for path, findings, module in jobs:
            source = self._source(path)
            original = self._sources.setdefault(path, source)
            work.append((path, source, original, findings, [], module, self._protected(path, findings)))
        parallel = self.jobs > 1 and len(work) >= PARALLEL_REWRITE_THRESHOLD
        if parallel and "fork" in multiprocessing.get_all_start_methods():
            with multiprocessing.get_context("fork").Pool(self.jobs) as pool:
                outcomes = pool.starmap(rewrite, work, chunksize=max(1, len(work) // (self.jobs * 4)))
        else:
            outcomes = [rewrite(*item) for item in work]
        return {
            item[0]
            for item, outcome in zip(work, outcomes)
            if self._record(item[0], item[2], item[3], outcome)
        }

    def _record(
        self, path: Path, original: SourceFile, findings: list[Finding], outcome: "Rewrite"
    ) -> bool:
        if outcome.note:
            self.report.notes.append(f"{display_path(path)}: {outcome.note}")
        if outcome.error and (display_path(path), outcome.error) not in self.report.errors:
            self.report.errors.append((display_path(path), outcome.error))
        if outcome.text is None:
            return False
        self._contents[path] = original.encode(outcome.text)
        change = self.report.changes.get(path)
        if change is None:
            self.report.changes[path] = FileChange(path, display_path(path), original, outcome.text)
        else:
            change.text = outcome.text
        self.report.applied.update(
            findings[index].code for index in outcome.applied if id(findings[index]) not in self._internal
        )
        return True

    # -- writing ----------------------------------------------------------------------------

    def write(self) -> list[tuple[str, str]]:
        """Write every changed file atomically; returns (path, reason) for failures."""
        failures = []
        for change in self.report.changed:
            try:
                atomic_write(change.path, self._contents[change.path])
            except OSError as exc:
                failures.append((change.display, f"not written: {exc.strerror or exc}"))
        return failures


def place_edits(
    source: SourceFile, findings: list[Finding], extra: list[Edit] = ()
) -> Optional[tuple[list[Finding], list[tuple[int, int, str]]]]:
    """The findings whose edits fit together, in order, and their (start, end, text) spans.

    ``extra`` (registry edits) goes first and must fit; a finding any of whose
    edits overlaps one already taken is left out whole (two insertions at one
    point count as overlapping: their order would be arbitrary).
    """
    taken: list[tuple[int, int]] = []
    spans_taken: list[tuple[int, int, str]] = []

    def place(edits) -> Optional[list[tuple[int, int, str]]]:
        spans = []
        for edit in edits:
            start = source.offset(edit.line, edit.column)
            end = source.offset(edit.end_line, edit.end_column)
            for low, high in taken + [(s, e) for s, e, _ in spans]:
                if (start < high and low < end) or start == end == low == high:
                    return None
            spans.append((start, end, edit.content))
        return spans

    spans = place(extra)
    if spans is None:
        return None
    for start, end, content in spans:
        taken.append((start, end))
        spans_taken.append((start, end, content))
    applied = []
    for finding in findings:
        spans = place(finding.fix.edits)
        if spans is None:
            continue
        for start, end, content in spans:
            taken.append((start, end))
            spans_taken.append((start, end, content))
        applied.append(finding)
    return applied, spans_taken


@dataclass
class Rewrite:
    """What rewriting one file produced: the new text (None: unchanged) and why."""

    text: Optional[str]
    applied: list[int]  # positions, in the findings passed in, of the fixes applied
    error: Optional[str] = None
    note: Optional[str] = None


def rewrite(
    path: Path,
    source: SourceFile,
    original: SourceFile,
    findings: list[Finding],
    extra: list[Edit],
    module: str,
    protected: frozenset[str] = frozenset(),
) -> Rewrite:
    """Apply non-overlapping fixes (and ``extra`` registry edits) to one file's text.

    A module-level function so worker processes can run it: the file's text in,
    its new text out, nothing else shared.
    """
    placed = place_edits(source, findings, extra)
    if placed is None:
        return Rewrite(None, [], note="registry edits overlap; not applied")
    applied, accepted = placed
    if not applied and not extra:
        return Rewrite(None, [])
    text = source.text
    for start, end, content in sorted(accepted, reverse=True):
        text = text[:start] + content + text[end:]
    try:
        text = update_imports(
            text,
            [r for f in applied for r in f.fix.add_imports],
            [n for f in applied for n in f.fix.maybe_unused],
            module,
            path.name == "__init__.py",
            protected,
        )
    except Exception as exc:  # LibCST could not handle the file: leave it alone
        return Rewrite(None, [], error=f"not fixed: imports: {exc}")
    problem = _compile_problem(original.text, text, path)
    if problem:
        return Rewrite(None, [], error=f"not fixed: {problem}; file left unchanged")
    if text == source.text:
        return Rewrite(None, [])
    return Rewrite(text, [findings.index(f) for f in applied])


def _compile_problem(before: str, after: str, path: Path) -> Optional[str]:
    """Why ``after`` is not acceptable, or None.

    The rewrite must compile when the original did, and at least parse when the
    original did not. A rewrite that compiles is fine either way, which is
    almost always the case: one ``compile`` then decides, and the original is
    compiled only to judge a failure (compiling it for every rewrite cost 13 %
    of an unsafe fix run on sglang).
    """
    try:
        compile(after, str(path), "exec", dont_inherit=True)
        return None
    except (SyntaxError, ValueError) as exc:
        compile_error = exc
    try:
        ast.parse(after)
    except (SyntaxError, ValueError) as exc:
        return f"the rewrite does not parse ({getattr(exc, 'msg', exc)})"
    try:
        compile(before, str(path), "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return None  # the original does not compile either: parsing is what can be asked
    return f"the rewrite does not compile ({getattr(compile_error, 'msg', compile_error)})"

