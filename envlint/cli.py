"""Command line: ``envlint check | fix | baseline | rules | rule CODE | docs``.

Thin: parse, delegate, print, exit.

Exit codes: 0 nothing found, 1 findings or files that could not be checked,
2 usage or configuration error. No tracebacks for anything a user can cause.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Optional, Sequence

from . import __version__
from .baseline import BaselineError
from .config import ConfigError
from .discovery import DiscoveryError
from .docs import DocsError
from .gitdiff import GitError, changed_lines
from .report import FORMATTERS, format_counts
from .rules import ALL_RULES, RULES_BY_CODE

_CODE_PREFIX = re.compile(r"^[A-Z]{1,3}[0-9]{0,3}$")


class UsageError(Exception):
    pass


def _codes(values: Optional[list[str]]) -> Optional[tuple[str, ...]]:
    if values is None:
        return None
    codes = tuple(c.strip() for value in values for c in value.split(",") if c.strip())
    for code in codes:
        if not _CODE_PREFIX.match(code):
            raise UsageError(f"invalid code prefix {code!r} (expected e.g. ENV or ENV001)")
    return codes


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="envlint",
        description="Lint and fix environment-variable conventions (sglang Envs, vLLM envs.py).",
    )
    parser.add_argument("--version", action="version", version=f"envlint {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = commands.add_parser("check", help="report findings")
    check.add_argument("paths", nargs="*", type=Path, help="files or directories (default: .)")
    check.add_argument("--select", action="append", metavar="CODES", help="e.g. ENV001,ENV004")
    check.add_argument("--ignore", action="append", metavar="CODES", help="e.g. ENV003")
    check.add_argument("--format", choices=sorted(FORMATTERS), default="text")
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even with findings")
    check.add_argument(
        "--diff-base", metavar="REF",
        help="report only findings on lines added or changed since the merge-base of HEAD "
        "and REF (working tree included)",
    )
    check.add_argument(
        "--baseline", type=Path, metavar="FILE",
        help="report only findings not recorded in FILE (written by envlint baseline)",
    )
    check.add_argument(
        "--show-stale", action="store_true",
        help="with --baseline: list recorded findings that are gone (on stderr)",
    )
    check.add_argument(
        "--no-prefilter",
        action="store_true",
        help="parse and walk every file even when its bytes show no rule can fire (debugging)",
    )
    check.add_argument("-j", "--jobs", type=int, default=0, help="worker processes (default: all cores)")
    check.add_argument("--no-cache", action="store_true", help="ignore and do not update .envlint_cache/")

    fix = commands.add_parser("fix", help="apply fixes (safe ones unless --unsafe-fixes)")
    fix.add_argument("paths", nargs="*", type=Path, help="files or directories (default: .)")
    fix.add_argument("--select", action="append", metavar="CODES")
    fix.add_argument("--ignore", action="append", metavar="CODES")
    fix.add_argument("--unsafe-fixes", action="store_true", help="also apply fixes marked unsafe")
    fix.add_argument(
        "--diff", action="store_true", help="print a unified diff and write nothing (exit 1 if any)"
    )
    fix.add_argument("-j", "--jobs", type=int, default=0, help="worker processes (default: all cores)")

    baseline = commands.add_parser(
        "baseline", help="record the current findings, for check --baseline"
    )
    baseline.add_argument("paths", nargs="*", type=Path, help="files or directories (default: .)")
    baseline.add_argument("--select", action="append", metavar="CODES")
    baseline.add_argument("--ignore", action="append", metavar="CODES")
    baseline.add_argument(
        "-o", "--output", type=Path, required=True, metavar="FILE", help="the baseline file to write"
    )

    commands.add_parser("rules", help="list the rule codes with one-line summaries")
    rule = commands.add_parser("rule", help="explain one rule")
    rule.add_argument("code", help="e.g. ENV004")

    docs = commands.add_parser(
        "docs", help="print the environment-variable reference, or check or update a page"
    )
    docs.add_argument("paths", nargs="*", type=Path, help="the project (default: .)")
    docs.add_argument(
        "--registry", action="append", type=Path, metavar="PATH",
        help="document this registry file only (repeatable; default: the project's registries)",
    )
    docs.add_argument("--format", choices=("markdown", "json"), help="default: markdown")
    mode = docs.add_mutually_exclusive_group()
    mode.add_argument(
        "--check", type=Path, metavar="PAGE",
        help="report drift between PAGE and the registries (ENV101-ENV103); exit 1 on drift",
    )
    mode.add_argument(
        "--write", type=Path, metavar="PAGE",
        help="regenerate the part of PAGE between <!-- envlint:begin --> and <!-- envlint:end -->",
    )
    return parser


def _cmd_check(args: argparse.Namespace) -> int:
    from . import baseline
    from .runner import check_files, default_jobs, prepare, selected_codes

    paths = args.paths or [Path(".")]
    select, ignore = _codes(args.select), _codes(args.ignore)
    if args.jobs < 0:
        raise UsageError("--jobs must be 0 (all cores) or more")
    if args.show_stale and args.baseline is None:
        raise UsageError("--show-stale needs --baseline FILE")
    recorded = baseline.load(args.baseline) if args.baseline is not None else None
    changed = changed_lines(args.diff_base) if args.diff_base is not None else None
    project, files = prepare(paths)
    if not project.registries and not project.load_errors:
        print(
            "envlint: no environment-variable registry found; checking prefix conventions "
            "only (name registries in [tool.envlint] registries)",
            file=sys.stderr,
        )
    if changed is not None:
        files = [path for path in files if changed.touches(path)]
    result = check_files(
        project,
        files,
        select,
        ignore,
        use_prefilter=not args.no_prefilter,
        jobs=args.jobs or default_jobs(),
        use_cache=not args.no_cache,
        progress=_progress if sys.stderr.isatty() and len(files) > 200 else None,
    )
    findings = result.findings
    if recorded is not None:
        codes = selected_codes(project, select, ignore)
        comparison = baseline.compare(recorded, findings, args.baseline, files, codes)
        findings = comparison.new
        if args.show_stale:
            for entry, count in comparison.stale:
                times = f" ({count} of them)" if count > 1 else ""
                print(f"envlint: stale baseline entry: {entry.describe()}{times}", file=sys.stderr)
    if changed is not None:
        findings = changed.select(findings)
    sys.stdout.write(FORMATTERS[args.format](findings))
    for path, reason in result.errors:
        print(f"envlint: error: {path}: {reason}", file=sys.stderr)
    if result.errors:
        return 1
    if findings and not args.exit_zero:
        return 1
    return 0


def _cmd_baseline(args: argparse.Namespace) -> int:
    from collections import Counter

    from . import baseline
    from .runner import check_files, prepare

    paths = args.paths or [Path(".")]
    select, ignore = _codes(args.select), _codes(args.ignore)
    project, files = prepare(paths)
    result = check_files(project, files, select, ignore)
    baseline.write(result.findings, args.output)
    for path, reason in result.errors:
        print(f"envlint: error: {path}: {reason}", file=sys.stderr)
    found = len(result.findings)
    counts = Counter(f.code for f in result.findings)
    print(
        f"Recorded {found} finding{'s' * (found != 1)} in {args.output}"
        + (f" ({format_counts(counts)})." if found else ".")
    )
    return 1 if result.errors else 0


def _progress(done: int, total: int) -> None:
    """A one-line counter on stderr (only when stderr is a terminal), erased at the end."""
    if done == total:
        sys.stderr.write("\r\033[K")
    elif done % 100 == 0:
        sys.stderr.write(f"\renvlint: checking {done}/{total} files")
    else:
        return
    sys.stderr.flush()


def _cmd_fix(args: argparse.Namespace) -> int:
    from .fixer import Fixer
    from .report import format_text
    from .runner import default_jobs, prepare

    paths = args.paths or [Path(".")]
    select, ignore = _codes(args.select), _codes(args.ignore)
    project, files = prepare(paths)
    show_progress = sys.stderr.isatty() and len(files) > 200
    fixer = Fixer(
        project.config,
        files,
        select,
        ignore,
        unsafe=args.unsafe_fixes,
        progress=_progress if show_progress else None,
        jobs=args.jobs or default_jobs(),
        project=project,
    )
    report = fixer.run()
    for note in report.notes:
        print(f"envlint: note: {note}", file=sys.stderr)
    if args.diff:
        _write_bytes(b"".join(change.diff() for change in report.changed))
        for path, reason in report.errors:
            print(f"envlint: error: {path}: {reason}", file=sys.stderr)
        return 1 if report.changed or report.errors else 0
    errors = report.errors + fixer.write()
    sys.stdout.write(format_text(report.remaining))
    for line in report.summary(unsafe_applied=args.unsafe_fixes):
        print(line)
    for path, reason in errors:
        print(f"envlint: error: {path}: {reason}", file=sys.stderr)
    return 1 if (report.remaining or errors) else 0


def _write_bytes(data: bytes) -> None:
    """Bytes to stdout as they are (a patch keeps each file's own encoding)."""
    sys.stdout.flush()
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:  # a text-only stream (some embedding): best effort
        sys.stdout.write(data.decode("utf-8", errors="replace"))
        return
    buffer.write(data)
    buffer.flush()


def _cmd_rules() -> int:
    for rule in ALL_RULES:
        print(f"{rule.code}  {rule.name:<28} {rule.summary}")
    return 0


def _cmd_rule(code: str) -> int:
    rule = RULES_BY_CODE.get(code.upper())
    if rule is None:
        raise UsageError(f"unknown rule {code!r}; `envlint rules` lists them")
    print(f"# {rule.code} ({rule.name})\n\n{rule.summary}\n\n{rule.explanation()}")
    return 0


def _cmd_docs(args: argparse.Namespace) -> int:
    from .docs.command import run_docs

    paths = args.paths or [Path(".")]
    return run_docs(paths, args.registry or [], args.format, args.check, args.write)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "check":
            return _cmd_check(args)
        if args.command == "fix":
            return _cmd_fix(args)
        if args.command == "baseline":
            return _cmd_baseline(args)
        if args.command == "rules":
            return _cmd_rules()
        if args.command == "rule":
            return _cmd_rule(args.code)
        if args.command == "docs":
            return _cmd_docs(args)
        parser.print_help()
        return 2
    except (UsageError, ConfigError, DiscoveryError, DocsError, GitError, BaselineError) as exc:
        print(f"envlint: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
