"""Expected findings written next to the code they concern.

A fixture line ending in ``# expect: ENV001:10, ENV002:26`` must produce
exactly those findings (code, 1-based column) on that line; every other line
must produce none. ``ENV001:10x2`` is two findings at the same place. The test compares the full set both ways, so a missing
finding and an unexpected one both fail.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

MARKER = re.compile(r"# expect: ((?:[A-Z]+\d+:\d+(?:x\d+)?(?:, )?)+)\s*$")


def expected_findings(root: Path) -> set[tuple[str, int, int, str]]:
    return set(expected_counts(root))


def expected_counts(root: Path) -> Counter:
    """Like ``expected_findings``, with multiplicity: ``ENV001:10x2`` is two findings at
    column 10 (one per key, e.g. a loop over two keys)."""
    expected: Counter = Counter()
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            match = MARKER.search(line)
            if match:
                for item in match.group(1).split(", "):
                    code, column = item.split(":")
                    column, _, times = column.partition("x")
                    expected[(relative, number, int(column), code)] += int(times or 1)
    return expected
