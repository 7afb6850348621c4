"""``envlint fix`` inside a workflow: scoped to changed lines, a baseline or some variables;
exit codes a hook can use; ``--show-fixes`` diffs that git and patch still apply."""

from __future__ import annotations

import json
import subprocess

import pytest

from envlint.findings import Finding
from envlint.fixscope import FixScope, line_origins

SERVER = "python/sglang/srt/server.py"
OLD = """\
import os

timeout = int(os.getenv("SGLANG_TIMEOUT_KEEP_ALIVE", "5"))
"""
NEW_LINE = 'level = os.getenv("SGLANG_LOG_LEVEL", "info")\n'
UNSAFE_LINE = 'metrics = os.getenv("SGLANG_ENABLE_METRICS")\n'
OLD_FINDING = (
    f"{SERVER}:3:15: ENV001 raw read of SGLANG_TIMEOUT_KEEP_ALIVE via os.getenv(); "
    "use envs.SGLANG_TIMEOUT_KEEP_ALIVE.get()"
)


@pytest.fixture
def feature(git_repo):
    """Old debt committed on main; the branch ``feature`` then adds lines in the same file."""
    git_repo.write(SERVER, OLD)
    git_repo.commit("old code with a raw read")
    git_repo.git("switch", "-q", "-c", "feature")
    return git_repo


def test_diff_base_fixes_only_changed_lines(feature, run_cli):
    feature.write(SERVER, OLD + NEW_LINE)
    code, out, err = run_cli("fix", "--diff-base", "main", cwd=feature.root)
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "Fixed 1 finding in 1 file (ENV001: 1).",
        "1 finding outside --diff-base was left alone.",
    ]
    assert (feature.root / SERVER).read_text() == (
        "import os\n\nfrom sglang.srt.environ import envs\n\n"
        'timeout = int(os.getenv("SGLANG_TIMEOUT_KEEP_ALIVE", "5"))\n'
        "level = envs.SGLANG_LOG_LEVEL.get()\n"
    )


def test_diff_base_with_nothing_new_changes_nothing(feature, run_cli):
    """The issue's hook scenario: one comment line added to a file with old debt."""
    feature.write(SERVER, "# a comment\n" + OLD)
    code, out, err = run_cli("fix", "--diff-base", "main", cwd=feature.root)
    assert (code, out, err) == (
        0, "Fixed 0 findings in 0 files.\n1 finding outside --diff-base was left alone.\n", ""
    )
    assert (feature.root / SERVER).read_text() == "# a comment\n" + OLD
    # Unscoped, the old finding is fixed: the scope is what kept it.
    code, out, _ = run_cli("fix", cwd=feature.root)
    assert out.splitlines() == ["Fixed 1 finding in 1 file (ENV001: 1)."]


def test_diff_base_leftovers_in_scope_still_fail(feature, run_cli):
    feature.write(SERVER, OLD + UNSAFE_LINE)
    code, out, _ = run_cli("fix", "--diff-base", "main", cwd=feature.root)
    assert code == 1
    assert out.splitlines() == [
        f"{SERVER}:4:11: ENV001 raw read of SGLANG_ENABLE_METRICS via os.getenv(); "
        "use envs.SGLANG_ENABLE_METRICS.get()",
        "Fixed 0 findings in 0 files.",
        "1 left: ENV001: 1 (1 with unsafe fixes).",
        "Unsafe fixes change behaviour; review them with --unsafe-fixes --diff.",
        "1 finding outside --diff-base was left alone.",
    ]


def test_diff_base_skips_files_the_branch_did_not_touch(feature, run_cli):
    feature.write("python/sglang/srt/other.py", OLD)
    feature.commit("more old code")
    feature.git("switch", "-q", "-c", "later")
    feature.write(SERVER, OLD + NEW_LINE)
    code, out, _ = run_cli("fix", "--diff-base", "feature", cwd=feature.root)
    assert (feature.root / "python/sglang/srt/other.py").read_text() == OLD
    assert out.splitlines()[0] == "Fixed 1 finding in 1 file (ENV001: 1)."


def test_baseline_fixes_only_unrecorded_findings(feature, run_cli):
    run_cli("baseline", "-o", "baseline.json", cwd=feature.root)
    feature.write(SERVER, OLD + NEW_LINE)
    code, out, _ = run_cli("fix", "--baseline", "baseline.json", cwd=feature.root)
    assert code == 0
    assert out.splitlines() == [
        "Fixed 1 finding in 1 file (ENV001: 1).",
        "1 finding outside --baseline was left alone.",
    ]
    assert 'timeout = int(os.getenv("SGLANG_TIMEOUT_KEEP_ALIVE", "5"))\n' in (feature.root / SERVER).read_text()


def test_key_globs_choose_the_variables(feature, run_cli):
    feature.write(SERVER, OLD + NEW_LINE)
    code, out, _ = run_cli("fix", "--key", "SGLANG_LOG_*", "--key", "NOPE", cwd=feature.root)
    text = (feature.root / SERVER).read_text()
    assert "level = envs.SGLANG_LOG_LEVEL.get()\n" in text and "os.getenv(\"SGLANG_TIMEOUT" in text
    code, out, err = run_cli("fix", "--key", " , ", cwd=feature.root)
    assert (code, err) == (2, "envlint: error: --key needs a variable name or glob\n")


@pytest.mark.parametrize(
    "options,code,prints_leftovers",
    [
        ((), 1, True),
        (("--fix-only",), 0, False),
        (("--exit-zero",), 0, True),
        (("--exit-non-zero-on-fix",), 1, True),
        (("--fix-only", "--exit-non-zero-on-fix"), 1, False),
    ],
)
def test_exit_codes_with_fixes_and_leftovers(feature, run_cli, options, code, prints_leftovers):
    feature.write(SERVER, OLD + UNSAFE_LINE)
    got, out, _ = run_cli("fix", *options, cwd=feature.root)
    leftover = (
        f"{SERVER}:6:11: ENV001 raw read of SGLANG_ENABLE_METRICS via os.getenv(); "
        "use envs.SGLANG_ENABLE_METRICS.get()"
    )
    summary = [
        "Fixed 1 finding in 1 file (ENV001: 1).",
        "1 left: ENV001: 1 (1 with unsafe fixes).",
        "Unsafe fixes change behaviour; review them with --unsafe-fixes --diff.",
    ]
    assert got == code
    assert out.splitlines() == ([leftover] + summary if prints_leftovers else summary[:1])


@pytest.mark.parametrize(
    "options,code",
    [((), 0), (("--exit-non-zero-on-fix",), 1), (("--fix-only",), 0), (("--exit-zero", "--exit-non-zero-on-fix"), 0)],
)
def test_exit_codes_when_everything_gets_fixed(feature, run_cli, options, code):
    got, out, _ = run_cli("fix", *options, cwd=feature.root)
    assert (got, out) == (code, "Fixed 1 finding in 1 file (ENV001: 1).\n")
    got, out, _ = run_cli("fix", *options, cwd=feature.root)  # nothing left to do: never 1
    assert (got, out) == (0, "Fixed 0 findings in 0 files.\n")


def test_quiet_fix_prints_leftovers_only(feature, run_cli):
    feature.write(SERVER, OLD + UNSAFE_LINE)
    code, out, err = run_cli("fix", "-q", cwd=feature.root)
    assert (code, err) == (1, "")
    assert out == (
        f"{SERVER}:6:11: ENV001 raw read of SGLANG_ENABLE_METRICS via os.getenv(); "
        "use envs.SGLANG_ENABLE_METRICS.get()\n"
    )


def test_diff_exit_zero(feature, run_cli):
    code, out, _ = run_cli("fix", "--diff", "--exit-zero", cwd=feature.root)
    assert code == 0 and out.startswith(f"--- a/{SERVER}\n")
    code, _, _ = run_cli("fix", "--diff", cwd=feature.root)
    assert code == 1


def test_show_fixes_needs_diff(feature, run_cli):
    code, out, err = run_cli("fix", "--show-fixes", cwd=feature.root)
    assert (code, out, err) == (2, "", "envlint: error: --show-fixes annotates the --diff output; add --diff\n")


# -- line mapping across passes --------------------------------------------------------------


def test_line_origins_map_kept_lines_back():
    original = "a\nb\nc\nd\n"
    current = "a\nimport x\nb\nC!\nd\n"
    assert line_origins(original, current) == {1: 1, 3: 2, 5: 4}


def test_scope_maps_findings_of_rewritten_files_to_their_original_lines(tmp_path):
    from envlint.gitdiff import ChangedLines

    path = tmp_path / "m.py"
    changed = ChangedLines(root=tmp_path, lines={"m.py": frozenset({3})}, new_files=frozenset())
    scope = FixScope(changed=changed)
    original = "a\nb\nc\nd\n"
    current = "import x\na\nb\nc\nd\n"  # a pass inserted an import: every line moved down one

    def finding(line: int) -> Finding:
        return Finding(str(path), line, 1, "ENV001", line, 2, "m")

    on_c, on_d, on_import = finding(4), finding(5), finding(1)
    chosen = scope.select([(path, on_c), (path, on_d), (path, on_import)], lambda p: (original, current))
    # c was changed (line 3 originally); d was not; the import line is envlint's own
    assert chosen == {id(on_c), id(on_import)}
    untouched = finding(3)  # a file the run did not rewrite is judged by its lines as they are
    assert scope.select([(path, untouched), (path, finding(4))], lambda p: None) == {id(untouched)}


# -- --show-fixes ---------------------------------------------------------------------------

SHOW = """\
import os

timeout = int(os.getenv("SGLANG_TIMEOUT_KEEP_ALIVE", "5"))
home = os.getenv("HOME")
a = 1
b = 2
c = 3
d = 4
e = 5
f = 6
metrics = os.getenv("SGLANG_ENABLE_METRICS")
"""


def test_show_fixes_puts_each_hunk_under_its_reasons(feature, run_cli):
    feature.write(SERVER, SHOW)
    _, out, _ = run_cli("check", "--format", "json", SERVER, cwd=feature.root)
    reason = json.loads(out)[1]["fix"]["reason"]  # the unsafe fix's reason, as check reports it
    code, out, err = run_cli("fix", "--unsafe-fixes", "--diff", "--show-fixes", cwd=feature.root)
    assert code == 1
    assert out.splitlines() == [
        f"# {SERVER}:3: ENV001 [safe] Replace with `envs.SGLANG_TIMEOUT_KEEP_ALIVE.get()`",
        f"--- a/{SERVER}",
        f"+++ b/{SERVER}",
        "@@ -1,6 +1,8 @@",
        " import os",
        " ",
        '-timeout = int(os.getenv("SGLANG_TIMEOUT_KEEP_ALIVE", "5"))',
        "+from sglang.srt.environ import envs",  # its own isort section, after the stdlib one
        "+",
        "+timeout = envs.SGLANG_TIMEOUT_KEEP_ALIVE.get()",
        ' home = os.getenv("HOME")',
        " a = 1",
        " b = 2",
        f"# {SERVER}:11: ENV001 [unsafe] Replace with `envs.SGLANG_ENABLE_METRICS.get()`",
        f"#     unsafe: {reason}",
        f"--- a/{SERVER}",
        f"+++ b/{SERVER}",
        "@@ -10,4 +10,4 @@",  # the first hunk applied: two lines further down
        " d = 4",
        " e = 5",
        " f = 6",
        '-metrics = os.getenv("SGLANG_ENABLE_METRICS")',
        "+metrics = envs.SGLANG_ENABLE_METRICS.get()",
    ]


# Characters str.splitlines() breaks at (Python's tokenizer does not), and no final newline.
ODD = SHOW.replace("a = 1\n", "a = 1  # x\fy\x85z\u2028w\vv\n").rstrip("\n")


@pytest.mark.parametrize("content", [SHOW, ODD], ids=["plain", "odd-line-breaks"])
@pytest.mark.parametrize("tool", ["git", "patch"])
def test_show_fixes_output_applies_with_git_and_patch(feature, run_cli, tool, tmp_path, content):
    feature.write(SERVER, content)
    feature.commit("debt")
    _, patch, _ = run_cli("fix", "--unsafe-fixes", "--diff", "--show-fixes", cwd=feature.root)
    (tmp_path / "fixes.patch").write_text(patch, encoding="utf-8", newline="")
    command = ["git", "apply", str(tmp_path / "fixes.patch")] if tool == "git" else [
        "patch", "-p1", "--no-backup-if-mismatch", "-i", str(tmp_path / "fixes.patch")
    ]
    done = subprocess.run(command, cwd=feature.root, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    applied = (feature.root / SERVER).read_bytes()
    feature.git("checkout", "--", SERVER)
    run_cli("fix", "--unsafe-fixes", cwd=feature.root)
    assert applied == (feature.root / SERVER).read_bytes()
