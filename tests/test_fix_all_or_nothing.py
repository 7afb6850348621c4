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


# -- registry edits compose --------------------------------------------------------------

TABLE_REGISTRY = """\
class EnvField: ...
class EnvBool(EnvField): ...
class EnvInt(EnvField): ...
class EnvStr(EnvField): ...


class Envs:
    SGLANG_DISABLE_FOO = EnvBool(True)
    SGL_LEGACY = EnvInt(3)


envs = Envs()

_DEPRECATED_ENVS = {
    "SGLANG_OLD": _DeprecatedEnv(note="gone")%s
}
"""
USE = """\
import os
from sglang.srt.environ import envs


def on():
    return not envs.SGLANG_DISABLE_FOO.get()


N = envs.SGL_LEGACY.get()
X = os.getenv("SGLANG_BRAND_NEW", "x")
"""
INVERT_ENTRY = (
    '    "SGLANG_DISABLE_FOO": _DeprecatedEnv(replacement="SGLANG_ENABLE_FOO", transform=lambda value: '
    '"false" if value.lower() in ("true", "1", "yes", "y") else "true"),\n'
)


def _table_project(tmp_path: Path, trailing_comma: bool) -> Path:
    root = tmp_path / "table"
    (root / "sglang/srt").mkdir(parents=True)
    (root / "pyproject.toml").write_text("[tool.envlint]\n")
    (root / "sglang/srt/environ.py").write_text(TABLE_REGISTRY % ("," if trailing_comma else ""))
    (root / "sglang/srt/use.py").write_text(USE)
    return root


def test_a_rename_an_inversion_and_a_new_descriptor_in_one_registry_compose(tmp_path):
    # Both deprecation entries go after the table's last entry: one insertion point,
    # which used to read as an overlap that blocked every edit of the registry.
    root = _table_project(tmp_path, trailing_comma=True)
    proc = envlint("fix", "--unsafe-fixes", ".", cwd=root)
    assert (proc.returncode, proc.stderr) == (0, ""), proc.stdout + proc.stderr
    assert proc.stdout == "Fixed 4 findings in 2 files (ENV001: 1, ENV002: 2, ENV003: 1).\n"
    registry = (root / "sglang/srt/environ.py").read_text()
    assert registry.endswith(
        "class Envs:\n"
        "    SGLANG_ENABLE_FOO = EnvBool(False)\n"
        "    SGLANG_LEGACY = EnvInt(3)\n\n"
        "    # Migrated from raw environment reads (envlint fix)\n"
        '    SGLANG_BRAND_NEW = EnvStr("x")\n\n\n'
        "envs = Envs()\n\n"
        "_DEPRECATED_ENVS = {\n"
        '    "SGLANG_OLD": _DeprecatedEnv(note="gone"),\n'
        + INVERT_ENTRY
        + '    "SGL_LEGACY": _DeprecatedEnv(replacement="SGLANG_LEGACY"),\n'
        "}\n"
    )
    assert (root / "sglang/srt/use.py").read_text() == (
        "from sglang.srt.environ import envs\n\n\ndef on():\n    return envs.SGLANG_ENABLE_FOO.get()\n\n\n"
        "N = envs.SGLANG_LEGACY.get()\nX = envs.SGLANG_BRAND_NEW.get()\n"
    )
    assert envlint("fix", "--unsafe-fixes", "--diff", ".", cwd=root).stdout == ""


def test_a_true_conflict_blocks_only_the_edits_involved(tmp_path):
    # No trailing comma after the table's last entry: neither deprecation entry can be
    # appended, so the rename and the inversion wait (with their use sites); the
    # unrelated new descriptor and its call site still go in.
    root = _table_project(tmp_path, trailing_comma=False)
    proc = envlint("fix", "--unsafe-fixes", ".", cwd=root)
    assert proc.stderr.splitlines() == [
        "envlint: note: sglang/srt/environ.py: the inversion of SGLANG_DISABLE_FOO not applied: "
        "the _DEPRECATED_ENVS table's last entry has no trailing comma",
        "envlint: note: sglang/srt/environ.py: the rename of SGL_LEGACY not applied: "
        "the _DEPRECATED_ENVS table's last entry has no trailing comma",
    ]
    assert "Fixed 1 finding in 2 files (ENV001: 1)." in proc.stdout
    registry = (root / "sglang/srt/environ.py").read_text()
    assert "SGLANG_DISABLE_FOO = EnvBool(True)\n    SGL_LEGACY = EnvInt(3)\n" in registry
    assert '    SGLANG_BRAND_NEW = EnvStr("x")\n' in registry
    assert (root / "sglang/srt/use.py").read_text() == USE.replace("import os\n", "").replace(
        'os.getenv("SGLANG_BRAND_NEW", "x")', "envs.SGLANG_BRAND_NEW.get()"
    )
