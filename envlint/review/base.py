"""The base a registry is compared with: the merge-base of ``--diff-base``, or a snapshot file.

From git: every configured registry is read at the merge-base through
``envlint.git.file_at`` (``git cat-file``: the stored bytes, no filters, no
repository code) and parsed with the same parsers as the working tree. A
registry absent at the merge-base is new in the change (all its keys are
added); one that cannot be parsed there gets no comparison and one error
line. The diff ``--diff-base`` computes anyway also yields renames whose call
sites moved (``envlint.review.moves``).

From a snapshot (``--registry-base FILE``): registries are matched by module
name; a registry the snapshot does not list gets no comparison (the snapshot
may come from another configuration), and no call-site renames are known.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from .changes import compare
from .moves import call_site_moves
from .snapshot import RegistryState, Snapshot, digest, load, registry_state

if TYPE_CHECKING:
    from ..gitdiff import ChangedLines
    from ..project import Project
    from ..registry import Registry


@dataclass(frozen=True)
class ReviewBase:
    snapshot: Snapshot  # the registries present at the base, by module
    description: str  # "merge-base 1a2b3c4" / "snapshot base.json": what the changelog names
    absent: frozenset[str] = frozenset()  # modules of registries that did not exist at the base
    moves: dict[str, str] = field(default_factory=dict)  # old -> new, call sites moved
    errors: tuple[tuple[str, str], ...] = ()  # (path, reason): base registries not read
    digest: str = ""

    def knows(self, module: str) -> bool:
        """Whether a registry of this module can be compared (present or known absent)."""
        return module in self.snapshot.registries or module in self.absent


def _sealed(base: ReviewBase) -> ReviewBase:
    """The base with its digest: what registry files' cache entries depend on."""
    hasher = hashlib.sha256(digest(base.snapshot).encode())
    hasher.update(repr((sorted(base.absent), sorted(base.moves.items()))).encode())
    return ReviewBase(base.snapshot, base.description, base.absent, base.moves, base.errors,
                      hasher.hexdigest())


def from_registries(
    registries: list["Registry"], root: Path, description: str, moves: Optional[dict[str, str]] = None
) -> ReviewBase:
    """A base made of already parsed registries (tests, rule examples)."""
    states = {r.module: registry_state(r, root) for r in registries}
    return _sealed(ReviewBase(Snapshot(states), description, moves=dict(moves or {})))


def from_snapshot(path: Path) -> ReviewBase:
    """Raises ``SnapshotError`` (one line) when the file cannot be used."""
    return _sealed(ReviewBase(load(path), f"snapshot {path}"))


def from_git(changed: "ChangedLines", project: "Project") -> ReviewBase:
    """Every registry of ``project`` at the merge-base ``changed`` was computed against."""
    from ..git import file_at
    from ..registry import parse_registry
    from ..source import SourceError, SourceFile

    root = changed.root
    states: dict[str, RegistryState] = {}
    absent: set[str] = set()
    errors: list[tuple[str, str]] = []
    relative_paths: dict[str, str] = {}
    for spec in project.config.registries:
        try:
            relative = spec.path.resolve().relative_to(root).as_posix()
        except ValueError:
            continue  # outside the repository: nothing to compare with
        relative_paths[spec.module] = relative
        data = file_at(changed.base, relative, root)
        if data is None:
            absent.add(spec.module)
            continue
        try:
            source = SourceFile.from_bytes(spec.path, data)
            registry = parse_registry(spec.path, spec.style, spec.module, source)
        except SourceError as exc:
            errors.append((relative, f"registry at the merge-base {changed.base[:12]} not read: {exc}"))
            continue
        states[spec.module] = registry_state(registry, root)
    snapshot = Snapshot(states)
    moves = _moves(changed, project, snapshot, relative_paths)
    return _sealed(ReviewBase(snapshot, f"merge-base {changed.base[:12]}", frozenset(absent), moves,
                              tuple(errors)))


def _moves(changed: "ChangedLines", project: "Project", snapshot: Snapshot,
           relative_paths: dict[str, str]) -> dict[str, str]:
    """Renames evidenced by call sites, for owned keys removed with no declared path."""
    removed: set[str] = set()
    added: set[str] = set()
    for registry in project.registries:
        base = snapshot.registries.get(registry.module)
        if base is None:
            continue
        changes = compare(base, registry_state(registry, changed.root),
                          legacy=project.canonical_name)
        removed |= {r.key.name for r in changes.removed if r.path is None and project.is_owned(r.key.name)}
        added |= {k.name for k in changes.added}
    prefixes = project.config.owned_prefixes
    return call_site_moves(changed.patch, removed, added, relative_paths.values(), prefixes)
