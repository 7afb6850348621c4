"""Output formats. Each takes the sorted findings of a run and returns the text to print.

Text and JSON live here; the formats for CI and review bots (GitHub annotations,
SARIF, reviewdog, a markdown PR comment) have a module each.
"""

from __future__ import annotations

import json
from typing import Callable, Mapping, Sequence

from ..findings import Finding
from .github import format_github
from .markdown import format_markdown
from .rdjson import format_rdjson
from .sarif import format_sarif


def format_text(findings: Sequence[Finding]) -> str:
    """flake8's format: ``path:line:col: CODE message``."""
    return "".join(f"{f.path}:{f.line}:{f.column}: {f.code} {f.message}\n" for f in findings)


def format_counts(counts: Mapping[str, int]) -> str:
    """``ENV001: 3, ENV002: 1``: how many findings of each code, in code order."""
    return ", ".join(f"{code}: {count}" for code, count in sorted(counts.items()))


def format_json(findings: Sequence[Finding]) -> str:
    return json.dumps([f.to_dict() for f in findings], indent=2) + "\n"


FORMATTERS: dict[str, Callable[[Sequence[Finding]], str]] = {
    "text": format_text,
    "json": format_json,
    "github": format_github,
    "sarif": format_sarif,
    "rdjson": format_rdjson,
    # with the registry changelog when the CLI has one (see cli.py)
    "markdown": format_markdown,
}
