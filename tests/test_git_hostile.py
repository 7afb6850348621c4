"""``--diff-base`` in a repository that tries to run code or hide lines: it can do neither.

The hostile repository is real: its ``.git/config`` names commands (fsmonitor,
filter, textconv and external diff drivers, a pager, hooks) that each create a
marker file in a sibling ``outside/`` directory. The test first proves that
plain git runs them, so the assertion that envlint does not is never vacuous.
"""

from __future__ import annotations

import os
import subprocess

import pytest

from envlint import git as envlint_git
from envlint.gitdiff import GitError, changed_lines, parse_diff

SERVER = "python/sglang/srt/server.py"
BASE = "import os\n\ntimeout = os.getenv('SGLANG_TIMEOUT_KEEP_ALIVE')\n"
SNEAKY = "ENV001 raw read of SGLANG_SNEAKY via os.getenv()"


def _arm(repo, outside) -> None:
    """Configure every program a repository can make git run; each touches a marker."""
    def marker(name: str) -> str:
        return f"touch {outside / name}"

    settings = {
        "core.fsmonitor": f"{marker('fsmonitor')}; false",
        "filter.evil.clean": f"{marker('clean')}; cat",
        "filter.evil.smudge": f"{marker('smudge')}; cat",
        "filter.evil.required": "true",
        "diff.evil.textconv": f"sh -c '{marker('textconv')}; cat \"$1\"' -",
        "diff.evil.command": f"{marker('diff-command')}; true",
        "diff.external": f"{marker('diff-external')}; true",
        "core.pager": f"{marker('pager')}; cat",
        "core.untrackedCache": "true",
    }
    for key, value in settings.items():
        repo.git("config", key, value)
    hooks = repo.root / ".git" / "hooks"
    hooks.mkdir(exist_ok=True)
    for hook in ("post-checkout", "pre-commit", "post-index-change", "reference-transaction"):
        (hooks / hook).write_text(f"#!/bin/sh\n{marker('hook-' + hook)}\n")
        (hooks / hook).chmod(0o755)
    repo.write(".gitattributes", "* filter=evil diff=evil\n")


@pytest.fixture
def hostile(git_repo, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    git_repo.write(SERVER, BASE)
    git_repo.commit("base")
    git_repo.git("switch", "-q", "-c", "feature")
    _arm(git_repo, outside)
    git_repo.commit("attributes")
    # A dirty working tree: git must read worktree files to diff them.
    git_repo.write(SERVER, BASE + "level = os.getenv('SGLANG_LOG_LEVEL')\n")
    git_repo.write("python/sglang/srt/new.py", "import os\nx = os.getenv('SGLANG_LOG_GC')\n")
    for path in outside.iterdir():  # what setting the repository up ran (git add, commit hooks)
        path.unlink()
    return git_repo, outside


def _markers(outside) -> list[str]:
    return sorted(path.name for path in outside.iterdir())


def test_plain_git_runs_the_repository_commands(hostile):
    """The control: without envlint's hardening these commands really run."""
    repo, outside = hostile
    os.utime(repo.root / SERVER, (0, 0))  # stat-dirty: git must re-read the file
    repo.git("diff", "main")
    repo.git("status", "--porcelain")
    assert {"clean", "fsmonitor", "diff-command"} <= set(_markers(outside)), _markers(outside)


def test_diff_base_runs_nothing_the_repository_names(hostile, run_cli):
    repo, outside = hostile
    os.utime(repo.root / SERVER, (0, 0))
    code, out, err = run_cli("check", "-q", "--diff-base", "main", cwd=repo.root)
    assert _markers(outside) == []
    assert err == ""
    assert code == 1
    assert [line.split(" via ")[0] for line in out.splitlines()] == [
        "python/sglang/srt/new.py:2:5: ENV001 raw read of SGLANG_LOG_GC",
        f"{SERVER}:4:9: ENV001 raw read of SGLANG_LOG_LEVEL",
    ]


def test_file_at_reads_the_stored_blob_and_runs_nothing(hostile):
    repo, outside = hostile
    assert envlint_git.file_at("main", SERVER, repo.root) == BASE.encode()
    assert envlint_git.file_at("main", "python/sglang/srt/missing.py", repo.root) is None
    assert envlint_git.file_at("--output=/tmp/x", SERVER, repo.root) is None
    assert _markers(outside) == []


def test_git_never_writes_the_index(hostile, run_cli):
    repo, _ = hostile
    index = repo.root / ".git" / "index"
    before = index.read_bytes()
    os.utime(repo.root / SERVER, (0, 0))
    run_cli("check", "-q", "--diff-base", "main", cwd=repo.root)
    assert index.read_bytes() == before


@pytest.mark.parametrize("separator", ["\f", "\v", "\x1c", "\x85", "\u2028"])
def test_file_content_is_never_read_as_a_diff_header(git_repo, run_cli, separator):
    git_repo.write(SERVER, BASE)
    git_repo.commit("base")
    git_repo.git("switch", "-q", "-c", "feature")
    sneaky = f"# note{separator}diff --git a/zz b/zz{separator}+++ b/zz"
    git_repo.write(
        SERVER, f"{sneaky}\n" + BASE + "\n\nsneaky = os.getenv('SGLANG_SNEAKY')\n"
    )
    git_repo.commit("hide a read behind a fake header")
    code, out, _ = run_cli("check", "-q", "--diff-base", "main", cwd=git_repo.root)
    assert code == 1
    assert [line.split(" via ")[0] for line in out.splitlines()] == [
        f"{SERVER}:7:10: ENV001 raw read of SGLANG_SNEAKY"
    ]


def test_hunk_bodies_are_consumed_by_their_counts():
    patch = (
        b"diff --git a/x.py b/x.py\n"
        b"--- a/x.py\n"
        b"+++ b/x.py\n"
        b"@@ -1,3 +1,4 @@\n"
        b"--- a/y.py\n"                     # a removed line "-- a/y.py"
        b"+++ b/y.py\n"                     # an added line "++ b/y.py"
        b"+diff --git a/z.py b/z.py\n"
        b" context\n"                       # interHunkContext: context is not a change
        b"-old\n"
        b"+@@ -1 +1 @@\n"
        b"\\ No newline at end of file\n"
        b"diff --git a/w.py b/w.py\n"
        b"--- /dev/null\n"
        b"+++ b/w.py\n"
        b"@@ -0,0 +1 @@\n"
        b"+x\n"
    )
    assert parse_diff(patch) == {"x.py": frozenset({1, 2, 4}), "w.py": frozenset({1})}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_git_command_that_hangs_is_given_up(git_repo, run_cli, monkeypatch):
    git_repo.write(SERVER, BASE)
    git_repo.commit("base")
    (git_repo.root / "python" / ".gitignore").unlink(missing_ok=True)
    os.mkfifo(git_repo.root / "python" / ".gitignore")  # git ls-files blocks on it
    monkeypatch.setattr(envlint_git, "TIMEOUT_SECONDS", 3)
    with pytest.raises(GitError, match="did not finish within 3 s"):
        changed_lines("main", git_repo.root)
    code, out, err = run_cli("check", "-q", "--diff-base", "main", "python/sglang/srt", cwd=git_repo.root)
    assert (code, out) == (2, "")
    assert err.startswith("envlint: error: git ls-files did not finish within 3 s")


def test_every_git_invocation_goes_through_the_hardened_runner():
    """No other module starts git: a new call site would bypass the hardening."""
    import envlint

    root = os.path.dirname(envlint.__file__)
    offenders = []
    for directory, _, names in os.walk(root):
        for name in names:
            if name.endswith(".py") and name != "git.py":
                text = open(os.path.join(directory, name), encoding="utf-8").read()
                if "subprocess" in text and '"git"' in text:
                    offenders.append(name)
    assert offenders == []
    assert subprocess  # the hardened runner is the only subprocess user for git
