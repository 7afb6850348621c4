"""ENV003's inversion never leaves a use of the old name or meaning behind.

Measured on sglang 0.5.5 (``fix --unsafe-fixes``): the inversion of
``SGLANG_DISABLE_OUTLINES_DISK_CACHE`` renamed the entry while, in the same pass,
ENV001 rewrote ``get_bool_env_var("SGLANG_DISABLE_OUTLINES_DISK_CACHE", "true")`` to
the old descriptor; the next pass "repaired" the now undefined attribute with ENV006's
did-you-mean, without a ``not``: the value was silently inverted. And
``server_args.py`` kept writing the old name raw, which no reader read any more.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REGISTRY = """\
class EnvField: ...
class EnvBool(EnvField): ...


class Envs:
    SGLANG_DISABLE_FOO = EnvBool(True)


envs = Envs()

_DEPRECATED_ENVS = {
    "SGLANG_OLD": _DeprecatedEnv(note="gone"),
}
"""
USE = """\
from sglang.srt.environ import envs


def on():
    return not envs.SGLANG_DISABLE_FOO.get()
"""
RAW_READ = """\
from sglang.srt.utils import get_bool_env_var

DISABLED = get_bool_env_var("SGLANG_DISABLE_FOO", "true")
"""


def envlint(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "envlint", *args], cwd=cwd, capture_output=True, text=True)


def _project(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "project"
    (root / "sglang/srt").mkdir(parents=True)
    (root / "pyproject.toml").write_text("[tool.envlint]\n")
    (root / "sglang/srt/environ.py").write_text(REGISTRY)
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_a_raw_read_rewritten_in_the_same_run_is_inverted_too(tmp_path):
    root = _project(tmp_path, {"sglang/srt/use.py": USE, "sglang/srt/raw.py": RAW_READ})
    proc = envlint("fix", "--unsafe-fixes", ".", cwd=root)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (proc.stdout, proc.stderr) == ("Fixed 2 findings in 3 files (ENV001: 1, ENV003: 1).\n", "")
    assert "SGLANG_ENABLE_FOO = EnvBool(False)" in (root / "sglang/srt/environ.py").read_text()
    assert (root / "sglang/srt/use.py").read_text().endswith("    return envs.SGLANG_ENABLE_FOO.get()\n")
    # Was: `DISABLED = envs.SGLANG_ENABLE_FOO.get()`, the opposite value.
    assert (root / "sglang/srt/raw.py").read_text().endswith("DISABLED = not envs.SGLANG_ENABLE_FOO.get()\n")
    assert envlint("fix", "--unsafe-fixes", "--diff", ".", cwd=root).stdout == ""


def test_a_raw_access_that_stays_blocks_the_inversion(tmp_path):
    # A write that copies the CLI setting keeps its raw form (ENV017 would report its
    # envs form): it would go on writing the old name, which no reader reads after.
    write = 'import os\n\n\ndef apply(args):\n    os.environ["SGLANG_DISABLE_FOO"] = "1" if args.disable_foo else "0"\n'
    root = _project(tmp_path, {"sglang/srt/use.py": USE, "sglang/srt/server_args.py": write})
    proc = envlint("fix", "--unsafe-fixes", ".", cwd=root)
    assert (
        "envlint: note: SGLANG_DISABLE_FOO not inverted: spelt as a string in sglang/srt/server_args.py, "
        "an access that would keep the old name and meaning"
    ) in proc.stderr.splitlines()
    assert (root / "sglang/srt/environ.py").read_text() == REGISTRY
    assert (root / "sglang/srt/use.py").read_text() == USE
    assert (root / "sglang/srt/server_args.py").read_text() == write


def test_set_is_inverted_only_for_a_boolean_value(tmp_path):
    strings = USE + '\n\ndef enable(on):\n    envs.SGLANG_DISABLE_FOO.set("0" if on else "1")\n'
    root = _project(tmp_path, {"sglang/srt/use.py": strings})
    proc = envlint("fix", "--unsafe-fixes", ".", cwd=root)
    assert "SGLANG_DISABLE_FOO not inverted: sglang/srt/use.py:9: use that cannot be inverted mechanically" in proc.stderr
    assert (root / "sglang/srt/use.py").read_text() == strings

    booleans = USE + "\n\ndef enable(mode):\n    envs.SGLANG_DISABLE_FOO.set(mode == \"off\")\n"
    root = _project(tmp_path / "b", {"sglang/srt/use.py": booleans})
    assert envlint("fix", "--unsafe-fixes", ".", cwd=root).returncode == 0
    assert (root / "sglang/srt/use.py").read_text().endswith(
        '    envs.SGLANG_ENABLE_FOO.set(not (mode == "off"))\n'
    )


def test_a_later_pass_fixes_only_findings_the_first_check_reported(tmp_path):
    """The did-you-mean of ENV006 is applied in a later pass to a finding ``check``
    reported (its fix appeared once this run registered a key), never to one the run
    itself created: on sglang 0.5.5 that "repaired" a use an inversion had left behind,
    without its ``not``."""
    from envlint.findings import SAFE, Finding, Fix
    from envlint.fixer import Fixer
    from envlint.runner import prepare

    root = _project(tmp_path, {"sglang/srt/use.py": USE})
    project, files = prepare([root])
    fixer = Fixer(project.config, files, unsafe=True)
    path = root / "sglang/srt/use.py"
    reported = Finding(str(path), 5, 16, "ENV006", 5, 40, "m", key="SGLANG_TYPO", snippet="envs.SGLANG_TYPO")
    fixer._remember_check(project, {path: type("R", (), {"findings": [reported]})()})
    later = prepare([root])[0]  # another pass: another Project
    fix = Fix(SAFE, "did you mean", ())
    same = Finding(str(path), 5, 16, "ENV006", 5, 40, "m", key="SGLANG_TYPO", fix=fix, snippet="envs.SGLANG_TYPO")
    created = Finding(str(path), 7, 16, "ENV006", 7, 40, "m", key="SGLANG_GONE", fix=fix, snippet="envs.SGLANG_GONE")
    assert fixer._as_checked(later, path, same)
    assert not fixer._as_checked(later, path, created)
