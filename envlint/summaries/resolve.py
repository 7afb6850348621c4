"""Resolve every module's facts together: which functions are wrappers, in any module.

A function is a wrapper when one of its parameters reaches a raw access — in
its own body, or by being passed on to another wrapper (``*names`` included),
in this module or another one. That is a least fixpoint over all functions of
the project: start from the direct accesses, add callers of wrappers until
nothing changes. Calls resolve by qualified name, following re-exports
(``from .common import f`` in a package ``__init__``, star imports).
"""

from __future__ import annotations

from typing import Iterable, Optional

from .model import Flow, FunctionFacts, KeyParam, ModuleFacts, ProjectSummary, Wrapper

_MAX_ROUNDS = 20  # chains longer than this are not followed
_MAX_ALIAS_DEPTH = 6


class _Index:
    """Qualified-name lookups over the facts of many modules."""

    def __init__(self, modules: Iterable[ModuleFacts]):
        self.modules = {m.module: m for m in modules}
        self._targets: dict[str, Optional[str]] = {}
        self._known: Optional[dict] = None
        self.functions: dict[str, tuple[ModuleFacts, FunctionFacts]] = {}
        self.constants: dict[str, tuple[str, tuple[str, ...]]] = {}
        for facts in self.modules.values():
            for name, function in facts.functions.items():
                self.functions[f"{facts.module}.{name}"] = (facts, function)
            for name, value in facts.constants.items():
                self.constants[f"{facts.module}.{name}"] = value

    def canonical(self, qualified: str, known: dict, depth: int = 0) -> Optional[str]:
        """The qualified name under which ``known`` holds what ``qualified`` refers to."""
        if qualified in known:
            return qualified
        if depth > _MAX_ALIAS_DEPTH:
            return None
        parts = qualified.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            module = self.modules.get(".".join(parts[:cut]))
            if module is None:
                continue
            first, rest = parts[cut], parts[cut + 1:]
            target = module.aliases.get(first)
            if target is not None:
                found = self.canonical(".".join([target, *rest]), known, depth + 1)
                if found is not None:
                    return found
            for star in module.stars:
                found = self.canonical(".".join([star, first, *rest]), known, depth + 1)
                if found is not None:
                    return found
            return None
        return None


def resolve(modules: Iterable[ModuleFacts]) -> ProjectSummary:
    """The project summary of these modules' facts."""
    index = _Index(modules)
    wrappers = _fixpoint(index, index.functions, {})
    stars = {m.module: m.stars for m in index.modules.values() if m.stars}
    summary = ProjectSummary(dict(index.constants), wrappers, stars)
    _add_reexports(index, summary)
    return summary


def resolve_local(facts: ModuleFacts, summary: ProjectSummary) -> dict[str, Wrapper]:
    """Wrappers of one module from its own (current) facts, other modules from ``summary``."""
    index = _Index([facts])
    prefix = facts.module + "."
    others = {q: w for q, w in summary.wrappers.items() if not q.startswith(prefix)}
    resolved = _fixpoint(index, index.functions, others, summary)
    return {q: w for q, w in resolved.items() if q.startswith(prefix)}


def _fixpoint(index: _Index, functions: dict, fixed: dict[str, Wrapper], outer: Optional[ProjectSummary] = None):
    wrappers: dict[str, Wrapper] = dict(fixed)
    for _ in range(_MAX_ROUNDS):
        changed = False
        for qualified, (facts, function) in functions.items():
            wrapper = _evaluate(index, qualified, function, wrappers, outer)
            if wrapper is not None and wrapper != wrappers.get(qualified):
                wrappers[qualified] = wrapper
                changed = True
        if not changed:
            break
    return {q: w for q, w in wrappers.items() if q not in fixed or q in functions}


def _callee(index: _Index, callee: str, wrappers: dict, outer: Optional[ProjectSummary]) -> Optional[Wrapper]:
    # Where a callee leads (aliases and stars followed) does not change between rounds of the
    # fixpoint: resolve it once against the functions and the fixed wrappers, then look up.
    targets = index._targets
    if callee not in targets:
        if index._known is None:  # every function of these modules, and the fixed wrappers
            index._known = {**dict.fromkeys(wrappers), **dict.fromkeys(index.functions)}
        targets[callee] = index.canonical(callee, index._known)
    found = targets[callee]
    if found is not None and found in wrappers:
        return wrappers[found]
    if outer is not None:
        return outer.wrappers.get(callee)
    return None


def _evaluate(index, qualified: str, function: FunctionFacts, wrappers: dict, outer) -> Optional[Wrapper]:
    reached: dict[str, tuple] = {}  # parameter -> (many, prefix, suffix, access, via, chain)
    for flow in function.flows:
        if flow.param in reached:
            continue
        target = flow.target
        if target[0] == "access":
            reached[flow.param] = (flow.many, flow.prefix, flow.suffix, target[1], target[2], ())
            continue
        callee = _callee(index, target[1], wrappers, outer)
        if callee is None or callee.qualified == qualified:
            continue
        found = _through(flow, callee, target[2])
        if found is not None:
            reached[flow.param] = found
    params = []
    for name, (many, prefix, suffix, access, via, chain) in reached.items():
        if name == function.vararg:
            if not many or prefix or suffix:
                continue  # the *args tuple itself used as one key: not a key
            params.append(KeyParam(len(function.positional), None, True, False, "", "", access, via))
        elif name in function.positional:
            params.append(KeyParam(function.positional.index(name), name, False, many, prefix, suffix, access, via))
        elif name in function.kwonly:
            params.append(KeyParam(None, name, False, many, prefix, suffix, access, via))
    if not params:
        return None
    chain = next(iter(reached.values()))[5]
    return Wrapper(qualified, f"{function.name}()", tuple(params), function.binding, chain)


def _through(flow: Flow, callee: Wrapper, slot) -> Optional[tuple]:
    """What a parameter passed on to ``callee`` at ``slot`` reaches, if anything."""
    param = _param_at(callee, slot)
    if param is None:
        return None
    chain = (callee.display, *callee.chain)
    if isinstance(slot, str) and slot.startswith("*"):
        # ``*names`` passed on: each element lands in a key position.
        if param.many:
            return None
        return True, param.prefix, param.suffix, param.access, param.via, chain
    if param.star:
        if flow.many:
            return None
        many = False
    else:
        if flow.many and param.many:
            return None
        many = flow.many or param.many
    if many and (flow.prefix or flow.suffix):
        return None
    return many, param.prefix + flow.prefix, flow.suffix + param.suffix, param.access, param.via, chain


def _param_at(callee: Wrapper, slot) -> Optional[KeyParam]:
    if isinstance(slot, int):
        for param in callee.params:
            if param.star and param.position is not None and param.position <= slot:
                return param
            if not param.star and param.position == slot:
                return param
        return None
    if slot.startswith("kw:"):
        name = slot[3:]
        for param in callee.params:
            if param.name == name and not param.star:
                return param
        return None
    index = int(slot[1:])
    for param in callee.params:
        if param.star and param.position is not None and param.position <= index:
            return param
    for param in sorted(callee.params, key=lambda p: p.position if p.position is not None else 1 << 30):
        if param.position is not None and param.position >= index:
            return param
    return None


def _add_reexports(index: _Index, summary: ProjectSummary) -> None:
    """``pkg.f`` for ``from .impl import f`` in ``pkg/__init__.py`` (and star imports)."""
    added = set()
    names = {q.rpartition(".")[2] for q in (*summary.wrappers, *summary.constants)}
    for module in index.modules.values():
        for local, target in module.aliases.items():
            if target.rpartition(".")[2] not in names:
                continue  # an import of something that is neither a wrapper nor a key constant
            qualified = f"{module.module}.{local}"
            found = index.canonical(target, summary.wrappers)
            if found is not None and qualified not in summary.wrappers:
                summary.wrappers[qualified] = summary.wrappers[found]
                added.add(qualified)
            found = index.canonical(target, summary.constants)
            if found is not None and qualified not in summary.constants:
                summary.constants[qualified] = summary.constants[found]
                added.add(qualified)
    summary.reexports = frozenset(added)
