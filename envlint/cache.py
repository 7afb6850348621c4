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

Hostile or damaged caches (see docs/reliability.md):

* nothing outside the project root is ever created or written: the cache
  directory, its ``.gitignore`` and the database files must be what they seem
  (a real directory; regular, singly linked files), never symlinks, else the
  run goes on without a cache;
* every entry is sealed with a checksum and checked against the result schema
  when read (``envlint.cache_entries``); a damaged entry is a miss, never an
  error and never a different finding. A damaged (path, mtime, size) row only
  makes envlint read the file.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
import time
from pathlib import Path
from typing import Callable, Optional

from . import __version__
from .cache_entries import DamagedEntry, decode_findings, encode_result, seal, unseal

__all__ = ["CACHE_DIR", "Cache", "content_digest", "decode_findings", "encode_result", "fingerprint", "result_key"]

CACHE_DIR = ".envlint_cache"
_DATABASE = "cache.sqlite"
# Files SQLite opens next to the database; each must be absent or a plain file.
_DATABASE_FILES = (_DATABASE, f"{_DATABASE}-wal", f"{_DATABASE}-shm", f"{_DATABASE}-journal")
_GITIGNORE = b"# Created by envlint.\n*\n"
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
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


class Cache:
    """One connection to one project's cache; every failure degrades to "no cache"."""

    def __init__(self, root: Path, fingerprint_value: str):
        self.fingerprint = fingerprint_value
        self._db: Optional[sqlite3.Connection] = None
        directory = root / CACHE_DIR
        if not _prepare_directory(directory):
            return
        try:
            self._db = sqlite3.connect(str(directory / _DATABASE), timeout=30)
        except (sqlite3.Error, OSError):
            self._db = None
            return
        try:
            # A schema cannot call functions with side effects on our behalf.
            self._db.execute("PRAGMA trusted_schema=OFF")
        except sqlite3.Error:
            pass
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
            rows = {
                row[0]: row[1:]
                for row in self._db.execute("SELECT path, mtime_ns, size, digest FROM files")
            }
        except Exception:  # a damaged database: no cache, never a crash
            return {}
        known = {}
        for path in paths:
            entry = rows.get(str(path))
            if entry is None:
                continue
            mtime_ns, size, digest = entry
            digest = _valid_digest(mtime_ns, size, digest)
            if digest is None:
                continue
            try:
                info = os.stat(path)
            except OSError:
                continue
            if (info.st_mtime_ns, info.st_size) == (mtime_ns, size):
                known[path] = digest
        return known

    def load(self, keys: list[str], validate: "Callable[[object], None] | None" = None) -> dict[str, dict]:
        """The intact, well-formed entries among ``keys``; damaged ones are simply missing.

        ``validate`` raises ``DamagedEntry`` for an entry of the wrong shape; the default
        checks file results (``cache_entries.validate_result``)."""
        if self._db is None or not keys:
            return {}
        found: dict[str, dict] = {}
        try:
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                marks = ",".join("?" * len(chunk))
                for key, stored in self._db.execute(
                    f"SELECT key, result FROM results WHERE fingerprint = ? AND key IN ({marks})",
                    (self.fingerprint, *chunk),
                ):
                    try:
                        found[key] = unseal(self.fingerprint, key, stored, validate)
                    except DamagedEntry:
                        continue
        except Exception:  # a damaged database (or column bytes that are not UTF-8)
            return {}
        return {key: found[key] for key in keys if key in found}

    def store(self, entries: list[tuple[str, dict]], files: list[tuple[Path, str]]) -> None:
        if self._db is None or (not entries and not files):
            return
        now = time.time()
        rows = []
        for path, digest in files:
            try:
                info = os.stat(path)
            except OSError:
                continue
            rows.append((str(path), info.st_mtime_ns, info.st_size, digest))
        try:
            with self._db:
                self._db.executemany(
                    "INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?)",
                    [(self.fingerprint, key, seal(self.fingerprint, key, result), now) for key, result in entries],
                )
                self._db.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?)", rows)
                (count,) = self._db.execute("SELECT COUNT(*) FROM results").fetchone()
                if count > _MAX_RESULTS:
                    self._db.execute(
                        "DELETE FROM results WHERE rowid IN (SELECT rowid FROM results ORDER BY used LIMIT ?)",
                        (count - _MAX_RESULTS,),
                    )
        except Exception:  # a damaged database: the results are simply not stored
            pass


def _valid_digest(mtime_ns: object, size: object, digest: object) -> Optional[str]:
    """The content digest of a ``files`` row, or None when the row is damaged.

    No checksum is needed here: a damaged digest can only name a result that
    does not exist (result keys also hold the module name, which comes from the
    path), so the worst a damaged row does is make envlint read the file.
    """
    if type(mtime_ns) is not int or type(size) is not int or not isinstance(digest, str):
        return None
    return digest if len(digest) == 64 else None


def _prepare_directory(directory: Path) -> bool:
    """Make ``.envlint_cache/`` ready without ever writing through a symlink.

    True when the directory is a real directory (created if missing), its
    ``.gitignore`` exists, and each database file SQLite would open is absent or
    a regular file with a single link. A symlink (dangling or not) or a hard
    link there could point outside the project: then no cache is used at all.
    SQLite opens files by name, so these checks run just before it does; a
    process racing to plant a symlink in between is outside what envlint guards.
    """
    try:
        os.mkdir(directory)
    except FileExistsError:
        pass
    except OSError:
        return False
    try:
        info = os.lstat(directory)
        if not stat.S_ISDIR(info.st_mode):
            return False  # a symlink to a directory elsewhere, or not a directory
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _NOFOLLOW)
    except OSError:
        return False
    try:
        opened = os.fstat(fd)
        if (opened.st_dev, opened.st_ino) != (info.st_dev, info.st_ino):
            return False
        at = {"dir_fd": fd} if os.open in os.supports_dir_fd else {}

        def name(entry: str) -> "str | Path":
            return entry if at else directory / entry

        try:
            ignore = os.open(
                name(".gitignore"), os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o644, **at
            )
        except FileExistsError:  # already there (a dangling symlink counts: not followed)
            pass
        else:
            with os.fdopen(ignore, "wb") as handle:
                handle.write(_GITIGNORE)
        for entry in _DATABASE_FILES:
            try:
                found = os.lstat(name(entry), **at)
            except FileNotFoundError:
                continue
            if not stat.S_ISREG(found.st_mode) or found.st_nlink != 1:
                return False
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


def result_key(module: str, digest: str) -> str:
    return f"{module}:{digest}"
