"""envlint.atomic: the one way envlint writes a file (fix, docs --write, baseline)."""

from __future__ import annotations

import os
import stat

import pytest

from envlint.atomic import atomic_write


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_replaces_content_and_keeps_permission_bits(tmp_path):
    target = tmp_path / "module.py"
    target.write_bytes(b"old\n")
    target.chmod(0o640)
    atomic_write(target, b"new\n")
    assert target.read_bytes() == b"new\n"
    assert _mode(target) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["module.py"]


def test_a_new_file_gets_the_mode_open_would_give_it(tmp_path):
    umask = os.umask(0o027)
    try:
        atomic_write(tmp_path / "baseline.json", b"{}\n")
    finally:
        os.umask(umask)
    assert _mode(tmp_path / "baseline.json") == 0o640


def test_a_symlink_stays_a_symlink(tmp_path):
    real = tmp_path / "real.md"
    real.write_bytes(b"old\n")
    link = tmp_path / "link.md"
    link.symlink_to(real)
    atomic_write(link, b"new\n")
    assert link.is_symlink() and real.read_bytes() == b"new\n"


def test_a_failed_write_leaves_the_file_and_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "module.py"
    target.write_bytes(b"old\n")

    def fail(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError):
        atomic_write(target, b"new\n")
    assert target.read_bytes() == b"old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["module.py"]
