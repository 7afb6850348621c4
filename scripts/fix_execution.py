"""Execute each fix ``envlint`` reports, before and after, over every value class.

Used by ``scripts/fix_harness.py``. Independent of envlint's own model: the code
that runs is the corpus's own —

* the registry module (``sglang/srt/environ.py``, ``vllm/envs.py``, the diffusion
  ``envs.py``) is executed from its file, as a module of its real name;
* a helper (``get_bool_env_var``, ``temp_set_env``) is its own function,
  executed from the file that defines it (found through the file's imports and
  the package's re-exports) together with that file's standard-library imports
  and simple module-level names;
* ``os`` is the real ``os``, and each value is really set in ``os.environ``.

For a fix whose edit sits inside an expression, the expression evaluated is the
largest one around the edit whose names are all such imports and builtins (so
``.lower()`` or ``== "1"`` around a read are part of what runs); for an ``if`` /
``while`` / ``assert`` test, its truth value. A statement-level fix (a write, a
delete, a ``with temp_set_env(...)``) is executed as a statement, and the
``os.environ`` it leaves (inside the ``with`` block too) is part of the outcome.
What needs a local variable or a project function is "not executable" and counted.

Values: unset, the empty string, every string literal of the code before and
after, the registry's and helpers' words (``EnvBool``'s, the diffusion helper's
``on/off/t/f``), numbers, each in several letter cases and with surrounding
whitespace, and a few values nobody lists.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import importlib
import io
import os
import statistics
import sys
import textwrap
import types
import warnings
from collections import Counter
from pathlib import Path
from typing import Any, Optional

_BOOL_WORDS = ("true", "1", "yes", "y", "false", "0", "no", "n", "on", "off", "t", "f")
_NUMBERS = ("0", "7", "-3", "+5", "1_000", "007", "2.5", "1e3", "inf", "nan", "0x10", "9007199254740993")
_OTHERS = ("", "abc", "maybe", "None", "~/x", "a,b")
_BUILTINS = {
    "int",
    "float",
    "str",
    "bool",
    "len",
    "tuple",
    "list",
    "set",
    "dict",
    "min",
    "max",
    "abs",
    "isinstance",
}
_CODE: dict[Path, Any] = {}
_IMPORTS: dict[int, tuple] = {}


def _forms(word: str) -> list[str]:
    forms = {word, word.lower(), word.upper(), word.title(), word.swapcase()}
    out = []
    for form in sorted(forms):
        out += [form, f" {form} ", f"\t{form}\n"] if form else [form]
    return out


def value_list(strings: list[str]) -> list[Optional[str]]:
    words = set(_BOOL_WORDS) | set(_NUMBERS) | set(_OTHERS) | {s for s in strings if len(s) < 40}
    values: dict[str, None] = {}
    for word in sorted(words):
        for form in _forms(word):
            values[form] = None
    return [None, *values]


# -- loading the corpus's own code ------------------------------------------------------------


class Corpus:
    """Modules of one tree, loaded from their files without importing the package."""

    def __init__(self, root: Path, package: str):
        self.root = root
        self.package = package
        self._modules: dict[str, Optional[types.ModuleType]] = {}

    def path_of(self, module: str) -> Optional[Path]:
        base = self.root.joinpath(*module.split("."))
        for candidate in (base.with_suffix(".py"), base / "__init__.py"):
            if candidate.is_file():
                return candidate
        return None

    def registry(self, module: str, fresh: bool = False) -> Optional[types.ModuleType]:
        """The registry module, executed whole from its file (it imports only the stdlib)."""
        key = f"registry:{module}"
        if not fresh and key in self._modules:
            return self._modules[key]
        path = self.path_of(module)
        loaded = None
        if path is not None:
            code = _CODE.get(path)
            if code is None:
                code = _CODE[path] = compile(path.read_bytes(), str(path), "exec")
            loaded = types.ModuleType(module)
            loaded.__file__ = str(path)
            saved = sys.modules.get(module)
            sys.modules[module] = loaded
            try:
                with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):
                    warnings.simplefilter("ignore")
                    exec(code, loaded.__dict__)  # noqa: S102 - the registry's own code
            except Exception:  # a registry needing more than the stdlib: use the partial loader
                loaded = self.partial(module)
            finally:
                if saved is None:
                    sys.modules.pop(module, None)
                else:
                    sys.modules[module] = saved
        self._modules[key] = loaded
        return loaded

    def partial(self, module: str) -> Optional[types.ModuleType]:
        """The module's functions, classes and simple names, with its stdlib imports
        and its re-exports; everything else (torch, ...) left out."""
        if module in self._modules:
            return self._modules[module]
        self._modules[module] = None  # cycles
        path = self.path_of(module)
        if path is None:
            return None
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError):
            return None
        loaded = types.ModuleType(module)
        loaded.__dict__["__name__"] = module
        namespace = loaded.__dict__
        is_package = path.name == "__init__.py"
        for node in tree.body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                self._import_into(node, namespace, module, is_package)
                continue
            if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.Assign, ast.AnnAssign)):
                code = compile(ast.Module(body=[node], type_ignores=[]), str(path), "exec")
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        exec(code, namespace)  # noqa: S102 - the corpus's own code, on purpose
                except Exception:
                    pass
        self._modules[module] = loaded
        return loaded

    def _import_into(self, node, namespace: dict, module: str, is_package: bool) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.partition(".")[0]
                if top in sys.stdlib_module_names:
                    with contextlib.suppress(ImportError):
                        imported = __import__(alias.name)
                        namespace[alias.asname or top] = (
                            importlib.import_module(alias.name) if alias.asname else imported
                        )
            return
        base = node.module or ""
        if node.level:
            parts = module.split(".")
            if not is_package:
                parts = parts[:-1]
            parts = parts[: len(parts) - (node.level - 1)] if node.level > 1 else parts
            base = ".".join(parts + ([node.module] if node.module else []))
        top = base.partition(".")[0]
        if top in sys.stdlib_module_names:
            with contextlib.suppress(ImportError):
                source = importlib.import_module(base)
                for alias in node.names:
                    if alias.name == "*":
                        namespace.update({k: v for k, v in vars(source).items() if not k.startswith("_")})
                    elif hasattr(source, alias.name):
                        namespace[alias.asname or alias.name] = getattr(source, alias.name)
            return
        if top != self.package:
            return
        for alias in node.names:
            value = self.resolve(base, alias.name)
            if alias.name == "*":
                source = self.partial(base)
                if source is not None:
                    namespace.update({k: v for k, v in vars(source).items() if not k.startswith("__")})
            elif value is not None:
                namespace[alias.asname or alias.name] = value

    def resolve(self, module: str, name: str) -> Any:
        """``from module import name``: the registry instance/module, a submodule, or a
        function of the module (through its re-exports)."""
        sub = f"{module}.{name}"
        if self.path_of(sub) is not None and _is_registry_path(self.path_of(sub)):
            return self.registry(sub)
        path = self.path_of(module)
        if path is not None and _is_registry_path(path):
            registry = self.registry(module)
            return vars(registry).get(name) if registry is not None else None
        source = self.partial(module)
        return vars(source).get(name) if source is not None else None


def _is_registry_path(path: Path) -> bool:
    text = path.as_posix()
    return text.endswith(("/srt/environ.py", "/multimodal_gen/envs.py")) or (
        path.name == "envs.py" and path.parent.name == "vllm"
    )


# -- what one fix changes -------------------------------------------------------------------


class NotExecutable(Exception):
    pass


def _module_of(path: str) -> str:
    return path[:-3].replace("/", ".").removesuffix(".__init__")


def _namespace(tree: ast.Module, corpus: Corpus, module: str, names: set[str], is_package: bool) -> dict:
    """Bindings for ``names`` from the file's imports (module level and local)."""
    namespace: dict[str, Any] = {"__builtins__": builtins}
    index = _IMPORTS.get(id(tree))
    if index is None or index[0] is not tree:
        found: dict[str, list] = {}
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for alias in node.names:
                    found.setdefault(alias.asname or alias.name.partition(".")[0], []).append((node, alias))
        index = _IMPORTS[id(tree)] = (tree, found)
    for bound in sorted(names):
        for node, alias in index[1].get(bound, ()):
            if bound in namespace:
                continue
            scratch: dict[str, Any] = {}
            single = (
                ast.Import(names=[alias])
                if isinstance(node, ast.Import)
                else ast.ImportFrom(module=node.module, names=[alias], level=node.level)
            )
            if isinstance(node, ast.Import) and alias.name.partition(".")[0] == corpus.package:
                if (
                    alias.asname
                    and corpus.path_of(alias.name)
                    and _is_registry_path(corpus.path_of(alias.name))
                ):
                    scratch[alias.asname] = corpus.registry(alias.name)
            else:
                corpus._import_into(single, scratch, module, is_package)
            if bound in scratch and scratch[bound] is not None:
                namespace[bound] = scratch[bound]
    missing = {n for n in names if n not in namespace and n not in _BUILTINS}
    if missing:
        raise NotExecutable(f"needs {', '.join(sorted(missing))}")
    return namespace


def _free_names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _offset(text: str, line: int, column: int) -> int:
    lines = text.splitlines(keepends=True)
    return sum(len(l) for l in lines[: line - 1]) + column - 1


def _parents(tree: ast.Module) -> dict[int, ast.AST]:
    parents = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[id(child)] = node
    return parents


def _span(text: str, node: ast.AST) -> tuple[int, int]:
    lines = text.splitlines(keepends=True)

    def at(line: int, col: int) -> int:
        prefix = sum(len(l) for l in lines[: line - 1])
        return prefix + len(lines[line - 1].encode("utf-8")[:col].decode("utf-8", "replace"))

    return at(node.lineno, node.col_offset), at(node.end_lineno, node.end_col_offset)


def plan(text: str, edits: list[tuple[int, int, str]], corpus: Corpus, module: str, is_package: bool):
    """(mode, source before, source after) for one fix's edits in ``text``: "eval", "exec" or "with"."""
    tree = ast.parse(text)
    parents = _parents(tree)
    start = min(e[0] for e in edits)
    end = max(e[1] for e in edits)
    # The smallest node holding every edit.
    best = None
    for node in ast.walk(tree):
        if not hasattr(node, "lineno") or isinstance(node, ast.Module):
            continue
        a, b = _span(text, node)
        if a <= start and end <= b and (best is None or (b - a) < (best[2] - best[1])):
            best = (node, a, b)
    if best is None:
        raise NotExecutable("edit outside any node")
    node = best[0]
    if isinstance(node, ast.stmt):
        statement = node
        expr = None
    else:
        expr = node
        while True:
            parent = parents.get(id(expr))
            if parent is None or isinstance(parent, ast.stmt) or not isinstance(parent, ast.expr):
                break
            if _free_names(parent) - _free_names(expr) and not _executable_names(
                _free_names(parent), tree, corpus, module, is_package
            ):
                break
            if isinstance(parent, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
                break
            expr = parent
        statement = parents.get(id(expr))
        while statement is not None and not isinstance(statement, ast.stmt):
            statement = parents.get(id(statement))
    if expr is None:
        a, b = _span(text, statement)
        line_start = text.rfind("\n", 0, a) + 1
        if isinstance(statement, ast.With):
            header_end = _span(text, statement.body[0])[0]
            header = text[a:header_end].rstrip().rstrip(":").rstrip()
            return "with", header, _apply(text, edits, a, header_end).rstrip().rstrip(":").rstrip()
        if not isinstance(statement, (ast.Assign, ast.Delete, ast.Expr, ast.If)):
            raise NotExecutable(type(statement).__name__)
        return (
            "exec",
            textwrap.dedent(text[line_start:b]),
            textwrap.dedent(_apply(text, edits, line_start, b)),
        )
    a, b = _span(text, expr)
    before = text[a:b]
    after = _apply(text, edits, a, b)
    tested = isinstance(statement, (ast.If, ast.While, ast.Assert)) and statement.test is expr
    if tested:
        return "eval", f"bool({before})", f"bool({after})"
    return "eval", before, after


def _apply(text: str, edits, a: int, b: int) -> str:
    inner = text[a:b]
    for start, end, content in sorted(edits, reverse=True):
        if a <= start and end <= b:
            inner = inner[: start - a] + content + inner[end - a :]
    return inner


def _executable_names(names: set[str], tree, corpus, module, is_package) -> bool:
    try:
        _namespace(tree, corpus, module, names, is_package)
        return True
    except NotExecutable:
        return False


# -- running --------------------------------------------------------------------------------


def _describe(value: Any) -> str:
    if isinstance(value, float):
        return f"float:{value!r}"
    return f"{type(value).__name__}:{value!r}"


def _run(mode: str, source: str, namespace: dict, keys: list[str]) -> str:
    baseline = dict(os.environ)
    try:
        with (
            warnings.catch_warnings(),
            contextlib.redirect_stderr(io.StringIO()),
            contextlib.redirect_stdout(io.StringIO()),
        ):
            warnings.simplefilter("ignore")
            if mode == "eval":
                outcome = _describe(eval(source, dict(namespace)))  # noqa: S307
            elif mode == "with":
                seen = {}
                scope = dict(namespace)
                scope["__envlint_capture__"] = lambda: seen.update(dict(os.environ))
                exec(f"{source}:\n    __envlint_capture__()\n", scope)  # noqa: S102
                outcome = "ran:" + repr(sorted((k, v) for k, v in seen.items() if baseline.get(k) != v))
            else:
                exec(source, dict(namespace))  # noqa: S102
                outcome = "ran"
    except Exception as exc:  # the code's own behaviour
        outcome = f"raises:{type(exc).__name__}"
    effect = sorted(
        (k, os.environ.get(k))
        for k in set(os.environ) | set(baseline)
        if os.environ.get(k) != baseline.get(k)
    )
    for key, _ in effect:
        if key in baseline:
            os.environ[key] = baseline[key]
        else:
            os.environ.pop(key, None)
    return f"{outcome} environ={effect}"


def _named(value: Optional[str], reason: str) -> bool:
    if "read differently is not known" in reason:
        return True  # envlint says it cannot list the values (a side it does not model)
    if value is None:
        return "unset" in reason
    normal = value.strip().lower()
    if "any value" in reason or "any other value" in reason or "read differently is not known" in reason:
        return True
    if repr(value) in reason:
        return True
    if repr(normal) in reason:
        needs_case = value.strip() != normal
        needs_space = value != value.strip()
        segment_ok = True
        if needs_case and not ("any case" in reason or "upper or mixed case" in reason):
            segment_ok = False
        if needs_space and "whitespace" not in reason:
            segment_ok = False
        return segment_ok
    return False


def execute_fixes(findings: list[dict], before: Path, after: Path, package: str, unsafe: bool) -> dict:
    """Run every applied fix before and after; see the module docstring."""
    old_corpus, new_corpus = Corpus(before, package), Corpus(after, package)
    executed, counts, not_executable = 0, [], 0
    skipped: Counter = Counter()
    safe_differences, unnamed = [], []
    for finding in findings:
        fix = finding["fix"]
        if not fix or (fix["applicability"] != "safe" and not unsafe):
            continue
        if finding["code"] not in ("ENV001", "ENV004", "ENV005"):
            skipped["renames and inversions (ENV002/ENV003) change the variable's name"] += 1
            continue
        path = finding["path"]
        text = (before / path).read_text(encoding="utf-8")
        edits = [
            (
                _offset(text, e["location"]["line"], e["location"]["column"]),
                _offset(text, e["end_location"]["line"], e["end_location"]["column"]),
                e["content"],
            )
            for e in fix["edits"]
        ]
        module = _module_of(path)
        is_package = path.endswith("__init__.py")
        try:
            mode, source_before, source_after = plan(text, edits, old_corpus, module, is_package)
            old_tree = ast.parse(text)
            new_tree = ast.parse((after / path).read_text(encoding="utf-8"))
            old_ns = _namespace(old_tree, old_corpus, module, _names(mode, source_before), is_package)
            new_ns = _namespace(new_tree, new_corpus, module, _names(mode, source_after), is_package)
        except (NotExecutable, SyntaxError) as exc:
            not_executable += 1
            skipped[str(exc).split(",")[0]] += 1
            continue
        key = finding.get("key") or ""
        strings = (
            [
                n.value
                for n in ast.walk(ast.parse(source_before + "\n" + source_after, mode="exec"))
                if isinstance(n, ast.Constant) and isinstance(n.value, str)
            ]
            if mode != "with"
            else []
        )
        values = value_list(strings)
        fresh_registry = mode != "eval" or key.startswith("SGL_")
        differing = []
        for value in values:
            for k in [key]:
                os.environ.pop(k, None)
            if value is not None:
                os.environ[key] = value
            if fresh_registry:
                new_ns = _namespace(
                    new_tree, _Fresh(new_corpus), module, _names(mode, source_after), is_package
                )
            old = _run(mode, source_before, old_ns, [key])
            if value is not None:
                os.environ[key] = value
            new = _run(mode, source_after, new_ns, [key])
            os.environ.pop(key, None)
            if old != new and not old.startswith("raises:"):
                differing.append((value, old, new))
        executed += 1
        counts.append(len(values))
        where = f"{path}:{finding['line']} {finding['code']} {finding['key']}"
        if fix["applicability"] == "safe":
            for value, old, new in differing[:3]:
                safe_differences.append(f"{where}: {value!r}: {old} before, {new} after")
        else:
            reason = fix["reason"] or ""
            missing = [v for v, _, _ in differing if not _named(v, reason)]
            if missing:
                unnamed.append(
                    f"{where}: {', '.join(repr(v) for v in missing[:5])} not in the reason: {reason[:200]}"
                )
    return {
        "executed": executed,
        "values": int(statistics.median(counts)) if counts else 0,
        "not_executable": not_executable,
        "skipped": skipped,
        "safe_differences": safe_differences,
        "unnamed_differences": unnamed,
    }


class _Fresh(Corpus):
    """The same tree, with the registry executed afresh (for writes and legacy keys)."""

    def __init__(self, corpus: Corpus):
        super().__init__(corpus.root, corpus.package)
        self._modules = {k: v for k, v in corpus._modules.items() if not k.startswith("registry:")}


def _names(mode: str, source: str) -> set[str]:
    if mode == "with":
        source = source.strip()
        if source.startswith("with "):
            source = source[5:]
        return _free_names(ast.parse(f"({source})", mode="eval"))
    return _free_names(ast.parse(source, mode="eval" if mode == "eval" else "exec"))
