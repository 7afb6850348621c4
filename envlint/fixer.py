"""``envlint fix``: apply the fixes that findings carry, and never leave a file broken.

The run is a loop of passes over in-memory text (nothing touches the disk until
the end):

1. check the files; keep the fixes the user allowed (safe, or unsafe too);
2. resolve cross-file needs: a new key several files read is added to the
   registry once; conflicting implied types block it; renames move as a group;
3. rewrite the registry files first (their edits are what call sites depend
   on), then every other file: text edits that do not overlap, then the import
   lines they need (``envlint.fixes.imports``), then a compile check and a
   pyflakes comparison — a file whose result would not compile, or would gain a
   pyflakes warning, is left exactly as it was and reported;
4. re-check what changed; stop when a pass changes nothing.

Writes are atomic (``envlint.atomic``) and keep permissions, encoding, BOM and
line endings.
"""

from __future__ import annotations

import multiprocessing
import os
import re
from collections import Counter
from pathlib import Path
from typing import Callable, Optional

from . import perfile
from .config import Config
from .discovery import discover, display_path
from .engine import FileResult, Linter
from .findings import Edit, Finding, Fix, RegistryEdit
from .fixscope import FixScope
from .forwarding import duplicated_flag
from .fixes.style import read_style
from .fixes.inversion import InversionPlanner
from .fixes.placement import place_edits
from .fixes.rewrite import Rewrite, failure_reason, rewrite_guarded
from .fixes.recheck import changed_entries, naming
from .fixes.registry_plan import family, plan_registry
from .fixes.renames import RenamePlanner
from .modules import module_name
from .project import Project
from .runner import check_contents, check_fresh
from .cache import content_digest
from .paths import real_path
from .source import SourceError, SourceFile, read_source_bytes
from .transaction import PlannedWrite, linked_groups, write_groups
from .fixreport import FileChange, FixReport

# Findings on an attribute of a registry the code already names (``envs.K`` used as a
# value, ``envs.TYPO``): their fixes stay in that registry, so a fix a later pass
# offers (a did-you-mean to a key this run registered) cannot move them elsewhere.
_FIXES_KEEP_ITS_REGISTRY = frozenset({"ENV004", "ENV006"})

MAX_PASSES = 6
# Below this many files to rewrite, worker processes cost more than they save.
PARALLEL_REWRITE_THRESHOLD = 8


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
        project: Optional[Project] = None,
        scope: Optional[FixScope] = None,
    ):
        """``project``: the one ``runner.prepare`` loaded (its load errors included), if any.

        ``scope``: only findings it selects are fixed or reported as left (``envlint.fixscope``).
        """
        self.config = config
        self._project = project
        self.report = FixReport()
        self.root = Path(os.path.realpath(config.root))
        self.files = [real_path(path) for path in files]
        # Files fix reads but never rewrites (path -> why): outside the root, changed meanwhile.
        self._read_only: dict[Path, str] = {}
        for given, resolved in zip(files, self.files):
            if not _inside(resolved, self.root):
                self._read_only[resolved] = f"its real path ({resolved}) is outside the project root"
                self._note(f"{display_path(given)}: not fixed: {self._read_only[resolved]}")
        self.select = select
        self.ignore = ignore
        self.unsafe = unsafe
        self.progress = progress
        self.jobs = jobs
        self.scope = scope
        self._contents: dict[Path, bytes] = {}
        self._sources: dict[Path, SourceFile] = {}
        self._internal: set[int] = set()  # use-site findings the fixer made, not rules
        self._import_index: Optional[dict[bytes, set[bytes]]] = None
        self._all_files: Optional[list[Path]] = None
        self._seen: dict[Path, str] = {}  # digest of the bytes each file had when first read
        self._first: dict[Path, list[Finding]] = {}  # findings before any rewrite
        self._final: dict[Path, FileResult] = {}
        self._applied: dict[Path, Counter] = {}  # per file: the fixes its new content holds
        self._links: dict[Path, set[Path]] = {}  # rewrites that must be written together
        self._registries_changed: set[Path] = set()  # registries a previous pass rewrote
        self._pass_number = 0
        self.style = read_style(config.root, config.config_file, config.package_roots, config.src)
        # What ``check`` said before anything was rewritten (see ``_as_checked``).
        self._checked: Optional[Counter] = None
        self._reported: Counter = Counter()  # every finding of that first check, fix or not
        self._first_project: Optional[Project] = None
        self._unfixed_reads: dict[str, set[Path]] = {}

    # -- driver ----------------------------------------------------------------------------

    def run(self) -> FixReport:
        targets = list(self.files)
        results: dict[Path, FileResult] = {}
        project = self._project or Project.load(self.config)
        for error_path, reason in project.load_errors:
            self.report.errors.append((display_path(error_path), reason))
        for pass_number in range(MAX_PASSES):
            self._pass_number = pass_number
            linter = Linter(project, select=self.select, ignore=self.ignore)
            if pass_number == 0:
                # Nothing rewritten yet: the files on disk are the input, checked in parallel.
                for result, seen, _ in check_fresh(linter, targets, self.jobs, self.progress):
                    results[result.path] = result
                    self._first[result.path] = result.findings
                    if seen is not None:
                        self._seen.setdefault(result.path, seen)
            else:
                # Read here (``_data`` notes files changed on disk meanwhile), checked in workers.
                contents = {path: self._data(path) for path in targets}
                results.update(zip(targets, check_contents(linter, contents, self.jobs)))
            ignores = self.config.per_file_ignores
            if ignores:
                for path in targets if pass_number else results:
                    result = results[path]
                    result.findings = perfile.apply(ignores, result.path, result.findings)
                    if pass_number == 0:
                        self._first[path] = result.findings
            registries_before = set(self._registries_changed)
            changed = self._pass(project, results)
            if not changed:
                break
            self._registries_changed |= {p for p in changed if p in self._registry_paths()}
            if registries_before:
                # Computed against registries rewritten in memory: written with them or not at all.
                for path in changed:
                    for registry in registries_before:
                        self._link(path, registry)
            previous, project = project, Project.load(self.config, self._contents)
            targets = self._to_recheck(previous, project, changed, results)
        self._final = results
        self.report.remaining = self._remaining()
        if self.scope is not None:
            wanted = self._in_scope(results)
            kept = [f for f in self.report.remaining if id(f) in wanted]
            self.report.out_of_scope = len(self.report.remaining) - len(kept)
            self.report.remaining = kept
        self.report.errors.extend((r.display_path, r.error) for r in results.values() if r.error)
        return self.report

    def _remaining(self, unwritten: frozenset[Path] = frozenset()) -> list[Finding]:
        """Findings left: after the fix, except in files it could not write (as they were)."""
        return sorted(
            f
            for path, result in self._final.items()
            for f in (self._first.get(path, result.findings) if path in unwritten else result.findings)
        )

    def _registry_paths(self) -> set[Path]:
        return {spec.path for spec in self.config.registries}

    def _link(self, a: Path, b: Path) -> None:
        self._links.setdefault(a, set()).add(b)
        self._links.setdefault(b, set()).add(a)

    def _to_recheck(
        self, before: Project, after: Project, changed: set[Path], results: dict[Path, FileResult]
    ) -> list[Path]:
        """The files whose result the last pass may have changed.

        A file's result depends on its bytes and on the registries. So, besides
        the files rewritten and the registries themselves: when a registry
        changed, every file that still has findings (a did-you-mean, a type, a
        fix may now differ) and every file naming an entry that changed.
        Missing one of them made a second ``fix`` change files again.
        """
        registries = {spec.path for spec in self.config.registries if spec.path in results}
        names = changed_entries(before, after)
        if names is not None and not names:
            return sorted(changed | registries)
        with_findings = {path for path, result in results.items() if result.findings}
        rest = [path for path in self.files if path not in changed and path not in with_findings]
        mentioning = set(rest) if names is None else naming(rest, names, self._scannable)
        return sorted(changed | registries | with_findings | mentioning)

    def _data(self, path: Path) -> bytes:
        """The file's current content: rewritten in memory, else as on disk.

        A file whose bytes on disk are not the ones this run first saw was
        changed by someone else while fix ran: it is read (its findings stay
        reported) but no longer rewritten.
        """
        data = self._contents.get(path)
        if data is not None:
            return data
        data = self._read_disk(path)
        digest = content_digest(data)
        if self._seen.setdefault(path, digest) != digest and path not in self._read_only:
            self._read_only[path] = "changed while fix ran (run fix again)"
            self._note(f"{display_path(path)}: not fixed: {self._read_only[path]}")
        return data

    def _read_disk(self, path: Path) -> bytes:
        """The one place fix reads a file from disk: the checker's safe reader (regular
        files only, the size limit), so a FIFO or a huge file cannot hang or exhaust a fix."""
        return read_source_bytes(path, self.config.max_file_size)

    def _scannable(self, path: Path) -> bytes:
        """``_data`` for a text scan: a file that cannot be read (reported already) scans as empty."""
        try:
            return self._data(path)
        except SourceError:
            return b""

    def _allowed(self, fix: Optional[Fix]) -> bool:
        return fix is not None and (fix.is_safe or self.unsafe)

    def _in_scope(self, results: dict[Path, FileResult]) -> set[int]:
        """``id()`` of the findings the scope lets this run touch (see envlint.fixscope)."""

        def texts(path: Path) -> Optional[tuple[str, str]]:
            change = self.report.changes.get(path)
            return (change.original.text, change.text) if change is not None else None

        pairs = [(path, f) for path, result in results.items() for f in result.findings]
        return self.scope.select(pairs, texts)

    # -- one pass ----------------------------------------------------------------------------

    def _pass(self, project: Project, results: dict[Path, FileResult]) -> set[Path]:
        chosen: dict[Path, list[Finding]] = {}
        wanted = self._in_scope(results) if self.scope is not None else None
        if self._checked is None:
            self._remember_check(project, results)
        for path, result in results.items():
            fixes = [
                f for f in result.findings
                if self._allowed(f.fix)
                and (wanted is None or id(f) in wanted)
                and self._as_checked(project, path, f)
            ]
            if fixes and path not in self._read_only:
                chosen[path] = fixes
        if not chosen:
            return set()
        blocked = self._resolve_new_fields(project, chosen)
        renames = RenamePlanner(project, chosen, self._data, self._project_files)
        blocked |= renames.blocked_edits()
        writable = {path for path in self.files if path not in self._read_only}
        inversions = InversionPlanner(project, writable, chosen, self._data, self._project_files)
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
        failed: set[tuple[str, str, str]] = set()  # registry edit families not applied
        # Registries first: call sites depend on what they add.
        for path, spec in registry_specs.items():
            requests = list(dict.fromkeys(registry_requests.get(path, [])))
            own = [f for f in chosen.get(path, []) if usable(f)]
            if not requests and not own:
                continue
            registry = next((r for r in project.registries if r.path == path), None)
            real = real_path(path)
            if real in self._read_only or not _inside(real, self.root):
                failed |= {family(r) for r in requests} | {family(e) for f in own for e in f.fix.registry_edits}
                why = self._read_only.get(real, f"its real path ({real}) is outside the project root")
                self._note(f"{display_path(path)}: registry not edited: {why}")
                continue
            try:
                plan = plan_registry(
                    self._source(path), registry, requests, own, self.config.owned_prefixes, place_edits
                )
            except (SourceError, SyntaxError, ValueError, RecursionError) as exc:
                failed |= {family(r) for r in requests} | {family(e) for f in own for e in f.fix.registry_edits}
                self._note(f"{display_path(path)}: not edited: {failure_reason(exc)}")
                continue
            for note in plan.notes:
                self._note(f"{display_path(path)}: {note}")
            failed |= plan.blocked
            if self._rewrite(path, plan.own, plan.edits, spec.module):
                changed.add(path)
            else:
                failed |= {family(r) for r in requests}
        jobs = []
        for path, findings in chosen.items():
            if path in registry_specs:
                continue
            findings = [
                f for f in findings
                if usable(f) and not any(family(e) in failed for e in f.fix.registry_edits)
            ]
            if findings:
                jobs.append((path, findings, module_name(path, self.config.src)))
        return changed | self._rewrite_many(jobs)

    @staticmethod
    def _identity(path: Path, finding: Finding) -> tuple:
        return (path, finding.code, finding.key, finding.snippet)

    def _remember_check(self, project: Project, results: dict[Path, FileResult]) -> None:
        self._first_project = project
        self._checked = Counter(
            self._identity(path, f) for path, r in results.items() for f in r.findings if f.fix is not None
        )
        self._reported = Counter(self._identity(path, f) for path, r in results.items() for f in r.findings)
        # Raw reads check could not fix, by key: the registry check pointed them to.
        for path, result in results.items():
            for finding in result.findings:
                if finding.code != "ENV001" or finding.fix is not None or not finding.key:
                    continue
                module = module_name(path, self.config.src)
                key = project.canonical_name(finding.key) or finding.key
                suggested = project.registry_for_key(key, module) or project.governing_registry(module)
                if suggested is not None:
                    self._unfixed_reads.setdefault(key, set()).add(suggested.path)

    def _as_checked(self, project: Project, path: Path, finding: Finding) -> bool:
        """Whether applying this fix keeps ``fix`` in agreement with ``check``.

        A fix ``check`` reported is applied as reported. A later pass can offer a
        fix ``check`` could not (a key this run registered): it is applied only
        when it goes through the registry ``check`` pointed to — a key registered
        in sglang.srt's ``Envs`` for one file does not pull a multimodal_gen file,
        whose own registry ``check`` named, into sglang.srt's.
        """
        if project is self._first_project or self._checked.get(self._identity(path, finding)):
            return True
        if finding.code in _FIXES_KEEP_ITS_REGISTRY:
            # Only a finding check reported (whose fix appeared later); never one this run
            # created, such as a use of a key an earlier pass renamed: "repairing" it with a
            # did-you-mean would hide what the fixer broke (measured on sglang 0.5.5).
            return bool(self._reported.get(self._identity(path, finding)))
        key = finding.key
        first = self._first_project
        if not key or first is None:
            return False
        module = module_name(path, self.config.src)
        key = project.canonical_name(key) or key
        now = project.registry_for_key(key, module)
        suggested = first.registry_for_key(key, module) or first.governing_registry(module)
        return now is not None and suggested is not None and now.path == suggested.path

    def _resolve_new_fields(self, project: Project, chosen: dict[Path, list[Finding]]) -> set[RegistryEdit]:
        """A new key is added once; call sites implying different descriptors block it, and
        so do reads of the key that ``check`` pointed to another registry, and a CLI flag of
        the same name (the new entry would be ENV016's finding: a fix never trades one
        finding for another). Decided here, not in the rule, because the fix run reads the
        flag sources fresh, where a cached ``check`` result could not notice them change."""
        implied: dict[tuple[str, str], set[RegistryEdit]] = {}
        for findings in chosen.values():
            for finding in findings:
                for edit in finding.fix.registry_edits:
                    if edit.kind == "add-field":
                        implied.setdefault((edit.registry_path, edit.name), set()).add(edit)
        blocked = set()
        for (registry_path, name), edits in implied.items():
            flag = duplicated_flag(name, self.config.owned_prefixes, project.cli_flags)
            if flag is not None:
                blocked |= edits
                self._note(
                    f"{name}: duplicates the CLI flag {flag.name} (Rule 6: one knob, one surface); "
                    "read the flag's value instead of registering the variable"
                )
                continue
            elsewhere = {p for p in self._unfixed_reads.get(name, ()) if str(p) != registry_path}
            if elsewhere:
                # Registering here would pull reads check pointed to another registry
                # into this one on the next run: fix would not be what check said.
                blocked |= edits
                where = ", ".join(sorted(display_path(p) for p in elsewhere))
                note = f"{name}: also read where check points to another registry ({where}); register it by hand"
                if note not in self.report.notes:
                    self.report.notes.append(note)
                continue
            if len(edits) > 1:
                blocked |= edits
                variants = ", ".join(sorted(f"{e.descriptor}({e.default_source})" for e in edits))
                note = f"{name}: call sites imply different descriptors ({variants}); register it by hand"
                if note not in self.report.notes:
                    self.report.notes.append(note)
        return blocked

    def _note(self, note: str) -> None:
        """A note, once: later passes meet the same blocked edits again."""
        if note not in self.report.notes:
            self.report.notes.append(note)

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
            self._all_files = sorted({real_path(p) for p in found} | set(self.files))
        return self._all_files

    # -- rewriting one file ----------------------------------------------------------------

    def _rewrite(
        self, path: Path, findings: list[Finding], extra: list[Edit], module: str
    ) -> bool:
        source = self._source(path)
        if path in self._read_only:
            return False
        original = self._sources.setdefault(path, source)
        outcome = rewrite_guarded(
            path, source, original, findings, extra, module, self._protected(path, findings), self.style
        )
        return self._record(path, original, findings, outcome)

    def _imported_elsewhere(self) -> dict[bytes, set[bytes]]:
        """name -> the modules other files import it from, as written (``a.b.c``, ``.c``).

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
                except (OSError, SourceError):
                    continue
                if b"import" not in data:
                    continue
                for match in statement.finditer(data):
                    module = match.group(1)
                    for name in re.findall(rb"\b\w+\b", match.group(2)):
                        index.setdefault(name, set()).add(module)
            self._import_index = index
        return self._import_index

    def _protected(self, path: Path, findings: list[Finding]) -> frozenset[str]:
        names = {n for f in findings for n in f.fix.maybe_unused}
        if not names:
            return frozenset()
        module = module_name(path, self.config.src).encode()
        last = module.rpartition(b".")[2] or path.stem.encode()
        index = self._imported_elsewhere()

        def reexported(name: str) -> bool:
            # ``from sglang.srt.x.utils import name`` names this module exactly; a relative
            # ``from .utils import name`` is matched by its last component (conservative).
            sources = index.get(name.encode(), ())
            return module in sources or any(
                s.startswith(b".") and s.rpartition(b".")[2] == last for s in sources
            )

        return frozenset(n for n in names if reexported(n))

    def _rewrite_many(self, jobs: list[tuple[Path, list[Finding], str]]) -> set[Path]:
        """Rewrite independent files, in worker processes when there are many."""
        work = []
        for path, findings, module in jobs:
            source = self._source(path)
            if path in self._read_only:
                continue
            original = self._sources.setdefault(path, source)
            work.append(
                (path, source, original, findings, [], module, self._protected(path, findings), self.style)
            )
        parallel = self.jobs > 1 and len(work) >= PARALLEL_REWRITE_THRESHOLD
        if parallel and "fork" in multiprocessing.get_all_start_methods():
            # Largest files first, one at a time: a rewrite costs from 1 to 100 ms by size,
            # and fixed chunks left one worker idle while the other finished a chunk of big ones.
            order = sorted(range(len(work)), key=lambda i: -len(work[i][1].text))
            with multiprocessing.get_context("fork").Pool(self.jobs) as pool:
                done = pool.starmap(rewrite_guarded, [work[i] for i in order], chunksize=1)
            outcomes = [None] * len(work)
            for index, outcome in zip(order, done):
                outcomes[index] = outcome
        else:
            outcomes = [rewrite_guarded(*item) for item in work]
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
        try:
            data = original.encode(outcome.text)
        except UnicodeEncodeError as exc:
            character = outcome.text[exc.start:exc.end]
            error = (
                f"not fixed: the rewrite needs {character!r}, which {original.encoding} cannot encode; "
                "file left unchanged"
            )
            if (display_path(path), error) not in self.report.errors:
                self.report.errors.append((display_path(path), error))
            return False
        self._contents[path] = data
        change = self.report.changes.get(path)
        before = change.text if change is not None else original.text
        self.report.fixed.setdefault(path, []).extend(
            (before, findings[index])
            for index in outcome.applied
            if id(findings[index]) not in self._internal
        )
        if change is None:
            self.report.changes[path] = FileChange(path, display_path(path), original, outcome.text)
        else:
            change.text = outcome.text
        applied = [findings[index] for index in outcome.applied]
        counts = self._applied.setdefault(path, Counter())
        counts.update(f.code for f in applied if id(f) not in self._internal)
        self.report.applied.update(f.code for f in applied if id(f) not in self._internal)
        for finding in applied:
            for edit in finding.fix.registry_edits:
                self._link(path, Path(edit.registry_path))
        return True

    # -- writing ----------------------------------------------------------------------------

    def write(self) -> list[tuple[str, str]]:
        """Write the changed files as one transaction (``envlint.transaction``).

        Returns (path, reason) for every file not written. The report then
        describes what is on disk: ``changes``, ``applied`` and ``remaining``
        leave out the groups that could not be written.
        """
        changes = self.report.changed
        result = write_groups(self.root, self._groups(changes))
        for note in result.notes:
            self._note(note)
        unwritten = frozenset(result.skipped)
        if unwritten:
            for path in unwritten:
                self.report.changes.pop(path, None)
            self.report.applied = sum(
                (self._applied.get(c.path, Counter()) for c in self.report.changed), Counter()
            )
            self.report.remaining = self._remaining(unwritten)
        return result.errors

    def _groups(self, changes: list[FileChange]) -> list[list[PlannedWrite]]:
        """The changed files in groups written together, registries first in each."""
        by_path = {change.path: change for change in changes}
        return [
            [PlannedWrite(p, by_path[p].display, by_path[p].original.data, self._contents[p]) for p in group]
            for group in linked_groups(list(by_path), self._links, self._registry_paths())
        ]


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents
