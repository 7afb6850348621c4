"""Every git command envlint runs, in one place, so none can run repository code.

envlint reads repositories it does not trust (a pull request's branch, a
project unpacked from an archive with its ``.git``): git's own documentation
says commands in such a ``.git`` directory's config and hooks "are executed in
the usual way". Programs a repository can name, and what ``_git`` does to each:

* ``core.fsmonitor`` (runs on any index refresh: diff, ls-files) -> ``false``;
* filter drivers (``filter.<name>.clean``/``smudge``/``process``, applied by
  ``.gitattributes`` whenever git reads a worktree file) -> every configured
  driver is found with ``git config`` (reading config runs nothing) and emptied;
* external diff and textconv (``diff.external``, ``diff.<name>.command``/
  ``textconv``) -> ``--no-ext-diff --no-textconv`` on every diff;
* hooks -> ``core.hooksPath=/dev/null`` (read-only plumbing runs none anyway);
* pagers -> ``--no-pager``; network helpers reached through a lazy fetch in a
  partial clone (``core.sshCommand``, credential helpers) ->
  ``protocol.allow=never`` and ``GIT_NO_LAZY_FETCH``;
* the system config -> ``GIT_CONFIG_NOSYSTEM`` (the user's global config is
  theirs, and is where git honours ``safe.directory``, which stays in force).

``GIT_OPTIONAL_LOCKS=0`` keeps git from refreshing the index (or its untracked
cache) on disk: envlint only reads. Every command runs with a time limit: a
FIFO named ``.gitignore`` blocks ``git ls-files`` for ever.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Optional

# How long one git command may take before envlint gives up (a FIFO in the tree
# blocks git for ever; a huge repository's diff takes seconds, not minutes).
TIMEOUT_SECONDS = 300

_HARDENING = (
    "--no-pager",
    "-c", "core.fsmonitor=false",
    "-c", "core.hooksPath=/dev/null",
    "-c", "core.untrackedCache=keep",
    "-c", "protocol.allow=never",
    "-c", "diff.external=",
    "-c", "core.quotePath=false",
)
_FILTER_KEYS = ("clean", "smudge", "process")


class GitError(Exception):
    """git cannot answer (not a repository, unknown ref, no git); one line for the user."""


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        GIT_CONFIG_NOSYSTEM="1",
        GIT_OPTIONAL_LOCKS="0",
        GIT_NO_LAZY_FETCH="1",
        GIT_TERMINAL_PROMPT="0",
        GIT_PAGER="cat",
        LC_ALL="C",
    )
    for name in ("GIT_EXTERNAL_DIFF", "GIT_ASKPASS", "SSH_ASKPASS"):
        env.pop(name, None)
    return env


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    """``git <hardening> <args>`` with bytes output; GitError when git is missing or hangs."""
    try:
        return subprocess.run(
            ["git", *_HARDENING, *args], cwd=cwd, capture_output=True, stdin=subprocess.DEVNULL,
            env=_environment(), timeout=TIMEOUT_SECONDS,
        )
    except FileNotFoundError:
        raise GitError("--diff-base needs git, and git is not on PATH") from None
    except subprocess.TimeoutExpired:
        raise GitError(
            f"git {args[0]} did not finish within {TIMEOUT_SECONDS} s (a FIFO in the tree, "
            "such as a .gitignore, blocks git); giving up"
        ) from None


def _filter_overrides(cwd: Path) -> list[str]:
    """``-c`` options that empty every filter driver the configuration defines.

    An empty ``clean``/``smudge``/``process`` command is no filter at all; a
    driver marked ``required`` would then fail the command, so that goes too.
    """
    done = _run(["config", "-z", "--name-only", "--get-regexp", r"^filter\..*\.(clean|smudge|process|required)$"], cwd)
    if done.returncode not in (0, 1):  # 1: no such keys
        raise GitError(f"git config failed: {_first_line(done.stderr)}")
    drivers = set()
    for name in done.stdout.decode("utf-8", "surrogateescape").split("\0"):
        if name:
            drivers.add(name[len("filter."):].rpartition(".")[0])
    overrides = []
    for driver in sorted(drivers):
        if "=" in driver or "\n" in driver:
            # `-c name=value` splits at the first "=": such a name cannot be overridden.
            raise GitError(f"refusing to run git: the repository configures a filter driver named {driver!r}")
        for key in _FILTER_KEYS:
            overrides += ["-c", f"filter.{driver}.{key}="]
        overrides += ["-c", f"filter.{driver}.required=false"]
    return overrides


def _git(args: list[str], cwd: Path, reads_worktree: bool = False) -> subprocess.CompletedProcess:
    """Run hardened git; ``stdout``/``stderr`` decoded as UTF-8 (surrogateescape).

    ``reads_worktree``: the command may read worktree files (a diff against the
    working tree), so every filter driver is disabled first.
    """
    if reads_worktree:
        args = [*_filter_overrides(cwd), *args]
    done = _run(args, cwd)
    return subprocess.CompletedProcess(
        done.args, done.returncode,
        done.stdout.decode("utf-8", "surrogateescape"),
        done.stderr.decode("utf-8", "surrogateescape"),
    )


def git_bytes(args: list[str], cwd: Path, reads_worktree: bool = False) -> subprocess.CompletedProcess:
    """Like ``_git`` but ``stdout`` stays bytes: output that holds file content."""
    if reads_worktree:
        args = [*_filter_overrides(cwd), *args]
    done = _run(args, cwd)
    done.stderr = done.stderr.decode("utf-8", "surrogateescape")
    return done


def _first_line(stderr: "str | bytes") -> str:
    if isinstance(stderr, bytes):
        stderr = stderr.decode("utf-8", "surrogateescape")
    lines = [line.strip() for line in stderr.strip().splitlines() if line.strip()]
    return lines[0].removeprefix("fatal: ") if lines else "git failed"


def repository_root(cwd: Path) -> Path:
    done = _git(["rev-parse", "--show-toplevel"], cwd)
    if done.returncode != 0:
        raise GitError(f"--diff-base needs a git repository, and {cwd} is not in one")
    return Path(os.path.realpath(done.stdout.rstrip("\n")))


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
    if revision.startswith("-"):
        return None
    done = git_bytes(["cat-file", "blob", f"{revision}:{path}"], root)
    return done.stdout if done.returncode == 0 else None
