#!/usr/bin/env python3
"""An independent count of raw environment accesses, wherever their key comes from.

    python scripts/recall_detector.py .corpus/sglang sglang --profile sglang
    python scripts/recall_detector.py .corpus/vllm vllm --profile vllm --json   # every site

Written for the evaluation of ENV001's recall (``docs/evaluation.md``) and kept
apart from envlint on purpose: it shares none of envlint's resolution code (no
import tracker, no summaries, no prefilter). It is a plain two-pass ``ast``
analysis over the whole corpus, written differently and more naively:

* pass 1 reads every module and records its string constants (module level and
  class attributes), its ``from``-imports, and every function definition;
* pass 2 finds *wrappers* by a fixpoint: a function whose parameter is used as
  the key of a raw access (``os.getenv(p)``, ``os.environ.get(p)``,
  ``os.environ[p]``, ``p in os.environ``, ``.pop``/``.setdefault``, the
  project's ``get_bool_env_var``/``get_int_env_var``), or iterated over
  (``for n in names: os.getenv(n)``), or handed on to another wrapper;
* pass 3 lists every site: a raw access whose key is a literal, a constant (in
  the module, imported, a class attribute), a local variable assigned once, a
  loop variable over a tuple of keys, an f-string or a concatenation of those;
  and every call of a wrapper with such a key. Test patches
  (``monkeypatch.setenv``, ``patch.dict(os.environ, {...})``) and keys written
  into a copy of ``os.environ`` (``env = os.environ.copy(); env["K"] = v``,
  ``{**os.environ, "K": v}``) are counted as writes of their own kinds.

A site is ``(path, line, key, kind)``; ``line`` is the first line of the call
or expression that names the key (the wrapper call; the access itself for
constants and loops). Only the ownership policy (which prefixes are owned) is
taken from envlint's profiles: it is the specification's decision table, not
resolution code.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

HELPERS = {"get_bool_env_var", "get_int_env_var"}


# -- ownership --------------------------------------------------------------------------


def registry_keys(root: Path, package: str) -> set[str]:
    keys: set[str] = set()
    path = root / package / "srt" / "environ.py"
    if path.exists():
        keys |= set(re.findall(r"^\s+([A-Z][A-Z0-9_]+)\s*(?::[^=\n]*)?=\s*Env\w+\(", path.read_text(), re.M))
    for relative in ("multimodal_gen/envs.py", "envs.py"):
        path = root / package / relative
        if path.exists():
            keys |= set(re.findall(r'^\s+"([A-Z][A-Z0-9_]+)"\s*:', path.read_text(), re.M))
    return keys


def owned_predicate(profile_name: str, keys: set[str]):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from envlint.profiles import PROFILES

    profile = PROFILES[profile_name]

    def owned(key: str) -> bool:
        if key in profile.vendor_keys or key.startswith(profile.vendor_prefixes):
            return True
        if key in profile.external_keys or key.startswith(profile.external_prefixes):
            return False
        return key.startswith(profile.owned_prefixes) or key in keys

    return owned


# -- pass 1: modules ----------------------------------------------------------------------


@dataclass
class Module:
    name: str
    path: Path
    tree: ast.Module
    is_package: bool
    consts: dict = field(default_factory=dict)  # name -> tuple of strings
    class_consts: dict = field(default_factory=dict)  # (class, attr) -> tuple of strings
    imports: dict = field(default_factory=dict)  # local name -> (module, name)
    module_imports: dict = field(default_factory=dict)  # local name -> module
    functions: dict = field(default_factory=dict)  # "f" or "Class.f" -> FunctionDef


def module_of(path: Path, root: Path) -> tuple[str, bool]:
    parts = list(path.relative_to(root).with_suffix("").parts)
    is_package = parts[-1] == "__init__"
    if is_package:
        parts.pop()
    return ".".join(parts), is_package


def absolute(module: Module, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    parts = module.name.split(".")
    if not module.is_package:
        parts = parts[:-1]
    if node.level > 1:
        parts = parts[: len(parts) - (node.level - 1)]
    if node.module:
        parts.append(node.module)
    return ".".join(parts)


def strings_of(node, env) -> tuple[str, ...]:
    """Every string ``node`` can evaluate to, given ``env(name) -> strings``; () if unknown."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return (node.value,)
    if isinstance(node, ast.Name):
        return env(node.id)
    if isinstance(node, ast.JoinedStr):
        results = [""]
        for part in node.values:
            if isinstance(part, ast.Constant):
                results = [r + str(part.value) for r in results]
            elif isinstance(part, ast.FormattedValue) and part.conversion == -1 and part.format_spec is None:
                values = strings_of(part.value, env)
                if not values:
                    return ()
                results = [r + v for r in results for v in values]
            else:
                return ()
        return tuple(results)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = strings_of(node.left, env), strings_of(node.right, env)
        return tuple(a + b for a in left for b in right)
    return ()


def sequence_of(node, env) -> tuple[str, ...]:
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        out = []
        for element in node.elts:
            values = strings_of(element, env)
            if not values:
                return ()
            out.extend(values)
        return tuple(out)
    return ()


def read_module(path: Path, root: Path) -> Module | None:
    try:
        tree = ast.parse(path.read_bytes())
    except (SyntaxError, ValueError):
        return None
    name, is_package = module_of(path, root)
    module = Module(name, path, tree, is_package)
    # constants: two rounds so that A = "SGLANG_"; B = A + "X" resolves
    for _ in range(2):
        for stmt in _module_statements(tree.body):
            _record_assignment(stmt, module.consts, lambda n: module.consts.get(n, ()))
    for stmt in _module_statements(tree.body):
        if isinstance(stmt, ast.ImportFrom):
            base = absolute(module, stmt)
            for alias in stmt.names:
                module.imports[alias.asname or alias.name] = (base, alias.name)
        elif isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.asname:
                    module.module_imports[alias.asname] = alias.name
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            module.functions[stmt.name] = stmt
        elif isinstance(stmt, ast.ClassDef):
            local: dict = {}
            for inner in stmt.body:
                _record_assignment(inner, local, lambda n: local.get(n) or module.consts.get(n, ()))
                if isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    module.functions[f"{stmt.name}.{inner.name}"] = inner
            for attr, values in local.items():
                module.class_consts[(stmt.name, attr)] = values
    return module


def _module_statements(body):
    for stmt in body:
        yield stmt
        if isinstance(stmt, (ast.If, ast.Try)):
            yield from _module_statements(stmt.body)
            yield from _module_statements(stmt.orelse)
            for handler in getattr(stmt, "handlers", ()):
                yield from _module_statements(handler.body)


def _record_assignment(stmt, table: dict, env) -> None:
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
        target, value = stmt.targets[0].id, stmt.value
    elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is not None:
        target, value = stmt.target.id, stmt.value
    else:
        return
    values = strings_of(value, env) or sequence_of(value, env)
    if values:
        table[target] = values


# -- the whole corpus ---------------------------------------------------------------------


class Corpus:
    def __init__(self, root: Path, package: str, skip: set[str]):
        self.root = root
        self.modules: dict[str, Module] = {}
        for path in sorted((root / package).rglob("*.py")):
            if path.relative_to(root).as_posix() in skip:
                continue
            module = read_module(path, root)
            if module is not None:
                self.modules[module.name] = module
        # wrappers: (module, "f" | "Class.f") -> {position: ("key" | "keys" | ("tmpl", pre, post), access)}
        self.wrappers: dict[tuple[str, str], dict] = {}
        self._find_wrappers()

    # imported constants and functions, following re-exports a few steps
    def lookup(self, module: Module, name: str, depth: int = 0):
        """("const", values) | ("func", (module, qualname)) | None for a name used in ``module``."""
        if name in module.consts:
            return "const", module.consts[name]
        if name in module.functions:
            return "func", (module.name, name)
        if name in module.imports and depth < 4:
            base, original = module.imports[name]
            target = self.modules.get(base)
            if target is not None:
                return self.lookup(target, original, depth + 1)
            sub = self.modules.get(f"{base}.{original}")
            if sub is not None:
                return "module", sub
        if name in module.module_imports:
            target = self.modules.get(module.module_imports[name])
            if target is not None:
                return "module", target
        return None

    def resolve_call(self, module: Module, func, klass: str | None):
        """The wrapper key a call's ``func`` refers to, or None."""
        if isinstance(func, ast.Name):
            if func.id in HELPERS:
                return None
            found = self.lookup(module, func.id)
            if found and found[0] == "func":
                return found[1]
            return None
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            owner = func.value.id
            if owner in ("self", "cls") and klass:
                return (module.name, f"{klass}.{func.attr}")
            if f"{owner}.{func.attr}" in module.functions:
                return (module.name, f"{owner}.{func.attr}")
            found = self.lookup(module, owner)
            if found and found[0] == "module":
                target = found[1]
                if func.attr in target.functions:
                    return (target.name, func.attr)
                inner = self.lookup(target, func.attr)
                if inner and inner[0] == "func":
                    return inner[1]
        return None

    def _find_wrappers(self) -> None:
        changed = True
        while changed:
            changed = False
            for module in self.modules.values():
                for qualname, function in module.functions.items():
                    klass = qualname.split(".")[0] if "." in qualname else None
                    found = self._wrapper_positions(module, function, klass)
                    key = (module.name, qualname)
                    if found and found != self.wrappers.get(key):
                        self.wrappers[key] = found
                        changed = True

    def _wrapper_positions(self, module: Module, function, klass) -> dict:
        args = function.args
        positional = [a.arg for a in (*args.posonlyargs, *args.args)]
        is_method = klass is not None and positional and positional[0] in ("self", "cls")
        static = any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in function.decorator_list)
        if is_method and not static:
            positional = positional[1:]
        params = {name: index for index, name in enumerate(positional)}
        for kw in args.kwonlyargs:
            params[kw.arg] = kw.arg
        vararg = args.vararg.arg if args.vararg else None
        # parameters re-bound in the body are not followed
        rebound = {
            t.id
            for node in ast.walk(function)
            for t in (node.targets if isinstance(node, ast.Assign) else [])
            if isinstance(t, ast.Name)
        }
        iterated: dict[str, str] = {}  # loop variable -> iterated parameter
        for node in ast.walk(function):
            if isinstance(node, (ast.For, ast.comprehension)) and isinstance(node.target, ast.Name):
                if isinstance(node.iter, ast.Name) and (node.iter.id == vararg or node.iter.id in params):
                    iterated[node.target.id] = node.iter.id
        positions: dict = {}

        def param_use(expr):
            """(parameter position, shape) when ``expr`` is a parameter (maybe in an f-string)."""
            if isinstance(expr, ast.Name) and expr.id not in rebound:
                if expr.id in params:
                    return params[expr.id], "key"
                if expr.id in iterated:
                    source = iterated[expr.id]
                    return ("*" if source == vararg else params[source]), "keys"
            if isinstance(expr, ast.JoinedStr):
                names = [v for v in expr.values if isinstance(v, ast.FormattedValue)]
                if len(names) == 1 and isinstance(names[0].value, ast.Name) and names[0].value.id in params:
                    index = expr.values.index(names[0])
                    pre = "".join(str(v.value) for v in expr.values[:index])
                    post = "".join(str(v.value) for v in expr.values[index + 1:])
                    return params[names[0].value.id], ("tmpl", pre, post)
            return None

        for node in ast.walk(function):
            for key_expr, access in raw_keys(node):
                use = param_use(key_expr)
                if use is not None:
                    positions[use[0]] = (use[1], access)
            if isinstance(node, ast.Call):
                callee = self.resolve_call(module, node.func, klass)
                spec = self.wrappers.get(callee) if callee else None
                if not spec:
                    continue
                for position, (shape, access) in spec.items():
                    if position == "*":
                        for arg in node.args:
                            if isinstance(arg, ast.Starred) and isinstance(arg.value, ast.Name) and arg.value.id == vararg:
                                positions["*"] = ("keys", access)
                            else:
                                use = param_use(arg)
                                if use is not None:
                                    positions[use[0]] = (use[1] if shape == "keys" else shape, access)
                        continue
                    arg = argument(node, position, spec_params(self, callee))
                    if arg is None:
                        continue
                    use = param_use(arg)
                    if use is not None and shape == "key":
                        positions[use[0]] = (use[1], access)
        return positions


def spec_params(corpus: Corpus, callee) -> list[str]:
    module = corpus.modules[callee[0]]
    function = module.functions[callee[1]]
    names = [a.arg for a in (*function.args.posonlyargs, *function.args.args)]
    if "." in callee[1] and names and names[0] in ("self", "cls"):
        names = names[1:]
    return names


def argument(call: ast.Call, position, names: list[str]):
    if isinstance(position, int):
        if position < len(call.args) and not any(isinstance(a, ast.Starred) for a in call.args[: position + 1]):
            return call.args[position]
        name = names[position] if position < len(names) else None
    else:
        name = position
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    return None


def is_os_environ(node) -> bool:
    if isinstance(node, ast.Attribute) and node.attr == "environ" and isinstance(node.value, ast.Name):
        return node.value.id in ("os", "_os")
    return isinstance(node, ast.Name) and node.id == "environ"


def raw_keys(node):
    """(key expression, access) of a raw access ``node``, if it is one."""
    if isinstance(node, ast.Call):
        func = node.func
        first = node.args[0] if node.args and not isinstance(node.args[0], ast.Starred) else None
        if first is None:
            return
        if isinstance(func, ast.Attribute):
            if func.attr == "getenv" and isinstance(func.value, ast.Name) and func.value.id in ("os", "_os"):
                yield first, "read"
            elif func.attr in ("get", "pop", "setdefault") and is_os_environ(func.value):
                yield first, {"get": "read", "pop": "delete", "setdefault": "write"}[func.attr]
            elif func.attr in HELPERS:
                yield first, "read"
        elif isinstance(func, ast.Name) and (func.id == "getenv" or func.id in HELPERS):
            yield first, "read"
    elif isinstance(node, ast.Subscript) and is_os_environ(node.value):
        access = {ast.Load: "read", ast.Store: "write", ast.Del: "delete"}[type(node.ctx)]
        yield node.slice, access
    elif isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], (ast.In, ast.NotIn)):
        if is_os_environ(node.comparators[0]):
            yield node.left, "check"


# -- pass 3: sites ------------------------------------------------------------------------------


class Sites(ast.NodeVisitor):
    def __init__(self, corpus: Corpus, module: Module, owned):
        self.corpus, self.module, self.owned = corpus, module, owned
        self.sites: set[tuple[str, int, str, str]] = set()
        self.path = module.path.relative_to(corpus.root).as_posix()
        self.klass: str | None = None
        self.frames: list[dict] = []  # function-local names -> strings

    # name environment: innermost function, then class attributes by self./Cls., module, imports
    def env(self, name: str) -> tuple[str, ...]:
        for frame in reversed(self.frames):
            if name in frame:
                return frame[name]
        found = self.corpus.lookup(self.module, name)
        return found[1] if found and found[0] == "const" else ()

    def key_strings(self, expr) -> tuple[str, ...]:
        if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name):
            owner = expr.value.id
            klass = self.klass if owner in ("self", "cls") else owner
            values = self.module.class_consts.get((klass, expr.attr))
            if values:
                return values
            found = self.corpus.lookup(self.module, owner)
            if found and found[0] == "module":
                inner = self.corpus.lookup(found[1], expr.attr)
                if inner and inner[0] == "const":
                    return inner[1]
            imported = self.module.imports.get(owner)
            if imported:
                target = self.corpus.modules.get(imported[0])
                if target and (imported[1], expr.attr) in target.class_consts:
                    return target.class_consts[(imported[1], expr.attr)]
            return ()
        return strings_of(expr, self.env)

    def add(self, line: int, values, kind: str) -> None:
        for value in values:
            if self.owned(value):
                self.sites.add((self.path, line, value, kind))

    def visit_ClassDef(self, node):
        outer, self.klass = self.klass, node.name
        self.generic_visit(node)
        self.klass = outer

    def visit_FunctionDef(self, node):
        frame: dict = {}
        counts = Counter()
        for inner in ast.walk(node):
            if isinstance(inner, ast.Assign):
                for t in inner.targets:
                    if isinstance(t, ast.Name):
                        counts[t.id] += 1
            elif isinstance(inner, (ast.For, ast.comprehension)) and isinstance(inner.target, ast.Name):
                counts[inner.target.id] += 1
        params = {a.arg for a in ast.walk(node.args) if isinstance(a, ast.arg)}
        self.frames.append(frame)
        for inner in ast.walk(node):
            if isinstance(inner, ast.Assign) and len(inner.targets) == 1 and isinstance(inner.targets[0], ast.Name):
                name = inner.targets[0].id
                if counts[name] == 1 and name not in params:
                    values = strings_of(inner.value, self.env) or sequence_of(inner.value, self.env)
                    if values:
                        frame[name] = values
        for inner in ast.walk(node):
            if isinstance(inner, (ast.For, ast.comprehension)) and isinstance(inner.target, ast.Name):
                name = inner.target.id
                if counts[name] == 1 and name not in params:
                    values = sequence_of(inner.iter, self.env)
                    if not values and isinstance(inner.iter, ast.Name):
                        values = self.env(inner.iter.id)
                    if values:
                        frame[name] = values
        self.generic_visit(node)
        self.frames.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_For(self, node):
        # module-level loops over key tuples
        if not self.frames and isinstance(node.target, ast.Name):
            values = sequence_of(node.iter, self.env)
            if not values and isinstance(node.iter, ast.Name):
                values = self.env(node.iter.id)
            if values:
                self.frames.append({node.target.id: values})
                self.generic_visit(node)
                self.frames.pop()
                return
        self.generic_visit(node)

    def visit_Call(self, node):
        for key_expr, access in raw_keys(node):
            self.add(node.lineno, self.key_strings(key_expr), access)
        self._update(node)
        self._wrapper_call(node)
        self._test_patch(node)
        self.generic_visit(node)

    def visit_Subscript(self, node):
        for key_expr, access in raw_keys(node):
            self.add(node.lineno, self.key_strings(key_expr), access)
        self.generic_visit(node)

    def visit_Compare(self, node):
        for key_expr, access in raw_keys(node):
            self.add(node.lineno, self.key_strings(key_expr), access)
        self.generic_visit(node)

    def _update(self, node):
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "update" and is_os_environ(func.value):
            for arg in node.args:
                if isinstance(arg, ast.Dict):
                    for key in arg.keys:
                        if key is not None:
                            self.add(key.lineno, self.key_strings(key), "write")
            for keyword in node.keywords:
                if keyword.arg:
                    self.add(keyword.value.lineno, (keyword.arg,), "write")

    def _wrapper_call(self, node):
        callee = self.corpus.resolve_call(self.module, node.func, self.klass)
        spec = self.corpus.wrappers.get(callee) if callee else None
        if not spec:
            return
        names = spec_params(self.corpus, callee)
        for position, (shape, access) in spec.items():
            if position == "*":
                start = len(names)
                for arg in node.args[start:]:
                    if isinstance(arg, ast.Starred):
                        self.add(node.lineno, self.env(arg.value.id) if isinstance(arg.value, ast.Name) else (), access)
                    else:
                        self.add(node.lineno, self.key_strings(arg), access)
                continue
            arg = argument(node, position, names)
            if arg is None:
                continue
            if shape == "key":
                self.add(node.lineno, self.key_strings(arg), access)
            elif shape == "keys":
                values = sequence_of(arg, self.env) or self.key_strings(arg)
                self.add(node.lineno, values, access)
            else:
                _, pre, post = shape
                self.add(node.lineno, tuple(pre + v + post for v in self.key_strings(arg)), access)

    def visit_Dict(self, node):
        # {**os.environ, "K": v}: a child process's environment
        if any(k is None and is_os_environ(v) for k, v in zip(node.keys, node.values)):
            for key in node.keys:
                if key is not None:
                    self.add(key.lineno, self.key_strings(key), "child-env")
        self.generic_visit(node)

    def _test_patch(self, node):
        func = node.func
        if not isinstance(func, ast.Attribute):
            return
        if func.attr in ("setenv", "delenv") and not (isinstance(func.value, ast.Name) and func.value.id == "os"):
            if node.args:
                self.add(node.lineno, self.key_strings(node.args[0]), "test-" + func.attr)
        target = node.args[0] if node.args else None
        if func.attr == "dict" and target is not None and (
            is_os_environ(target) or (isinstance(target, ast.Constant) and target.value == "os.environ")
        ):
            for arg in node.args[1:]:
                if isinstance(arg, ast.Dict):
                    for key in arg.keys:
                        if key is not None:
                            self.add(key.lineno, self.key_strings(key), "test-patch")
            for keyword in node.keywords:
                if keyword.arg and keyword.arg not in ("clear", "values"):
                    self.add(keyword.value.lineno, (keyword.arg,), "test-patch")


def child_env_writes(module: Module, sites: Sites) -> None:
    """``env = os.environ.copy()`` (or ``dict(os.environ)``) then ``env["K"] = v`` / ``env.update``."""
    for function in [module.tree, *(n for n in ast.walk(module.tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)))]:
        copies = set()
        body = function.body
        for stmt in (s for s in _shallow(body)):
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                value = stmt.value
                if _is_environ_copy(value):
                    copies.add(stmt.targets[0].id)
        if not copies:
            continue
        for stmt in _shallow(body):
            for node in ast.walk(stmt):
                if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store):
                    if isinstance(node.value, ast.Name) and node.value.id in copies:
                        sites.add(node.lineno, sites.key_strings(node.slice), "child-env")
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("update", "setdefault"):
                    if isinstance(node.func.value, ast.Name) and node.func.value.id in copies:
                        if node.func.attr == "setdefault" and node.args:
                            sites.add(node.lineno, sites.key_strings(node.args[0]), "child-env")
                        for arg in node.args if node.func.attr == "update" else ():
                            if isinstance(arg, ast.Dict):
                                for key in arg.keys:
                                    if key is not None:
                                        sites.add(key.lineno, sites.key_strings(key), "child-env")
                        for keyword in node.keywords if node.func.attr == "update" else ():
                            if keyword.arg:
                                sites.add(keyword.value.lineno, (keyword.arg,), "child-env")


def _shallow(body):
    """Statements of a body, nested blocks included, nested functions excluded."""
    for stmt in body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        yield stmt
        for name in ("body", "orelse", "finalbody"):
            yield from _shallow(getattr(stmt, name, []) or [])
        for handler in getattr(stmt, "handlers", []):
            yield from _shallow(handler.body)


def _is_environ_copy(value) -> bool:
    if isinstance(value, ast.Call):
        func = value.func
        if isinstance(func, ast.Attribute) and func.attr == "copy" and is_os_environ(func.value):
            return True
        if isinstance(func, ast.Name) and func.id == "dict" and value.args and is_os_environ(value.args[0]):
            return True
        if isinstance(func, ast.Attribute) and func.attr == "copy" and value.args and is_os_environ(value.args[0]):
            return True
    if isinstance(value, ast.Dict):
        return any(k is None and is_os_environ(v) for k, v in zip(value.keys, value.values))
    return False


def detect(root: Path, package: str, profile: str) -> set[tuple[str, int, str, str]]:
    keys = registry_keys(root, package)
    owned = owned_predicate(profile, keys)
    registries = {f"{package}/srt/environ.py", f"{package}/multimodal_gen/envs.py", f"{package}/envs.py"}
    corpus = Corpus(root, package, registries)
    found: set[tuple[str, int, str, str]] = set()
    for module in corpus.modules.values():
        sites = Sites(corpus, module, owned)
        sites.visit(module.tree)
        child_env_writes(module, sites)
        found |= sites.sites
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("package")
    parser.add_argument("--profile", default="sglang")
    parser.add_argument("--json", action="store_true", help="print every site as JSON")
    args = parser.parse_args()
    sites = detect(args.root.resolve(), args.package, args.profile)
    if args.json:
        json.dump(sorted(sites), sys.stdout, indent=0)
        return 0
    kinds = Counter(kind for *_, kind in sites)
    print(f"{len(sites)} sites: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
