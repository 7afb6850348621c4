#!/usr/bin/env python3
"""Run envlint's property tests over any number of generated programs.

    python scripts/fuzz.py --examples 2000            # seeds 0.. (CI runs the first 200)
    python scripts/fuzz.py --examples 500 --first-seed 10000 --batch 250

Programs come from pysource-codegen with env accesses injected (``tests/fuzzing.py``);
each batch is written into a copy of the sglang fixture project and must satisfy:
check == check --no-prefilter, check == flake8 --select ENV, and
fix --unsafe-fixes leaves compiling code that a second fix does not change.
Prints one line per batch and every problem with the seeds of that batch; exit 1
if any property failed. Needs the test extra (pip install -e '.[test]').
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import fuzzing  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=1000)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--batch", type=int, default=200, help="programs per project (one flake8 run)")
    parser.add_argument("--no-fix", action="store_true", help="skip the (slowest) fix property")
    args = parser.parse_args()
    warnings.simplefilter("ignore", SyntaxWarning)
    properties = [fuzzing.check_agrees_with_no_prefilter, fuzzing.check_agrees_with_flake8]
    if not args.no_fix:
        properties.append(fuzzing.fix_compiles_and_is_idempotent)
    failures, done, seed = 0, 0, args.first_seed
    started = time.perf_counter()
    while done < args.examples:
        batch = fuzzing.programs(min(args.batch, args.examples - done), first_seed=seed)
        seeds = sorted({program.seed for program in batch})
        seed = seeds[-1] + 1
        with tempfile.TemporaryDirectory(prefix="envlint-fuzz-") as scratch:
            root = fuzzing.make_project(Path(scratch), batch)
            problems = [problem for check in properties for problem in check(root)]
        done += len(batch)
        print(f"{done} programs (seeds {seeds[0]}-{seeds[-1]}): {len(problems)} problems, "
              f"{time.perf_counter() - started:.0f} s", flush=True)
        for problem in problems:
            print(f"  {problem}")
        failures += len(problems)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
