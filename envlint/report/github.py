"""``--format github``: GitHub Actions workflow commands, shown as annotations on a PR.

One ``::error`` line per finding. Paths are relative to the repository root
(what GitHub resolves them against, whatever directory envlint ran in).
Columns are envlint's: 1-based characters, the end just past the expression;
GitHub accepts columns only within one line, so a finding spanning lines
carries ``line``/``endLine`` alone.
"""

from __future__ import annotations

from typing import Sequence

from ..findings import Finding
from .locations import root_relative, source_root


def escape_data(text: str) -> str:
    """The message part: GitHub's runner decodes %25, %0D and %0A there."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A property value, where ``:`` ends the properties and ``,`` separates them."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(findings: Sequence[Finding]) -> str:
    root = source_root()
    paths = {path: root_relative(path, root) or path for path in {f.path for f in findings}}
    lines = []
    for finding in findings:
        properties = [("file", paths[finding.path]), ("line", finding.line), ("endLine", finding.end_line)]
        if finding.line == finding.end_line:
            properties += [("col", finding.column), ("endColumn", finding.end_column)]
        properties.append(("title", f"envlint ({finding.code})"))
        rendered = ",".join(f"{name}={escape_property(str(value))}" for name, value in properties)
        lines.append(f"::error {rendered}::{escape_data(finding.message)}\n")
    return "".join(lines)
