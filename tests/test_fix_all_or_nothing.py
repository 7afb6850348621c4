"""``envlint fix`` over a project: one consistent result, counted truthfully.

* a second run changes nothing (a registry edit re-checks the files it affects);
* registry edits that do not truly conflict compose; a true conflict blocks
  only the edits involved;
* a registry that cannot be written takes the call sites that need it along:
  nothing is written that would use a key the registry did not get, and the
  summary counts only what was written;
* a file changed or deleted while fix ran is not overwritten or re-created.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES

FIX_PROJECT = FIXTURES / "fix_project"
REGISTRY = "python/sglang/srt/environ.py"


def envlint(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "envlint", *args], cwd=cwd, capture_output=True, text=True, check=False
    )


def _project(tmp_path: Path, files: dict[str, str]) -> Path:
    """The fix fixture's registry and helpers plus ``files``."""
    root = tmp_path / "proj"
    shutil.copytree(FIX_PROJECT, root, ignore=shutil.ignore_patterns("cases", "cases.py", "unprovable_cases.py"))
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    return root


def _snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


# -- idempotence -------------------------------------------------------------------------


def test_a_registry_edit_rechecks_the_files_it_affects(tmp_path):
    # Registering SGLANG_FUZZ_B (for a.py) gives b.py's unknown SGLANG_FUZZ_A a
    # did-you-mean fix; b.py does not mention the new key, and was not re-checked.
    root = _project(
        tmp_path,
        {
            "python/sglang/other/a.py": 'import os\nx = os.getenv("SGLANG_FUZZ_B")\n',
            "python/sglang/other/b.py": "from sglang.srt.environ import envs\ny = envs.SGLANG_FUZZ_A.get()\n",
        },
    )
    first = envlint("fix", "--unsafe-fixes", "--select", "ENV001,ENV006", "python/sglang/other", cwd=root)
    assert first.stdout == "Fixed 2 findings in 3 files (ENV001: 1, ENV006: 1).\n", first.stdout + first.stderr
    assert (root / "python/sglang/other/b.py").read_text().endswith("y = envs.SGLANG_FUZZ_B.get()\n")
    second = envlint("fix", "--unsafe-fixes", "--diff", "python/sglang/other", cwd=root)
    assert second.stdout == "" and second.returncode == 0, second.stdout + second.stderr
