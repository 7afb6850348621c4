"""The progress counter of long runs: on stderr, only when stderr is a terminal, never with -q."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys

import pytest

FILES = 250  # the counter starts above 200 files
COUNTER = re.compile(r"checking \d+/\d+ files")


@pytest.fixture(scope="module")
def many_files(tmp_path_factory):
    root = tmp_path_factory.mktemp("many")
    (root / "pyproject.toml").write_text("[tool.envlint]\n")
    for number in range(FILES):
        (root / f"m{number:03}.py").write_text(f"x = {number}\n")
    (root / "m000.py").write_text('import os\nx = os.getenv("SGLANG_X")\n')
    return root


def _run(root, *args, terminal: bool):
    """envlint with stderr on a pseudo-terminal (or a pipe); returns (code, stdout, stderr)."""
    command = [sys.executable, "-m", "envlint", *args]
    if not terminal:
        done = subprocess.run(command, cwd=root, capture_output=True, text=True)
        return done.returncode, done.stdout, done.stderr
    leader, follower = pty.openpty()
    try:
        done = subprocess.run(command, cwd=root, stdout=subprocess.PIPE, stderr=follower, text=True)
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # EIO: the terminal's other end is closed and drained
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(leader)
    return done.returncode, done.stdout, b"".join(chunks).decode()


@pytest.mark.parametrize(
    "command,exit_code", [(("check", "--no-cache", "."), 1), (("fix", "--diff", "."), 0)]
)
def test_counter_on_a_terminal_only(many_files, command, exit_code):
    code, out, err = _run(many_files, *command, terminal=True)
    assert code == exit_code
    counter = "".join(re.findall(r"\renvlint: checking \d+/250 files|\r\x1b\[K", err))
    # every hundredth file, then the line is erased (so the findings start on a clean line)
    assert counter == "\renvlint: checking 100/250 files\renvlint: checking 200/250 files\r\x1b[K"
    assert not COUNTER.search(out)  # never on stdout
    code, out, err = _run(many_files, *command, terminal=False)
    assert code == exit_code and not COUNTER.search(err + out)


def test_quiet_has_no_counter(many_files):
    code, out, err = _run(many_files, "check", "--no-cache", "-q", ".", terminal=True)
    assert (code, err) == (1, "")
    assert out.startswith("m000.py:2:5: ENV001")
