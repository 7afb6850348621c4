"""Remove the imports a rewrite left unused, keeping every other line and the blank
lines between sections as they were."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Optional

from ..style import CodeStyle
from .text import (
    ImportEditError,
    _alias_text,
    _from_statement,
    _Lines,
    _newline,
    _statement_is_alone,
    _tail,
    _TextEdit,
)


def _names_loaded(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _all_strings(tree: ast.Module) -> set[str]:
    """The strings of a literal ``__all__``: names the module exports by name."""
    found = set()
    for node in tree.body:
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets) and node.value:
                for item in ast.walk(node.value):
                    if isinstance(item, ast.Constant) and isinstance(item.value, str):
                        found.add(item.value)
    return found


def _scopes_with_imports(tree: ast.Module, touched: list[tuple[int, int]]):
    """(scope node, import statements directly in it) for the module and every function
    that contains a rewritten line (a local import only a rewrite can have made unused).
    Only the statements around the rewritten lines are visited."""
    yield tree, [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    pending = [s for s in tree.body if _holds_touched(s, touched)]
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node, _local_imports(node)
        for field in ("body", "orelse", "finalbody", "handlers", "cases"):
            for child in getattr(node, field, ()) or ():
                if isinstance(child, ast.AST) and _holds_touched(child, touched):
                    pending.append(child)


def _holds_touched(node: ast.AST, touched: list[tuple[int, int]]) -> bool:
    first, last = getattr(node, "lineno", 0), getattr(node, "end_lineno", 0)
    return any(first <= start and end <= last for start, end in touched)


def _local_imports(function: ast.AST) -> list[ast.stmt]:
    """Import statements of a function's own body (nested functions have their own)."""
    found = []
    pending = list(function.body)
    while pending:
        statement = pending.pop()
        if isinstance(statement, (ast.Import, ast.ImportFrom)):
            found.append(statement)
        elif not isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            for field in ("body", "orelse", "finalbody", "handlers", "cases"):
                pending.extend(getattr(statement, field, ()) or ())
    return found


def _parent_block(tree: ast.Module, target: ast.stmt) -> Optional[list[ast.stmt]]:
    for node in ast.walk(tree):  # only for a local import removed whole: rare
        for field in ("body", "orelse", "finalbody"):
            block = getattr(node, field, None)
            if isinstance(block, list) and any(s is target for s in block):
                return block
    return None


def _removal_edits(
    tree: ast.Module,
    lines: _Lines,
    names: set[str],
    touched: list[tuple[int, int]],
    style: CodeStyle,
) -> tuple[list[_TextEdit], list[_Anchor]]:
    edits: list[_TextEdit] = []
    exported = _all_strings(tree)
    newline = _newline(lines.text)
    deleted_lines: set[int] = set()  # module-level statements removed whole
    for scope, statements in _scopes_with_imports(tree, touched):
        if not any(
            (alias.asname or alias.name.partition(".")[0]) in names for s in statements for alias in s.names
        ):
            continue  # no import of a name the rewrite stopped using: nothing to look up
        loaded = _Loaded(scope, statements, lines, exported if scope is tree else set())
        for statement in statements:
            drop = [
                alias
                for alias in statement.names
                if (alias.asname or alias.name.partition(".")[0]) in names
                and (alias.asname or alias.name.partition(".")[0]) not in loaded
                and alias.name != "*"
            ]
            if not drop:
                continue
            if not _statement_is_alone(lines, statement):
                continue  # ``import a; import b``: leave it to the user
            keep = [a for a in statement.names if a not in drop]
            if keep:
                edits.append(_shrink(statement, keep, lines, newline, style))
            elif scope is tree:
                deleted_lines.update(range(statement.lineno, statement.end_lineno + 1))
            else:
                edits.append(_delete_local(tree, statement, lines))
    deletions, anchors = _delete_lines(lines, deleted_lines)
    return edits + deletions, anchors


class _Loaded:
    """``name in loaded``: whether a scope still reads a name, answered from the text
    when the name appears nowhere outside the scope's import lines (then it is
    certainly unused), else from one walk of the scope's tree."""

    def __init__(self, scope: ast.AST, imports: list[ast.stmt], lines: _Lines, exported: set[str]):
        self.scope, self.exported = scope, exported
        if isinstance(scope, ast.Module):
            skip = {n for s in imports for n in range(s.lineno, s.end_lineno + 1)}
            numbers = range(1, len(lines.lines) + 1)
        else:
            skip = {n for s in imports for n in range(s.lineno, s.end_lineno + 1)}
            numbers = range(scope.lineno, scope.end_lineno + 1)
        self.text = "".join(lines.line(n) for n in numbers if n not in skip)
        self._walked: Optional[set[str]] = None

    def __contains__(self, name: str) -> bool:
        if name in self.exported:
            return True
        if not re.search(r"(?<![\w.])" + re.escape(name) + r"(?!\w)", self.text):
            return False
        if self._walked is None:
            self._walked = _names_loaded(self.scope)
        return name in self._walked


@dataclass(frozen=True)
class _Anchor:
    """Where a removed module-level import region was: a new import with no block to
    join goes there, with the blank lines the removed imports had around them."""

    start: int  # offset of the region in the text before removal
    blank_before: int
    blank_after: int
    kept: int  # blank lines the region was reduced to


def _delete_lines(lines: _Lines, deleted: set[int]) -> tuple[list[_TextEdit], list[_Anchor]]:
    """Delete whole module-level lines, keeping the blank lines between what remains as
    they were: where runs of blank lines meet (a section removed whole), the longest
    run stays — one blank line between sections, two before a ``def``."""
    edits, anchors = [], []
    total = len(lines.lines)
    newline = _newline(lines.text)
    number = 1
    while number <= total:
        if number not in deleted:
            number += 1
            continue
        first = number
        while first - 1 >= 1 and lines.is_blank(first - 1):
            first -= 1
        last = number
        while last + 1 <= total and (last + 1 in deleted or lines.is_blank(last + 1)):
            last += 1
        longest = run = 0
        for line in range(first, last + 1):
            run = run + 1 if lines.is_blank(line) else 0
            longest = max(longest, run)
        if first == 1 or last == total:
            longest = 0  # nothing to separate at the start or the end of the file
        final_deleted = max(line for line in range(first, last + 1) if line in deleted)
        edits.append(_TextEdit(lines.start(first), lines.end(last), newline * longest))
        anchors.append(_Anchor(lines.start(first), number - first, last - final_deleted, longest))
        number = last + 1
    return edits, anchors


def _delete_local(tree: ast.Module, statement: ast.stmt, lines: _Lines) -> _TextEdit:
    """Delete a function-local import; a block it was alone in gets ``pass``."""
    start, end = lines.start(statement.lineno), lines.end(statement.end_lineno)
    block = _parent_block(tree, statement)
    if block is not None and len(block) == 1:
        indent = lines.line(statement.lineno)[: statement.col_offset]
        return _TextEdit(start, end, f"{indent}pass{_newline(lines.text)}")
    return _TextEdit(start, end, "")


def _shrink(
    statement: ast.stmt, keep: list[ast.alias], lines: _Lines, newline: str, style: CodeStyle
) -> _TextEdit:
    """Remove the dropped names from one import statement, keeping its layout."""
    start, end = lines.start(statement.lineno), lines.end(statement.end_lineno)
    indent = lines.line(statement.lineno)[: statement.col_offset]
    tail = _tail(lines, statement)
    if isinstance(statement, ast.Import):
        return _TextEdit(
            start, end, f"{indent}import {', '.join(_alias_text(a) for a in keep)}{tail}{newline}"
        )
    module = "." * statement.level + (statement.module or "")
    if statement.lineno == statement.end_lineno:
        text = _from_statement(module, [_alias_text(a) for a in keep], indent, "", style.import_line_length)
        return _TextEdit(start, end, text + tail + newline)
    # Wrapped: drop the lines of the removed names when each name has a line of its own.
    kept_lines = []
    for number in range(statement.lineno, statement.end_lineno + 1):
        text = lines.line(number)
        code = text.split("#", 1)[0].strip().rstrip(",").strip()
        inner = number not in (statement.lineno, statement.end_lineno)
        if inner and code and not any(code == _alias_text(a) for a in keep):
            if "," in code:
                raise ImportEditError("several imported names share a line of a wrapped import")
            continue
        kept_lines.append(text)
    return _TextEdit(start, end, "".join(kept_lines))
