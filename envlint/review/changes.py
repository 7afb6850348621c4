"""Compare a registry with its base: what a reviewer must see, named like ``buf breaking``.

Change kinds: a key is *added*, *removed* or *renamed*; an existing key's
*kind*, *default* or *section* changed. A removal is not a problem when the
registry still offers users of the old name a path — the conventions' Rule 5
lists them:

* a ``*WithAlias(..., deprecated_name=OLD)`` descriptor (a rename, "alias");
* a deprecation entry: ``_print_deprecated_env("OLD"[, "NEW"])``, a
  ``_DEPRECATED_ENVS`` table entry, another ``*deprecat*`` mapping
  (a rename when it names a registered replacement, else a deprecated removal);
* ``_warn_deprecated_env_to_cli_flag("OLD", ...)`` (moved to a CLI flag);
* the legacy-prefix rewrite (``SGL_X`` -> ``SGLANG_X`` at import);
* the key is still registered in another registry (moved).

A removal plus an addition whose call sites moved (``moves``, read from the
diff) is a rename too, but one that offers no path: the old name silently
stops working.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping, Optional

from .snapshot import DeprecationState, KeyState, RegistryState


@dataclass(frozen=True)
class Removal:
    """A key of the base that the registry no longer defines, and what users of it get."""

    key: KeyState  # as it was at the base
    # how users of the old name are served: None (no path: a finding), or the
    # deprecation entry / "moved to <module>" that serves them
    path: Optional[str]
    deprecation: Optional[DeprecationState] = None


@dataclass(frozen=True)
class Rename:
    old: KeyState  # at the base
    new: KeyState  # in the working tree
    how: str  # alias | deprecation | legacy-prefix | call-sites

    @property
    def has_path(self) -> bool:
        """Whether users who still set the old name keep working (everything but call-sites)."""
        return self.how != "call-sites"


@dataclass(frozen=True)
class Change:
    """An existing key whose kind, default or section changed (``old`` may be a rename's old key)."""

    old: KeyState
    new: KeyState
    rename: Optional[Rename] = None


@dataclass
class RegistryChanges:
    head: RegistryState
    base: Optional[RegistryState]  # None: the registry is new in this change
    added: list[KeyState] = field(default_factory=list)
    removed: list[Removal] = field(default_factory=list)
    renamed: list[Rename] = field(default_factory=list)
    kind_changed: list[Change] = field(default_factory=list)
    default_changed: list[Change] = field(default_factory=list)
    section_changed: list[Change] = field(default_factory=list)

    @property
    def new_names(self) -> set[str]:
        """Keys whose *name* is new: added ones and the new names of renames."""
        return {k.name for k in self.added} | {r.new.name for r in self.renamed}

    def empty(self) -> bool:
        return not (self.added or self.removed or self.renamed or self.kind_changed
                    or self.default_changed or self.section_changed)


def same_default(old: KeyState, new: KeyState) -> bool:
    """Literal defaults compare by value (type included, ints and floats by number);
    anything else by its normalized source text."""
    if old.value is not None and new.value is not None:
        a, b = old.default_value(), new.default_value()
        numbers = (int, float)
        if isinstance(a, numbers) and isinstance(b, numbers) and not isinstance(a, bool) \
                and not isinstance(b, bool):
            return a == b
        return type(a) is type(b) and a == b
    from ..baseline import normalize_source

    return normalize_source(old.default) == normalize_source(new.default)


def compare(
    base: Optional[RegistryState],
    head: RegistryState,
    moves: Mapping[str, str] = {},
    elsewhere: Callable[[str], Optional[str]] = lambda key: None,
    legacy: Callable[[str], Optional[str]] = lambda key: None,
) -> RegistryChanges:
    """The changes from ``base`` to ``head``.

    ``moves``: old -> new names whose call sites moved (from the diff);
    ``elsewhere(key)``: the module of another current registry defining ``key``;
    ``legacy(key)``: the canonical name of a legacy-prefixed key (``SGL_X`` -> ``SGLANG_X``).
    """
    changes = RegistryChanges(head=head, base=base)
    if base is None:
        changes.added = sorted(head.keys.values(), key=lambda k: k.line)
        return changes
    removed = [k for name, k in base.keys.items() if name not in head.keys]
    fresh = {name for name in head.keys if name not in base.keys}
    aliases = {k.alias: k for k in head.keys.values() if k.alias}
    renamed_to: set[str] = set()
    for old in sorted(removed, key=lambda k: k.line):
        name = old.name
        rename = None
        deprecation = head.deprecations.get(name)
        if name in aliases:
            rename = Rename(old, aliases[name], "alias")
        elif deprecation and deprecation.replacement in head.keys:
            rename = Rename(old, head.keys[deprecation.replacement], "deprecation")
        elif legacy(name) in head.keys:
            rename = Rename(old, head.keys[legacy(name)], "legacy-prefix")
        elif deprecation is None and moves.get(name) in fresh and moves[name] not in renamed_to:
            rename = Rename(old, head.keys[moves[name]], "call-sites")
        if rename is not None:
            changes.renamed.append(rename)
            renamed_to.add(rename.new.name)
            _compare_key(changes, old, rename.new, rename)
            continue
        if deprecation is not None:
            changes.removed.append(Removal(old, f"deprecated ({deprecation.mechanism})", deprecation))
        elif elsewhere(name):
            changes.removed.append(Removal(old, f"moved to {elsewhere(name)}"))
        else:
            changes.removed.append(Removal(old, None))
    changes.added = sorted(
        (head.keys[n] for n in fresh if n not in renamed_to), key=lambda k: k.line
    )
    for name, old in base.keys.items():
        if name in head.keys:
            _compare_key(changes, old, head.keys[name], None)
    for bucket in (changes.kind_changed, changes.default_changed, changes.section_changed):
        bucket.sort(key=lambda c: c.new.line)
    return changes


def _compare_key(changes: RegistryChanges, old: KeyState, new: KeyState, rename: Optional[Rename]) -> None:
    if old.kind != new.kind and "unknown" not in (old.kind, new.kind):
        changes.kind_changed.append(Change(old, new, rename))
    elif not same_default(old, new):
        changes.default_changed.append(Change(old, new, rename))
    if rename is None and old.section != new.section and old.section and new.section:
        changes.section_changed.append(Change(old, new, None))


@dataclass
class Changelog:
    """Every compared registry's changes, and what they were compared with (for reports)."""

    base: str  # "merge-base 1a2b3c4d5e6f", "snapshot base.json"
    registries: list[RegistryChanges] = field(default_factory=list)

    def empty(self) -> bool:
        return all(changes.empty() for changes in self.registries)
