"""Every git command envlint runs, in one place, so none can run repository code.

envlint reads repositories it does not trust (a pull request's branch, a
cloned project): their ``.git/config`` and ``.gitattributes`` can name commands
git would execute (``core.fsmonitor``, external diff drivers, textconv and
filter drivers). All git invocations go through ``_git``; read-only plumbing
only, and options that keep repository configuration from changing the output
or running programs.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Optional


class GitError(Exception):
    """git cannot answer (not a repository, unknown ref, no git); one line for the user."""


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, encoding="utf-8",
            errors="surrogateescape",
        )
    except FileNotFoundError:
        raise GitError("--diff-base needs git, and git is not on PATH") from None


def _first_line(stderr: str) -> str:
    lines = [line.strip() for line in stderr.strip().splitlines() if line.strip()]
    return lines[0].removeprefix("fatal: ") if lines else "git failed"


def repository_root(cwd: Path) -> Path:
    done = _git(["rev-parse", "--show-toplevel"], cwd)
    if done.returncode != 0:
        raise GitError(f"--diff-base needs a git repository, and {cwd} is not in one")
    return Path(done.stdout.strip()).resolve()


def merge_base(ref: str, root: Path) -> str:
    """The commit where HEAD's history meets REF's; errors name the ref the user typed."""
    if not ref.strip():
        raise GitError("--diff-base needs a git revision (a branch, tag or commit), got ''")
    if ref.startswith("-"):
        raise GitError(f"unknown git revision {ref!r}")
    for revision, missing in (
        ("HEAD", "HEAD has no commits yet; commit something before using --diff-base"),
        (ref, f"unknown git revision {ref!r} (fetch it first; in GitHub Actions check out "
              "with fetch-depth: 0)"),
    ):
        if _git(["rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"], root).returncode:
            raise GitError(missing)
    done = _git(["merge-base", ref, "HEAD"], root)
    if done.returncode != 0:
        raise GitError(f"HEAD and {ref!r} have no common ancestor")
    return done.stdout.strip()




def file_at(revision: str, path: str, root: Path) -> Optional[bytes]:
    """The bytes of ``path`` (relative to the repository root) at ``revision``; None if absent.

    ``cat-file blob`` prints the stored object as is: no filters, no textconv.
    """
    try:
        done = subprocess.run(
            ["git", "cat-file", "blob", f"{revision}:{path}"], cwd=root, capture_output=True
        )
    except FileNotFoundError:
        raise GitError("git is not on PATH") from None
    return done.stdout if done.returncode == 0 else None
