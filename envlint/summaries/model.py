"""What the project-wide analysis knows: facts per module, and the resolved summary.

*Facts* are what one module says about itself, read from its text alone (so
they can be cached by content): its constants that hold owned keys, and for
each function, where its parameters flow (into a raw access, or into a call of
some other function at some argument position). The *summary* resolves the
facts of every module together: which functions are wrappers (a parameter
reaches an environment access, directly or through other wrappers, in any
module), and the constants by qualified name, re-exports followed.

Everything here is position-free on purpose: editing a file without changing
what its wrappers and constants mean leaves the summary's digest unchanged, so
cached results of every other file stay valid.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Optional, Union

Slot = Union[int, str]  # a positional index, "kw:<name>", or "*<index>" (``*param`` passed on)


@dataclass(frozen=True)
class Flow:
    """A parameter (or the elements of one, ``many``) reaching ``target``.

    ``target`` is ``("access", access, via)`` for a raw access, or
    ``("call", qualified callee, slot)`` for an argument of another call. The
    key is ``prefix + <parameter> + suffix`` (an f-string around the parameter).
    """

    param: str
    many: bool
    prefix: str
    suffix: str
    target: tuple


@dataclass(frozen=True)
class FunctionFacts:
    name: str  # "f" or "Class.method"
    positional: tuple[str, ...]  # positional parameters, a bound self/cls excluded
    vararg: Optional[str]
    kwonly: tuple[str, ...]
    binding: str  # "function" | "method" | "classmethod" | "staticmethod"
    flows: tuple[Flow, ...]


@dataclass
class ModuleFacts:
    module: str
    constants: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)  # name -> (kind, keys)
    functions: dict[str, FunctionFacts] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)  # module-level from-imports: name -> qualified
    stars: tuple[str, ...] = ()  # modules star-imported at module level

    def to_json(self) -> dict:
        return {
            "module": self.module,
            "constants": {k: [kind, list(v)] for k, (kind, v) in self.constants.items()},
            "functions": {
                name: {
                    "positional": list(f.positional),
                    "vararg": f.vararg,
                    "kwonly": list(f.kwonly),
                    "binding": f.binding,
                    "flows": [[x.param, x.many, x.prefix, x.suffix, list(x.target)] for x in f.flows],
                }
                for name, f in self.functions.items()
            },
            "aliases": self.aliases,
            "stars": list(self.stars),
        }

    @classmethod
    def from_json(cls, data: dict) -> "ModuleFacts":
        functions = {
            name: FunctionFacts(
                name,
                tuple(f["positional"]),
                f["vararg"],
                tuple(f["kwonly"]),
                f["binding"],
                tuple(Flow(p, m, pre, suf, tuple(t)) for p, m, pre, suf, t in f["flows"]),
            )
            for name, f in data["functions"].items()
        }
        return cls(
            data["module"],
            {k: (kind, tuple(v)) for k, (kind, v) in data["constants"].items()},
            functions,
            dict(data["aliases"]),
            tuple(data["stars"]),
        )


@dataclass(frozen=True)
class KeyParam:
    """One parameter of a wrapper whose argument names a key (or keys)."""

    position: Optional[int]  # among positional arguments, a bound self/cls excluded; None: keyword-only
    name: Optional[str]  # for keyword arguments; None for ``*args``
    star: bool = False  # ``*args``: every positional argument from ``position`` on is a key
    many: bool = False  # the argument is a collection of keys (the wrapper loops over it)
    prefix: str = ""  # the wrapper reads prefix + argument + suffix
    suffix: str = ""
    access: str = "read"
    via: str = "os.getenv()"  # the raw access the key finally reaches


@dataclass(frozen=True)
class Wrapper:
    """A project function that accesses the environment with (part of) an argument."""

    qualified: str
    display: str  # "_get_env()", "Allocator._env()"
    params: tuple[KeyParam, ...]
    binding: str
    chain: tuple[str, ...] = ()  # wrappers the key passes through, outermost first

    def describe(self) -> str:
        """"_get_env() (it reads the key with os.environ.get())" for messages."""
        param = self.params[0]
        verb = {"read": "reads", "write": "writes", "delete": "deletes", "check": "checks"}[param.access]
        through = "".join(f"{name} → " for name in self.chain)
        return f"{self.display} (it {verb} the key with {through}{param.via})"


@dataclass
class ProjectSummary:
    """Wrappers and key constants of the whole project, by qualified name."""

    constants: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    wrappers: dict[str, Wrapper] = field(default_factory=dict)
    # Star re-exports (``from .common import *`` in a package): module -> star-imported modules.
    stars: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Entries that are another module's wrapper or constant imported under this name.
    reexports: frozenset[str] = frozenset()

    @property
    def digest(self) -> str:
        """Changes exactly when what the summary tells a rule changes."""
        return hashlib.sha256(json.dumps(self.to_json(), sort_keys=True).encode()).hexdigest()

    def constant(self, qualified: str) -> Optional[tuple[str, tuple[str, ...]]]:
        found = self._find(qualified, self.constants, 0)
        return self.constants[found] if found is not None else None

    def wrapper(self, qualified: str) -> Optional[Wrapper]:
        found = self._find(qualified, self.wrappers, 0)
        return self.wrappers[found] if found is not None else None

    def _find(self, qualified: str, table: dict, depth: int) -> Optional[str]:
        """``qualified``, or what it names through a star re-export, if ``table`` has it."""
        if qualified in table:
            return qualified
        if depth > 4 or not self.stars:
            return None
        module, _, name = qualified.rpartition(".")
        for star in self.stars.get(module, ()):
            found = self._find(f"{star}.{name}", table, depth + 1)
            if found is not None:
                return found
        return None

    def wrapper_names(self) -> frozenset[str]:
        """Last names of every wrapper (what a call of one must spell)."""
        return frozenset(q.rpartition(".")[2] for q in self.wrappers)

    def template_wrapper_names(self, is_owned) -> frozenset[str]:
        """Wrappers that add an owned prefix themselves: their calls need not spell one."""
        return frozenset(
            q.rpartition(".")[2]
            for q, w in self.wrappers.items()
            if any(p.prefix and is_owned(p.prefix) for p in w.params)
        )

    def names_by_module(self) -> dict[str, frozenset[str]]:
        """{defining module: last names of the wrappers and constants it defines}."""
        found: dict[str, set[str]] = {}
        for qualified in (*self.wrappers, *self.constants):
            if qualified in self.reexports:
                continue
            head, _, name = qualified.rpartition(".")
            found.setdefault(head, set()).add(name)
        # ``Class.attr`` / ``Class.method``: the module is one level up.
        result: dict[str, set[str]] = {}
        for head, names in found.items():
            result.setdefault(head, set()).update(names)
            module = head.rpartition(".")[0]
            if module:
                result.setdefault(module, set()).update(names)
        return {m: frozenset(n) for m, n in result.items()}

    def constant_names(self) -> frozenset[str]:
        """Last names of every key constant (``DSV4_ENV``, ``default_env_var``)."""
        return frozenset(q.rpartition(".")[2] for q in self.constants)

    def to_json(self) -> dict:
        return {
            "constants": {k: [kind, list(v)] for k, (kind, v) in sorted(self.constants.items())},
            "wrappers": {k: asdict(w) for k, w in sorted(self.wrappers.items())},
            "stars": {k: list(v) for k, v in sorted(self.stars.items())},
            "reexports": sorted(self.reexports),
        }

    @classmethod
    def from_json(cls, data: dict) -> "ProjectSummary":
        wrappers = {}
        for qualified, w in data["wrappers"].items():
            wrappers[qualified] = Wrapper(
                w["qualified"],
                w["display"],
                tuple(KeyParam(**p) for p in w["params"]),
                w["binding"],
                tuple(w["chain"]),
            )
        return cls(
            {k: (kind, tuple(v)) for k, (kind, v) in data["constants"].items()},
            wrappers,
            {k: tuple(v) for k, v in data["stars"].items()},
            frozenset(data["reexports"]),
        )
