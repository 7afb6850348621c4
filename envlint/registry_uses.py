"""A byte-level proof that a file's registry uses are all fine, so it need not be parsed.

Most sglang files that import ``envs`` use it only as ``envs.SGLANG_X.get()``.
ENV004 (descriptor used as a value) and ENV006 (unknown attribute) cannot fire
on such a use: the attribute is registered and is immediately followed by one
of the descriptor's methods, so it is never itself a truth test, a comparison
or a ``bool()``/``len()`` argument. This module checks that *every* textual
use ``NAME.ATTR`` in the file is of that kind, where NAME is a registry's
instance, class or module name, or an ``... as alias`` of one of them. If any
use is not (a bare ``envs.X``, an unknown name, a legacy ``SGL_`` name, text
in a comment), the file is parsed and checked normally.

Sound because every way of reaching a registry in code leaves ``NAME.ATTR`` in
the text: ``envs.X``, ``sglang_envs.X`` after ``envs as sglang_envs``,
``environ.envs.X``, ``sglang.srt.environ.envs.X``, ``Envs.X``; a finding's
attribute is exactly such a use. The fixtures and both corpora are checked with
and without it (``--no-prefilter``).
"""

from __future__ import annotations

import re
from typing import Callable

from .project import Project

_METHODS = frozenset({b"get", b"set", b"override", b"is_set", b"clear", b"name", b"default"})


_WORD_BYTES = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")


def _words(data: bytes, names: tuple[bytes, ...]):
    """(name, end offset) of every occurrence of a name as a whole word (regex ``\\b``)."""
    size = len(data)
    for name in names:
        start = data.find(name)
        while start != -1:
            end = start + len(name)
            if (start == 0 or data[start - 1] not in _WORD_BYTES) and (end == size or data[end] not in _WORD_BYTES):
                yield name, end
            start = data.find(name, start + 1)


def uses_need_parsing(project: Project) -> Callable[[bytes], bool]:
    """A predicate: True when ENV004/ENV006 might fire on a file with these bytes.

    Stateless: it answers for the bytes it is given. ENV004 and ENV006 share one
    (``Project.registry_use_check``) and the engine's prefilter evaluates it once
    per file.
    """
    by_name: dict[bytes, list] = {}
    for registry in project.registries:
        names = {registry.module.rpartition(".")[2]}
        if registry.style == "descriptor":
            names |= {registry.instance or "envs", registry.class_name or ""}
        for name in filter(None, names):
            by_name.setdefault(name.encode(), []).append(registry)
    if not by_name:
        return lambda data: False
    # Which registries a file can reach at all: importing one names its module
    # (``environ``) or, for a module-style registry, its package or a relative import.
    evidence = {}
    for registry in project.registries:
        module_last = registry.module.rpartition(".")[2].encode()
        if registry.style == "descriptor":
            evidence[id(registry)] = (module_last,)
        else:
            evidence[id(registry)] = (registry.package.rpartition(".")[2].encode(), b"from .")
    # Anchored tails, tried only where a name occurs: the names are found with
    # ``bytes.find`` (fast literal search), not with a regex alternation, which
    # ``re`` tries at every offset (measured over sglang's 4,719 files: 0.48 -> 0.1 s).
    alias_tail = re.compile(rb"\s+as\s+(\w+)")
    use_tail = re.compile(rb"\s*\.\s*(?=([A-Za-z_]\w*)(?:\s*\.\s*([A-Za-z_]\w*))?)")
    legacy = tuple(prefix.encode() for prefix, _ in project.config.legacy_prefixes)
    names_present = tuple(by_name)

    def need(data: bytes) -> bool:
        found = list(_words(data, names_present))
        if not found:
            return False
        reachable = {
            id(r) for r in project.registries if any(token in data for token in evidence[id(r)])
        }
        if not reachable:
            return False
        aliases = {a.group(1) for a in (alias_tail.match(data, end) for _, end in found) if a} - set(by_name)
        if aliases:
            found += _words(data, tuple(aliases))
        for name, end in found:
            use = use_tail.match(data, end)
            if use is None:
                continue
            attribute, after = use.group(1), use.group(2)
            if not attribute.isupper():
                continue  # methods, module helpers, `environ.envs`: not what the rules flag
            if attribute.startswith(legacy):
                return True
            registries = by_name.get(name, project.registries)
            text = attribute.decode()
            for registry in (r for r in registries if id(r) in reachable):
                if not registry.defines(text):
                    return True
                if registry.style == "descriptor" and after not in _METHODS:
                    return True
        return False

    return need
