"""A fix must not trade one finding for another.

Measured on sglang: the ENV001 write fix turned ``os.environ[K] = v`` in tests into
``envs.K.set(v)``, which ENV019 then reported (set in a test without restore; 3 new
findings on 0.5.23 after a safe fix), and turned a CLI setting copied into its env var
into the descriptor form ENV017 reports (3 on 0.5.5 after an unsafe fix). Those writes
keep their ENV001 finding, without a fix; the same writes elsewhere are still fixed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gitrepo import REGISTRY, REGISTRY_PATH

HEADER = "import os\n\n\n"
TEST_WRITE = HEADER + 'def test_debug_logs():\n    os.environ["SGLANG_LOG_LEVEL"] = "debug"\n'
PLAIN_WRITE = HEADER + 'def configure(level):\n    os.environ["SGLANG_LOG_LEVEL"] = level\n'
FORWARDED = HEADER + 'def configure(cfg):\n    os.environ["SGLANG_LOG_LEVEL"] = cfg.log_level\n'


@pytest.fixture
def project(tmp_path) -> Path:
    (tmp_path / "pyproject.toml").write_text("[tool.envlint]\n")
    (tmp_path / REGISTRY_PATH).parent.mkdir(parents=True)
    (tmp_path / REGISTRY_PATH).write_text(REGISTRY)
    files = {
        "tests/test_logs.py": TEST_WRITE,
        "app/configure.py": PLAIN_WRITE,
        "app/forward.py": FORWARDED,
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path


def _findings(run_cli, root: Path) -> list[tuple]:
    _, out, _ = run_cli("check", "--format", "json", "app", "tests", cwd=root)
    return [(f["path"], f["line"], f["code"], f["fix"] is not None) for f in json.loads(out)]


def test_the_writes_that_would_become_another_finding_have_no_fix(project, run_cli):
    assert _findings(run_cli, project) == [
        ("app/configure.py", 5, "ENV001", True),
        ("app/forward.py", 5, "ENV001", False),
        ("tests/test_logs.py", 5, "ENV001", False),
    ]


def test_fix_leaves_them_and_creates_no_finding(project, run_cli):
    code, out, err = run_cli("fix", "--unsafe-fixes", "app", "tests", cwd=project)
    assert (project / "tests/test_logs.py").read_text() == TEST_WRITE
    assert (project / "app/forward.py").read_text() == FORWARDED
    assert 'envs.SGLANG_LOG_LEVEL.set(level)' in (project / "app/configure.py").read_text()
    assert _findings(run_cli, project) == [
        ("app/forward.py", 5, "ENV001", False),
        ("tests/test_logs.py", 5, "ENV001", False),
    ]


def test_the_descriptor_forms_are_what_env017_and_env019_report(project, run_cli):
    """The guard is about exactly these results: written by hand, each is that rule's finding."""
    (project / "tests/test_logs.py").write_text(
        "from sglang.srt.environ import envs\n\n\ndef test_debug_logs():\n"
        '    envs.SGLANG_LOG_LEVEL.set("debug")\n'
    )
    (project / "app/forward.py").write_text(
        "from sglang.srt.environ import envs\n\n\ndef configure(cfg):\n"
        "    envs.SGLANG_LOG_LEVEL.set(cfg.log_level)\n"
    )
    _, out, _ = run_cli("check", "-q", "--select", "ENV017,ENV019", "app", "tests", cwd=project)
    assert [line.split(" ")[:2] for line in out.splitlines()] == [
        ["app/forward.py:5:5:", "ENV017"],
        ["tests/test_logs.py:5:5:", "ENV019"],
    ]


FLAG_READ = HEADER + 'def ssm_dtype():\n    return os.getenv("SGLANG_MAMBA_SSM_DTYPE", "float32")\n'
SERVER_ARGS = 'import argparse\n\nparser = argparse.ArgumentParser()\nparser.add_argument("--mamba-ssm-dtype", default="float32")\n'


def test_a_key_named_like_a_cli_flag_is_not_registered(project, run_cli):
    """sglang 0.5.5: a safe fix registered SGLANG_MAMBA_SSM_DTYPE next to the flag
    --mamba-ssm-dtype, and ENV016 then reported the new entry. The registration is blocked
    with a note; other new keys are still registered."""
    (project / "python/sglang/srt/server_args.py").write_text(SERVER_ARGS)
    (project / "app/dtype.py").write_text(FLAG_READ)
    (project / "app/other.py").write_text(HEADER + 'def mode():\n    return os.getenv("SGLANG_MAMBA_MODE", "fast")\n')
    (project / "pyproject.toml").write_text(
        '[tool.envlint]\ncli-flag-sources = ["python/sglang/srt/server_args.py"]\n'
    )
    code, out, err = run_cli("fix", "--unsafe-fixes", "app", cwd=project)
    assert (project / "app/dtype.py").read_text() == FLAG_READ
    assert "envs.SGLANG_MAMBA_MODE.get()" in (project / "app/other.py").read_text()
    assert (
        "envlint: note: SGLANG_MAMBA_SSM_DTYPE: duplicates the CLI flag --mamba-ssm-dtype (Rule 6: one "
        "knob, one surface); read the flag's value instead of registering the variable"
    ) in err.splitlines()
    _, out, _ = run_cli("check", "-q", "--select", "ENV016", cwd=project)
    assert out == ""
