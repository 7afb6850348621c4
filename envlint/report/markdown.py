"""``--format markdown``: one pull-request comment body, what a review bot posts once per PR.

First a short changelog of the registries against the review base (keys
added, removed, renamed, default or kind changed: what a reviewer reads at a
glance, like ``oasdiff changelog``), then the findings. Long key lists are
cut after ``MAX_KEYS`` names. Without a base there is no changelog, only the
findings.
"""

from __future__ import annotations

from typing import Optional, Sequence

from ..findings import Finding
from ..review.changes import Changelog, RegistryChanges

MAX_KEYS = 20
TITLE = "### envlint: environment-variable review"


def _code(text: str) -> str:
    text = text.replace("|", "\\|")
    return f"``{text}``" if "`" in text else f"`{text}`"


def _cell(items: list[str]) -> str:
    shown = ", ".join(items[:MAX_KEYS])
    if len(items) > MAX_KEYS:
        shown += f", … and {len(items) - MAX_KEYS} more"
    return shown


def _rows(changes: RegistryChanges) -> list[tuple[str, list[str]]]:
    removed = []
    for removal in changes.removed:
        how = removal.path or "no deprecation entry"
        removed.append(f"{_code(removal.key.name)} ({how})")
    renamed = []
    for rename in changes.renamed:
        how = rename.how if rename.has_path else "no alias or deprecation entry"
        renamed.append(f"{_code(rename.old.name)} → {_code(rename.new.name)} ({how})")
    defaults = [
        f"{_code(c.new.name)}: {_code(c.old.default or '(none)')} → {_code(c.new.default or '(none)')}"
        for c in changes.default_changed
    ]
    kinds = [f"{_code(c.new.name)}: {c.old.kind} → {c.new.kind}" for c in changes.kind_changed]
    return [
        ("Added", [_code(k.name) for k in changes.added]),
        ("Removed", removed),
        ("Renamed", renamed),
        ("Default changed", defaults),
        ("Kind changed", kinds),
    ]


def _changelog(changelog: Changelog) -> list[str]:
    lines = [f"Registries compared with {changelog.base}.", ""]
    if changelog.empty():
        return lines + ["No registry changes.", ""]
    several = sum(not c.empty() for c in changelog.registries) > 1
    lines += ["| Change | Keys |", "|---|---|"]
    for title in ("Added", "Removed", "Renamed", "Default changed", "Kind changed"):
        parts, total = [], 0
        for changes in changelog.registries:
            items = dict(_rows(changes))[title]
            if items:
                total += len(items)
                prefix = f"{_code(changes.head.module)}: " if several else ""
                parts.append(prefix + _cell(items))
        if total:
            lines.append(f"| {title} ({total}) | {'; '.join(parts)} |")
    moved = sum(len(c.section_changed) for c in changelog.registries)
    lines.append("")
    if moved:
        lines += [f"{moved} key{'s' * (moved != 1)} moved to another section.", ""]
    return lines


def format_markdown(findings: Sequence[Finding], changelog: Optional[Changelog] = None) -> str:
    lines = [TITLE, ""]
    if changelog is not None:
        lines += _changelog(changelog)
    if findings:
        lines += [f"**Findings ({len(findings)})**", ""]
        lines += [
            f"- **{f.code}** {_code(f'{f.path}:{f.line}:{f.column}')}: {f.message}" for f in findings
        ]
    else:
        lines.append("No findings.")
    return "\n".join(lines) + "\n"
