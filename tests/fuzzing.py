"""Generated programs with environment accesses injected, and the properties envlint must keep.

Shared by ``tests/test_fuzz.py`` (a bounded budget in CI) and ``scripts/fuzz.py``
(any budget, locally). Programs come from pysource-codegen (seeded, so a
failure names the seed that reproduces it); each is then given env accesses —
raw reads and writes, helpers, registry attributes in value and truth-test
positions, typos, ``temp_set_env`` — inserted as statements into random blocks
and substituted for random expressions, so they land in comprehensions,
lambdas, default arguments, decorators, conditions and f-strings.

The properties, over a sglang-shaped project (``tests/fixtures/sglang_project``)
holding the generated files:

1. ``check`` equals ``check --no-prefilter`` (findings and error lines);
2. ``check`` equals ``flake8 --select ENV`` (run for real, once per batch);
3. ``fix --unsafe-fixes`` leaves every file compiling, and a second fix run
   changes nothing.
"""

from __future__ import annotations

import ast
import os
import random
import shutil
import subprocess
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "sglang_project"
FUZZ_DIR = "python/sglang/srt/fuzz"
HEADER = (
    "import os\n"
    "from sglang.srt.environ import envs\n"
    "from sglang.srt.utils import get_bool_env_var, get_int_env_var, temp_set_env\n"
)

# Expressions: registered, unregistered, legacy, typo'd and external keys, every access shape.
EXPRESSIONS = [
    'os.getenv("SGLANG_LOG_LEVEL")',
    'os.getenv("SGLANG_FUZZ_NEW", "1")',
    'os.environ.get("SGL_LOG_GC")',
    'os.environ["SGLANG_TIMEOUT_KEEP_ALIVE"]',
    'int(os.getenv("SGLANG_SCHEDULER_RECV_INTERVAL", "1"))',
    'os.getenv("SGLANG_LOG_GC", "false").lower() in ("1", "true")',
    'get_bool_env_var("SGLANG_LOG_MS")',
    'get_int_env_var("SGLANG_FUZZ_INT", 3)',
    "envs.SGLANG_LOG_GC",
    "envs.SGLANG_LOG_GC.get()",
    "envs.SGLANG_LOG_GCC.get()",
    "not envs.SGLANG_DISABLE_CONSECUTIVE_PREFILL_OVERLAP.get()",
    "bool(envs.SGLANG_TEST_RETRACT)",
    'os.getenv("CUDA_VISIBLE_DEVICES")',
    'os.environ.get("SGLANG_" + "SPLIT")',
    'os.getenv(f"SGLANG_{name_0}")',
]
STATEMENTS = [
    'os.environ["SGLANG_FUZZ_WRITE"] = "1"',
    'del os.environ["SGLANG_LOG_MS"]',
    'os.environ.setdefault("SGLANG_LOG_LEVEL", "debug")',
    'os.environ.update({"SGL_LOG_MS": "1"})',
    'with temp_set_env(SGLANG_TEST_RETRACT="1"):\n    pass',
    # a raw read of an SGL_ key is ENV001's finding (one site, one finding); ENV002 keeps this one
    'with temp_set_env(SGL_LOG_MS="1"):\n    pass',
    "if envs.SGLANG_ENABLE_SPEC_V2:\n    pass",
    'envs.SGLANG_LOG_GC.set(True)',
]
# Parents under which an expression may not be replaced by a call.
_FROZEN_PARENTS = (ast.JoinedStr, ast.FormattedValue, ast.MatchValue, ast.MatchSingleton, ast.Global, ast.Nonlocal)


@dataclass
class Program:
    name: str  # file stem, e.g. fuzz_17_2 (seed 17, variant 2)
    seed: int
    text: str


def base_program(seed: int) -> Optional[str]:
    """pysource-codegen's program for ``seed``, or None when it cannot produce one."""
    from pysource_codegen import generate

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            text = generate(seed, node_limit=200, depth_limit=6)
            compile(text, "<fuzz>", "exec")
        except Exception:  # the generator's own limits (an unparsable f-string, ...)
            return None
    return text


def _blocks(tree: ast.AST) -> list[list]:
    found = []
    for node in ast.walk(tree):
        for name in ("body", "orelse", "finalbody"):
            block = getattr(node, name, None)
            if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
                found.append(block)
    return found


def _replaceable(tree: ast.AST) -> list[tuple[ast.AST, str, Optional[int]]]:
    """(parent, field, index) of expressions in load position that a call may replace."""
    spots = []
    for parent in ast.walk(tree):
        if isinstance(parent, _FROZEN_PARENTS):
            continue
        for field, value in ast.iter_fields(parent):
            values = value if isinstance(value, list) else [value]
            for index, child in enumerate(values):
                if isinstance(child, (ast.Name, ast.Constant)) and not isinstance(
                    getattr(child, "ctx", ast.Load()), (ast.Store, ast.Del)
                ):
                    if isinstance(parent, ast.Constant) or (isinstance(child, ast.Constant) and child.value is Ellipsis):
                        continue
                    spots.append((parent, field, index if isinstance(value, list) else None))
    return spots


def inject(text: str, rng: random.Random, count: int = 4) -> Optional[str]:
    """``text`` with ``count`` env accesses injected; None when no variant compiles."""
    for _ in range(10):
        tree = ast.parse(text)
        for _ in range(count):
            if rng.random() < 0.5:
                spots = _replaceable(tree)
                if spots:
                    parent, field, index = rng.choice(spots)
                    replacement = ast.parse(rng.choice(EXPRESSIONS), mode="eval").body
                    if index is None:
                        setattr(parent, field, replacement)
                    else:
                        getattr(parent, field)[index] = replacement
                    continue
            block = rng.choice(_blocks(tree))
            statements = ast.parse(rng.choice(STATEMENTS)).body
            block[rng.randrange(len(block) + 1):0] = statements
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                result = HEADER + ast.unparse(ast.fix_missing_locations(tree)) + "\n"
                compile(result, "<fuzz>", "exec")
        except (SyntaxError, ValueError, RecursionError):
            continue
        return result
    return None


def programs(count: int, variants: int = 4, first_seed: int = 0) -> list[Program]:
    """``count`` injected programs, ``variants`` per generated base program (seeds from ``first_seed``)."""
    found: list[Program] = []
    seed = first_seed
    while len(found) < count:
        base = base_program(seed)
        if base is not None:
            rng = random.Random(seed)
            for variant in range(variants):
                text = inject(base, rng)
                if text is not None and len(found) < count:
                    found.append(Program(f"fuzz_{seed}_{variant}", seed, text))
        seed += 1
    return found


def make_project(base: Path, batch: list[Program]) -> Path:
    """A copy of the sglang fixture project with ``batch`` under ``python/sglang/srt/fuzz``."""
    root = base / "project"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns(".envlint_cache"))
    target = root / FUZZ_DIR
    target.mkdir(parents=True)
    for program in batch:
        (target / f"{program.name}.py").write_text(program.text)
    return root


# -- the properties ----------------------------------------------------------------------------


def _relative(root: Path, path: str) -> str:
    return os.path.relpath(os.path.abspath(path), root)


def _check(root: Path, use_prefilter: bool):
    from envlint.runner import check_files, prepare

    project, files = prepare([root / FUZZ_DIR])
    result = check_files(project, files, use_prefilter=use_prefilter)
    findings = [(_relative(root, f.path), f.line, f.column, f.code, f.message) for f in result.findings]
    return findings, sorted((_relative(root, path), reason) for path, reason in result.errors)


def check_agrees_with_no_prefilter(root: Path) -> list[str]:
    """Problems found (empty when the property holds)."""
    with_prefilter = _check(root, True)
    without = _check(root, False)
    if with_prefilter == without:
        return []
    extra = sorted(set(with_prefilter[0]) ^ set(without[0]))[:5]
    return [f"check and check --no-prefilter differ: {extra} errors {with_prefilter[1]} vs {without[1]}"]


def check_agrees_with_flake8(root: Path) -> list[str]:
    findings, errors = _check(root, True)
    done = subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", "--select", "ENV", FUZZ_DIR],
        cwd=root, capture_output=True, text=True, timeout=600,
    )
    if done.stderr.strip():
        return [f"flake8 failed: {done.stderr.strip().splitlines()[-1]}"]
    reported = set()
    flake8_errors = set()
    for line in done.stdout.splitlines():
        path, line_number, column, rest = line.split(":", 3)
        code = rest.split()[0]
        path = os.path.normpath(path)
        if code == "ENV000":
            flake8_errors.add(path)
        else:
            reported.add((path, int(line_number), int(column), code))
    ours = {(os.path.normpath(p), line, column, code) for p, line, column, code, _ in findings}
    problems = []
    if ours != reported:
        problems.append(f"check and flake8 differ: {sorted(ours ^ reported)[:5]}")
    if {os.path.normpath(path) for path, _ in errors} != flake8_errors:
        problems.append(f"error files differ: check {errors} flake8 {sorted(flake8_errors)}")
    return problems


def fix_compiles_and_is_idempotent(root: Path) -> list[str]:
    from envlint.fixer import Fixer
    from envlint.runner import prepare

    project, files = prepare([root / FUZZ_DIR])
    first = Fixer(project.config, files, unsafe=True)
    first.run()
    errors = first.write()
    problems = [f"fix could not write {path}: {reason}" for path, reason in errors]
    for path in sorted((root / "python").rglob("*.py")):
        try:
            compile(path.read_bytes(), str(path), "exec")
        except SyntaxError as exc:
            problems.append(f"{path.relative_to(root)} does not compile after fix: {exc.msg} (line {exc.lineno})")
    project, files = prepare([root / FUZZ_DIR])
    second = Fixer(project.config, files, unsafe=True)
    report = second.run()
    changed = sorted(str(Path(change.path).relative_to(root)) for change in report.changed)
    if changed:
        problems.append(f"a second fix changes {changed[:5]}")
    return problems
