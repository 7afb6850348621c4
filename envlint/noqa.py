"""``# noqa`` handling that behaves exactly like flake8's.

The same comment must silence a finding whether the user runs ``envlint check``
or ``flake8 --select ENV``, so this mirrors flake8 7: the inline regex, the
code-prefix matching, the file-level ``# flake8: noqa``, and the mapping that
lets one comment cover every physical line of a multi-line string or a
backslash-continued line.
"""

from __future__ import annotations

import ast
import bisect
import io
import re
import tokenize
from typing import Iterable, Optional

from .findings import Finding

NOQA_INLINE = re.compile(
    r"# noqa(?::[\s]?(?P<codes>([A-Z]+[0-9]+(?:[,\s]+)?)+))?",
    re.IGNORECASE,
)
NOQA_FILE = re.compile(r"\s*# flake8[:=]\s*noqa", re.IGNORECASE)
_SPLIT_CODES = re.compile(r"[,\s]")
_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def _physical_lines(text: str) -> list[str]:
    """Lines as Python and flake8 count them: split on \\r\\n, \\r and \\n only.

    ``str.splitlines`` also splits on form feeds, ``\\x1c``-``\\x1e``, ``\\x85`` and
    U+2028, which would shift every line number after one.
    """
    return _LINES.findall(text)


def file_is_ignored(text: str) -> bool:
    """A line starting with ``# flake8: noqa`` turns off every check for the file."""
    if "flake8" not in text.lower():
        return False
    return any(NOQA_FILE.match(line) for line in _physical_lines(text))


def _noqa_line_mapping(lines: list[str], first: int = 1) -> dict[int, str]:
    """Line number -> the text searched for ``noqa`` (flake8's ``_noqa_line_mapping``).

    ``lines`` may be a slice of the file starting at line ``first``, as long as it
    starts and ends on statement boundaries (which are token-group boundaries).
    """
    mapping: dict[int, str] = {}
    text = "".join(lines)
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text, newline=None).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return {n: line for n, line in enumerate(lines, start=first)}
    min_line, max_line = len(lines) + 2, -1
    for token in tokens:
        if token.type in (tokenize.ENDMARKER, tokenize.DEDENT):
            continue
        min_line = min(min_line, token.start[0])
        max_line = max(max_line, token.end[0])
        if token.type in (tokenize.NL, tokenize.NEWLINE):
            joined = "".join(lines[min_line - 1 : max_line])
            for line in range(min_line, max_line + 1):
                mapping[line + first - 1] = joined
            min_line, max_line = len(lines) + 2, -1
    return mapping


def _statement_lines(tree: ast.Module, line: int, index: Optional[dict] = None) -> tuple[int, int]:
    """First and last line of the innermost statement (decorators included) on ``line``.

    Statements nested in one statement (or the module) do not overlap, so the
    candidate is found by bisecting their first lines, sorted and cached per
    owner in ``index``: a scan per finding made files with thousands of
    findings quadratic.
    """
    index = {} if index is None else index
    span = (line, line)
    owner: ast.AST = tree
    while True:
        entry = index.get(id(owner))
        if entry is None:
            children = sorted(_child_statements(owner), key=_first_line)
            entry = index[id(owner)] = (children, [_first_line(c) for c in children])
        children, firsts = entry
        position = bisect.bisect_right(firsts, line) - 1
        if position < 0 or line > children[position].end_lineno:
            return span
        owner = children[position]
        span = (firsts[position], owner.end_lineno)


def _child_statements(node: ast.AST) -> list[ast.stmt]:
    if isinstance(node, ast.Module):
        return list(node.body)
    return [
        child
        for name in ("body", "orelse", "finalbody")
        for child in (getattr(node, name, None) or [])
        if isinstance(child, ast.stmt)
    ] + [
        child
        for nested in (*getattr(node, "handlers", ()), *getattr(node, "cases", ()))
        for child in nested.body
    ]


def _first_line(statement: ast.stmt) -> int:
    decorators = getattr(statement, "decorator_list", None)
    return min(statement.lineno, decorators[0].lineno) if decorators else statement.lineno


def is_suppressed(code: str, noqa_text: str) -> bool:
    match = NOQA_INLINE.search(noqa_text)
    if match is None:
        return False
    codes_text = match.group("codes")
    if codes_text is None:
        return True
    codes = [c.strip() for c in _SPLIT_CODES.split(codes_text) if c.strip()]
    return code in codes or code.startswith(tuple(codes))


def filter_suppressed(
    findings: Iterable[Finding], text: str, tree: Optional[ast.Module] = None
) -> list[Finding]:
    """Drop suppressed findings. With ``tree``, only the statements holding a
    finding are tokenized (tokenizing whole files costs more than checking them)."""
    findings = list(findings)
    if not findings or "noqa" not in text.lower():
        return findings
    lines = _physical_lines(text)
    if tree is None:
        mapping = _noqa_line_mapping(lines)
        return [f for f in findings if not is_suppressed(f.code, mapping.get(f.line, ""))]
    spans: dict[tuple[int, int], dict[int, str]] = {}
    index: dict = {}  # owner id -> its statements sorted by first line (owners outlive it)
    kept = []
    for finding in findings:
        span = _statement_lines(tree, finding.line, index)
        if span not in spans:
            first, last = span
            spans[span] = _noqa_line_mapping(lines[first - 1 : last], first)
        if not is_suppressed(finding.code, spans[span].get(finding.line, "")):
            kept.append(finding)
    return kept
