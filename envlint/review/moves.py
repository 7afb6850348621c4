"""Renames that no registry entry declares: a removed key whose call sites now read a new one.

Evidence comes from the diff ``--diff-base`` already computes: a removed line
that mentions a removed key and an added line that mentions an added key,
identical once each key is replaced by a placeholder (``if not
envs.SGLANG_NSA_FUSE_TOPK.get() or x:`` became ``if not
envs.SGLANG_DSA_FUSE_TOPK.get() or x:``). Indentation is ignored, so code that
moved into another function or file still counts.

Two guards keep unrelated keys apart: the registry files' own lines are not
evidence (``X = EnvBool(False)`` would pair any two booleans with the same
default), and the two names must share at least half of their words (after
the project prefix). When a removed key pairs with several added keys, the
one with the most matching lines wins; a tie means no rename is claimed.

Speed: the diff of a whole release is ~60 MB. Lines are located from the
occurrences of the keys' first words (``SGLANG_``), found with ``str.find``
(one pass per distinct first word), and the registries' own diffs are found
by their headers, so the cost is a few passes of ``str.find`` plus work that
follows the number of mentions. Only added keys that are similar to some
removed key are looked for.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Iterable

_NAME = re.compile(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b")
_MIN_TEMPLATE = 8  # non-blank characters a line needs besides the key to count as evidence
PLACEHOLDER = "\0"


def _words(name: str, prefixes: tuple[str, ...]) -> set[str]:
    for prefix in prefixes:
        if name.startswith(prefix):
            name = name[len(prefix):]
            break
    return set(name.split("_"))


def similar(old: str, new: str, prefixes: tuple[str, ...] = ()) -> bool:
    """The names share at least half the words of the longer one (project prefix aside)."""
    return _similar_words(_words(old, prefixes), _words(new, prefixes))


def _similar_words(a: set[str], b: set[str]) -> bool:
    return 2 * len(a & b) >= max(len(a), len(b))


def _lines_mentioning(patch: str, needles: Iterable[str]) -> dict[int, str]:
    """{start offset: line} for every patch line containing one of ``needles``."""
    found: dict[int, str] = {}
    for needle in needles:
        index = patch.find(needle)
        while index != -1:
            start = patch.rfind("\n", 0, index) + 1
            if start not in found:
                end = patch.find("\n", index)
                found[start] = patch[start:] if end == -1 else patch[start:end]
            index = patch.find(needle, index + len(needle))
    return found


def _skipped_regions(patch: str, paths: Iterable[str]) -> list[tuple[int, int]]:
    """The spans of the patch that hold these files' diffs (a registry's own lines).

    A header counts only at the start of a line: every line of file content in a
    patch starts with "+", "-", " " or "\\", so content can never pose as one
    (the patch is split at "\n" only, as git writes it).
    """
    regions = []
    for path in paths:
        header = f"diff --git a/{path} b/{path}\n"
        start = 0 if patch.startswith(header) else patch.find("\n" + header)
        if start != -1:
            end = patch.find("\ndiff --git ", start + 1)
            regions.append((start, len(patch) if end == -1 else end))
    return regions


def call_site_moves(
    patch: str,
    removed: set[str],
    added: set[str],
    skip_paths: Iterable[str] = (),
    prefixes: tuple[str, ...] = (),
) -> dict[str, str]:
    """Removed key -> added key, for pairs whose call sites moved (see the module docstring).

    ``skip_paths``: repository-relative paths whose lines are not evidence (the registries).
    """
    if not removed or not added or not patch:
        return {}
    # Each needle is one pass over the diff: only the first words of removed keys
    # and of the added keys that could pair with one.
    old_words = [_words(o, prefixes) for o in removed]
    candidates = set()
    for new in added:
        new_words = _words(new, prefixes)
        if any(_similar_words(words, new_words) for words in old_words):
            candidates.add(new)
    if not candidates:
        return {}
    needles = {name.split("_", 1)[0] + "_" for name in removed | candidates}
    lines = _lines_mentioning(patch, needles)
    skipped = _skipped_regions(patch, skip_paths)
    old_templates: dict[str, set[str]] = {}
    new_templates: dict[str, set[str]] = {}
    for start, line in lines.items():
        sign = line[:1]
        if sign not in "+-" or line.startswith(("+++ ", "--- ")):
            continue
        if any(low <= start < high for low, high in skipped):
            continue
        wanted, templates = (removed, old_templates) if sign == "-" else (candidates, new_templates)
        body = line[1:].strip()
        for name in set(_NAME.findall(body)) & wanted:
            template = _NAME.sub(lambda m: PLACEHOLDER if m.group(0) == name else m.group(0), body)
            if len(template.replace(PLACEHOLDER, "").replace(" ", "")) >= _MIN_TEMPLATE:
                templates.setdefault(template, set()).add(name)
    evidence: Counter = Counter()
    for template, olds in old_templates.items():
        news = new_templates.get(template, ())
        # A line shape several keys share (``if envs.X.get():``) proves nothing.
        if len(olds) == 1 and len(news) == 1:
            old, new = next(iter(olds)), next(iter(news))
            if similar(old, new, prefixes):
                evidence[(old, new)] += 1
    best: dict[str, tuple[int, str, bool]] = {}
    for (old, new), count in evidence.items():
        current = best.get(old)
        if current is None or count > current[0]:
            best[old] = (count, new, False)
        elif count == current[0]:
            best[old] = (count, current[1], True)  # a tie: ambiguous
    claims = Counter(new for _, new, tied in best.values() if not tied)
    return {
        old: new for old, (_, new, tied) in best.items() if not tied and claims[new] == 1
    }
