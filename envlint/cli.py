"""Command line: ``envlint check | fix | baseline | registry snapshot | rules | rule CODE | docs``.

Thin: parse, delegate, print, exit.

Exit codes: 0 nothing found, 1 findings or files that could not be checked,
2 usage or configuration error. No tracebacks for anything a user can cause.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Optional, Sequence

from . import __version__
from .baseline import BaselineError
from .codes import ALL_CODES, page, validate_selectors
from .config import ConfigError
from .discovery import DiscoveryError
from .docs import DocsError
from .gitdiff import GitError, changed_lines
from .report import FORMATTERS, format_counts, format_markdown
from .review.snapshot import SnapshotError


class UsageError(Exception):
    pass


def _codes(values: Optional[list[str]], option: str) -> Optional[tuple[str, ...]]:
    """The codes of a repeatable, comma-separated ``--select``/``--ignore``; each must select a rule."""
    if values is None:
        return None
    codes = tuple(c.strip() for value in values for c in value.split(",") if c.strip())
    try:
        validate_selectors(codes, option)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return codes


def _add_output_options(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "-q", "--quiet", action="store_true",
        help="print the findings and errors only: no summary, notes or progress",
    )
    command.add_argument(
        "--output-file", type=Path, metavar="FILE",
        help="write the report to FILE instead of stdout (the summary stays on stdout)",
    )


def _write_report(text: str, output_file: Optional[Path]) -> None:
    """The report on stdout, or in ``output_file`` (written whole or not at all)."""
    if output_file is None:
        sys.stdout.write(text)
        return
    from .atomic import atomic_write

    try:
        atomic_write(output_file, text.encode("utf-8"))
    except OSError as exc:
        raise UsageError(f"{output_file}: cannot write: {exc.strerror or exc}") from None


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
        "--statistics", action="store_true",
        help="print counts per code and per variable instead of the findings (text or json)",
    )
    _add_output_options(check)
    check.add_argument(
        "--diff-base", metavar="REF",
        help="report only findings on lines added or changed since the merge-base of HEAD "
        "and REF (working tree included)",
    )
    check.add_argument(
        "--registry-base", type=Path, metavar="FILE",
        help="compare the registries with this snapshot (written by envlint registry snapshot) "
        "instead of the --diff-base merge-base",
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
    fix.add_argument(
        "--show-fixes", action="store_true",
        help="with --diff: one hunk per fix, each preceded by its code, applicability and reason",
    )
    scope = fix.add_argument_group("which findings to fix (all by default)")
    scope.add_argument(
        "--diff-base", metavar="REF",
        help="only findings on lines added or changed since the merge-base of HEAD and REF",
    )
    scope.add_argument(
        "--baseline", type=Path, metavar="FILE", help="only findings not recorded in FILE"
    )
    scope.add_argument(
        "--key", action="append", metavar="NAMES",
        help="only findings about these variables (comma-separated, globs: 'SGLANG_LOG_*')",
    )
    codes = fix.add_argument_group("exit code (default: 1 when findings are left)")
    codes.add_argument(
        "--exit-non-zero-on-fix", action="store_true",
        help="exit 1 when a file was rewritten, even if nothing is left",
    )
    codes.add_argument(
        "--fix-only", action="store_true",
        help="do not list or exit 1 for findings left unfixed",
    )
    codes.add_argument(
        "--exit-zero", action="store_true", help="exit 0 unless a file cannot be read or written"
    )
    fix.add_argument(
        "-q", "--quiet", action="store_true", help="print the findings left and errors only"
    )
    fix.add_argument("-j", "--jobs", type=int, default=0, help="worker processes (default: all cores)")
    fix.add_argument(
        "--registry-base", type=Path, metavar="FILE",
        help="compare the registries with this snapshot, so registry-review fixes (ENV008) apply",
    )

    baseline = commands.add_parser(
        "baseline", help="record the current findings, for check --baseline"
    )
    baseline.add_argument("paths", nargs="*", type=Path, help="files or directories (default: .)")
    baseline.add_argument("--select", action="append", metavar="CODES")
    baseline.add_argument("--ignore", action="append", metavar="CODES")
    baseline.add_argument(
        "-o", "--output", type=Path, required=True, metavar="FILE", help="the baseline file to write"
    )

    registry = commands.add_parser("registry", help="registry review: snapshot the registries")
    registry_commands = registry.add_subparsers(dest="registry_command", metavar="COMMAND")
    snapshot = registry_commands.add_parser(
        "snapshot", help="write the registries' keys, kinds, defaults, sections and deprecations "
        "as JSON, a base for check --registry-base"
    )
    snapshot.add_argument("paths", nargs="*", type=Path, help="the project (default: .)")
    snapshot.add_argument(
        "-o", "--output", type=Path, required=True, metavar="FILE", help="the snapshot file to write"
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
    from .runner import change_codes, changelog, check_files, default_jobs, prepare, selected_codes

    paths = args.paths or [Path(".")]
    select, ignore = _codes(args.select, "--select"), _codes(args.ignore, "--ignore")
    if args.jobs < 0:
        raise UsageError("--jobs must be 0 (all cores) or more")
    if args.show_stale and args.baseline is None:
        raise UsageError("--show-stale needs --baseline FILE")
    if args.statistics and args.format not in ("text", "json"):
        raise UsageError("--statistics prints text or json, not " + args.format)
    recorded = baseline.load(args.baseline) if args.baseline is not None else None
    changed = changed_lines(args.diff_base) if args.diff_base is not None else None
    project, files = prepare(paths)
    project, base_errors = _review_base(args, project, changed, select, ignore)
    if not project.registries and not project.load_errors and not args.quiet:
        print(
            "envlint: no environment-variable registry found; checking prefix conventions "
            "only (name registries in [tool.envlint] registries)",
            file=sys.stderr,
        )
    if changed is not None:
        # A registry is compared with the base even when git sees no change in it
        # (a --registry-base snapshot): its findings are about the change.
        registries = {spec.path for spec in project.config.registries} if project.config.review else set()
        files = [path for path in files if changed.touches(path) or path.resolve() in registries]
    result = check_files(
        project,
        files,
        select,
        ignore,
        use_prefilter=not args.no_prefilter,
        jobs=args.jobs or default_jobs(),
        use_cache=not args.no_cache,
        progress=_progress if _show_progress(args, files) else None,
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
        # Findings about a change are kept whole: a removal points at the base's line.
        about_change = change_codes()
        findings = [f for f in findings if f.code in about_change or changed.covers(f)]
    if args.statistics:
        from .report.summary import format_statistics_json, format_statistics_text

        report = (format_statistics_json if args.format == "json" else format_statistics_text)(findings)
    elif args.format == "markdown":
        report = format_markdown(findings, changelog(project))
    else:
        report = FORMATTERS[args.format](findings)
    _write_report(report, args.output_file)
    errors = base_errors + result.errors
    for path, reason in errors:
        print(f"envlint: error: {path}: {reason}", file=sys.stderr)
    if not args.quiet and (args.format == "text" or args.output_file is not None):
        # Machine-readable output on stdout stays parseable: no summary after it.
        from .report.summary import closing_summary

        print(closing_summary(findings, len(errors)))
    if errors:
        return 1
    if findings and not args.exit_zero:
        return 1
    return 0


def _review_base(args, project, changed, select, ignore):
    """(the project with its review base, errors reading the base) for ``check``.

    The base is the snapshot of ``--registry-base``, else the merge-base of
    ``--diff-base`` (read only when a rule about changes is selected or the
    markdown changelog is wanted), else none.
    """
    from .review.base import from_git, from_snapshot
    from .runner import change_codes, selected_codes, with_review

    if args.registry_base is not None:
        return with_review(project, from_snapshot(args.registry_base)), []
    if changed is None:
        return project, []
    if args.format != "markdown" and not (selected_codes(project, select, ignore) & change_codes()):
        return project, []
    base = from_git(changed, project)
    return with_review(project, base), list(base.errors)


def _cmd_registry(args: argparse.Namespace) -> int:
    from .atomic import atomic_write
    from .review.snapshot import Snapshot, dumps, registry_state
    from .runner import load_project

    if args.registry_command != "snapshot":
        raise UsageError("envlint registry snapshot -o FILE [PATH ...] (see envlint registry --help)")
    project = load_project(args.paths or [Path(".")])
    for path, reason in project.load_errors:
        print(f"envlint: error: {path}: {reason}", file=sys.stderr)
    if not project.registries:
        if project.load_errors:
            return 1
        raise UsageError("no environment-variable registry found (name them in [tool.envlint] registries)")
    root = project.config.root
    snapshot = Snapshot({r.module: registry_state(r, root) for r in project.registries})
    try:
        atomic_write(args.output, dumps(snapshot).encode("utf-8"))
    except OSError as exc:
        raise UsageError(f"{args.output}: cannot write: {exc.strerror or exc}") from None
    keys = sum(len(state.keys) for state in snapshot.registries.values())
    count = len(snapshot.registries)
    print(f"Wrote {count} registr{'ies' if count != 1 else 'y'} ({keys} keys) to {args.output}.")
    return 1 if project.load_errors else 0


def _cmd_baseline(args: argparse.Namespace) -> int:
    from collections import Counter

    from . import baseline
    from .runner import check_files, prepare

    paths = args.paths or [Path(".")]
    select, ignore = _codes(args.select, "--select"), _codes(args.ignore, "--ignore")
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


def _show_progress(args: argparse.Namespace, files: list[Path]) -> bool:
    """The counter is for a person watching a long run: stderr a terminal, not --quiet."""
    return not getattr(args, "quiet", False) and sys.stderr.isatty() and len(files) > 200


def _progress(done: int, total: int) -> None:
    """A one-line counter on stderr (only when stderr is a terminal), erased at the end."""
    if done == total:
        sys.stderr.write("\r\033[K")
    elif done % 100 == 0:
        sys.stderr.write(f"\renvlint: checking {done}/{total} files")
    else:
        return
    sys.stderr.flush()


def _fix_scope(args: argparse.Namespace):
    """The FixScope of --diff-base / --baseline / --key, or None for "every finding"."""
    from . import baseline
    from .fixscope import FixScope

    keys = tuple(k.strip() for value in args.key or () for k in value.split(",") if k.strip())
    if args.key is not None and not keys:
        raise UsageError("--key needs a variable name or glob")
    if args.diff_base is None and args.baseline is None and not keys:
        return None
    return FixScope(
        changed=changed_lines(args.diff_base) if args.diff_base is not None else None,
        baseline=(baseline.load(args.baseline), args.baseline) if args.baseline is not None else None,
        keys=keys,
    )


def _cmd_fix(args: argparse.Namespace) -> int:
    from .discovery import display_path
    from .fixer import Fixer
    from .report import format_text
    from .runner import default_jobs, prepare

    paths = args.paths or [Path(".")]
    select, ignore = _codes(args.select, "--select"), _codes(args.ignore, "--ignore")
    if args.show_fixes and not args.diff:
        raise UsageError("--show-fixes annotates the --diff output; add --diff")
    scope = _fix_scope(args)
    project, files = prepare(paths)
    if args.registry_base is not None:
        from .review.base import from_snapshot
        from .runner import with_review

        project = with_review(project, from_snapshot(args.registry_base))
    if scope is not None and scope.changed is not None:
        files = [path for path in files if scope.changed.touches(path)]
    fixer = Fixer(
        project.config,
        files,
        select,
        ignore,
        unsafe=args.unsafe_fixes,
        progress=_progress if _show_progress(args, files) else None,
        jobs=args.jobs or default_jobs(),
        scope=scope,
        project=project,
    )
    report = fixer.run()
    if not args.quiet:
        for note in report.notes:
            print(f"envlint: note: {note}", file=sys.stderr)
    unreadable = [(display_path(p), reason) for p, reason in project.discovery_errors]
    if args.diff:
        if args.show_fixes:
            from .report.fixdiff import annotated_diff

            diffs = [annotated_diff(c, report.fixed.get(c.path, [])) for c in report.changed]
        else:
            diffs = [change.diff() for change in report.changed]
        _write_bytes(b"".join(diffs))
        for path, reason in unreadable + report.errors:
            print(f"envlint: error: {path}: {reason}", file=sys.stderr)
        if report.errors or unreadable:
            return 1
        return 1 if report.changed and not args.exit_zero else 0
    errors = unreadable + report.errors + fixer.write()
    if not args.fix_only:
        sys.stdout.write(format_text(report.remaining))
    if not args.quiet:
        lines = report.summary(unsafe_applied=args.unsafe_fixes)
        for line in lines[:1] if args.fix_only else lines:
            print(line)
        if report.out_of_scope:
            outside = report.out_of_scope
            were = "were" if outside != 1 else "was"
            print(f"{outside} finding{'s' * (outside != 1)} outside {scope.describe()} {were} left alone.")
    for path, reason in errors:
        print(f"envlint: error: {path}: {reason}", file=sys.stderr)
    return _fix_exit_code(args, bool(report.changed), bool(report.remaining), bool(errors))


def _fix_exit_code(args: argparse.Namespace, rewrote: bool, left: bool, errors: bool) -> int:
    """ruff's choices, for hooks: a file that could not be handled is always 1."""
    if errors:
        return 1
    if args.exit_zero:
        return 0
    if args.exit_non_zero_on_fix and rewrote:
        return 1
    return 1 if left and not args.fix_only else 0


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
    for entry in ALL_CODES:
        print(f"{entry.code}  {entry.name:<28} {entry.summary}")
    return 0


def _cmd_rule(code: str) -> int:
    entry = page(code)
    if entry is None:
        from .suggest import did_you_mean

        hint = did_you_mean(code, [c.code for c in ALL_CODES])
        raise UsageError(f"unknown rule {code!r}{hint or '; `envlint rules` lists them'}")
    print(entry.render())
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
        if args.command == "registry":
            return _cmd_registry(args)
        parser.print_help()
        return 2
    except (
        UsageError, ConfigError, DiscoveryError, DocsError, GitError, BaselineError, SnapshotError
    ) as exc:
        print(f"envlint: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
