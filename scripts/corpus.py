#!/usr/bin/env python3
"""Evaluate envlint on the real code it exists for: sglang 0.5.23 and vLLM 0.33.0.

    python scripts/corpus.py                 # everything, markdown report on stdout
    python scripts/corpus.py --corpus vllm   # one corpus
    python scripts/corpus.py --sample 200    # (re)draw the precision sample to label

The wheels are downloaded with pip into a git-ignored cache (``.corpus/``) and
only their ``.py`` files are unpacked there; nothing of them is ever committed.

Per corpus the report gives: files checked, files that failed to parse, findings
by code, wall time; ENV001 recall against an independent ``ast`` scan written
for this script (every difference listed with its reason); precision per code
from the hand labels in ``docs/evaluation/labels.txt``; and the result of
``envlint fix`` on a copy (files changed, fixes by code, every changed file
compiles, a second run changes nothing).
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".corpus"
LABELS = ROOT / "docs" / "evaluation" / "labels.txt"
SAMPLE = ROOT / "docs" / "evaluation" / "sample.txt"

CORPORA = {
    "sglang": {"requirement": "sglang==0.5.23", "package": "sglang"},
    "vllm": {"requirement": "vllm==0.33.0", "package": "vllm"},
}


# -- fetching ---------------------------------------------------------------------------


def corpus_dir(name: str) -> Path:
    """Download and unpack (``.py`` files only) a corpus into the cache; return its root."""
    spec = CORPORA[name]
    target = CACHE / name
    if (target / spec["package"]).is_dir():
        return target
    CACHE.mkdir(exist_ok=True)
    wheels = CACHE / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(wheels), spec["requirement"]],
        check=True,
    )
    version = spec["requirement"].split("==")[1]
    wheel = next(wheels.glob(f"{name}-{version}-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        for member in archive.namelist():
            if member.endswith(".py"):
                archive.extract(member, target)
    return target


# -- running envlint ---------------------------------------------------------------------


def envlint(*args: str, cwd: Path) -> tuple[subprocess.CompletedProcess, float]:
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "envlint", *args], cwd=cwd, capture_output=True, text=True, check=False
    )
    return proc, time.perf_counter() - start


def check(root: Path, package: str) -> dict:
    proc, seconds = envlint("check", "--format", "json", "--exit-zero", package, cwd=root)
    crashed = proc.returncode not in (0, 1) or "Traceback" in proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("envlint: error:")]
    findings = json.loads(proc.stdout) if proc.stdout.strip() else []
    files = sum(1 for _ in (root / package).rglob("*.py"))
    return {
        "files": files,
        "seconds": seconds,
        "crashed": crashed,
        "stderr": proc.stderr,
        "errors": errors,
        "findings": findings,
    }


# -- an independent count of literal raw reads (for ENV001 recall) ------------------------

_HELPERS = {"get_bool_env_var", "get_int_env_var"}


def registry_keys(root: Path, package: str) -> set[str]:
    """Keys registered in the corpus's registries, read with regexes (not envlint)."""
    keys: set[str] = set()
    for relative in ("srt/environ.py",):
        path = root / package / relative
        if path.exists():
            keys |= set(re.findall(r"^\s+([A-Z][A-Z0-9_]+)\s*=\s*Env\w+\(", path.read_text(), re.M))
    for relative in ("multimodal_gen/envs.py", "envs.py"):
        path = root / package / relative
        if path.exists():
            keys |= set(re.findall(r'^\s+"([A-Z][A-Z0-9_]+)"\s*:', path.read_text(), re.M))
    return keys


def owned_predicate(name: str, keys: set[str]):
    from envlint.profiles import PROFILES

    profile = PROFILES[name]

    def owned(key: str) -> bool:
        if key in profile.vendor_keys or key.startswith(profile.vendor_prefixes):
            return True
        if key in profile.external_keys or key.startswith(profile.external_prefixes):
            return False
        return key.startswith(profile.owned_prefixes) or key in keys

    return owned


def _literal(node) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _is_environ(node) -> bool:
    """``os.environ`` or a bare ``environ`` (``from os import environ``), syntactically."""
    if isinstance(node, ast.Attribute) and node.attr == "environ":
        return isinstance(node.value, ast.Name) and node.value.id in ("os", "_os")
    return isinstance(node, ast.Name) and node.id == "environ"


def independent_reads(path: Path, owned) -> set[int]:
    """Lines of literal raw *reads* of owned keys, by syntax alone (no name resolution)."""
    try:
        tree = ast.parse(path.read_bytes())
    except (SyntaxError, ValueError):
        return set()
    lines = set()
    for node in ast.walk(tree):
        key = None
        if isinstance(node, ast.Call) and node.args:
            func, first = node.func, _literal(node.args[0])
            if first is None:
                continue
            if isinstance(func, ast.Attribute) and func.attr == "getenv":
                key = first
            elif isinstance(func, ast.Name) and func.id == "getenv":
                key = first
            elif isinstance(func, ast.Attribute) and func.attr == "get" and _is_environ(func.value):
                key = first
            elif isinstance(func, (ast.Name, ast.Attribute)):
                name = func.id if isinstance(func, ast.Name) else func.attr
                if name in _HELPERS:
                    key = first
        elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load) and _is_environ(node.value):
            key = _literal(node.slice)
        elif isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], (ast.In, ast.NotIn)):
            if _is_environ(node.comparators[0]):
                key = _literal(node.left)
        if key is not None and owned(key):
            lines.add(node.lineno)
    return lines


def recall(root: Path, package: str, profile: str, findings: list[dict]) -> dict:
    keys = registry_keys(root, package)
    owned = owned_predicate(profile, keys)
    registries = {f"{package}/srt/environ.py", f"{package}/multimodal_gen/envs.py", f"{package}/envs.py"}
    scan: set[tuple[str, int]] = set()
    for path in sorted((root / package).rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if relative in registries:
            continue
        scan |= {(relative, line) for line in independent_reads(path, owned)}
    reads = {"raw read", "raw presence check"}
    reported = {
        (f["path"], f["line"])
        for f in findings
        if f["code"] == "ENV001" and any(f["message"].startswith(r) for r in reads)
    }
    return {"scan": scan, "reported": reported}


# -- precision ------------------------------------------------------------------------------


def draw_sample(results: dict[str, dict], size: int, seed: int = 20261122) -> list[str]:
    """Every finding of a rare code, then ENV001 at random, up to ``size``; both corpora."""
    rng = random.Random(seed)
    by_code: dict[str, list[str]] = {}
    for name, result in results.items():
        for f in result["findings"]:
            by_code.setdefault(f["code"], []).append(f"{name}:{f['path']}:{f['line']}:{f['code']}")
    sample = []
    for code, items in sorted(by_code.items()):
        if code != "ENV001":
            sample += sorted(items)
    rest = sorted(by_code.get("ENV001", []))
    rng.shuffle(rest)
    sample += sorted(rest[: max(0, size - len(sample))])
    return sample


def precision(labels_path: Path) -> dict[str, tuple[int, int]]:
    """{code: (true positives, labelled)} from ``corpus:path:line:code -> TP|FP, reason`` lines."""
    counts: dict[str, list[int]] = {}
    for line in labels_path.read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        where, _, verdict = line.partition(" -> ")
        code = where.rsplit(":", 1)[1]
        entry = counts.setdefault(code, [0, 0])
        entry[1] += 1
        entry[0] += verdict.startswith("TP")
    return {code: (tp, n) for code, (tp, n) in counts.items()}


# -- fix on a copy ---------------------------------------------------------------------------


def fix(root: Path, package: str) -> dict:
    report = {}
    for mode, args in (("safe", ()), ("unsafe", ("--unsafe-fixes",))):
        with tempfile.TemporaryDirectory() as scratch:
            copy = Path(scratch) / "tree"
            shutil.copytree(root, copy)
            before = {p: p.read_bytes() for p in (copy / package).rglob("*.py")}
            proc, seconds = envlint("fix", *args, package, cwd=copy)
            changed = [p for p, data in before.items() if p.read_bytes() != data]
            broken = []
            for path in changed:
                try:
                    compile(path.read_bytes(), str(path), "exec", dont_inherit=True)
                except (SyntaxError, ValueError) as exc:
                    broken.append(f"{path.relative_to(copy)}: {exc}")
            again, _ = envlint("fix", "--diff", *args, package, cwd=copy)
            report[mode] = {
                "seconds": seconds,
                "changed": len(changed),
                "broken": broken,
                "second_run_changes": again.stdout.count("\n+++ ") + again.stdout.startswith("--- "),
                "summary": [l for l in proc.stdout.splitlines() if l.startswith("Fixed ") or " left: " in l],
                "crashed": "Traceback" in proc.stderr,
                "notes": [l for l in proc.stderr.splitlines() if l.startswith("envlint: note:")],
            }
    return report


# -- report ------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", choices=sorted(CORPORA), action="append")
    parser.add_argument("--sample", type=int, help="draw a precision sample of this size")
    parser.add_argument("--skip-fix", action="store_true")
    args = parser.parse_args()
    names = args.corpus or sorted(CORPORA)
    results = {}
    print("# envlint on real code\n")
    print(f"Reproduce: `python scripts/corpus.py` (machine: {os.cpu_count()} cores).\n")
    for name in names:
        root = corpus_dir(name)
        package = CORPORA[name]["package"]
        result = check(root, package)
        results[name] = result
        codes = Counter(f["code"] for f in result["findings"])
        print(f"## {CORPORA[name]['requirement']}\n")
        print(f"- files: {result['files']}; failed to parse or decode: {len(result['errors'])}; "
              f"crashed: {'yes' if result['crashed'] else 'no'}; wall time: {result['seconds']:.1f} s")
        print(f"- findings: {sum(codes.values())} ({', '.join(f'{c}: {n}' for c, n in sorted(codes.items()))})")
        for error in result["errors"]:
            print(f"  - {error}")
        measured = recall(root, package, name, result["findings"])
        scan, reported = measured["scan"], measured["reported"]
        found = len(scan & reported)
        print(f"- ENV001 recall on literal raw reads: {found}/{len(scan)} "
              f"= {100 * found / max(1, len(scan)):.1f}% (independent ast scan)")
        for path, line in sorted(scan - reported):
            print(f"  - missed by envlint: {path}:{line}")
        for path, line in sorted(reported - scan):
            print(f"  - reported, not in the scan: {path}:{line}")
        if not args.skip_fix:
            for mode, outcome in fix(root, package).items():
                print(f"- `envlint fix`{' --unsafe-fixes' if mode == 'unsafe' else ''}: "
                      f"{outcome['changed']} files changed in {outcome['seconds']:.1f} s; "
                      f"{len(outcome['broken'])} do not compile; second run changes "
                      f"{outcome['second_run_changes']} files; crashed: {'yes' if outcome['crashed'] else 'no'}")
                for line in outcome["summary"]:
                    print(f"  - {line}")
                for line in outcome["broken"] + outcome["notes"]:
                    print(f"  - {line}")
        print()
    if args.sample:
        SAMPLE.parent.mkdir(parents=True, exist_ok=True)
        SAMPLE.write_text("\n".join(draw_sample(results, args.sample)) + "\n")
        print(f"Wrote {args.sample} findings to label: {SAMPLE.relative_to(ROOT)}\n")
    if LABELS.exists():
        print("## Precision (hand-labelled sample)\n")
        print("| code | true positives | labelled | precision |\n|---|---|---|---|")
        for code, (tp, n) in sorted(precision(LABELS).items()):
            print(f"| {code} | {tp} | {n} | {100 * tp / n:.1f}% |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
