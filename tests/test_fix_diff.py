"""``envlint fix --diff`` prints a patch that real ``patch -p1`` and ``git apply`` apply.

Applied to a copy of the untouched tree, the patch must give exactly the bytes
``envlint fix`` writes: files without a final newline, CRLF, a BOM, latin-1,
and lines holding characters that ``str.splitlines`` (but not patch, git or
Python's tokenizer) takes for line breaks.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES

FIX_PROJECT = FIXTURES / "fix_project"
PKG = "python/sglang/srt/"

FILES = {
    # no final newline, followed (in diff order) by another file's header
    PKG + "a_noeol.py": b'import os\nX = os.getenv("SGLANG_LOG_LEVEL", "info")',
    PKG + "b_breaks.py": (
        "import os\n"
        "# form\x0cfeed, vertical\x0btab\n"
        "NOTE = 'next\x85line'  # and a\u2028separator\n"
        'Y = os.getenv("SGLANG_MODEL_NAME")\n'
        "# trailing \x1c\x1d\x1e\u2029 context\n"
    ).encode("utf-8"),
    PKG + "c_crlf.py": b'import os\r\n\r\nZ = os.getenv("SGLANG_LOG_LEVEL", "info")\r\n# end\r\n',
    PKG + "d_latin.py": (
        b"# -*- coding: latin-1 -*-\nimport os\nNOTE = \"\xe9t\xe9\"\n"
        b'W = os.getenv("SGLANG_LOG_LEVEL", "info")\nAFTER = "\xe0"\n'
    ),
    PKG + "e_bom.py": b'\xef\xbb\xbfimport os\nV = os.getenv("SGLANG_LOG_LEVEL", "info")\n',
    PKG + "f_crlf_noeol.py": b'import os\r\nU = os.getenv("SGLANG_LOG_LEVEL", "info")\r\n# last',
}


def _tree(root: Path) -> Path:
    shutil.copytree(FIX_PROJECT, root, ignore=shutil.ignore_patterns("cases", "cases.py", "unprovable_cases.py"))
    for relative, content in FILES.items():
        (root / relative).write_bytes(content)
    return root


def _envlint(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "envlint", *args], cwd=cwd, capture_output=True, check=False)


def _snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts and not p.name.startswith(".")
    }


@pytest.fixture(scope="module")
def patched(tmp_path_factory):
    base = tmp_path_factory.mktemp("diff")
    fixed = _tree(base / "fixed")
    diff = _envlint("fix", "--diff", PKG, cwd=fixed)
    assert diff.returncode == 1, diff.stderr
    fix = _envlint("fix", PKG, cwd=fixed)
    assert b"Fixed 6 findings in 6 files (ENV001: 6)." in fix.stdout, fix.stdout + fix.stderr
    return base, diff.stdout, _snapshot(fixed)


def test_patch_p1_applies_the_diff_exactly(patched):
    base, diff, expected = patched
    target = _tree(base / "patch")
    proc = subprocess.run(
        ["patch", "-p1", "--batch", "--no-backup-if-mismatch"], input=diff, cwd=target, capture_output=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert _snapshot(target) == expected


def test_git_apply_applies_the_diff_exactly(patched):
    base, diff, expected = patched
    target = _tree(base / "git")
    proc = subprocess.run(["git", "apply", "-"], input=diff, cwd=target, capture_output=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert _snapshot(target) == expected


def test_the_diff_marks_missing_final_newlines_and_keeps_odd_characters_in_their_line(patched):
    _, diff, _ = patched
    assert (
        b'-X = os.getenv("SGLANG_LOG_LEVEL", "info")\n\\ No newline at end of file\n'
        b"+from sglang.srt.environ import envs\n"
        b"+\n"  # isort's blank line between the import block and the code
        b"+X = envs.SGLANG_LOG_LEVEL.get()\n\\ No newline at end of file\n"
        b"--- a/python/sglang/srt/b_breaks.py\n"
    ) in diff
    # Context lines stay whole: one line each, with their odd characters inside.
    assert b" # form\x0cfeed, vertical\x0btab\n" in diff
    assert " NOTE = 'next\x85line'  # and a\u2028separator\n".encode() in diff
    # CRLF lines keep their \r; latin-1 context stays latin-1 bytes; the BOM stays.
    assert b'+Z = envs.SGLANG_LOG_LEVEL.get()\r\n' in diff
    assert b' NOTE = "\xe9t\xe9"\n' in diff
    assert b"-\xef\xbb\xbfimport os\n-V = " in diff
    assert b"+\xef\xbb\xbffrom sglang.srt.environ import envs\n+\n+V = " in diff
    assert b" # last\n\\ No newline at end of file\n" in diff


def test_split_lines_breaks_at_newline_only():
    from envlint.unidiff import split_lines, unified_diff

    assert split_lines(b"a\r\nb\x0cc\rd\n\ne") == [b"a\r\n", b"b\x0cc\rd\n", b"\n", b"e"]
    assert split_lines(b"") == []
    assert unified_diff(b"same\n", b"same\n", "x.py") == b""
