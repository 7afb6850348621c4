"""``per-file-ignores`` in ``[tool.envlint]``: flake8's glob semantics, in check, fix, baseline
and the flake8 plugin; and flake8's own ``--per-file-ignores`` still works on envlint's codes."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from envlint.perfile import ignored_codes, normalize_pattern
from gitrepo import REGISTRY, REGISTRY_PATH

READ = 'import os\nx = os.getenv("SGLANG_LOG_LEVEL", "info")\ny = os.getenv("SGL_OLD")\n'


def _rules(root: Path, table: dict[str, tuple[str, ...]]):
    return tuple((normalize_pattern(pattern, root), codes) for pattern, codes in table.items())


@pytest.mark.parametrize(
    "pattern,path,matches",
    [
        ("conftest.py", "conftest.py", True),
        ("conftest.py", "deep/er/conftest.py", True),  # no "/": the file name, anywhere
        ("test_*.py", "pkg/tests/test_io.py", True),
        ("*tests*", "pkg/tests/io.py", True),  # no "/": also the absolute path (flake8)
        ("tests/*", "tests/test_io.py", True),
        ("tests/*", "tests/deep/io.py", True),  # fnmatch: "*" crosses "/"
        ("tests/*", "pkg/tests/io.py", False),  # with "/": anchored at the project root
        ("./tests/*.py", "tests/io.py", True),
        ("*/tests/*", "pkg/tests/io.py", True),
        ("tests/", "tests/io.py", False),  # flake8 strips the slash: the directory itself only
        ("scripts/run.py", "scripts/run.py", True),
        ("scripts/run.py", "other/scripts/run.py", False),
    ],
)
def test_glob_semantics_are_flake8s(tmp_path, pattern, path, matches):
    rules = _rules(tmp_path, {pattern: ("ENV001",)})
    assert ignored_codes(rules, tmp_path / path) == (("ENV001",) if matches else ())


def _project(root: Path, table: str) -> Path:
    (root / "pyproject.toml").write_text(f"[tool.envlint]\n{textwrap.dedent(table)}")
    (root / REGISTRY_PATH).parent.mkdir(parents=True)
    (root / REGISTRY_PATH).write_text(REGISTRY)
    for name in ("tests/test_server.py", "tests/unit/test_io.py", "src/server.py", "tools/conftest.py"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(READ)
    return root


CONFIG = """\
per-file-ignores = {"tests/*" = ["ENV001"], "conftest.py" = ["ENV"]}
"""


def test_check_honours_per_file_ignores(tmp_path, run_cli):
    root = _project(tmp_path, CONFIG)
    code, out, err = run_cli("check", "--no-cache", "--format", "json", "src", "tests", "tools", cwd=root)
    assert (code, err) == (1, "")
    # One site, one finding: the raw read of the legacy SGL_OLD is ENV001's (its message names
    # the alias), so ignoring ENV001 below tests/ silences that site too, exactly as flake8's own
    # --per-file-ignores does with the plugin's output.
    assert [(f["path"], f["line"], f["code"]) for f in json.loads(out)] == [
        ("src/server.py", 2, "ENV001"),
        ("src/server.py", 3, "ENV001"),
    ]
    assert "legacy alias" in json.loads(out)[1]["message"]


def test_per_file_ignores_do_not_leak_through_the_cache(tmp_path, run_cli):
    """Two files with the same content and module name share a cache entry; the ignore is
    per path, so it must not travel with the entry."""
    root = _project(tmp_path, 'per-file-ignores = {"a/*" = ["ENV"]}\n')
    for folder in ("a", "b"):
        (root / folder).mkdir()
        (root / folder / "conftest.py").write_text(READ)
    for _ in range(2):  # cold cache, then warm cache
        code, out, _ = run_cli("check", "--format", "json", "a", "b", cwd=root)
        assert {f["path"] for f in json.loads(out)} == {"b/conftest.py"}


def test_fix_leaves_ignored_files_alone(tmp_path, run_cli):
    root = _project(tmp_path, CONFIG)
    code, out, err = run_cli("fix", "src", "tests", cwd=root)
    assert (root / "tests/test_server.py").read_text() == READ
    assert (root / "src/server.py").read_text() == (
        "import os\n\nfrom sglang.srt.environ import envs\n"
        'x = envs.SGLANG_LOG_LEVEL.get()\ny = os.getenv("SGL_OLD")\n'
    )
    assert "Fixed 1 finding in 1 file (ENV001: 1)." in out.splitlines()


def test_baseline_records_what_check_reports(tmp_path, run_cli):
    root = _project(tmp_path, CONFIG)
    code, out, _ = run_cli("baseline", "src", "tests", "tools", "-o", "baseline.json", cwd=root)
    assert out == "Recorded 2 findings in baseline.json (ENV001: 2).\n"


def _flake8(root: Path, *args: str) -> list[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "flake8", "--select", "ENV", *args],
        cwd=root, capture_output=True, text=True,
    )
    assert proc.stderr == ""
    return sorted(proc.stdout.splitlines())


def test_flake8_plugin_honours_envlint_per_file_ignores(tmp_path):
    root = _project(tmp_path, CONFIG)
    assert [line.split(" ")[:2] for line in _flake8(root, "src", "tests", "tools")] == [
        ["src/server.py:2:5:", "ENV001"],
        ["src/server.py:3:5:", "ENV001"],
    ]


def test_flake8s_own_per_file_ignores_still_work(tmp_path):
    root = _project(tmp_path, "")
    lines = _flake8(root, "--per-file-ignores=tests/*:ENV001 src/*:ENV002", "src", "tests", "tools")
    assert [line.split(" ")[:2] for line in lines] == [
        ["src/server.py:2:5:", "ENV001"],
        ["src/server.py:3:5:", "ENV001"],
        ["tools/conftest.py:2:5:", "ENV001"],
        ["tools/conftest.py:3:5:", "ENV001"],
    ]
