"""``envlint fix`` killed with SIGKILL while writing: the next run sees the original or the fixed project.

The writer's test hook ``ENVLINT_TEST_KILL_AT=<phase>:<n>`` kills the process
at the n-th checkpoint of a phase of ``envlint.transaction``. The project has a
registry that must gain a descriptor and three call sites that need it (one
group of four files), plus an unrelated file. After each kill:

* the next ``envlint check`` finishes or undoes the interrupted fix: the tree
  is byte for byte the original (killed before ``commit``) or the fully fixed
  one (killed after), with no temporary file and no journal left;
* after a roll-back, the next ``envlint fix`` leaves the fully fixed tree.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES

FIX_PROJECT = FIXTURES / "fix_project"
OTHER = "python/sglang/other"
FILES = {
    f"{OTHER}/a.py": 'import os\nA = os.getenv("SGLANG_FAULT_NEW", "x")\n',
    f"{OTHER}/b.py": 'import os\nB = os.getenv("SGLANG_FAULT_NEW", "x")\n',
    f"{OTHER}/c.py": 'import os\nC = os.getenv("SGLANG_FAULT_NEW", "x")\n',
    f"{OTHER}/d.py": 'import os\nD = os.getenv("SGLANG_LOG_LEVEL", "info")\n',
}
ARGS = ("fix", "--select", "ENV001", OTHER)


def envlint(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "envlint", *args],
        cwd=cwd, capture_output=True, text=True, check=False, env={**os.environ, **(env or {})},
    )


def _tree(root: Path) -> Path:
    shutil.copytree(FIX_PROJECT, root, ignore=shutil.ignore_patterns("cases", "cases.py", "unprovable_cases.py"))
    for relative, content in FILES.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(content)
    return root


def _snapshot(root: Path) -> dict[str, bytes]:
    """Every file (temporaries and journal included), caches aside."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts and ".envlint_cache" not in p.parts
    }


@pytest.fixture(scope="module")
def trees(tmp_path_factory):
    base = tmp_path_factory.mktemp("faults")
    original = _tree(base / "original")
    fixed = _tree(base / "fixed")
    proc = envlint(*ARGS, cwd=fixed)
    assert "Fixed 4 findings in 5 files (ENV001: 4)." in proc.stdout, proc.stdout + proc.stderr
    return base, _snapshot(original), _snapshot(fixed)


# Files in write order: the registry group (registry first), then d.py alone.
KILLS = [
    ("journal:1", "original"),  # journal written, no temporary file yet
    ("temporary:2", "original"),  # the registry's and a call site's new content prepared
    ("commit:1", "fixed"),  # every new content prepared and committed, nothing renamed
    ("replace:1", "fixed"),  # the registry renamed, its call sites not yet
    ("replace:3", "fixed"),  # two call sites still old
]


@pytest.mark.parametrize("kill_at,expected", KILLS)
def test_a_killed_fix_is_finished_or_undone_by_the_next_run(trees, kill_at, expected):
    base, original, fixed = trees
    root = _tree(base / kill_at.replace(":", "_"))
    killed = envlint(*ARGS, cwd=root, env={"ENVLINT_TEST_KILL_AT": kill_at})
    assert killed.returncode == -signal.SIGKILL, killed.stdout + killed.stderr
    assert (root / ".envlint-fix.journal").exists()  # the kill left work for the next run

    check = envlint("check", "-q", "--no-cache", OTHER, cwd=root)
    assert "Traceback" not in check.stderr
    if expected == "fixed":
        assert "envlint: note: completed a fix that was interrupted" in check.stderr
        assert _snapshot(root) == fixed
        return
    assert "envlint: note: rolled back a fix that was interrupted" in check.stderr
    assert _snapshot(root) == original
    again = envlint(*ARGS, cwd=root)
    assert "Fixed 4 findings in 5 files (ENV001: 4)." in again.stdout
    assert _snapshot(root) == fixed


def test_recovery_leaves_a_file_edited_after_the_kill_alone(trees):
    base, _, fixed = trees
    root = _tree(base / "edited_after_kill")
    killed = envlint(*ARGS, cwd=root, env={"ENVLINT_TEST_KILL_AT": "replace:1"})
    assert killed.returncode == -signal.SIGKILL
    edited = root / OTHER / "c.py"
    edited.write_text(FILES[f"{OTHER}/c.py"] + "# edited after the kill\n")
    check = envlint("check", "-q", "--no-cache", OTHER, cwd=root)
    assert (
        f"envlint: error: {OTHER}/c.py: changed after a fix was interrupted; left as it is, "
        "the fix not completed"
    ) in check.stderr
    assert check.returncode == 1
    assert edited.read_text().endswith("# edited after the kill\n")
    after = _snapshot(root)
    assert {k: v for k, v in after.items() if not k.endswith("c.py")} == {
        k: v for k, v in fixed.items() if not k.endswith("c.py")
    }
