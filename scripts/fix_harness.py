#!/usr/bin/env python3
"""Try ``envlint fix`` on real code the way a maintainer would, and measure what it gives.

    python scripts/fix_harness.py                          # sglang, sglang-0.5.12, sglang-0.5.5, vllm; safe and unsafe
    python scripts/fix_harness.py --corpus sglang --mode unsafe --keep /tmp/out

For every corpus under ``.corpus/`` (unpacked wheels; see ``scripts/corpus.py``) and
mode (``fix``, ``fix --unsafe-fixes``), on a copy:

* **check = fix**: every fix ``check --format json`` reports with an allowed
  applicability is applied by ``fix`` exactly (same replacement text at the same
  place), and ``fix`` applies nothing ``check`` did not report;
* **execution**: each applied fix is run before and after, for real, over every
  value class (``scripts/fix_execution.py``): the registry module and the env
  helpers are the corpus's own code, loaded from its files. Safe fixes must show
  no difference (except where the original raised); an unsafe fix's every
  difference must be named in its reason;
* **pyflakes**: no changed file gains an undefined name, a redefinition or an
  unused import;
* **formatters**: every changed file that passed ``isort --profile black --check``
  / ``black --check`` before passes after (isort and black come with the test
  extras, ``pip install -e '.[test]'``; they are measurement tools, not envlint
  runtime dependencies);
* **re-run**: a second ``fix`` changes nothing;
* **speed**: wall and CPU time of ``fix`` next to a cold ``check`` (``--no-cache``).

Prints a markdown report; exits 1 when a promise is broken.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".corpus"
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fix_execution import execute_fixes  # noqa: E402

CORPORA = {"sglang": "sglang", "sglang-0.5.12": "sglang", "sglang-0.5.5": "sglang", "vllm": "vllm"}
PYFLAKES_KINDS = ("UndefinedName", "RedefinedWhileUnused", "UnusedImport", "ImportShadowedByLoopVar")


def run(*args: str, cwd: Path, check: bool = False) -> tuple[subprocess.CompletedProcess, float]:
    start = time.perf_counter()
    proc = subprocess.run(list(args), cwd=cwd, capture_output=True, text=True, check=check)
    return proc, time.perf_counter() - start


def cpu_seconds() -> float:
    """User + system time of the finished child processes so far (workers included)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def envlint(*args: str, cwd: Path) -> tuple[subprocess.CompletedProcess, float]:
    return run(sys.executable, "-m", "envlint", *args, cwd=cwd)


def changed_files(before: Path, after: Path, package: str) -> list[str]:
    changed = []
    for path in sorted((after / package).rglob("*.py")):
        relative = path.relative_to(after).as_posix()
        original = before / relative
        if not original.exists() or original.read_bytes() != path.read_bytes():
            changed.append(relative)
    return changed


# -- formatters ----------------------------------------------------------------------------


def failing(tool: str, tree: Path, files: list[str]) -> set[str]:
    """The files among ``files`` that ``tool`` (isort or black) would change."""
    if not files:
        return set()
    if tool == "isort":
        proc, _ = run(sys.executable, "-m", "isort", "--profile", "black", "--check-only", *files, cwd=tree)
        pattern = re.compile(r"ERROR: (.+?) Imports are incorrectly sorted")
    else:
        proc, _ = run(sys.executable, "-m", "black", "--check", *files, cwd=tree)
        pattern = re.compile(r"would reformat (.+)")
    if "No module named" in proc.stderr:
        raise SystemExit(f"{tool} is not installed: pip install -e '.[test]'")
    found = set()
    for line in (proc.stdout + proc.stderr).splitlines():
        match = pattern.search(line)
        if match:
            path = Path(match.group(1).strip())
            found.add(path.relative_to(tree).as_posix() if path.is_absolute() else path.as_posix())
    return found


def formatter_report(before: Path, after: Path, files: list[str]) -> dict:
    report = {}
    for tool in ("isort", "black"):
        bad_before, bad_after = failing(tool, before, files), failing(tool, after, files)
        passed_before = [f for f in files if f not in bad_before]
        broken = sorted(f for f in passed_before if f in bad_after)
        report[tool] = {"passed_before": len(passed_before), "broken": broken}
    return report


# -- pyflakes ------------------------------------------------------------------------------


def pyflakes_messages(path: Path) -> Counter:
    import ast

    from pyflakes import checker

    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (SyntaxError, ValueError, UnicodeDecodeError):
        return Counter()
    found = Counter()
    for message in checker.Checker(tree, filename=str(path)).messages:
        kind = type(message).__name__
        if kind in PYFLAKES_KINDS:
            found[(kind, str(message.message_args[0]))] += 1
    return found


def pyflakes_report(before: Path, after: Path, files: list[str]) -> list[str]:
    new = []
    for relative in files:
        old = pyflakes_messages(before / relative) if (before / relative).exists() else Counter()
        for (kind, name), count in (pyflakes_messages(after / relative) - old).items():
            new.append(f"{relative}: {kind} {name}" + (f" x{count}" if count > 1 else ""))
    return new


# -- check = fix ---------------------------------------------------------------------------


def _edit_key(path: str, edit: dict) -> tuple:
    start, end = edit["location"], edit["end_location"]
    return (path, start["line"], start["column"], end["line"], end["column"], edit["content"])


def agreement(findings: list[dict], before: Path, after: Path, files: list[str], unsafe: bool) -> dict:
    """Reported fixes (allowed by the mode) vs what changed.

    A reported fix is *applied* when its replacement text stands where its span
    was; *superseded* when another fix rewrote that span (two findings on one
    expression: ENV002 and ENV001); *not applied* when the original text is
    still there (blocked: the notes say why). No file may change without a
    reported fix.
    """
    allowed = [f for f in findings if f["fix"] and (unsafe or f["fix"]["applicability"] == "safe")]
    by_file: dict[str, list[dict]] = {}
    for finding in allowed:
        by_file.setdefault(finding["path"], []).append(finding)
    unreported = sorted(f for f in files if f not in by_file and not f.endswith(("environ.py", "envs.py")))
    applied, superseded, missing = [], [], []
    for path, found in by_file.items():
        old_lines = (before / path).read_text(encoding="utf-8").splitlines()
        text = (after / path).read_text(encoding="utf-8") if (after / path).exists() else ""
        for finding in found:
            edits = finding["fix"]["edits"]
            if all(edit["content"] in text for edit in edits):
                applied.append(finding)
                continue
            first = edits[0]["location"]["line"]
            original = old_lines[first - 1].strip() if first <= len(old_lines) else ""
            if original and original in text:
                missing.append(f"{path}:{finding['line']}: {edits[0]['content'][:60]!r} not applied")
            else:
                superseded.append(finding)
    return {
        "reported": len(allowed),
        "applied": applied,
        "superseded": len(superseded),
        "unreported_files": unreported,
        "not_applied": missing,
    }


# -- one corpus, one mode ------------------------------------------------------------------


def measure(corpus: str, mode: str, workdir: Path) -> dict:
    package = CORPORA[corpus]
    source = CACHE / corpus
    if not (source / package).is_dir():
        raise SystemExit(f"{source / package} missing: unpack the wheel first (scripts/corpus.py)")
    before = workdir / f"{corpus}-before"
    after = workdir / f"{corpus}-{mode}"
    if not before.exists():
        shutil.copytree(source, before, symlinks=False)
    shutil.rmtree(after, ignore_errors=True)
    shutil.copytree(source, after, symlinks=False)
    unsafe = mode == "unsafe"
    args = ("--unsafe-fixes",) if unsafe else ()
    cpu = cpu_seconds()
    check, check_seconds = envlint(
        "check", "--no-cache", "--format", "json", "--exit-zero", package, cwd=after
    )
    check_cpu, cpu = cpu_seconds() - cpu, cpu_seconds()
    findings = json.loads(check.stdout)
    fix, fix_seconds = envlint("fix", *args, package, cwd=after)
    fix_cpu = cpu_seconds() - cpu
    if "Traceback" in fix.stderr:
        raise SystemExit(f"envlint fix crashed on {corpus}:\n{fix.stderr}")
    files = changed_files(before, after, package)
    agreed = agreement(findings, before, after, files, unsafe)
    again, _ = envlint("fix", "--diff", *args, package, cwd=after)
    summary = [line for line in fix.stdout.splitlines() if line.startswith("Fixed")]
    return {
        "corpus": corpus,
        "mode": mode,
        "summary": summary[0] if summary else "",
        "notes": [line for line in fix.stderr.splitlines() if "note:" in line],
        "check_seconds": check_seconds,
        "fix_seconds": fix_seconds,
        "check_cpu": check_cpu,
        "fix_cpu": fix_cpu,
        "changed": len(files),
        "agreement": {k: v for k, v in agreed.items() if k != "applied"},
        "formatters": formatter_report(before, after, files),
        "pyflakes": pyflakes_report(before, after, files),
        "rerun_noop": again.stdout == "",
        "rerun_diff": again.stdout[:2000],
        "execution": execute_fixes(agreed["applied"], before, after, package, unsafe),
    }


def render(results: list[dict]) -> tuple[str, bool]:
    ok = True
    out = ["# envlint fix, tried on real code", ""]
    for r in results:
        out.append(f"## {r['corpus']} — `fix{' --unsafe-fixes' if r['mode'] == 'unsafe' else ''}`")
        out.append("")
        out.append(f"- {r['summary']} ({r['changed']} files changed)")
        out.append(
            f"- time: fix {r['fix_seconds']:.1f} s, cold check {r['check_seconds']:.1f} s "
            f"(ratio {r['fix_seconds'] / max(r['check_seconds'], 1e-9):.2f}); CPU: fix "
            f"{r['fix_cpu']:.1f} s, check {r['check_cpu']:.1f} s "
            f"(ratio {r['fix_cpu'] / max(r['check_cpu'], 1e-9):.2f})"
        )
        a = r["agreement"]
        out.append(
            f"- check = fix: {a['reported']} fixes reported; {len(a['not_applied'])} not applied "
            f"(blocked, see the notes); {a['superseded']} superseded by another fix of the same "
            f"expression; {len(a['unreported_files'])} files changed without a reported fix"
        )
        for line in (a["not_applied"] + [f"unreported: {f}" for f in a["unreported_files"]])[:20]:
            out.append(f"  - {line}")
        ok &= not a["unreported_files"]
        for tool, f in r["formatters"].items():
            out.append(
                f"- {tool}: {f['passed_before']} changed files passed before; "
                f"{len(f['broken'])} fail after"
            )
            for path in f["broken"][:20]:
                out.append(f"  - {path}")
            ok &= not f["broken"]
        out.append(f"- pyflakes: {len(r['pyflakes'])} new messages")
        for line in r["pyflakes"][:20]:
            out.append(f"  - {line}")
        ok &= not r["pyflakes"]
        out.append(f"- second run changes nothing: {'yes' if r['rerun_noop'] else 'NO'}")
        ok &= r["rerun_noop"]
        e = r["execution"]
        out.append(
            f"- execution: {e['executed']} applied fixes run over {e['values']} values each "
            f"(median); {e['not_executable']} not executable on their own; "
            f"safe with a difference: {len(e['safe_differences'])}; "
            f"unsafe with a difference their reason does not name: {len(e['unnamed_differences'])}"
        )
        for line in (e["safe_differences"] + e["unnamed_differences"])[:20]:
            out.append(f"  - {line}")
        for reason, count in e["skipped"].most_common(6):
            out.append(f"  - not executed ({count}): {reason}")
        ok &= not e["safe_differences"] and not e["unnamed_differences"]
        out.append("")
    return "\n".join(out), ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", action="append", choices=sorted(CORPORA))
    parser.add_argument("--mode", choices=("safe", "unsafe", "both"), default="both")
    parser.add_argument("--keep", type=Path, help="work in this directory and keep the copies")
    parser.add_argument("--json", action="store_true", help="print the raw results as JSON")
    args = parser.parse_args()
    modes = ("safe", "unsafe") if args.mode == "both" else (args.mode,)
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="envlint-fix-harness-"))
    workdir.mkdir(parents=True, exist_ok=True)
    results = []
    try:
        for corpus in args.corpus or list(CORPORA):
            for mode in modes:
                results.append(measure(corpus, mode, workdir))
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)
    text, ok = render(results)
    if args.json:
        print(json.dumps(results, indent=1, default=list))
    else:
        print(text)
    return 0 if ok else 1


if __name__ == "__main__":
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    sys.exit(main())
