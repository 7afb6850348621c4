"""envlint.source.read_source_bytes: the one way envlint reads a file it checks or fixes.

Only regular files are read, never more than the size limit, never blocking:
each refusal is a ``SourceError`` whose message is the one line the user sees.
"""

from __future__ import annotations

import errno
import os
import threading

import pytest

from envlint.source import DEFAULT_MAX_FILE_SIZE, SourceError, SourceFile, read_source_bytes


def test_reads_a_regular_file_exactly(tmp_path):
    target = tmp_path / "module.py"
    content = bytes(range(256)) * 1000  # 256,000 bytes, several reads' worth of any size
    target.write_bytes(content)
    assert read_source_bytes(target) == content
    empty = tmp_path / "empty.py"
    empty.write_bytes(b"")
    assert read_source_bytes(empty) == b""


def test_follows_a_symlink_to_a_regular_file(tmp_path):
    (tmp_path / "real.py").write_bytes(b"x = 1\n")
    (tmp_path / "link.py").symlink_to("real.py")
    assert read_source_bytes(tmp_path / "link.py") == b"x = 1\n"


def test_a_file_at_the_limit_is_read_and_one_byte_more_is_refused(tmp_path):
    target = tmp_path / "big.py"
    target.write_bytes(b"#" * 100)
    assert read_source_bytes(target, limit=100) == b"#" * 100
    with pytest.raises(SourceError) as caught:
        read_source_bytes(target, limit=99)
    assert str(caught.value) == (
        "file is larger than the 99-byte limit (100 bytes); "
        "raise [tool.envlint] max-file-size to check it"
    )


def test_the_default_limit_is_ten_megabytes():
    assert DEFAULT_MAX_FILE_SIZE == 10 * 1024 * 1024


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "fifo.py"
    os.mkfifo(fifo)
    outcome: list = []

    def read() -> None:
        try:
            read_source_bytes(fifo)
        except SourceError as exc:
            outcome.append(str(exc))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout=10)
    if reader.is_alive():  # unblock the thread before failing
        with open(fifo, "wb"):
            pass
        pytest.fail("reading a FIFO blocked")
    assert outcome == ["cannot read: a FIFO, not a regular file"]


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_a_symlink_to_a_device_is_refused(tmp_path):
    (tmp_path / "zero.py").symlink_to("/dev/zero")
    with pytest.raises(SourceError) as caught:
        read_source_bytes(tmp_path / "zero.py")
    assert str(caught.value) == "cannot read: a character device, not a regular file"


def test_a_directory_is_refused(tmp_path):
    (tmp_path / "package.py").mkdir()
    with pytest.raises(SourceError) as caught:
        read_source_bytes(tmp_path / "package.py")
    # open(2) itself refuses a directory for reading on some systems, fstat on others.
    assert str(caught.value) in (
        "cannot read: a directory, not a regular file",
        "cannot read: Is a directory",
    )


def test_a_symlink_loop_and_a_dangling_symlink_are_one_line_errors(tmp_path):
    (tmp_path / "a.py").symlink_to("b.py")
    (tmp_path / "b.py").symlink_to("a.py")
    (tmp_path / "gone.py").symlink_to("missing.py")
    with pytest.raises(SourceError) as loop:
        read_source_bytes(tmp_path / "a.py")
    assert str(loop.value) == f"cannot read: {os.strerror(errno.ELOOP)}"
    with pytest.raises(SourceError) as dangling:
        read_source_bytes(tmp_path / "gone.py")
    assert str(dangling.value) == "cannot read: No such file or directory"


def test_source_file_read_uses_the_same_reader_and_limit(tmp_path):
    target = tmp_path / "module.py"
    target.write_bytes(b"x = 1\n")
    assert SourceFile.read(target).text == "x = 1\n"
    with pytest.raises(SourceError, match="larger than the 5-byte limit"):
        SourceFile.read(target, limit=5)
