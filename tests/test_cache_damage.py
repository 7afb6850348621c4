"""A damaged or hostile ``.envlint_cache/``: never a crash, never a different finding, never a write outside.

The damage is done for real: SQL updates that rename a JSON key or null a
result, byte flips in the database file (seeded, so a failure reproduces), and
symlinks or hard links planted where the cache's files go.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
from pathlib import Path

import pytest

from envlint.runner import check_files, prepare
from hostile import make_outside, make_project, snapshot

FILES = {
    f"python/sglang/srt/m{index}.py": (
        "import os\n"
        "from sglang.srt.environ import envs\n\n"
        f'A = os.getenv("SGLANG_LOG_LEVEL")\n'
        f'B = int(os.environ.get("SGLANG_TIMEOUT_KEEP_ALIVE", "{index}"))\n'
        f'if envs.SGLANG_ENABLE_METRICS:  # noqa: ENV004\n    C = os.environ["SGLANG_NEW_{index}"]\n'
    )
    for index in range(4)
}


def _findings(result) -> list[tuple]:
    return [(f.path, f.line, f.column, f.code, f.message, f.fix) for f in result.findings]


def _check(root: Path, use_cache: bool = True):
    project, files = prepare([root])
    result = check_files(project, files, use_cache=use_cache)
    return _findings(result), result.cached, result.errors


@pytest.fixture
def project(tmp_path) -> Path:
    return make_project(tmp_path, FILES)


def _database(root: Path) -> Path:
    return root / ".envlint_cache" / "cache.sqlite"


def _settle(root: Path) -> None:
    """Fold the write-ahead log into the database file, so its bytes are the whole cache."""
    with sqlite3.connect(_database(root)) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{_database(root)}{suffix}").unlink(missing_ok=True)


# -- damaged entries ---------------------------------------------------------------------------

def _update_results(root: Path, rewrite) -> int:
    """Apply ``rewrite`` to every stored result; the number of entries it changed."""
    changed = 0
    with sqlite3.connect(_database(root)) as db:
        rows = db.execute("SELECT rowid, result FROM results").fetchall()
        for rowid, stored in rows:
            damaged = rewrite(stored)
            changed += damaged != stored
            db.execute("UPDATE results SET result = ? WHERE rowid = ?", (damaged, rowid))
    db.close()
    return changed


def _reseal(edit):
    """Edit the JSON of an entry but keep its checksum: only the schema check can catch it."""
    def rewrite(stored: str) -> str:
        check, text = stored[:32], stored[32:]
        return check + json.dumps(edit(json.loads(text)))
    return rewrite


DAMAGE = {
    "result is JSON null": lambda stored: "null",
    "result is JSON null, checksum kept": _reseal(lambda data: None),
    "renamed JSON key": lambda stored: stored.replace('"raw"', '"rows"'),
    "changed line number": lambda stored: stored.replace('"line":4,', '"line":5,'),
    "plain JSON without a checksum": lambda stored: stored[32:],
    "not text": lambda stored: b"\xff\xfe" + stored.encode(),
    "renamed key, checksum kept": _reseal(lambda data: {"rows" if k == "raw" else k: v for k, v in data.items()}),
    "line as a string, checksum kept": _reseal(
        lambda data: {**data, "raw": [{**item, "line": str(item["line"])} for item in data["raw"]]}
    ),
    "checked index out of range, checksum kept": _reseal(lambda data: {**data, "checked": [99]}),
    "fix of the wrong shape, checksum kept": _reseal(
        lambda data: {**data, "raw": [{**item, "fix": {"edits": 1}} for item in data["raw"]]}
    ),
}


@pytest.mark.parametrize("kind", sorted(DAMAGE))
def test_a_damaged_entry_is_a_miss_never_a_crash_or_another_finding(project, kind):
    expected, _, _ = _check(project, use_cache=False)
    assert len(expected) == 12
    _check(project)
    _settle(project)
    damaged = _update_results(project, DAMAGE[kind])
    assert damaged >= 4  # at least every file with findings
    findings, cached, errors = _check(project)
    assert (findings, errors) == (expected, [])
    assert cached == 5 - damaged  # the untouched entries are still used
    # The damaged entries were replaced: the next run is answered from the cache again.
    findings, cached, _ = _check(project)
    assert findings == expected and cached == 5


def test_damaged_files_rows_only_make_envlint_read_the_files(project):
    """(path, mtime, size) -> digest rows: a damaged one is ignored and the file read instead."""
    expected, _, _ = _check(project, use_cache=False)
    _check(project)
    _settle(project)
    with sqlite3.connect(_database(project)) as db:
        db.execute("UPDATE files SET digest = substr(digest, 1, 63) || 'x' || substr(digest, 65)")
        db.execute("UPDATE files SET mtime_ns = 'soon' WHERE path LIKE '%m0.py'")
    db.close()
    findings, cached, errors = _check(project)
    assert (findings, errors) == (expected, [])
    assert cached == 5  # the results themselves are intact


def test_seeded_byte_flips_never_crash_and_never_change_findings(project):
    """150 runs, each on a fresh copy of a good cache with 1-8 bytes flipped.

    Half the flips land in the stored results (where a flip changed findings
    before entries were checksummed), half anywhere in the file (where they made
    SQLite report a malformed database, and envlint crash).
    """
    expected, _, _ = _check(project, use_cache=False)
    _check(project)
    _settle(project)
    pristine = _database(project).read_bytes()
    payload = [index for index in range(len(pristine)) if pristine.startswith(b'{"raw"', index)]
    assert payload, "the stored results must be findable in the database file"
    rng = random.Random(20261130)
    detected = 0
    for run in range(150):
        damaged = bytearray(pristine)
        for _ in range(rng.randint(1, 8)):
            if run % 2:
                position = rng.randrange(len(damaged))
            else:
                position = rng.choice(payload) + rng.randrange(400)
                position = min(position, len(damaged) - 1)
            damaged[position] ^= 1 << rng.randrange(8)
        for suffix in ("-wal", "-shm"):
            Path(f"{_database(project)}{suffix}").unlink(missing_ok=True)
        _database(project).write_bytes(bytes(damaged))
        findings, cached, errors = _check(project)
        assert (findings, errors) == (expected, []), f"run {run}"
        detected += cached < 5
    assert detected > 50  # the damage really reached the entries in many runs


# -- symlinks and hard links where the cache goes ------------------------------------------------

def _plant(root: Path, outside: Path, kind: str) -> None:
    cache = root / ".envlint_cache"
    if kind == "directory -> outside":
        cache.symlink_to(outside, target_is_directory=True)
        return
    if kind == "directory -> dangling":
        cache.symlink_to(outside / "made-by-envlint")
        return
    cache.mkdir()
    name, _, target = kind.partition(" -> ")
    if target == "dangling":
        (cache / name).symlink_to(outside / f"{name}-made-by-envlint")
    elif target == "outside file":
        (cache / name).symlink_to(outside / "victim.py")
    elif target == "empty outside file":  # SQLite would happily make a database of it
        (outside / "empty").write_bytes(b"")
        (cache / name).symlink_to(outside / "empty")
    elif target == "hard link":
        (outside / "empty").write_bytes(b"")
        os.link(outside / "empty", cache / name)
    if name != ".gitignore":
        (cache / ".gitignore").write_text("*\n")


PLANTED = [
    "directory -> outside",
    "directory -> dangling",
    ".gitignore -> dangling",
    ".gitignore -> outside file",
    "cache.sqlite -> dangling",
    "cache.sqlite -> outside file",
    "cache.sqlite -> empty outside file",
    "cache.sqlite -> hard link",
    "cache.sqlite-wal -> empty outside file",
    "cache.sqlite-wal -> dangling",
    "cache.sqlite-shm -> dangling",
    "cache.sqlite-journal -> dangling",
]


@pytest.mark.parametrize("kind", PLANTED)
def test_a_planted_link_makes_the_run_go_without_a_cache_and_touches_nothing_outside(
    tmp_path, run_cli, kind
):
    outside = make_outside(tmp_path)
    root = make_project(tmp_path, FILES)
    expected_code, expected_out, _ = run_cli("check", "--no-cache", ".", cwd=root)
    _plant(root, outside, kind)
    before = snapshot(outside)
    for _ in range(2):
        code, out, err = run_cli("check", ".", cwd=root)
        assert (code, out, err) == (expected_code, expected_out, "")
    assert snapshot(outside) == before
    assert not (tmp_path / "made-by-envlint").exists()


def test_without_links_the_cache_is_used(tmp_path, run_cli):
    root = make_project(tmp_path, FILES)
    run_cli("check", ".", cwd=root)
    project_, files = prepare([root])
    assert check_files(project_, files, use_cache=True).cached == len(files)
    assert (root / ".envlint_cache/.gitignore").read_text() == "# Created by envlint.\n*\n"
