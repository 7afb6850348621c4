"""Byte-level tests: which files can state facts, and which files may use them.

Two questions are answered from a file's raw bytes, before any parsing:

* *can this module define a wrapper or a key constant?* A wrapper accesses the
  environment with a key that is not a string literal (``os.getenv(name``,
  ``os.environ[key``, ``key in os.environ``); a key constant is an assignment
  whose value starts with a quoted owned key (``X = "SGLANG_A"``,
  ``X: str = f"SGLANG_{Y}"``) or with a bracket whose first element is one
  (``KEYS = ("SGLANG_A", ...``). A star import can re-export either. Modules
  that fail all of these are never parsed by the summary
  (``envlint.summaries.build``); those that mention the name of a wrapper or
  constant found elsewhere are parsed in later rounds.
* *does this file carry evidence of environment use at all?* An owned token or
  an access token (``getenv``, ``environ``, a helper's name, ``setenv``,
  ``delenv``). Only such files are analysed for keys that come from other
  modules (ENV001's documented scope), which is what lets a run that checks a
  few files without any such bytes skip the project-wide analysis.

Each test is a handful of searches that start with a literal (which the
regular-expression engine scans for quickly), not one big alternation: the
whole of sglang (4,700 files) is tested in well under a second.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, Callable, Iterable, Optional, Pattern

from ..modules import resolve_relative
from .model import ModuleFacts

if TYPE_CHECKING:
    from ..project import Project

# ``environ`` counts unless it is a module being imported (``from sglang.srt.environ import envs``).
ENVIRON_USE = re.compile(rb"environ\b(?!\s+import\b)")
_NOT_A_LITERAL = rb"""(?!\s*[rRbBuU]?['"])"""
_ENVIRON_NON_LITERAL = re.compile(
    rb"environ\s*(?:\.\s*(?:get|pop|setdefault)\s*\(|\[)" + _NOT_A_LITERAL
)
_GETENV_NON_LITERAL = re.compile(rb"getenv\s*\(" + _NOT_A_LITERAL)
# ``key in os.environ``: found from each ``environ`` backwards (scanning forwards from
# every `` in `` of a file is what makes a naive pattern slow).
_ENVIRON_WORD = re.compile(rb"environ\b")
_IN_BEFORE = re.compile(rb"[\w)\]]\s+(?:not\s+)?in\s+(?:\w+\s*\.\s*)*$")
_ENVIRON_ALIAS = re.compile(rb"environ\s+as\s")  # two literal-led patterns scan faster than
_GETENV_ALIAS = re.compile(rb"getenv\s+as\s")  # one alternation
_STAR = re.compile(rb"(?m)^[ \t]*from[ \t]+[\w.]+[ \t]+import[ \t]+\*")
# Before a quoted owned key: ``NAME = "``, ``NAME: str = f"``, ``NAME = ("`` on the line
# (a dict's ``{`` is not: its keys are not constants)...
_ASSIGNED = re.compile(rb"[ \t]*\w+[ \t]*(?::[^=\n]*)?=[ \t]*(?:[(\[][ \t]*)?[rRuUfF]{0,2}")
# ... or the first element of a bracket opened by ``NAME = (`` on the line before.
_ELEMENT = re.compile(rb"[ \t]*[rRuUfF]{0,2}")
_OPENED = re.compile(rb"[ \t]*\w+[ \t]*(?::[^=\n]*)?=[ \t]*[(\[][ \t]*(?:#[^\n]*)?")


def _in_environ(data: bytes) -> bool:
    for match in _ENVIRON_WORD.finditer(data):
        start = match.start()
        if _IN_BEFORE.search(data, max(0, start - 200), start):
            return True
    return False


def _assigns_owned(data: bytes, tokens: list[bytes]):
    """A quoted owned key that starts an assignment's value (or a bracket's first element):
    ``SCAN`` when every one is a plain module-level ``NAME = "KEY"``, ``PARSE`` otherwise,
    False when there is none."""
    find = data.find
    found = False
    for token in tokens:
        if token not in data:
            continue
        for quoted in (b'"' + token, b"'" + token):
            position = find(quoted)
            while position != -1:
                if _assignment_before(data, position):
                    line = data.rfind(b"\n", 0, position) + 1
                    end = data.find(b"\n", position)
                    if not _PLAIN_CONSTANT.fullmatch(data, line, len(data) if end == -1 else end):
                        return PARSE
                    found = True
                position = find(quoted, position + 1)
    return SCAN if found else False


def _assignment_before(data: bytes, start: int) -> bool:
    """Whether the quote at ``start`` opens an assignment's value or its bracket's first element."""
    line = data.rfind(b"\n", 0, start) + 1
    if _ASSIGNED.fullmatch(data, line, start):
        return True
    if line and _ELEMENT.fullmatch(data, line, start):
        previous = data.rfind(b"\n", 0, line - 1) + 1
        return _OPENED.fullmatch(data, previous, line - 1) is not None
    return False


def minimal_tokens(tokens: Iterable[str]) -> list[bytes]:
    """The tokens no other token is a substring of (``SGLANG`` is implied by ``SGL``)."""
    encoded = sorted({t.encode() for t in tokens}, key=len)
    kept: list[bytes] = []
    for token in encoded:
        if not any(shorter in token for shorter in kept):
            kept.append(token)
    return kept


def access_tokens(project: "Project") -> tuple:
    """Substrings (or patterns) without which a file makes no raw access of its own."""
    helpers = tuple(spec.name for spec in project.config.helpers)
    return (ENVIRON_USE, "getenv", "setenv", "delenv", *helpers)


def evidence_substrings(project: "Project") -> list[bytes]:
    """Substrings one of which every file with evidence contains (a cheap superset test)."""
    helpers = [spec.name for spec in project.config.helpers]
    return minimal_tokens({*project.owned_tokens(), "environ", "getenv", "setenv", "delenv", *helpers})


def evidence_pattern(project: "Project") -> Pattern[bytes]:
    """One pattern: an owned token or an access token appears in the bytes."""
    words = [re.escape(t) for t in minimal_tokens(project.owned_tokens())]
    words += [b"getenv", b"setenv", b"delenv"]
    words += [re.escape(spec.name.encode()) for spec in project.config.helpers]
    return re.compile(b"|".join([ENVIRON_USE.pattern, *words]))


PARSE = "parse"  # may define a wrapper or a key constant only the syntax tree can tell
SCAN = "scan"  # only star re-exports and plain ``NAME = "KEY"`` constants: read from the bytes

# ``NAME = "SGLANG_X"`` at module level, nothing else on the line.
_PLAIN_CONSTANT = re.compile(
    rb"(?m)^([A-Za-z_]\w*)[ \t]*(?::[^=\n]*)?=[ \t]*(['\"])([A-Za-z0-9_]+)\2[ \t]*(?:#[^\n]*)?\r?$"
)
# A package's module-level re-exports: ``from .impl import f, g as h`` (parenthesised or not).
_FROM_IMPORT = re.compile(rb"(?m)^from[ \t]+(\.*)([\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n]*)")


def key_prefix_tokens(project: "Project") -> list[bytes]:
    """The owned prefixes (``SGLANG_``, ``SGL_``, ``ASCEND_``...) a key constant's value starts with."""
    config = project.config
    return minimal_tokens({*config.owned_prefixes, *config.vendor_prefixes})


def definition_test(project: "Project") -> Callable[[bytes], Optional[str]]:
    """``PARSE``, ``SCAN`` or None: what a module's bytes may define (see the module doc).

    Constants count when their key has an owned prefix; a constant holding a
    registry-only key without one (rare, and rarely imported) is not exported.
    """
    helpers = sorted({spec.name.encode() for spec in project.config.helpers})
    helper_call = None
    if helpers:
        helper_call = re.compile(
            rb"(?:" + b"|".join(re.escape(h) for h in helpers) + rb")\s*\(" + _NOT_A_LITERAL
        )
    tokens = key_prefix_tokens(project)

    def test(data: bytes) -> Optional[str]:
        if b"environ" in data and (
            _ENVIRON_NON_LITERAL.search(data) or _ENVIRON_ALIAS.search(data) or _in_environ(data)
        ):
            return PARSE
        if b"getenv" in data and (_GETENV_NON_LITERAL.search(data) or _GETENV_ALIAS.search(data)):
            return PARSE
        if helper_call is not None and any(h in data for h in helpers) and helper_call.search(data):
            return PARSE
        constants = _assigns_owned(data, tokens)
        if constants == PARSE:
            return PARSE
        if constants or (b"import *" in data and _STAR.search(data)):
            return SCAN
        return None

    return test


def classify(project: "Project", path, data: bytes, evidence: Optional[bool] = None) -> Optional[str]:
    """``definition_test`` for a file: a package ``__init__`` that imports anything is read
    for its re-exports (``SCAN``) even when it defines nothing itself.

    ``evidence`` False (no owned or access token, as the caller found): only a star
    re-export can be there, the other tests all need one of those tokens.
    """
    if evidence is False:
        kind = SCAN if b"import *" in data and _STAR.search(data) else None
    else:
        kind = project.definition_check(data)
    if kind is None and path.name == "__init__.py" and b"import" in data:
        return SCAN
    return kind


def scanned_facts(project: "Project", data: bytes, module: str, is_package: bool) -> ModuleFacts:
    """The facts of a ``SCAN`` module, read from its bytes: its module-level ``from``
    imports (re-exports, star imports; at column 0) and plain constants."""
    facts = ModuleFacts(module)
    for dots, target, names in _FROM_IMPORT.findall(data):
        base = resolve_relative(module, is_package, len(dots), target.decode() or None) if dots else target.decode()
        if not base:
            continue
        if names.strip() == b"*":
            facts.stars += (base,)
            continue
        text = re.sub(rb"#[^\n]*", b"", names).strip(b"()").decode("ascii", "replace")
        for item in text.split(","):
            parts = item.split()
            if len(parts) == 1 and parts[0].isidentifier():
                facts.aliases[parts[0]] = f"{base}.{parts[0]}"
            elif len(parts) == 3 and parts[1] == "as" and parts[0].isidentifier() and parts[2].isidentifier():
                facts.aliases[parts[2]] = f"{base}.{parts[0]}"
    for name, _, value in _PLAIN_CONSTANT.findall(data):
        key = value.decode()
        name = name.decode()
        assignments = re.findall(rb"\b" + re.escape(name.encode()) + rb"\s*(?::[^=\n]*)?=(?!=)", data)
        if len(assignments) == 1 and key.isidentifier() and project.is_owned(key):
            facts.constants[name] = ("str", (key,))
    return facts


_FROM_LINE = re.compile(rb"[ \t]*from[ \t]+(\.*)([\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n]*)")
_IMPORT_LINE = re.compile(rb"[ \t]*import[ \t]+([^\n]*)")


def imported_names(data: bytes, module: str, is_package: bool) -> frozenset[str]:
    """What a file's import statements name, as absolute qualified names: ``pkg.mod.f`` for
    ``from pkg.mod import f``, ``pkg.mod`` for ``import pkg.mod``, ``pkg.mod.*`` for a star.

    A superset is fine (a statement inside a string counts too): it only decides which
    files a cold run checks a second time (``runner._two_phases``). Found from each
    ``import`` word back to its line's start (scanning for a literal is fast).
    """
    found: set[str] = set()
    find = data.find
    position = find(b"import")
    while position != -1:
        line = data.rfind(b"\n", 0, position) + 1
        match = _FROM_LINE.match(data, line) or _IMPORT_LINE.match(data, line)
        if match is not None and match.end() > position:
            _add_imports(match, found, module, is_package)
            position = find(b"import", match.end())
        else:
            position = find(b"import", position + 6)
    return frozenset(found)


def _add_imports(match, found: set[str], module: str, is_package: bool) -> None:
    if match.re is _IMPORT_LINE:
        for item in re.sub(rb"#[^\n]*", b"", match.group(1)).split(b","):
            parts = item.split()
            if parts:
                found.add(parts[0].decode("ascii", "replace"))
        return
    dots, target, names = match.groups()
    base = target.decode("ascii", "replace")
    if dots:
        base = resolve_relative(module, is_package, len(dots), base or None) or ""
    if not base:
        return
    text = re.sub(rb"#[^\n]*", b"", names).strip().strip(b"()").decode("ascii", "replace")
    for item in text.split(","):
        parts = item.split()
        if parts:
            found.add(f"{base}.{parts[0]}")


def names_pattern(names: Iterable[str]) -> Pattern[bytes]:
    """Any of ``names`` as a whole word (a pattern that never matches when there are none)."""
    return _names_pattern(frozenset(names))


@functools.lru_cache(maxsize=256)
def _names_pattern(names: frozenset) -> Pattern[bytes]:
    names = sorted(names)
    if not names:
        return re.compile(rb"(?!x)x")
    return re.compile(rb"\b(?:" + b"|".join(re.escape(n.encode()) for n in names) + rb")\b")
