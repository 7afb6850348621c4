#!/usr/bin/env python3
"""How check time grows with findings per file: it must be linear.

    python benchmarks/scaling.py                     # N = 2,500 .. 20,000, check only
    python benchmarks/scaling.py --flake8 --fix      # flake8 --select ENV and fix too

Each N is one file of N lines ``x = int(os.getenv("SGLANG_TIMEOUT_KEEP_ALIVE", "5"))``
(one ENV001 finding with a fix per line; the shape from issue 10, where check
took 1.9 / 7.0 / 29 / 201 s for N = 2.5k / 5k / 10k / 20k) in a copy of the
test fixture project, and the same with ``# noqa: ENV002`` on every line (the
``# noqa`` path). Prints a markdown table: wall time, peak RSS, and the time
ratio to the previous N, which stays near 2 for linear work (4 is quadratic).
Timings are measured here, never asserted by tests.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "sglang_project"
LINE = 'x = int(os.getenv("SGLANG_TIMEOUT_KEEP_ALIVE", "5"))'


def timed(command: list[str], cwd: Path) -> tuple[float, int]:
    """(wall seconds, peak RSS in MB) of one run, measured by GNU time when present."""
    time_binary = shutil.which("time") or "/usr/bin/time"
    use_time = Path(time_binary).exists()
    prefix = [time_binary, "-f", "%M"] if use_time else []
    start = time.perf_counter()
    done = subprocess.run([*prefix, *command], cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    rss = int(done.stderr.strip().splitlines()[-1]) // 1024 if use_time else 0
    return elapsed, rss


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="2500,5000,10000,20000")
    parser.add_argument("--flake8", action="store_true", help="also time flake8 --select ENV")
    parser.add_argument("--fix", action="store_true", help="also time envlint fix --diff")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    commands = {"check": [sys.executable, "-m", "envlint", "check", "--no-cache"]}
    if args.flake8:
        commands["flake8"] = [sys.executable, "-m", "flake8", "--isolated", "--select", "ENV"]
    if args.fix:
        commands["fix --diff"] = [sys.executable, "-m", "envlint", "fix", "--diff"]
    print("| variant | command | N | seconds | ratio | peak RSS (MB) |")
    print("|---|---|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory(prefix="envlint-scaling-") as scratch:
        root = Path(scratch) / "project"
        shutil.copytree(FIXTURE, root)
        target = root / "python" / "sglang" / "srt" / "scaling.py"
        for variant, suffix in (("plain", ""), ("noqa", "  # noqa: ENV002")):
            for name, command in commands.items():
                previous = None
                for size in sizes:
                    target.write_text("import os\n" + f"{LINE}{suffix}\n" * size)
                    seconds, rss = timed([*command, str(target.relative_to(root))], root)
                    ratio = f"{seconds / previous:.1f}" if previous else ""
                    print(f"| {variant} | {name} | {size:,} | {seconds:.2f} | {ratio} | {rss} |")
                    previous = seconds
    return 0


if __name__ == "__main__":
    sys.exit(main())
