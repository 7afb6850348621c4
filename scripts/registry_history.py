#!/usr/bin/env python3
"""Registry review on real history: sglang 0.5.12 -> 0.5.23, and sglang 0.5.23 alone.

    python scripts/registry_history.py              # report on stdout (markdown)
    python scripts/registry_history.py --keep DIR   # keep the history repository in DIR
    python scripts/registry_history.py --repeat 5   # timing runs per variant (default 3)

Builds a git repository in a temporary directory whose first commit is the
sglang 0.5.12 package and whose second is 0.5.23 (same paths), then runs
``envlint check --diff-base HEAD~1`` over it. Every registry-review finding
(ENV008-ENV019) is looked up in the hand labels of
``docs/evaluation/registry-review-labels.txt`` (``history:path:line:code -> TP|FP,
reason``): precision per rule, and every finding without a label is listed, so
a changed rule shows up as unlabelled findings. The state rules (the ones that
run without a base) are also run on sglang 0.5.23 alone (labels
``sglang:path:line:code``).

Timing: the same ``--diff-base`` check with and without registry review
(``--ignore ENV008,ENV009,ENV01``), alternating, ``--no-cache``, median of
``--repeat`` runs; in process, what the review adds before the files are
checked (reading the registries at the merge-base, call-site renames); and a
realistic pull request on top of 0.5.23 (one key renamed everywhere), in CPU
seconds.

The wheels come from pip into the git-ignored ``.corpus/`` (only ``.py`` files
are unpacked), as ``scripts/corpus.py`` does; nothing of sglang is committed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".corpus"
LABELS = ROOT / "docs" / "evaluation" / "registry-review-labels.txt"
REVIEW_CODES = tuple(f"ENV{n:03d}" for n in range(8, 20))
STATE_CODES = ("ENV012", "ENV013", "ENV014", "ENV016", "ENV017", "ENV018", "ENV019")
GIT_ENV = {
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "envlint",
    "GIT_AUTHOR_EMAIL": "envlint@invalid",
    "GIT_COMMITTER_NAME": "envlint",
    "GIT_COMMITTER_EMAIL": "envlint@invalid",
}


def release(version: str) -> Path:
    """The unpacked ``sglang`` package of a release (``.corpus/sglang`` holds 0.5.23)."""
    target = CACHE / ("sglang" if version == "0.5.23" else f"sglang-{version}")
    if (target / "sglang").is_dir():
        return target / "sglang"
    wheels = CACHE / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(wheels), f"sglang=={version}"],
        check=True,
    )
    wheel = next(wheels.glob(f"sglang-{version}-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        for member in archive.namelist():
            if member.endswith(".py"):
                archive.extract(member, target)
    return target / "sglang"


def git(*args: str, cwd: Path) -> str:
    env = {**os.environ, **GIT_ENV}
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


def history_repo(directory: Path) -> Path:
    """``directory`` as a repository: commit 1 = sglang 0.5.12, commit 2 = sglang 0.5.23."""
    directory.mkdir(parents=True, exist_ok=True)
    git("init", "-q", "-b", "main", cwd=directory)
    for version in ("0.5.12", "0.5.23"):
        shutil.rmtree(directory / "sglang", ignore_errors=True)
        shutil.copytree(release(version), directory / "sglang")
        git("add", "-A", cwd=directory)
        git("commit", "-q", "-m", f"sglang {version}", cwd=directory)
    return directory


def envlint(*args: str, cwd: Path) -> tuple[subprocess.CompletedProcess, float]:
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "envlint", *args], cwd=cwd, capture_output=True, text=True, check=False
    )
    return proc, time.perf_counter() - start


def findings(proc: subprocess.CompletedProcess) -> list[dict]:
    if proc.returncode not in (0, 1) or "Traceback" in proc.stderr:
        raise SystemExit(f"envlint failed ({proc.returncode}):\n{proc.stderr}")
    return [f for f in json.loads(proc.stdout or "[]") if f["code"] in REVIEW_CODES]


def labels() -> dict[str, str]:
    found = {}
    for line in LABELS.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            where, _, verdict = line.partition(" -> ")
            found[where.strip()] = verdict.strip()
    return found


def judge(corpus: str, found: list[dict], known: dict[str, str]) -> None:
    by_code: dict[str, list[int]] = {}
    unlabelled = []
    for f in found:
        where = f"{corpus}:{f['path']}:{f['line']}:{f['code']}"
        verdict = known.get(where)
        entry = by_code.setdefault(f["code"], [0, 0])
        if verdict is None:
            unlabelled.append(where)
            continue
        entry[1] += 1
        entry[0] += verdict.startswith("TP")
    print("| code | findings | labelled | true positives | precision |")
    print("|---|---|---|---|---|")
    counts = Counter(f["code"] for f in found)
    for code in sorted(counts):
        tp, n = by_code[code]
        share = f"{100 * tp / n:.0f} %" if n else "-"
        print(f"| {code} | {counts[code]} | {n} | {tp} | {share} |")
    print()
    for where in unlabelled:
        print(f"- not labelled: {where}")
    if unlabelled:
        print()


def timing(repo: Path, repeat: int) -> None:
    base = ("check", "--diff-base", "HEAD~1", "--no-cache", "--exit-zero", "--format", "json", ".")
    without, with_review = [], []
    for _ in range(repeat):
        without.append(envlint(*base, "--ignore", "ENV008,ENV009,ENV01", cwd=repo)[1])
        with_review.append(envlint(*base, cwd=repo)[1])
    a, b = statistics.median(without), statistics.median(with_review)
    print(f"- `check --diff-base HEAD~1` without registry review: median {a:.2f} s "
          f"(runs: {', '.join(f'{t:.2f}' for t in without)})")
    print(f"- with registry review: median {b:.2f} s (runs: {', '.join(f'{t:.2f}' for t in with_review)})")
    print(f"- difference of the medians: {b - a:+.2f} s")
    code = (
        "import time, sys\n"
        "from pathlib import Path\n"
        "from envlint.gitdiff import changed_lines\n"
        "from envlint.runner import prepare\n"
        "from envlint.review.base import from_git\n"
        "changed = changed_lines('HEAD~1')\n"
        "project, _ = prepare([Path('.')])\n"
        "start = time.perf_counter()\n"
        "base = from_git(changed, project)\n"
        "print(f'{time.perf_counter() - start:.3f}', len(base.moves))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=repo, capture_output=True, text=True, check=True)
    seconds, moves = out.stdout.split()
    print(f"- in process, reading every registry at the merge-base and the call-site renames "
          f"({moves} found): {float(seconds):.3f} s")


_CPU = """
import statistics, sys, time
from pathlib import Path
from envlint.gitdiff import changed_lines
from envlint.review.base import from_git
from envlint.runner import check_files, prepare, with_review

changed = changed_lines("HEAD~1")
project, files = prepare([Path(".")])
files = [p for p in files if changed.touches(p)]
def cpu(work, n=7):
    times = []
    for _ in range(n):
        start = time.process_time(); work(); times.append(time.process_time() - start)
    return statistics.median(times)
base = from_git(changed, project)
def check(review):
    fresh = prepare([Path(".")])[0]
    if review:
        check_files(with_review(fresh, base), files, jobs=1)
    else:
        check_files(fresh, files, ignore=("ENV008", "ENV009", "ENV01"), jobs=1)
print(len(files), cpu(lambda: from_git(changed, project)), cpu(lambda: check(False)), cpu(lambda: check(True)))
"""


def small_pull_request(repo: Path) -> None:
    """A pull request on top of 0.5.23 that renames one key everywhere: CPU seconds, in process
    (less sensitive to a busy machine than wall time)."""
    git("checkout", "-q", "-b", "rename-one-key", cwd=repo)
    for path in (repo / "sglang").rglob("*.py"):
        text = path.read_text(encoding="utf-8", errors="surrogateescape")
        if "SGLANG_DSA_FUSE_TOPK" in text:
            path.write_text(text.replace("SGLANG_DSA_FUSE_TOPK", "SGLANG_DSA_FUSED_TOPK"),
                            encoding="utf-8", errors="surrogateescape")
    git("commit", "-q", "-am", "rename SGLANG_DSA_FUSE_TOPK", cwd=repo)
    out = subprocess.run([sys.executable, "-c", _CPU], cwd=repo, capture_output=True, text=True, check=True)
    files, base, without, with_review = out.stdout.split()
    added = float(base) + float(with_review) - float(without)
    print(f"- a pull request renaming SGLANG_DSA_FUSE_TOPK in {files} files (CPU, median of 7): "
          f"reading the base {float(base):.3f} s; checking the touched files {float(without):.3f} s "
          f"without the review rules, {float(with_review):.3f} s with them; added in all: {added:.3f} s")
    git("checkout", "-q", "main", cwd=repo)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", type=Path, help="build the history repository here and keep it")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    known = labels()
    scratch = None
    if args.keep is None:
        scratch = tempfile.mkdtemp(prefix="envlint-history-")
        repo = Path(scratch) / "repo"
    else:
        repo = args.keep
        if repo.exists():
            raise SystemExit(f"{repo} exists; give a new directory")
    try:
        history_repo(repo)
        print("# Registry review on sglang's history\n")
        print(f"Reproduce: `python scripts/registry_history.py` ({os.cpu_count()} cores).\n")
        print("## sglang 0.5.12 -> 0.5.23 (`check --diff-base HEAD~1`)\n")
        proc, seconds = envlint("check", "--diff-base", "HEAD~1", "--no-cache", "--exit-zero",
                                "--format", "json", ".", cwd=repo)
        judge("history", findings(proc), known)
        print("## sglang 0.5.23 alone (rules that need no base)\n")
        proc, _ = envlint("check", "--no-cache", "--exit-zero", "--format", "json",
                          "--select", ",".join(STATE_CODES), "sglang", cwd=repo)
        judge("sglang", findings(proc), known)
        print("## Cost\n")
        timing(repo, args.repeat)
        small_pull_request(repo)
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
