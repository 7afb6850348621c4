"""Text positions and edits for import statements: lines, offsets, rendering."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from ...findings import ImportRequest

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


class _Lines:
    """Line starts of a text, for ``ast`` (1-based line) -> offset arithmetic."""

    def __init__(self, text: str):
        self.text = text
        self.lines = _LINE.findall(text)
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line))

    def start(self, lineno: int) -> int:
        return self.starts[min(lineno - 1, len(self.lines))]

    def end(self, lineno: int) -> int:
        """Offset just past line ``lineno``'s line break."""
        return self.starts[min(lineno, len(self.lines))]

    def line(self, lineno: int) -> str:
        return self.lines[lineno - 1] if 0 < lineno <= len(self.lines) else ""

    def is_blank(self, lineno: int) -> bool:
        return 0 < lineno <= len(self.lines) and not self.lines[lineno - 1].strip()

    def is_comment(self, lineno: int) -> bool:
        return 0 < lineno <= len(self.lines) and self.lines[lineno - 1].lstrip().startswith("#")


def _newline(text: str) -> str:
    match = re.search(r"\r\n|\r|\n", text)
    return match.group(0) if match else "\n"


@dataclass(frozen=True)
class _TextEdit:
    start: int
    end: int
    text: str


def _apply(text: str, edits: list[_TextEdit]) -> str:
    # Later edits first; at one offset, a deletion before an insertion placed there.
    for edit in sorted(edits, key=lambda e: (e.start, e.end != e.start), reverse=True):
        text = text[: edit.start] + edit.text + text[edit.end :]
    return text


def _leading_comments_start(lines: _Lines, lineno: int, floor: int) -> int:
    """First line of the comment lines directly above ``lineno`` (isort moves them with it)."""
    while lineno - 1 > floor and lines.is_comment(lineno - 1):
        lineno -= 1
    return lineno


def _alias_text(alias: ast.alias) -> str:
    return alias.name + (f" as {alias.asname}" if alias.asname else "")


def _request_alias(request: ImportRequest) -> str:
    name = request.name or request.module
    if request.asname and request.asname != name:
        return f"{name} as {request.asname}"
    return name


def _from_statement(module: str, aliases: list[str], indent: str, newline: str, limit: int) -> str:
    """``from module import a, b`` on one line, or black/isort's wrapped form when too long."""
    one_line = f"{indent}from {module} import {', '.join(aliases)}"
    if len(one_line) <= limit:
        return one_line + newline
    inner = indent + "    "
    body = "".join(f"{inner}{alias},{newline}" for alias in aliases)
    return f"{indent}from {module} import ({newline}{body}{indent}){newline}"


def _statement_is_alone(lines: _Lines, node: ast.stmt) -> bool:
    first = lines.line(node.lineno)
    last = lines.line(node.end_lineno)
    before = first[: node.col_offset]
    after = last.encode("utf-8")[node.end_col_offset :].decode("utf-8", "replace").strip()
    return not before.strip() and (not after or after.startswith("#"))


class ImportEditError(Exception):
    """The import block has a shape these text edits do not handle; leave the file alone."""


def _tail(lines: _Lines, statement: ast.stmt) -> str:
    """What follows the statement on its last line (a comment), without the line break."""
    last = lines.line(statement.end_lineno).rstrip("\r\n")
    return last.encode("utf-8")[statement.end_col_offset :].decode("utf-8", "replace")
