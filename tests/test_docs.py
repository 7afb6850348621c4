"""``envlint docs``: generation, the drift check, --write, and bad input.

The fixture project tests/fixtures/docs has one registry of each style
(mini/environ.py, mini/gen/envs.py) and three pages: drift.md (every kind of
drift), in_sync.md (hand-written, agrees) and page.md (markers for --write).
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import textwrap
from pathlib import Path

import pytest

from envlint.docs.drift import default_matches
from envlint.docs.getters import getter_default
from envlint.docs.model import Default, Entry, Reference, Section, python_literal
from envlint.docs.page import Page, split_row
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
    # A cache a local run left in the fixture is not part of it (tests assert on dot-files).
    shutil.copytree(DOCS, copy, ignore=shutil.ignore_patterns(".envlint_cache"))
    return copy


# -- generation ----------------------------------------------------------------------


def test_descriptor_registry_reference(run_cli):
    code_, out, err = run_cli("docs", "--registry", "mini/environ.py", cwd=DOCS)
    assert (code_, err) == (0, "")
    assert out == DESCRIPTOR_REFERENCE


def test_module_registry_reference(run_cli):
    """An evident getter gives the default (over a stale stub: 4, not 2), else the stub does."""
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
        default=Default('"a|b"', True, "a|b"),
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


# -- the page parser -----------------------------------------------------------------


def test_split_row_positions_and_escaped_pipes():
    cells = split_row("| `A` |  x \\| y | |")
    assert [(c.raw, c.start, c.text) for c in cells] == [
        ("`A`", 2, "`A`"),
        ("x \\| y", 9, "x | y"),
        ("", 18, ""),
    ]
    assert [c.raw for c in split_row("A | B")] == ["A", "B"]
    assert split_row("no table here") == []


def test_page_rows(tmp_path):
    page = tmp_path / "p.md"
    page.write_text(
        textwrap.dedent(
            """\
            | Key | Notes | Default |
            |:---|---|--:|
            | **`SGLANG_A`** (old) | x | `True` (prod) |
            | not a variable | x | 1 |
            | [SGLANG_B](#b) | x |
            | SGLANG_C |

            | Flag | Default |
            |---|---|
            | `--port` | 30000 |

            | Command | What |
            |---|---|
            | `SGLANG_NOT_A_REFERENCE` | x |

            ~~~
            | Name | Default |
            |---|---|
            | `SGLANG_FENCED` | 1 |
            ~~~
            """
        ),
        encoding="utf-8",
    )
    rows = Page.read(page).rows()
    assert [(r.name, r.line, r.column, r.default) for r in rows] == [
        ("SGLANG_A", 3, 6, rows[0].default),
        ("SGLANG_B", 5, 4, None),
        ("SGLANG_C", 6, 3, None),
    ]
    assert (rows[0].default.text, rows[0].default.column) == ("True", 31)


@pytest.mark.parametrize(
    "documented, default, matches",
    [
        ("false", Default("False", True, False), True),
        ("0", Default("False", True, False), True),
        ("`yes`", Default("True", True, True), False),  # the cell's span is unwrapped earlier
        ("yes", Default("True", True, True), True),
        ("true", Default("False", True, False), False),
        ("Not set", Default("None", True, None), True),
        ("-", Default("None", True, None), True),
        ("", Default("None", True, None), True),
        ("0", Default("None", True, None), False),
        ("info", Default('"info"', True, "info"), True),
        ("'info'", Default('"info"', True, "info"), True),
        ("INFO", Default('"info"', True, "info"), False),
        ('""', Default('""', True, ""), True),
        ("8_192", Default("8192", True, 8192), True),
        ("8192.0", Default("8192", True, 8192), True),
        ("8K", Default("8192", True, 8192), False),
        (".5", Default("0.5", True, 0.5), True),
        ("Level.OFF", Default("Level.OFF", True, 0), True),
        ("0", Default("Level.OFF", True, 0), True),
        ("a, b", Default('("a", "b")', True, ("a", "b")), True),
        ('["a", "b"]', Default('("a", "b")', True, ("a", "b")), True),
        ("-", Default("()", True, ()), True),
        ("a", Default('("a", "b")', True, ("a", "b")), False),
        ('{"k": 1}', Default('{"k": 1}', True, {"k": 1}), True),
    ],
)
def test_default_matches(documented, default, matches):
    assert default_matches(documented, default) is matches


# -- the drift check -----------------------------------------------------------------


def test_every_kind_of_drift(run_cli):
    code_, out, err = run_cli("docs", "--check", "drift.md", cwd=DOCS)
    assert (code_, err) == (1, "")
    assert out.splitlines() == [
        "drift.md:1:1: ENV102 MINI_GEN_BACKEND is defined in mini/gen/envs.py:27 but not "
        "documented",
        "drift.md:1:1: ENV102 MINI_GEN_TRACE is defined in mini/gen/envs.py:30 but not "
        "documented",
        "drift.md:1:1: ENV102 MINI_GEN_SEED is defined in mini/gen/envs.py:35 but not documented",
        "drift.md:10:23: ENV103 MINI_LOG_LEVEL default documented as 'debug', but "
        'mini/environ.py sets "info"',
        "drift.md:11:4: ENV101 LEGACY_LOG_GC is documented under its legacy prefix; the "
        "registry defines MINI_LOG_GC",
        "drift.md:12:4: ENV101 MINI_GONE is documented but not defined in mini/environ.py or "
        "mini/gen/envs.py",
        "drift.md:19:42: ENV101 MINI_OLD_FUSE_TOPK is documented but is a deprecated alias of "
        "MINI_FUSE_TOPK",
        "drift.md:22:26: ENV103 MINI_TIMEOUT default documented as '30', but mini/environ.py "
        "sets None",
        "drift.md:24:26: ENV101 MINI_REMOVED is documented but mini/environ.py deprecates it "
        "without replacement",
        "drift.md:30:18: ENV103 MINI_GEN_STEPS default documented as '8', but mini/gen/envs.py "
        "sets 4",
    ]


def test_check_against_one_registry(run_cli):
    """With --registry, the other registry's variables are stale, its own are compared."""
    code_, out, _ = run_cli(
        "docs", "--registry", "mini/gen/envs.py", "--check", "drift.md", cwd=DOCS
    )
    assert code_ == 1
    assert [line.split(" ")[1] + " " + line.split(" ")[2] for line in out.splitlines()] == [
        "ENV102 MINI_GEN_BACKEND",
        "ENV102 MINI_GEN_TRACE",
        "ENV102 MINI_GEN_SEED",
        "ENV101 MINI_LOG_GC",
        "ENV101 MINI_LOG_LEVEL",
        "ENV101 LEGACY_LOG_GC",
        "ENV101 MINI_GONE",
        "ENV101 MINI_FUSE_TOPK",
        "ENV101 MINI_OLD_FUSE_TOPK",
        "ENV101 MINI_STRICT_LEVEL",
        "ENV101 MINI_ARCHS",
        "ENV101 MINI_TIMEOUT",
        "ENV101 MINI_CACHE_DIR",
        "ENV101 MINI_REMOVED",
        "ENV103 MINI_GEN_STEPS",
    ]


def test_hand_written_page_in_sync(run_cli):
    assert run_cli("docs", "--check", "in_sync.md", cwd=DOCS) == (0, "", "")


def test_page_without_tables(project, run_cli):
    (project / "empty.md").write_text("# Nothing here\n", encoding="utf-8")
    code_, out, err = run_cli("docs", "--registry", "mini/environ.py", "--check", "empty.md",
                              cwd=project)
    assert code_ == 1
    assert len(out.splitlines()) == 7
    assert err == "envlint: empty.md: no table on the page documents a variable\n"


# -- --write -------------------------------------------------------------------------

PAGE_HEAD = """\
# Mini environment variables

This introduction is written by hand and must survive `envlint docs --write`.

## Reference

<!-- envlint:begin -->
"""
PAGE_TAIL = """\
<!-- envlint:end -->

Notes after the generated part stay as they are.
"""


def _nested(markdown: str, levels: int) -> str:
    """The reference with every heading ``levels`` deeper, as --write nests it."""
    return "".join(
        "#" * levels + line if line.startswith("#") else line
        for line in markdown.splitlines(keepends=True)
    )


def test_write_replaces_only_the_region(project, run_cli):
    code_, out, err = run_cli("docs", "--write", "page.md", cwd=project)
    assert (code_, out, err) == (0, "", "envlint: updated page.md\n")
    expected_region = "\n" + _nested(DESCRIPTOR_REFERENCE + "\n" + MODULE_REFERENCE, 2) + "\n"
    assert (project / "page.md").read_text(encoding="utf-8") == (
        PAGE_HEAD + expected_region + PAGE_TAIL
    )


def test_write_is_idempotent_and_the_result_checks_clean(project, run_cli):
    run_cli("docs", "--write", "page.md", cwd=project)
    first = (project / "page.md").read_bytes()
    assert run_cli("docs", "--write", "page.md", cwd=project) == (0, "", "")
    assert (project / "page.md").read_bytes() == first
    assert run_cli("docs", "--check", "page.md", cwd=project) == (0, "", "")


def test_write_keeps_line_breaks_bom_and_permissions(project, run_cli):
    page = project / "crlf.md"
    page.write_bytes(
        b"\xef\xbb\xbfIntro\r\n<!-- envlint:begin -->\r\nold\r\n<!-- envlint:end -->\r\nEnd"
    )
    os.chmod(page, 0o640)
    assert run_cli("docs", "--registry", "mini/gen/envs.py", "--write", "crlf.md",
                   cwd=project)[0] == 0
    data = page.read_bytes()
    region = "\n" + MODULE_REFERENCE + "\n"
    assert data == (
        b"\xef\xbb\xbfIntro\r\n<!-- envlint:begin -->\r\n"
        + region.replace("\n", "\r\n").encode("utf-8")
        + b"<!-- envlint:end -->\r\nEnd"
    )
    assert stat.S_IMODE(page.stat().st_mode) == 0o640
    assert sorted(p.name for p in project.iterdir() if p.name.startswith(".")) == []


def test_markers_inside_code_blocks_are_not_markers(project, run_cli):
    page = project / "fenced.md"
    text = "```\n<!-- envlint:begin -->\n<!-- envlint:end -->\n```\n"
    page.write_text(text, encoding="utf-8")
    code_, out, err = run_cli("docs", "--write", "fenced.md", cwd=project)
    assert (code_, out) == (2, "")
    assert err.startswith("envlint: error: fenced.md: no generated region;")
    assert page.read_text(encoding="utf-8") == text


# -- bad input -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "page_text, message",
    [
        (
            "# No markers\n",
            "envlint: error: bad.md: no generated region; add a line <!-- envlint:begin --> "
            "and a line <!-- envlint:end --> where the reference goes\n",
        ),
        (
            "<!-- envlint:begin -->\n",
            "envlint: error: bad.md: no generated region; add a line <!-- envlint:begin --> "
            "and a line <!-- envlint:end --> where the reference goes\n",
        ),
        (
            "<!-- envlint:end -->\n<!-- envlint:begin -->\n",
            "envlint: error: bad.md:1: <!-- envlint:end --> comes before <!-- envlint:begin -->\n",
        ),
        (
            "<!-- envlint:begin -->\n<!-- envlint:end -->\n<!-- envlint:begin -->\n",
            "envlint: error: bad.md:3: more than one envlint marker; a page has one generated "
            "region\n",
        ),
    ],
)
def test_bad_markers(project, run_cli, page_text, message):
    (project / "bad.md").write_text(page_text, encoding="utf-8")
    assert run_cli("docs", "--write", "bad.md", cwd=project) == (2, "", message)
    assert (project / "bad.md").read_text(encoding="utf-8") == page_text


def test_registry_errors(project, run_cli):
    (project / "broken.py").write_text("x = = 1\n", encoding="utf-8")
    (project / "plain.py").write_text("x = 1\n", encoding="utf-8")
    assert run_cli("docs", "--registry", "missing.py", cwd=project) == (
        2, "", "envlint: error: missing.py: no such file\n"
    )
    assert run_cli("docs", "--registry", "mini", cwd=project) == (
        2, "", "envlint: error: mini: not a file\n"
    )
    assert run_cli("docs", "nowhere", "--registry", "mini/environ.py", cwd=project) == (
        2, "", "envlint: error: nowhere: no such file or directory\n"
    )
    assert run_cli("docs", "--registry", "broken.py", cwd=project) == (
        2, "", "envlint: error: broken.py: cannot parse: invalid syntax (line 1)\n"
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
    (tmp_path / "envs.py").write_text("environment_variables = = {}\n", encoding="utf-8")
    code_, out, err = run_cli("docs", cwd=tmp_path)
    assert (code_, out) == (2, "")
    assert err == (
        f"envlint: error: {tmp_path / 'pyproject.toml'}: registry 'envs.py': cannot parse: "
        "invalid syntax (line 1)\n"
    )


def test_no_registry_at_all(tmp_path, run_cli):
    (tmp_path / "pyproject.toml").write_text("[tool.envlint]\n", encoding="utf-8")
    assert run_cli("docs", cwd=tmp_path) == (
        2,
        "",
        "envlint: error: no environment-variable registry found; name one with --registry or "
        "in [tool.envlint] registries\n",
    )


def test_usage_errors(run_cli):
    assert run_cli("docs", "--check", "nope.md", cwd=DOCS) == (
        2, "", "envlint: error: nope.md: no such file\n"
    )
    assert run_cli("docs", "--check", "drift.md", "--format", "json", cwd=DOCS) == (
        2, "", "envlint: error: --format applies to the printed reference, not to --check or "
        "--write\n"
    )
