"""Real flake8, in a subprocess, against the installed envlint plugin."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

from conftest import SGLANG_PROJECT

_LINE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Z]+\d+) ")


def _flake8(*args: str, cwd):
    return subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


def _envlint_json(cwd, *paths: str):
    proc = subprocess.run(
        [sys.executable, "-m", "envlint", "check", "--format", "json", *paths],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )
    return {(f["path"], f["line"], f["column"], f["code"]) for f in json.loads(proc.stdout)}


def test_plugin_is_registered():
    proc = subprocess.run(
        [sys.executable, "-m", "flake8", "--version"], capture_output=True, text=True, check=True
    )
    # flake8 names a plugin by its distribution: envlint-ml (the import package is envlint).
    assert "envlint-ml:" in proc.stdout


def test_flake8_agrees_with_envlint_check(sglang_project):
    proc = _flake8("--select", "ENV", "python", "test", cwd=sglang_project)
    assert proc.returncode == 1, proc.stderr
    found = set()
    for line in proc.stdout.splitlines():
        match = _LINE.match(line)
        assert match, line
        found.add((match["path"].removeprefix("./"), int(match["line"]), int(match["col"]), match["code"]))
    assert found == _envlint_json(sglang_project, "python", "test")
    assert len(found) > 50


def test_flake8_noqa_and_disable_noqa(sglang_project):
    quiet = _flake8("--select", "ENV001", "python/sglang/srt/layers/attention.py", cwd=sglang_project)
    loud = _flake8(
        "--select", "ENV001", "--disable-noqa", "python/sglang/srt/layers/attention.py", cwd=sglang_project
    )
    quiet_lines = {int(line.split(":")[1]) for line in quiet.stdout.splitlines()}
    loud_lines = {int(line.split(":")[1]) for line in loud.stdout.splitlines()}
    source = (sglang_project / "python/sglang/srt/layers/attention.py").read_text().splitlines()
    silenced = {n for n, text in enumerate(source, 1) if text.startswith("QUIET") and "expect" not in text}
    assert len(silenced) == 3
    # The noqa'd reads come back only under --disable-noqa.
    assert loud_lines - quiet_lines == silenced


def test_flake8_message_format(sglang_project):
    proc = _flake8("--select", "ENV", "python/sglang/srt/writes.py", cwd=sglang_project)
    assert proc.stdout.splitlines()[0] == (
        "python/sglang/srt/writes.py:7:5: ENV001 raw write of SGLANG_LOG_GC via os.environ[...]; "
        "use envs.SGLANG_LOG_GC.set(...)"
    )


def test_flake8_honours_envlint_configuration(tmp_path):
    shutil.copytree(SGLANG_PROJECT / "python", tmp_path / "python")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.envlint]\nignore = ["ENV003"]\nextend-exclude = ["skipme"]\n'
    )
    (tmp_path / "skipme").mkdir()
    (tmp_path / "skipme/s.py").write_text('import os\nx = os.getenv("SGLANG_LOG_GC")\n')
    proc = _flake8("--select", "ENV", ".", cwd=tmp_path)
    assert "ENV003" not in proc.stdout and "skipme" not in proc.stdout
    codes = {(m["path"].removeprefix("./"), int(m["line"]), m["code"])
             for m in map(_LINE.match, proc.stdout.splitlines())}
    assert codes == {(p, l, c) for p, l, _, c in _envlint_json(tmp_path, ".")}


def test_flake8_finds_registries_below_the_root(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'mono'\n")
    shutil.copytree(SGLANG_PROJECT / "python", tmp_path / "third_party/sglang/python")
    (tmp_path / "tools").mkdir()
    (tmp_path / "tools/t.py").write_text(
        "from sglang.srt.environ import envs\nif envs.SGLANG_LOG_GC:\n    pass\n"
    )
    proc = _flake8("--select", "ENV", "tools/t.py", cwd=tmp_path)
    assert proc.stdout.startswith("tools/t.py:2:4: ENV004 envs.SGLANG_LOG_GC is the descriptor")
    envlint = _envlint_json(tmp_path, "tools/t.py")
    assert envlint == {("tools/t.py", 2, 4, "ENV004")}
