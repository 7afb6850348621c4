"""File operations that cannot leave the project root, whatever symlinks say.

``envlint fix`` rewrites files of a repository it did not write, and a
repository can hold symlinks: ``link.py -> ../outside/victim.py``, a package
directory pointing at ``/etc``. Checking ``Path.resolve()`` before writing is
not enough, because a directory can be swapped for a symlink between the check
and the write. So every operation here starts from a descriptor of the
resolved root and walks down one directory at a time with ``O_NOFOLLOW |
O_DIRECTORY``; the last name is then read, created, renamed or removed
relative to its directory's descriptor (``openat``, ``renameat``,
``unlinkat``) without following a symlink. A symlink anywhere on the way fails
the operation (``ELOOP``, ``ENOTDIR``) instead of leading outside.

Where the platform lacks ``dir_fd`` support (Windows) the same rules are
checked on resolved paths just before each operation, which leaves the race
described above open.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path, PurePath
from typing import Iterator, Optional

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_O_BINARY = getattr(os, "O_BINARY", 0)
HAS_DIR_FD = bool(
    _O_NOFOLLOW
    and _O_DIRECTORY
    # os.replace takes dir_fd arguments wherever os.rename does (renameat), but is
    # not listed in supports_dir_fd
    and {os.open, os.rename, os.unlink, os.stat} <= os.supports_dir_fd
)


class OutsideRoot(OSError):
    """A path that is not inside the root (it was resolved through a symlink)."""


class Root:
    """The resolved project root; paths given to its methods are relative to it."""

    def __init__(self, path: Path, use_dir_fd: Optional[bool] = None):
        self.path = Path(os.path.realpath(path))
        self._fd: Optional[int] = None  # walk from here; None: the path-based fallback
        self._lock_fd: Optional[int] = None
        if HAS_DIR_FD if use_dir_fd is None else use_dir_fd:
            self._fd = os.open(self.path, os.O_RDONLY | _O_DIRECTORY)

    def close(self) -> None:
        for fd in {self._fd, self._lock_fd} - {None}:
            os.close(fd)
        self._fd = self._lock_fd = None

    def __enter__(self) -> "Root":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def relative(self, path: Path) -> PurePath:
        """``path`` (absolute, resolved) relative to the root; ``OutsideRoot`` if it is not inside."""
        try:
            relative = Path(path).relative_to(self.path)
        except ValueError:
            raise OutsideRoot(errno.EXDEV, "outside the project root", str(path)) from None
        if not relative.parts or ".." in relative.parts:
            raise OutsideRoot(errno.EXDEV, "outside the project root", str(path))
        return relative

    # -- directories -------------------------------------------------------------------

    @contextlib.contextmanager
    def _directory(self, relative: PurePath, link_ok: bool = False) -> Iterator[Optional[int]]:
        """A descriptor of ``relative``'s directory, reached without following symlinks.

        ``link_ok``: the operation does not follow a symlink at the last name
        (unlink, lstat), so the fallback need not refuse one there.
        """
        if self._fd is None:
            self._check_path(relative, link_ok)
            yield None
            return
        fd = os.dup(self._fd)
        try:
            for part in relative.parent.parts:
                child = os.open(part, os.O_RDONLY | _O_DIRECTORY | _O_NOFOLLOW, dir_fd=fd)
                os.close(fd)
                fd = child
            yield fd
        finally:
            os.close(fd)

    def _check_path(self, relative: PurePath, link_ok: bool) -> None:
        """The fallback's check: no symlink between the root and ``relative``."""
        directory = self.path.joinpath(*relative.parent.parts)
        if os.path.realpath(directory) != str(directory):
            raise OSError(errno.ELOOP, "a directory on the way is a symlink", str(directory))
        full = directory / relative.name
        if not link_ok and os.path.islink(full):
            raise OSError(errno.ELOOP, "is a symlink", str(full))

    def _name(self, relative: PurePath, fd: Optional[int]) -> str:
        return relative.name if fd is not None else str(self.path.joinpath(*relative.parts))

    # -- files -------------------------------------------------------------------------

    def open(self, relative: PurePath, flags: int, mode: int = 0o600) -> int:
        """``os.open`` of ``relative`` that follows no symlink; the caller closes the descriptor."""
        with self._directory(relative) as fd:
            return os.open(self._name(relative, fd), flags | _O_NOFOLLOW | _O_BINARY, mode, dir_fd=fd)

    def read(self, relative: PurePath) -> tuple[bytes, int]:
        """(content, permission bits) of a regular file; ``OSError`` for anything else."""
        handle = self.open(relative, os.O_RDONLY)
        try:
            info = os.fstat(handle)
            if not stat.S_ISREG(info.st_mode):
                raise OSError(errno.EINVAL, "not a regular file", str(relative))
            return read_all(handle), stat.S_IMODE(info.st_mode)
        finally:
            os.close(handle)

    def create(self, relative: PurePath, data: bytes, mode: int) -> None:
        """A new file (never an existing one) holding ``data``, flushed to disk, with ``mode``."""
        handle = self.open(relative, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
        try:
            write_all(handle, data)
            os.fsync(handle)
            if hasattr(os, "fchmod"):
                os.fchmod(handle, mode)
        except BaseException:
            os.close(handle)
            self.unlink(relative)
            raise
        os.close(handle)
        if not hasattr(os, "fchmod"):  # pragma: no cover - Windows
            os.chmod(self.path.joinpath(*relative.parts), mode)

    def replace(self, source: PurePath, target: PurePath) -> None:
        """Rename ``source`` over ``target`` (same directory): readers see one or the other."""
        if source.parent != target.parent:
            raise OSError(errno.EXDEV, "rename across directories", str(source))
        with self._directory(target) as fd:
            os.replace(self._name(source, fd), self._name(target, fd), src_dir_fd=fd, dst_dir_fd=fd)

    def unlink(self, relative: PurePath) -> bool:
        """Remove a file (a symlink itself, never its target); False if it was not there."""
        try:
            with self._directory(relative, link_ok=True) as fd:
                os.unlink(self._name(relative, fd), dir_fd=fd)
        except FileNotFoundError:
            return False
        return True

    def exists(self, relative: PurePath) -> bool:
        """Whether the name exists (a dangling symlink counts); directories on the way must be real."""
        try:
            with self._directory(relative, link_ok=True) as fd:
                os.stat(self._name(relative, fd), dir_fd=fd, follow_symlinks=False)
        except FileNotFoundError:
            return False
        return True

    def lock(self) -> bool:
        """Take the root's exclusive lock (held until ``close``); False if another process holds it.

        ``flock`` on the root directory itself: no lock file to leave behind, and
        the kernel releases it when a killed process's descriptors close.
        """
        if fcntl is None:
            return True  # pragma: no cover - no flock on this platform
        if self._lock_fd is None:
            self._lock_fd = os.open(self.path, os.O_RDONLY | _O_DIRECTORY)
        try:
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def sync_directory(self, relative_dir: PurePath) -> None:
        """Flush a directory's entries (renames, removals) to disk; best effort."""
        if self._fd is None:
            return
        with contextlib.suppress(OSError):
            with self._directory(relative_dir / "_") as fd:
                os.fsync(fd)


def read_all(handle: int) -> bytes:
    chunks = []
    while True:
        chunk = os.read(handle, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def write_all(handle: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(handle, view):]
