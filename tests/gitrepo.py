"""Real git repositories in temporary directories, for the diff, baseline and hook tests.

Git runs with no global or system configuration and a fixed identity and dates,
so a developer's ``~/.gitconfig`` cannot change what the tests see.
"""

from __future__ import annotations

import os
import subprocess
import textwrap
from pathlib import Path
from typing import Optional

# A tiny sglang-shaped registry envlint discovers by its path. Its descriptor
# classes parse like sglang's, so envlint can prove fixes against them.
REGISTRY = """\
import os


class EnvField:
    def __init__(self, default):
        self.default = default

    def __set_name__(self, owner, name):
        self.name = name

    def get(self):
        value = os.getenv(self.name)
        if value is None:
            return self.default
        try:
            return self.parse(value)
        except ValueError:
            return self.default


class EnvInt(EnvField):
    def parse(self, value):
        return int(value)


class EnvStr(EnvField):
    def parse(self, value):
        return value


class EnvBool(EnvField):
    def parse(self, value):
        value = value.lower()
        if value in ("true", "1", "yes", "y"):
            return True
        if value in ("false", "0", "no", "n"):
            return False
        raise ValueError(value)


class Envs:
    SGLANG_TIMEOUT_KEEP_ALIVE = EnvInt(5)
    SGLANG_LOG_LEVEL = EnvStr("info")
    SGLANG_ENABLE_METRICS = EnvBool(False)


envs = Envs()
"""
REGISTRY_PATH = "python/sglang/srt/environ.py"

GIT_ENV = {
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "envlint tests",
    "GIT_AUTHOR_EMAIL": "tests@envlint.invalid",
    "GIT_COMMITTER_NAME": "envlint tests",
    "GIT_COMMITTER_EMAIL": "tests@envlint.invalid",
    "GIT_AUTHOR_DATE": "2024-01-01T00:00:00Z",
    "GIT_COMMITTER_DATE": "2024-01-01T00:00:00Z",
}


class GitRepo:
    """``env``: the environment git runs in (default: this process's, set up by the fixture)."""

    def __init__(self, root: Path, env: Optional[dict] = None):
        self.root = root
        self.env = env

    def git(self, *args: str) -> str:
        done = subprocess.run(
            ["git", *args], cwd=self.root, env=self.env, capture_output=True, text=True,
            check=True,
        )
        return done.stdout

    def write(self, path: str, text: str) -> Path:
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text), encoding="utf-8")
        return target

    def commit(self, message: str) -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)
        return self.git("rev-parse", "HEAD").strip()


def make_repo(root: Path, env: Optional[dict] = None) -> GitRepo:
    """A repository on branch ``main`` whose first commit holds the registry."""
    root.mkdir(parents=True, exist_ok=True)
    repo = GitRepo(root, env)
    repo.git("init", "-q", "-b", "main")
    repo.write(REGISTRY_PATH, REGISTRY)
    repo.commit("registry")
    return repo
