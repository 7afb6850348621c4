"""The result cache and the worker pool: same findings, faster, never stale, never broken."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from envlint import runner
from envlint.runner import check_files, prepare


@pytest.fixture
def tree(tmp_path, sglang_project) -> Path:
    root = tmp_path / "tree"
    shutil.copytree(sglang_project, root, ignore=shutil.ignore_patterns(".envlint_cache"))
    return root


def _run(root: Path, **options):
    project, files = prepare([root])
    return check_files(project, files, use_cache=True, **options)


def _lines(result) -> list[tuple]:
    return [(f.path, f.line, f.column, f.code, f.message, f.fix) for f in result.findings]


def test_second_run_is_answered_from_the_cache_with_identical_findings(tree):
    first = _run(tree)
    second = _run(tree)
    assert first.cached == 0
    assert second.cached == len(second.files) > 10
    assert _lines(second) == _lines(first)
    assert (tree / ".envlint_cache/.gitignore").read_text() == "# Created by envlint.\n*\n"


def test_noqa_is_applied_to_cached_results(tree):
    _run(tree)
    second = _run(tree)
    quiet = [f for f in second.findings if f.path.endswith("attention.py") and f.line in (63, 64, 65)]
    assert quiet == []


def test_an_edited_file_is_checked_again(tree):
    _run(tree)
    target = tree / "python/sglang/srt/clean.py"
    target.write_text(target.read_text() + '\nimport os\nX = os.getenv("SGLANG_LOG_GC")\n')
    result = _run(tree)
    assert result.cached == len(result.files) - 1
    assert any(f.path.endswith("clean.py") and f.code == "ENV001" for f in result.findings)


def test_a_changed_registry_invalidates_everything(tree):
    _run(tree)
    registry = tree / "python/sglang/srt/environ.py"
    registry.write_text(registry.read_text().replace("SGLANG_LOG_MS = EnvBool(False)\n", ""))
    result = _run(tree)
    assert result.cached == 0
    # SGLANG_LOG_MS is no longer registered: the messages say so.
    assert any("register SGLANG_LOG_MS" in f.message for f in result.findings)


def test_no_cache_leaves_no_trace(tree, run_cli):
    code, _, _ = run_cli("check", "--no-cache", ".", cwd=tree)
    assert code == 1
    assert not (tree / ".envlint_cache").exists()


def test_an_unusable_cache_is_ignored(tree, run_cli):
    (tree / ".envlint_cache").mkdir()
    (tree / ".envlint_cache/cache.sqlite").write_bytes(b"this is not a database")
    code, out, err = run_cli("check", "--format", "json", ".", cwd=tree)
    assert code == 1 and err == "" and out.startswith("[")


def test_workers_give_the_same_findings(tree, monkeypatch):
    serial = check_files(*prepare([tree]), jobs=1)
    monkeypatch.setattr(runner, "PARALLEL_THRESHOLD", 0)
    parallel = check_files(*prepare([tree]), jobs=3)
    assert _lines(parallel) == _lines(serial)
    assert len(serial.findings) > 50


def test_concurrent_runs_share_the_cache_safely(tree):
    command = [sys.executable, "-m", "envlint", "check", "--format", "json", "."]
    processes = [
        subprocess.Popen(command, cwd=tree, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    outputs = [process.communicate() for process in processes]
    assert {err for _, err in outputs} == {""}
    assert len({out for out, _ in outputs}) == 1
    again = subprocess.run(command, cwd=tree, capture_output=True, text=True, check=False)
    assert again.stdout == outputs[0][0]


def test_flake8_and_check_share_entries(tree):
    flake8 = subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", "--select", "ENV", "python"],
        cwd=tree, capture_output=True, text=True, check=False,
    )
    assert flake8.returncode == 1
    project, files = prepare([tree / "python"])
    # Every file flake8 analysed is known to envlint check: same content, same key.
    shared = check_files(project, files, use_cache=True)
    assert shared.cached == len(files)
    fresh = check_files(project, files, use_cache=False)
    assert _lines(shared) == _lines(fresh)


def test_fix_in_workers_matches_fix_in_one_process(tmp_path, monkeypatch):
    from envlint import fixer as fixer_module
    from test_fix import FIX_PROJECT

    outputs = []
    for jobs in (1, 3):
        root = tmp_path / f"jobs{jobs}"
        shutil.copytree(FIX_PROJECT, root)
        monkeypatch.setattr(runner, "PARALLEL_THRESHOLD", 0 if jobs > 1 else 10**6)
        monkeypatch.setattr(fixer_module, "PARALLEL_REWRITE_THRESHOLD", 0 if jobs > 1 else 10**6)
        project, files = prepare([root])
        fix = fixer_module.Fixer(project.config, files, unsafe=True, jobs=jobs)
        report = fix.run()
        assert fix.write() == []
        outputs.append(
            (
                sorted(report.applied.items()),
                {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*.py")},
            )
        )
    assert outputs[0] == outputs[1]
    assert sum(count for _, count in outputs[0][0]) == 39


# -- the project summary (envlint.summaries) in the cache and in a cold run -------------------

WRAPPERS = "python/sglang/srt/keys/wrappers.py"
USERS = "python/sglang/srt/keys/users.py"


def _wrapper_findings(result, path):
    return sorted((f.line, f.key) for f in result.findings if f.path.endswith(path) and "env_int()" in f.message)


def test_a_changed_wrapper_invalidates_other_files_cached_results(tree):
    """users.py is unchanged, but what env_int() (in wrappers.py) does changed: its cached
    result must not be reused. Fails when the summary is left out of the fingerprint."""
    first = _run(tree)
    assert _wrapper_findings(first, USERS) == [
        (13, "SGLANG_WRAPPED_INT"), (15, "SGLANG_DSV4_PREFILL"), (16, "SGLANG_REEXPORTED")
    ]
    users = (tree / USERS).read_bytes()
    wrappers = tree / WRAPPERS
    wrappers.write_text(wrappers.read_text().replace("raw = os.environ.get(name)", "raw = None"))
    second = _run(tree)
    assert (tree / USERS).read_bytes() == users
    assert _wrapper_findings(second, USERS) == []
    assert second.cached == 0  # a new summary: no stored result is valid any more


def test_an_unchanged_tree_reuses_the_stored_summary(tree, monkeypatch):
    from envlint.summaries import build, extract

    _run(tree)
    build._IN_PROCESS.clear()  # as in a new process: the summary comes from .envlint_cache
    calls = []
    original = extract.extract
    monkeypatch.setattr(extract, "extract", lambda ctx: calls.append(ctx.module) or original(ctx))
    again = _run(tree)
    assert again.cached == len(again.files) and calls == []


def test_a_cold_run_in_two_phases_finds_what_a_summary_first_run_finds(tree, monkeypatch):
    """A cold run checks every file once with no other module's facts, then re-checks the
    files that spell another module's wrapper or constant (runner._two_phases)."""
    from envlint.summaries import build

    reference = check_files(*prepare([tree]), jobs=1)
    assert len(reference.findings) > 100
    monkeypatch.setattr(runner, "PARALLEL_THRESHOLD", 0)
    phases = []
    original = runner._two_phases
    monkeypatch.setattr(runner, "_two_phases", lambda *a: phases.append(1) or original(*a))
    for jobs in (1, 2):
        build._IN_PROCESS.clear()
        result = check_files(*prepare([tree]), jobs=jobs)
        assert _lines(result) == _lines(reference)
    assert phases == [1, 1]


def test_the_first_fix_pass_of_a_cold_project_runs_in_two_phases(tree, monkeypatch):
    """``envlint fix`` checks every file first; on a cold project that check also gives the
    summary (runner.check_fresh), and the fixes are those of a summary-first run."""
    from envlint.fixer import Fixer
    from envlint.summaries import build

    def fix(threshold: int):
        monkeypatch.setattr(runner, "PARALLEL_THRESHOLD", threshold)
        build._IN_PROCESS.clear()
        project, files = prepare([tree])
        report = Fixer(project.config, files, unsafe=True).run()
        changed = {c.display: c.text for c in report.changed}
        return changed, sorted((f.path, f.line, f.code, f.message) for f in report.remaining)

    phases = []
    original = runner._two_phases
    monkeypatch.setattr(runner, "_two_phases", lambda *a: phases.append(1) or original(*a))
    reference = fix(10**6)
    assert phases == [] and len(reference[0]) > 5
    assert fix(0) == reference
    assert phases == [1]


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: {**data, "summary": {"wrappers": 1}},  # a summary from_json cannot read
        lambda data: {**data, "files": {"a.py": {"m": "soon", "s": 1, "facts": None}}},
        lambda data: {"rows": data},
    ],
    ids=["summary", "file-state", "keys"],
)
def test_a_damaged_summary_row_is_a_miss_never_a_crash(tree, damage):
    """The summary rows are sealed like results but have their own shape: a row that keeps its
    checksum and has the wrong shape is rebuilt, with the findings a fresh run gives."""
    import json
    import sqlite3

    from envlint.cache_entries import checksum
    from envlint.summaries import build

    expected = _lines(_run(tree))
    database = tree / ".envlint_cache" / "cache.sqlite"
    with sqlite3.connect(database) as db:
        rows = db.execute(
            "SELECT rowid, fingerprint, key, result FROM results WHERE key LIKE 'project-summary%'"
        ).fetchall()
        assert {row[2] for row in rows} == {"project-summary", "project-summary-files"}
        for rowid, fingerprint, key, stored in rows:
            text = json.dumps(damage(json.loads(stored[32:])))
            db.execute("UPDATE results SET result = ? WHERE rowid = ?", (checksum(fingerprint, key, text) + text, rowid))
    db.close()
    build._IN_PROCESS.clear()  # as in a new process: the summary must come from the cache
    (tree / USERS).write_text((tree / USERS).read_text() + "\n")  # not every result is reused
    assert _lines(_run(tree)) == expected
