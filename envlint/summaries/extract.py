"""Facts one module states about itself: key constants, and where parameters flow.

Read from the module's own text and nothing else (imported names stay
qualified names, resolved later against the whole project), so facts can be
cached by content and recomputed for the one file a check is looking at.

A *flow* is recorded when a parameter of a module-level function or method —
or an element of it (``for name in names``), a local name bound once to it, or
an f-string around it (``f"SGLANG_{name}"``) — is the key of a raw access
(``envlint.accesses``) or an argument of another call. Whether that other call
is a wrapper is decided by ``envlint.summaries.resolve``, across modules.

Cheap on purpose (it runs over every candidate module of a project): calls are
qualified through the module-level import table, not per-scope name lookups
(a local variable that shadows an imported function is the accepted blind
spot), and the access shapes are only looked for in functions whose text
mentions an access token.
"""

from __future__ import annotations

import ast
import bisect
import re
from typing import TYPE_CHECKING, Optional

from ..accesses import access_shapes
from ..keys import KeyResolver, _module_statements
from ..names import Scope
from .model import Flow, FunctionFacts, ModuleFacts

if TYPE_CHECKING:
    from ..context import FileContext

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


def extract(ctx: "FileContext") -> ModuleFacts:
    """The facts of the module ``ctx`` holds. Leaves ``ctx.scope`` as it found it."""
    saved = ctx.scope
    try:
        return _Extractor(ctx).facts()
    finally:
        ctx.scope = saved


class _Extractor:
    def __init__(self, ctx: "FileContext"):
        self.ctx = ctx
        self.module = ctx.module
        self.resolver = ctx.resolver
        self.keys = KeyResolver(ctx.tree, ctx.module)  # content only: no imported values
        self.is_owned = ctx.project.is_owned
        helpers = [re.escape(spec.name) for spec in ctx.config.helpers]
        self.access_words = re.compile(r"environ|getenv|setenv|delenv" + "".join("|" + h for h in helpers))
        self.defs: set[str] = set()
        self.imports: dict[str, str] = {}  # module-level name -> qualified (from-imports and import-as)

    def facts(self) -> ModuleFacts:
        facts = ModuleFacts(self.module)
        module_scope = self.resolver.module_scope
        self._constants(module_scope, "", facts)
        functions: dict[str, list] = {}
        classes: dict[str, list] = {}
        for stmt in _module_statements(self.ctx.tree.body):
            if isinstance(stmt, _FUNCTIONS):
                functions.setdefault(stmt.name, []).append((stmt, module_scope, None))
                self.defs.add(stmt.name)
            elif isinstance(stmt, ast.ClassDef):
                classes.setdefault(stmt.name, []).append(stmt)
                self.defs.add(stmt.name)
            elif isinstance(stmt, ast.ImportFrom):
                base = self.resolver.import_base(stmt)
                for alias in stmt.names:
                    if not base:
                        continue
                    if alias.name == "*":
                        facts.stars += (base,)
                    else:
                        facts.aliases[alias.asname or alias.name] = f"{base}.{alias.name}"
            elif isinstance(stmt, ast.Import):
                for alias in stmt.names:
                    if alias.asname:
                        self.imports[alias.asname] = alias.name
                    else:
                        top = alias.name.split(".")[0]
                        self.imports[top] = top
        self.imports.update(facts.aliases)
        for name, nodes in classes.items():
            if len(nodes) != 1:
                continue  # defined twice (``if``/``else``): which one runs is not known
            node = nodes[0]
            class_scope = self.resolver.child_scope(node, module_scope)
            self._constants(class_scope, f"{name}.", facts)
            for stmt in node.body:
                if isinstance(stmt, _FUNCTIONS):
                    functions.setdefault(f"{name}.{stmt.name}", []).append((stmt, class_scope, name))
        helpers = {spec.name for spec in self.ctx.config.helpers}
        single = {
            name: entries[0]
            for name, entries in functions.items()
            if len(entries) == 1
            and not (
                name.rpartition(".")[2] in helpers
                and self.ctx.helper_named(f"{self.module}.{name}") is not None
            )
        }  # a configured helper is reported as such, never as a wrapper
        # Functions that access the environment themselves, then (until nothing changes)
        # those that mention one of them by name: a parameter can only reach a wrapper of
        # this module through a call that spells its name.
        spans = sorted((node.lineno, node.end_lineno, name) for name, (node, _, _) in single.items())
        todo = self._mentioning(spans, self.access_words)
        done: set[str] = set()
        while todo:
            for name in todo:
                node, parent, class_name = single[name]
                function = self._function(name, node, parent, class_name)
                if function is not None:
                    facts.functions[name] = function
            done |= todo
            found = {name.rpartition(".")[2] for name in facts.functions}
            if not found:
                break
            words = re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(found))) + r")\b")
            todo = self._mentioning(spans, words) - done
        return facts

    def _mentioning(self, spans: list, pattern) -> set[str]:
        """Names of the functions (``spans``: sorted (first, last line, name)) whose text matches."""
        source = self.ctx.source
        starts = source.line_starts
        lines = sorted({bisect.bisect_right(starts, m.start()) for m in pattern.finditer(source.text)})
        found = set()
        for first, last, name in spans:
            index = bisect.bisect_left(lines, first)
            if index < len(lines) and lines[index] <= last:
                found.add(name)
        return found

    # -- constants ---------------------------------------------------------------------------

    def _constants(self, scope: Scope, prefix: str, facts: ModuleFacts) -> None:
        for name, entries in self.keys.scope_bindings(scope).items():
            if len(entries) != 1 or entries[0].kind != "value":
                continue
            if not isinstance(entries[0].expr, (ast.Constant, ast.JoinedStr, ast.BinOp, ast.Tuple,
                                                ast.List, ast.Set, ast.Name, ast.Attribute)):
                continue
            found = self.keys.constant(entries[0], scope)
            if found is None:
                continue
            kind, values = found
            owned = tuple(v for v in values if v.isidentifier() and self.is_owned(v))
            if owned and (kind == "seq" or len(owned) == 1):
                facts.constants[prefix + name] = (kind, owned)

    # -- functions ---------------------------------------------------------------------------

    def _function(self, name: str, node, parent: Scope, class_name: Optional[str]) -> Optional[FunctionFacts]:
        args = node.args
        all_args = [a for a in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg) if a]
        if not all_args:
            return None
        positional = [a.arg for a in (*args.posonlyargs, *args.args)]
        decorators = {
            d.id if isinstance(d, ast.Name) else getattr(d, "attr", None) for d in node.decorator_list
        }
        if class_name is None:
            binding = "function"
        elif "staticmethod" in decorators:
            binding = "staticmethod"
        elif "classmethod" in decorators:
            binding = "classmethod"
        else:
            binding = "method"
        if binding in ("method", "classmethod"):
            if not positional:
                return None
            positional = positional[1:]
        params = {a.arg for a in all_args}
        if binding in ("method", "classmethod") and args.posonlyargs + args.args:
            params.discard((args.posonlyargs + args.args)[0].arg)
        uses = _Flows(self, node, params)
        flows = uses.collect(class_name)
        if uses.params:
            flows += self._access_flows(node, parent, uses)
        if not flows:
            return None
        return FunctionFacts(
            name,
            tuple(positional),
            args.vararg.arg if args.vararg else None,
            tuple(a.arg for a in args.kwonlyargs),
            binding,
            tuple(dict.fromkeys(flows)),
        )

    def _access_flows(self, node, parent: Scope, uses: "_Flows") -> list[Flow]:
        """Parameters that are the key of a raw access in the function.

        Names (``os``, ``environ``) resolve in the function's scope: a lambda or
        comprehension inside it that rebinds ``os`` is the accepted blind spot of
        not walking scope by scope.
        """
        flows = []
        self.ctx.scope = self.resolver.child_scope(node, parent)
        for current in uses.candidates:
            for shape in access_shapes(self.ctx, current):
                if isinstance(shape.key_expr, ast.keyword):
                    continue
                use = uses.param_use(shape.key_expr)
                if use is not None:
                    flows.append(Flow(*use, ("access", shape.access, shape.via)))
        return flows

    def qualify(self, func: ast.AST, class_name: Optional[str]) -> Optional[str]:
        """A callee's qualified name through the module-level tables (no local lookups)."""
        parts = []
        while isinstance(func, ast.Attribute):
            parts.append(func.attr)
            func = func.value
        if not isinstance(func, ast.Name):
            return None
        parts.reverse()
        head = func.id
        if head in ("self", "cls"):
            if class_name is None or len(parts) != 1:
                return None
            return f"{self.module}.{class_name}.{parts[0]}"
        if head in self.defs:
            base = f"{self.module}.{head}"
        elif head in self.imports:
            base = self.imports[head]
        else:
            return None
        return ".".join([base, *parts])


class _Flows:
    """Where the parameters of one function go: which names derive from them, which calls get them."""

    def __init__(self, extractor: _Extractor, function, params: set[str]):
        self.extractor = extractor
        self.function = function
        counts: dict[str, int] = {}
        loops: list[tuple[str, ast.AST]] = []
        assigned: list[tuple[str, ast.AST]] = []
        self.calls: list[ast.Call] = []
        self.candidates: list[ast.AST] = []  # what can be a raw access: calls, subscripts, ``in``
        for node in ast.walk(function):
            cls = node.__class__
            if cls is ast.Name:
                if node.ctx.__class__ is not ast.Load:
                    counts[node.id] = counts.get(node.id, 0) + 1
            elif cls is ast.Call:
                self.calls.append(node)
                self.candidates.append(node)
            elif cls is ast.Subscript or cls is ast.Compare:
                self.candidates.append(node)
            elif cls in (ast.For, ast.AsyncFor, ast.comprehension):
                if isinstance(node.target, ast.Name):
                    loops.append((node.target.id, node.iter))
            elif cls is ast.Assign:
                if len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                    assigned.append((node.targets[0].id, node.value))
            elif cls is ast.NamedExpr or cls in _FUNCTIONS or cls is ast.ClassDef:
                if cls is not ast.NamedExpr and node is not function:
                    counts[node.name] = counts.get(node.name, 0) + 1
        # Parameters rebound in the body are not followed; neither are names bound twice.
        self.params = {p for p in params if counts.get(p, 0) == 0}
        self.derived: dict[str, tuple] = {}
        for name, iterable in loops:
            if counts.get(name) == 1 and isinstance(iterable, ast.Name) and iterable.id in self.params:
                self.derived[name] = (iterable.id, True, "", "")
        for name, value in assigned:
            if counts.get(name) == 1 and name not in self.derived:
                use = self.param_use(value)
                if use is not None:
                    self.derived[name] = use

    def param_use(self, expr: ast.AST, depth: int = 0):
        """(parameter, many, prefix, suffix) when ``expr`` is built from one parameter."""
        if isinstance(expr, ast.Name):
            if expr.id in self.params:
                return expr.id, False, "", ""
            return self.derived.get(expr.id)
        if depth > 2 or not isinstance(expr, (ast.JoinedStr, ast.BinOp)):
            return None
        parts = _concatenated(expr)
        if parts is None:
            return None
        use, before, after = None, [], []
        for part in parts:
            part_use = None if isinstance(part, str) else self.param_use(part, depth + 1)
            if part_use is not None:
                if use is not None or part_use[1:] != (False, "", ""):
                    return None  # two parameters, or a collection inside a string
                use = part_use
                continue
            if isinstance(part, str):
                text = part
            else:
                text = self.extractor.keys.single_string(part, self.extractor.resolver.module_scope)
            if text is None:
                return None
            (after if use is not None else before).append(text)
        if use is None:
            return None
        return use[0], False, "".join(before), "".join(after)

    def collect(self, class_name: Optional[str]) -> list[Flow]:
        """Flows of parameters into calls of other functions."""
        if not self.params:
            return []
        flows = []
        for call in self.calls:
            if not call.args and not call.keywords:
                continue
            callee = None
            for index, arg in enumerate(call.args):
                if isinstance(arg, ast.Starred):
                    use = self.param_use(arg.value)
                    if use is not None and use[1:] == (False, "", ""):
                        callee = callee or self.extractor.qualify(call.func, class_name)
                        if callee is None:
                            break
                        flows.append(Flow(use[0], True, "", "", ("call", callee, f"*{index}")))
                    continue
                use = self.param_use(arg)
                if use is not None:
                    callee = callee or self.extractor.qualify(call.func, class_name)
                    if callee is None:
                        break
                    flows.append(Flow(*use, ("call", callee, index)))
            for keyword in call.keywords:
                if keyword.arg is None:
                    continue
                use = self.param_use(keyword.value)
                if use is not None:
                    callee = callee or self.extractor.qualify(call.func, class_name)
                    if callee is None:
                        break
                    flows.append(Flow(*use, ("call", callee, f"kw:{keyword.arg}")))
        return flows


def _concatenated(expr: ast.AST) -> Optional[list]:
    """The parts of an f-string or a ``+`` chain: literal text (str) or expressions."""
    if isinstance(expr, ast.JoinedStr):
        parts: list = []
        for value in expr.values:
            if isinstance(value, ast.Constant):
                parts.append(str(value.value))
            elif isinstance(value, ast.FormattedValue) and value.conversion == -1 and value.format_spec is None:
                parts.append(value.value)
            else:
                return None
        return parts
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
        left, right = _concatenated(expr.left), _concatenated(expr.right)
        return (left if left is not None else [expr.left]) + (right if right is not None else [expr.right])
    return None
