"""Which lines a branch adds: the data behind ``envlint check --diff-base REF``.

Why: the conventions leave pre-existing raw call sites alone while new code
must not add more, so a pre-commit hook, a CI job or a review bot has to judge
only the lines a change touches.

"Changed" means the lines that differ between the merge-base of HEAD and REF
and the *working tree* (committed, staged and unstaged edits alike), which is
what a pull request shows once pushed and what a developer sees before
committing. Untracked files that git does not ignore count as wholly new: they
are new code the moment they are added. Renames are followed
(``--find-renames``), so a moved file counts only for the lines edited in it.

Everything comes from the real ``git`` executable; its output is parsed with
fixed prefixes and options so that user configuration (``diff.noprefix``,
``diff.relative``, external diff drivers, textconv, colour) cannot change it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional

from .findings import Finding
from .paths import real_path
from .git import GitError, _first_line, _git, git_bytes, merge_base, repository_root

__all__ = ["ChangedLines", "GitError", "changed_lines", "merge_base", "parse_diff", "repository_root"]

_HUNK = re.compile(r"^@@ -\d+(?:,(?P<old_count>\d+))? \+(?P<new_start>\d+)(?:,(?P<new_count>\d+))? @@")
_C_ESCAPES = {"a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13, '"': 34, "\\": 92}


@dataclass(frozen=True)
class ChangedLines:
    """Added or changed lines per file, keyed by the path relative to the repository root."""

    root: Path
    lines: dict[str, frozenset[int]]
    new_files: frozenset[str]
    # the merge-base commit, and the ``git diff -U0`` text the lines came from
    # (registry review reads renamed call sites from it; see envlint.review.moves)
    base: str = ""
    patch: str = field(default="", repr=False, compare=False)

    def _key(self, path: Path) -> Optional[str]:
        try:
            return real_path(path).relative_to(self.root).as_posix()
        except ValueError:  # outside the repository: nothing in it changed
            return None

    def touches(self, path: Path) -> bool:
        key = self._key(path)
        return key in self.new_files or key in self.lines

    def covers(self, finding: Finding) -> bool:
        """True when any line of the finding's expression was added or changed."""
        key = self._key(Path(finding.path))
        if key in self.new_files:
            return True
        changed = self.lines.get(key, frozenset())
        return any(line in changed for line in range(finding.line, finding.end_line + 1))

    def select(self, findings: Iterable[Finding]) -> list[Finding]:
        return [finding for finding in findings if self.covers(finding)]


def _unquote(path: str) -> str:
    """Undo git's C-style quoting of unusual file names ("a\\tb", octal UTF-8 bytes)."""
    if not (path.startswith('"') and path.endswith('"')):
        return path
    body, out, index = path[1:-1], bytearray(), 0
    while index < len(body):
        char = body[index]
        if char != "\\":
            out += char.encode("utf-8", "surrogateescape")
            index += 1
        elif body[index + 1] in _C_ESCAPES:
            out.append(_C_ESCAPES[body[index + 1]])
            index += 2
        else:
            out.append(int(body[index + 1:index + 4], 8))
            index += 4
    return out.decode("utf-8", "surrogateescape")


class _Lines:
    """git's output split on ``\\n`` only: ``str.splitlines`` would also split a
    line of file content at a form feed, ``\\x1c``-``\\x1e``, ``\\x85`` or U+2028."""

    def __init__(self, patch: bytes):
        self._lines = patch.split(b"\n")
        if self._lines and self._lines[-1] == b"":
            self._lines.pop()
        self._index = 0

    def __bool__(self) -> bool:
        return self._index < len(self._lines)

    def next(self) -> bytes:
        line = self._lines[self._index]
        self._index += 1
        return line


def parse_diff(patch: "bytes | str") -> dict[str, frozenset[int]]:
    """New-side line numbers of every hunk in a ``git diff -U0`` patch, per new path.

    File content can never be read as a header: each hunk's body is consumed by
    the line counts its ``@@`` header announces, so a line of content that looks
    like ``diff --git`` or ``+++ b/x`` is just content; file names come only
    from a file's header, between ``diff --git`` and its first ``@@``. Only
    added lines (``+``) count, so context lines (``diff.interHunkContext``)
    never do.
    """
    if isinstance(patch, str):
        patch = patch.encode("utf-8", "surrogateescape")
    lines: dict[str, set[int]] = {}
    current: Optional[set[int]] = None
    in_header = False
    reader = _Lines(patch)
    while reader:
        line = reader.next()
        if line.startswith(b"diff --git "):
            in_header, current = True, None
        elif in_header and line.startswith(b"+++ "):
            # git ends the name with a tab when it contains a space (for patch(1)).
            name = line[4:].decode("utf-8", "surrogateescape")
            target = _unquote(name[:-1] if name.endswith("\t") else name)
            # "+++ /dev/null": the file was deleted; its hunks add nothing.
            current = lines.setdefault(target[2:], set()) if target.startswith("b/") else None
        elif line.startswith(b"@@ "):
            in_header = False
            match = _HUNK.match(line.decode("ascii", "replace"))
            if match is None:
                raise GitError(f"cannot read git's diff output: {line[:80]!r}")
            old_left = int(match.group("old_count") or 1)
            new_line = int(match.group("new_start"))
            new_left = int(match.group("new_count") or 1)
            while (old_left > 0 or new_left > 0) and reader:
                body = reader.next()
                kind = body[:1]
                if kind == b"+":
                    if current is not None:
                        current.add(new_line)
                    new_line, new_left = new_line + 1, new_left - 1
                elif kind == b"-":
                    old_left -= 1
                elif kind == b" " or body == b"":  # context (an empty line may lose its space)
                    new_line, old_left, new_left = new_line + 1, old_left - 1, new_left - 1
                # "\\ No newline at end of file" belongs to the line before it.
    return {path: frozenset(numbers) for path, numbers in lines.items() if numbers}


def changed_lines(ref: str, cwd: Optional[Path] = None) -> ChangedLines:
    """Lines added or changed in the working tree since the merge-base of HEAD and ``ref``."""
    root = repository_root(cwd or Path.cwd())
    base = merge_base(ref, root)
    diff = git_bytes(
        [
            "diff", "-U0", "--inter-hunk-context=0", "--no-color", "--no-ext-diff", "--no-textconv",
            "--no-relative", "--find-renames", "--ignore-submodules", "-O/dev/null",
            "--src-prefix=a/", "--dst-prefix=b/", base, "--",
        ],
        root,
        reads_worktree=True,
    )
    if diff.returncode != 0:
        raise GitError(f"git diff failed: {_first_line(diff.stderr)}")
    untracked = _git(["ls-files", "-z", "--others", "--exclude-standard"], root, reads_worktree=True)
    if untracked.returncode != 0:
        raise GitError(f"git ls-files failed: {_first_line(untracked.stderr)}")
    new_files = frozenset(name for name in untracked.stdout.split("\0") if name)
    return ChangedLines(
        root=root, lines=parse_diff(diff.stdout), new_files=new_files, base=base,
        patch=diff.stdout.decode("utf-8", "surrogateescape"),
    )
