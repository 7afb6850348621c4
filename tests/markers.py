"""Expected findings written next to the code they concern.

A fixture line ending in ``# expect: ENV001:10, ENV002:26`` must produce
exactly those findings (code, 1-based column) on that line; every other line
must produce none. The test compares the full set both ways, so a missing
finding and an unexpected one both fail.
"""

from __future__ import annotations

import re
from pathlib import Path

MARKER = re.compile(r"# expect: ((?:[A-Z]+\d+:\d+(?:, )?)+)\s*$")


def expected_findings(root: Path) -> set[tuple[str, int, int, str]]:
    expected = set()
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            match = MARKER.search(line)
            if match:
                for item in match.group(1).split(", "):
                    code, column = item.split(":")
                    expected.add((relative, number, int(column), code))
    return expected
