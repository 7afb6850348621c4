"""``envlint check --diff-base REF`` against real git repositories: branches, renames, the
working tree, subdirectories, and the errors a user can cause."""

from __future__ import annotations

SERVER = "python/sglang/srt/server.py"
OLD = '''\
import os

timeout = int(os.getenv("SGLANG_TIMEOUT_KEEP_ALIVE", "5"))
'''
TIMEOUT = (
    "ENV001 raw read of SGLANG_TIMEOUT_KEEP_ALIVE via os.getenv(); "
    "use envs.SGLANG_TIMEOUT_KEEP_ALIVE.get()"
)
LEVEL = "ENV001 raw read of SGLANG_LOG_LEVEL via os.getenv(); use envs.SGLANG_LOG_LEVEL.get()"
METRICS = (
    "ENV001 raw read of SGLANG_ENABLE_METRICS via os.getenv(); use envs.SGLANG_ENABLE_METRICS.get()"
)
RAW_METRICS = 'import os\nm = os.getenv("SGLANG_ENABLE_METRICS")\n'


def _feature_branch(repo, old: str = OLD):
    repo.write(SERVER, old)
    repo.commit("old code with a raw read")
    repo.git("switch", "-q", "-c", "feature")


def test_only_added_lines_are_reported(git_repo, run_cli):
    _feature_branch(git_repo)
    git_repo.write(SERVER, OLD + 'level = os.getenv("SGLANG_LOG_LEVEL")\n')
    git_repo.commit("feature adds a raw read")
    code, out, err = run_cli("check", "-q", "--diff-base", "main", cwd=git_repo.root)
    assert (code, out, err) == (1, f"{SERVER}:4:9: {LEVEL}\n", "")
    # Without --diff-base the old finding is there too.
    _, out, _ = run_cli("check", "-q", cwd=git_repo.root)
    assert out == f"{SERVER}:3:15: {TIMEOUT}\n{SERVER}:4:9: {LEVEL}\n"


def test_a_changed_line_counts_as_new(git_repo, run_cli):
    _feature_branch(git_repo)
    git_repo.write(SERVER, OLD.replace('"5"', '"7"'))
    git_repo.commit("change the default")
    code, out, _ = run_cli("check", "-q", "--diff-base", "main", cwd=git_repo.root)
    assert (code, out) == (1, f"{SERVER}:3:15: {TIMEOUT}\n")


def test_nothing_new_exits_zero(git_repo, run_cli):
    _feature_branch(git_repo)
    git_repo.write("python/sglang/srt/other.py", "x = 1\n")
    git_repo.commit("clean change")
    assert run_cli("check", "-q", "--diff-base", "main", cwd=git_repo.root) == (0, "", "")


def test_a_multiline_finding_counts_when_any_of_its_lines_changed(git_repo, run_cli):
    old = 'import os\n\nlevel = os.getenv(\n    "SGLANG_LOG_LEVEL",\n    "info",\n)\n'
    _feature_branch(git_repo, old)
    git_repo.write(SERVER, old.replace('"info"', '"debug"'))
    git_repo.commit("only the default line changes")
    code, out, _ = run_cli("check", "-q", "--diff-base", "main", cwd=git_repo.root)
    assert (code, out) == (1, f"{SERVER}:3:9: {LEVEL}\n")


def test_renamed_file_counts_only_its_edited_lines(git_repo, run_cli):
    _feature_branch(git_repo)
    git_repo.git("mv", SERVER, "python/sglang/srt/http_server.py")
    git_repo.write(
        "python/sglang/srt/http_server.py", OLD + 'level = os.getenv("SGLANG_LOG_LEVEL")\n'
    )
    git_repo.commit("rename and add a line")
    code, out, _ = run_cli("check", "-q", "--diff-base", "main", cwd=git_repo.root)
    assert (code, out) == (1, f"python/sglang/srt/http_server.py:4:9: {LEVEL}\n")


def test_pure_rename_reports_nothing(git_repo, run_cli):
    _feature_branch(git_repo)
    git_repo.git("mv", SERVER, "python/sglang/srt/moved.py")
    git_repo.commit("rename only")
    assert run_cli("check", "-q", "--diff-base", "main", cwd=git_repo.root) == (0, "", "")


def test_merge_base_not_the_tip_of_ref(git_repo, run_cli):
    """Lines main changed after the branch forked are not the branch's new code."""
    _feature_branch(git_repo)
    git_repo.write("python/sglang/srt/feature.py", "x = 1\n")
    git_repo.commit("feature work elsewhere")
    git_repo.git("switch", "-q", "main")
    git_repo.write(SERVER, "import os\n")
    git_repo.commit("main removes the raw read")
    git_repo.git("switch", "-q", "feature")
    # A plain `git diff main` would show line 3 of server.py as added by the branch.
    assert run_cli("check", "-q", "--diff-base", "main", cwd=git_repo.root) == (0, "", "")


def test_working_tree_staged_and_untracked_changes_count(git_repo, run_cli):
    _feature_branch(git_repo)
    git_repo.write(SERVER, OLD + 'level = os.getenv("SGLANG_LOG_LEVEL")\n')  # unstaged
    git_repo.write("python/sglang/srt/staged.py", RAW_METRICS)
    git_repo.git("add", "python/sglang/srt/staged.py")
    git_repo.write("python/sglang/srt/untracked.py", RAW_METRICS)
    git_repo.write(".gitignore", "ignored.py\n")
    git_repo.write("python/sglang/srt/ignored.py", RAW_METRICS)
    code, out, _ = run_cli("check", "-q", "--diff-base", "main", cwd=git_repo.root)
    assert code == 1
    assert out.splitlines() == [
        f"{SERVER}:4:9: {LEVEL}",
        f"python/sglang/srt/staged.py:2:5: {METRICS}",
        f"python/sglang/srt/untracked.py:2:5: {METRICS}",
    ]


def test_diff_base_head_judges_uncommitted_work_only(git_repo, run_cli):
    """What a pre-commit hook wants: the lines this commit is about to add."""
    _feature_branch(git_repo)
    git_repo.write(SERVER, OLD + 'level = os.getenv("SGLANG_LOG_LEVEL")\n')
    git_repo.commit("already committed")
    git_repo.write(
        SERVER,
        OLD + 'level = os.getenv("SGLANG_LOG_LEVEL")\nm = os.getenv("SGLANG_ENABLE_METRICS")\n',
    )
    code, out, _ = run_cli("check", "-q", "--diff-base", "HEAD", cwd=git_repo.root)
    assert (code, out) == (1, f"{SERVER}:5:5: {METRICS}\n")


def test_works_from_a_subdirectory(git_repo, run_cli):
    _feature_branch(git_repo)
    git_repo.write(SERVER, OLD + 'level = os.getenv("SGLANG_LOG_LEVEL")\n')
    git_repo.commit("feature")
    subdirectory = git_repo.root / "python/sglang"
    code, out, _ = run_cli("check", "-q", "--diff-base", "main", ".", cwd=subdirectory)
    assert (code, out) == (1, f"srt/server.py:4:9: {LEVEL}\n")


def test_unusual_file_names(git_repo, run_cli):
    """git quotes names with spaces, quotes and non-ASCII characters in its diff headers."""
    _feature_branch(git_repo)
    names = [
        "python/sglang/srt/with space.py",
        'python/sglang/srt/quote"d.py',
        "python/sglang/srt/ünï.py",
    ]
    for name in names:
        git_repo.write(name, 'import os\n\nm = os.getenv("SGLANG_ENABLE_METRICS")\n')
    git_repo.commit("odd names")
    for name in names:
        git_repo.write(
            name,
            'import os\nx = 1\nm = os.getenv("SGLANG_ENABLE_METRICS")\n'
            'n = os.getenv("SGLANG_LOG_LEVEL")\n',
        )
    code, out, _ = run_cli("check", "-q", "--diff-base", "HEAD", cwd=git_repo.root)
    assert code == 1
    assert sorted(out.splitlines()) == sorted(f"{name}:4:5: {LEVEL}" for name in names)


def test_hunk_lines_that_look_like_file_headers(git_repo, run_cli):
    """Removing `-- a` and adding `++ a` prints `--- a` / `+++ a` inside a hunk."""
    old = "import os\na = 1\n-- a\n" + "b = 2\n" * 6 + 'level = os.getenv("SGLANG_LOG_LEVEL", "x")\n'
    _feature_branch(git_repo, old)
    git_repo.write(SERVER, old.replace("-- a", "++ a").replace('"x"', '"y"'))
    git_repo.commit("two hunks")
    code, out, _ = run_cli("check", "-q", "--diff-base", "main", cwd=git_repo.root)
    assert (code, out) == (1, f"{SERVER}:10:9: {LEVEL}\n")


def test_untouched_files_are_not_checked(git_repo, run_cli):
    """A broken file the branch does not touch is not this branch's problem."""
    git_repo.write("python/sglang/srt/broken.py", 'import os\nx = os.getenv("SGLANG_LOG_LEVEL"\n')
    _feature_branch(git_repo)
    git_repo.git("rm", "-q", SERVER)
    git_repo.commit("delete a file")
    assert run_cli("check", "-q", "--diff-base", "main", cwd=git_repo.root) == (0, "", "")
    code, _, err = run_cli("check", "-q", cwd=git_repo.root)
    assert code == 1 and "broken.py: cannot parse" in err


def test_outside_a_repository(tmp_path, run_cli):
    (tmp_path / "a.py").write_text("x = 1\n")
    code, out, err = run_cli("check", "-q", "--diff-base", "main", cwd=tmp_path)
    assert (code, out) == (2, "")
    assert err == f"envlint: error: --diff-base needs a git repository, and {tmp_path} is not in one\n"


def test_unknown_ref(git_repo, run_cli):
    code, out, err = run_cli("check", "-q", "--diff-base", "origin/nope", cwd=git_repo.root)
    assert (code, out) == (2, "")
    assert err == (
        "envlint: error: unknown git revision 'origin/nope' (fetch it first; "
        "in GitHub Actions check out with fetch-depth: 0)\n"
    )


def test_empty_or_option_like_ref(git_repo, run_cli):
    code, _, err = run_cli("check", "-q", "--diff-base", "", cwd=git_repo.root)
    assert (code, err) == (
        2, "envlint: error: --diff-base needs a git revision (a branch, tag or commit), got ''\n"
    )
    code, _, err = run_cli("check", "--diff-base=--output=x", cwd=git_repo.root)
    assert (code, err) == (2, "envlint: error: unknown git revision '--output=x'\n")


def test_unrelated_histories(git_repo, run_cli):
    git_repo.git("switch", "-q", "--orphan", "other")
    git_repo.write("x.py", "x = 1\n")
    git_repo.commit("unrelated root")
    code, _, err = run_cli("check", "-q", "--diff-base", "main", cwd=git_repo.root)
    assert (code, err) == (2, "envlint: error: HEAD and 'main' have no common ancestor\n")


def test_repository_without_commits(tmp_path, run_cli, monkeypatch):
    from gitrepo import GIT_ENV, GitRepo

    for name, value in GIT_ENV.items():
        monkeypatch.setenv(name, value)
    repo = GitRepo(tmp_path)
    repo.git("init", "-q", "-b", "main")
    code, _, err = run_cli("check", "-q", "--diff-base", "main", cwd=tmp_path)
    assert (code, err) == (
        2, "envlint: error: HEAD has no commits yet; commit something before using --diff-base\n"
    )
