"""Which environment-variable keys an expression names, wherever the string comes from.

``os.getenv("SGLANG_X")`` names its key at the call site. Real code also writes
``os.getenv(DSV4_ENV)`` (a module constant), ``os.getenv(HiCache.default_env_var)``
(a class attribute), ``os.getenv(name)`` after ``name = "SGLANG_X"`` or inside
``for name in ("SGLANG_A", "SGLANG_B")``, ``os.getenv(f"{PREFIX}X")``, and
constants imported from another module of the project. This module follows
those one scope at a time, the way Python binds names:

* a name bound exactly once in its scope, by ``name = <expr>`` (or
  ``name: T = <expr>``), has the values of ``<expr>``;
* a name bound exactly once as a ``for``/comprehension target over a tuple,
  list or set of keys (or a constant holding one) takes each of them;
* a name imported from another module of the project has the values the
  project summary (``envlint.summaries``) recorded for that constant;
* ``C.attr`` of a class defined in the file (or imported) is looked up in its
  body; ``self.attr`` / ``cls.attr`` are not: a subclass or an instance may
  rebind them (vLLM's ``Platform.device_control_env_var`` is a placeholder that
  every platform overrides);
* f-strings and ``+`` concatenate; any other expression is unknown.

A name bound more than once, a parameter, a ``global`` rebinding, anything
computed at run time: unknown. An unknown part after a known owned prefix
(``f"SGLANG_{name}"``) yields a *dynamic* key: only its prefix is known.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Callable, Optional

from .names import Scope

_MAX_VALUES = 32  # a loop over more keys than this is not enumerated
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)

# What the project knows about a constant another module defines: ("str", (key,)) for a
# key, ("seq", (key, ...)) for a tuple of keys; None when nothing.
ImportedLookup = Callable[[str], Optional[tuple[str, tuple[str, ...]]]]


@dataclass(frozen=True)
class KeyValue:
    """One key an expression can name.

    ``origin`` says where the string came from, for messages ("constant
    DSV4_ENV", "loop over _KEYS"); None when the key is a literal at the site.
    ``dynamic``: only ``key`` (a prefix) is known, the rest is computed at run
    time. ``from_parameter``: the unknown part comes from a parameter of the
    enclosing function (so the function is a wrapper, reported at its calls).
    """

    key: str
    origin: Optional[str] = None
    dynamic: bool = False
    from_parameter: bool = False


@dataclass(frozen=True)
class _Binding:
    kind: str  # "value" | "loop" | "param" | "other"
    expr: Optional[ast.AST] = None
    scope_node: Optional[ast.AST] = None  # where ``expr`` is evaluated (comprehension iterables)


class KeyResolver:
    """Key resolution for one file; bindings are collected once per scope, on demand."""

    def __init__(self, tree: ast.Module, module: str, imported: Optional[ImportedLookup] = None):
        self.tree = tree
        self.module = module
        self.imported = imported or (lambda qualified: None)
        self._bindings: dict[int, dict[str, list[_Binding]]] = {}
        self._classes: Optional[dict[str, ast.ClassDef]] = None

    # -- public --------------------------------------------------------------------------

    def values(self, expr: ast.AST, scope: Scope) -> tuple[KeyValue, ...]:
        """Every key ``expr`` can name, with its origin; () when nothing is known."""
        if isinstance(expr, ast.Constant):
            return (KeyValue(expr.value),) if isinstance(expr.value, str) else ()
        found = self._strings(expr, scope, 0)
        if found is None:
            return ()
        origin = self._origin(expr, scope)
        return tuple(
            KeyValue(text, origin, not complete, parameter)
            for text, complete, parameter in found[:_MAX_VALUES]
        )

    def sequence(self, expr: ast.AST, scope: Scope) -> tuple[KeyValue, ...]:
        """The keys of a tuple/list/set of keys (a literal, or a name bound to one)."""
        found = self._elements(expr, scope, 0)
        if found is None:
            return ()
        origin = f"one of {ast.unparse(expr)}" if isinstance(expr, (ast.Name, ast.Attribute)) else None
        return tuple(KeyValue(text, origin, not complete, parameter) for text, complete, parameter in found)

    def constant(self, entry: "_Binding", scope: Scope) -> Optional[tuple[str, tuple[str, ...]]]:
        """("str", (key,)) or ("seq", keys) when a binding holds fully known key text."""
        if entry.kind != "value":
            return None
        found = self._strings(entry.expr, scope, 0)
        if found is not None:
            if len(found) == 1 and found[0][1]:
                return "str", (found[0][0],)
            return None
        found = self._elements(entry.expr, scope, 0)
        if found is not None and all(complete for _, complete, _ in found):
            return "seq", tuple(text for text, _, _ in found)
        return None

    def single_string(self, expr: ast.AST, scope: Scope) -> Optional[str]:
        """The one fully known string ``expr`` evaluates to, if any."""
        found = self._strings(expr, scope, 0)
        if found is not None and len(found) == 1 and found[0][1]:
            return found[0][0]
        return None

    # -- strings ---------------------------------------------------------------------------

    def _strings(self, expr: ast.AST, scope: Scope, depth: int) -> Optional[list[tuple[str, bool, bool]]]:
        """[(text, complete, from a parameter)] or None when unknown.

        ``complete`` False: ``text`` is a known prefix followed by an unknown part.
        """
        if depth > 8:
            return None
        cls = expr.__class__
        if cls is ast.Constant:
            return [(expr.value, True, False)] if isinstance(expr.value, str) else None
        if cls is ast.Name:
            return self._name(expr.id, scope, depth, "str")
        if cls is ast.Attribute:
            values = self._attribute(expr, scope, depth, "str")
            return [(v, True, False) for v in values] if values is not None else None
        if cls is ast.JoinedStr:
            parts = []
            for part in expr.values:
                if isinstance(part, ast.Constant):
                    parts.append([(str(part.value), True, False)])
                elif (
                    isinstance(part, ast.FormattedValue)
                    and part.conversion == -1
                    and part.format_spec is None
                ):
                    parts.append(self._strings(part.value, scope, depth + 1) or self._unknown(part.value, scope))
                else:
                    return None
            return _concatenate(parts)
        if cls is ast.BinOp and isinstance(expr.op, ast.Add):
            left = self._strings(expr.left, scope, depth + 1)
            if left is None:
                return None
            right = self._strings(expr.right, scope, depth + 1) or self._unknown(expr.right, scope)
            return _concatenate([left, right])
        return None

    def _unknown(self, expr: ast.AST, scope: Scope) -> list[tuple[str, bool, bool]]:
        """An unknown part of a key: nothing after it is known."""
        return [("", False, _mentions_parameter(self, expr, scope))]

    def _elements(self, expr: ast.AST, scope: Scope, depth: int) -> Optional[list[tuple[str, bool, bool]]]:
        """The keys of a tuple, list or set of keys (a literal or a constant holding one)."""
        if depth > 8:
            return None
        if isinstance(expr, (ast.Tuple, ast.List, ast.Set)):
            out: list[tuple[str, bool, bool]] = []
            for element in expr.elts:
                found = self._strings(element, scope, depth + 1)
                if found is None:
                    return None
                out.extend(found)
            return out if len(out) <= _MAX_VALUES else None
        if isinstance(expr, ast.Name):
            return self._name(expr.id, scope, depth, "seq")
        if isinstance(expr, ast.Attribute):
            values = self._attribute(expr, scope, depth, "seq")
            return [(v, True, False) for v in values] if values is not None else None
        return None

    def _name(self, name: str, scope: Scope, depth: int, want: str) -> Optional[list[tuple[str, bool, bool]]]:
        """The values of ``name`` used as a key (``want`` "str") or as keys to iterate ("seq")."""
        binding, owner = self.binding(name, scope)
        if binding is None:
            if owner is not None and owner.kind == "module":
                qualified = owner.lookup(name)
                if qualified and not qualified.startswith(self.module + "."):
                    found = self.imported(qualified)
                    if found is not None and found[0] == want:
                        return [(v, True, False) for v in found[1]]
            return None
        if binding.kind == "param":
            return [("", False, True)] if want == "str" else None
        if binding.kind == "value":
            if want == "str":
                return self._strings(binding.expr, owner, depth + 1)
            return self._elements(binding.expr, owner, depth + 1)
        if binding.kind == "loop" and want == "str":
            evaluated = owner
            if binding.scope_node is not None and owner.parent is not None:
                evaluated = owner.parent  # a comprehension's first iterable
            return self._elements(binding.expr, evaluated, depth + 1)
        return None

    def _attribute(self, expr: ast.Attribute, scope: Scope, depth: int, want: str) -> Optional[tuple[str, ...]]:
        if isinstance(expr.value, ast.Name) and expr.value.id in ("self", "cls"):
            return None
        qualified = scope.resolver.qualified_name(expr, scope)
        if qualified is None:
            return None
        prefix = self.module + "."
        if qualified.startswith(prefix):
            class_name, _, attribute = qualified[len(prefix):].partition(".")
            node = self._class(class_name)
            if node is None or not attribute or "." in attribute:
                return None
            class_scope = scope.resolver.child_scope(node, scope.resolver.module_scope)
            entries = self.scope_bindings(class_scope).get(attribute)
            if not entries or len(entries) != 1 or entries[0].kind != "value":
                return None
            if want == "str":
                found = self._strings(entries[0].expr, class_scope, depth + 1)
            else:
                found = self._elements(entries[0].expr, class_scope, depth + 1)
            if found is None or any(not complete for _, complete, _ in found):
                return None
            return tuple(text for text, _, _ in found)
        found = self.imported(qualified)
        return found[1] if found is not None and found[0] == want else None

    def _class(self, name: str) -> Optional[ast.ClassDef]:
        if self._classes is None:
            self._classes = {}
            counts: dict[str, int] = {}
            for node in _module_statements(self.tree.body):
                if isinstance(node, ast.ClassDef):
                    counts[node.name] = counts.get(node.name, 0) + 1
                    self._classes[node.name] = node
            for duplicated in [n for n, c in counts.items() if c > 1]:
                del self._classes[duplicated]
        return self._classes.get(name)

    # -- bindings ---------------------------------------------------------------------------

    def binding(self, name: str, scope: Scope) -> tuple[Optional[_Binding], Optional[Scope]]:
        """(the one binding of ``name`` where it resolves, that scope); (None, scope) if unusable."""
        current = scope.defining_scope(name)
        if current is None:
            return None, None
        entries = self.scope_bindings(current).get(name)
        if not entries:
            return None, current  # an import, or a binding kind not tracked
        if len(entries) != 1:
            return None, None
        return entries[0], current

    def scope_bindings(self, scope: Scope) -> dict[str, list[_Binding]]:
        key = id(scope.node)
        found = self._bindings.get(key)
        if found is None:
            found = self._bindings[key] = _collect(scope)
        return found

    # -- messages --------------------------------------------------------------------------

    def _origin(self, expr: ast.AST, scope: Scope) -> str:
        if isinstance(expr, ast.Name):
            binding, owner = self.binding(expr.id, scope)
            if binding is None:
                return f"constant {expr.id}"  # imported
            if binding.kind == "loop":
                iterable = binding.expr
                if isinstance(iterable, (ast.Name, ast.Attribute)):
                    return f"{expr.id}, one of {ast.unparse(iterable)}"
                return f"{expr.id}, looping over a tuple of keys"
            if owner is not None and owner.kind == "module":
                return f"constant {expr.id}"
            if owner is not None and owner.kind == "class":
                return f"class attribute {expr.id}"
            return f"variable {expr.id}"
        if isinstance(expr, ast.Attribute):
            return f"constant {ast.unparse(expr)}"
        if isinstance(expr, ast.JoinedStr):
            return "an f-string"
        return "a concatenation"


def _concatenate(parts: list[list[tuple[str, bool, bool]]]) -> list[tuple[str, bool, bool]]:
    results = [("", True, False)]
    for options in parts:
        joined = []
        for text, complete, parameter in results:
            if not complete:
                joined.append((text, False, parameter))  # nothing after an unknown part is known
                continue
            for more, more_complete, more_parameter in options:
                joined.append((text + more, more_complete, parameter or more_parameter))
        results = list(dict.fromkeys(joined))[:_MAX_VALUES]
    return results


def _mentions_parameter(resolver: KeyResolver, expr: ast.AST, scope: Scope) -> bool:
    """Whether an unknown part depends on a parameter of an enclosing function."""
    for node in ast.walk(expr):
        if isinstance(node, ast.Name):
            binding, _ = resolver.binding(node.id, scope)
            if binding is not None and binding.kind == "param":
                return True
    return False


def _module_statements(body: list):
    """Module-level statements, including those under ``if``/``try`` (not in functions)."""
    for node in body:
        yield node
        if isinstance(node, (ast.If, ast.Try)) or node.__class__.__name__ == "TryStar":
            for name in ("body", "orelse", "finalbody"):
                yield from _module_statements(getattr(node, name, []) or [])
            for handler in getattr(node, "handlers", []):
                yield from _module_statements(handler.body)


def _collect(scope: Scope) -> dict[str, list[_Binding]]:
    """name -> its bindings in this scope (what ``names.Scope`` does, with values kept)."""
    table: dict[str, list[_Binding]] = {}

    def bind(name: str, binding: _Binding) -> None:
        table.setdefault(name, []).append(binding)

    def target(node: ast.AST, binding: _Binding) -> None:
        if isinstance(node, ast.Name):
            bind(node.id, binding)
        elif isinstance(node, (ast.Tuple, ast.List)):
            for element in node.elts:
                target(element, _Binding("other"))
        elif isinstance(node, ast.Starred):
            target(node.value, _Binding("other"))

    def statements(body: list) -> None:
        for stmt in body:
            cls = stmt.__class__
            if cls is ast.Assign:
                for each in stmt.targets:
                    target(each, _Binding("value", stmt.value))
            elif cls is ast.AnnAssign:
                if stmt.value is not None:
                    target(stmt.target, _Binding("value", stmt.value))
            elif cls is ast.AugAssign:
                target(stmt.target, _Binding("other"))
            elif cls in (ast.For, ast.AsyncFor):
                target(stmt.target, _Binding("loop", stmt.iter))
                statements(stmt.body)
                statements(stmt.orelse)
            elif cls in (ast.While, ast.If):
                statements(stmt.body)
                statements(stmt.orelse)
            elif cls in (ast.With, ast.AsyncWith):
                for item in stmt.items:
                    if item.optional_vars is not None:
                        target(item.optional_vars, _Binding("other"))
                statements(stmt.body)
            elif cls is ast.Try or cls.__name__ == "TryStar":
                statements(stmt.body)
                for handler in stmt.handlers:
                    if handler.name:
                        bind(handler.name, _Binding("other"))
                    statements(handler.body)
                statements(stmt.orelse)
                statements(stmt.finalbody)
            elif cls in (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef):
                bind(stmt.name, _Binding("other"))
            elif cls is ast.Delete:
                for each in stmt.targets:
                    target(each, _Binding("other"))
            elif cls is ast.Import or cls is ast.ImportFrom:
                pass  # imports resolve through names.Scope
            elif cls.__name__ == "Match":
                for case in stmt.cases:
                    for sub in ast.walk(case.pattern):
                        for attr in ("name", "rest"):
                            value = getattr(sub, attr, None)
                            if isinstance(value, str):
                                bind(value, _Binding("other"))
                    statements(case.body)

    node = scope.node
    if scope.kind in ("function", "lambda"):
        args = node.args
        for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg):
            if arg is not None:
                bind(arg.arg, _Binding("param"))
        if scope.kind == "function":
            statements(node.body)
    elif scope.kind == "comprehension":
        for index, generator in enumerate(node.generators):
            target(generator.target, _Binding("loop", generator.iter, node if index == 0 else None))
    else:
        statements(node.body)
    # A walrus target binds in the enclosing function too: never a single known value there.
    if scope.kind in ("function", "lambda") and table:
        for name in scope.resolver.walrus_targets:
            if name in table:
                bind(name, _Binding("other"))
    return table
