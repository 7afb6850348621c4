"""The command line: formats, exit codes, selection, rule docs, bad input."""

from __future__ import annotations

import json
import shutil
import textwrap

import pytest

from envlint.rules import ALL_RULES


def test_text_output_is_flake8_style_and_sorted(sglang_project, run_cli):
    code, out, err = run_cli("check", "python/sglang/srt/writes.py", cwd=sglang_project)
    assert code == 1
    assert out.splitlines() == [
        "python/sglang/srt/writes.py:7:5: ENV001 raw write of SGLANG_LOG_GC via os.environ[...]; "
        "use envs.SGLANG_LOG_GC.set(...)",
        "python/sglang/srt/writes.py:8:5: ENV001 raw write of SGLANG_BRAND_NEW_KNOB via "
        "os.environ[...]; register SGLANG_BRAND_NEW_KNOB in Envs (python/sglang/srt/environ.py) "
        "and use envs.SGLANG_BRAND_NEW_KNOB.set(...)",
        "python/sglang/srt/writes.py:9:9: ENV001 raw delete of SGLANG_LOG_MS via os.environ[...]; "
        "use envs.SGLANG_LOG_MS.clear()",
        "python/sglang/srt/writes.py:10:5: ENV001 raw delete of SGLANG_TEST_RETRACT via "
        "os.environ.pop(); use envs.SGLANG_TEST_RETRACT.clear()",
        "python/sglang/srt/writes.py:11:5: ENV001 raw write of SGLANG_LOG_LEVEL via "
        "os.environ.setdefault(); use envs.SGLANG_LOG_LEVEL.set(...)",
        "python/sglang/srt/writes.py:12:24: ENV001 raw write of SGLANG_IS_IN_CI via "
        "os.environ.update(); use envs.SGLANG_IS_IN_CI.set(...)",
        "python/sglang/srt/writes.py:13:23: ENV001 raw write of SGLANG_USE_AITER via "
        "os.environ.update(); use envs.SGLANG_USE_AITER.set(...)",
        "Found 7 findings (4 fixable).",
    ]
    assert err == ""


def test_json_contract(sglang_project, run_cli):
    code, out, _ = run_cli(
        "check", "python/sglang/srt/managers/aliases.py", "--format", "json", cwd=sglang_project
    )
    assert code == 1
    data = json.loads(out)
    assert isinstance(data, list) and len(data) == 4
    first = data[0]
    assert first == {
        "path": "python/sglang/srt/managers/aliases.py",
        "line": 9,
        "column": 8,
        "end_line": 9,
        "end_column": 34,
        "code": "ENV004",
        "message": first["message"],
        "key": "SGLANG_LOG_GC",
        "fix": first["fix"],
    }
    assert first["message"].startswith("environ.envs.SGLANG_LOG_GC is the descriptor")
    for item in data:
        assert item["fix"] is None or item["fix"]["applicability"] in ("safe", "unsafe")
        assert 1 <= item["column"] < item["end_column"] or item["line"] < item["end_line"]


def test_clean_file_exits_zero(sglang_project, run_cli):
    code, out, err = run_cli("check", "python/sglang/srt/clean.py", cwd=sglang_project)
    assert (code, out, err) == (0, "No findings.\n", "")


def test_json_empty_is_an_empty_array(sglang_project, run_cli):
    code, out, _ = run_cli(
        "check", "python/sglang/srt/clean.py", "--format", "json", cwd=sglang_project
    )
    assert (code, json.loads(out)) == (0, [])


def test_select_and_ignore_by_prefix(sglang_project, run_cli):
    _, out, _ = run_cli("check", "-q", "--select", "ENV002,ENV005", cwd=sglang_project)
    assert {line.split()[1] for line in out.splitlines()} == {"ENV002", "ENV005"}
    _, out, _ = run_cli("check", "--ignore", "ENV00,ENV01", cwd=sglang_project)
    assert out == "No findings.\n"
    # The more specific prefix wins, as in flake8.
    _, out, _ = run_cli("check", "-q", "--select", "ENV004", "--ignore", "ENV", cwd=sglang_project)
    assert {line.split()[1] for line in out.splitlines()} == {"ENV004"}


def test_exit_zero(sglang_project, run_cli):
    code, out, _ = run_cli("check", "--exit-zero", cwd=sglang_project)
    assert code == 0 and out


def test_invalid_code_prefix_is_usage_error(sglang_project, run_cli):
    code, out, err = run_cli("check", "--select", "env-1", cwd=sglang_project)
    assert code == 2 and out == ""
    assert err == (
        "envlint: error: --select: unknown rule code or prefix 'env-1'; did you mean 'ENV'?\n"
    )


def test_missing_path_is_usage_error(sglang_project, run_cli):
    code, _, err = run_cli("check", "no/such/dir", cwd=sglang_project)
    assert code == 2
    assert err == "envlint: error: no/such/dir: no such file or directory\n"


def test_rules_lists_every_code(run_cli):
    code, out, _ = run_cli("rules")
    assert code == 0
    listed = [line.split()[0] for line in out.splitlines()]
    assert listed == sorted(listed)
    assert set(r.code for r in ALL_RULES) < set(listed)


def test_rule_prints_full_explanation(run_cli):
    code, out, _ = run_cli("rule", "env004")
    assert code == 0
    assert out.startswith("# ENV004 (descriptor-used-as-value)\n")
    for heading in ("## What it does", "## Why is this bad", "## Example", "## Use instead", "## Fix safety"):
        assert heading in out
    code, _, err = run_cli("rule", "ENV999")
    assert (code, err) == (2, "envlint: error: unknown rule 'ENV999'; `envlint rules` lists them\n")


def test_bad_files_are_reported_and_the_run_continues(tmp_path, sglang_project, run_cli):
    project = tmp_path / "proj"
    shutil.copytree(sglang_project, project)
    bad = project / "python/sglang/srt/broken.py"
    bad.write_text('import os\nx = os.getenv("SGLANG_LOG_GC"\n')
    latin = project / "python/sglang/srt/undecodable.py"
    latin.write_bytes(b'import os\nx = os.getenv("SGLANG_\xff")\n')
    code, out, err = run_cli("check", "python/sglang/srt", cwd=project)
    assert code == 1
    errors = err.splitlines()
    assert errors == [
        "envlint: error: python/sglang/srt/broken.py: cannot parse: '(' was never closed (line 2)",
        "envlint: error: python/sglang/srt/undecodable.py: cannot decode as utf-8: "
        "invalid start byte (line 2)",
    ]
    # The other files were still checked.
    assert "python/sglang/srt/layers/attention.py:15:10: ENV001" in out


def test_pep263_encoding_and_bom(tmp_path, sglang_project, run_cli):
    project = tmp_path / "proj"
    shutil.copytree(sglang_project, project)
    latin1 = project / "python/sglang/srt/latin.py"
    latin1.write_bytes(
        b'# -*- coding: latin-1 -*-\nimport os\nnote = "\xe9t\xe9"; x = os.getenv("SGLANG_LOG_GC")\n'
    )
    bom = project / "python/sglang/srt/bom.py"
    bom.write_bytes(b'\xef\xbb\xbfimport os\nx = os.getenv("SGLANG_LOG_MS")\n')
    _, out, err = run_cli("check", "python/sglang/srt/latin.py", "python/sglang/srt/bom.py", cwd=project)
    assert err == ""
    # Columns count characters, not bytes: "é" is two bytes in UTF-8 but one column.
    assert out.splitlines() == [
        "python/sglang/srt/bom.py:2:5: ENV001 raw read of SGLANG_LOG_MS via os.getenv(); "
        "use envs.SGLANG_LOG_MS.get()",
        "python/sglang/srt/latin.py:3:19: ENV001 raw read of SGLANG_LOG_GC via os.getenv(); "
        "use envs.SGLANG_LOG_GC.get()",
        "Found 2 findings (2 with unsafe fixes).",
    ]


def test_no_registry_found_says_so_once(tmp_path, run_cli):
    (tmp_path / "pyproject.toml").write_text("[tool.envlint]\n")
    (tmp_path / "a.py").write_text('import os\nx = os.getenv("SGLANG_X")\n')
    (tmp_path / "b.py").write_text('import os\ny = os.getenv("SGL_Y")\n')
    code, out, err = run_cli("check", ".", cwd=tmp_path)
    assert code == 1
    assert err.count("no environment-variable registry found") == 1
    assert len(err.splitlines()) == 1
    assert out.splitlines() == [
        "a.py:2:5: ENV001 raw read of SGLANG_X via os.getenv(); register SGLANG_X in a registry "
        "and use envs.SGLANG_X.get()",
        # One site, one finding: ENV001 owns the raw access and names the legacy alias.
        "b.py:2:5: ENV001 raw read of SGL_Y via os.getenv(); SGL_Y is a legacy alias of SGLANG_Y; "
        "register SGLANG_Y in a registry and use envs.SGLANG_Y.get()",
        "Found 2 findings (1 with unsafe fixes).",
    ]


def test_default_excludes_and_configured_excludes(tmp_path, run_cli):
    (tmp_path / "pyproject.toml").write_text('[tool.envlint]\nextend-exclude = ["generated/*"]\n')
    for folder in (".venv/lib", "build", "generated", "src"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "m.py").write_text('import os\nx = os.getenv("SGLANG_X")\n')
    _, out, _ = run_cli("check", "-q", ".", cwd=tmp_path)
    assert [line.split(":")[0] for line in out.splitlines()] == ["src/m.py"]
    # An explicitly named file is always checked.
    _, out, _ = run_cli("check", "build/m.py", cwd=tmp_path)
    assert out.startswith("build/m.py:2:5: ENV001")


@pytest.mark.parametrize(
    "table,message",
    [
        ("[tool.envlint]\nfoo = 1\n", "[tool.envlint]: unknown key 'foo'"),
        ('[tool.envlint]\nregistries = ["nope/environ.py"]\n', "registry 'nope/environ.py' does not exist"),
        ('[tool.envlint]\nprofile = "django"\n', "unknown profile 'django'"),
        ("[tool.envlint]\nexclude = 3\n", "'exclude' must be a list of strings"),
        ("[tool.envlint\n", "invalid TOML"),
        ('[tool.envlint]\nregistries = [{path = "x.py", colour = "red"}]\n', "registry: unknown key 'colour'"),
    ],
)
def test_configuration_errors_are_one_line_exit_2(tmp_path, run_cli, table, message):
    (tmp_path / "pyproject.toml").write_text(table)
    (tmp_path / "x.py").write_text("")
    code, out, err = run_cli("check", ".", cwd=tmp_path)
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1
    assert err.startswith("envlint: error: ") and message in err
    assert f"{(tmp_path / 'pyproject.toml').resolve()}: " in err  # names the file, always


def test_configured_registry_and_relative_paths(tmp_path, run_cli):
    (tmp_path / "pyproject.toml").write_text(
        textwrap.dedent(
            """
            [tool.envlint]
            src = ["src"]
            registries = [
                "src/acme/settings.py",
                {path = "src/acme/diffusion_envs.py", style = "module", module = "acme.diffusion_envs"},
            ]
            """
        )
    )
    pkg = tmp_path / "src/acme"
    pkg.mkdir(parents=True)
    (pkg / "settings.py").write_text(
        "class EnvField: ...\nclass EnvBool(EnvField): ...\n"
        "class Settings:\n    SGLANG_FAST = EnvBool(False)\nsettings = Settings()\n"
    )
    (pkg / "diffusion_envs.py").write_text("environment_variables = {'SGLANG_DIFF': lambda: 1}\n")
    (pkg / "use.py").write_text(
        "from .settings import settings\nfrom . import diffusion_envs as envs\n"
        "if settings.SGLANG_FAST:\n    pass\nif envs.SGLANG_DIFF:\n    pass\n"
    )
    code, out, err = run_cli("check", ".", cwd=tmp_path)
    assert err == ""
    assert out.splitlines() == [
        "src/acme/use.py:3:4: ENV004 settings.SGLANG_FAST is the descriptor, not its value: "
        "its truth test raises RuntimeError; use settings.SGLANG_FAST.get()",
        "Found 1 finding (1 with unsafe fixes).",
    ]


def _unmarked_tree(tmp_path, sglang_project):
    """An sglang tree with no pyproject.toml or .git above it (like an unpacked wheel)."""
    tree = tmp_path / "wheel"
    shutil.copytree(sglang_project / "python", tree)
    return tree


def test_module_names_without_a_project_marker(tmp_path, sglang_project, run_cli):
    tree = _unmarked_tree(tmp_path, sglang_project)
    # Linting a deep subdirectory must still resolve `from ..environ import envs`.
    _, out, err = run_cli("check", "sglang/srt/managers", cwd=tree)
    assert err == ""
    assert "sglang/srt/managers/scheduler.py:24:20: ENV004 relative_envs.SGLANG_LOG_MS" in out
    # A helper defined in the module itself is still sglang's helper.
    _, out, _ = run_cli("check", "sglang/srt/utils/common.py", cwd=tree)
    assert out.startswith("sglang/srt/utils/common.py:45:25: ENV001")


def test_module_level_global_statement(tmp_path, run_cli):
    (tmp_path / "pyproject.toml").write_text("[tool.envlint]\n")
    (tmp_path / "g.py").write_text('import os\n\nglobal args\nargs = None\nx = os.getenv("SGLANG_X")\n')
    code, out, err = run_cli("check", "g.py", cwd=tmp_path)
    assert code == 1 and out.startswith("g.py:5:5: ENV001")


def test_profile_must_be_a_string(tmp_path, run_cli):
    (tmp_path / "pyproject.toml").write_text("[tool.envlint]\nprofile = []\n")
    code, out, err = run_cli("check", ".", cwd=tmp_path)
    assert code == 2 and "unknown profile []" in err and len(err.splitlines()) == 1


def test_configured_registry_that_does_not_parse_is_a_config_error(tmp_path, run_cli):
    (tmp_path / "pyproject.toml").write_text('[tool.envlint]\nregistries = ["reg.py"]\n')
    (tmp_path / "reg.py").write_text("class Envs(:\n")
    code, out, err = run_cli("check", ".", cwd=tmp_path)
    assert (code, out) == (2, "")
    assert err == (
        f"envlint: error: {tmp_path / 'pyproject.toml'}: registry 'reg.py': cannot parse: "
        "invalid syntax (line 1)\n"
    )


def test_discovered_registry_that_does_not_parse_is_reported_once(tmp_path, run_cli):
    (tmp_path / "pyproject.toml").write_text("[tool.envlint]\n")
    registry = tmp_path / "sglang/srt/environ.py"
    registry.parent.mkdir(parents=True)
    registry.write_text("class Envs(:\n")
    code, _, err = run_cli("check", ".", cwd=tmp_path)
    assert code == 1
    assert err.splitlines() == [
        "envlint: error: sglang/srt/environ.py: cannot parse: invalid syntax (line 1)"
    ]


def test_deeply_nested_default_is_an_error_not_a_traceback(tmp_path, run_cli):
    (tmp_path / "pyproject.toml").write_text('[tool.envlint]\nregistries = ["reg.py"]\n')
    default = "+".join(["1"] * 5000)
    (tmp_path / "reg.py").write_text(
        f"class EnvField: ...\nclass EnvInt(EnvField): ...\nclass Envs:\n    SGLANG_X = EnvInt({default})\n"
    )
    code, _, err = run_cli("check", ".", cwd=tmp_path)
    assert code == 2 and err.startswith("envlint: error:") and len(err.splitlines()) == 1


def test_undecodable_files_are_reported_even_when_no_rule_applies(tmp_path, run_cli):
    (tmp_path / "pyproject.toml").write_text("[tool.envlint]\n")
    (tmp_path / "plain.py").write_bytes(b'x = 1\ny = "\xff"\n')
    code, _, err = run_cli("check", ".", cwd=tmp_path)
    assert code == 1
    assert err.splitlines()[-1] == (
        "envlint: error: plain.py: cannot decode as utf-8: invalid start byte (line 2)"
    )


def test_prefilter_sees_implicitly_concatenated_keys(tmp_path, run_cli):
    (tmp_path / "pyproject.toml").write_text("[tool.envlint]\n")
    (tmp_path / "c.py").write_text(
        'import os\nx = os.getenv("SGLANG" "_LOG_GC")\ny = os.environ["SGLANG\\x5fLOG_MS"]\n'
    )
    _, out, _ = run_cli("check", "-q", "c.py", cwd=tmp_path)
    assert [line.split(": ")[1].split()[0] for line in out.splitlines()] == ["ENV001", "ENV001"]
