"""What a run adds after its findings: the closing summary line and ``--statistics``.

Why: a list of 389 lines does not say how big the job is or how much of it
``envlint fix`` would do. The summary is ruff's (``Found 389 findings (26
fixable, 204 with unsafe fixes).``); statistics count findings per code and per
variable, which is what a team planning a migration asks first.

"fixable" means ``envlint fix`` applies the fix as it stands (a safe fix);
"with unsafe fixes" means only ``--unsafe-fixes`` would (see ``envlint rule``'s
"Fix safety").
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Sequence

from ..findings import Finding


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' * (count != 1)}"


def fix_counts(findings: Sequence[Finding]) -> tuple[int, int]:
    """(findings with a safe fix, findings with an unsafe fix)."""
    safe = sum(1 for f in findings if f.fix is not None and f.fix.is_safe)
    unsafe = sum(1 for f in findings if f.fix is not None and not f.fix.is_safe)
    return safe, unsafe


def closing_summary(findings: Sequence[Finding], unreadable: int = 0) -> str:
    """``Found 389 findings (26 fixable, 204 with unsafe fixes).``; ``No findings.`` when clean.

    ``unreadable`` counts files that could not be checked (their errors are on
    stderr): a clean result with unchecked files is not "no findings".
    """
    if findings:
        safe, unsafe = fix_counts(findings)
        parts = [f"{safe} fixable"] if safe else []
        if unsafe:
            parts.append(f"{unsafe} with unsafe fixes")
        line = f"Found {_plural(len(findings), 'finding')}" + (f" ({', '.join(parts)})" if parts else "")
    else:
        line = "No findings"
    if unreadable:
        line += f"; {_plural(unreadable, 'file')} could not be checked"
    return line + "."


def _rule_names() -> dict[str, str]:
    from ..codes import PAGES

    return {code: page.name for code, page in PAGES.items()}


def statistics(findings: Sequence[Finding]) -> dict:
    """Counts per code and per variable, most frequent first (ties in name order)."""
    names = _rule_names()
    by_code: dict[str, list[Finding]] = {}
    by_key: dict[str, Counter] = {}
    for finding in findings:
        by_code.setdefault(finding.code, []).append(finding)
        by_key.setdefault(finding.key or "", Counter())[finding.code] += 1
    codes = []
    for code, group in sorted(by_code.items(), key=lambda item: (-len(item[1]), item[0])):
        safe, unsafe = fix_counts(group)
        codes.append(
            {"code": code, "name": names.get(code, ""), "count": len(group), "fixable": safe,
             "unsafe_fixes": unsafe}
        )
    keys = [
        {"key": key or None, "count": sum(counts.values()), "codes": dict(sorted(counts.items()))}
        for key, counts in sorted(by_key.items(), key=lambda item: (-sum(item[1].values()), item[0]))
    ]
    return {"total": len(findings), "codes": codes, "keys": keys}


def format_statistics_json(findings: Sequence[Finding]) -> str:
    return json.dumps(statistics(findings), indent=2) + "\n"


def format_statistics_text(findings: Sequence[Finding]) -> str:
    """Two aligned tables: per code (with how many are fixable), then per variable."""
    stats = statistics(findings)
    if not stats["codes"]:
        return ""
    width = max(len(str(stats["total"])), 5)
    name_width = max(len(row["name"]) for row in stats["codes"])
    lines = [f"{'count':>{width}}  code    {'name':<{name_width}}  fixable  unsafe"]
    for row in stats["codes"]:
        lines.append(
            f"{row['count']:>{width}}  {row['code']}  {row['name']:<{name_width}}  "
            f"{row['fixable']:>7}  {row['unsafe_fixes']:>6}"
        )
    key_width = max(len(row["key"] or "(no variable)") for row in stats["keys"])
    lines.append("")
    lines.append(f"{'count':>{width}}  {'variable':<{key_width}}  codes")
    for row in stats["keys"]:
        codes = ", ".join(f"{code}: {count}" for code, count in row["codes"].items())
        lines.append(f"{row['count']:>{width}}  {row['key'] or '(no variable)':<{key_width}}  {codes}")
    return "\n".join(lines) + "\n"
