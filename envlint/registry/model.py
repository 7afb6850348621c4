"""The registry model: ``Field`` (one registered variable) and ``Registry`` (one file).

Everything envlint knows about a registry after parsing it statically lives in
these two classes; the parsers in this package fill them, rules and fixes read them.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Optional

from ..names import Resolver


# Base descriptor classes of sglang's EnvField API and the type each one parses to.
BASE_DESCRIPTOR_KINDS = {
    "EnvField": "unknown",
    "EnvBool": "bool",
    "EnvInt": "int",
    "EnvFloat": "float",
    "EnvStr": "str",
    "EnvTuple": "tuple",
    "EnvJSON": "json",
}

DEFAULT_ENV_DICT = "environment_variables"
_ENV_PREFIX = re.compile(r"^[A-Z][A-Z0-9]*_[A-Z0-9_]*$")


@dataclass(frozen=True)
class Field:
    """One registered environment variable."""

    name: str
    kind: str  # bool | int | float | str | tuple | json | list | unknown
    descriptor: Optional[str]  # descriptor class (descriptor style) or None (module style)
    default: Any  # the default as a Python value when it is a literal
    default_is_literal: bool
    default_source: str  # the default's source text ("" when there is none)
    alias: Optional[str]  # deprecated_name of the *WithAlias descriptors
    line: int
    column: int  # 0-based character column of the name
    section: Optional[str]
    description: str
    optional: bool = False  # module style: annotated ``X | None``
    # False when the literal value is not of a plain literal's type: ``Level.OFF``
    # is the int 0 in value but an IntEnum member in type
    default_is_plain: bool = True


@dataclass(frozen=True)
class DeprecationEntry:
    """One old name the registry still answers to: where, and what it points users to.

    ``mechanism`` is how: "table" (a ``_DEPRECATED_ENVS``-style dict entry),
    "function" (``_print_deprecated_env("OLD", ...)``), "cli-flag"
    (``_warn_deprecated_env_to_cli_flag("OLD", "... '--flag' ...")``) or
    "mapping" (another str -> str dict whose name says it deprecates, such as
    sglang 0.5.12's ``_deprecated_ms_to_s``). ``flag`` is the CLI flag a
    deprecation message names, when it names one.
    """

    name: str
    replacement: Optional[str]
    mechanism: str
    line: int
    flag: Optional[str] = None


@dataclass
class Registry:
    path: Path
    style: str  # "descriptor" | "module"
    module: str
    fields: dict[str, Field] = field(default_factory=dict)
    # descriptor style
    class_name: Optional[str] = None
    instance: Optional[str] = None
    # module style
    dict_name: Optional[str] = None
    stubs: dict[str, Field] = field(default_factory=dict)
    dynamic_keys: bool = False  # keys added with non-literal names (loops)
    # f-string prefixes in the file (``f"SGLANG_CACHE_DIT_SECONDARY_{suffix}"``): names
    # starting with one may be generated keys, so ENV006/ENV007 do not call them missing
    dynamic_prefixes: tuple[str, ...] = ()
    module_attributes: frozenset[str] = frozenset()
    # renames: old name -> replacement (None when removed without replacement)
    deprecations: dict[str, Optional[str]] = field(default_factory=dict)
    deprecation_mechanism: Optional[str] = None  # "table" | "function" | None
    # every deprecation entry with its line and mechanism (``deprecations`` keeps the
    # table and function ones as old -> replacement, which fixes and docs use)
    deprecation_entries: dict[str, DeprecationEntry] = field(default_factory=dict)
    # ``_print_deprecated_env(old, new)``, unless its first parameter is named ``new...``
    deprecation_old_first: bool = True
    # descriptor classes whose ``parse`` is sglang's, so envlint may model them
    verified_parsers: frozenset[str] = frozenset()
    # the registry API methods whose code is the one envlint models (``verified_methods``):
    # "is_set", "set", "clear" of EnvField (descriptor style); "is_set" (module style)
    verified_methods: frozenset[str] = frozenset()
    # descriptor classes whose __bool__/__len__ always raise (``truthiness_raising``)
    truthiness_raises: frozenset[str] = frozenset()
    # what ``EnvField.get`` returns for a value ``parse`` rejects, when its code is one envlint
    # models (``verification.get_semantics``): "default-on-invalid" (sglang) or
    # "raises-on-invalid"; None: read fixes through this registry are unsafe
    get_semantics: Optional[str] = None
    # the registry module lists its descriptors (``vars(Envs)``): a new one is visible
    enumerates_fields: bool = False
    supports_secret: bool = False  # EnvField(..., secret=True) exists
    # module style: each key's getter as written (later assignments win, as at
    # import time), and the expression a plain ``lambda:`` getter evaluates
    getter_values: dict[str, ast.expr] = field(default_factory=dict, repr=False)
    getters: dict[str, ast.expr] = field(default_factory=dict, repr=False)
    tree: Optional[ast.Module] = field(default=None, repr=False)

    @property
    def qualified_name(self) -> str:
        """What an expression must resolve to in order to *be* this registry."""
        if self.style == "descriptor":
            return f"{self.module}.{self.instance or 'envs'}"
        return self.module

    @property
    def class_qualified_name(self) -> Optional[str]:
        if self.style == "descriptor" and self.class_name:
            return f"{self.module}.{self.class_name}"
        return None

    @cached_property
    def resolver(self) -> Resolver:
        """Name resolution inside the registry file itself (what its getters call), built once."""
        return Resolver(self.tree, self.module, self.path.name == "__init__.py")

    @property
    def package(self) -> str:
        """The package this registry governs (``sglang.multimodal_gen`` for its envs.py)."""
        return self.module.rpartition(".")[0]

    def defines(self, name: str) -> bool:
        """Whether ``registry.<name>`` exists (a key, a generated key, or a module name)."""
        if name in self.fields:
            return True
        if self.style == "module":
            return name in self.module_attributes or name.startswith(self.dynamic_prefixes)
        return False
