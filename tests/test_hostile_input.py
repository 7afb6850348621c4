"""Odd files, odd trees and odd configuration: one clear line each, never a traceback or a hang.

The contract (docs/reliability.md): a file that cannot be read or parsed is an
error line naming it and the reason (exit 1), the run goes on with the other
files; a configuration problem is one line naming the pyproject (exit 2).
"""

from __future__ import annotations

import ast
import errno
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from hostile import make_outside, make_project, snapshot

RAW_READ = 'import os\n\nx = os.getenv("SGLANG_SOMETHING")\n'
RAW_READ_FINDING = (
    "good.py:3:5: ENV001 raw read of SGLANG_SOMETHING via os.getenv(); register SGLANG_SOMETHING "
    "in Envs (python/sglang/srt/environ.py) and use envs.SGLANG_SOMETHING.get()"
)
LOOP_REASON = f"cannot read: {os.strerror(errno.ELOOP)}"


def _err_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if not line.startswith("envlint: note:")]


# -- symlinks, FIFOs, devices ------------------------------------------------------------------


def test_a_symlink_loop_is_an_error_line_and_the_rest_is_checked(tmp_path, run_cli):
    root = make_project(tmp_path, {"good.py": RAW_READ})
    (root / "a.py").symlink_to("b.py")
    (root / "b.py").symlink_to("a.py")
    code, out, err = run_cli("check", "-q", "--no-cache", ".", cwd=root)
    assert code == 1
    assert out.splitlines() == [RAW_READ_FINDING]
    assert _err_lines(err) == [
        f"envlint: error: a.py: {LOOP_REASON}",
        f"envlint: error: b.py: {LOOP_REASON}",
    ]


def test_a_symlink_loop_named_on_the_command_line_is_an_error_line(tmp_path, run_cli):
    root = make_project(tmp_path)
    (root / "a.py").symlink_to("b.py")
    (root / "b.py").symlink_to("a.py")
    code, out, err = run_cli("check", "-q", "--no-cache", "a.py", cwd=root)
    assert (code, out) == (1, "")
    assert _err_lines(err) == [f"envlint: error: a.py: {LOOP_REASON}"]
    # A path with nothing at all behind it stays a usage error.
    code, _, err = run_cli("check", "-q", "--no-cache", "missing.py", cwd=root)
    assert code == 2 and err == "envlint: error: missing.py: no such file or directory\n"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_and_a_device_are_refused_without_hanging(tmp_path):
    root = make_project(tmp_path, {"good.py": RAW_READ})
    os.mkfifo(root / "fifo.py")
    (root / "zero.py").symlink_to("/dev/zero")
    for args in (["."], ["fifo.py", "zero.py", "good.py"]):
        done = subprocess.run(
            [sys.executable, "-m", "envlint", "check", "-q", "--no-cache", *args],
            cwd=root, capture_output=True, text=True, timeout=120,
        )
        assert done.returncode == 1
        assert done.stdout.splitlines() == [RAW_READ_FINDING]
        assert sorted(_err_lines(done.stderr)) == [
            "envlint: error: fifo.py: cannot read: a FIFO, not a regular file",
            "envlint: error: zero.py: cannot read: a character device, not a regular file",
        ]


# -- the size limit ---------------------------------------------------------------------------


def test_a_file_over_the_configured_size_limit_is_an_error_line(tmp_path, run_cli):
    big = RAW_READ + "# padding\n" * 200  # 2,045 bytes; the registry is smaller than the limit
    root = make_project(
        tmp_path, {"good.py": RAW_READ, "big.py": big}, pyproject="[tool.envlint]\nmax-file-size = 2000\n"
    )
    code, out, err = run_cli("check", "-q", "--no-cache", ".", cwd=root)
    assert code == 1
    assert out.splitlines() == [RAW_READ_FINDING]
    assert _err_lines(err) == [
        "envlint: error: big.py: file is larger than the 2,000-byte limit (2,045 bytes); "
        "raise [tool.envlint] max-file-size to check it"
    ]


@pytest.mark.parametrize("value", ["0", "-1", "true", '"10MB"', "1.5"])
def test_max_file_size_must_be_a_positive_integer(tmp_path, run_cli, value):
    root = make_project(tmp_path, pyproject=f"[tool.envlint]\nmax-file-size = {value}\n")
    code, out, err = run_cli("check", "-q", "--no-cache", ".", cwd=root)
    assert (code, out) == (2, "")
    assert err == (
        f"envlint: error: {root / 'pyproject.toml'}: 'max-file-size' must be a positive number of bytes\n"
    )


def test_the_flake8_plugin_applies_the_same_size_limit(tmp_path, monkeypatch):
    from envlint import flake8_plugin

    big = RAW_READ + "# padding\n" * 200
    root = make_project(tmp_path, {"big.py": big}, pyproject="[tool.envlint]\nmax-file-size = 2000\n")
    monkeypatch.chdir(root)
    checker = flake8_plugin.EnvlintChecker(ast.parse(big), "big.py", big.splitlines(keepends=True))
    assert [item[:3] for item in checker.run()] == [
        (1, 0, "ENV000 envlint cannot check this file: file is larger than the 2,000-byte limit "
               "(2,045 bytes); raise [tool.envlint] max-file-size to check it"),
    ]


# -- directories that cannot be listed ------------------------------------------------------------


def test_a_directory_that_cannot_be_listed_is_an_error_line(tmp_path, run_cli, monkeypatch):
    root = make_project(tmp_path, {"good.py": RAW_READ, "locked/hidden.py": RAW_READ})
    locked = str(root / "locked")
    real_scandir = os.scandir

    def scandir(path="."):
        if os.path.abspath(path) == locked:  # what chmod 000 does for anyone but root
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), path)
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    code, out, err = run_cli("check", "-q", "--no-cache", ".", cwd=root)
    assert code == 1
    assert out.splitlines() == [RAW_READ_FINDING]
    assert _err_lines(err) == ["envlint: error: locked: cannot read directory: Permission denied"]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any directory")
def test_a_directory_without_read_permission_is_an_error_line(tmp_path, run_cli):
    root = make_project(tmp_path, {"good.py": RAW_READ, "locked/hidden.py": RAW_READ})
    (root / "locked").chmod(0)
    try:
        code, _, err = run_cli("check", "-q", "--no-cache", ".", cwd=root)
    finally:
        (root / "locked").chmod(0o755)
    assert code == 1
    assert "envlint: error: locked: cannot read directory: Permission denied" in err


# -- files that cannot be parsed -----------------------------------------------------------------


def test_a_nul_byte_is_reported_exactly_like_a_syntax_error(tmp_path, run_cli):
    """Both are reported when the file may hold a finding (it has a token a rule needs), and
    neither when the prefilter proves it cannot: the prefilter decides, not the kind of damage."""
    root = make_project(tmp_path)
    (root / "syntax.py").write_text('import os\ndef f(:\nos.getenv("SGLANG_B")\n')
    (root / "nul.py").write_bytes(b'import os\nx = 1\0\nos.getenv("SGLANG_B")\n')
    (root / "quiet_syntax.py").write_text("def f(:\n")
    (root / "quiet_nul.py").write_bytes(b"x = 1\0\n")
    for args in (["."], ["--no-prefilter", "nul.py", "syntax.py"]):
        code, out, err = run_cli("check", "-q", "--no-cache", *args, cwd=root)
        assert (code, out) == (1, "")
        assert _err_lines(err) == [
            "envlint: error: nul.py: cannot parse: source code string cannot contain null bytes",
            "envlint: error: syntax.py: cannot parse: invalid syntax (line 2)",
        ]


# -- nesting deeper than Python's recursion limit -------------------------------------------------

DEEP = (
    "from sglang.srt.utils.common import get_bool_env_var\n"
    "x = " + "not " * 1000 + 'get_bool_env_var("SGLANG_LOG_GC")\n'
    'y = get_bool_env_var("SGLANG_LOG_MS")\n'
)
DEEP_ERROR = "cannot check line 2: expression nested too deeply for Python's recursion limit"


def _helpers_module(root: Path) -> None:
    target = root / "python/sglang/srt/utils/common.py"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("def get_bool_env_var(name, default='false'):\n    return False\n")


def test_deep_nesting_costs_one_line_not_the_file(tmp_path, run_cli):
    root = make_project(tmp_path, {"python/sglang/srt/deep.py": DEEP})
    _helpers_module(root)
    code, out, err = run_cli("check", "-q", "--no-cache", "python/sglang/srt/deep.py", cwd=root)
    assert code == 1
    assert [line.split(" ENV")[0] for line in out.splitlines()] == ["python/sglang/srt/deep.py:3:5:"]
    assert _err_lines(err) == [f"envlint: error: python/sglang/srt/deep.py: {DEEP_ERROR}"]


def test_deep_nesting_in_the_flake8_plugin(tmp_path, monkeypatch):
    """In-process: flake8's own pyflakes fails on this file before any plugin output is shown."""
    from envlint import flake8_plugin

    root = make_project(tmp_path, {"python/sglang/srt/deep.py": DEEP})
    _helpers_module(root)
    monkeypatch.chdir(root)
    checker = flake8_plugin.EnvlintChecker(
        ast.parse(DEEP), "python/sglang/srt/deep.py", DEEP.splitlines(keepends=True)
    )
    reported = [item[:3] for item in checker.run()]
    assert [(line, col, text.split()[0]) for line, col, text in reported] == [
        (3, 4, "ENV001"), (1, 0, "ENV000"),
    ]
    assert reported[1][2] == f"ENV000 envlint cannot check this file: {DEEP_ERROR}"


# -- configuration ---------------------------------------------------------------------------------

BROKEN_CONFIGS = [
    ('tool = "x"\n', "[tool] must be a table"),
    ("[[tool]]\nname = 1\n", "[tool] must be a table"),
    (
        '[tool.envlint]\nhelpers = [{name = "get_bool_env_var", semantics = []}]\n',
        "helper semantics must be one of",
    ),
    ('[tool.envlint]\nregistries = ["python/sglang/srt/environ\\u0000.py"]\n', "contains a NUL byte"),
    ('[tool.envlint]\nsrc = ["py\\u0000thon"]\n', "contains a NUL byte"),
    ("[tool.other]\nx = " + "[" * 5000 + "]" * 5000 + "\n", "invalid TOML: values nested too deeply"),
]


@pytest.mark.parametrize("text,message", BROKEN_CONFIGS)
def test_odd_configuration_is_one_line_and_exit_2(tmp_path, run_cli, text, message):
    root = make_project(tmp_path, {"good.py": RAW_READ}, pyproject=text)
    code, out, err = run_cli("check", "-q", "--no-cache", ".", cwd=root)
    assert (code, out) == (2, "")
    assert len(err.splitlines()) == 1, err
    assert err.startswith(f"envlint: error: {root / 'pyproject.toml'}: ") and message in err


def test_a_pyproject_that_is_not_utf8_is_one_line_and_exit_2(tmp_path, run_cli):
    root = make_project(tmp_path, {"good.py": RAW_READ})
    (root / "pyproject.toml").write_bytes(b"[tool.envlint]\n# caf\xe9\n")
    code, out, err = run_cli("check", "-q", "--no-cache", ".", cwd=root)
    assert (code, out) == (2, "")
    assert err == (
        f"envlint: error: {root / 'pyproject.toml'}: invalid TOML: not UTF-8 "
        "(invalid continuation byte, line 2)\n"
    )


def test_flake8_reports_a_broken_configuration_once_per_file_without_crashing(tmp_path):
    root = make_project(tmp_path, {"good.py": RAW_READ})
    (root / "pyproject.toml").write_bytes(b"[tool.envlint]\n# caf\xe9\n")
    done = subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", "--select", "ENV", "good.py"],
        cwd=root, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stdout == (
        f"good.py:1:1: ENV000 envlint configuration error: {root / 'pyproject.toml'}: "
        "invalid TOML: not UTF-8 (invalid continuation byte, line 2)\n"
    )


def _outside_configs(tmp_path: Path) -> list[tuple[str, str]]:
    victim = tmp_path / "outside" / "victim.py"
    return [
        ('registries = ["../outside/victim.py"]', "registry '../outside/victim.py' is outside the project root"),
        (f'registries = ["{victim}"]', f"registry '{victim}' is outside the project root"),
        ('registries = [{path = "link.py", style = "descriptor"}]', "registry 'link.py' is outside the project root"),
        ('src = ["../outside"]', "src '../outside' is outside the project root"),
    ]


@pytest.mark.parametrize("case", range(4))
def test_configured_paths_outside_the_root_are_configuration_errors(tmp_path, run_cli, case):
    line, message = _outside_configs(tmp_path)[case]
    outside = make_outside(tmp_path)
    root = make_project(tmp_path, {"good.py": RAW_READ}, pyproject=f"[tool.envlint]\n{line}\n")
    (root / "link.py").symlink_to(outside / "victim.py")
    before = snapshot(outside)
    for command in (["check", "-q", "--no-cache"], ["check", "-q"], ["fix", "--unsafe-fixes"]):
        code, out, err = run_cli(*command, ".", cwd=root)
        assert (code, out) == (2, "")
        assert err == f"envlint: error: {root / 'pyproject.toml'}: {message} {root}\n"
    assert snapshot(outside) == before


def test_a_configured_path_inside_the_root_through_a_symlink_is_accepted(tmp_path, run_cli):
    root = make_project(tmp_path, {"good.py": RAW_READ})
    (root / "registry_link.py").symlink_to("python/sglang/srt/environ.py")
    (root / "pyproject.toml").write_text('[tool.envlint]\nregistries = ["registry_link.py"]\n')
    code, out, _ = run_cli("check", "-q", "--no-cache", "good.py", cwd=root)
    assert code == 1 and out.startswith("good.py:3:5: ENV001")


def test_no_traceback_from_the_command_line_for_any_of_these(tmp_path):
    """One subprocess over a tree with every odd file at once: stderr has only error lines,
    and the directory beside the project (reached through a symlink) is left as it was."""
    outside = make_outside(tmp_path)
    root = make_project(tmp_path, {"good.py": RAW_READ, "python/sglang/srt/deep.py": DEEP})
    (root / "outside_link.py").symlink_to(outside / "victim.py")
    before = snapshot(outside)
    _helpers_module(root)
    (root / "a.py").symlink_to("b.py")
    (root / "b.py").symlink_to("a.py")
    (root / "nul.py").write_bytes(b'import os\n\0os.getenv("SGLANG_B")\n')
    (root / "latin.py").write_bytes(b"# caf\xe9\nimport os\n")
    for cache in (["--no-cache"], []):
        done = subprocess.run(
            [sys.executable, "-m", "envlint", "check", "-q", *cache, "-j2", "."],
            cwd=root, capture_output=True, text=True, timeout=120,
        )
        assert done.returncode == 1
        assert "Traceback" not in done.stderr
        assert all(line.startswith("envlint: ") for line in done.stderr.splitlines())
        assert len(_err_lines(done.stderr)) == 5
        assert textwrap.dedent(RAW_READ_FINDING) in done.stdout
    assert snapshot(outside) == before


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fix_reads_only_regular_files_and_fixes_the_rest(tmp_path):
    root = make_project(tmp_path, {"good.py": 'import os\nx = os.getenv("SGLANG_LOG_LEVEL")\n'})
    os.mkfifo(root / "fifo.py")
    (root / "zero.py").symlink_to("/dev/zero")
    (root / "a.py").symlink_to("b.py")
    (root / "b.py").symlink_to("a.py")
    done = subprocess.run(
        [sys.executable, "-m", "envlint", "fix", "--unsafe-fixes", "."],
        cwd=root, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stdout.splitlines()[-1] == "Fixed 1 finding in 1 file (ENV001: 1)."
    errors = _err_lines(done.stderr)
    assert len(errors) == 4 and all(line.startswith("envlint: error: ") for line in errors)
    assert (root / "good.py").read_text() == (
        "from sglang.srt.environ import envs\n\nx = envs.SGLANG_LOG_LEVEL.get()\n"
    )
