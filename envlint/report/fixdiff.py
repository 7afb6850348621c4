"""``envlint fix --diff --show-fixes``: the diff a reviewer reads, each hunk with its reasons.

Why: ``--unsafe-fixes --diff`` shows *what* would change; deciding whether to
accept an unsafe rewrite needs *why* it is unsafe, and cross-referencing the
JSON output by line number is no review. Here every hunk comes with the fixes
it applies: code, applicability, what the fix does, and for an unsafe fix its
reason (what behaviour changes).

The output stays a patch that ``git apply`` and ``patch -p1`` accept: each hunk
is a file section of its own (``--- a/x`` / ``+++ b/x`` / one ``@@``), and the
reasons are ``#`` lines *before* that section's header, where both tools skip
text (as they skip an e-mail's prose). Sections of one file apply in order, so
each hunk's old-side line numbers count the hunks above it as applied.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from ..discovery import display_path
from ..findings import Finding
from ..fixscope import line_origins
from ..unidiff import NO_NEWLINE, split_lines

if TYPE_CHECKING:
    from ..fixer import FileChange

CONTEXT = 3
SUPPORTING = "# supporting change: imports or registry entries the fixes need"


def _range(start: int, stop: int) -> str:
    """A unified-diff range, as ``difflib`` writes it (``5``, ``5,3``, ``4,0``)."""
    beginning, length = start + 1, stop - start
    if length == 1:
        return f"{beginning}"
    if not length:
        beginning -= 1
    return f"{beginning},{length}"


def _lines(prefix: bytes, lines: list[bytes]) -> list[bytes]:
    """Patch lines; a last line without a newline gets the marker both tools expect."""
    return [prefix + line if line.endswith(b"\n") else prefix + line + b"\n" + NO_NEWLINE for line in lines]


def _describe(finding: Finding, line: int) -> str:
    fix = finding.fix
    text = f"# {finding.path}:{line}: {finding.code} [{fix.applicability}] {fix.description}"
    if fix.reason:
        text += f"\n#     unsafe: {fix.reason}"
    if fix.registry_edits:
        registries = sorted({display_path(Path(edit.registry_path)) for edit in fix.registry_edits})
        text += f"\n#     also edits the registry ({', '.join(registries)})"
    return text


def _original_line(original: str, applied_to: str, line: int, cache: dict) -> int:
    """Where ``line`` of the text a fix was applied to sits in the original file (0-based)."""
    if applied_to == original:
        return line - 1
    origins = cache.get(applied_to)
    if origins is None:
        origins = cache[applied_to] = line_origins(original, applied_to)
    if line in origins:
        return origins[line] - 1
    # A line an earlier pass wrote: place it next to the nearest line that was kept.
    kept = [origins[n] for n in sorted(origins) if n < line]
    return kept[-1] if kept else 0


def annotated_diff(change: "FileChange", fixed: Sequence[tuple[str, Finding]]) -> bytes:
    """The change as one patch section per hunk, each preceded by the fixes it applies.

    Made of the file's bytes, cut at ``\\n`` only, like ``envlint.unidiff``: a
    patch of decoded text split by ``str.splitlines`` does not apply.
    """
    before = split_lines(change.original.data)
    after = split_lines(change.data)
    groups = list(difflib.SequenceMatcher(None, before, after).get_grouped_opcodes(CONTEXT))
    if not groups:
        return b""
    # Each fix goes to the hunk that changes its line, else to the nearest hunk.
    cache: dict = {}
    placed: list[list[str]] = [[] for _ in groups]
    located = sorted(
        (_original_line(change.original.text, text, finding.line, cache), finding)
        for text, finding in fixed
    )
    for line, finding in located:
        spans = [(g[0][1], g[-1][2]) for g in groups]

        def distance(span: tuple[int, int]) -> int:
            low, high = span
            return 0 if low <= line < max(high, low + 1) else min(abs(line - low), abs(line - high + 1))

        index = min(range(len(spans)), key=lambda i: (distance(spans[i]), i))
        placed[index].append(_describe(finding, line + 1))
    out: list[bytes] = []
    name = os.fsencode(change.display)
    shift = 0  # lines the sections above added (+) or removed (-)
    for group, notes in zip(groups, placed):
        first, last = group[0], group[-1]
        i1, i2, j1, j2 = first[1], last[2], first[3], last[4]
        # Notes are text (UTF-8) whatever the file's encoding: both tools skip them.
        out.extend((note + "\n").encode("utf-8", "surrogateescape") for note in notes or [SUPPORTING])
        out.append(b"--- a/" + name + b"\n+++ b/" + name + b"\n")
        start = i1 + shift
        out.append(f"@@ -{_range(start, start + i2 - i1)} +{_range(j1, j2)} @@\n".encode())
        for tag, a1, a2, b1, b2 in group:
            if tag == "equal":
                out.extend(_lines(b" ", before[a1:a2]))
                continue
            if tag in ("replace", "delete"):
                out.extend(_lines(b"-", before[a1:a2]))
            if tag in ("replace", "insert"):
                out.extend(_lines(b"+", after[b1:b2]))
        shift += (j2 - j1) - (i2 - i1)
    return b"".join(out)
