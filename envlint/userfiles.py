"""Read a JSON file the user named on the command line (a baseline, a registry snapshot).

One place for the one-line errors such a file gets: missing (with how to create it),
unreadable, not UTF-8. Each caller raises its own error class, which the CLI turns
into exit code 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable


def read_named_file(path: Path, what: str, create: str, error: Callable[[str], Exception]) -> str:
    """The text of ``path``; ``what``: "baseline file"; ``create``: the command that makes one."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(f"{path}: no such {what} (create it with {create} {path})") from None
    except OSError as exc:
        raise error(f"{path}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise error(f"{path}: not UTF-8: {exc.reason}") from None
