"""ENV018: owned keys defined through a registry of their own, outside the configured ones."""

from __future__ import annotations

import ast
from typing import Iterator, Optional

from ..context import FileContext
from ..registry import BASE_DESCRIPTOR_KINDS
from ._review import canonical_prefixes, definition_tokens, is_test_file, relative_parts
from .base import Invalid, Rule, Valid

# Fewer definitions than this in one class, module or dict are not a registry.
MIN_KEYS = 3
def _string(node: Optional[ast.AST]) -> Optional[str]:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _callee(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return "?"


# Calls that read the environment themselves: ENV001's business, not a registry.
_READS = frozenset({"getenv", "get", "environ"})


def _definitions(body: list[ast.stmt], readers: frozenset[str]) -> Iterator[tuple[str, str, ast.AST]]:
    """(key, machinery, target) for ``KEY = Maker("KEY", ...)`` and ``KEY = EnvBool(...)``.

    ``readers``: names of calls that read one variable (``os.getenv``, the
    project's helpers); ``SGLANG_X = os.getenv("SGLANG_X")`` is a raw read.
    """
    for stmt in body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target, value = stmt.targets[0], stmt.value
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            target, value = stmt.target, stmt.value
        else:
            continue
        if not (isinstance(target, ast.Name) and isinstance(value, ast.Call)):
            continue
        name, callee = target.id, _callee(value)
        if callee in readers:
            continue
        named = any(_string(arg) == name for arg in (*value.args, *(k.value for k in value.keywords)))
        if named or callee in BASE_DESCRIPTOR_KINDS:
            yield name, callee, target


class SecondRegistry(Rule):
    """
    ## What it does
    Flags a class, module or dict outside the configured registries that
    defines owned keys through machinery of its own — at least three of them
    in one place:

    * `SGLANG_X = _GatedBool("SGLANG_X", True)`: a descriptor-like object
      built with the key's own name;
    * `SGLANG_X = EnvBool(False)`: sglang's descriptors in another class;
    * `{"SGLANG_X": lambda: ..., ...}`: a module-style getter table.

    One finding per place, at its name. (The byte-level prefilter looks for
    owned names assigned at the start of a line or indented by four spaces,
    and for `"KEY": lambda`; a registry indented otherwise is missed.) Test code is not checked (fixtures
    define throwaway registries on purpose), nor are the configured registry
    files themselves; `SGLANG_X = os.getenv("SGLANG_X")` is a raw read (ENV001),
    not a registry.

    ## Why is this bad
    Rule 1: all sglang-owned variables live in `Envs`. A second registry is
    invisible to `envs.X.override()`, to the generated reference, and to every
    check envlint runs on registries (defaults, prefixes, renames); its keys
    look unregistered, and its parsing (`_GatedBool` accepts `on`, `EnvBool`
    does not) differs from the one users were told about.

    ## Example
    ```python
    class _LoraEnvs:
        SGLANG_ENABLE_LORA_SHRINK_SPLIT_K = _GatedBool("SGLANG_ENABLE_LORA_SHRINK_SPLIT_K", True)
        SGLANG_OPT_LORA_FUSED_MERGED_ALIGN = _GatedBool("SGLANG_OPT_LORA_FUSED_MERGED_ALIGN", True)
        SGLANG_OPT_LORA_QKV_B_STORE = _GatedBool("SGLANG_OPT_LORA_QKV_B_STORE", True)
    ```

    ## Use instead
    Register the keys in `Envs` (a gate such as "only when the experimental
    switch is on" belongs at the call site or in a small helper that reads
    `envs.X.get()`).

    ## Fix safety
    No automatic fix: moving keys changes their parsing.
    """

    code = "ENV018"
    name = "second-registry"
    summary = "Owned keys defined through a registry of their own outside the configured ones"

    VALID = (
        Valid(
            "class Flags:\n    SGLANG_A = _Flag('SGLANG_A', True)\n    SGLANG_B = _Flag('SGLANG_B', True)\n",
        ),
        Valid(
            "class _Envs:\n    SGLANG_A = _Flag('SGLANG_A')\n    SGLANG_B = _Flag('SGLANG_B')\n"
            "    SGLANG_C = _Flag('SGLANG_C')\n",
            path="test/test_flags.py",
        ),
    )
    INVALID = (
        Invalid(
            "class _LoraEnvs:\n"
            "    SGLANG_ENABLE_LORA_SHRINK_SPLIT_K = _GatedBool(\n"
            '        "SGLANG_ENABLE_LORA_SHRINK_SPLIT_K", True\n    )\n'
            '    SGLANG_OPT_LORA_FUSED_MERGED_ALIGN = _GatedBool("SGLANG_OPT_LORA_FUSED_MERGED_ALIGN", True)\n'
            '    SGLANG_OPT_LORA_QKV_B_STORE = _GatedBool("SGLANG_OPT_LORA_QKV_B_STORE", True)\n',
            findings=((1, 7),),
        ),
        Invalid(
            "import os\n\nKNOBS = {\n"
            '    "SGLANG_A": lambda: os.getenv("SGLANG_A"),\n'
            '    "SGLANG_B": lambda: os.getenv("SGLANG_B"),\n'
            '    "SGLANG_C": lambda: os.getenv("SGLANG_C"),\n}\n',
            findings=((3, 1),),
        ),
    )

    def prefilter(self):
        prefixes = canonical_prefixes(self.config)
        literals = tuple(quote + prefix for prefix in prefixes for quote in ('"', "'"))
        owned = self.project.owned_tokens()  # evaluated for other rules anyway: first
        return [
            # KEY = Maker("KEY") / KEY = EnvBool(...) at module level or in a class body
            [owned, definition_tokens(prefixes)],
            # {"KEY": lambda: ...}
            [owned, ('": lambda', "': lambda"), literals],
        ]

    def begin(self, ctx: FileContext) -> None:
        if ctx.is_registry_file or is_test_file(relative_parts(ctx)):
            return
        registries = ", ".join(r.module for r in ctx.project.registries) or "a registry"
        readers = _READS | {spec.name for spec in self.config.helpers}
        places: list[tuple[str, list[tuple[str, str]], ast.AST, tuple]] = []
        module_keys = self._owned(ctx, _definitions(ctx.tree.body, readers))
        if module_keys:
            first = module_keys[0][2]
            places.append(("this module", [(k, m) for k, m, _ in module_keys], first, ctx.span(first)))
        for node in ctx.tree.body:
            if isinstance(node, ast.ClassDef):
                keys = self._owned(ctx, _definitions(node.body, readers))
                if keys:
                    line = node.lineno
                    column = ctx.source.line_text(line).index("class") + len("class ")
                    span = (line, column, line, column + len(node.name))
                    places.append((f"class {node.name}", [(k, m) for k, m, _ in keys], node, span))
            elif isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(node.value, ast.Dict):
                keys = [
                    (key.value, "lambda")
                    for key, value in zip(node.value.keys, node.value.values)
                    if _string(key) and isinstance(value, ast.Lambda) and self._is_owned(ctx, key.value)
                ]
                if len(keys) >= MIN_KEYS:
                    target = node.targets[0] if isinstance(node, ast.Assign) else node.target
                    where = f"dict {ctx.source.segment(target)}"
                    places.append((where, keys, target, ctx.span(target)))
        for where, keys, _, span in places:
            machinery = ", ".join(sorted({m for _, m in keys}))
            sample = ", ".join(k for k, _ in keys[:3]) + (", ..." if len(keys) > 3 else "")
            ctx.report(
                self.code,
                None,
                f"{where} defines {len(keys)} owned keys ({sample}) through {machinery}, a registry "
                f"outside the configured ones ({registries}): register them there (Rule 1)",
                span=span,
            )

    def _is_owned(self, ctx: FileContext, key: str) -> bool:
        project = ctx.project
        return key.startswith(self.config.owned_prefixes) or (
            project.is_vendor(key) and not project.is_external(key)
        )

    def _owned(self, ctx: FileContext, found) -> list:
        keys = [(k, m, t) for k, m, t in found if self._is_owned(ctx, k)]
        return keys if len(keys) >= MIN_KEYS else []
