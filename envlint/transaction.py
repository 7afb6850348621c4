"""Write a fix's files as one transaction over the project.

``envlint fix`` computes every new file in memory first (``envlint.fixer``).
Writing them is where a project can break: a registry that cannot be written
while the call sites that use its new key are; a kill between two renames; a
user's edit made while fix was computing. Here:

* files come in *groups* that stand or fall together (a registry and every
  file whose fix needs an entry it adds, renames or inverts). A group is
  written only if every member still holds exactly the bytes the fix was
  computed from, sits inside the root (no symlink on the way), and its new
  content could be prepared; otherwise the whole group is skipped and each
  member says why;
* the write itself follows the journal protocol of ``envlint.journal``: every
  new content goes to a temporary file first, then ``commit``, then renames.
  Killed at any point, the next run (``fix`` or ``check``) completes or undoes
  it, so the project is seen either as it was or fully fixed;
* just before each rename the target is compared with the content the fix was
  computed from again; a difference (an edit made meanwhile) or a failed
  rename puts the group's already renamed members back as they were.

What is left: an edit that lands between that last comparison and the rename
(microseconds) is lost, as it would be with any editor that saves by renaming.

Tests stop the writer with SIGKILL at chosen points: ``ENVLINT_TEST_KILL_AT=
<phase>:<n>`` (phases ``journal``, ``temporary``, ``commit``, ``replace``)
kills the process at the n-th checkpoint of that phase. Nothing else reads it.
"""

from __future__ import annotations

import os
import secrets
import signal
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .journal import Entry, Journal, JournalError, digest, finish_interrupted, temporary_name
from .rooted import OutsideRoot, Root


@dataclass
class PlannedWrite:
    path: Path  # resolved
    display: str
    before: bytes  # what the fix was computed from
    after: bytes


@dataclass
class WriteResult:
    written: list[Path] = field(default_factory=list)
    skipped: dict[Path, str] = field(default_factory=dict)  # path -> why it was not written
    notes: list[str] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (display path, reason)


@dataclass
class _Member:
    write: PlannedWrite
    target: PurePosixPath
    temporary: PurePosixPath
    mode: int


class _GroupFailed(Exception):
    def __init__(self, member: PlannedWrite, reason: str):
        super().__init__(reason)
        self.member = member
        self.reason = reason


def linked_groups(paths: list[Path], links: dict[Path, set[Path]], first: set[Path]) -> list[list[Path]]:
    """``paths`` split into groups: two paths linked, directly or through others, share one.

    Links may pass through paths not in ``paths`` (a registry left unchanged).
    Within a group, paths in ``first`` (registries: call sites depend on them)
    come first, then by name; groups come in the order of their first path.
    """
    order = sorted(paths, key=lambda p: (p not in first, str(p)))
    wanted, seen, groups = set(paths), set(), []
    for start in order:
        if start in seen:
            continue
        component, stack = set(), [start]
        while stack:
            path = stack.pop()
            if path not in component:
                component.add(path)
                stack.extend(links.get(path, ()))
        seen |= component
        groups.append([p for p in order if p in component and p in wanted])
    return groups


def write_groups(root_path: Path, groups: list[list[PlannedWrite]]) -> WriteResult:
    """Write every group that can be written whole; see the module docstring."""
    result = WriteResult()
    everything = [w for group in groups for w in group]
    if not everything:
        return result
    try:
        root = Root(root_path)
    except OSError as exc:
        _skip_all(result, groups, f"not written: cannot open the project root: {exc.strerror or exc}")
        return result
    with root:
        if not root.lock():
            _skip_all(result, groups, "not written: another envlint fix is writing this project")
            return result
        # A fix killed since this run started (or one recovery could not finish).
        recovery = finish_interrupted(root)
        result.notes += recovery.notes
        result.errors += recovery.errors
        _write_locked(root, groups, result)
    return result


def _write_locked(root: Root, groups: list[list[PlannedWrite]], result: WriteResult) -> None:
    token = secrets.token_hex(8)
    live: list[list[_Member]] = []
    for group in groups:
        try:
            live.append([_verified(root, write, token) for write in group])
        except _GroupFailed as failure:
            _skip(result, group, failure)
    if not live:
        return
    try:
        journal = Journal.begin(
            root,
            [Entry(m.target, m.temporary, digest(m.write.before), digest(m.write.after)) for g in live for m in g],
        )
    except JournalError as exc:
        _skip_all(result, [[m.write for m in g] for g in live], f"not written: {exc}")
        return
    _checkpoint("journal")
    ready = []
    for members in live:
        created: list[_Member] = []
        try:
            for member in members:
                try:
                    root.create(member.temporary, member.write.after, member.mode)
                except OSError as exc:
                    raise _GroupFailed(member.write, f"not written: {exc.strerror or exc}") from None
                created.append(member)
                _checkpoint("temporary")
        except _GroupFailed as failure:
            for member in created:
                root.unlink(member.temporary)
            _skip(result, [m.write for m in members], failure)
            continue
        ready.append(members)
    if ready:
        journal.commit()
        _checkpoint("commit")
    for members in ready:
        _replace_group(root, members, token, result)
    for directory in {m.target.parent for members in ready for m in members}:
        root.sync_directory(directory)
    journal.finish()


def _verified(root: Root, write: PlannedWrite, token: str) -> _Member:
    """The member, if its target is inside the root and still holds what the fix read."""
    try:
        target = root.relative(write.path)
        current, mode = root.read(target)
    except OutsideRoot:
        raise _GroupFailed(write, "not written: its real path is outside the project root") from None
    except FileNotFoundError:
        raise _GroupFailed(write, "not written: deleted while fix ran (not re-created)") from None
    except OSError as exc:
        raise _GroupFailed(write, f"not written: {exc.strerror or exc}") from None
    if current != write.before:
        raise _GroupFailed(write, "not written: changed while fix ran (run fix again)")
    return _Member(write, PurePosixPath(*target.parts), temporary_name(PurePosixPath(*target.parts), token), mode)


def _replace_group(root: Root, members: list[_Member], token: str, result: WriteResult) -> None:
    replaced: list[_Member] = []
    try:
        for member in members:
            try:
                current, _ = root.read(member.target)
            except FileNotFoundError:
                raise _GroupFailed(member.write, "not written: deleted while fix ran (not re-created)") from None
            except OSError as exc:
                raise _GroupFailed(member.write, f"not written: {exc.strerror or exc}") from None
            if current != member.write.before:
                raise _GroupFailed(member.write, "not written: changed while fix ran (run fix again)")
            try:
                root.replace(member.temporary, member.target)
            except OSError as exc:
                raise _GroupFailed(member.write, f"not written: {exc.strerror or exc}") from None
            replaced.append(member)
            _checkpoint("replace")
    except _GroupFailed as failure:
        for member in members:
            if member not in replaced:
                root.unlink(member.temporary)
        for member in replaced:
            _restore(root, member, token, result)
        _skip(result, [m.write for m in members], failure)
        return
    result.written += [m.write.path for m in members]


def _restore(root: Root, member: _Member, token: str, result: WriteResult) -> None:
    """Put back a group member already replaced (its group could not be written whole)."""
    back = member.target.with_name(f".{member.target.name}.{token}r.envlint")
    try:
        root.create(back, member.write.before, member.mode)
        root.replace(back, member.target)
    except OSError as exc:
        root.unlink(back)
        result.errors.append(
            (member.write.display, f"written, but its group was not, and restoring it failed: {exc.strerror or exc}")
        )


def _skip(result: WriteResult, group: list[PlannedWrite], failure: _GroupFailed) -> None:
    cause = failure.member
    for write in group:
        if write is cause:
            reason = failure.reason
        else:
            reason = f"not written: it goes with {cause.display}, which was not written"
        result.skipped[write.path] = reason
        result.errors.append((write.display, reason))


def _skip_all(result: WriteResult, groups, reason: str) -> None:
    for group in groups:
        for write in group:
            result.skipped[write.path] = reason
            result.errors.append((write.display, reason))


_COUNTS: dict[str, int] = {}


def _checkpoint(phase: str) -> None:
    """The fault-injection hook for tests (see the module docstring)."""
    wanted = os.environ.get("ENVLINT_TEST_KILL_AT")
    if not wanted:
        return
    name, _, count = wanted.partition(":")
    if name != phase:
        return
    _COUNTS[phase] = _COUNTS.get(phase, 0) + 1
    if _COUNTS[phase] == int(count or 1):
        os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))
