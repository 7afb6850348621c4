"""The hooks in ``.pre-commit-hooks.yaml`` under real pre-commit, in real git repositories.

pre-commit installs a hook repository from a git commit, so the tests commit a
snapshot of this working tree (package, pyproject, README, hook manifest) into
a temporary repository: they test the code as it is, committed or not. The
hook environment is built once (pip install from that snapshot) and shared
through one ``PRE_COMMIT_HOME``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gitrepo import GIT_ENV, GitRepo, make_repo

PROJECT = Path(__file__).resolve().parent.parent
SERVER = "python/sglang/srt/server.py"
STAGED = (
    "import os\n\nfrom sglang.srt.environ import envs\n\n"
    'metrics = os.getenv("SGLANG_ENABLE_METRICS") == "1"\n'
    'level = os.getenv("SGLANG_LOG_LEVEL", "info")\n'
)
METRICS = (
    f"{SERVER}:5:11: ENV001 raw read of SGLANG_ENABLE_METRICS via os.getenv(); "
    "use envs.SGLANG_ENABLE_METRICS.get()"
)
LEVEL = (
    f"{SERVER}:6:9: ENV001 raw read of SGLANG_LOG_LEVEL via os.getenv(); "
    "use envs.SGLANG_LOG_LEVEL.get()"
)


@pytest.fixture(scope="module")
def environment(tmp_path_factory):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    env.update(GIT_ENV)
    env["PRE_COMMIT_HOME"] = str(tmp_path_factory.mktemp("pre-commit-home"))
    return env


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory, environment) -> Path:
    """A committed snapshot of this project, as pre-commit wants a hook repository."""
    root = tmp_path_factory.mktemp("envlint-hooks")
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy2(PROJECT / name, root / name)
    shutil.copytree(
        PROJECT / "envlint", root / "envlint", ignore=shutil.ignore_patterns("__pycache__")
    )
    snapshot = GitRepo(root, environment)
    snapshot.git("init", "-q", "-b", "main")
    snapshot.commit("snapshot")
    return root


@pytest.fixture
def project(tmp_path, environment):
    return make_repo(tmp_path / "project", environment)


def _run(args: list[str], cwd: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def _pre_commit(*args: str, cwd: Path, env: dict) -> subprocess.CompletedProcess:
    return _run([sys.executable, "-m", "pre_commit", *args], cwd, env)


@pytest.fixture(scope="module")
def tried(tmp_path_factory, hook_repo, environment):
    """``pre-commit try-repo`` with both hooks (one hook environment, built once) on a
    staged file with one safe and one unsafe fix."""
    project = make_repo(tmp_path_factory.mktemp("tried") / "project", environment)
    project.write(SERVER, STAGED)
    project.git("add", SERVER)
    done = _pre_commit("try-repo", str(hook_repo), cwd=project.root, env=environment)
    return project, done


def _hook_output(done: subprocess.CompletedProcess, hook: str) -> list[str]:
    """The non-blank lines pre-commit printed for one hook: from its status line to the next.

    (``pre-commit try-repo`` prints on stdout; under ``git commit`` the hook prints on stderr.)
    """
    lines = (done.stdout + done.stderr).splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{hook}...."))
    statuses = ("Passed", "Failed")
    end = next(
        (i for i in range(start + 1, len(lines)) if lines[i].rstrip().endswith(statuses)),
        len(lines),
    )
    return [line for line in lines[start:end] if line.strip()]


def test_check_hook_fails_with_the_finding(tried):
    _, done = tried
    assert done.returncode == 1, done.stdout + done.stderr
    output = _hook_output(done, "envlint")
    assert output[0].endswith("Failed") and "- exit code: 1" in output
    assert output[-3:] == [METRICS, LEVEL, "Found 2 findings (1 fixable, 1 with unsafe fixes)."]


def test_fix_hook_rewrites_the_file(tried):
    project, done = tried
    output = _hook_output(done, "envlint fix")
    assert output[0].endswith("Failed")
    assert "- files were modified by this hook" in output
    assert "Fixed 1 finding in 1 file (ENV001: 1)." in output
    assert (project.root / SERVER).read_text() == STAGED.replace(
        'os.getenv("SGLANG_LOG_LEVEL", "info")', "envs.SGLANG_LOG_LEVEL.get()"
    )


def test_installed_hook_with_diff_base_refuses_only_new_violations(hook_repo, project, environment):
    """`args: [--diff-base, HEAD]`: a commit is judged by the lines it adds."""
    rev = GitRepo(hook_repo, environment).git("rev-parse", "HEAD").strip()
    project.write(
        ".pre-commit-config.yaml",
        f"""\
        repos:
          - repo: {hook_repo}
            rev: {rev}
            hooks:
              - id: envlint
                args: [--diff-base, HEAD]
        """,
    )
    project.write(SERVER, 'import os\nlevel = os.getenv("SGLANG_LOG_LEVEL")\n')
    project.commit("legacy code, before the hook")
    installed = _pre_commit("install", cwd=project.root, env=environment)
    assert installed.returncode == 0, installed.stdout + installed.stderr

    project.write(SERVER, 'import os\nlevel = os.getenv("SGLANG_LOG_LEVEL")\nx = 1\n')
    project.git("add", SERVER)
    done = _run(["git", "commit", "-m", "touch legacy file"], project.root, environment)
    assert done.returncode == 0, done.stdout + done.stderr

    project.write(
        SERVER,
        'import os\nlevel = os.getenv("SGLANG_LOG_LEVEL")\nx = 1\n'
        'metrics = os.getenv("SGLANG_ENABLE_METRICS")\n',
    )
    project.git("add", SERVER)
    done = _run(["git", "commit", "-m", "add a raw read"], project.root, environment)
    assert done.returncode == 1, done.stdout + done.stderr
    output = (done.stdout + done.stderr).splitlines()
    assert (
        f"{SERVER}:4:11: ENV001 raw read of SGLANG_ENABLE_METRICS via os.getenv(); "
        "use envs.SGLANG_ENABLE_METRICS.get()"
    ) in output
    assert not any(line.startswith(f"{SERVER}:2:") for line in output)


DEBT = (
    "import os\n\n"
    'timeout = int(os.getenv("SGLANG_TIMEOUT_KEEP_ALIVE", "5"))\n'
    'metrics = os.getenv("SGLANG_ENABLE_METRICS")\n'
)


def _install(project: GitRepo, hook_repo: Path, environment: dict, hooks: list[str]) -> None:
    rev = GitRepo(hook_repo, environment).git("rev-parse", "HEAD").strip()
    ids = "".join(f"\n      - id: {hook}" for hook in hooks)
    (project.root / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hook_repo}\n    rev: {rev}\n    hooks:{ids}\n"
    )
    installed = _pre_commit("install", cwd=project.root, env=environment)
    assert installed.returncode == 0, installed.stdout + installed.stderr


def _commit(project: GitRepo, environment: dict, message: str) -> subprocess.CompletedProcess:
    project.git("add", "-A")
    return _run(["git", "commit", "-m", message], project.root, environment)


def test_changed_lines_hooks_on_a_codebase_with_debt(hook_repo, project, environment):
    """The issue's scenario: old findings (one safe, one unsafe) in a file a commit touches.

    Before: the fix hook rewrote the untouched old line and then failed on every commit
    touching the file. Now a commit is judged, and fixed, by the lines it adds."""
    project.write(SERVER, DEBT)
    project.commit("legacy code, before the hooks")
    _install(project, hook_repo, environment, ["envlint-changed", "envlint-fix-changed"])

    # 1. A comment line in the file with debt: both hooks pass, the old lines stay.
    project.write(SERVER, "# touched\n" + DEBT)
    done = _commit(project, environment, "touch legacy file")
    assert done.returncode == 0, done.stdout + done.stderr
    assert (project.root / SERVER).read_text() == "# touched\n" + DEBT

    # 2. A new line with a safe fix: the fix hook rewrites that line only and stops the
    # commit (pre-commit: the hook modified files); re-staged, the commit goes through.
    project.write(SERVER, "# touched\n" + DEBT + 'level = os.getenv("SGLANG_LOG_LEVEL", "info")\n')
    done = _commit(project, environment, "add a raw read")
    assert done.returncode == 1, done.stdout + done.stderr
    fix = _hook_output(done, "envlint fix (changed lines)")
    assert fix[0].endswith("Failed") and "- files were modified by this hook" in fix
    assert fix[-2:] == ["Fixed 1 finding in 1 file (ENV001: 1).", "2 findings outside --diff-base were left alone."]
    fixed = (project.root / SERVER).read_text()
    assert fixed == (
        "# touched\nimport os\n\nfrom sglang.srt.environ import envs\n\n"
        'timeout = int(os.getenv("SGLANG_TIMEOUT_KEEP_ALIVE", "5"))\n'
        'metrics = os.getenv("SGLANG_ENABLE_METRICS")\n'
        "level = envs.SGLANG_LOG_LEVEL.get()\n"
    )
    done = _commit(project, environment, "add a registry read")
    assert done.returncode == 0, done.stdout + done.stderr

    # 3. A new line with only an unsafe fix: the commit is refused, naming that line alone.
    project.write(SERVER, fixed + 'debug = os.getenv("SGLANG_ENABLE_METRICS")\n')
    done = _commit(project, environment, "add an unsafe raw read")
    assert done.returncode == 1
    new = (
        f"{SERVER}:9:9: ENV001 raw read of SGLANG_ENABLE_METRICS via os.getenv(); "
        "use envs.SGLANG_ENABLE_METRICS.get()"
    )
    check = _hook_output(done, "envlint (changed lines)")
    assert check[0].endswith("Failed") and check[-2:] == [new, "Found 1 finding (1 with unsafe fixes)."]
    fix = _hook_output(done, "envlint fix (changed lines)")
    assert fix[0].endswith("Failed") and "- files were modified by this hook" not in fix
    assert fix[-5:] == [
        new,
        "Fixed 0 findings in 0 files.",
        "1 left: ENV001: 1 (1 with unsafe fixes).",
        "Unsafe fixes change behaviour; review them with --unsafe-fixes --diff.",
        "2 findings outside --diff-base were left alone.",
    ]
    assert (project.root / SERVER).read_text() == fixed + 'debug = os.getenv("SGLANG_ENABLE_METRICS")\n'


def test_whole_file_hooks_with_a_baseline(hook_repo, project, environment, tmp_path):
    """`args: [--baseline, FILE]` on the whole-file hooks: recorded debt does not block."""
    project.write(SERVER, DEBT)
    project.commit("legacy code")
    recorded = _run(
        [sys.executable, "-m", "envlint", "baseline", "-o", "envlint-baseline.json"],
        project.root, environment,
    )
    assert recorded.returncode == 0, recorded.stderr
    rev = GitRepo(hook_repo, environment).git("rev-parse", "HEAD").strip()
    (project.root / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hook_repo}\n    rev: {rev}\n    hooks:\n"
        "      - id: envlint\n        args: [--baseline, envlint-baseline.json]\n"
        "      - id: envlint-fix\n        args: [--baseline, envlint-baseline.json]\n"
    )
    assert _pre_commit("install", cwd=project.root, env=environment).returncode == 0
    project.write(SERVER, "# touched\n" + DEBT)
    done = _commit(project, environment, "touch legacy file")
    assert done.returncode == 0, done.stdout + done.stderr
    assert (project.root / SERVER).read_text() == "# touched\n" + DEBT
