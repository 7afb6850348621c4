"""``--format sarif``: SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.

The driver lists every rule envlint has, described by the rule's own
documentation (its summary, its "What it does" section, the whole explanation
as help), so a viewer can explain a result without envlint installed.

Positions map one to one: SARIF lines and columns are 1-based and a region's
``endColumn`` is the column just past it, exactly envlint's ``end_column``.
envlint counts columns in characters, which SARIF calls ``unicodeCodePoints``
and the run says so. Fix edits are 0-based internally and shifted by one.

Paths are URIs relative to the repository root (``%SRCROOT%``), what code
scanning expects whatever directory envlint ran in.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Sequence
from urllib.parse import quote

from ..findings import Edit, Finding, Fix
from ..rules import ALL_RULES, Rule
from . import tool
from .locations import root_relative, source_root
from .suggestions import note, offered

SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
SRCROOT = "%SRCROOT%"
LEVEL = "error"  # every finding fails `envlint check`


def _section(markdown: str, title: str) -> str:
    """The text under ``## title`` in a rule's explanation."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", markdown, re.S | re.M)
    return match.group(1).strip() if match else ""


def _rule(rule: type[Rule]) -> dict:
    explanation = rule.explanation()
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": _section(explanation, "What it does") or rule.summary},
        "help": {"text": explanation, "markdown": explanation},
        "defaultConfiguration": {"level": LEVEL},
    }


def _artifact(path: str, root: Path) -> dict:
    relative = root_relative(path, root)
    if relative is None:
        return {"uri": Path(path).resolve().as_uri()}
    return {"uri": quote(relative), "uriBaseId": SRCROOT}


def _edit_region(edit: Edit) -> dict:
    return {
        "startLine": edit.line,
        "startColumn": edit.column + 1,
        "endLine": edit.end_line,
        "endColumn": edit.end_column + 1,
    }


def _fix(fix: Fix, artifact: dict) -> dict:
    description = fix.description
    if note(fix):
        description += f". {note(fix)}"
    properties = {"applicability": fix.applicability}
    if fix.reason:
        properties["reason"] = fix.reason
    if fix.add_imports:
        properties["imports"] = [request.statement() for request in fix.add_imports]
    return {
        "description": {"text": description},
        "artifactChanges": [
            {
                "artifactLocation": artifact,
                "replacements": [
                    {"deletedRegion": _edit_region(edit), "insertedContent": {"text": edit.content}}
                    for edit in fix.edits
                ],
            }
        ],
        "properties": properties,
    }


def _result(finding: Finding, rule_index: dict[str, int], artifact: dict) -> dict:
    region = {
        "startLine": finding.line,
        "startColumn": finding.column,
        "endLine": finding.end_line,
        "endColumn": finding.end_column,
    }
    if finding.snippet:
        region["snippet"] = {"text": finding.snippet}
    result = {
        "ruleId": finding.code,
        "ruleIndex": rule_index[finding.code],
        "level": LEVEL,
        "message": {"text": finding.message},
        "locations": [{"physicalLocation": {"artifactLocation": artifact, "region": region}}],
    }
    if finding.key:
        result["properties"] = {"key": finding.key}
    fix = offered(finding.fix)
    if fix is not None:
        result["fixes"] = [_fix(fix, artifact)]
    return result


def format_sarif(findings: Sequence[Finding]) -> str:
    root = source_root()
    root_uri = root.as_uri()
    rules = [_rule(rule) for rule in ALL_RULES]
    rule_index = {rule["id"]: index for index, rule in enumerate(rules)}
    artifacts = {path: _artifact(path, root) for path in {finding.path for finding in findings}}
    driver = {"name": tool.NAME, "version": tool.VERSION, "rules": rules}
    homepage = tool.homepage()
    if homepage:
        driver["informationUri"] = homepage
    log = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": driver},
                "originalUriBaseIds": {SRCROOT: {"uri": root_uri.rstrip("/") + "/"}},
                "columnKind": "unicodeCodePoints",
                "results": [
                    _result(finding, rule_index, artifacts[finding.path]) for finding in findings
                ],
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
