"""Add an import where isort would: merged into an existing ``from`` import, or at
its sorted place in its section, in a block that runs before the code using it."""

from __future__ import annotations

import ast
import re
from typing import Optional

from ...findings import ImportRequest
from ..style import CodeStyle
from .order import _blocks, _is_docstring, _module_key, _name_key, _order, _statement, section_of
from .text import (
    ImportEditError,
    _alias_text,
    _from_statement,
    _leading_comments_start,
    _Lines,
    _newline,
    _request_alias,
    _statement_is_alone,
    _TextEdit,
)


def _merge_target(block: list[ast.stmt], request: ImportRequest) -> Optional[ast.ImportFrom]:
    for node in block:
        if (
            isinstance(node, ast.ImportFrom)
            and node.level == 0
            and node.module == request.module
            and not any(a.name == "*" for a in node.names)
        ):
            return node
    return None


def _merge_edit(
    node: ast.ImportFrom, request: ImportRequest, lines: _Lines, style: CodeStyle
) -> Optional[_TextEdit]:
    """``envs`` added to an existing ``from sglang.srt.environ import ...``, in isort's order."""
    newline = _newline(lines.text)
    alias = _request_alias(request)
    names = [_alias_text(a) for a in node.names]
    if alias in names:
        return None
    position = sum(1 for a in node.names if _name_key(a.name) <= _name_key(request.name or ""))
    if node.lineno == node.end_lineno:
        line = lines.line(node.lineno)
        tail = line.encode("utf-8")[node.end_col_offset :].decode("utf-8", "replace").rstrip("\r\n")
        if tail.strip():
            return None  # a trailing comment: isort keeps it on a line of its own; add a new one
        merged = names[:position] + [alias] + names[position:]
        text = _from_statement(request.module, merged, "", newline, style.import_line_length)
        return _TextEdit(lines.start(node.lineno), lines.end(node.lineno), text)
    # Wrapped, one name per line: a line of its own for the new name.
    name_lines = []
    for number in range(node.lineno + 1, node.end_lineno):
        code = lines.line(number).split("#", 1)[0].strip()
        if code:
            if code.count(",") > 1 or not code.endswith(","):
                return None
            name_lines.append(number)
    if len(name_lines) != len(node.names):
        return None
    indent = re.match(r"\s*", lines.line(name_lines[0])).group(0)
    text = f"{indent}{alias},{newline}"
    if position < len(name_lines):
        offset = lines.start(_leading_comments_start(lines, name_lines[position], node.lineno))
    else:
        offset = lines.end(name_lines[-1])
    return _TextEdit(offset, offset, text)


def _new_statement(request: ImportRequest, newline: str, style: CodeStyle) -> str:
    if request.name is None:
        alias = f" as {request.asname}" if request.asname else ""
        return f"import {request.module}{alias}{newline}"
    return _from_statement(request.module, [_request_alias(request)], "", newline, style.import_line_length)


def _insertion(
    tree: ast.Module, lines: _Lines, request: ImportRequest, style: CodeStyle, limit: Optional[int]
) -> _TextEdit:
    """Where isort would put a new import statement, in a block that runs before line ``limit``."""
    newline = _newline(lines.text)
    text = _new_statement(request, newline, style)
    is_from = request.name is not None
    section = section_of(request.module, 0, style)
    order = _order(is_from, _module_key(request.module), style)
    blocks = [b for b in _blocks(tree) if limit is None or b[-1].end_lineno < limit]
    if not blocks:
        return _top_insertion(tree, lines, text, newline, limit)
    # The block that holds the new import's section, else the first one.
    block = next((b for b in blocks if any(_statement(s, style).section == section for s in b)), blocks[0])
    if not all(_statement_is_alone(lines, s) for s in block):
        raise ImportEditError("an import shares its line with another statement")
    statements = [_statement(s, style) for s in block]
    same = [s for s in statements if s.section == section]
    floor = block[0].lineno - 1
    if same:
        for candidate in same:
            if _order(candidate.is_from, candidate.key, style) > order:
                line = _leading_comments_start(lines, candidate.node.lineno, floor)
                return _TextEdit(lines.start(line), lines.start(line), text)
        return _TextEdit(lines.end(same[-1].node.end_lineno), lines.end(same[-1].node.end_lineno), text)
    lower = [s for s in statements if s.section < section]
    if lower:
        offset = lines.end(lower[-1].node.end_lineno)
        return _TextEdit(offset, offset, newline + text)
    line = _leading_comments_start(lines, statements[0].node.lineno, 0)
    return _TextEdit(lines.start(line), lines.start(line), text + newline)


def _top_insertion(
    tree: ast.Module, lines: _Lines, text: str, newline: str, limit: Optional[int]
) -> _TextEdit:
    """A first import: after the docstring (and a blank line), before everything else."""
    body = tree.body
    if body and _is_docstring(body[0]):
        offset = lines.end(body[0].end_lineno)
        following = body[1] if len(body) > 1 else None
        gap = (
            2
            if following is not None
            and isinstance(following, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
            else 1
        )
        if following is not None and lines.is_blank(body[0].end_lineno + 1):
            return _TextEdit(offset, offset, newline + text)
        return _TextEdit(offset, offset, newline + text + newline * gap)
    if body:
        first = body[0].lineno
        line = _leading_comments_start(lines, first, 0)
        if line > 1 and lines.is_blank(line - 1) or line == 1 and not lines.is_comment(1):
            gap = 2 if isinstance(body[0], (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) else 1
            return _TextEdit(lines.start(line), lines.start(line), text + newline * gap)
        # A comment header (licence, shebang) runs into the code: put the import after it.
        return _TextEdit(lines.start(first), lines.start(first), text + newline)
    return _TextEdit(len(lines.text), len(lines.text), text)


def _addition(
    tree: ast.Module,
    lines: _Lines,
    request: ImportRequest,
    style: CodeStyle,
    limit: Optional[int],
    anchor: Optional[int] = None,
    anchor_gap: int = 0,
) -> Optional[_TextEdit]:
    if request.name is not None and not style.force_single_line:
        for block in _blocks(tree):
            if limit is not None and block[-1].end_lineno >= limit:
                continue
            target = _merge_target(block, request)
            if target is not None:
                for alias in target.names:
                    if alias.name == request.name and (alias.asname or alias.name) == (
                        request.asname or request.name
                    ):
                        return None  # already imported
                edit = _merge_edit(target, request, lines, style)
                if edit is not None:
                    return edit
    blocks = [b for b in _blocks(tree) if limit is None or b[-1].end_lineno < limit]
    if not blocks and anchor is not None and (limit is None or anchor < lines.start(limit)):
        newline = _newline(lines.text)
        return _TextEdit(anchor, anchor, _new_statement(request, newline, style) + newline * anchor_gap)
    return _insertion(tree, lines, request, style, limit)
