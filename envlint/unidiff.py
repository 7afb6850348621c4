"""Unified diffs that ``patch -p1`` and ``git apply`` take back byte for byte.

``envlint fix --diff`` is a patch a user may apply later, so it is made of the
file's bytes, not of decoded text:

* lines end at ``\\n`` only, as they do for patch and git. ``str.splitlines``
  also breaks at ``\\r``, ``\\f``, ``\\v``, ``\\x1c``-``\\x1e``, ``\\x85`` and
  ``\\u2028``/``\\u2029``, which Python source may hold inside a comment or a
  string; a patch made that way does not apply. A CRLF file keeps its ``\\r``
  inside each line, which is what both tools expect;
* a last line without a line break is followed by ``\\ No newline at end of
  file``, so the next file's header starts on a line of its own;
* the bytes are the file's own encoding (latin-1, a BOM): a patch of decoded
  text would not match the file on disk.
"""

from __future__ import annotations

import difflib
import os

NO_NEWLINE = b"\\ No newline at end of file\n"


def split_lines(data: bytes) -> list[bytes]:
    """``data`` cut after each ``\\n`` (the last piece may lack one)."""
    pieces = data.split(b"\n")
    lines = [piece + b"\n" for piece in pieces[:-1]]
    if pieces[-1]:
        lines.append(pieces[-1])
    return lines


def unified_diff(before: bytes, after: bytes, display: str) -> bytes:
    """The patch that turns ``before`` into ``after`` for the file at ``display`` (``a/``, ``b/``)."""
    if before == after:
        return b""
    name = os.fsencode(display)
    out = []
    for line in difflib.diff_bytes(
        difflib.unified_diff, split_lines(before), split_lines(after), b"a/" + name, b"b/" + name
    ):
        out.append(line if line.endswith(b"\n") else line + b"\n" + NO_NEWLINE)
    return b"".join(out)
