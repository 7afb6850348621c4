"""``action.yml``: its inputs, and its steps run by bash the way a GitHub runner runs them.

A runner evaluates ``${{ ... }}`` in each step's ``env`` and hands the script a
shell. The test does the same for the expressions the action may use (inputs
and ``github.action_path``; any other expression fails the test, so the
scripts cannot quietly depend on something the test does not provide), installs
envlint from a snapshot of this tree into a fresh virtual environment, and runs
the check on a pull-request-shaped git repository.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from gitrepo import GIT_ENV, make_repo

PROJECT = Path(__file__).resolve().parent.parent
ACTION = yaml.safe_load((PROJECT / "action.yml").read_text())
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
SERVER = "python/sglang/srt/server.py"
METRICS = (
    "raw read of SGLANG_ENABLE_METRICS via os.getenv(); use envs.SGLANG_ENABLE_METRICS.get()"
)


def _evaluate(value: str, inputs: dict, action_path: Path) -> str:
    def replace(match: re.Match) -> str:
        expression = match.group(1)
        if expression == "github.action_path":
            return str(action_path)
        name = expression.removeprefix("inputs.")
        assert name != expression and name in ACTION["inputs"], f"unexpected {expression}"
        return inputs.get(name, ACTION["inputs"][name]["default"])

    return EXPRESSION.sub(replace, value)


def _run_step(step: dict, inputs: dict, action_path: Path, cwd: Path, runner_temp: Path):
    assert step["shell"] == "bash" and not EXPRESSION.search(step["run"])
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "VIRTUAL_ENV"))}
    env.update(GIT_ENV, RUNNER_TEMP=str(runner_temp), GITHUB_ACTION_PATH=str(action_path))
    env.update({name: _evaluate(value, inputs, action_path) for name, value in step["env"].items()})
    return subprocess.run(
        ["bash", "-e", "-c", step["run"]], cwd=cwd, env=env, capture_output=True, text=True,
        timeout=600,
    )


def test_inputs_and_defaults():
    assert ACTION["runs"]["using"] == "composite"
    assert {name: spec["default"] for name, spec in ACTION["inputs"].items()} == {
        "paths": ".",
        "base-ref": "${{ github.event.pull_request.base.sha }}",
        "args": "",
        "python": "python3",
    }
    steps = [step["name"] for step in ACTION["runs"]["steps"]]
    assert steps == ["Install envlint", "envlint check"]


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The install step, run once: envlint from a snapshot of this tree, in a new venv."""
    action_path = tmp_path_factory.mktemp("action")
    for name in ("pyproject.toml", "README.md", "action.yml"):
        shutil.copy2(PROJECT / name, action_path / name)
    shutil.copytree(
        PROJECT / "envlint", action_path / "envlint", ignore=shutil.ignore_patterns("__pycache__")
    )
    runner_temp = tmp_path_factory.mktemp("runner-temp")
    done = _run_step(ACTION["runs"]["steps"][0], {}, action_path, action_path, runner_temp)
    assert done.returncode == 0, done.stdout + done.stderr
    return action_path, runner_temp


@pytest.fixture
def pull_request(tmp_path, monkeypatch):
    for name, value in GIT_ENV.items():
        monkeypatch.setenv(name, value)
    repo = make_repo(tmp_path / "checkout")
    repo.write(SERVER, 'import os\nlevel = os.getenv("SGLANG_LOG_LEVEL")\n')
    base = repo.commit("legacy code")
    repo.git("switch", "-q", "-c", "feature")
    repo.write(
        SERVER,
        'import os\nlevel = os.getenv("SGLANG_LOG_LEVEL")\n'
        'metrics = os.getenv("SGLANG_ENABLE_METRICS")\n',
    )
    repo.commit("feature")
    return repo, base


def test_check_step_annotates_only_the_pull_requests_lines(installed, pull_request):
    action_path, runner_temp = installed
    repo, base = pull_request
    step = ACTION["runs"]["steps"][1]
    done = _run_step(step, {"base-ref": base}, action_path, repo.root, runner_temp)
    assert (done.returncode, done.stderr) == (1, "")
    assert done.stdout == (
        f"::error file={SERVER},line=3,endLine=3,col=11,endColumn=45,title=envlint (ENV001)"
        f"::{METRICS}\n"
    )
    # Paths and extra arguments are split on spaces.
    inputs = {"base-ref": base, "paths": "python/sglang README", "args": "--select ENV002"}
    (repo.root / "README").mkdir()
    done = _run_step(step, inputs, action_path, repo.root, runner_temp)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_check_step_without_a_base_checks_every_line(installed, pull_request):
    action_path, runner_temp = installed
    repo, _ = pull_request
    step = ACTION["runs"]["steps"][1]
    done = _run_step(step, {"base-ref": ""}, action_path, repo.root, runner_temp)
    assert done.returncode == 1
    assert done.stdout.splitlines() == [
        "::notice title=envlint::no base revision (not a pull request?): checking every line",
        f"::error file={SERVER},line=2,endLine=2,col=9,endColumn=38,title=envlint (ENV001)"
        "::raw read of SGLANG_LOG_LEVEL via os.getenv(); use envs.SGLANG_LOG_LEVEL.get()",
        f"::error file={SERVER},line=3,endLine=3,col=11,endColumn=45,title=envlint (ENV001)"
        f"::{METRICS}",
    ]


def test_an_unfetched_base_is_a_clear_error(installed, pull_request):
    action_path, runner_temp = installed
    repo, _ = pull_request
    missing = "0" * 40
    step = ACTION["runs"]["steps"][1]
    done = _run_step(step, {"base-ref": missing}, action_path, repo.root, runner_temp)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        f"envlint: error: unknown git revision '{missing}' (fetch it first; in GitHub Actions "
        "check out with fetch-depth: 0)\n"
    )
