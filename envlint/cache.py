"""A content-hash cache of per-file results, shared by ``envlint check`` and flake8.

Where: ``<project root>/.envlint_cache/cache.sqlite`` (a ``.gitignore`` inside
keeps it out of version control). SQLite because several processes use it at
once — a pre-commit hook, an editor's flake8, CI — and its transactions make
concurrent readers and writers safe without lock files of our own.

What a result is keyed by:

* the run's *fingerprint*: envlint's version and its own source files, the
  configuration, the content of every registry file and the selected rules —
  change any of them and every entry is stale;
* the file's module name (relative imports and governing registries depend on
  where a file lives) and the sha256 of its bytes.

A second table remembers (path, mtime, size) -> content hash, so an unchanged
tree is answered without reading its files. Results are stored as JSON, never
pickle: a cache directory that arrives with a cloned repository must not be able
to run code.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from dataclasses import asdict
from pathlib import Path
from typing import Optional

from . import __version__
from .findings import Edit, Finding, Fix, ImportRequest, RegistryEdit

CACHE_DIR = ".envlint_cache"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    fingerprint TEXT NOT NULL,
    key TEXT NOT NULL,
    result TEXT NOT NULL,
    used REAL NOT NULL,
    PRIMARY KEY (fingerprint, key)
);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY,
    mtime_ns INTEGER NOT NULL,
    size INTEGER NOT NULL,
    digest TEXT NOT NULL
);
"""
_MAX_RESULTS = 200_000  # beyond this, the least recently used entries go


def _code_fingerprint() -> str:
    """envlint's own source files (name, size, mtime): an edited checkout is a new envlint."""
    package = Path(__file__).resolve().parent
    parts = []
    for path in sorted(package.rglob("*.py")):
        stat = path.stat()
        parts.append(f"{path.relative_to(package)}:{stat.st_size}:{stat.st_mtime_ns}")
    return "|".join(parts)


def fingerprint(config, registry_contents: list[bytes], rule_codes: list[str]) -> str:
    digest = hashlib.sha256()
    digest.update(__version__.encode())
    digest.update(_code_fingerprint().encode())
    digest.update(repr(config).encode())
    for content in registry_contents:
        digest.update(hashlib.sha256(content).digest())
    digest.update(",".join(rule_codes).encode())
    return digest.hexdigest()


def content_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# -- (de)serialising results ---------------------------------------------------------------


def _finding_to_dict(finding: Finding) -> dict:
    data = asdict(finding)
    data.pop("path")
    return data


def _fix_from_dict(data: Optional[dict]) -> Optional[Fix]:
    if data is None:
        return None
    return Fix(
        applicability=data["applicability"],
        description=data["description"],
        edits=tuple(Edit(**e) for e in data["edits"]),
        reason=data["reason"],
        add_imports=tuple(ImportRequest(**i) for i in data["add_imports"]),
        maybe_unused=tuple(data["maybe_unused"]),
        registry_edits=tuple(RegistryEdit(**r) for r in data["registry_edits"]),
    )


def _finding_from_dict(data: dict, path: str) -> Finding:
    return Finding(
        path=path,
        line=data["line"],
        column=data["column"],
        code=data["code"],
        end_line=data["end_line"],
        end_column=data["end_column"],
        message=data["message"],
        key=data["key"],
        fix=_fix_from_dict(data["fix"]),
        snippet=data["snippet"],
    )


class Cache:
    """One connection to one project's cache; every failure degrades to "no cache"."""

    def __init__(self, root: Path, fingerprint_value: str):
        self.fingerprint = fingerprint_value
        self._db: Optional[sqlite3.Connection] = None
        directory = root / CACHE_DIR
        try:
            directory.mkdir(exist_ok=True)
            ignore = directory / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# Created by envlint.\n*\n")
            self._db = sqlite3.connect(str(directory / "cache.sqlite"), timeout=30)
        except (OSError, sqlite3.Error):
            self._db = None
            return
        try:
            # WAL (readers never block the writer) persists in the file: when another
            # process holds a lock right now, the database already has it.
            self._db.execute("PRAGMA journal_mode=WAL")
        except sqlite3.OperationalError:
            pass
        except sqlite3.Error:  # not a database at all
            self._db = None
            return
        try:
            self._db.execute("PRAGMA synchronous=NORMAL")  # a lost entry is just recomputed
            self._db.executescript(_SCHEMA)
        except sqlite3.Error:
            self._db = None

    @property
    def usable(self) -> bool:
        return self._db is not None

    def known_digests(self, paths: list[Path]) -> dict[Path, str]:
        """Content digests of files whose (mtime, size) did not change since stored."""
        if self._db is None:
            return {}
        try:
            rows = dict(
                (row[0], row[1:]) for row in self._db.execute("SELECT path, mtime_ns, size, digest FROM files")
            )
        except sqlite3.Error:
            return {}
        known = {}
        for path in paths:
            entry = rows.get(str(path))
            if entry is None:
                continue
            try:
                stat = os.stat(path)
            except OSError:
                continue
            if (stat.st_mtime_ns, stat.st_size) == (entry[0], entry[1]):
                known[path] = entry[2]
        return known

    def load(self, keys: list[str]) -> dict[str, dict]:
        if self._db is None or not keys:
            return {}
        found: dict[str, dict] = {}
        try:
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                marks = ",".join("?" * len(chunk))
                for key, result in self._db.execute(
                    f"SELECT key, result FROM results WHERE fingerprint = ? AND key IN ({marks})",
                    (self.fingerprint, *chunk),
                ):
                    found[key] = json.loads(result)
        except (sqlite3.Error, ValueError):
            return {}
        return found

    def store(self, entries: list[tuple[str, dict]], files: list[tuple[Path, str]]) -> None:
        if self._db is None or (not entries and not files):
            return
        now = time.time()
        rows = []
        for path, digest in files:
            try:
                stat = os.stat(path)
            except OSError:
                continue
            rows.append((str(path), stat.st_mtime_ns, stat.st_size, digest))
        try:
            with self._db:
                self._db.executemany(
                    "INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?)",
                    [(self.fingerprint, key, json.dumps(result), now) for key, result in entries],
                )
                self._db.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?)", rows)
                (count,) = self._db.execute("SELECT COUNT(*) FROM results").fetchone()
                if count > _MAX_RESULTS:
                    self._db.execute(
                        "DELETE FROM results WHERE rowid IN (SELECT rowid FROM results ORDER BY used LIMIT ?)",
                        (count - _MAX_RESULTS,),
                    )
        except sqlite3.Error:
            pass


def result_key(module: str, digest: str) -> str:
    return f"{module}:{digest}"


def encode_result(
    raw: list[Finding], checked: list[Finding], error: Optional[str], parsed: bool
) -> dict:
    """``raw``: before ``# noqa`` (flake8 applies its own); ``checked``: after (envlint check)."""
    return {
        "raw": [_finding_to_dict(f) for f in raw],
        # By identity: findings compare by position and code, and one site can hold
        # several (a loop over two keys) that must not collapse into the first.
        "checked": [next(i for i, r in enumerate(raw) if r is f) for f in checked],
        "error": error,
        "parsed": parsed,
    }


def decode_findings(result: dict, path: str) -> tuple[list[Finding], list[Finding]]:
    """(findings before noqa, findings after noqa)."""
    raw = [_finding_from_dict(item, path) for item in result["raw"]]
    return raw, [raw[index] for index in result["checked"]]
