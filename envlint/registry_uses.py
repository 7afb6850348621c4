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
    alternation = b"|".join(re.escape(n) for n in sorted(by_name))
    base = re.compile(rb"\b(?:" + alternation + rb")\b")
    # Which registries a file can reach at all: importing one names its module
    # (``environ``) or, for a module-style registry, its package or a relative import.
    evidence = {}
    for registry in project.registries:
        module_last = registry.module.rpartition(".")[2].encode()
        if registry.style == "descriptor":
            evidence[id(registry)] = (module_last,)
        else:
            evidence[id(registry)] = (registry.package.rpartition(".")[2].encode(), b"from .")
    alias = re.compile(rb"\b(?:" + alternation + rb")\s+as\s+(\w+)")
    legacy = tuple(prefix.encode() for prefix, _ in project.config.legacy_prefixes)

    def need(data: bytes) -> bool:
        if not base.search(data):
            return False
        reachable = {
            id(r) for r in project.registries if any(token in data for token in evidence[id(r)])
        }
        if not reachable:
            return False
        aliases = {m.group(1) for m in alias.finditer(data)}
        names = b"|".join(re.escape(n) for n in sorted(set(by_name) | aliases))
        use = re.compile(
            rb"\b(" + names + rb")\s*\.\s*(?=([A-Za-z_]\w*)(?:\s*\.\s*([A-Za-z_]\w*))?)"
        )
        for match in use.finditer(data):
            attribute, after = match.group(2), match.group(3)
            if not attribute.isupper():
                continue  # methods, module helpers, `environ.envs`: not what the rules flag
            if attribute.startswith(legacy):
                return True
            registries = by_name.get(match.group(1), project.registries)
            text = attribute.decode()
            for registry in (r for r in registries if id(r) in reachable):
                if not registry.defines(text):
                    return True
                if registry.style == "descriptor" and after not in _METHODS:
                    return True
        return False

    return need
