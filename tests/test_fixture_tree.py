"""The sglang-shaped fixture tree: every expected finding, and nothing else."""

from __future__ import annotations

import json
import re
from collections import Counter

from markers import expected_counts, expected_findings

from envlint.runner import check_paths


def _found(result):
    return {(f.path, f.line, f.column, f.code) for f in result.findings}


def test_findings_match_markers_exactly(sglang_project, run_cli):
    code, out, err = run_cli("check", ".", "--format", "json", cwd=sglang_project)
    got = {(f["path"], f["line"], f["column"], f["code"]) for f in json.loads(out)}
    expected = expected_findings(sglang_project)
    assert got - expected == set(), "unexpected findings"
    assert expected - got == set(), "missing findings"
    assert code == 1
    assert err == ""  # registries were discovered: no notice


def test_fixture_covers_every_rule(sglang_project):
    from envlint.rules import ALL_RULES

    codes = {code for *_, code in expected_findings(sglang_project)}
    # Rules about a change need a base; tests/test_review.py runs them on real git history.
    assert codes == {rule.code for rule in ALL_RULES if not rule.about_change}


def test_prefilter_is_sound_on_fixtures(fixture_project, sglang_project):
    """Skipping files by their bytes must never lose a finding."""
    with_filter = check_paths(fixture_project, [sglang_project])
    without = check_paths(fixture_project, [sglang_project], use_prefilter=False)
    assert with_filter.findings == without.findings
    assert sum(r.parsed for r in with_filter.files) < sum(r.parsed for r in without.files)


def test_both_registries_discovered(fixture_project, sglang_project):
    styles = {r.path.relative_to(sglang_project).as_posix(): r.style for r in fixture_project.registries}
    assert styles == {
        "python/sglang/srt/environ.py": "descriptor",
        "python/sglang/multimodal_gen/envs.py": "module",
    }
    modules = sorted(r.module for r in fixture_project.registries)
    assert modules == ["sglang.multimodal_gen.envs", "sglang.srt.environ"]


def test_messages_name_key_and_replacement(sglang_project, run_cli):
    _, out, _ = run_cli("check", "-q", "python/sglang", cwd=sglang_project)
    lines = out.splitlines()
    assert (
        "python/sglang/srt/layers/attention.py:15:10: ENV001 raw read of SGLANG_LOG_GC via "
        "os.getenv(); use envs.SGLANG_LOG_GC.get()"
    ) in lines
    assert (
        "python/sglang/srt/layers/attention.py:28:12: ENV001 raw read of SGLANG_BRAND_NEW_KNOB via "
        "os.getenv(); register SGLANG_BRAND_NEW_KNOB in Envs (python/sglang/srt/environ.py) and "
        "use envs.SGLANG_BRAND_NEW_KNOB.get()"
    ) in lines
    assert (
        "python/sglang/multimodal_gen/runtime/cache.py:22:16: ENV001 raw read of "
        "SGLANG_CACHE_DIT_FN via os.getenv(); use envs.SGLANG_CACHE_DIT_FN"
    ) in lines
    assert (
        "python/sglang/srt/managers/aliases.py:13:17: ENV004 sglang_envs.SGLANG_IS_IN_CI is the "
        "descriptor, not its value: bool() on it raises RuntimeError; use "
        "sglang_envs.SGLANG_IS_IN_CI.get()"
    ) in lines
    assert lines == sorted(lines, key=lambda l: (l.split(":")[0], int(l.split(":")[1]), int(l.split(":")[2])))


def test_registries_found_from_a_subdirectory(sglang_project, run_cli):
    code, out, err = run_cli("check", "-q", "python/sglang/srt/managers", cwd=sglang_project)
    assert err == ""
    assert {line.split()[1] for line in out.splitlines()} == {"ENV004", "ENV006"}


def test_registries_found_below_the_linted_path(tmp_path, sglang_project, run_cli):
    import shutil

    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'monorepo'\n")
    shutil.copytree(sglang_project / "python", tmp_path / "third_party/sglang/python")
    code, out, err = run_cli("check", ".", cwd=tmp_path)
    assert err == ""  # both registries found although they sit below the root
    assert "third_party/sglang/python/sglang/srt/managers/scheduler.py:10:8: ENV004" in out
    assert "ENV003" in out


def _span_text(root, finding) -> str:
    lines = (root / finding["path"]).read_text(encoding="utf-8").splitlines(keepends=True)
    first, last = finding["line"] - 1, finding["end_line"] - 1
    start, end = finding["column"] - 1, finding["end_column"] - 1
    if first == last:
        return lines[first][start:end]
    return lines[first][start:] + "".join(lines[first + 1 : last]) + lines[last][:end]


def test_every_finding_spans_exactly_one_whole_expression(sglang_project, run_cli):
    """End positions: the (line, column)-(end_line, end_column) range of each finding is a
    complete expression (or ``KEY=value`` keyword, or a registry name) naming the key."""
    import ast

    _, out, _ = run_cli("check", ".", "--format", "json", cwd=sglang_project)
    findings = json.loads(out)
    assert Counter((f["path"], f["line"], f["column"], f["code"]) for f in findings) == expected_counts(
        sglang_project
    )
    for finding in findings:
        text = _span_text(sglang_project, finding)
        name, equals, value = text.partition("=")
        if equals and name.isidentifier() and "(" not in name:
            ast.parse(value, mode="eval")  # a keyword argument: KEY="value"
        else:
            ast.parse(f"({text})", mode="eval")  # raises when the span cuts an expression
        assert text == text.strip(), finding
        # A finding about a place rather than a key (ENV018: a second registry) has no key.
        # Otherwise the span names the key, or what it came from: the constant, the loop, the wrapper.
        key = (finding["key"] or "").rstrip("*")
        origin = re.search(r" \((?:constant |class attribute |variable )?([\w.]+)", finding["message"])
        named = key in text or (origin and origin.group(1).split(".")[-1] in text)
        assert named or " via " in finding["message"] and "()" in finding["message"], finding
