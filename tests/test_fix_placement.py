"""Placing a file's edits: which fixes fit together, and the text they produce.

``place_edits`` keeps its taken spans sorted to stay linear in the number of
edits; these tests hold it to the obvious quadratic definition (compare every
new span with every taken one) on random edit sets.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Optional

import pytest

from envlint.findings import Edit, Finding, Fix
from envlint.fixes.rewrite import rewrite
from envlint.fixes.placement import place_edits, splice
from envlint.source import SourceFile

TEXT = "".join(f"line_{n:02d} = {n}\n" for n in range(1, 21))  # 20 lines of 11 characters + \n


def _finding(index: int, edits: list[Edit]) -> Finding:
    return Finding("m.py", 1, index + 1, "ENV001", 1, 1, "m", fix=Fix("safe", "f", tuple(edits)))


def _naive(source: SourceFile, findings: list[Finding], extra: list[Edit]) -> Optional[tuple]:
    """The definition: every new span against every span taken before it."""
    taken: list[tuple[int, int]] = []

    def clash(start, end, low, high):
        return (start < high and low < end) or start == end == low == high

    def place(edits):
        spans = []
        for edit in edits:
            start = source.offset(edit.line, edit.column)
            end = source.offset(edit.end_line, edit.end_column)
            if any(clash(start, end, low, high) for low, high in taken + [(s, e) for s, e, _ in spans]):
                return None
            spans.append((start, end, edit.content))
        return spans

    all_spans = place(extra)
    if all_spans is None:
        return None
    taken += [(s, e) for s, e, _ in all_spans]
    applied = []
    for finding in findings:
        spans = place(finding.fix.edits)
        if spans is not None:
            taken += [(s, e) for s, e, _ in spans]
            all_spans += spans
            applied.append(finding)
    return applied, all_spans


def _random_edit(rng: random.Random) -> Edit:
    line = rng.randint(1, 20)
    column = rng.randint(0, 11)
    if rng.random() < 0.3:  # an insertion
        return Edit(line, column, line, column, f"<{line}:{column}>")
    end_line = min(20, line + rng.choice([0, 0, 0, 1]))
    end_column = rng.randint(column + 1 if end_line == line else 0, 12)
    return Edit(line, column, end_line, end_column, f"[{line}:{column}]")


@pytest.mark.parametrize("seed", range(200))
def test_place_edits_agrees_with_the_quadratic_definition(seed):
    rng = random.Random(seed)
    source = SourceFile.from_bytes(Path("m.py"), TEXT.encode())
    findings = [
        _finding(i, [_random_edit(rng) for _ in range(rng.choice([1, 1, 1, 2, 3]))])
        for i in range(rng.randint(1, 40))
    ]
    extra = [_random_edit(rng) for _ in range(rng.choice([0, 0, 1, 2]))]
    expected = _naive(source, findings, extra)
    got = place_edits(source, findings, extra)
    if expected is None:
        assert got is None
        return
    assert got is not None
    assert [id(f) for f in got[0]] == [id(f) for f in expected[0]]
    assert sorted(got[1]) == sorted(expected[1])
    assert splice(TEXT, got[1]) == _splice_naive(TEXT, expected[1])


def _splice_naive(text: str, spans) -> str:
    for start, end, content in sorted(spans, reverse=True):
        text = text[:start] + content + text[end:]
    return text


def test_insertions_touching_a_replacement_are_kept_in_a_fixed_order():
    source = SourceFile.from_bytes(Path("m.py"), b"abcdefgh\n")
    replace = _finding(0, [Edit(1, 2, 1, 5, "X")])
    before = _finding(1, [Edit(1, 2, 1, 2, "<")])
    after = _finding(2, [Edit(1, 5, 1, 5, ">")])
    same_point = _finding(3, [Edit(1, 2, 1, 2, "!")])  # a second insertion at 2: order unknowable
    inside = _finding(4, [Edit(1, 3, 1, 3, "?")])
    applied, spans = place_edits(source, [replace, before, after, same_point, inside])
    assert applied == [replace, before, after]
    assert splice("abcdefgh\n", spans) == "ab<X>fgh\n"


def test_duplicate_findings_report_their_own_positions():
    # Equal findings (same place, same code) are distinct fixes to count; list.index
    # would have reported the first one twice.
    source = SourceFile.from_bytes(Path("m.py"), b"import os\nx = 1\ny = 2\n")
    one = _finding(0, [Edit(2, 4, 2, 5, "10")])
    two = _finding(0, [Edit(3, 4, 3, 5, "20")])
    assert one == two
    outcome = rewrite(Path("m.py"), source, source, [one, two], [], "m")
    assert outcome.text == "import os\nx = 10\ny = 20\n"
    assert outcome.applied == [0, 1]
