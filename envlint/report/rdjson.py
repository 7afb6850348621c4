"""``--format rdjson``: reviewdog's Diagnostic Format, for review comments with suggestions.

reviewdog posts each diagnostic on the pull request and turns ``suggestions``
into GitHub suggested changes a reviewer can commit with one click (see
``suggestions.py`` for which fixes qualify).

Two conversions: reviewdog counts columns in UTF-8 *bytes* (envlint counts
characters), so columns are re-measured against the file's lines; and fix
edits' 0-based columns become 1-based. Ranges end exclusively in both. Paths
stay relative to the working directory, which is what reviewdog resolves them
against.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Sequence

from ..findings import Finding
from ..source import SourceError, SourceFile
from . import tool
from .suggestions import note, offered

SEVERITY = "ERROR"  # every finding fails `envlint check`


class _ByteColumns:
    """1-based character columns to 1-based UTF-8 byte columns, one file read per path."""

    def __init__(self) -> None:
        self._sources: dict[str, SourceFile | None] = {}

    def __call__(self, path: str, line: int, column: int) -> int:
        if path not in self._sources:
            try:
                self._sources[path] = SourceFile.read(Path(path))
            except SourceError:  # gone since it was checked: characters are the best guess
                self._sources[path] = None
        source = self._sources[path]
        if source is None:
            return column
        text = source.line_text(line)
        return len(text[: column - 1].encode("utf-8")) + 1


def _position(columns: _ByteColumns, path: str, line: int, column: int) -> dict:
    return {"line": line, "column": columns(path, line, column)}


def _diagnostic(finding: Finding, columns: _ByteColumns) -> dict:
    path = finding.path
    diagnostic = {
        "message": finding.message,
        "location": {
            "path": path,
            "range": {
                "start": _position(columns, path, finding.line, finding.column),
                "end": _position(columns, path, finding.end_line, finding.end_column),
            },
        },
        "severity": SEVERITY,
        "code": {"value": finding.code},
    }
    fix = offered(finding.fix)
    if fix is not None:
        if note(fix):
            diagnostic["message"] += f" {note(fix)}"
        diagnostic["suggestions"] = [
            {
                "range": {
                    "start": _position(columns, path, edit.line, edit.column + 1),
                    "end": _position(columns, path, edit.end_line, edit.end_column + 1),
                },
                "text": edit.content,
            }
            for edit in fix.edits
        ]
    return diagnostic


def format_rdjson(findings: Sequence[Finding]) -> str:
    source = {"name": tool.NAME}
    homepage = tool.homepage()
    if homepage:
        source["url"] = homepage
    columns = _ByteColumns()
    result = {
        "source": source,
        "severity": SEVERITY,
        "diagnostics": [_diagnostic(finding, columns) for finding in findings],
    }
    return json.dumps(result, indent=2, ensure_ascii=False) + "\n"
