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

import os
import shutil
import subprocess
import sys
from pathlib import Path


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
        "    # Brand\n"  # no section fits: a new one, named after the key's first word
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


# -- the write phase: groups, unwritable files, concurrent edits ---------------------------------

NEEDS_NEW_KEY = 'import os\nX = os.getenv("SGLANG_BRAND_NEW", "x")\n'
INDEPENDENT = 'import os\nY = os.getenv("SGLANG_LOG_LEVEL", "info")\n'


def _unwritable(monkeypatch, marker: str) -> None:
    """No file can be created whose name contains ``marker`` (as in a read-only directory)."""
    import envlint.fixer  # noqa: F401 - imported before os.open is replaced

    real_open = os.open

    def guarded_open(path, flags, *args, **kwargs):
        if flags & os.O_CREAT and marker in os.fsdecode(path):
            raise PermissionError(13, "Permission denied", os.fsdecode(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", guarded_open)


def test_a_registry_that_cannot_be_written_takes_its_call_sites_along(tmp_path, monkeypatch, run_cli):
    root = _project(
        tmp_path,
        {"python/sglang/other/needs.py": NEEDS_NEW_KEY, "python/sglang/other/alone.py": INDEPENDENT},
    )
    before = _snapshot(root)
    _unwritable(monkeypatch, ".environ.py.")
    code, out, err = run_cli("fix", "--select", "ENV001", "python/sglang/other", cwd=root)
    monkeypatch.undo()
    assert code == 1
    # Only what was written is counted: alone.py; needs.py waits for its registry.
    assert "Fixed 1 finding in 1 file (ENV001: 1).\n1 left: ENV001: 1 (1 with blocked fixes).\n" in out
    assert err.splitlines() == [
        "envlint: error: python/sglang/srt/environ.py: not written: Permission denied",
        "envlint: error: python/sglang/other/needs.py: not written: it goes with "
        "python/sglang/srt/environ.py, which was not written",
    ]
    after = _snapshot(root)
    changed = sorted(k for k in after if after[k] != before.get(k))
    assert changed == ["python/sglang/other/alone.py"]
    assert not [p for p in root.rglob("*") if p.name.endswith(".envlint") or p.name == ".envlint-fix.journal"]
    # The project is not broken: no call site uses a key the registry lacks.
    code, out, _ = run_cli("check", "-q", "--select", "ENV006", "--no-cache", ".", cwd=root)
    assert (code, out) == (0, "")


def _during_write(monkeypatch, action) -> None:
    """Run ``action`` after fix computed its changes, just before it writes them."""
    from envlint.fixer import Fixer

    original = Fixer.write

    def write(self):
        action()
        return original(self)

    monkeypatch.setattr(Fixer, "write", write)


def test_a_line_appended_while_fix_runs_is_not_lost(tmp_path, monkeypatch, run_cli):
    root = _project(
        tmp_path,
        {"python/sglang/other/busy.py": INDEPENDENT, "python/sglang/other/calm.py": INDEPENDENT},
    )
    busy = root / "python/sglang/other/busy.py"
    _during_write(monkeypatch, lambda: busy.write_text(INDEPENDENT + "Z = 1  # typed meanwhile\n"))
    code, out, err = run_cli("fix", "--select", "ENV001", "python/sglang/other", cwd=root)
    assert code == 1
    assert busy.read_text() == INDEPENDENT + "Z = 1  # typed meanwhile\n"
    assert err == "envlint: error: python/sglang/other/busy.py: not written: changed while fix ran (run fix again)\n"
    assert "Fixed 1 finding in 1 file (ENV001: 1)." in out
    assert "envs.SGLANG_LOG_LEVEL.get()" in (root / "python/sglang/other/calm.py").read_text()


def test_a_file_deleted_while_fix_runs_is_not_recreated(tmp_path, monkeypatch, run_cli):
    root = _project(tmp_path, {"python/sglang/other/gone.py": INDEPENDENT})
    gone = root / "python/sglang/other/gone.py"
    _during_write(monkeypatch, gone.unlink)
    code, out, err = run_cli("fix", "--select", "ENV001", "python/sglang/other", cwd=root)
    assert code == 1
    assert not gone.exists()
    assert err == "envlint: error: python/sglang/other/gone.py: not written: deleted while fix ran (not re-created)\n"
    assert "Fixed 0 findings in 0 files." in out


def test_a_call_site_changed_meanwhile_holds_back_its_registry_edit(tmp_path, monkeypatch, run_cli):
    root = _project(tmp_path, {"python/sglang/other/needs.py": NEEDS_NEW_KEY})
    needs = root / "python/sglang/other/needs.py"
    registry_before = (root / REGISTRY).read_bytes()
    _during_write(monkeypatch, lambda: needs.write_text(NEEDS_NEW_KEY + "# edited\n"))
    code, out, err = run_cli("fix", "--select", "ENV001", "python/sglang/other", cwd=root)
    assert code == 1
    assert err.splitlines() == [
        "envlint: error: python/sglang/srt/environ.py: not written: it goes with "
        "python/sglang/other/needs.py, which was not written",
        "envlint: error: python/sglang/other/needs.py: not written: changed while fix ran (run fix again)",
    ]
    assert (root / REGISTRY).read_bytes() == registry_before
    assert needs.read_text() == NEEDS_NEW_KEY + "# edited\n"


# -- odd input in the fix phase: one line, file unchanged, the run goes on -------------------------


def test_a_rewrite_the_file_encoding_cannot_hold_is_not_applied(tmp_path):
    latin = b'# -*- coding: latin-1 -*-\nimport os\nx = os.environ.get("SGLANG_\\u03a9X", "a")\n'
    root = _project(tmp_path, {"python/sglang/other/latin.py": "", "python/sglang/other/fine.py": INDEPENDENT})
    (root / "python/sglang/other/latin.py").write_bytes(latin)
    proc = envlint("fix", "--unsafe-fixes", "--select", "ENV001", "python/sglang/other", cwd=root)
    assert "Traceback" not in proc.stderr
    assert proc.returncode == 1
    assert proc.stderr == (
        "envlint: error: python/sglang/other/latin.py: not fixed: the rewrite needs '\u03a9', which "
        "iso-8859-1 cannot encode; file left unchanged\n"
    )
    assert (root / "python/sglang/other/latin.py").read_bytes() == latin
    assert "envs.SGLANG_LOG_LEVEL.get()" in (root / "python/sglang/other/fine.py").read_text()


def test_a_recursion_error_while_rewriting_is_one_error_line(tmp_path, monkeypatch, run_cli):
    # compile() and pyflakes recurse further than ast: a file ast parsed can still
    # exhaust them. Simulated here at the compile step, for one file of two.
    from envlint.fixes import rewrite as fixer

    root = _project(
        tmp_path, {"python/sglang/other/deep.py": INDEPENDENT, "python/sglang/other/flat.py": INDEPENDENT}
    )
    real = fixer._compiled_tree

    def compiled_tree(text, path):
        if path.name == "deep.py":
            raise RecursionError("maximum recursion depth exceeded during compilation")
        return real(text, path)

    monkeypatch.setattr(fixer, "_compiled_tree", compiled_tree)
    code, out, err = run_cli("fix", "-j", "1", "--select", "ENV001", "python/sglang/other", cwd=root)
    assert code == 1
    assert err == (
        "envlint: error: python/sglang/other/deep.py: not fixed: nested too deeply to process; "
        "file left unchanged\n"
    )
    assert (root / "python/sglang/other/deep.py").read_text() == INDEPENDENT
    assert "envs.SGLANG_LOG_LEVEL.get()" in (root / "python/sglang/other/flat.py").read_text()


def test_a_deeply_nested_expression_is_one_error_line_under_fix(tmp_path):
    deep = (
        "from sglang.srt.utils.common import get_bool_env_var\nx = "
        + "not " * 1000
        + 'get_bool_env_var("SGLANG_LOG_GC")\n'
    )
    root = _project(tmp_path, {"python/sglang/other/deep.py": deep, "python/sglang/other/flat.py": INDEPENDENT})
    proc = envlint("fix", "--unsafe-fixes", "python/sglang/other", cwd=root)
    assert "Traceback" not in proc.stderr
    assert proc.returncode == 1
    assert [line for line in proc.stderr.splitlines() if "deep.py" in line][0].startswith(
        "envlint: error: python/sglang/other/deep.py: "
    )
    assert (root / "python/sglang/other/deep.py").read_text() == deep
    assert "envs.SGLANG_LOG_LEVEL.get()" in (root / "python/sglang/other/flat.py").read_text()


def test_a_second_fix_writing_at_the_same_time_writes_nothing(tmp_path, run_cli):
    import fcntl

    root = _project(tmp_path, {"python/sglang/other/calm.py": INDEPENDENT})
    held = os.open(root, os.O_RDONLY)  # what a fix in the middle of its write phase holds
    try:
        fcntl.flock(held, fcntl.LOCK_EX)
        code, out, err = run_cli("fix", "--select", "ENV001", "python/sglang/other", cwd=root)
    finally:
        os.close(held)
    assert code == 1, out + err
    assert err == (
        "envlint: error: python/sglang/other/calm.py: not written: another envlint fix is writing this project\n"
    )
    assert "Fixed 0 findings in 0 files." in out
    assert (root / "python/sglang/other/calm.py").read_text() == INDEPENDENT
