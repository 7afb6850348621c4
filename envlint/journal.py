"""The fix journal: how a killed ``envlint fix`` is completed or undone by the next run.

Where: ``<project root>/.envlint-fix.journal``, present only while a fix is
writing (or after one was killed). Not under ``.envlint_cache/``: the cache may
be disabled, deleted or read-only, and the journal must sit next to what it
protects, on the same file system as every file it names.

What: a first line naming the format, then one JSON line listing every file
the fix will replace — its path relative to the root, the temporary file that
holds its new content (``.NAME.<token>.envlint``, same directory), and the
sha256 of its content before and after — and, once every temporary file is
complete and flushed, a last line ``commit``.

The protocol (``envlint.transaction`` drives it, holding the root's lock):

1. journal written and flushed (no ``commit``);
2. every new content written to its temporary file and flushed;
3. ``commit`` appended and flushed — the point of no return;
4. each temporary file renamed over its target;
5. journal removed.

What the next run does with a journal it finds (``finish_interrupted``):

* no ``commit`` (killed in 1-2): roll back — remove the temporary files; no
  target had been touched;
* ``commit`` (killed in 3-5): roll forward — rename each remaining temporary
  file over its target, if the target still holds the "before" content and the
  temporary file the "after" content. A target that holds neither was changed
  by someone after the kill: it is left alone and reported.

Every path in a journal is checked (relative, inside the root, temporary file
next to its target and named like one) and every operation goes through
``envlint.rooted``: a journal that arrives with a hostile repository can make
envlint touch nothing outside the root, and nothing inside it but the files
and temporary names it lists.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .rooted import Root, read_all, write_all

JOURNAL_NAME = ".envlint-fix.journal"
JOURNAL = PurePosixPath(JOURNAL_NAME)
_MAGIC = b"envlint fix journal 1\n"
_COMMIT = b"commit\n"


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def temporary_name(target: PurePosixPath, token: str) -> PurePosixPath:
    """Where ``target``'s new content waits: a hidden file next to it."""
    return target.with_name(f".{target.name}.{token}.envlint")


@dataclass(frozen=True)
class Entry:
    target: PurePosixPath
    temporary: PurePosixPath
    before: str  # sha256 of the content the fix was computed from
    after: str  # sha256 of the content it writes

    def to_json(self) -> dict:
        return {"target": str(self.target), "temporary": str(self.temporary), "before": self.before,
                "after": self.after}


class JournalError(Exception):
    """The journal cannot be written; nothing has been changed."""


class Journal:
    """The journal of the fix now writing (created by ``begin``, the root's lock held)."""

    def __init__(self, root: Root, handle: int):
        self.root = root
        self._handle = handle

    @classmethod
    def begin(cls, root: Root, entries: list[Entry]) -> "Journal":
        body = json.dumps({"entries": [e.to_json() for e in entries]}, sort_keys=True).encode() + b"\n"
        try:
            handle = root.open(JOURNAL, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
        except FileExistsError:
            # The caller holds the root's lock and has just tried to finish it.
            raise JournalError(
                f"{JOURNAL_NAME} is left from a fix that could not be finished (see the errors above)"
            ) from None
        except OSError as exc:
            raise JournalError(f"cannot create {JOURNAL_NAME}: {exc.strerror or exc}") from None
        try:
            write_all(handle, _MAGIC + body)
            os.fsync(handle)
        except OSError as exc:
            os.close(handle)
            root.unlink(JOURNAL)
            raise JournalError(f"cannot write {JOURNAL_NAME}: {exc.strerror or exc}") from None
        root.sync_directory(PurePosixPath("."))
        return cls(root, handle)

    def commit(self) -> None:
        """From here on the next run completes this fix instead of undoing it."""
        write_all(self._handle, _COMMIT)
        os.fsync(self._handle)

    def finish(self) -> None:
        os.close(self._handle)
        self.root.unlink(JOURNAL)
        self.root.sync_directory(PurePosixPath("."))


# -- the next run ------------------------------------------------------------------------------


@dataclass
class Recovery:
    notes: list[str] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)


def recover(root_path: Path) -> Recovery:
    """Complete or undo a fix that was killed under ``root_path``; cheap when there is none."""
    try:
        os.lstat(os.path.join(root_path, JOURNAL_NAME))
    except OSError:
        return Recovery()
    try:
        root = Root(root_path)
    except OSError as exc:
        return Recovery(errors=[(JOURNAL_NAME, f"cannot open the project root: {exc.strerror or exc}")])
    with root:
        if not root.lock():
            return Recovery(notes=["another envlint fix is writing this project right now"])
        return finish_interrupted(root)


def finish_interrupted(root: Root) -> Recovery:
    """``recover`` for a caller that holds the root's lock."""
    recovery = Recovery()
    if not root.exists(JOURNAL):
        return recovery
    try:
        handle = root.open(JOURNAL, os.O_RDONLY)
        try:
            if not _is_regular(handle):
                raise OSError("not a regular file")
            data = read_all(handle)
        finally:
            os.close(handle)
    except OSError as exc:
        # Not ours (a symlink, a directory): the name is envlint's, so it goes.
        if root.unlink(JOURNAL):
            recovery.notes.append(f"removed {JOURNAL_NAME}, which was not a fix journal ({_why(exc)})")
        else:
            recovery.errors.append((JOURNAL_NAME, f"cannot read: {_why(exc)}"))
        return recovery
    entries, committed = _parse(data)
    if entries is None:
        # Killed while writing the journal itself: no temporary file exists yet.
        root.unlink(JOURNAL)
        recovery.notes.append("removed the journal of a fix killed before it wrote anything")
        return recovery
    retry = False
    done = removed = 0
    for entry in entries:
        try:
            if committed:
                done += _roll_forward(root, entry, recovery)
            else:
                removed += root.unlink(entry.temporary)
        except OSError as exc:
            recovery.errors.append((str(entry.target), f"cannot finish an interrupted fix: {_why(exc)}"))
            # A symlink or a missing directory on the way: the entry names no file of
            # ours, and never will. Anything else (permissions, a full disk) may pass.
            retry |= exc.errno not in (errno.ELOOP, errno.ENOTDIR, errno.ENOENT, errno.EXDEV)
    if retry:
        return recovery  # the journal stays: the next run tries again
    root.unlink(JOURNAL)
    if committed:
        recovery.notes.append(
            f"completed a fix that was interrupted: {done} file{'s' * (done != 1)} written now"
        )
    else:
        recovery.notes.append(
            "rolled back a fix that was interrupted before it changed any file "
            f"({removed} temporary file{'s' * (removed != 1)} removed)"
        )
    return recovery


def _roll_forward(root: Root, entry: Entry, recovery: Recovery) -> int:
    """Put ``entry``'s new content in place if nothing else changed the file; 1 if written now."""
    try:
        current = digest(root.read(entry.target)[0])
    except FileNotFoundError:
        current = None
    except OSError:
        current = "unreadable"  # now a symlink, a directory: not the file the fix computed
    if not root.exists(entry.temporary):
        return 0  # replaced before the kill, or its group was given up
    if current == entry.before:
        waiting, _ = root.read(entry.temporary)
        if digest(waiting) == entry.after:
            root.replace(entry.temporary, entry.target)
            root.sync_directory(entry.target.parent)
            return 1
        recovery.errors.append((str(entry.target), "an interrupted fix left a damaged temporary file; not completed"))
    elif current != entry.after:
        recovery.errors.append(
            (str(entry.target), "changed after a fix was interrupted; left as it is, the fix not completed")
        )
    root.unlink(entry.temporary)
    return 0


def _parse(data: bytes):
    """(entries, committed), or (None, False) for a journal cut short before its entries."""
    if not data.startswith(_MAGIC):
        return None, False
    body, newline, rest = data[len(_MAGIC):].partition(b"\n")
    if not newline:
        return None, False
    try:
        raw = json.loads(body)["entries"]
        entries = [_entry(item) for item in raw]
    except (ValueError, KeyError, TypeError):
        return None, False
    return [e for e in entries if e is not None], rest == _COMMIT


_HEX = re.compile(r"[0-9a-f]{64}")


def _entry(item: dict):
    """An entry whose paths stay inside the root and whose temporary file is one of ours; else None."""
    target = PurePosixPath(item["target"])
    temporary = PurePosixPath(item["temporary"])
    safe = (
        not target.is_absolute()
        and ".." not in target.parts
        and target.parts
        and target.parts != (JOURNAL_NAME,)
        and temporary.parent == target.parent
        and re.fullmatch(re.escape(f".{target.name}.") + r"[0-9a-f]{8,64}\.envlint", temporary.name)
        and _HEX.fullmatch(item["before"])
        and _HEX.fullmatch(item["after"])
    )
    return Entry(target, temporary, item["before"], item["after"]) if safe else None


def _is_regular(handle: int) -> bool:
    return stat.S_ISREG(os.fstat(handle).st_mode)


def _why(exc: OSError) -> str:
    return exc.strerror or str(exc)
