"""Adopt envlint on a codebase with existing debt: record today's findings, report only new ones.

``envlint baseline -o FILE`` writes the findings of a run; ``envlint check
--baseline FILE`` then reports only what the file does not account for.

Why no line numbers in the key: any edit above a finding would shift it and
make it look new. A finding is identified by its file, code, variable name and
the normalized source of the offending expression, and the baseline stores how
many findings share that identity. When a file has more of one identity than
recorded, the extra ones, taken as the last by position, are new.

Paths are stored relative to the baseline file's directory, so the same file
works from any working directory. The format is versioned JSON with one sorted
entry per line, so a baseline change reads well in a diff.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from .atomic import atomic_write
from .findings import Finding
from .userfiles import read_named_file

VERSION = 1
_WORD = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


class BaselineError(Exception):
    """The baseline file cannot be used; one line for the user."""


@dataclass(frozen=True, order=True)
class Identity:
    """What a finding is, independent of where in its file it currently sits."""

    path: str  # POSIX, relative to the baseline file's directory
    code: str
    key: str  # the variable name, "" when the finding has none
    source: str  # normalize_source() of the offending expression

    def describe(self) -> str:
        return f"{self.path}: {self.code} {self.source or self.key}"


def _skip_string(text: str, start: int) -> int:
    """Index just past the string literal whose opening quote is at ``start``."""
    quote = text[start] * 3 if text.startswith(text[start] * 3, start) else text[start]
    index = start + len(quote)
    while index < len(text):
        if text[index] == "\\":
            index += 2
        elif text.startswith(quote, index):
            return index + len(quote)
        else:
            index += 1
    return len(text)


def normalize_source(source: str) -> str:
    """The expression's text with formatting removed: what reformatting cannot change.

    Whitespace, line breaks and comments outside string literals go (a single space
    stays between two word characters, as in ``not envs``), and so do trailing
    commas before a closing bracket. A pure function of the text, so the same
    baseline reads the same on every Python version.
    """
    out: list[str] = []
    index, pending_space = 0, False
    while index < len(source):
        char = source[index]
        if char in "\"'":
            end = _skip_string(source, index)
            if pending_space and out and out[-1][-1] in _WORD:
                out.append(" ")
            out.append(source[index:end])
            index, pending_space = end, False
            continue
        if char == "#":
            while index < len(source) and source[index] not in "\r\n":
                index += 1
            continue
        if char.isspace() or char == "\\":
            pending_space = True
            index += 1
            continue
        if char in ")]}" and out and out[-1] == ",":
            out.pop()
        if pending_space and out and out[-1][-1] in _WORD and char in _WORD:
            out.append(" ")
        out.append(char)
        index, pending_space = index + 1, False
    return "".join(out)


def _relative(path: Path, base_dir: Path) -> str:
    return Path(os.path.relpath(path.resolve(), base_dir)).as_posix()


def identity(finding: Finding, base_dir: Path) -> Identity:
    return Identity(
        _relative(Path(finding.path), base_dir),
        finding.code,
        finding.key or "",
        normalize_source(finding.snippet),
    )


def render(findings: Iterable[Finding], file: Path) -> str:
    base_dir = file.resolve().parent
    counts = Counter(identity(finding, base_dir) for finding in findings)
    entries = [
        json.dumps(
            {"path": i.path, "code": i.code, "key": i.key, "source": i.source, "count": n},
            ensure_ascii=False,
        )
        for i, n in sorted(counts.items())
    ]
    body = ",\n".join(f"    {entry}" for entry in entries)
    return (
        f'{{\n  "tool": "envlint",\n  "version": {VERSION},\n  "findings": ['
        + (f"\n{body}\n  " if entries else "")
        + "]\n}\n"
    )


def write(findings: Iterable[Finding], file: Path) -> None:
    """Replace ``file`` atomically, so an interrupted run never leaves half a baseline."""
    try:
        atomic_write(file, render(findings, file).encode("utf-8"))
    except OSError as exc:
        raise BaselineError(f"{file}: cannot write: {exc.strerror or exc}") from None


def _entry(file: Path, number: int, entry: object) -> tuple[Identity, int]:
    where = f"{file}: findings[{number}]"
    if not isinstance(entry, dict):
        raise BaselineError(f"{where} is not an object")
    for name in ("path", "code", "key", "source"):
        if not isinstance(entry.get(name), str):
            raise BaselineError(f"{where}: {name!r} must be a string")
    count = entry.get("count")
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        raise BaselineError(f"{where}: 'count' must be a positive integer")
    unknown = sorted(set(entry) - {"path", "code", "key", "source", "count"})
    if unknown:
        raise BaselineError(f"{where}: unknown field {unknown[0]!r}")
    return Identity(entry["path"], entry["code"], entry["key"], entry["source"]), count


def load(file: Path) -> Counter:
    """Identity -> count, validated; every problem is a one-line ``BaselineError``."""
    text = read_named_file(file, "baseline file", "envlint baseline -o", BaselineError)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BaselineError(f"{file}: not JSON: {exc.msg} (line {exc.lineno})") from None
    if not isinstance(data, dict) or data.get("tool") != "envlint":
        raise BaselineError(f"{file}: not an envlint baseline (no \"tool\": \"envlint\")")
    if data.get("version") != VERSION:
        raise BaselineError(
            f"{file}: baseline version {data.get('version')!r} is not supported "
            f"(this envlint reads version {VERSION})"
        )
    if not isinstance(data.get("findings"), list):
        raise BaselineError(f"{file}: 'findings' must be a list")
    counts: Counter = Counter()
    for number, entry in enumerate(data["findings"]):
        found, count = _entry(file, number, entry)
        counts[found] += count
    return counts


@dataclass
class Comparison:
    new: list[Finding]
    stale: list[tuple[Identity, int]]  # recorded but no longer found, with how many


def compare(
    recorded: Counter,
    findings: list[Finding],
    file: Path,
    checked_files: Iterable[Path],
    selected_codes: Iterable[str],
) -> Comparison:
    """Split ``findings`` (sorted by position) into new ones, and find stale entries.

    Only entries this run could have found are stale: those for a checked file
    and a selected code. An entry for a file that was not checked is not stale.
    """
    base_dir = file.resolve().parent
    groups: dict[Identity, list[Finding]] = {}
    for finding in findings:
        groups.setdefault(identity(finding, base_dir), []).append(finding)
    new = sorted(f for key, group in groups.items() for f in group[recorded.get(key, 0):])
    checked = {_relative(path, base_dir) for path in checked_files}
    codes = set(selected_codes)
    stale = [
        (key, count - len(groups.get(key, ())))
        for key, count in sorted(recorded.items())
        if count > len(groups.get(key, ())) and key.path in checked and key.code in codes
    ]
    return Comparison(new, stale)
