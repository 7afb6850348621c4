"""The closing summary, ``--statistics``, ``-q`` and ``--output-file`` of ``envlint check``."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from envlint.findings import SAFE, UNSAFE, Finding, Fix
from envlint.report.summary import closing_summary
from gitrepo import REGISTRY, REGISTRY_PATH

SOURCE = textwrap.dedent(
    """\
    import os

    from sglang.srt.environ import envs

    level = os.getenv("SGLANG_LOG_LEVEL", "info")
    other = os.getenv("SGLANG_LOG_LEVEL")
    keep = os.getenv("SGLANG_TIMEOUT_KEEP_ALIVE")
    old = os.getenv("SGL_CHUNK")
    gone = envs.SGLANG_GONE.get()
    """
)
FINDINGS = [
    "app/server.py:5:9: ENV001 raw read of SGLANG_LOG_LEVEL via os.getenv(); use envs.SGLANG_LOG_LEVEL.get()",
    "app/server.py:6:9: ENV001 raw read of SGLANG_LOG_LEVEL via os.getenv(); use envs.SGLANG_LOG_LEVEL.get()",
    "app/server.py:7:8: ENV001 raw read of SGLANG_TIMEOUT_KEEP_ALIVE via os.getenv(); "
    "use envs.SGLANG_TIMEOUT_KEEP_ALIVE.get()",
    # one site, one finding: ENV001 owns the raw read of a legacy key and names the alias
    "app/server.py:8:7: ENV001 raw read of SGL_CHUNK via os.getenv(); SGL_CHUNK is a legacy alias of "
    "SGLANG_CHUNK; register SGLANG_CHUNK in Envs (python/sglang/srt/environ.py) and use envs.SGLANG_CHUNK.get()",
    "app/server.py:9:8: ENV006 envs.SGLANG_GONE is not defined in Envs (python/sglang/srt/environ.py): "
    "AttributeError at run time",
]
# ENV002 reports the same read when ENV001 does not run
LEGACY_ONLY = (
    "app/server.py:8:17: ENV002 legacy key SGL_CHUNK in os.getenv(); SGL_* is a deprecated alias, use SGLANG_CHUNK"
)
SUMMARY = "Found 5 findings (1 fixable, 3 with unsafe fixes)."


@pytest.fixture
def project(tmp_path) -> Path:
    (tmp_path / "pyproject.toml").write_text("[tool.envlint]\n")
    (tmp_path / REGISTRY_PATH).parent.mkdir(parents=True)
    (tmp_path / REGISTRY_PATH).write_text(REGISTRY)
    (tmp_path / "app").mkdir()
    (tmp_path / "app/server.py").write_text(SOURCE)
    return tmp_path


def _finding(fix=None) -> Finding:
    return Finding("a.py", 1, 1, "ENV001", 1, 2, "m", fix=fix)


@pytest.mark.parametrize(
    "findings,unreadable,expected",
    [
        ([], 0, "No findings."),
        ([], 2, "No findings; 2 files could not be checked."),
        ([_finding()], 0, "Found 1 finding."),
        ([_finding(Fix(SAFE, "d", ())), _finding()], 0, "Found 2 findings (1 fixable)."),
        ([_finding(Fix(UNSAFE, "d", ()))], 1, "Found 1 finding (1 with unsafe fixes); 1 file could not be checked."),
        (
            [_finding(Fix(SAFE, "d", ())), _finding(Fix(SAFE, "d", ())), _finding(Fix(UNSAFE, "d", ()))],
            0,
            "Found 3 findings (2 fixable, 1 with unsafe fixes).",
        ),
    ],
)
def test_closing_summary_wording(findings, unreadable, expected):
    assert closing_summary(findings, unreadable) == expected


def test_text_output_ends_with_the_summary(project, run_cli):
    code, out, err = run_cli("check", "app", cwd=project)
    assert (code, err) == (1, "")
    assert out.splitlines() == FINDINGS + [SUMMARY]


def test_the_summary_counts_unreadable_files(project, run_cli):
    (project / "app/broken.py").write_text('import os\nos.getenv("SGL_A"\n')
    code, out, err = run_cli("check", "--select", "ENV002", "app", cwd=project)
    assert code == 1
    assert out.splitlines() == [LEGACY_ONLY, "Found 1 finding (1 with unsafe fixes); 1 file could not be checked."]
    assert err.startswith("envlint: error: app/broken.py: cannot parse")


@pytest.mark.parametrize("fmt", ["json", "github", "sarif", "rdjson"])
def test_machine_readable_stdout_has_no_summary(project, run_cli, fmt):
    code, out, _ = run_cli("check", "--format", fmt, "app", cwd=project)
    assert code == 1 and "Found 5 findings" not in out
    if fmt != "github":
        json.loads(out)  # nothing but the document


def test_quiet_prints_findings_only(tmp_path, run_cli):
    (tmp_path / "pyproject.toml").write_text("[tool.envlint]\n")  # no registry: normally a note
    (tmp_path / "a.py").write_text('import os\nx = os.getenv("SGLANG_X")\n')
    code, out, err = run_cli("check", "a.py", cwd=tmp_path)
    assert "no environment-variable registry found" in err and out.endswith("Found 1 finding.\n")
    code, out, err = run_cli("check", "--quiet", "a.py", cwd=tmp_path)
    assert (code, err) == (1, "")
    assert out == (
        "a.py:2:5: ENV001 raw read of SGLANG_X via os.getenv(); register SGLANG_X in a registry "
        "and use envs.SGLANG_X.get()\n"
    )


@pytest.mark.parametrize("fmt", ["text", "sarif"])
def test_output_file_takes_the_report_and_stdout_keeps_the_summary(project, run_cli, fmt):
    code, out, err = run_cli("check", "--format", fmt, "--output-file", "report.out", "app", cwd=project)
    assert (code, out, err) == (1, SUMMARY + "\n", "")
    report = (project / "report.out").read_text()
    if fmt == "text":
        assert report.splitlines() == FINDINGS
    else:
        assert len(json.loads(report)["runs"][0]["results"]) == 5
    code, out, _ = run_cli("check", "-q", "--output-file", "report.out", "app", cwd=project)
    assert (code, out) == (1, "")


def test_output_file_that_cannot_be_written_is_a_usage_error(project, run_cli):
    code, out, err = run_cli("check", "--output-file", "no/such/dir/r.txt", "app", cwd=project)
    assert (code, out) == (2, "")
    assert err.startswith("envlint: error: no/such/dir/r.txt: cannot write: ")


def test_statistics_per_code_and_per_variable(project, run_cli):
    code, out, err = run_cli("check", "--statistics", "app", cwd=project)
    assert (code, err) == (1, "")
    assert out == textwrap.dedent(
        """\
        count  code    name                        fixable  unsafe
            4  ENV001  raw-env-access                    1       3
            1  ENV006  unknown-registry-attribute        0       0

        count  variable                   codes
            2  SGLANG_LOG_LEVEL           ENV001: 2
            1  SGLANG_GONE                ENV006: 1
            1  SGLANG_TIMEOUT_KEEP_ALIVE  ENV001: 1
            1  SGL_CHUNK                  ENV001: 1
        Found 5 findings (1 fixable, 3 with unsafe fixes).
        """
    )


def test_statistics_as_json(project, run_cli):
    code, out, _ = run_cli("check", "--statistics", "--format", "json", "app", cwd=project)
    assert code == 1
    assert json.loads(out) == {
        "total": 5,
        "codes": [
            {"code": "ENV001", "name": "raw-env-access", "count": 4, "fixable": 1, "unsafe_fixes": 3},
            {"code": "ENV006", "name": "unknown-registry-attribute", "count": 1, "fixable": 0, "unsafe_fixes": 0},
        ],
        "keys": [
            {"key": "SGLANG_LOG_LEVEL", "count": 2, "codes": {"ENV001": 2}},
            {"key": "SGLANG_GONE", "count": 1, "codes": {"ENV006": 1}},
            {"key": "SGLANG_TIMEOUT_KEEP_ALIVE", "count": 1, "codes": {"ENV001": 1}},
            {"key": "SGL_CHUNK", "count": 1, "codes": {"ENV001": 1}},
        ],
    }


def test_statistics_of_a_clean_run(project, run_cli):
    code, out, _ = run_cli("check", "--statistics", "--select", "ENV003", "app", cwd=project)
    assert (code, out) == (0, "No findings.\n")


def test_statistics_need_text_or_json(project, run_cli):
    code, out, err = run_cli("check", "--statistics", "--format", "sarif", "app", cwd=project)
    assert (code, out, err) == (2, "", "envlint: error: --statistics prints text or json, not sarif\n")
