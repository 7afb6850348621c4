from __future__ import annotations

import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
FIXTURES = TESTS / "fixtures"
SGLANG_PROJECT = FIXTURES / "sglang_project"

sys.path.insert(0, str(TESTS))


@pytest.fixture(scope="session")
def sglang_project() -> Path:
    return SGLANG_PROJECT


@pytest.fixture(scope="session")
def fixture_project():
    """The loaded Project (config + both registries) of the fixture tree."""
    from envlint.runner import load_project

    return load_project([SGLANG_PROJECT])


@pytest.fixture
def run_cli(capsys, monkeypatch):
    """Run ``envlint ...`` in-process from a working directory; returns (code, out, err)."""
    from envlint.cli import main

    def run(*args: str, cwd: Path | None = None):
        if cwd is not None:
            monkeypatch.chdir(cwd)
        code = main(list(args))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


@pytest.fixture
def git_repo(tmp_path, monkeypatch):
    """A real git repository (branch ``main``, registry committed), isolated from user config."""
    from gitrepo import GIT_ENV, make_repo

    for name, value in GIT_ENV.items():
        monkeypatch.setenv(name, value)
    return make_repo(tmp_path / "repo")
