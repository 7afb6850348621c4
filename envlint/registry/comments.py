"""Section headers and descriptions of registry entries, read from comments.

Comments are not in the ``ast``, so they are read from the raw lines of a class
body or dict literal: banner-style sections (``# ==== Title ====``) or the legacy
style (a comment block after a blank line opens a section).
"""

from __future__ import annotations

import ast
import bisect
import re
from typing import Optional

from ..source import SourceFile

_BANNER = re.compile(r"^\s*#\s*[=\-#*~]{3,}\s*$")
_INLINE_BANNER = re.compile(r"^\s*#\s*[=\-#*~]{3,}\s*([^=\-#*~\s].*?)\s*[=\-#*~]{3,}\s*$")
_COMMENT = re.compile(r"^\s*#(.*)$")


def _comment_text(line: str) -> Optional[str]:
    match = _COMMENT.match(line)
    return match.group(1).strip() if match else None


class _CommentMap:
    """Section headers and attached comments of one block of lines (a class body or a dict)."""

    def __init__(self, source: SourceFile, first: int, last: int):
        self.source = source
        self.header_lines: set[int] = set()
        starts: list[tuple[int, str]] = []
        lines = {n: source.line_text(n) for n in range(first, last + 1)}
        banner_mode = any(_BANNER.match(t) or _INLINE_BANNER.match(t) for t in lines.values())
        n = first
        while n <= last:
            text = lines[n]
            inline = _INLINE_BANNER.match(text)
            if banner_mode and inline:
                starts.append((n, inline.group(1)))
                self.header_lines.add(n)
            elif banner_mode and _BANNER.match(text):
                # "# ====" / "# Title" / "# ====": the title is what lies between banners.
                m = n + 1
                title_parts = []
                while m <= last and _comment_text(lines[m]) is not None and not _BANNER.match(
                    lines[m]
                ):
                    title_parts.append(_comment_text(lines[m]))
                    m += 1
                if m <= last and _BANNER.match(lines[m]) and title_parts:
                    starts.append((n, " ".join(p for p in title_parts if p)))
                    self.header_lines.update(range(n, m + 1))
                    n = m
                else:
                    self.header_lines.add(n)
            elif not banner_mode and _comment_text(text) is not None:
                previous = lines.get(n - 1, "")
                if n == first or not previous.strip():
                    # Legacy style: a comment block after a blank line opens a section.
                    starts.append((n, _comment_text(text) or ""))
                    m = n
                    while m <= last and _comment_text(lines[m]) is not None:
                        self.header_lines.add(m)
                        m += 1
                    n = m - 1
            n += 1
        self._start_lines = [line for line, _ in starts]
        self._titles = [title for _, title in starts]

    def section_at(self, line: int) -> Optional[str]:
        index = bisect.bisect_right(self._start_lines, line) - 1
        return self._titles[index] if index >= 0 else None

    def description(self, node: ast.AST) -> str:
        """Comment lines directly above ``node`` plus its trailing comment."""
        parts: list[str] = []
        n = node.lineno - 1
        while n >= 1 and n not in self.header_lines:
            text = _comment_text(self.source.line_text(n))
            if text is None:
                break
            parts.insert(0, text)
            n -= 1
        end_line = self.source.line_text(node.end_lineno)
        tail = end_line[self.source.char_col(node.end_lineno, node.end_col_offset) :]
        tail_comment = _comment_text(tail) if tail.strip().startswith("#") else None
        if tail_comment:
            parts.append(tail_comment)
        return " ".join(p for p in parts if p)
