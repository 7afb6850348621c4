"""Replace a file's content so that readers see the old file or the new one, never half.

Every file envlint writes goes through here: sources rewritten by ``envlint
fix``, a page updated by ``envlint docs --write``, a baseline. The new bytes go
to a temporary file in the same directory (same file system, so ``os.replace``
is atomic), are flushed to disk, and take the old file's permission bits. A
symlink is followed: the link stays a link and its target gets the content.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path


def _default_mode() -> int:
    """The mode ``open()`` would give a new file: 0o666 minus the umask."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically; raises ``OSError`` and then leaves no trace."""
    target = path.resolve()
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        mode = _default_mode()
    fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".envlint", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
