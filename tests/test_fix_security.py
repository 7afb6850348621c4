"""``envlint fix`` never writes, creates or deletes anything outside the project root.

Whatever the repository's symlinks say — a module linked to a file outside, a
registry linked outside, a package directory linked outside, a planted fix
journal or journal symlink — everything outside the root keeps its exact
bytes, and no new name appears there. Symlinks inside the root that point
inside it are followed: their target is fixed (once), the link stays a link.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES

FIX_PROJECT = FIXTURES / "fix_project"
SRT = "python/sglang/srt"
RAW = 'import os\nX = os.getenv("SGLANG_LOG_LEVEL", "info")\n'
FIXED = "from sglang.srt.environ import envs\n\nX = envs.SGLANG_LOG_LEVEL.get()\n"
NEW_KEY = 'import os\nY = os.getenv("SGLANG_BRAND_NEW", "x")\n'


def envlint(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "envlint", *args], cwd=cwd, capture_output=True, text=True, check=False
    )


@pytest.fixture
def layout(tmp_path):
    """(project root, a directory outside it) — siblings, as in a checkout next to other code."""
    root = tmp_path / "proj"
    shutil.copytree(FIX_PROJECT, root, ignore=shutil.ignore_patterns("cases", "cases.py", "unprovable_cases.py"))
    outside = tmp_path / "outside"
    outside.mkdir()
    return root, outside


def _state(directory: Path) -> dict[str, bytes]:
    """Every name below ``directory`` (links as their target text) and every file's bytes."""
    state = {}
    for path in sorted(directory.rglob("*")):
        key = str(path.relative_to(directory))
        if path.is_symlink():
            state[key] = b"-> " + os.fsencode(os.readlink(path))
        elif path.is_file():
            state[key] = path.read_bytes()
        else:
            state[key] = b"<dir>"
    return state


def test_a_module_linked_to_a_file_outside_is_not_rewritten(layout):
    root, outside = layout
    (outside / "victim.py").write_text(RAW)
    (root / SRT / "link.py").symlink_to(Path("../../../../outside/victim.py"))
    (root / SRT / "own.py").write_text(RAW)
    before = _state(outside)
    proc = envlint("fix", ".", cwd=root)
    assert _state(outside) == before
    assert (
        f"envlint: note: {SRT}/link.py: not fixed: its real path ({outside.resolve() / 'victim.py'}) "
        "is outside the project root" in proc.stderr
    )
    assert (root / SRT / "own.py").read_text() == FIXED
    # Its finding is still reported, not silently dropped.
    assert f"{outside.resolve() / 'victim.py'}:2:5: ENV001" in proc.stdout


def test_a_registry_linked_outside_is_not_edited_and_its_call_sites_wait(layout):
    root, outside = layout
    shutil.move(root / SRT / "environ.py", outside / "environ.py")
    (root / SRT / "environ.py").symlink_to(Path("../../../../outside/environ.py"))
    (root / SRT / "needs.py").write_text(NEW_KEY)
    before = _state(outside)
    proc = envlint("fix", "--unsafe-fixes", ".", cwd=root)
    assert _state(outside) == before
    assert (root / SRT / "needs.py").read_text() == NEW_KEY
    assert f"envlint: note: {SRT}/environ.py: not fixed: its real path" in proc.stderr
    assert "environ.py: registry not edited: its real path" in proc.stderr


def test_a_package_directory_linked_outside_is_not_written_into(layout):
    root, outside = layout
    (outside / "pkg").mkdir()
    (outside / "pkg" / "mod.py").write_text(RAW)
    (root / SRT / "vendored").symlink_to(Path("../../../../outside/pkg"), target_is_directory=True)
    before = _state(outside)
    proc = envlint("fix", "--unsafe-fixes", ".", cwd=root)
    assert _state(outside) == before
    assert "mod.py" not in proc.stdout + proc.stderr  # a directory link is not descended into


def test_a_link_inside_the_root_fixes_its_target_once_and_stays_a_link(layout):
    root, _ = layout
    (root / SRT / "real.py").write_text(RAW)
    (root / SRT / "alias.py").symlink_to("real.py")
    proc = envlint("fix", ".", cwd=root)
    assert "Fixed 1 finding in 1 file (ENV001: 1)." in proc.stdout
    assert (root / SRT / "alias.py").is_symlink() and os.readlink(root / SRT / "alias.py") == "real.py"
    assert (root / SRT / "real.py").read_text() == FIXED


def test_a_planted_journal_cannot_reach_outside(layout):
    # A repository may arrive with a "committed" journal: its entries pointing
    # outside, or through a directory symlink to outside, are refused.
    root, outside = layout
    (outside / "victim.py").write_text(RAW)
    (outside / ".victim.py.0123456789abcdef.envlint").write_text("pwned\n")
    (root / "escape").symlink_to(outside, target_is_directory=True)
    digest = "0" * 64
    entries = [
        {"target": "../outside/victim.py", "temporary": "../outside/.victim.py.0123456789abcdef.envlint",
         "before": digest, "after": digest},
        {"target": "escape/victim.py", "temporary": "escape/.victim.py.0123456789abcdef.envlint",
         "before": digest, "after": digest},
        {"target": "/etc/passwd", "temporary": "/etc/.passwd.0123456789abcdef.envlint",
         "before": digest, "after": digest},
    ]
    (root / ".envlint-fix.journal").write_text(
        "envlint fix journal 1\n" + json.dumps({"entries": entries}) + "\ncommit\n"
    )
    before = _state(outside)
    proc = envlint("check", "-q", "--no-cache", ".", cwd=root)
    assert "Traceback" not in proc.stderr
    assert _state(outside) == before
    assert not (root / ".envlint-fix.journal").exists()


def test_a_journal_name_linked_outside_is_removed_not_followed(layout):
    root, outside = layout
    (root / ".envlint-fix.journal").symlink_to(outside / "created-by-envlint")
    (root / SRT / "own.py").write_text(RAW)
    proc = envlint("fix", ".", cwd=root)
    assert _state(outside) == {}
    assert (root / SRT / "own.py").read_text() == FIXED
    assert "envlint: note: removed .envlint-fix.journal, which was not a fix journal" in proc.stderr
    assert not os.path.lexists(root / ".envlint-fix.journal")


@pytest.mark.parametrize("use_dir_fd", [True, False])
def test_rooted_operations_refuse_every_way_out(tmp_path, use_dir_fd):
    from pathlib import PurePosixPath

    from envlint.rooted import HAS_DIR_FD, OutsideRoot, Root

    if use_dir_fd and not HAS_DIR_FD:
        pytest.skip("no dir_fd support on this platform")
    root_dir, outside = tmp_path / "root", tmp_path / "outside"
    (root_dir / "sub").mkdir(parents=True)
    outside.mkdir()
    (outside / "file.py").write_text("x\n")
    (root_dir / "sub" / "file.py").write_text("inside\n")
    (root_dir / "linked_dir").symlink_to(outside, target_is_directory=True)
    (root_dir / "linked_file.py").symlink_to(outside / "file.py")
    with Root(root_dir, use_dir_fd=use_dir_fd) as root:
        assert root.read(PurePosixPath("sub/file.py"))[0] == b"inside\n"
        with pytest.raises(OutsideRoot):
            root.relative(outside / "file.py")
        for way_out in ("linked_dir/file.py", "linked_file.py"):
            with pytest.raises(OSError):
                root.read(PurePosixPath(way_out))
        with pytest.raises(OSError):
            root.create(PurePosixPath("linked_dir/new.py"), b"y\n", 0o644)
        with pytest.raises(OSError):
            root.replace(PurePosixPath("sub/file.py"), PurePosixPath("linked_dir/file.py"))
        # Removing a symlink removes the link, never its target.
        assert root.unlink(PurePosixPath("linked_file.py"))
        root.create(PurePosixPath("sub/.new.py.00.envlint"), b"new\n", 0o640)
        root.replace(PurePosixPath("sub/.new.py.00.envlint"), PurePosixPath("sub/file.py"))
    assert (root_dir / "sub" / "file.py").read_bytes() == b"new\n"
    assert oct((root_dir / "sub" / "file.py").stat().st_mode & 0o777) == oct(0o640)
    assert (outside / "file.py").read_text() == "x\n"
    assert sorted(p.name for p in outside.iterdir()) == ["file.py"]
    # One writer at a time, in either mode.
    with Root(root_dir, use_dir_fd=use_dir_fd) as first, Root(root_dir, use_dir_fd=use_dir_fd) as second:
        assert first.lock()
        assert not second.lock()
