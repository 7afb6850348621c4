"""What a rule reports: a ``Finding``, optionally carrying a ``Fix``.

One source of truth: ``envlint check`` prints findings, ``envlint fix`` applies
their fixes, the flake8 adapter yields them, and the machine-readable formats
serialise them. Nothing downstream re-derives what a rule meant.

Positions: ``line`` is 1-based; ``column`` is 1-based and counts characters
(not bytes). ``end_line``/``end_column`` point just past the offending
expression, like ruff's JSON output. ``Edit`` positions are 0-based character
columns, which is what text editing needs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

SAFE = "safe"
UNSAFE = "unsafe"


@dataclass(frozen=True)
class Edit:
    """Replace the text from (line, column) to (end_line, end_column) with ``content``."""

    line: int
    column: int
    end_line: int
    end_column: int
    content: str

    def to_dict(self) -> dict:
        return {
            "content": self.content,
            "location": {"line": self.line, "column": self.column + 1},
            "end_location": {"line": self.end_line, "column": self.end_column + 1},
        }


@dataclass(frozen=True)
class ImportRequest:
    """``from <module> import <name>`` (or ``import <module> as <asname>`` when name is None)."""

    module: str
    name: Optional[str]
    asname: Optional[str] = None

    def statement(self) -> str:
        if self.name is None:
            return f"import {self.module}" + (f" as {self.asname}" if self.asname else "")
        alias = f" as {self.asname}" if self.asname and self.asname != self.name else ""
        return f"from {self.module} import {self.name}{alias}"


@dataclass(frozen=True)
class RegistryEdit:
    """A change to a registry file that a call-site fix depends on.

    ``kind`` is "add-field" (register a new descriptor), "rename-field" or
    "add-deprecation". Applied once per run even when many files need it.
    """

    kind: str
    registry_path: str
    name: str
    descriptor: Optional[str] = None
    default_source: Optional[str] = None
    new_name: Optional[str] = None


@dataclass(frozen=True)
class Fix:
    applicability: str  # SAFE or UNSAFE
    description: str  # imperative one-liner: "Replace with `envs.SGLANG_X.get()`"
    edits: tuple[Edit, ...]
    reason: Optional[str] = None  # for unsafe fixes: what would change
    add_imports: tuple[ImportRequest, ...] = ()
    # names the rewrite stopped using; their imports go if nothing else uses them
    maybe_unused: tuple[str, ...] = ()
    registry_edits: tuple[RegistryEdit, ...] = ()

    @property
    def is_safe(self) -> bool:
        return self.applicability == SAFE

    def to_dict(self) -> dict:
        return {
            "applicability": self.applicability,
            "message": self.description,
            "reason": self.reason,
            "edits": [edit.to_dict() for edit in self.edits],
            "imports": [request.statement() for request in self.add_imports],
            # True when the fix also edits a registry (a new descriptor, a rename, an
            # inversion): its edits are then not a change a review bot can suggest alone.
            "needs_registry_edit": bool(self.registry_edits),
        }


@dataclass(frozen=True, order=True)
class Finding:
    path: str
    line: int
    column: int
    code: str
    end_line: int = field(compare=False)
    end_column: int = field(compare=False)
    message: str = field(compare=False)
    key: Optional[str] = field(default=None, compare=False)  # the variable name, if any
    fix: Optional[Fix] = field(default=None, compare=False)
    snippet: str = field(default="", compare=False)  # source of the offending expression

    def to_dict(self) -> dict:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "code": self.code,
            "message": self.message,
            "key": self.key,
            "fix": self.fix.to_dict() if self.fix else None,
        }
