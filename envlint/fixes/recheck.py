"""What a registry edit can change elsewhere: the entries it added, removed or redefined.

A file's check result depends on its bytes and on the registries. After a
fix pass rewrote a registry (in memory), the fixer re-checks the files whose
result may differ; the names here say which ones beyond the files that still
have findings (see ``Fixer._to_recheck``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Callable, Optional

from ..project import Project


def changed_entries(before: Project, after: Project) -> Optional[set[str]]:
    """Names whose registry entry differs between two loads of the project.

    Empty when no registry changed; None when a registry changed beyond its
    entries (its style, its class, ...), which no list of names covers.
    """
    old = {r.path: r for r in before.registries}
    new = {r.path: r for r in after.registries}
    names: set[str] = set()
    for path in old.keys() | new.keys():
        a, b = old.get(path), new.get(path)
        if a is None or b is None or _shape(a) != _shape(b):
            return None
        for name in a.fields.keys() | b.fields.keys():
            if _entry(a.fields.get(name)) != _entry(b.fields.get(name)):
                names.add(name)
        for name in a.deprecations.keys() | b.deprecations.keys():
            if a.deprecations.get(name) != b.deprecations.get(name):
                names.add(name)
                names.update(filter(None, (a.deprecations.get(name), b.deprecations.get(name))))
    return names


def _entry(field) -> Optional[tuple]:
    """What of a registry entry a check can depend on (not where it sits)."""
    if field is None:
        return None
    return (field.kind, field.descriptor, field.default_source, field.alias, field.optional)


def _shape(registry) -> tuple:
    """A registry's properties beyond its entries."""
    return (
        registry.style, registry.module, registry.class_name, registry.instance, registry.dict_name,
        registry.dynamic_keys, registry.dynamic_prefixes, registry.module_attributes,
        registry.deprecation_mechanism, registry.deprecation_old_first, registry.verified_parsers,
        registry.verified_methods, registry.get_semantics, registry.truthiness_raises,
        tuple(sorted(registry.stubs)),
    )


def naming(paths: list[Path], names: set[str], read: Callable[[Path], bytes]) -> set[Path]:
    """The files among ``paths`` whose bytes contain one of ``names`` (one scan each)."""
    pattern = re.compile(b"|".join(re.escape(n.encode()) for n in sorted(names, key=len, reverse=True)))
    found = set()
    for path in paths:
        try:
            if pattern.search(read(path)):
                found.add(path)
        except OSError:
            found.add(path)  # let the check say what is wrong with it
    return found
