"""A registry's reviewable state, and its JSON form: what ``envlint registry snapshot`` writes.

Why a model of its own instead of the parsed ``Registry``: a base must come
from somewhere other than the working tree (a git revision, a file saved
last release), and a comparison needs only the facts a user can observe —
each key's name, kind, default, section and deprecated alias, and the old
names the registry still answers to. Both sides of a comparison are built
from ``Registry`` objects by ``registry_state``, so the parsers stay the
single source of facts.

The JSON format (documented in ``docs/registry-review.md``) is versioned and
stable: keys and deprecations sorted by name, one object per line, so a
snapshot committed to a repository diffs well. Defaults are kept twice: as
written (``default``) and, when the default is a literal, as the ``repr`` of
its value (``value``), which is what comparisons use: ``2 ** 31`` and
``2**31`` are the same default.
"""

from __future__ import annotations

import ast
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from ..registry import Registry
from ..userfiles import read_named_file

FORMAT = "registry-snapshot"
VERSION = 1


class SnapshotError(Exception):
    """A snapshot file cannot be used; one line for the user."""


@dataclass(frozen=True)
class KeyState:
    """One registered key as a user meets it."""

    name: str
    kind: str  # bool | int | float | str | tuple | json | list | unknown
    descriptor: Optional[str]  # EnvBool, EnvIntWithAlias, ... (None: module style)
    default: str  # the default as written ("" when there is none)
    value: Optional[str]  # repr() of the default's value when it is a literal, else None
    section: Optional[str]
    alias: Optional[str]  # deprecated_name= of a *WithAlias descriptor
    line: int

    def default_value(self) -> Any:
        """The literal default as a Python value (only call when ``value`` is not None)."""
        return ast.literal_eval(self.value)


@dataclass(frozen=True)
class DeprecationState:
    """An old name the registry still answers to (see ``registry.DeprecationEntry``)."""

    name: str
    replacement: Optional[str]
    mechanism: str  # table | function | cli-flag | mapping
    line: int
    flag: Optional[str] = None


@dataclass(frozen=True)
class RegistryState:
    module: str
    path: str  # POSIX path relative to the project (or repository) root
    style: str  # descriptor | module
    keys: dict[str, KeyState] = field(default_factory=dict)
    deprecations: dict[str, DeprecationState] = field(default_factory=dict)


@dataclass(frozen=True)
class Snapshot:
    """Registries by module name."""

    registries: dict[str, RegistryState]


def _value(field_) -> Optional[str]:
    if not field_.default_is_literal:
        return None
    try:
        text = repr(field_.default)
        ast.literal_eval(text)  # IntEnum members, sets of odd things: keep only what reads back
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
    return text


def registry_state(registry: Registry, root: Path) -> RegistryState:
    """The reviewable state of a parsed registry; ``path`` is made relative to ``root``."""
    try:
        path = registry.path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        path = registry.path.as_posix()
    keys = {
        name: KeyState(
            name=name,
            kind=f.kind,
            descriptor=f.descriptor,
            default=f.default_source,
            value=_value(f),
            section=f.section,
            alias=f.alias,
            line=f.line,
        )
        for name, f in registry.fields.items()
    }
    deprecations = {
        name: DeprecationState(e.name, e.replacement, e.mechanism, e.line, e.flag)
        for name, e in registry.deprecation_entries.items()
    }
    return RegistryState(registry.module, path, registry.style, keys, deprecations)


# -- JSON --------------------------------------------------------------------------------

_KEY_FIELDS = {
    "name": str, "kind": str, "descriptor": (str, type(None)), "default": str,
    "value": (str, type(None)), "section": (str, type(None)), "alias": (str, type(None)),
    "line": int,
}
_DEPRECATION_FIELDS = {
    "name": str, "replacement": (str, type(None)), "mechanism": str, "line": int,
    "flag": (str, type(None)),
}


def _line(obj: dict) -> str:
    return json.dumps(obj, ensure_ascii=False)


def dumps(snapshot: Snapshot) -> str:
    """The snapshot as stable, versioned JSON text (one key per line)."""
    parts = [f'{{\n  "tool": "envlint",\n  "format": "{FORMAT}",\n  "version": {VERSION},\n  "registries": [']
    blocks = []
    for module in sorted(snapshot.registries):
        state = snapshot.registries[module]
        keys = [
            _line({
                "name": k.name, "kind": k.kind, "descriptor": k.descriptor, "default": k.default,
                "value": k.value, "section": k.section, "alias": k.alias, "line": k.line,
            })
            for k in sorted(state.keys.values(), key=lambda k: k.name)
        ]
        deprecations = [
            _line({
                "name": d.name, "replacement": d.replacement, "mechanism": d.mechanism,
                "line": d.line, "flag": d.flag,
            })
            for d in sorted(state.deprecations.values(), key=lambda d: d.name)
        ]
        head = (
            f'    {{\n      "module": {json.dumps(state.module)},\n'
            f'      "path": {json.dumps(state.path, ensure_ascii=False)},\n'
            f'      "style": {json.dumps(state.style)},\n'
        )
        blocks.append(
            head
            + '      "keys": [' + _list(keys) + '],\n'
            + '      "deprecations": [' + _list(deprecations) + ']\n    }'
        )
    parts.append(("\n" + ",\n".join(blocks) + "\n  ") if blocks else "")
    parts.append("]\n}\n")
    return "".join(parts)


def _list(lines: list[str]) -> str:
    if not lines:
        return ""
    return "\n" + ",\n".join(f"        {line}" for line in lines) + "\n      "


def digest(snapshot: Snapshot) -> str:
    return hashlib.sha256(dumps(snapshot).encode("utf-8")).hexdigest()


def _check_fields(where: str, obj: Any, spec: dict) -> dict:
    if not isinstance(obj, dict):
        raise SnapshotError(f"{where} is not an object")
    for name, types in spec.items():
        if name not in obj:
            raise SnapshotError(f"{where}: missing {name!r}")
        value = obj[name]
        if not isinstance(value, types) or (types is int and isinstance(value, bool)):
            raise SnapshotError(f"{where}: {name!r} has the wrong type")
    unknown = sorted(set(obj) - set(spec))
    if unknown:
        raise SnapshotError(f"{where}: unknown field {unknown[0]!r}")
    return obj


def loads(text: str, file: str) -> Snapshot:
    """Parse and validate a snapshot; every problem is a one-line ``SnapshotError``."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SnapshotError(f"{file}: not JSON: {exc.msg} (line {exc.lineno})") from None
    if not isinstance(data, dict) or data.get("tool") != "envlint" or data.get("format") != FORMAT:
        raise SnapshotError(f"{file}: not an envlint registry snapshot (envlint registry snapshot writes one)")
    if data.get("version") != VERSION:
        raise SnapshotError(
            f"{file}: snapshot version {data.get('version')!r} is not supported "
            f"(this envlint reads version {VERSION})"
        )
    if not isinstance(data.get("registries"), list):
        raise SnapshotError(f"{file}: 'registries' must be a list")
    registries: dict[str, RegistryState] = {}
    for index, entry in enumerate(data["registries"]):
        where = f"{file}: registries[{index}]"
        _check_fields(where, entry, {"module": str, "path": str, "style": str, "keys": list,
                                     "deprecations": list})
        if entry["style"] not in ("descriptor", "module"):
            raise SnapshotError(f"{where}: 'style' must be descriptor or module")
        keys = {}
        for number, key in enumerate(entry["keys"]):
            item = _check_fields(f"{where}.keys[{number}]", key, _KEY_FIELDS)
            if item["value"] is not None:
                try:
                    ast.literal_eval(item["value"])
                except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
                    raise SnapshotError(
                        f"{where}.keys[{number}]: 'value' is not a Python literal"
                    ) from None
            keys[item["name"]] = KeyState(**item)
        deprecations = {}
        for number, old in enumerate(entry["deprecations"]):
            item = _check_fields(f"{where}.deprecations[{number}]", old, _DEPRECATION_FIELDS)
            deprecations[item["name"]] = DeprecationState(**item)
        if entry["module"] in registries:
            raise SnapshotError(f"{where}: module {entry['module']!r} appears twice")
        registries[entry["module"]] = RegistryState(
            entry["module"], entry["path"], entry["style"], keys, deprecations
        )
    return Snapshot(registries)


def load(path: Path) -> Snapshot:
    text = read_named_file(path, "snapshot", "envlint registry snapshot -o", SnapshotError)
    return loads(text, str(path))
