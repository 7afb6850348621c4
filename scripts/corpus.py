#!/usr/bin/env python3
"""Evaluate envlint on the real code it exists for: sglang 0.5.23, 0.5.12, 0.5.5, vLLM 0.33.0.

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
    "sglang-0.5.12": {"requirement": "sglang==0.5.12", "package": "sglang"},
    "sglang-0.5.5": {"requirement": "sglang==0.5.5", "package": "sglang"},
    "vllm": {"requirement": "vllm==0.33.0", "package": "vllm"},
}
RECALL_JUDGMENTS = ROOT / "docs" / "evaluation" / "recall.txt"


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
    wheel = next(wheels.glob(f"{spec['package']}-{version}-*.whl"))
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


# -- ENV001 recall against an independent detector ---------------------------------------


def _registry_keys(root: Path, package: str) -> tuple[set[str], set[str]]:
    """(keys of descriptor registries, keys of module-style ones), read with regexes."""
    descriptor, module = set(), set()
    path = root / package / "srt" / "environ.py"
    if path.exists():
        descriptor = set(re.findall(r"^\s+([A-Z][A-Z0-9_]+)\s*(?::[^=\n]*)?=\s*Env\w+\(", path.read_text(), re.M))
    for relative in ("multimodal_gen/envs.py", "envs.py"):
        path = root / package / relative
        if path.exists():
            module |= set(re.findall(r'^\s+"([A-Z][A-Z0-9_]+)"\s*:', path.read_text(), re.M))
    return descriptor, module


def reported_kind(kind: str, key: str, path: str, package: str, registries) -> bool:
    """The write policy ENV001 documents, stated independently: reads and presence checks
    always count; writes (test patches and child environments too) only where the key's
    registry has a setter (sglang's descriptor registry, not a module-style one)."""
    if kind in ("read", "check"):
        return True
    descriptor, module = registries
    if package == "vllm":
        return False
    governed_by_module = "/multimodal_gen/" in f"/{path}"
    if key in descriptor and key in module:
        return not governed_by_module  # registered in both: the one governing the file
    if key in descriptor:
        return True
    if key in module:
        return False
    return not governed_by_module


def judgments(name: str) -> dict[tuple[str, int, str], tuple[bool, str]]:
    """{(path, line, key): (is a violation, reason)} for this corpus, from recall.txt."""
    found = {}
    if not RECALL_JUDGMENTS.exists():
        return found
    for line in RECALL_JUDGMENTS.read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        where, _, verdict = line.partition(" -> ")
        corpus, path, number, key = where.split(":")
        if corpus == name:
            found[(path, int(number), key)] = (verdict.startswith("violation"), verdict)
    return found


def recall(root: Path, package: str, profile: str, name: str, findings: list[dict]) -> dict:
    from recall_detector import detect

    registries = _registry_keys(root, package)
    # A site is (path, line, key): two accesses of one key on one line (a presence check
    # and a read) are one site; sorted so that its kind is the same on every run.
    detected: dict[tuple[str, int, str], str] = {}
    for path, line, key, kind in sorted(detect(root, package, profile)):
        if reported_kind(kind, key, path, package, registries):
            detected.setdefault((path, line, key), kind)
    reported = {(f["path"], f["line"], f["key"]) for f in findings if f["code"] == "ENV001"}
    judged = judgments(name)
    only_detector = sorted(set(detected) - reported)
    only_envlint = sorted(reported - set(detected))
    false_sites = {site for site in (*only_detector, *only_envlint) if site in judged and not judged[site][0]}
    truth = (set(detected) | reported) - false_sites
    return {
        "detected": detected,
        "reported": reported,
        "only_detector": only_detector,
        "only_envlint": only_envlint,
        "judged": judged,
        "truth": truth,
        "found": reported & truth,
    }


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


def precision(labels_path: Path) -> dict[tuple[str, str], tuple[int, int]]:
    """{(corpus, code): (true positives, labelled)} from ``corpus:path:line:code -> TP|FP, reason``."""
    counts: dict[tuple[str, str], list[int]] = {}
    for line in labels_path.read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        where, _, verdict = line.partition(" -> ")
        corpus, code = where.split(":", 1)[0], where.rsplit(":", 1)[1]
        entry = counts.setdefault((corpus, code), [0, 0])
        entry[1] += 1
        entry[0] += verdict.startswith("TP")
    return {key: (tp, n) for key, (tp, n) in counts.items()}


def unlabelled_or_stale(results: dict[str, dict], labels_path: Path) -> list[str]:
    """Labels whose finding envlint no longer produces (they would count for nothing)."""
    current = {
        f"{name}:{f['path']}:{f['line']}:{f['code']}" for name, result in results.items() for f in result["findings"]
    }
    stale = []
    for line in labels_path.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            where = line.partition(" -> ")[0]
            if where.split(":", 1)[0] in results and where not in current:
                stale.append(where)
    return stale


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
        profile = "vllm" if package == "vllm" else "sglang"
        measured = recall(root, package, profile, name, result["findings"])
        kinds = Counter(measured["detected"].values())
        truth, found = measured["truth"], measured["found"]
        print(f"- independent detector: {len(measured['detected'])} sites under ENV001's policy "
              f"({', '.join(f'{k} {n}' for k, n in sorted(kinds.items()))}); envlint ENV001: "
              f"{len(measured['reported'])} sites; both: {len(set(measured['detected']) & measured['reported'])}")
        print(f"- ENV001 recall: {len(found)}/{len(truth)} = {100 * len(found) / max(1, len(truth)):.1f}% "
              "(true sites: found by either, minus differences judged not a violation)")
        for label, sites in (("detector only", measured["only_detector"]), ("envlint only", measured["only_envlint"])):
            for site in sites:
                verdict = measured["judged"].get(site, (None, "NOT JUDGED"))[1]
                print(f"  - {label}: {site[0]}:{site[1]} {site[2]} -> {verdict}")
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
        print("## Precision (hand-labelled samples)\n")
        print("| corpus | code | true positives | labelled | precision |\n|---|---|---|---|---|")
        by_corpus: dict[str, list[int]] = {}
        for (corpus, code), (tp, n) in sorted(precision(LABELS).items()):
            print(f"| {corpus} | {code} | {tp} | {n} | {100 * tp / n:.1f}% |")
            total = by_corpus.setdefault(corpus, [0, 0])
            total[0] += tp
            total[1] += n
        for corpus, (tp, n) in sorted(by_corpus.items()):
            print(f"| {corpus} | all | {tp} | {n} | {100 * tp / n:.1f}% |")
        for stale in unlabelled_or_stale(results, LABELS):
            print(f"\n- label without a finding: {stale}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
