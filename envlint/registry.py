"""Read environment-variable registries statically: what keys exist, their types and defaults.

Two shapes exist side by side in sglang:

* descriptor style (``sglang/srt/environ.py``): ``class Envs`` whose attributes are
  ``EnvBool(False)``-like descriptors; an instance ``envs = Envs()``; callers read
  ``envs.KEY.get()``.
* module style (vLLM heritage, ``sglang/multimodal_gen/envs.py``, ``vllm/envs.py``):
  ``environment_variables = {"KEY": lambda: ...}`` plus a module ``__getattr__``;
  callers read ``envs.KEY`` and get the value.

The registry is never imported (importing sglang pulls in torch); it is parsed
with the stdlib ``ast``. Comments are not in the ``ast``, so section headers and
field descriptions are read from the raw lines around each statement.
"""

from __future__ import annotations

import ast
import bisect
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Optional

from .names import Resolver
from .source import SourceError, SourceFile

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
    # ``_print_deprecated_env(old, new)``, unless its first parameter is named ``new...``
    deprecation_old_first: bool = True
    # descriptor classes whose ``parse`` is sglang's, so envlint may model them
    verified_parsers: frozenset[str] = frozenset()
    # the registry API methods whose code is the one envlint models (``verified_methods``):
    # "is_set", "set", "clear" of EnvField (descriptor style); "is_set" (module style)
    verified_methods: frozenset[str] = frozenset()
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


# -- comments: sections and descriptions -------------------------------------------

_BANNER = re.compile(r"^\s*#\s*[=\-#*~]{3,}\s*$")
_INLINE_BANNER = re.compile(r"^\s*#\s*[=\-#*~]{3,}\s*([^=\-#*~\s].*?)\s*[=\-#*~]{3,}\s*$")
_COMMENT = re.compile(r"^\s*#(.*)$")


def _comment_text(line: str) -> Optional[str]:
    match = _COMMENT.match(line)
    return match.group(1).strip() if match else None


class _CommentMap:
    """Section headers and attached comments of one block of lines (a class body or a dict)."""

    def __init__(self, source: SourceFile, first: int, last: int):
        self.source = source
        self.header_lines: set[int] = set()
        starts: list[tuple[int, str]] = []
        lines = {n: source.line_text(n) for n in range(first, last + 1)}
        banner_mode = any(_BANNER.match(t) or _INLINE_BANNER.match(t) for t in lines.values())
        n = first
        while n <= last:
            text = lines[n]
            inline = _INLINE_BANNER.match(text)
            if banner_mode and inline:
                starts.append((n, inline.group(1)))
                self.header_lines.add(n)
            elif banner_mode and _BANNER.match(text):
                # "# ====" / "# Title" / "# ====": the title is what lies between banners.
                m = n + 1
                title_parts = []
                while m <= last and _comment_text(lines[m]) is not None and not _BANNER.match(
                    lines[m]
                ):
                    title_parts.append(_comment_text(lines[m]))
                    m += 1
                if m <= last and _BANNER.match(lines[m]) and title_parts:
                    starts.append((n, " ".join(p for p in title_parts if p)))
                    self.header_lines.update(range(n, m + 1))
                    n = m
                else:
                    self.header_lines.add(n)
            elif not banner_mode and _comment_text(text) is not None:
                previous = lines.get(n - 1, "")
                if n == first or not previous.strip():
                    # Legacy style: a comment block after a blank line opens a section.
                    starts.append((n, _comment_text(text) or ""))
                    m = n
                    while m <= last and _comment_text(lines[m]) is not None:
                        self.header_lines.add(m)
                        m += 1
                    n = m - 1
            n += 1
        self._start_lines = [line for line, _ in starts]
        self._titles = [title for _, title in starts]

    def section_at(self, line: int) -> Optional[str]:
        index = bisect.bisect_right(self._start_lines, line) - 1
        return self._titles[index] if index >= 0 else None

    def description(self, node: ast.AST) -> str:
        """Comment lines directly above ``node`` plus its trailing comment."""
        parts: list[str] = []
        n = node.lineno - 1
        while n >= 1 and n not in self.header_lines:
            text = _comment_text(self.source.line_text(n))
            if text is None:
                break
            parts.insert(0, text)
            n -= 1
        end_line = self.source.line_text(node.end_lineno)
        tail = end_line[self.source.char_col(node.end_lineno, node.end_col_offset) :]
        tail_comment = _comment_text(tail) if tail.strip().startswith("#") else None
        if tail_comment:
            parts.append(tail_comment)
        return " ".join(p for p in parts if p)


# -- literal defaults ------------------------------------------------------------------

_NO_VALUE = object()


def _literal(node: ast.AST, enums: dict[str, dict[str, int]]) -> Any:
    """The Python value of a default expression, or ``_NO_VALUE`` when not literal."""
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        pass
    if isinstance(node, ast.Call) and not node.args and not node.keywords:
        if isinstance(node.func, ast.Name) and node.func.id in ("tuple", "list", "dict"):
            return {"tuple": (), "list": [], "dict": {}}[node.func.id]
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Pow, ast.Mult, ast.Add, ast.Sub)):
        left, right = _literal(node.left, enums), _literal(node.right, enums)
        numbers = (int, float)
        if isinstance(left, numbers) and isinstance(right, numbers):
            if isinstance(node.op, ast.Pow) and (abs(right) > 128 or abs(left) > 2**16):
                return _NO_VALUE
            op = {ast.Pow: pow, ast.Mult: lambda a, b: a * b, ast.Add: lambda a, b: a + b,
                  ast.Sub: lambda a, b: a - b}[type(node.op)]
            return op(left, right)
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        members = enums.get(node.value.id)
        if members is not None and node.attr in members:
            return members[node.attr]
    return _NO_VALUE


def _int_enums(tree: ast.Module) -> dict[str, dict[str, int]]:
    """``class Level(IntEnum): OFF = 0`` members, so ``EnvInt(Level.OFF)`` has a value."""
    enums: dict[str, dict[str, int]] = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and any(
            isinstance(b, ast.Name) and b.id in ("IntEnum", "IntFlag") for b in node.bases
        ):
            members = {}
            for stmt in node.body:
                if (
                    isinstance(stmt, ast.Assign)
                    and len(stmt.targets) == 1
                    and isinstance(stmt.targets[0], ast.Name)
                    and isinstance(stmt.value, ast.Constant)
                    and isinstance(stmt.value.value, int)
                ):
                    members[stmt.targets[0].id] = stmt.value.value
            enums[node.name] = members
    return enums


# -- descriptor style ------------------------------------------------------------------


def descriptor_classes(tree: ast.Module) -> dict[str, str]:
    """Every EnvField class the file knows, with the kind it parses to.

    Subclasses defined in the file (``EnvBoolWithAlias(_DeprecatedEnvFallback,
    EnvBool)``) inherit the kind of their first base that is a descriptor.
    """
    kinds = dict(BASE_DESCRIPTOR_KINDS)
    classes = [node for node in tree.body if isinstance(node, ast.ClassDef)]
    changed = True
    while changed:
        changed = False
        for node in classes:
            if node.name in kinds and node.name not in BASE_DESCRIPTOR_KINDS:
                continue
            base_kinds = [
                kinds[b.id] for b in node.bases if isinstance(b, ast.Name) and b.id in kinds
            ]
            if base_kinds and node.name not in kinds:
                known = [k for k in base_kinds if k != "unknown"]
                kinds[node.name] = known[0] if known else "unknown"
                changed = True
    return kinds


def _descriptor_call(value: Optional[ast.AST], kinds: dict[str, str]) -> Optional[ast.Call]:
    if (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Name)
        and value.func.id in kinds
        and value.func.id != "EnvField"
    ):
        return value
    return None


def _class_fields(node: ast.ClassDef, kinds: dict[str, str]) -> list[tuple[ast.stmt, str, ast.Call]]:
    found = []
    for stmt in node.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target, value = stmt.targets[0], stmt.value
        elif isinstance(stmt, ast.AnnAssign):
            target, value = stmt.target, stmt.value
        else:
            continue
        call = _descriptor_call(value, kinds)
        if isinstance(target, ast.Name) and call is not None:
            found.append((stmt, target.id, call))
    return found


def _parse_descriptor(registry: Registry, tree: ast.Module, source: SourceFile) -> None:
    kinds = descriptor_classes(tree)
    enums = _int_enums(tree)
    best: Optional[tuple[ast.ClassDef, list]] = None
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name not in kinds:
            fields = _class_fields(node, kinds)
            if fields and (best is None or len(fields) > len(best[1])):
                best = (node, fields)
    if best is None:
        return
    class_node, fields = best
    registry.class_name = class_node.name
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Name)
            and node.value.func.id == class_node.name
        ):
            registry.instance = node.targets[0].id
    comments = _CommentMap(source, class_node.lineno + 1, class_node.end_lineno)
    for stmt, name, call in fields:
        default_node = call.args[0] if call.args else _keyword(call, "default")
        alias_node = call.args[1] if len(call.args) > 1 else _keyword(call, "deprecated_name")
        value = _literal(default_node, enums) if default_node is not None else None
        is_literal = default_node is None or value is not _NO_VALUE
        target = stmt.targets[0] if isinstance(stmt, ast.Assign) else stmt.target
        registry.fields[name] = Field(
            name=name,
            kind=kinds[call.func.id],
            descriptor=call.func.id,
            default=None if value is _NO_VALUE else value,
            default_is_literal=is_literal,
            default_source=source.segment(default_node) if default_node is not None else "",
            alias=alias_node.value
            if isinstance(alias_node, ast.Constant) and isinstance(alias_node.value, str)
            else None,
            line=target.lineno,
            column=source.char_col(target.lineno, target.col_offset),
            section=comments.section_at(stmt.lineno),
            description=comments.description(stmt),
            # An IntEnum member has an int's value but not its type.
            default_is_plain=default_node is None or not _is_enum_member(default_node, enums),
        )
    _parse_deprecations(registry, tree)
    registry.verified_parsers = verified_parsers(tree)
    registry.verified_methods = verified_methods(tree, "descriptor")
    registry.enumerates_fields = _enumerates(tree, {class_node.name, registry.instance or "envs"})
    init = _method({n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}, "EnvField", "__init__")
    registry.supports_secret = init is not None and any(
        a.arg == "secret" for a in (*init.args.args, *init.args.kwonlyargs)
    )


def _is_enum_member(node: ast.AST, enums: dict[str, dict[str, int]]) -> bool:
    return (
        isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in enums
    )


def _method(classes: dict[str, ast.ClassDef], class_name: str, method: str) -> Optional[ast.FunctionDef]:
    node = classes.get(class_name)
    if node is None:
        return None
    for stmt in node.body:
        if isinstance(stmt, ast.FunctionDef) and stmt.name == method:
            return stmt
    return None


def _returns(function: ast.FunctionDef) -> list[ast.AST]:
    return [n.value for n in ast.walk(function) if isinstance(n, ast.Return)]


def _assigns(function: ast.FunctionDef) -> list[ast.Assign]:
    return [n for n in ast.walk(function) if isinstance(n, (ast.Assign, ast.AugAssign, ast.AnnAssign))]


def _is_call_on(node: Optional[ast.AST], builtin: str, param: str) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == builtin
        and len(node.args) == 1
        and not node.keywords
        and isinstance(node.args[0], ast.Name)
        and node.args[0].id == param
    )


def _strings(node: ast.AST) -> Optional[frozenset[str]]:
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)) and all(
        isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts
    ):
        return frozenset(e.value for e in node.elts)
    return None


def verified_parsers(tree: ast.Module) -> frozenset[str]:
    """The base descriptor classes whose ``parse`` does exactly what sglang's does.

    envlint models ``envs.K.get()`` by these semantics; a registry whose
    ``EnvInt.parse`` is ``int(value, 0)`` (or strips, or accepts "on") must not
    be trusted to behave like the model.
    """
    from .safety import BOOL_FALSE, BOOL_TRUE  # the canonical spellings

    classes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
    verified = set()
    for name, builtin in (("EnvInt", "int"), ("EnvFloat", "float")):
        parse = _method(classes, name, "parse")
        if parse is not None and len(parse.args.args) == 2 and not _assigns(parse):
            param = parse.args.args[1].arg
            returns = _returns(parse)
            if returns and all(_is_call_on(r, builtin, param) for r in returns):
                verified.add(name)
    parse = _method(classes, "EnvStr", "parse")
    if parse is not None and len(parse.args.args) == 2 and not _assigns(parse):
        param = parse.args.args[1].arg
        returns = _returns(parse)
        if returns and all(isinstance(r, ast.Name) and r.id == param for r in returns):
            verified.add("EnvStr")
    parse = _method(classes, "EnvBool", "parse")
    if parse is not None and len(parse.args.args) == 2:
        param = parse.args.args[1].arg
        assigns = _assigns(parse)
        lowered = len(assigns) == 1 and ast.dump(assigns[0]) == ast.dump(
            ast.parse(f"{param} = {param}.lower()").body[0]
        )
        truthy, falsy, shapes_ok = None, None, lowered
        for node in ast.walk(parse):
            if isinstance(node, ast.If):
                test, body = node.test, node.body
                if not (
                    isinstance(test, ast.Compare)
                    and isinstance(test.left, ast.Name)
                    and test.left.id == param
                    and len(test.ops) == 1
                    and isinstance(test.ops[0], ast.In)
                    and len(body) == 1
                    and isinstance(body[0], ast.Return)
                    and isinstance(body[0].value, ast.Constant)
                ):
                    shapes_ok = False
                    continue
                values = _strings(test.comparators[0])
                if body[0].value.value is True:
                    truthy = values
                elif body[0].value.value is False:
                    falsy = values
        returns = _returns(parse)
        if (
            shapes_ok
            and truthy == BOOL_TRUE
            and falsy == BOOL_FALSE
            and all(isinstance(r, ast.Constant) and isinstance(r.value, bool) for r in returns)
        ):
            verified.add("EnvBool")
    return frozenset(verified)


# What envlint's write, delete and presence-check fixes assume each API method does,
# with the parameter names as placeholders: sglang's EnvField (0.5.x) and vLLM's
# module-level ``is_set``. Alternatives list the accepted bodies (docstrings aside).
_DESCRIPTOR_METHODS = {
    "is_set": (["return {self}.name in os.environ"],),
    "set": (
        ["{self}._set_to_none = {arg} is None", "os.environ[{self}.name] = str({arg})"],
        ["os.environ[{self}.name] = str({arg})"],
    ),
    "clear": (
        ["os.environ.pop({self}.name, None)", "{self}._set_to_none = False"],
        ["os.environ.pop({self}.name, None)"],
    ),
}
_MODULE_IS_SET = (
    ["return {arg} in os.environ"],
    # vLLM: registered names only; fixes only ever ask about registered names
    [
        "if {arg} in {dict}:\n    return {arg} in os.environ",
        "raise AttributeError(f'module {{__name__!r}} has no attribute {{{arg}!r}}')",
    ],
)


def _body_matches(function: ast.FunctionDef, alternatives, **names: str) -> bool:
    body = function.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # a docstring
    written = [ast.dump(statement) for statement in body]
    for alternative in alternatives:
        expected = [ast.dump(ast.parse(line.format(**names)).body[0]) for line in alternative]
        if written == expected:
            return True
    return False


def verified_methods(tree: ast.Module, style: str, dict_name: Optional[str] = None) -> frozenset[str]:
    """The registry API methods whose code is exactly what envlint's fixes assume.

    ``"K" in os.environ`` becomes ``envs.K.is_set()``, ``os.environ["K"] = v``
    becomes ``envs.K.set(v)``, ``os.environ.pop("K", None)`` becomes
    ``envs.K.clear()``: equivalent only when those methods do what sglang's do.
    A registry whose method differs (logs, converts, validates) gets unsafe fixes.
    """
    verified = set()
    if style == "descriptor":
        classes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
        for name, alternatives in _DESCRIPTOR_METHODS.items():
            method = _method(classes, "EnvField", name)
            params = [a.arg for a in method.args.args] if method is not None else []
            if method is None or len(params) != (2 if name == "set" else 1):
                continue
            arg = params[1] if name == "set" else ""
            if _body_matches(method, alternatives, self=params[0], arg=arg):
                verified.add(name)
        return frozenset(verified)
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == "is_set" and len(node.args.args) == 1:
            arg = node.args.args[0].arg
            if _body_matches(node, _MODULE_IS_SET, arg=arg, dict=dict_name or DEFAULT_ENV_DICT):
                verified.add("is_set")
    return frozenset(verified)


def _enumerates(tree: ast.Module, names: set[str]) -> bool:
    """Whether the module lists the registry's descriptors (``vars(Envs)``, ``Envs.__dict__``)."""
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, (ast.Name, ast.Attribute))
            and (node.func.id if isinstance(node.func, ast.Name) else node.func.attr)
            in ("vars", "dir", "getmembers")
            and node.args
            and isinstance(node.args[0], ast.Name)
            and node.args[0].id in names
        ):
            return True
        if (
            isinstance(node, ast.Attribute)
            and node.attr == "__dict__"
            and isinstance(node.value, ast.Name)
            and node.value.id in names
        ):
            return True
    return False


def _keyword(call: ast.Call, name: str) -> Optional[ast.AST]:
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    return None


def _parse_deprecations(registry: Registry, tree: ast.Module) -> None:
    """Renames the registry already handles: a deprecation table or helper calls.

    sglang 0.5.x keeps ``_DEPRECATED_ENVS = {"OLD": _DeprecatedEnv(replacement=...)}``;
    the conventions document ``_print_deprecated_env("OLD", "NEW")``.
    """
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == "_print_deprecated_env":
            names = [a.arg for a in node.args.args]
            registry.deprecation_old_first = not (names and names[0].startswith("new"))
    old_first = registry.deprecation_old_first
    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            target = node.targets[0] if isinstance(node, ast.Assign) else node.target
            if (
                isinstance(target, ast.Name)
                and target.id == "_DEPRECATED_ENVS"
                and isinstance(node.value, ast.Dict)
            ):
                registry.deprecation_mechanism = "table"
                for key, value in zip(node.value.keys, node.value.values):
                    if isinstance(key, ast.Constant) and isinstance(key.value, str):
                        replacement = None
                        if isinstance(value, ast.Call):
                            rep = _keyword(value, "replacement")
                            if rep is None and value.args:
                                rep = value.args[0]
                            if isinstance(rep, ast.Constant) and isinstance(rep.value, str):
                                replacement = rep.value
                        registry.deprecations[key.value] = replacement
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "_print_deprecated_env"
        ):
            args = [a.value for a in node.args if isinstance(a, ast.Constant)]
            if args and all(isinstance(a, str) for a in args):
                if registry.deprecation_mechanism is None:
                    registry.deprecation_mechanism = "function"
                if len(args) == 1:
                    registry.deprecations[args[0]] = None
                else:
                    old, new = (args[0], args[1]) if old_first else (args[1], args[0])
                    registry.deprecations[old] = new


# -- module style ----------------------------------------------------------------------

_ANNOTATION_KINDS = {"bool": "bool", "int": "int", "float": "float", "str": "str", "list": "list",
                     "dict": "json", "tuple": "tuple"}


def _annotation_kind(annotation: ast.AST) -> tuple[str, bool]:
    """``bool`` -> ("bool", False); ``str | None`` / ``Optional[str]`` -> ("str", True)."""
    optional = False
    node = annotation
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        sides = [node.left, node.right]
        non_none = [s for s in sides if not (isinstance(s, ast.Constant) and s.value is None)]
        optional = len(non_none) < len(sides)
        node = non_none[0] if len(non_none) == 1 else node
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        if node.value.id == "Optional":
            optional, node = True, node.slice
        elif node.value.id in ("list", "List"):
            return "list", optional
        elif node.value.id in ("dict", "Dict"):
            return "json", optional
        elif node.value.id == "Literal":
            return "str", optional
    if isinstance(node, ast.Name) and node.id in _ANNOTATION_KINDS:
        return _ANNOTATION_KINDS[node.id], optional
    return "unknown", optional


def _is_type_checking(test: ast.AST) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _parse_module(registry: Registry, tree: ast.Module, source: SourceFile) -> None:
    enums = _int_enums(tree)
    attributes: set[str] = set()
    dict_node: Optional[ast.Dict] = None
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            attributes.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                attributes.add((alias.asname or alias.name).split(".")[0])
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    attributes.add(target.id)
                    if target.id == DEFAULT_ENV_DICT and isinstance(node.value, ast.Dict):
                        dict_node = node.value
                        registry.dict_name = target.id
        elif isinstance(node, ast.If) and _is_type_checking(node.test):
            stub_comments = _CommentMap(source, node.lineno + 1, node.end_lineno)
            for stmt in node.body:
                if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                    kind, optional = _annotation_kind(stmt.annotation)
                    value = _literal(stmt.value, enums) if stmt.value is not None else _NO_VALUE
                    registry.stubs[stmt.target.id] = Field(
                        name=stmt.target.id,
                        kind=kind,
                        descriptor=None,
                        default=None if value is _NO_VALUE else value,
                        default_is_literal=value is not _NO_VALUE,
                        default_source=source.segment(stmt.value) if stmt.value else "",
                        alias=None,
                        line=stmt.target.lineno,
                        column=source.char_col(stmt.target.lineno, stmt.target.col_offset),
                        section=stub_comments.section_at(stmt.lineno),
                        description=stub_comments.description(stmt),
                        optional=optional,
                    )
    registry.module_attributes = frozenset(attributes)
    registry.verified_methods = verified_methods(tree, "module", registry.dict_name)
    if dict_node is None:
        return
    comments = _CommentMap(source, dict_node.lineno, dict_node.end_lineno)
    entries: list[tuple[ast.AST, ast.AST, ast.AST]] = []
    for key, value in zip(dict_node.keys, dict_node.values):
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            entries.append((key, value, key))
        else:
            registry.dynamic_keys = True
    # environment_variables["KEY"] = getter, anywhere in the module (loops included).
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if (
                    isinstance(target, ast.Subscript)
                    and isinstance(target.value, ast.Name)
                    and target.value.id == registry.dict_name
                ):
                    key = target.slice
                    if isinstance(key, ast.Constant) and isinstance(key.value, str):
                        entries.append((key, node.value, node))
                    else:
                        registry.dynamic_keys = True
    if registry.dynamic_keys:
        prefixes = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.JoinedStr) and node.values:
                head = node.values[0]
                if isinstance(head, ast.Constant) and isinstance(head.value, str):
                    if _ENV_PREFIX.match(head.value):
                        prefixes.add(head.value)
        registry.dynamic_prefixes = tuple(sorted(prefixes))
    for key, value, anchor in entries:
        registry.getter_values[key.value] = value
        if isinstance(value, ast.Lambda) and not value.args.args:
            registry.getters[key.value] = value.body
        else:
            registry.getters.pop(key.value, None)
        stub = registry.stubs.get(key.value)
        registry.fields[key.value] = Field(
            name=key.value,
            kind=stub.kind if stub else "unknown",
            descriptor=None,
            default=stub.default if stub else None,
            default_is_literal=stub.default_is_literal if stub else False,
            default_source=stub.default_source if stub else "",
            alias=None,
            line=key.lineno,
            column=source.char_col(key.lineno, key.col_offset),
            section=comments.section_at(key.lineno) if anchor is key else None,
            description=comments.description(anchor)
            if anchor is key
            else (stub.description if stub else ""),
            optional=stub.optional if stub else False,
        )


# -- entry points ---------------------------------------------------------------------


def detect_style(path: Path) -> Optional[str]:
    """Guess a registry's style from its content (used when config omits ``style``).

    Raises ``SourceError`` when the file cannot be read or parsed.
    """
    tree = parse_source(SourceFile.read(path), path)
    kinds = descriptor_classes(tree)
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name not in kinds and _class_fields(node, kinds):
            return "descriptor"
    for node in tree.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == DEFAULT_ENV_DICT for t in targets):
                return "module"
    return None


def parse_registry(
    path: Path,
    style: str,
    module: str,
    source: Optional[SourceFile] = None,
    tree: Optional[ast.Module] = None,
) -> Registry:
    """Parse one registry file. Raises ``SourceError`` when it cannot be read or parsed."""
    if source is None:
        source = SourceFile.read(path)
    if tree is None:
        tree = parse_source(source, path)
    registry = Registry(path=path, style=style, module=module, tree=tree)
    try:
        if style == "descriptor":
            _parse_descriptor(registry, tree, source)
        else:
            _parse_module(registry, tree, source)
    except (RecursionError, MemoryError):
        raise SourceError("a default expression is nested too deeply to read") from None
    return registry


def parse_source(source: SourceFile, path: Path) -> ast.Module:
    """``ast.parse`` with every failure turned into a one-line ``SourceError``."""
    try:
        return ast.parse(source.text, filename=str(path))
    except SyntaxError as exc:
        where = f" (line {exc.lineno})" if exc.lineno else ""
        raise SourceError(f"cannot parse: {exc.msg}{where}") from None
    except ValueError as exc:
        raise SourceError(f"cannot parse: {exc}") from None
    except (RecursionError, MemoryError):
        raise SourceError("cannot parse: expression nested too deeply") from None
