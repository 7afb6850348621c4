#!/usr/bin/env python3
"""Compare ``envlint fix`` on sglang 0.5.12 with what sglang's maintainers wrote by 0.5.23.

    python scripts/human_migrations.py            # markdown report
    python scripts/human_migrations.py --json

Between 0.5.12 and 0.5.23 maintainers migrated raw environment reads to the
registry by hand. A *human migration* is a raw read of key K (an ENV001 finding
of ``envlint check`` on 0.5.12) inside function F of file P, where in 0.5.23 the
same file's same function (same qualified name) reads K through a registry
(``envs.K.get()`` / a module registry's ``envs.K``) and no longer reads it raw.

For each one, envlint's output on a copy of 0.5.12 (``fix``, then ``fix
--unsafe-fixes``) is compared with the humans' code, expression by expression
(the largest expression around the registry read, the one envlint replaces or
keeps): **exact** (same code, registry alias names aside), **equivalent** (other
code, same value for every value class, each side run with its own registry and
helpers), **different** (then: which side gives what 0.5.12 gave — who preserved
behaviour), or **not rewritten** by envlint.
"""

from __future__ import annotations

import argparse
import ast
import json
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".corpus"
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fix_execution import Corpus, NotExecutable, _namespace, _run, value_list  # noqa: E402

OLD, NEW = "sglang-0.5.12", "sglang"
_RAW = {"getenv", "get_bool_env_var", "get_int_env_var"}
_ALIASES = {"srt_envs": "envs", "sglang_envs": "envs", "_envs": "envs"}


def envlint(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "envlint", *args], cwd=cwd, capture_output=True, text=True)


# -- locating code ------------------------------------------------------------------------------


def functions(tree: ast.Module) -> dict[str, ast.AST]:
    """Qualified name (``Class.method``) -> function node; ``<module>`` for the module."""
    found: dict[str, ast.AST] = {"<module>": tree}

    def walk(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = f"{prefix}{child.name}"
                if not isinstance(child, ast.ClassDef):
                    found.setdefault(name, child)
                walk(child, name + ".")

    walk(tree, "")
    return found


def enclosing(tree: ast.Module, line: int) -> str:
    best, best_size = "<module>", None
    for name, node in functions(tree).items():
        if name == "<module>":
            continue
        if node.lineno <= line <= node.end_lineno and (
            best_size is None or node.end_lineno - node.lineno < best_size
        ):
            best, best_size = name, node.end_lineno - node.lineno
    return best


def _own_nodes(scope: ast.AST):
    """Nodes of a function, not of the functions nested in it (the module: top level only)."""
    pending = list(ast.iter_child_nodes(scope))
    while pending:
        node = pending.pop()
        if (
            isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda))
            and scope is not node
        ):
            if not isinstance(scope, ast.Module) or isinstance(
                node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
            ):
                continue
        yield node
        pending.extend(ast.iter_child_nodes(node))


def names_of(key: str) -> tuple[str, ...]:
    """The key and, for a legacy ``SGL_*`` key, the ``SGLANG_*`` name it migrates to."""
    if key.startswith("SGL_"):
        return key, "SGLANG_" + key[len("SGL_") :]
    return (key,)


def registry_reads(scope: ast.AST, key: str) -> list[ast.AST]:
    """``<x>.K.get()`` and ``<x>.K`` (a module registry) where ``<x>`` is an envs-like
    name, in source order; ``is_set()`` / ``set()`` / ``override()`` / ``clear()`` are
    not reads."""
    up = parents(scope)
    found = []
    for node in _own_nodes(scope):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in names_of(key)
            and isinstance(node.value, ast.Name)
        ):
            if "envs" not in node.value.id:
                continue
            method = up.get(id(node))
            if isinstance(method, ast.Attribute) and method.attr in ("is_set", "set", "override", "clear"):
                continue
            found.append(node)
    return sorted(found, key=lambda n: (n.lineno, n.col_offset))


def raw_reads(scope: ast.AST, key: str) -> list[ast.AST]:
    found = [n for n in _own_nodes(scope) if isinstance(n, ast.Constant) and n.value == key]
    return sorted(found, key=lambda n: (n.lineno, n.col_offset))


def parents(tree: ast.AST) -> dict[int, ast.AST]:
    out = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            out[id(child)] = node
    return out


def read_expression(tree: ast.Module, node: ast.AST) -> ast.AST:
    """The largest expression around a read that only transforms its value."""
    up = parents(tree)
    current = node
    parent = up.get(id(current))
    if isinstance(parent, ast.Attribute) and parent.attr == "get":
        call = up.get(id(parent))
        if isinstance(call, ast.Call) and call.func is parent:
            current = call
    if isinstance(node, ast.Constant):  # a raw read: the call or subscript holding the key
        holder = up.get(id(node))
        current = holder if isinstance(holder, (ast.Call, ast.Subscript)) else node
    while True:
        parent = up.get(id(current))
        if (
            isinstance(parent, ast.Call)
            and isinstance(parent.func, ast.Name)
            and parent.func.id in ("int", "float", "str", "bool")
            and parent.args == [current]
        ):
            current = parent
        elif (
            isinstance(parent, ast.Attribute)
            and parent.attr in ("lower", "upper", "strip")
            and isinstance(up.get(id(parent)), ast.Call)
        ):
            current = up.get(id(parent))
        elif isinstance(parent, ast.Compare) and all(
            isinstance(o, ast.Constant) or isinstance(o, (ast.Tuple, ast.List, ast.Set))
            for o in (parent.left, *parent.comparators)
            if o is not current
        ):
            current = parent
        elif isinstance(parent, ast.UnaryOp) and isinstance(parent.op, ast.Not):
            current = parent
        else:
            return current


def normal(text: str) -> str:
    tree = ast.parse(text.strip(), mode="eval")
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in _ALIASES:
            node.id = _ALIASES[node.id]
    return ast.dump(tree)


# -- the comparison ---------------------------------------------------------------------------


def migrations(old: Path, new: Path, findings: list[dict]) -> list[dict]:
    out = []
    seen = set()
    for finding in findings:
        if finding["code"] != "ENV001" or not finding["message"].startswith("raw read"):
            continue
        path, key = finding["path"], finding["key"]
        if not (new / path).exists():
            continue
        old_tree = ast.parse((old / path).read_text(encoding="utf-8"))
        new_tree = ast.parse((new / path).read_text(encoding="utf-8"))
        function = enclosing(old_tree, finding["line"])
        scope = functions(new_tree).get(function)
        if scope is None or (path, function, key) in seen:
            continue
        reads = registry_reads(scope, key)
        if reads and not raw_reads(scope, key):
            seen.add((path, function, key))
            out.append(
                {
                    "path": path,
                    "function": function,
                    "key": key,
                    "line": finding["line"],
                    "finding": finding,
                    "human": reads[0],
                }
            )
    return out


def expression_at(tree: ast.Module, function: str, key: str, registry: bool) -> ast.AST | None:
    scope = functions(tree).get(function)
    if scope is None:
        return None
    nodes = registry_reads(scope, key) if registry else raw_reads(scope, key)
    return read_expression(tree, nodes[0]) if nodes else None


def evaluate(corpus: Corpus, path: str, text: str, expression: str, key: str, values) -> list[str] | None:
    tree = ast.parse(text)
    module = path[:-3].replace("/", ".").removesuffix(".__init__")
    try:
        names = {n.id for n in ast.walk(ast.parse(expression, mode="eval")) if isinstance(n, ast.Name)}
        namespace = _namespace(tree, corpus, module, names, path.endswith("__init__.py"))
    except (NotExecutable, SyntaxError):
        return None
    import os

    results = []
    names = names_of(key)  # a legacy key is copied to its new name when the registry loads
    for value in values:
        for name in names:
            os.environ.pop(name, None)
            if value is not None:
                os.environ[name] = value
        results.append(_run("eval", expression, namespace, [key]))
        for name in names:
            os.environ.pop(name, None)
    return results


def compare(old: Path, new: Path, fixed: Path, items: list[dict]) -> list[dict]:
    old_corpus, new_corpus, fixed_corpus = (
        Corpus(old, "sglang"),
        Corpus(new, "sglang"),
        Corpus(fixed, "sglang"),
    )
    rows = []
    for item in items:
        path, function, key = item["path"], item["function"], item["key"]
        old_text = (old / path).read_text(encoding="utf-8")
        new_text = (new / path).read_text(encoding="utf-8")
        fixed_text = (fixed / path).read_text(encoding="utf-8")
        original = expression_at(ast.parse(old_text), function, key, registry=False)
        human = expression_at(ast.parse(new_text), function, key, registry=True)
        ours = expression_at(ast.parse(fixed_text), function, key, registry=True)
        row = {
            "path": path,
            "function": function,
            "key": key,
            "human": ast.unparse(human) if human else None,
            "envlint": ast.unparse(ours) if ours else None,
            "original": ast.unparse(original) if original else None,
        }
        if ours is None:
            row["verdict"] = "not rewritten"
        elif normal(row["human"]) == normal(row["envlint"]):
            row["verdict"] = "exact"
        else:
            strings = [
                n.value
                for e in (original, human, ours)
                if e is not None
                for n in ast.walk(e)
                if isinstance(n, ast.Constant) and isinstance(n.value, str)
            ]
            values = value_list(strings)
            base = evaluate(old_corpus, path, old_text, row["original"], key, values) if original else None
            theirs = evaluate(new_corpus, path, new_text, row["human"], key, values)
            mine = evaluate(fixed_corpus, path, fixed_text, row["envlint"], key, values)
            if theirs is None or mine is None:
                row["verdict"] = "different (not executable)"
            elif theirs == mine:
                row["verdict"] = "equivalent"
            else:

                def kept(results):
                    return base is not None and all(
                        b == r or b.startswith("raises:") for b, r in zip(base, results)
                    )

                who = [name for name, results in (("humans", theirs), ("envlint", mine)) if kept(results)]
                row["verdict"] = "different; behaviour preserved by " + (" and ".join(who) or "neither")
        rows.append(row)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--keep", type=Path, help="work in this directory and keep the fixed copies")
    parser.add_argument("--reuse", action="store_true", help="compare the copies --keep already holds")
    args = parser.parse_args()
    old, new = CACHE / OLD, CACHE / NEW
    work = args.keep or Path(tempfile.mkdtemp(prefix="envlint-humans-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        check = envlint("check", "--no-cache", "--format", "json", "--exit-zero", "sglang", cwd=old)
        items = migrations(old, new, json.loads(check.stdout))
        report = {"migrations": len(items), "srt": sum(1 for i in items if "multimodal_gen" not in i["path"])}
        for mode, extra in (("safe", ()), ("unsafe", ("--unsafe-fixes",))):
            fixed = work / f"0.5.12-{mode}"
            if not (args.reuse and fixed.is_dir()):
                shutil.rmtree(fixed, ignore_errors=True)
                shutil.copytree(old, fixed)
                envlint("fix", *extra, "sglang", cwd=fixed)
            report[mode] = compare(old, new, fixed, items)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    if args.json:
        print(json.dumps(report, indent=1))
        return 0
    print("# envlint fix on sglang 0.5.12 vs the maintainers' own migrations (0.5.23)\n")
    print(
        f"{report['migrations']} human migrations (same file, same function, same key); "
        f"{report['srt']} outside multimodal_gen.\n"
    )
    for mode in ("safe", "unsafe"):
        counts = Counter(r["verdict"] for r in report[mode])
        print(f"## `fix{' --unsafe-fixes' if mode == 'unsafe' else ''}`\n")
        for verdict, count in counts.most_common():
            print(f"- {verdict}: {count}")
        print()
        for row in report[mode]:
            if row["verdict"] not in ("exact", "equivalent"):
                print(
                    f"  - `{row['path']}` {row['function']} {row['key']}: {row['verdict']}\n"
                    f"    - 0.5.12: `{row['original']}`\n    - humans: `{row['human']}`\n"
                    f"    - envlint: `{row['envlint']}`"
                )
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
