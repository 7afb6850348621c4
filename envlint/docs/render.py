"""The reference as text: a markdown page, or JSON for other tools.

Markdown is GitHub-flavoured: one table per registry section. Cell text is
escaped (``|`` as ``\\|``, which GitHub also honours inside code spans; line
breaks become spaces) so that a description can never split or end a row.
The drift check reads these tables back, so what is written here is what
``page`` must parse.
"""

from __future__ import annotations

import json
import re
from typing import Any, Sequence

from .model import Default, Reference

COLUMNS = ("Name", "Type", "Default", "Description")
ALIAS_COLUMN = "Deprecated alias"
UNSECTIONED = "Other variables"  # fields above or outside every section comment
UNSECTIONED_ONLY = "Variables"  # ... when the registry has no section comments at all


def escape_cell(text: str) -> str:
    return re.sub(r"\r\n|\r|\n", " ", text).replace("|", "\\|")


def code(text: str) -> str:
    """``text`` as a markdown code span, whatever backticks it contains."""
    if not text:
        return ""
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(escape_cell(c) for c in cells) + " |"


def _table(reference: Reference, entries) -> list[str]:
    columns = COLUMNS + ((ALIAS_COLUMN,) if reference.has_aliases else ())
    lines = [_row(columns), "|" + "---|" * len(columns)]
    for entry in entries:
        cells = [
            code(entry.name),
            "" if entry.kind == "unknown" else entry.kind,
            code(entry.default.text),
            entry.description,
        ]
        if reference.has_aliases:
            cells.append(", ".join(code(alias) for alias in entry.aliases))
        lines.append(_row(cells))
    return lines


def _heading(level: int, text: str) -> str:
    return "#" * min(level, 6) + " " + text


def render_markdown(references: Sequence[Reference], level: int = 1) -> str:
    """One ``level`` heading per registry, a ``level + 1`` heading and table per section.

    ``level`` lets ``--write`` nest the generated headings under the page's own.
    """
    lines: list[str] = []
    for reference in references:
        if lines:
            lines.append("")
        lines += [
            _heading(level, code(reference.module)),
            "",
            f"Variables defined in {code(reference.label)}.",
        ]
        for section in reference.sections:
            fallback = UNSECTIONED if len(reference.sections) > 1 else UNSECTIONED_ONLY
            title = section.title or fallback
            lines += ["", _heading(level + 1, escape_cell(title)), ""]
            lines += _table(reference, section.entries)
    return "\n".join(lines) + "\n"


def _json_value(default: Default) -> Any:
    """The default as a JSON value; None when it is not a literal or has no JSON form."""
    if not default.is_literal:
        return None
    try:
        json.dumps(default.value, allow_nan=False)
    except (TypeError, ValueError):
        return None
    return default.value


def render_json(references: Sequence[Reference]) -> str:
    data = {
        "registries": [
            {
                "module": reference.module,
                "path": reference.label,
                "style": reference.style,
                "sections": [
                    {
                        "title": section.title,
                        "variables": [
                            {
                                "name": entry.name,
                                "type": entry.kind,
                                "default": entry.default.text or None,
                                "default_is_literal": entry.default.is_literal,
                                "default_value": _json_value(entry.default),
                                "description": entry.description,
                                "deprecated_aliases": list(entry.aliases),
                                "line": entry.line,
                            }
                            for entry in section.entries
                        ],
                    }
                    for section in reference.sections
                ],
            }
            for reference in references
        ]
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
