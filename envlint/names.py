"""Per-file name resolution: what does ``os``, ``envs`` or ``get_bool_env_var`` refer to here?

A small import tracker instead of LibCST's QualifiedNameProvider (which costs
about ten times the parse itself). It answers one question — the dotted,
fully-qualified name an expression refers to, or ``None`` when that depends on
run-time values — and only when a rule asks, so scopes nobody asks about are
never analysed.

Python's scoping rules that matter here:

* a name bound anywhere in a function (parameter, assignment, ``for`` target,
  ``with ... as``, ``except ... as``, ``del``, import) is local to the whole
  function, so a parameter called ``envs`` is not the registry;
* class bodies are not visible from the methods defined inside them;
* ``global`` / ``nonlocal`` redirect a name to the outer binding.

A name with conflicting bindings in one scope (``try: from x import envs``
/ ``except ImportError: envs = None``) resolves to ``None``: rules stay silent
rather than guess. Walrus targets inside expressions are not tracked.
"""

from __future__ import annotations

import ast
import builtins
from typing import Iterator, Optional

from .modules import resolve_relative

_BUILTINS = frozenset(dir(builtins))
_FUNCTION_NODES = (ast.FunctionDef, ast.AsyncFunctionDef)
_UNKNOWN = object()  # a binding that is not an import / module-level definition


class Scope:
    """One Python scope; its bindings are computed the first time they are needed."""

    __slots__ = ("node", "kind", "parent", "resolver", "_bindings", "_globals", "_nonlocals")

    def __init__(self, node: ast.AST, kind: str, parent: Optional["Scope"], resolver: "Resolver"):
        self.node = node
        self.kind = kind  # "module" | "function" | "class" | "lambda" | "comprehension"
        self.parent = parent
        self.resolver = resolver
        self._bindings: Optional[dict[str, object]] = None
        self._globals: set[str] = set()
        self._nonlocals: set[str] = set()

    # -- binding collection ---------------------------------------------------------

    @property
    def bindings(self) -> dict[str, object]:
        """name -> qualified name (str) for imports/module definitions, or _UNKNOWN."""
        if self._bindings is None:
            self._bindings = {}
            self._collect()
        return self._bindings

    def _bind(self, name: str, value: object) -> None:
        previous = self._bindings.get(name, None)
        if name in self._bindings and previous != value:
            value = _UNKNOWN
        self._bindings[name] = value

    def _bind_local(self, name: str) -> None:
        if self.kind == "module":
            # A module-level assignment is the global ``<module>.<name>``.
            self._bind(name, f"{self.resolver.module}.{name}" if self.resolver.module else _UNKNOWN)
        else:
            self._bind(name, _UNKNOWN)

    def _collect(self) -> None:
        node = self.node
        if self.kind in ("function", "lambda"):
            args = node.args
            for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs):
                self._bind(arg.arg, _UNKNOWN)
            for arg in (args.vararg, args.kwarg):
                if arg is not None:
                    self._bind(arg.arg, _UNKNOWN)
            if self.kind == "lambda":
                return
        if self.kind == "comprehension":
            for generator in node.generators:
                self._bind_target(generator.target)
            return
        self._collect_statements(node.body)

    def _collect_statements(self, statements: list) -> None:
        for stmt in statements:
            cls = stmt.__class__
            if cls is ast.Import:
                for alias in stmt.names:
                    if alias.asname:
                        self._bind(alias.asname, alias.name)
                    else:
                        top = alias.name.split(".")[0]
                        self._bind(top, top)
            elif cls is ast.ImportFrom:
                base = self.resolver.import_base(stmt)
                for alias in stmt.names:
                    if alias.name == "*":
                        if base:
                            self.resolver.star_imports.append(base)
                        continue
                    name = alias.asname or alias.name
                    self._bind(name, f"{base}.{alias.name}" if base else _UNKNOWN)
            elif cls is ast.Assign:
                for target in stmt.targets:
                    self._bind_target(target)
            elif cls is ast.AugAssign or (cls is ast.AnnAssign and stmt.value is not None):
                self._bind_target(stmt.target)
            elif cls is ast.AnnAssign and self.kind in ("function", "lambda"):
                self._bind_target(stmt.target)  # ``x: int`` makes x local, but binds nothing elsewhere
            elif cls in (ast.For, ast.AsyncFor):
                self._bind_target(stmt.target)
                self._collect_statements(stmt.body)
                self._collect_statements(stmt.orelse)
            elif cls in (ast.While, ast.If):
                self._collect_statements(stmt.body)
                self._collect_statements(stmt.orelse)
            elif cls in (ast.With, ast.AsyncWith):
                for item in stmt.items:
                    if item.optional_vars is not None:
                        self._bind_target(item.optional_vars)
                self._collect_statements(stmt.body)
            elif cls is ast.Try or cls.__name__ == "TryStar":
                self._collect_statements(stmt.body)
                for handler in stmt.handlers:
                    if handler.name:
                        self._bind(handler.name, _UNKNOWN)
                    self._collect_statements(handler.body)
                self._collect_statements(stmt.orelse)
                self._collect_statements(stmt.finalbody)
            elif cls in (*_FUNCTION_NODES, ast.ClassDef):
                self._bind_local(stmt.name)
            elif cls is ast.Delete:
                for target in stmt.targets:
                    self._bind_target(target)
            elif cls is ast.Global and self.kind != "module":
                self._globals.update(stmt.names)  # a module-level ``global`` is a no-op
            elif cls is ast.Nonlocal:
                self._nonlocals.update(stmt.names)
            elif cls.__name__ == "Match":
                for case in stmt.cases:
                    for sub in ast.walk(case.pattern):
                        for attr in ("name", "rest"):
                            name = getattr(sub, attr, None)
                            if isinstance(name, str):
                                self._bind(name, _UNKNOWN)
                    self._collect_statements(case.body)
        for name in self._globals | self._nonlocals:
            self._bindings.pop(name, None)

    def _bind_target(self, target: ast.AST) -> None:
        if isinstance(target, ast.Name):
            self._bind_local(target.id)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self._bind_target(element)
        elif isinstance(target, ast.Starred):
            self._bind_target(target.value)

    # -- lookup ---------------------------------------------------------------------------

    def is_bound(self, name: str) -> bool:
        """Whether ``name`` is bound in this scope or one it can see (builtins excluded)."""
        scope: Optional[Scope] = self
        first = True
        while scope is not None:
            if not (scope.kind == "class" and not first) and name in scope.bindings:
                return True
            first = False
            scope = scope.parent
        return False

    def defining_scope(self, name: str) -> Optional["Scope"]:
        """The scope whose binding of ``name`` a use here reads, or None (a builtin, a star
        import, or unbound): Python's rule, class bodies seen only from themselves and
        ``global`` going straight to the module."""
        scope: Optional[Scope] = self
        first = True
        while scope is not None:
            if scope.kind == "class" and not first:
                scope = scope.parent
                continue
            if name in scope._globals:
                scope, first = self.resolver.module_scope, False
                continue
            if name in scope.bindings:
                return scope
            first = False
            scope = scope.parent
        return None

    def lookup(self, name: str) -> Optional[str]:
        scope = self.defining_scope(name)
        if scope is not None:
            value = scope.bindings[name]
            return value if isinstance(value, str) else None
        for module in self.resolver.star_imports:
            if module == "os" and name in ("environ", "getenv", "putenv", "unsetenv"):
                return f"os.{name}"
        if name not in _BUILTINS:
            return None
        if any(module != "os" for module in self.resolver.star_imports):
            return None  # ``from x import *`` may rebind any name, builtins included
        if name in self.resolver.walrus_targets:
            return None  # ``(int := ...)`` somewhere: not provably the builtin
        return f"builtins.{name}"


class Resolver:
    """Name resolution for one module."""

    def __init__(self, tree: ast.Module, module: str, is_package: bool):
        self.tree = tree
        self.module = module
        self.is_package = is_package
        self.star_imports: list[str] = []
        self.module_scope = Scope(tree, "module", None, self)
        self._walrus: Optional[frozenset[str]] = None

    def assume_no_walrus(self) -> None:
        """The caller knows the source has no ``:=`` at all: skip the walk that looks for targets."""
        self._walrus = frozenset()

    @property
    def walrus_targets(self) -> frozenset[str]:
        """Names bound by ``:=`` anywhere in the file (computed on first need)."""
        if self._walrus is None:
            self._walrus = frozenset(
                n.target.id for n in ast.walk(self.tree) if isinstance(n, ast.NamedExpr)
            )
        return self._walrus

    def import_base(self, node: ast.ImportFrom) -> Optional[str]:
        if node.level == 0:
            return node.module
        return resolve_relative(self.module, self.is_package, node.level, node.module)

    def child_scope(self, node: ast.AST, parent: Scope) -> Scope:
        if isinstance(node, _FUNCTION_NODES):
            return Scope(node, "function", parent, self)
        if isinstance(node, ast.Lambda):
            return Scope(node, "lambda", parent, self)
        if isinstance(node, ast.ClassDef):
            return Scope(node, "class", parent, self)
        return Scope(node, "comprehension", parent, self)

    @staticmethod
    def qualified_name(expr: ast.AST, scope: Scope) -> Optional[str]:
        """``os.environ.get`` for ``_os.environ.get`` after ``import os as _os``; else None."""
        attrs: list[str] = []
        while isinstance(expr, ast.Attribute):
            attrs.append(expr.attr)
            expr = expr.value
        if not isinstance(expr, ast.Name):
            return None
        base = scope.lookup(expr.id)
        if base is None:
            return None
        if attrs:
            return base + "." + ".".join(reversed(attrs))
        return base


SCOPE_NODES = (
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.Lambda,
    ast.ClassDef,
    ast.ListComp,
    ast.SetComp,
    ast.DictComp,
    ast.GeneratorExp,
)


def children_with_scopes(
    node: ast.AST, scope: Scope, resolver: Resolver
) -> Iterator[tuple[ast.AST, Scope]]:
    """The child nodes of ``node``, each paired with the scope it is evaluated in.

    Decorators, default values, base classes and the first iterable of a
    comprehension are evaluated in the enclosing scope; bodies in the new one.
    """
    cls = node.__class__
    if cls in (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda):
        inner = resolver.child_scope(node, scope)
        outer_parts: list[ast.AST] = list(getattr(node, "decorator_list", ()))
        args = node.args
        outer_parts.extend(args.defaults)
        outer_parts.extend(d for d in args.kw_defaults if d is not None)
        returns = getattr(node, "returns", None)
        if returns is not None:
            outer_parts.append(returns)
        for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg):
            if arg is not None and arg.annotation is not None:
                outer_parts.append(arg.annotation)
        for part in outer_parts:
            yield part, scope
        body = node.body if isinstance(node.body, list) else [node.body]
        for part in body:
            yield part, inner
    elif cls is ast.ClassDef:
        inner = resolver.child_scope(node, scope)
        for part in (*node.decorator_list, *node.bases, *node.keywords):
            yield part, scope
        for part in node.body:
            yield part, inner
    elif cls in (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp):
        inner = resolver.child_scope(node, scope)
        generators = node.generators
        yield generators[0].iter, scope
        for index, generator in enumerate(generators):
            if index:
                yield generator.iter, inner
            yield generator, inner  # visited so rules see comprehension conditions
        if cls is ast.DictComp:
            yield node.key, inner
            yield node.value, inner
        else:
            yield node.elt, inner
    elif cls is ast.comprehension:
        # the iterables were already yielded by the parent comprehension
        yield node.target, scope
        for condition in node.ifs:
            yield condition, scope
    else:
        for child in ast.iter_child_nodes(node):
            yield child, scope
