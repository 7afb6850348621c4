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
    "sglang.srt.cases.repaired",
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
        "SGLANG_TEST_MAX_RETRY", "SGL_KERNEL_CACHE_SIZE", "SGLANG_KERNEL_CACHE_SIZE",
        "SGLANG_CACHE_DIT_FN",
    ],
    "float": ["SGLANG_SCHEDULER_POLL_TIMEOUT", "SGLANG_CACHE_DIT_RDT"],
    "str": ["SGLANG_LOG_LEVEL", "SGLANG_MODEL_NAME", "SGLANG_TRACE_OUTPUT_PATH", "SGLANG_CACHE_DIR"],
}
VALUES = {
    "bool": ["true", "1", "yes", "y", "TRUE", "Yes", "false", "0", "no", "n", "FALSE", "No", "on", " 1 ", ""],
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
        "python/sglang/srt/cases/repaired.py",
        "python/sglang/srt/cases/safe_reads.py",
        "python/sglang/srt/cases/safe_writes.py",
        "python/sglang/multimodal_gen/cases.py",
    }


def test_summary_and_exit_codes(trees):
    safe = trees.safe_proc
    assert safe.returncode == 1, safe.stderr  # unsafe fixes are left
    lines = safe.stdout.splitlines()
    assert lines[-3:] == [
        "Fixed 24 findings in 5 files (ENV001: 22, ENV004: 1, ENV005: 1).",
        "15 left: ENV001: 12 (12 with unsafe fixes); ENV002: 2 (2 with unsafe fixes); "
        "ENV003: 1 (1 with unsafe fixes).",
        "Unsafe fixes change behaviour; review them with --unsafe-fixes --diff.",
    ]
    assert safe.stderr == ""
    unsafe = trees.unsafe_proc
    assert unsafe.returncode == 0, unsafe.stdout + unsafe.stderr
    assert unsafe.stdout == (
        "Fixed 39 findings in 7 files (ENV001: 34, ENV002: 2, ENV003: 1, ENV004: 1, ENV005: 1).\n"
    )


@pytest.mark.parametrize("mode,args", [("safe", ()), ("unsafe", ("--unsafe-fixes",))])
def test_second_run_changes_nothing(trees, mode, args):
    tree = getattr(trees, mode)
    proc = envlint("fix", "--diff", *args, ".", cwd=tree)
    assert (proc.returncode, proc.stdout) == (0, "")


def test_safe_fixes_preserve_behaviour(trees):
    """Safe means: for every row the rewrite gives what the original gave — except
    where the original raised, which a rewrite may repair (and ``repaired`` does)."""
    before = outcomes(FIX_PROJECT, SAFE_MODULES)
    after = outcomes(trees.safe, SAFE_MODULES)
    assert sorted(before) == sorted(after)
    assert len(before) >= 24
    for case, results in before.items():
        repaired = 0
        for row, (old, new) in enumerate(zip(results, after[case])):
            if old["outcome"].startswith("raises:"):
                repaired += old != new
                continue
            assert new == old, (case, row)
        if ".repaired." in case:
            assert repaired, f"{case} never raised before: nothing was repaired"
        else:
            assert not repaired, f"{case} raised before and not after"


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
    assert len(safe) == 24
    covered = {}
    for module in SAFE_MODULES:
        relative = "python/" + module.replace(".", "/") + ".py"
        tree = ast.parse((FIX_PROJECT / relative).read_text())
        covered[relative] = [
            (n.lineno, n.end_lineno) for n in tree.body if isinstance(n, ast.FunctionDef)
        ]
    for finding in safe:
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


# -- guarantees -----------------------------------------------------------------------


def _project(tmp_path: Path, files: dict[str, bytes | str]) -> Path:
    """A copy of the fix fixture's registry and helpers plus the given files."""
    root = tmp_path / "proj"
    shutil.copytree(FIX_PROJECT, root, ignore=shutil.ignore_patterns("cases", "cases.py", "unprovable_cases.py"))
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return root


def test_crlf_bom_and_encoding_round_trip(tmp_path):
    crlf = b'\xef\xbb\xbfimport os\r\n\r\n# a comment\r\nX = int(os.getenv("SGLANG_SCHEDULER_RECV_INTERVAL", "1"))\r\n'
    latin = b'# -*- coding: latin-1 -*-\nimport os\nNOTE = "\xe9t\xe9"\nY = os.getenv("SGLANG_LOG_LEVEL", "info")\n'
    root = _project(tmp_path, {"python/sglang/srt/crlf.py": crlf, "python/sglang/srt/latin.py": latin})
    proc = envlint("fix", "python/sglang/srt/crlf.py", "python/sglang/srt/latin.py", cwd=root)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # BOM and CRLF kept; the replaced `import os` was the only import.
    assert (root / "python/sglang/srt/crlf.py").read_bytes() == (
        b"\xef\xbb\xbffrom sglang.srt.environ import envs\r\n\r\n# a comment\r\n"
        b"X = envs.SGLANG_SCHEDULER_RECV_INTERVAL.get()\r\n"
    )
    # Still latin-1: the accented text keeps its one-byte encoding.
    assert (root / "python/sglang/srt/latin.py").read_bytes() == (
        b"# -*- coding: latin-1 -*-\nfrom sglang.srt.environ import envs\n"
        b'NOTE = "\xe9t\xe9"\nY = envs.SGLANG_LOG_LEVEL.get()\n'
    )


def test_a_rewrite_that_would_not_compile_leaves_the_file_alone(tmp_path, monkeypatch):
    from envlint import fixer as fixer_module
    from envlint.findings import Edit, Finding, Fix
    from envlint.runner import prepare

    source = b'import os\nX = int(os.getenv("SGLANG_SCHEDULER_RECV_INTERVAL", "1"))\n'
    root = _project(tmp_path, {"python/sglang/srt/broken.py": source})
    target = root / "python/sglang/srt/broken.py"
    project, files = prepare([target])
    fixer = fixer_module.Fixer(project.config, files)
    bogus = Finding(
        str(target), 2, 5, "ENV001", 2, 60, "m",
        fix=Fix("safe", "break it", (Edit(2, 4, 2, 59, "envs.X.get("),)),
    )
    assert fixer._rewrite(target.resolve(), [bogus], [], "sglang.srt.broken") is False
    assert [reason for _, reason in fixer.report.errors] == [
        "not fixed: the rewrite does not parse ('(' was never closed); file left unchanged"
    ]
    assert fixer.write() == []
    assert target.read_bytes() == source


def test_writes_are_atomic_and_keep_permissions(tmp_path):
    root = _project(
        tmp_path, {"python/sglang/srt/m.py": 'import os\nX = os.getenv("SGLANG_LOG_LEVEL", "info")\n'}
    )
    target = root / "python/sglang/srt/m.py"
    target.chmod(0o640)
    assert envlint("fix", "python/sglang/srt/m.py", cwd=root).returncode == 0
    assert oct(target.stat().st_mode & 0o777) == oct(0o640)
    assert sorted(p.name for p in target.parent.iterdir() if p.name.startswith(".")) == []
    assert "envs.SGLANG_LOG_LEVEL.get()" in target.read_text()


def test_conflicting_implied_descriptors_are_not_registered(tmp_path):
    root = _project(
        tmp_path,
        {
            "python/sglang/srt/a.py": 'import os\nA = int(os.getenv("SGLANG_NEW_LIMIT", "4"))\n',
            "python/sglang/srt/b.py": 'import os\nB = int(os.getenv("SGLANG_NEW_LIMIT", "8"))\n',
        },
    )
    registry_before = (root / "python/sglang/srt/environ.py").read_bytes()
    proc = envlint("fix", "python/sglang/srt/a.py", "python/sglang/srt/b.py", cwd=root)
    assert proc.returncode == 1
    assert proc.stderr == (
        "envlint: note: SGLANG_NEW_LIMIT: call sites imply different descriptors "
        "(EnvInt(4), EnvInt(8)); register it by hand\n"
    )
    assert (root / "python/sglang/srt/environ.py").read_bytes() == registry_before
    assert "Fixed 0 findings in 0 files." in proc.stdout


def test_rename_is_blocked_when_the_old_name_is_used_outside_the_run(tmp_path):
    use = "from sglang.srt.environ import envs\nA = envs.SGL_KERNEL_CACHE_SIZE.get()\n"
    root = _project(tmp_path, {"python/sglang/srt/inside.py": use, "tools/outside.py": use})
    proc = envlint("fix", "--unsafe-fixes", "python", cwd=root)
    assert "SGL_KERNEL_CACHE_SIZE not renamed: referenced at tools/outside.py:2" in proc.stderr
    assert "SGL_KERNEL_CACHE_SIZE = EnvInt(128)" in (root / "python/sglang/srt/environ.py").read_text()
    assert "envs.SGL_KERNEL_CACHE_SIZE" in (root / "python/sglang/srt/inside.py").read_text()
    # Fixing the whole project renames every place at once.
    proc = envlint("fix", "--unsafe-fixes", ".", cwd=root)
    assert "not renamed" not in proc.stderr
    for relative in ("python/sglang/srt/inside.py", "tools/outside.py"):
        assert "envs.SGLANG_KERNEL_CACHE_SIZE.get()" in (root / relative).read_text()
    assert "SGLANG_KERNEL_CACHE_SIZE = EnvInt(128)" in (root / "python/sglang/srt/environ.py").read_text()


def test_a_comment_inside_the_expression_makes_the_fix_unsafe(tmp_path):
    code = 'import os\nX = os.getenv(\n    "SGLANG_LOG_LEVEL",  # why\n    "info",\n)\n'
    root = _project(tmp_path, {"python/sglang/srt/c.py": code})
    proc = envlint("check", "--format", "json", "python/sglang/srt/c.py", cwd=root)
    fix = json.loads(proc.stdout)[0]["fix"]
    assert (fix["applicability"], fix["reason"]) == (
        "unsafe",
        "the rewrite would delete a comment inside the expression",
    )


def test_json_carries_replacement_range_and_reason(tmp_path):
    code = (
        'import os\nX = os.getenv("SGLANG_LOG_GC")\n'
        'Y = int(os.getenv("SGLANG_SCHEDULER_BATCH", "8"))\n'
    )
    root = _project(tmp_path, {"python/sglang/srt/j.py": code})
    proc = envlint("check", "--format", "json", "python/sglang/srt/j.py", cwd=root)
    first, second = json.loads(proc.stdout)
    assert first["fix"] == {
        "applicability": "unsafe",
        "message": "Replace with `envs.SGLANG_LOG_GC.get()`",
        "reason": "SGLANG_LOG_GC unset: None before, False after; SGLANG_LOG_GC set to any "
        "value: the value as set (a str) before, a bool after (True for 'true' (any case), "
        "'1', 'yes' (any case), 'y' (any case); False for every other value)",
        "edits": [
            {
                "content": "envs.SGLANG_LOG_GC.get()",
                "location": {"line": 2, "column": 5},
                "end_location": {"line": 2, "column": 31},
            }
        ],
        "imports": ["from sglang.srt.environ import envs"],
        "needs_registry_edit": False,
    }
    assert second["fix"]["applicability"] == "safe" and second["fix"]["reason"] is None
    assert second["fix"]["edits"][0]["location"] == {"line": 3, "column": 5}


def test_existing_registry_names_are_reused(tmp_path):
    root = _project(
        tmp_path,
        {
            "python/sglang/srt/alias.py": "import os\nfrom sglang.srt.environ import envs as E\n"
            'X = os.getenv("SGLANG_LOG_LEVEL", "info")\n',
            "python/sglang/srt/taken.py": 'import os\nenvs = {}\nX = os.getenv("SGLANG_LOG_LEVEL", "info")\n',
        },
    )
    proc = envlint("fix", "python/sglang/srt/alias.py", "python/sglang/srt/taken.py", cwd=root)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (root / "python/sglang/srt/alias.py").read_text() == (
        "from sglang.srt.environ import envs as E\nX = E.SGLANG_LOG_LEVEL.get()\n"
    )
    assert (root / "python/sglang/srt/taken.py").read_text() == (
        "from sglang.srt.environ import envs as srt_envs\nenvs = {}\n"
        "X = srt_envs.SGLANG_LOG_LEVEL.get()\n"
    )


def test_double_negative_with_a_deprecation_table_keeps_the_old_name_working(tmp_path):
    root = tmp_path / "proj"
    (root / "sglang/srt").mkdir(parents=True)
    (root / "pyproject.toml").write_text("[tool.envlint]\n")
    (root / "sglang/srt/environ.py").write_text(
        "class EnvField: ...\nclass EnvBool(EnvField): ...\n\n\nclass Envs:\n"
        "    SGLANG_DISABLE_FOO = EnvBool(True)\n\n\nenvs = Envs()\n\n"
        "_DEPRECATED_ENVS = {\n"
        '    "SGLANG_OLD": _DeprecatedEnv(note="gone"),\n'
        "}\n"
    )
    (root / "sglang/srt/use.py").write_text(
        "from sglang.srt.environ import envs\n\n\ndef on():\n"
        "    return not envs.SGLANG_DISABLE_FOO.get()\n"
    )
    proc = envlint("fix", "--unsafe-fixes", "--select", "ENV003", ".", cwd=root)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    registry = (root / "sglang/srt/environ.py").read_text()
    assert "    SGLANG_ENABLE_FOO = EnvBool(False)\n" in registry
    entry = (
        '    "SGLANG_DISABLE_FOO": _DeprecatedEnv(replacement="SGLANG_ENABLE_FOO", transform=lambda '
        'value: "false" if value.lower() in ("true", "1", "yes", "y") else "true"),\n'
    )
    assert entry in registry
    assert (root / "sglang/srt/use.py").read_text().endswith("    return envs.SGLANG_ENABLE_FOO.get()\n")
    # The transform inverts every value EnvBool reads as true.
    transform = eval(entry.split("transform=")[1].rstrip("),\n"))  # noqa: S307 - our own text
    assert [transform(v) for v in ("1", "YES", "true", "0", "no")] == ["false"] * 3 + ["true"] * 2


def test_mentions_that_block_a_group_rename_or_inversion():
    from envlint.fixes.references import attribute_mentions

    text = (
        "a = envs.SGL_FOO.get()\n"  # 1: a use
        "b = envs . SGL_FOO\n"  # 2: spaced, still a use
        'c = getattr(envs, "SGL_FOO")\n'  # 3: reached by name
        "d = envs.SGL_FOOBAR.get()\n"  # 4: another variable
        'e = getattr(envs, "SGL_FOOBAR")\n'  # 5: another variable
        "# SGL_FOO in prose is not an attribute\n"  # 6
    )
    assert list(attribute_mentions(text, "SGL_FOO")) == [1, 2, 3]


@pytest.mark.parametrize(
    "before,after,problem",
    [
        ("x = 1\n", "x = 2\n", None),
        ("x = 1\n", "x = (2\n", "the rewrite does not parse ('(' was never closed)"),
        # parses, but `return` outside a function does not compile
        ("x = 1\n", "return 2\n", "the rewrite does not compile ('return' outside function)"),
        # an original that did not compile either: parsing is all that is asked
        ("return 1\n", "return 2\n", None),
        ("return 1\n", "return (2\n", "the rewrite does not parse ('(' was never closed)"),
    ],
)
def test_when_a_rewrite_counts_as_broken(before, after, problem):
    from envlint.fixes.rewrite import _compile_problem

    assert _compile_problem(before, after, Path("module.py")) == problem
