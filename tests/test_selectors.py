"""Strict code selection and the catalogue of codes: a typo is an error with a suggestion,
and every code envlint can print has a page (``envlint rule CODE``) and is in ``envlint rules``."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from envlint.codes import ALL_CODES, PAGES

PACKAGE = Path(__file__).resolve().parent.parent / "envlint"
HEADINGS = ("## What it does", "## Why is this bad", "## Example", "## Use instead", "## Fix safety")


@pytest.mark.parametrize(
    "args,message",
    [
        (("--select", "FOO"), "--select: unknown rule code or prefix 'FOO' (envlint rules lists the codes)"),
        (("--select", "ENVV001"), "--select: unknown rule code or prefix 'ENVV001'; did you mean 'ENV001'?"),
        (("--select", "env001"), "--select: unknown rule code or prefix 'env001'; did you mean 'ENV001'?"),
        (("--ignore", "ENV002,ENV0004"), "--ignore: unknown rule code or prefix 'ENV0004'; did you mean 'ENV004'?"),
        (
            ("--select", "ENV10"),
            "--select: 'ENV10' selects no rule of envlint check: ENV101, ENV102, ENV103 are "
            "reported by envlint docs --check PAGE",
        ),
        (("--select", "ENV000"), "--select: 'ENV000' selects no rule of envlint check: ENV000 is reported by flake8"),
    ],
)
@pytest.mark.parametrize("command", ["check", "fix", "baseline"])
def test_unknown_codes_on_the_command_line_are_usage_errors(sglang_project, run_cli, command, args, message):
    extra = ("-o", "/nonexistent/never-written.json") if command == "baseline" else ()
    code, out, err = run_cli(command, *args, *extra, cwd=sglang_project)
    assert (code, out, err) == (2, "", f"envlint: error: {message}\n")


@pytest.mark.parametrize("selector", ["ENV", "E", "ENV00", "ENV004", "ENV001,ENV002"])
def test_prefixes_of_rule_codes_are_accepted(sglang_project, run_cli, selector):
    code, _, err = run_cli("check", "--select", selector, "--format", "json", cwd=sglang_project)
    assert code == 1 and err == ""


@pytest.mark.parametrize(
    "table,message",
    [
        ('select = ["ENVV001"]', "'select': unknown rule code or prefix 'ENVV001'; did you mean 'ENV001'?"),
        ('ignore = ["ENV3"]', "'ignore': unknown rule code or prefix 'ENV3'; did you mean 'ENV'?"),
        (
            'per-file-ignores = {"tests/*" = ["ENW001"]}',
            "'per-file-ignores': unknown rule code or prefix 'ENW001'; did you mean 'ENV001'?",
        ),
        ('selct = ["ENV001"]', "[tool.envlint]: unknown key 'selct'; did you mean 'select'?"),
        ('owned_prefixes = ["X_"]', "[tool.envlint]: unknown key 'owned_prefixes'; did you mean 'owned-prefixes'?"),
        ('per-file-ignore = {}', "[tool.envlint]: unknown key 'per-file-ignore'; did you mean 'per-file-ignores'?"),
        ("frobnicate = 1", "[tool.envlint]: unknown key 'frobnicate'"),
        (
            'registries = [{path = "x.py", stlye = "module"}]',
            "registry: unknown key 'stlye'; did you mean 'style'?",
        ),
        ('profile = "vlm"', "unknown profile 'vlm'; did you mean 'vllm'? (known: "),
        ('profile = "myapp"', "unknown profile 'myapp' (known: "),
        ('per-file-ignores = ["tests/*"]', "'per-file-ignores' must be a table of glob = [codes]"),
        ('per-file-ignores = {"tests/*" = "ENV001"}', "'per-file-ignores.tests/*' must be a list of strings"),
    ],
)
def test_configuration_typos_are_exit_2_with_a_suggestion(tmp_path, run_cli, table, message):
    config = tmp_path / "pyproject.toml"
    config.write_text(f"[tool.envlint]\n{table}\n")
    (tmp_path / "x.py").write_text("environment_variables = {}\n")
    code, out, err = run_cli("check", ".", cwd=tmp_path)
    assert (code, out) == (2, "")
    assert err.startswith(f"envlint: error: {config.resolve()}: ") and message in err
    assert len(err.splitlines()) == 1


def test_profile_error_lists_every_profile(tmp_path, run_cli):
    from envlint.profiles import PROFILES

    (tmp_path / "pyproject.toml").write_text('[tool.envlint]\nprofile = "myapp"\n')
    code, _, err = run_cli("check", ".", cwd=tmp_path)
    assert code == 2
    assert err.endswith(f"unknown profile 'myapp' (known: {', '.join(sorted(PROFILES))})\n")


def test_flake8_reports_a_configuration_typo_as_env000(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.envlint]\nselect = ["ENVV001"]\n')
    (tmp_path / "m.py").write_text("x = 1\n")
    proc = subprocess.run(
        [sys.executable, "-m", "flake8", "--select", "ENV", "m.py"],
        cwd=tmp_path, capture_output=True, text=True,
    )
    assert proc.returncode == 1
    assert proc.stdout == (
        f"m.py:1:1: ENV000 envlint configuration error: {(tmp_path / 'pyproject.toml').resolve()}: "
        "'select': unknown rule code or prefix 'ENVV001'; did you mean 'ENV001'?\n"
    )


def _codes_in_source() -> set[str]:
    """Every ENVnnn the package's source mentions: messages, constants, docstrings."""
    found = set()
    for path in PACKAGE.rglob("*.py"):
        found |= set(re.findall(r"\bENV\d{3}\b", path.read_text(encoding="utf-8")))
    return found


def test_every_code_the_package_mentions_is_catalogued():
    """A new code (a rule, a docs --check finding, a review finding) must come with its page."""
    mentioned = _codes_in_source()
    assert {"ENV000", "ENV001", "ENV101", "ENV103"} <= mentioned  # the scan does find codes
    assert sorted(mentioned - set(PAGES)) == []


@pytest.mark.parametrize("entry", ALL_CODES, ids=lambda e: e.code)
def test_every_catalogued_code_has_a_page_and_is_listed(run_cli, entry):
    code, out, err = run_cli("rule", entry.code.lower())
    assert (code, err) == (0, "")
    assert out.startswith(f"# {entry.code} ({entry.name})\n\n{entry.summary}\n\n")
    for heading in HEADINGS:
        assert heading in out, f"{entry.code} lacks {heading}"
    code, out, _ = run_cli("rules")
    assert [line.split()[:2] for line in out.splitlines()].count([entry.code, entry.name]) == 1
