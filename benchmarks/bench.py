#!/usr/bin/env python3
"""Benchmark envlint on sglang 0.5.23 (1.8M lines) against its goals and reference tools.

    python benchmarks/bench.py                 # everything (fixit takes ~10 minutes)
    python benchmarks/bench.py --skip-fixit --skip-flake8 --runs 3

Prints a markdown report: median wall time over ``--runs`` runs and peak RSS of

* ``envlint check`` cold (no cache), warm (cache, nothing changed), after 10
  files changed, and on 10 files that mention no environment variable
  (interpreter start included: the typical pre-commit run);
* ``flake8 --select ENV`` against ``flake8 --select E,F`` on the same tree;
* ``envlint fix`` over the whole tree, on a copy;
* ``ruff check --no-cache --select ALL`` and fixit 2 running one rule equivalent
  to ENV001 (``benchmarks/fixit_env001.py``), as reference points;

and checks that the prefilter changes nothing (findings with and without it).
Timings are measured here, never asserted by tests. Tools it needs (ruff,
fixit) are installed into a private virtualenv under ``.corpus/bench-venv``.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from corpus import CACHE, corpus_dir  # noqa: E402

TOOLS_VENV = CACHE / "bench-venv"
ENV_TOKENS = re.compile(rb"SGL|environ|getenv|envs|temp_set_env|MOONCAKE|ASCEND|DEEP_NORMAL|IS_H200|DISABLE")


def tools_python() -> Path:
    """A virtualenv with envlint (this checkout), ruff, fixit and flake8."""
    python = TOOLS_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(TOOLS_VENV)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "-e", str(ROOT), "ruff", "fixit==2.2.1"],
            check=True,
        )
    return python


def timed(command: list[str], cwd: Path, env: dict | None = None) -> tuple[float, int, subprocess.CompletedProcess]:
    """(wall seconds, peak RSS in MB, the process) — RSS via GNU time's %M."""
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as rss:
        start = time.perf_counter()
        proc = subprocess.run(
            ["/usr/bin/time", "-q", "-f", "%M", "-o", rss.name, *command],
            cwd=cwd,
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        seconds = time.perf_counter() - start
        text = rss.read().strip().splitlines()
        peak = int(text[-1]) // 1024 if text and text[-1].isdigit() else -1
    return seconds, peak, proc


def median_of(runs: int, command: list[str], cwd: Path, before=None) -> tuple[float, int, subprocess.CompletedProcess]:
    samples = []
    for _ in range(runs):
        if before:
            before()
        samples.append(timed(command, cwd))
    seconds = statistics.median(s for s, _, _ in samples)
    peak = max(p for _, p, _ in samples)
    return seconds, peak, samples[-1][2]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-fixit", action="store_true")
    parser.add_argument("--skip-flake8", action="store_true")
    args = parser.parse_args()

    python = str(tools_python())
    bindir = Path(python).parent
    source = corpus_dir("sglang")
    work = Path(tempfile.mkdtemp(prefix="envlint-bench-"))
    tree = work / "sglang-src"
    shutil.copytree(source / "sglang", tree / "sglang")
    (tree / "pyproject.toml").write_text("[tool.envlint]\n")  # the tree is its own project
    envlint = [python, "-m", "envlint"]
    # Bytecode as an installed envlint has it (pip compiles on install): with
    # PYTHONDONTWRITEBYTECODE set and a checkout just edited, every run would
    # otherwise recompile envlint itself (~0.1 s), which no user pays.
    subprocess.run([python, "-m", "compileall", "-q", str(ROOT / "envlint")], check=True)
    rows: list[tuple[str, float, int, str]] = []
    lines = sum(p.read_bytes().count(b"\n") for p in (tree / "sglang").rglob("*.py"))
    files = sorted((tree / "sglang").rglob("*.py"))

    def clear_cache():
        shutil.rmtree(tree / ".envlint_cache", ignore_errors=True)

    cold, cold_rss, proc = median_of(args.runs, [*envlint, "check", "--no-cache", "--exit-zero", "sglang"], tree)
    findings = proc.stdout
    rows.append(("envlint check, cold (no cache)", cold, cold_rss, ""))
    one_core, one_rss, _ = median_of(args.runs, [*envlint, "check", "--no-cache", "-j1", "--exit-zero", "sglang"], tree)
    rows.append(("envlint check, cold, one worker (-j1)", one_core, one_rss, ""))

    clear_cache()
    timed([*envlint, "check", "--exit-zero", "sglang"], tree)  # fill the cache
    warm, warm_rss, proc = median_of(args.runs, [*envlint, "check", "--exit-zero", "sglang"], tree)
    assert proc.stdout == findings, "the warm run must print what the cold run printed"
    rows.append(("envlint check, warm (cache, nothing changed)", warm, warm_rss, "goal ≤ 0.5 s"))

    touched = [p for p in files if ENV_TOKENS.search(p.read_bytes())][:10]
    counter = iter(range(10**9))

    def touch_ten():
        for path in touched:
            with path.open("a") as handle:
                handle.write(f"# bench edit {next(counter)}\n")

    changed, changed_rss, _ = median_of(args.runs, [*envlint, "check", "--exit-zero", "sglang"], tree, touch_ten)
    rows.append(("envlint check, warm, 10 files changed", changed, changed_rss, ""))

    plain = [str(p.relative_to(tree)) for p in files if not ENV_TOKENS.search(p.read_bytes())][:10]
    ten, ten_rss, _ = median_of(args.runs, [*envlint, "check", "--no-cache", *plain], tree)
    rows.append(("envlint check, 10 files without env vars (incl. interpreter start)", ten, ten_rss, "goal ≤ 0.3 s"))

    no_prefilter = subprocess.run(
        [*envlint, "check", "--no-cache", "--no-prefilter", "--exit-zero", "sglang"],
        cwd=tree, capture_output=True, text=True, check=False,
    )
    sound = no_prefilter.stdout == findings

    fix_tree = work / "fix-copy"

    def fresh_copy():
        shutil.rmtree(fix_tree, ignore_errors=True)
        shutil.copytree(tree, fix_tree, ignore=shutil.ignore_patterns(".envlint_cache"))

    fix, fix_rss, _ = median_of(max(1, args.runs // 2), [*envlint, "fix", "sglang"], fix_tree, fresh_copy)
    rows.append(("envlint fix (safe fixes), whole tree, on a copy", fix, fix_rss, f"goal ≤ 2× cold = {2 * cold:.1f} s"))
    unsafe, unsafe_rss, _ = median_of(
        max(1, args.runs // 2), [*envlint, "fix", "--unsafe-fixes", "sglang"], fix_tree, fresh_copy
    )
    rows.append(
        ("envlint fix --unsafe-fixes, whole tree, on a copy", unsafe, unsafe_rss, f"goal ≤ 2× cold = {2 * cold:.1f} s")
    )

    ruff, ruff_rss, _ = median_of(args.runs, [str(bindir / "ruff"), "check", "--no-cache", "--select", "ALL", "--exit-zero", "-q", "sglang"], tree)
    rows.append(("ruff check --no-cache --select ALL (reference)", ruff, ruff_rss, ""))

    if not args.skip_flake8:
        flake8 = str(bindir / "flake8")
        base, base_rss, _ = median_of(1, [flake8, "--isolated", "--select", "E,F", "--exit-zero", "sglang"], tree)
        clear_cache()
        ours, ours_rss, _ = median_of(1, [flake8, "--isolated", "--select", "ENV", "--exit-zero", "sglang"], tree)
        clear_cache()
        rows.append(("flake8 --select E,F", base, base_rss, ""))
        rows.append(("flake8 --select ENV", ours, ours_rss, f"goal ≤ 1.3× E,F; measured {ours / base:.2f}×"))

    if not args.skip_fixit:
        rule_dir = work / "fixitrules"
        rule_dir.mkdir()
        shutil.copy(ROOT / "benchmarks" / "fixit_env001.py", rule_dir / "fixit_env001.py")
        env = {**os.environ, "PYTHONPATH": str(rule_dir)}
        start = time.perf_counter()
        proc = subprocess.run(
            [str(bindir / "fixit"), "--rules", "fixit_env001", "lint", "sglang"],
            cwd=tree, capture_output=True, text=True, env=env, check=False,
        )
        rows.append(("fixit 2, one rule equivalent to ENV001 (reference)", time.perf_counter() - start, -1,
                     f"{proc.stdout.count(chr(10))} findings"))

    print(f"# envlint benchmark: sglang 0.5.23, {len(files)} files, {lines:,} lines, {os.cpu_count()} cores\n")
    print("Reproduce: `python benchmarks/bench.py` (medians of "
          f"{args.runs} runs; peak RSS from GNU time).\n")
    print("| what | wall time | peak RSS | note |\n|---|---|---|---|")
    for name, seconds, peak, note in rows:
        rss = f"{peak} MB" if peak >= 0 else "–"
        print(f"| {name} | {seconds:.2f} s | {rss} | {note} |")
    print()
    print(f"- cold check vs ruff ALL: {cold / ruff:.2f}× (goal ≤ 0.35×)")
    print(f"- fix vs cold check: {fix / cold:.2f}×; fix --unsafe-fixes vs cold check: {unsafe / cold:.2f}× (goal ≤ 2×)")
    print(f"- prefilter soundness on the corpus: findings identical with and without it: {'yes' if sound else 'NO'}")
    print(f"- findings: {findings.count(chr(10))}")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
