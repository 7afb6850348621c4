"""Which of a registry's pending edits go in together, and which must wait.

One pass may ask a registry for several things at once: new descriptors, a
deprecation entry for an ``SGL_`` rename, an inverting entry for a
``DISABLE_`` flag, plus the registry's own fixes (renaming a descriptor line).
They compose unless they truly conflict:

* insertions at the same point (two entries appended to ``_DEPRECATED_ENVS``)
  are one insertion, in a fixed order (new descriptors first, then entries by
  name) — not a conflict;
* an edit that overlaps another one, or a request the file cannot serve
  (no deprecation table to invert through), blocks only its own *family*:
  every registry edit of the same change (``rename`` of ``SGL_X``: the
  descriptor's new name, its deprecation entry and every use site renamed;
  ``invert`` of a flag: the same; ``add`` of new keys) — and says why.
  Half a rename is worse than none, an unrelated new descriptor is not.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Optional

from ..findings import Edit, Finding, RegistryEdit
from ..source import SourceFile
from .registry_edits import RegistryEditError, add_field_edits, deprecation_edit

_FAMILIES = {
    "add-field": "add",
    "rename-field": "rename",
    "add-deprecation": "rename",
    "invert-flag": "invert",
    "add-inverted-deprecation": "invert",
}
_DEPRECATIONS = ("add-deprecation", "add-inverted-deprecation")


def family(edit: RegistryEdit) -> tuple[str, str, str]:
    """The change an edit belongs to: (registry path, kind of change, the name it is about).

    New descriptors form one family per registry (they are placed together).
    """
    kind = _FAMILIES.get(edit.kind, edit.kind)
    return (edit.registry_path, kind, "" if kind == "add" else edit.name)


def describe(key: tuple[str, str, str]) -> str:
    _, kind, name = key
    return {"add": "new descriptors", "rename": f"the rename of {name}", "invert": f"the inversion of {name}"}.get(
        kind, f"{kind} {name}"
    )


@dataclass
class RegistryPlan:
    edits: list[Edit] = field(default_factory=list)  # for the registry file; never overlapping
    own: list[Finding] = field(default_factory=list)  # the registry's own fixes that go with them
    blocked: set[tuple[str, str, str]] = field(default_factory=set)  # families left out
    notes: list[str] = field(default_factory=list)


@dataclass
class _Unit:
    """Edits that stand or fall together, and the families they serve."""

    families: set[tuple[str, str, str]]
    edits: list[Edit]


def plan_registry(
    source: SourceFile,
    registry,
    requests: list[RegistryEdit],
    own: list[Finding],
    owned_prefixes: tuple[str, ...],
    place,
) -> RegistryPlan:
    """The edits and own fixes of one registry that fit together.

    ``place(source, findings, extra)`` is the fixer's placement (``place_edits``):
    an own fix it leaves out takes its family along, and the plan is redone
    without that family until nothing more drops out.
    """
    plan = RegistryPlan()
    tree: Optional[ast.Module] = None
    while True:
        live = [r for r in requests if family(r) not in plan.blocked]
        if live and tree is None:
            tree = ast.parse(source.text)
        units = _units(source, tree, registry, live, owned_prefixes, plan)
        extra = _place_units(source, _merged(units), plan)
        candidates = [f for f in own if not _blocked(f, plan.blocked)]
        placed = place(source, candidates, extra)
        if placed is None:  # cannot happen: units never overlap each other
            plan.notes.append("registry edits overlap; not applied")
            plan.blocked |= {family(r) for r in requests}
            return plan
        applied = {id(f) for f in placed[0]}
        dropped = {
            family(e) for f in candidates if id(f) not in applied for e in f.fix.registry_edits
        } - plan.blocked
        if not dropped:
            plan.edits, plan.own = extra, placed[0]
            return plan
        for key in sorted(dropped):
            plan.notes.append(f"{describe(key)} not applied: the registry's own fix for it overlaps another edit")
        plan.blocked |= dropped


def _blocked(finding: Finding, blocked: set) -> bool:
    return any(family(e) in blocked for e in finding.fix.registry_edits)


def _units(source, tree, registry, requests, owned_prefixes, plan: RegistryPlan) -> list[_Unit]:
    if not requests:
        return []
    if registry is None or registry.style != "descriptor":
        for key in sorted({family(r) for r in requests} - plan.blocked):
            plan.blocked.add(key)
            plan.notes.append(f"{describe(key)} not applied: only descriptor-style registries can be extended automatically")
        return []
    units = []
    additions = [r for r in requests if r.kind == "add-field"]
    if additions:
        try:
            edits = add_field_edits(source, tree, registry, additions, owned_prefixes)
            units.append(_Unit({family(r) for r in additions}, edits))
        except RegistryEditError as exc:
            _block(plan, {family(r) for r in additions}, str(exc))
    for request in sorted((r for r in requests if r.kind in _DEPRECATIONS), key=lambda r: (r.name, r.kind)):
        invert = request.kind == "add-inverted-deprecation"
        try:
            edit = deprecation_edit(source, tree, registry, request.name, request.new_name, invert)
        except RegistryEditError as exc:
            _block(plan, {family(request)}, str(exc))
            continue
        units.append(_Unit({family(request)}, [edit]))
    return [u for u in units if not (u.families & plan.blocked)]


def _block(plan: RegistryPlan, keys: set, reason: str) -> None:
    for key in sorted(keys - plan.blocked):
        plan.notes.append(f"{describe(key)} not applied: {reason}")
    plan.blocked |= keys


def _merged(units: list[_Unit]) -> list[_Unit]:
    """Units inserting at one same point become one unit, their text in unit order."""
    merged: list[_Unit] = []
    for unit in units:
        points = {(e.line, e.column) for e in unit.edits if (e.line, e.column) == (e.end_line, e.end_column)}
        partners = [m for m in merged if points & {(e.line, e.column) for e in m.edits if _is_insertion(e)}]
        if not partners:
            merged.append(_Unit(set(unit.families), list(unit.edits)))
            continue
        target = partners[0]
        for other in partners[1:]:
            target.families |= other.families
            target.edits = _combine(target.edits, other.edits)
            merged.remove(other)
        target.families |= unit.families
        target.edits = _combine(target.edits, unit.edits)
    return merged


def _is_insertion(edit: Edit) -> bool:
    return (edit.line, edit.column) == (edit.end_line, edit.end_column)


def _combine(first: list[Edit], second: list[Edit]) -> list[Edit]:
    """``first`` then ``second``, insertions at one point joined (first's text before second's)."""
    at = {(e.line, e.column): i for i, e in enumerate(first) if _is_insertion(e)}
    combined = list(first)
    for edit in second:
        index = at.get((edit.line, edit.column)) if _is_insertion(edit) else None
        if index is None:
            combined.append(edit)
        else:
            joined = combined[index]
            combined[index] = Edit(joined.line, joined.column, joined.end_line, joined.end_column,
                                   joined.content + edit.content)
    return combined


def _place_units(source: SourceFile, units: list[_Unit], plan: RegistryPlan) -> list[Edit]:
    """The edits of the units that overlap no earlier unit; the others' families are blocked."""
    taken: list[tuple[int, int]] = []
    edits: list[Edit] = []
    for unit in units:
        spans = [
            (source.offset(e.line, e.column), source.offset(e.end_line, e.end_column)) for e in unit.edits
        ]
        clash = any(
            (start < high and low < end) or start == end == low == high
            for start, end in spans
            for low, high in taken
        )
        if clash:
            _block(plan, unit.families, "it overlaps another edit of the same registry")
            continue
        taken.extend(spans)
        edits.extend(unit.edits)
    return edits
