"""``envlint docs``: generation and bad input.

The fixture project tests/fixtures/docs has one registry of each style
(mini/environ.py, mini/gen/envs.py).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from envlint.docs.getters import getter_default
from envlint.docs.model import Default, Entry, Reference, Section, python_literal
from envlint.docs.render import code, render_markdown

DOCS = Path(__file__).resolve().parent / "fixtures" / "docs"

DESCRIPTOR_REFERENCE = """\
# `mini.environ`

Variables defined in `mini/environ.py`.

## Logging

| Name | Type | Default | Description | Deprecated alias |
|---|---|---|---|---|
| `MINI_LOG_GC` | bool | `False` | Log garbage-collection pauses. | `MINI_LOG_GC_PAUSES` |
| `MINI_LOG_LEVEL` | str | `"info"` | debug \\| info \\| warning |  |

## Kernels

| Name | Type | Default | Description | Deprecated alias |
|---|---|---|---|---|
| `MINI_FUSE_TOPK` | bool | `True` | Fuse the top-k selection into the router kernel. \
Falls back to the unfused path on unsupported GPUs. | `MINI_OLD_FUSE_TOPK` |
| `MINI_STRICT_LEVEL` | int | `Level.OFF` |  |  |
| `MINI_ARCHS` | tuple | `("llama", "qwen")` |  |  |
| `MINI_TIMEOUT` | float | `None` |  |  |
| `MINI_CACHE_DIR` | str | `_default_cache_dir()` |  |  |
"""

MODULE_REFERENCE = """\
# `mini.gen.envs`

Variables defined in `mini/gen/envs.py`.

## Runtime

| Name | Type | Default | Description |
|---|---|---|---|
| `MINI_GEN_ROOT` | str | `os.path.expanduser("~/.cache/mini_gen")` | Root directory for generated files. |
| `MINI_GEN_STEPS` | int | `4` | Denoising steps per request. |
| `MINI_GEN_BACKEND` | str | `None` |  |

## Debugging

| Name | Type | Default | Description |
|---|---|---|---|
| `MINI_GEN_TRACE` | bool | `False` | Log every denoising step. |
| `MINI_GEN_DEBUG` |  |  | Check tensors for NaNs after each stage. |

## Other variables

| Name | Type | Default | Description |
|---|---|---|---|
| `MINI_GEN_SEED` | int | `0` |  |
"""


@pytest.fixture
def project(tmp_path) -> Path:
    """A private copy of the fixture project, for the commands that write."""
    copy = tmp_path / "project"
    shutil.copytree(DOCS, copy)
    return copy


# -- generation ----------------------------------------------------------------------


def test_descriptor_registry_reference(run_cli):
    code_, out, err = run_cli("docs", "--registry", "mini/environ.py", cwd=DOCS)
    assert (code_, err) == (0, "")
    assert out == DESCRIPTOR_REFERENCE


def test_module_registry_reference(run_cli):
    """Stubs give type and default; without a stub, an evident getter does; else nothing."""
    code_, out, err = run_cli("docs", "--registry", "mini/gen/envs.py", cwd=DOCS)
    assert (code_, err) == (0, "")
    assert out == MODULE_REFERENCE


def test_all_registries_in_configured_order(run_cli):
    code_, out, _ = run_cli("docs", cwd=DOCS)
    assert code_ == 0
    assert out == DESCRIPTOR_REFERENCE + "\n" + MODULE_REFERENCE


def test_discovered_registries_of_the_sglang_fixture(sglang_project, run_cli):
    code_, out, _ = run_cli("docs", cwd=sglang_project)
    assert code_ == 0
    headings = [line for line in out.splitlines() if line.startswith("#")]
    assert headings == [
        "# `sglang.srt.environ`",
        "## Logging",
        "## Scheduler: recv interval",
        "## Features",
        "## Tests and CI",
        "## Storage",
        "## Vendor integrations",
        "# `sglang.multimodal_gen.envs`",
        "## Runtime Env Vars",
        "## cache-dit",
    ]
    assert "| `SGLANG_DSA_FUSE_TOPK` | bool | `True` |  | `SGLANG_NSA_FUSE_TOPK` |" in out
    assert "| `SGLANG_EPLB_CHUNK_SIZE` | int | `64` |  | `SGLANG_EPLB_BATCH_CHUNK_SIZE` |" in out


def test_json_reference(run_cli):
    code_, out, _ = run_cli("docs", "--format", "json", cwd=DOCS)
    assert code_ == 0
    data = json.loads(out)
    assert [(r["module"], r["path"], r["style"]) for r in data["registries"]] == [
        ("mini.environ", "mini/environ.py", "descriptor"),
        ("mini.gen.envs", "mini/gen/envs.py", "module"),
    ]
    descriptor, module = data["registries"]
    assert [s["title"] for s in descriptor["sections"]] == ["Logging", "Kernels"]
    assert [s["title"] for s in module["sections"]] == ["Runtime", "Debugging", None]
    assert descriptor["sections"][0]["variables"][0] == {
        "name": "MINI_LOG_GC",
        "type": "bool",
        "default": "False",
        "default_is_literal": True,
        "default_value": False,
        "description": "Log garbage-collection pauses.",
        "deprecated_aliases": ["MINI_LOG_GC_PAUSES"],
        "line": 56,
    }
    kernels = {v["name"]: v for v in descriptor["sections"][1]["variables"]}
    assert kernels["MINI_STRICT_LEVEL"]["default"] == "Level.OFF"
    assert kernels["MINI_STRICT_LEVEL"]["default_value"] == 0
    assert kernels["MINI_ARCHS"]["default_value"] == ["llama", "qwen"]
    assert kernels["MINI_CACHE_DIR"]["default"] == "_default_cache_dir()"
    assert kernels["MINI_CACHE_DIR"]["default_is_literal"] is False
    assert kernels["MINI_CACHE_DIR"]["default_value"] is None
    debug = module["sections"][1]["variables"][1]
    assert (debug["name"], debug["type"], debug["default"], debug["default_is_literal"]) == (
        "MINI_GEN_DEBUG",
        "unknown",
        None,
        False,
    )


def test_cells_are_escaped():
    entry = Entry(
        name="K",
        kind="str",
        default=Default('"a|b"', True, "a|b", '"a|b"'),
        description="one | two\nthree",
        aliases=(),
        line=1,
    )
    reference = Reference("m", "m.py", "descriptor", (Section("S", (entry,)),), ())
    assert render_markdown([reference]).splitlines()[-1] == (
        '| `K` | str | `"a\\|b"` | one \\| two three |'
    )


@pytest.mark.parametrize(
    "text, span",
    [("x", "`x`"), ("a`b", "``a`b``"), ("`a", "`` `a ``"), ("", "")],
)
def test_code_spans_hold_backticks(text, span):
    assert code(text) == span


@pytest.mark.parametrize(
    "value, shown",
    [
        (False, "False"),
        (None, "None"),
        ("info", '"info"'),
        ('say "hi"', '"say \\"hi\\""'),
        ((), "()"),
        (("a",), '("a",)'),
        (["a", 1], '["a", 1]'),
        ({"k": 0.5}, '{"k": 0.5}'),
    ],
)
def test_python_literal(value, shown):
    assert python_literal(value) == shown


@pytest.mark.parametrize(
    "getter, expected",
    [
        ('lambda: os.getenv("K", "cuda")', ("str", "cuda")),
        ('lambda: os.environ.get("K")', ("str", None)),
        ('lambda: int(os.getenv("K", "60"))', ("int", 60)),
        ('lambda: float(os.environ.get("K", "0.5"))', ("float", 0.5)),
        ('lambda: bool(int(os.getenv("K", "0")))', ("bool", False)),
        ('lambda: os.getenv("K", "False").lower() == "true"', ("bool", False)),
        ('lambda: os.getenv("K", "1") in ("1", "true")', ("bool", True)),
        ('lambda: os.getenv("K", "x") != "x"', ("bool", False)),
        ('lambda: os.getenv("OTHER", "1")', None),  # reads another variable
        ('lambda: int(os.getenv("K"))', None),  # raises when unset
        ('lambda: os.environ["K"]', None),
        ('_lazy_bool("K")', None),
        ('lambda: maybe_int(os.getenv("K", "1"))', None),
    ],
)
def test_getter_defaults(getter, expected):
    import ast

    assert getter_default(ast.parse(getter, mode="eval").body, "K") == expected


# -- bad input -----------------------------------------------------------------------


def test_registry_errors(project, run_cli):
    (project / "broken.py").write_text("x = (\n", encoding="utf-8")
    (project / "plain.py").write_text("x = 1\n", encoding="utf-8")
    assert run_cli("docs", "--registry", "missing.py", cwd=project) == (
        2, "", "envlint: error: missing.py: no such file\n"
    )
    assert run_cli("docs", "--registry", "broken.py", cwd=project) == (
        2, "", "envlint: error: broken.py: cannot parse: '(' was never closed (line 1)\n"
    )
    assert run_cli("docs", "--registry", "plain.py", cwd=project) == (
        2,
        "",
        "envlint: error: plain.py: not a registry: defines neither an EnvField class nor an "
        "environment_variables dict\n",
    )


def test_unconfigured_registry_style_is_detected(tmp_path, run_cli):
    shutil.copy(DOCS / "mini" / "gen" / "envs.py", tmp_path / "envs.py")
    code_, out, _ = run_cli("docs", "--registry", "envs.py", cwd=tmp_path)
    assert code_ == 0
    assert out.splitlines()[:3] == ["# `envs`", "", "Variables defined in `envs.py`."]
    assert "| `MINI_GEN_STEPS` | int | `4` | Denoising steps per request. |" in out


def test_configured_registry_that_does_not_parse(tmp_path, run_cli):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.envlint]\nregistries = [{path = "envs.py", style = "module"}]\n', encoding="utf-8"
    )
    (tmp_path / "envs.py").write_text("environment_variables = {\n", encoding="utf-8")
    code_, out, err = run_cli("docs", cwd=tmp_path)
    assert (code_, out) == (2, "")
    assert err == "envlint: error: envs.py: registry not loaded: cannot parse: '{' was never " \
        "closed (line 1)\n"


def test_no_registry_at_all(tmp_path, run_cli):
    (tmp_path / "pyproject.toml").write_text("[tool.envlint]\n", encoding="utf-8")
    assert run_cli("docs", cwd=tmp_path) == (
        2,
        "",
        "envlint: error: no environment-variable registry found; name one with --registry or "
        "in [tool.envlint] registries\n",
    )
