"""``envlint baseline`` and ``envlint check --baseline``: keys that survive unrelated edits,
counts for repeats, stale entries, the file format and its errors."""

from __future__ import annotations

import json

import pytest

from envlint.baseline import normalize_source

SERVER = "python/sglang/srt/server.py"
CODE = '''\
import os

timeout = int(os.getenv("SGLANG_TIMEOUT_KEEP_ALIVE", "5"))
level = os.getenv("SGLANG_LOG_LEVEL")
other = os.getenv("SGLANG_LOG_LEVEL")
'''
LEVEL = "ENV001 raw read of SGLANG_LOG_LEVEL via os.getenv(); use envs.SGLANG_LOG_LEVEL.get()"
METRICS = (
    "ENV001 raw read of SGLANG_ENABLE_METRICS via os.getenv(); use envs.SGLANG_ENABLE_METRICS.get()"
)
EXPECTED_FILE = """\
{
  "tool": "envlint",
  "version": 1,
  "findings": [
    {"path": "python/sglang/srt/server.py", "code": "ENV001", "key": "SGLANG_LOG_LEVEL", \
"source": "os.getenv(\\"SGLANG_LOG_LEVEL\\")", "count": 2},
    {"path": "python/sglang/srt/server.py", "code": "ENV001", "key": "SGLANG_TIMEOUT_KEEP_ALIVE", \
"source": "os.getenv(\\"SGLANG_TIMEOUT_KEEP_ALIVE\\",\\"5\\")", "count": 1}
  ]
}
"""


@pytest.fixture
def recorded(git_repo, run_cli):
    git_repo.write(SERVER, CODE)
    git_repo.commit("code with debt")
    code, out, err = run_cli("baseline", "-o", "envlint-baseline.json", cwd=git_repo.root)
    assert (code, out, err) == (0, "Recorded 3 findings in envlint-baseline.json (ENV001: 3).\n", "")
    git_repo.commit("record the baseline")
    return git_repo


def test_file_format_is_versioned_sorted_one_entry_per_line(recorded):
    assert (recorded.root / "envlint-baseline.json").read_text() == EXPECTED_FILE


def test_nothing_new_right_after_recording(recorded, run_cli):
    assert run_cli("check", "-q", "--baseline", "envlint-baseline.json", cwd=recorded.root) == (0, "", "")


def test_unrelated_edits_and_reformatting_do_not_make_findings_new(recorded, run_cli):
    recorded.write(
        SERVER,
        '''\
        """A docstring that shifts every line down."""
        import os

        EXTRA = 1


        timeout = int(
            os.getenv(
                "SGLANG_TIMEOUT_KEEP_ALIVE",  # a comment inside
                "5",
            )
        )
        level = os.getenv( "SGLANG_LOG_LEVEL" )
        other = os.getenv("SGLANG_LOG_LEVEL",)
        ''',
    )
    assert run_cli("check", "-q", "--baseline", "envlint-baseline.json", cwd=recorded.root) == (0, "", "")


def test_a_third_repeat_reports_the_last_one_by_position(recorded, run_cli):
    recorded.write(SERVER, 'import os\nfirst = os.getenv("SGLANG_LOG_LEVEL")\n' + CODE[10:])
    code, out, _ = run_cli("check", "-q", "--baseline", "envlint-baseline.json", cwd=recorded.root)
    assert (code, out) == (1, f"{SERVER}:6:9: {LEVEL}\n")


def test_new_code_is_reported_and_stale_entries_on_request(recorded, run_cli):
    recorded.write(
        SERVER,
        CODE.replace('"5"', '"7"').replace("other = ", "# other = ")
        + 'metrics = os.getenv("SGLANG_ENABLE_METRICS")\n',
    )
    code, out, err = run_cli("check", "-q", "--baseline", "envlint-baseline.json", cwd=recorded.root)
    assert code == 1 and err == ""
    assert out.splitlines() == [
        f"{SERVER}:3:15: ENV001 raw read of SGLANG_TIMEOUT_KEEP_ALIVE via os.getenv(); "
        "use envs.SGLANG_TIMEOUT_KEEP_ALIVE.get()",
        f"{SERVER}:6:11: {METRICS}",
    ]
    _, _, err = run_cli(
        "check", "-q", "--baseline", "envlint-baseline.json", "--show-stale", cwd=recorded.root
    )
    assert err.splitlines() == [
        f'envlint: stale baseline entry: {SERVER}: ENV001 os.getenv("SGLANG_LOG_LEVEL")',
        f'envlint: stale baseline entry: {SERVER}: ENV001 os.getenv("SGLANG_TIMEOUT_KEEP_ALIVE","5")',
    ]


def test_stale_counts_repeats(recorded, run_cli):
    recorded.write(SERVER, "import os\n")
    code, out, err = run_cli(
        "check", "-q", "--baseline", "envlint-baseline.json", "--show-stale", cwd=recorded.root
    )
    assert (code, out) == (0, "")
    assert err.splitlines() == [
        f'envlint: stale baseline entry: {SERVER}: ENV001 os.getenv("SGLANG_LOG_LEVEL") (2 of them)',
        f'envlint: stale baseline entry: {SERVER}: ENV001 os.getenv("SGLANG_TIMEOUT_KEEP_ALIVE","5")',
    ]


def test_entries_outside_the_run_are_not_stale(recorded, run_cli):
    recorded.write(SERVER, "import os\n")
    recorded.write("python/sglang/srt/other.py", "x = 1\n")
    args = ("check", "-q", "--baseline", "envlint-baseline.json", "--show-stale")
    assert run_cli(*args, "python/sglang/srt/other.py", cwd=recorded.root) == (0, "", "")
    assert run_cli(*args, "--select", "ENV002", cwd=recorded.root) == (0, "", "")


def test_paths_are_relative_to_the_baseline_file(recorded, run_cli):
    recorded.write(SERVER, CODE + 'metrics = os.getenv("SGLANG_ENABLE_METRICS")\n')
    code, out, _ = run_cli(
        "check", "-q", "--baseline", "../../../envlint-baseline.json", ".",
        cwd=recorded.root / "python/sglang/srt",
    )
    assert (code, out) == (1, f"server.py:6:11: {METRICS}\n")


def test_a_renamed_file_is_new_code_to_the_baseline(recorded, run_cli):
    recorded.git("mv", SERVER, "python/sglang/srt/moved.py")
    code, out, _ = run_cli("check", "-q", "--baseline", "envlint-baseline.json", cwd=recorded.root)
    assert code == 1 and len(out.splitlines()) == 3


def test_baseline_and_diff_base_together(recorded, run_cli):
    recorded.git("switch", "-q", "-c", "feature")
    recorded.write("python/sglang/srt/new.py", 'import os\nm = os.getenv("SGLANG_ENABLE_METRICS")\n')
    recorded.commit("feature")
    code, out, _ = run_cli(
        "check", "-q", "--baseline", "envlint-baseline.json", "--diff-base", "main", cwd=recorded.root
    )
    assert (code, out) == (1, f"python/sglang/srt/new.py:2:5: {METRICS}\n")


def test_recording_is_deterministic(recorded, run_cli):
    run_cli("baseline", "-o", "again.json", cwd=recorded.root)
    assert (recorded.root / "again.json").read_text() == EXPECTED_FILE


def test_empty_baseline(tmp_path, run_cli):
    (tmp_path / "clean.py").write_text("x = 1\n")
    code, out, _ = run_cli("baseline", "-o", "b.json", cwd=tmp_path)
    assert (code, out) == (0, "Recorded 0 findings in b.json.\n")
    assert (tmp_path / "b.json").read_text() == (
        '{\n  "tool": "envlint",\n  "version": 1,\n  "findings": []\n}\n'
    )
    assert json.loads((tmp_path / "b.json").read_text())["findings"] == []


def test_files_that_cannot_be_checked_still_write_the_baseline_and_exit_1(git_repo, run_cli):
    git_repo.write("python/sglang/srt/broken.py", 'import os\nx = os.getenv("SGLANG_LOG_LEVEL"\n')
    code, out, err = run_cli("baseline", "-o", "b.json", cwd=git_repo.root)
    assert (code, out) == (1, "Recorded 0 findings in b.json.\n")
    assert err == (
        "envlint: error: python/sglang/srt/broken.py: cannot parse: '(' was never closed (line 2)\n"
    )
    assert (git_repo.root / "b.json").exists()


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "b.json: no such baseline file (create it with envlint baseline -o b.json)"),
        ("{", "b.json: not JSON: Expecting property name enclosed in double quotes (line 1)"),
        ("[]", 'b.json: not an envlint baseline (no "tool": "envlint")'),
        ('{"tool": "envlint", "version": 2, "findings": []}',
         "b.json: baseline version 2 is not supported (this envlint reads version 1)"),
        ('{"tool": "envlint", "version": 1}', "b.json: 'findings' must be a list"),
        ('{"tool": "envlint", "version": 1, "findings": [1]}', "b.json: findings[0] is not an object"),
        ('{"tool": "envlint", "version": 1, "findings": [{"path": "a.py"}]}',
         "b.json: findings[0]: 'code' must be a string"),
        ('{"tool": "envlint", "version": 1, "findings": [{"path": "a", "code": "ENV001", '
         '"key": "", "source": "", "count": 0}]}',
         "b.json: findings[0]: 'count' must be a positive integer"),
        ('{"tool": "envlint", "version": 1, "findings": [{"path": "a", "code": "ENV001", '
         '"key": "", "source": "", "count": 1, "line": 3}]}',
         "b.json: findings[0]: unknown field 'line'"),
    ],
)
def test_bad_baseline_files_are_one_line_errors(tmp_path, run_cli, content, message):
    if content is not None:
        (tmp_path / "b.json").write_text(content)
    (tmp_path / "a.py").write_text("x = 1\n")
    code, out, err = run_cli("check", "-q", "--baseline", "b.json", cwd=tmp_path)
    assert (code, out, err) == (2, "", f"envlint: error: {message}\n")


def test_show_stale_needs_a_baseline(tmp_path, run_cli):
    code, _, err = run_cli("check", "--show-stale", cwd=tmp_path)
    assert (code, err) == (2, "envlint: error: --show-stale needs --baseline FILE\n")


def test_baseline_needs_an_output_file(tmp_path, run_cli, capsys):
    with pytest.raises(SystemExit) as exit_info:
        run_cli("baseline", cwd=tmp_path)
    assert exit_info.value.code == 2
    assert "the following arguments are required: -o/--output" in capsys.readouterr().err


@pytest.mark.parametrize(
    "source, normalized",
    [
        ('os.getenv("K", "d")', 'os.getenv("K","d")'),
        ('os.getenv(\n    "K",  # why\n    "d",\n)', 'os.getenv("K","d")'),
        ("not  envs.K", "not envs.K"),
        ("a \\\n    and b", "a and b"),
        ('environ["A  #B"]', 'environ["A  #B"]'),
        ("'''x\n  y'''", "'''x\n  y'''"),
        ('"a" "b"', '"a""b"'),
        ('get(r"\\"", x)', 'get(r"\\"",x)'),
        ("", ""),
    ],
)
def test_normalize_source(source, normalized):
    assert normalize_source(source) == normalized


def test_unwritable_output_is_a_one_line_error(tmp_path, run_cli):
    (tmp_path / "a.py").write_text("x = 1\n")
    code, out, err = run_cli("baseline", "-o", "no/such/dir/b.json", cwd=tmp_path)
    assert (code, out) == (2, "")
    assert err == "envlint: error: no/such/dir/b.json: cannot write: No such file or directory\n"
    (tmp_path / "taken").mkdir()
    code, _, err = run_cli("baseline", "-o", "taken", cwd=tmp_path)
    assert (code, err) == (2, "envlint: error: taken: cannot write: Is a directory\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.py", "taken"]  # no temporary left
