"""The reference of one registry: what a page documents, decided once for every output.

Markdown, JSON and the drift check all read this model, so a default is
rendered, and compared, the same way everywhere. Order is registry order:
sections in the order they first appear, fields in the order they are defined.
"""

from __future__ import annotations

import ast
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from ..registry import Field, Registry
from .getters import getter_default


@dataclass(frozen=True)
class Default:
    """A field's default as a reader sees it (``text``) and as the check compares it."""

    text: str  # Python literal (``False``, ``"info"``) or source text; "" when unknown
    is_literal: bool  # ``value`` is the real default; False: only ``source`` is known
    value: Any = None


NO_DEFAULT = Default(text="", is_literal=False)


@dataclass(frozen=True)
class Entry:
    name: str
    kind: str  # bool | int | float | str | tuple | json | list | unknown
    default: Default
    description: str
    aliases: tuple[str, ...]  # deprecated names that still set this variable
    line: int  # where the registry defines it


@dataclass(frozen=True)
class Section:
    title: Optional[str]  # the registry's section comment; None for fields outside any
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class Reference:
    module: str
    label: str  # the registry's path, relative to the project root
    style: str  # "descriptor" | "module"
    sections: tuple[Section, ...]
    removed: tuple[str, ...]  # names deprecated without a replacement

    @property
    def entries(self) -> list[Entry]:
        return [entry for section in self.sections for entry in section.entries]

    @property
    def has_aliases(self) -> bool:
        return any(entry.aliases for entry in self.entries)


def python_literal(value: Any) -> str:
    """A default as Python source: ``False``, ``"info"``, ``None``, ``("a", "b")``."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, tuple):
        items = [python_literal(v) for v in value]
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    if isinstance(value, list):
        return "[" + ", ".join(python_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        pairs = (f"{python_literal(k)}: {python_literal(v)}" for k, v in value.items())
        return "{" + ", ".join(pairs) + "}"
    return repr(value)


def one_line(source: str) -> str:
    """Source text spread over several lines, joined so it fits a table cell."""
    text = re.sub(r"\s*\n\s*", " ", source.strip())
    return re.sub(r"([(\[{]) | ([)\]}])", r"\1\2", text)


def _written_as_literal(source: str) -> bool:
    try:
        ast.literal_eval(source)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False
    return True


def _field_default(field: Field) -> Default:
    if field.default_is_literal:
        # ``ToolStrictLevel.OFF`` or ``64 * 1024`` say more than the value they compute.
        shown = field.default_source
        if not shown or _written_as_literal(shown):
            shown = python_literal(field.default)
        else:
            shown = one_line(shown)
        return Default(shown, True, field.default)
    if field.default_source:
        return Default(one_line(field.default_source), False)
    return NO_DEFAULT


def _entry(field: Field, aliases: tuple[str, ...], getter: Optional[ast.AST]) -> Entry:
    """Module style: the getter's default when it is evident, the stub's otherwise.

    The getter is what runs; a stub is a declaration for type checkers and goes
    stale (vLLM's ``VLLM_XGRAMMAR_CACHE_MB: int = 0`` reads ``"512"``). The stub
    still names the type, which the getter often does not.
    """
    kind, default = field.kind, _field_default(field)
    evident = getter_default(getter, field.name) if getter is not None else None
    if evident is not None:
        getter_kind, value = evident
        kind = getter_kind if kind == "unknown" else kind
        default = Default(python_literal(value), True, value)
    return Entry(field.name, kind, default, field.description, aliases, field.line)


def registry_label(path: Path, root: Path) -> str:
    """A registry's path as pages and messages show it: stable wherever envlint runs."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return Path(os.path.relpath(path)).as_posix()


def build_reference(registry: Registry, root: Path) -> Reference:
    """The reference of ``registry``, sections and fields in registry order."""
    renamed: dict[str, list[str]] = {}
    for old, new in registry.deprecations.items():
        if new is not None:
            renamed.setdefault(new, []).append(old)
    # Module style: each key's getter as the registry assigns it (later assignments win).
    getter_nodes = registry.getter_values if registry.style == "module" else {}
    grouped: dict[Optional[str], list[Entry]] = {}
    for field in registry.fields.values():
        aliases = ([field.alias] if field.alias else []) + renamed.get(field.name, [])
        entry = _entry(field, tuple(dict.fromkeys(aliases)), getter_nodes.get(field.name))
        grouped.setdefault(field.section, []).append(entry)
    return Reference(
        module=registry.module,
        label=registry_label(registry.path, root),
        style=registry.style,
        sections=tuple(Section(title, tuple(entries)) for title, entries in grouped.items()),
        removed=tuple(old for old, new in registry.deprecations.items() if new is None),
    )
