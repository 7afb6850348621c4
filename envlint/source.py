"""One Python file as envlint sees it: its bytes, its decoded text, and position arithmetic.

Why a class of its own: the stdlib ``ast`` reports columns as UTF-8 *byte* offsets,
users and editors count *characters*, and the fixer edits text. Keeping the
conversions here, next to the decoded text they depend on, means no rule ever
does offset arithmetic itself. The original encoding, BOM and newline style are
remembered so that a rewritten file can be written back byte-for-byte the same
outside the edited spans.
"""

from __future__ import annotations

import codecs
import io
import os
import re
import stat
import tokenize
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path

_LINE_BREAK = re.compile(r"\r\n|\r|\n")

# The largest file envlint reads (``[tool.envlint] max-file-size``). Checking a file
# costs memory in proportion to its size (the ``ast`` tree dominates): measured, ~70
# bytes per byte of ordinary code and ~200 when every line holds a finding. The largest
# Python file in sglang 0.5.23 and vLLM 0.33.0 is 0.3 MB: 10 MB leaves thirty times that
# headroom and bounds one file's check to 0.7-2 GB (docs/reliability.md).
DEFAULT_MAX_FILE_SIZE = 10 * 1024 * 1024

# Opening a FIFO for reading blocks until a writer appears; O_NONBLOCK makes the
# open return at once so that ``fstat`` can refuse it. No effect on regular files.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(
    os, "O_CLOEXEC", 0
)
_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class SourceError(Exception):
    """The file cannot be read, decoded or parsed; the message says why in one line."""


def read_source_bytes(path: Path, limit: int = DEFAULT_MAX_FILE_SIZE) -> bytes:
    """The bytes of one regular file of at most ``limit`` bytes, or ``SourceError``.

    Every file envlint checks, fixes or loads as a registry is read here, so no
    path can hang a run or exhaust memory: a FIFO (``fifo.py``) would block for
    ever, a symlink to ``/dev/zero`` would read without end, and a 50 MB file
    parses into gigabytes of ``ast``. Symlinks are followed (a symlinked source
    file is still source); a symlink loop fails like any unreadable file. The
    size is checked on the open descriptor and again while reading, so a file
    that grows in the meantime cannot slip past the limit.
    """
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        raise SourceError(f"cannot read: {exc.strerror or exc}") from None
    except ValueError as exc:  # an embedded NUL in the name
        raise SourceError(f"cannot read: {exc}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = next((name for test, name in _KINDS if test(info.st_mode)), "not a regular file")
            raise SourceError(f"cannot read: {kind}, not a regular file")
        if info.st_size > limit:
            raise SourceError(size_limit_reason(f"{info.st_size:,} bytes", limit))
        chunks, size = [], 0
        while size <= limit:
            # One read of the whole file, then one that sees its end.
            chunk = os.read(fd, min(limit + 1 - size, max(info.st_size + 1 - size, 1 << 16)))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise SourceError(size_limit_reason("it grew while being read", limit))
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)
    except OSError as exc:
        raise SourceError(f"cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def size_limit_reason(detail: str, limit: int) -> str:
    return (
        f"file is larger than the {limit:,}-byte limit ({detail}); "
        "raise [tool.envlint] max-file-size to check it"
    )


@dataclass
class SourceFile:
    path: Path
    data: bytes
    text: str
    encoding: str
    has_bom: bool
    _line_starts: list[int] = field(default_factory=list, repr=False)

    @classmethod
    def from_bytes(cls, path: Path, data: bytes) -> "SourceFile":
        """Decode ``data`` the way Python itself would (PEP 263 cookie, BOM)."""
        try:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        except SyntaxError as exc:
            # No cookie and undecodable first lines: say what is wrong with the bytes.
            try:
                data.decode("utf-8")
            except UnicodeDecodeError as decode_error:
                line = data[: decode_error.start].count(b"\n") + 1
                raise SourceError(
                    f"cannot decode as utf-8: {decode_error.reason} (line {line})"
                ) from None
            raise SourceError(f"cannot determine encoding: {exc.msg}") from None
        has_bom = data.startswith(codecs.BOM_UTF8)
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise SourceError(f"cannot decode as {encoding}: {exc.reason} (line {line})") from None
        except LookupError:
            raise SourceError(f"unknown encoding {encoding!r}") from None
        if has_bom and text.startswith("\ufeff"):
            text = text[1:]
        return cls(path=path, data=data, text=text, encoding=encoding, has_bom=has_bom)

    @classmethod
    def from_text(cls, path: Path, text: str) -> "SourceFile":
        """A file already decoded by someone else (flake8 hands plugins its lines)."""
        if text.startswith("\ufeff"):
            return cls(path=path, data=text.encode("utf-8-sig"), text=text[1:],
                       encoding="utf-8", has_bom=True)
        return cls(path=path, data=text.encode("utf-8"), text=text, encoding="utf-8",
                   has_bom=False)

    @classmethod
    def read(cls, path: Path, limit: int = DEFAULT_MAX_FILE_SIZE) -> "SourceFile":
        return cls.from_bytes(path, read_source_bytes(path, limit))

    # -- lines and offsets ------------------------------------------------------

    @property
    def line_starts(self) -> list[int]:
        """Character offset at which each line starts (index 0 is line 1)."""
        if not self._line_starts:
            text = self.text
            if "\r" in text:
                starts = [0]
                starts.extend(m.end() for m in _LINE_BREAK.finditer(text))
            else:  # the common case, a C-speed split (Python breaks lines only at \r and \n)
                starts = [0, *accumulate(len(line) + 1 for line in text.split("\n")[:-1])]
            self._line_starts = starts
        return self._line_starts

    def line_text(self, lineno: int) -> str:
        """Line ``lineno`` (1-based) without its line break."""
        starts = self.line_starts
        if lineno < 1 or lineno > len(starts):
            return ""
        start = starts[lineno - 1]
        end = starts[lineno] if lineno < len(starts) else len(self.text)
        return self.text[start:end].rstrip("\r\n")

    def char_col(self, lineno: int, byte_col: int) -> int:
        """Convert an ``ast`` column (UTF-8 bytes into the line) to characters."""
        line = self.line_text(lineno)
        if line.isascii():
            return byte_col
        return len(line.encode("utf-8")[:byte_col].decode("utf-8", errors="replace"))

    def offset(self, lineno: int, char_col: int) -> int:
        """Character offset into ``text`` of a (1-based line, 0-based column)."""
        return self.line_starts[lineno - 1] + char_col

    def segment(self, node) -> str:
        """The exact source text of an ``ast`` node (same as ast.get_source_segment)."""
        start = self.offset(node.lineno, self.char_col(node.lineno, node.col_offset))
        end = self.offset(
            node.end_lineno, self.char_col(node.end_lineno, node.end_col_offset)
        )
        return self.text[start:end]

    @property
    def newline(self) -> str:
        """The file's dominant line break, for text the fixer inserts."""
        match = _LINE_BREAK.search(self.text)
        return match.group() if match else "\n"

    def encode(self, text: str) -> bytes:
        """Encode rewritten ``text`` exactly as the original was stored (BOM included)."""
        body = text.encode(self.encoding if self.encoding != "utf-8-sig" else "utf-8")
        return codecs.BOM_UTF8 + body if self.has_bom else body
