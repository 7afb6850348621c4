"""`envlint fix`: exact rewritten output, idempotence, and a differential proof of safety.

The fixture tree ``fixtures/fix_project`` is importable sglang-shaped code. Its
``case_*`` functions are executed (in a subprocess, by ``differential_runner.py``)
before and after fixing, with every key unset and set to several valid values:

* modules of safe cases must behave identically after ``envlint fix``;
* ``unsafe_cases`` must behave *differently* for some value after
  ``envlint fix --unsafe-fixes`` — the "unsafe" label must be deserved;
* every safe fix envlint proposes on the tree sits inside a case the harness runs.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from conftest import FIXTURES

FIX_PROJECT = FIXTURES / "fix_project"
EXPECTED = FIXTURES / "fix_expected"
RUNNER = Path(__file__).with_name("differential_runner.py")

SAFE_MODULES = (
    "sglang.srt.cases.safe_reads",
    "sglang.srt.cases.safe_writes",
    "sglang.multimodal_gen.cases",
    "sglang.srt.cases.untouched",
)
UNSAFE_MODULES = ("sglang.srt.cases.unsafe_cases",)

# The variables the cases read, by type, and values to set them to. Chosen here,
# independently of envlint's own sample matrix, so the harness checks the oracle.
KEYS = {
    "bool": [
        "SGLANG_LOG_GC", "SGLANG_LOG_MS", "SGLANG_ENABLE_TORCH_COMPILE", "SGLANG_ENABLE_SPEC_V2",
        "SGLANG_USE_AITER", "SGLANG_IS_IN_CI", "SGLANG_DSA_FUSE_TOPK", "SGLANG_NSA_FUSE_TOPK",
        "SGLANG_TEST_RETRACT", "SGLANG_DISABLE_OUTLINES_CACHE", "SGLANG_DIFFUSION_STAGE_LOGGING",
    ],
    "int": [
        "SGLANG_SCHEDULER_RECV_INTERVAL", "SGLANG_SCHEDULER_BATCH", "SGLANG_SCHEDULER_WARMUP_STEPS",
        "SGLANG_TEST_MAX_RETRY", "SGL_KERNEL_CACHE_SIZE", "SGLANG_CACHE_DIT_FN",
    ],
    "float": ["SGLANG_SCHEDULER_POLL_TIMEOUT", "SGLANG_CACHE_DIT_RDT"],
    "str": ["SGLANG_LOG_LEVEL", "SGLANG_MODEL_NAME", "SGLANG_TRACE_OUTPUT_PATH", "SGLANG_CACHE_DIR"],
}
VALUES = {
    "bool": ["true", "1", "yes", "y", "TRUE", "Yes", "false", "0", "no", "n", "FALSE", "No"],
    "int": ["0", "7", "-3", " 12 ", "+5", "1_000"],
    "float": ["0.25", "3", "1e-3", "-2.5", " 4 ", "inf"],
    "str": ["", "abc", "None", "~/x", " spaced "],
}


def _rows() -> list[dict[str, str]]:
    rows: list[dict[str, str]] = [{}]
    for index in range(max(len(v) for v in VALUES.values())):
        row = {}
        for kind, keys in KEYS.items():
            for key in keys:
                row[key] = VALUES[kind][index % len(VALUES[kind])]
        rows.append(row)
    # One key at a time, so a case is also seen with its neighbours unset.
    for kind, keys in KEYS.items():
        for key in keys:
            rows.append({key: VALUES[kind][0]})
    return rows


def envlint(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "envlint", *args], cwd=cwd, capture_output=True, text=True, check=False
    )


def outcomes(tree: Path, modules) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree / "python")}
    proc = subprocess.run(
        [sys.executable, str(RUNNER)],
        input=json.dumps({"modules": list(modules), "rows": _rows()}),
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return json.loads(proc.stdout)


@pytest.fixture(scope="module")
def trees(tmp_path_factory):
    base = tmp_path_factory.mktemp("fix")
    made = {}
    for name, args in (("safe", ()), ("unsafe", ("--unsafe-fixes",))):
        tree = base / name
        shutil.copytree(FIX_PROJECT, tree)
        made[name] = tree
        made[f"{name}_proc"] = envlint("fix", *args, ".", cwd=tree)
    return SimpleNamespace(**made)


def _python_files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.py"))


@pytest.mark.parametrize("mode", ["safe", "unsafe"])
def test_fixed_tree_matches_expected_byte_for_byte(trees, mode):
    tree = getattr(trees, mode)
    assert _python_files(tree) == _python_files(FIX_PROJECT)
    for relative in _python_files(FIX_PROJECT):
        expected_file = EXPECTED / mode / relative
        expected = (expected_file if expected_file.exists() else FIX_PROJECT / relative).read_bytes()
        assert (tree / relative).read_bytes() == expected, relative
    assert (tree / "pyproject.toml").read_bytes() == (FIX_PROJECT / "pyproject.toml").read_bytes()


def test_expected_trees_change_what_they_should(trees):
    safe = {p.relative_to(EXPECTED / "safe").as_posix() for p in (EXPECTED / "safe").rglob("*.py")}
    assert safe == {
        "python/sglang/srt/environ.py",
        "python/sglang/srt/cases/safe_reads.py",
        "python/sglang/srt/cases/safe_writes.py",
        "python/sglang/multimodal_gen/cases.py",
    }


def test_summary_and_exit_codes(trees):
    safe = trees.safe_proc
    assert safe.returncode == 1, safe.stderr  # unsafe fixes are left
    lines = safe.stdout.splitlines()
    assert lines[-3:] == [
        "Fixed 22 findings in 4 files (ENV001: 20, ENV002: 2).",
        "14 left: ENV001: 11 (11 with unsafe fixes); ENV003: 1 (1 with unsafe fixes); "
        "ENV004: 1 (1 with unsafe fixes); ENV005: 1 (1 with unsafe fixes).",
        "Unsafe fixes change behaviour; review them with --unsafe-fixes --diff.",
    ]
    assert safe.stderr == ""
    unsafe = trees.unsafe_proc
    assert unsafe.returncode == 0, unsafe.stdout + unsafe.stderr
    assert unsafe.stdout == (
        "Fixed 36 findings in 6 files (ENV001: 31, ENV002: 2, ENV003: 1, ENV004: 1, ENV005: 1).\n"
    )


@pytest.mark.parametrize("mode,args", [("safe", ()), ("unsafe", ("--unsafe-fixes",))])
def test_second_run_changes_nothing(trees, mode, args):
    tree = getattr(trees, mode)
    proc = envlint("fix", "--diff", *args, ".", cwd=tree)
    assert (proc.returncode, proc.stdout) == (0, "")


def test_safe_fixes_preserve_behaviour(trees):
    before = outcomes(FIX_PROJECT, SAFE_MODULES)
    after = outcomes(trees.safe, SAFE_MODULES)
    assert sorted(before) == sorted(after)
    assert len(before) >= 20
    for case, results in before.items():
        assert after[case] == results, case


def _case_sources(tree: Path, module: str) -> dict[str, str]:
    path = tree / "python" / (module.replace(".", "/") + ".py")
    text = path.read_text()
    return {
        node.name: ast.get_source_segment(text, node)
        for node in ast.parse(text).body
        if isinstance(node, ast.FunctionDef) and node.name.startswith("case_")
    }


def test_every_safe_case_was_actually_rewritten(trees):
    """The harness is not vacuous: each safe case's code changed."""
    for module in SAFE_MODULES:
        before, after = _case_sources(FIX_PROJECT, module), _case_sources(trees.safe, module)
        for name in before:
            if module.endswith("untouched"):
                assert before[name] == after[name], name
            else:
                assert before[name] != after[name], f"{module}.{name} was not rewritten"


def test_every_safe_fix_is_covered_by_the_harness(tmp_path):
    """Each safe fix envlint offers on the tree lies inside a case the harness runs."""
    proc = envlint("check", "--format", "json", ".", cwd=FIX_PROJECT)
    safe = [f for f in json.loads(proc.stdout) if f["fix"] and f["fix"]["applicability"] == "safe"]
    assert len(safe) == 22
    covered = {}
    for module in SAFE_MODULES:
        relative = "python/" + module.replace(".", "/") + ".py"
        tree = ast.parse((FIX_PROJECT / relative).read_text())
        covered[relative] = [
            (n.lineno, n.end_lineno) for n in tree.body if isinstance(n, ast.FunctionDef)
        ]
    for finding in safe:
        if finding["path"] == "python/sglang/srt/environ.py":
            # The registry half of the SGL_ rename; its use is case_legacy_descriptor_renamed.
            assert finding["code"] == "ENV002"
            continue
        spans = covered.get(finding["path"], [])
        assert any(a <= finding["line"] <= b for a, b in spans), finding


def test_unsafe_fixes_really_change_behaviour(trees):
    before = outcomes(FIX_PROJECT, UNSAFE_MODULES)
    after = outcomes(trees.unsafe, UNSAFE_MODULES)
    assert len(before) == 13
    for case, results in before.items():
        assert any(a != b for a, b in zip(results, after[case])), f"{case} behaves the same"


def test_diff_writes_nothing(tmp_path):
    tree = tmp_path / "tree"
    shutil.copytree(FIX_PROJECT, tree)
    proc = envlint("fix", "--diff", ".", cwd=tree)
    assert proc.returncode == 1
    assert proc.stdout.startswith("--- a/python/sglang/srt/environ.py\n+++ b/python/sglang/srt/environ.py\n")
    for relative in _python_files(FIX_PROJECT):
        assert (tree / relative).read_bytes() == (FIX_PROJECT / relative).read_bytes()
