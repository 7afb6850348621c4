"""ENV019: ``envs.K.set(...)`` in test code without restoring it (Rule 3: use ``override``)."""

from __future__ import annotations

import ast

from ..context import FileContext
from ._review import descriptor_call_test, is_test_file, relative_parts
from .base import Invalid, Rule, Valid

_IMPORT = "from sglang.srt.environ import envs\n\n"
_CLEANUP = ("teardown", "tear_down", "cleanup", "clean_up", "restore")


def _restored_keys(tree: ast.Module) -> frozenset[str]:
    """Keys this file puts back: ``X.K.clear()`` anywhere, or ``X.K.set(...)`` in a
    ``finally`` block or a teardown / cleanup / restore function."""
    keys: set[str] = set()

    def key_of(call: ast.AST, methods: tuple[str, ...]):
        if (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and call.func.attr in methods
            and isinstance(call.func.value, ast.Attribute)
            and call.func.value.attr.isupper()
        ):
            return call.func.value.attr
        return None

    for node in ast.walk(tree):
        key = key_of(node, ("clear",))
        if key:
            keys.add(key)
        cleanup_blocks = []
        if isinstance(node, ast.Try):
            cleanup_blocks.append(node.finalbody)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.lower().lstrip(
            "_"
        ).startswith(_CLEANUP):
            cleanup_blocks.append(node.body)
        for block in cleanup_blocks:
            for statement in block:
                for inner in ast.walk(statement):
                    key = key_of(inner, ("set", "clear"))
                    if key:
                        keys.add(key)
    return frozenset(keys)


class TestSetWithoutRestore(Rule):
    """
    ## What it does
    In test code (a file under a `test`/`tests` directory, `test_*.py`,
    `*_test.py`, `conftest.py`), flags `envs.SGLANG_X.set(value)` when the
    file never puts the key back: no `envs.SGLANG_X.clear()`, and no
    `.set(...)` of it in a `finally:` block or in a teardown / cleanup /
    restore function.

    ## Why is this bad
    Rule 3: "Don't mutate `os.environ` directly in tests — `override` restores
    the original cleanly, including the explicit-None state, even if the block
    raises." `.set()` writes the real `os.environ`: the value leaks into every
    later test in the process and into every subprocess they start, so test
    results depend on the order they run in.

    ## Example
    ```python
    @classmethod
    def setUpClass(cls):
        envs.SGLANG_JIT_DEEPGEMM_PRECOMPILE.set(False)
        cls.process = popen_launch_server(...)
    ```

    ## Use instead
    ```python
    @classmethod
    def setUpClass(cls):
        with envs.SGLANG_JIT_DEEPGEMM_PRECOMPILE.override(False):
            cls.process = popen_launch_server(...)
    ```
    (a child started inside the `with` block inherits the value), or an
    `ExitStack` that `tearDownClass` closes.

    ## Fix safety
    No automatic fix: the `with` block must span exactly the code that needs
    the value.
    """

    code = "ENV019"
    name = "test-set-without-restore"
    summary = "envs.K.set() in a test without restoring it (use override())"
    _active = False  # whether the file being checked is test code (set by begin)

    VALID = (
        Valid(
            _IMPORT + "def test_a():\n    with envs.SGLANG_TEST_RETRACT.override(True):\n        pass\n\n"
            "def test_b():\n    envs.SGLANG_LOG_GC.set(True)\n    try:\n        pass\n"
            "    finally:\n        envs.SGLANG_LOG_GC.clear()\n",
            path="test/test_things.py",
        ),
        Valid(_IMPORT + "envs.SGLANG_LOG_GC.set(True)\n", path="python/sglang/srt/server.py"),
    )
    INVALID = (
        Invalid(
            _IMPORT + "class TestServer:\n    @classmethod\n    def setUpClass(cls):\n"
            "        envs.SGLANG_JIT_DEEPGEMM_PRECOMPILE.set(False)\n",
            findings=((6, 9),),
            path="test/server_fixtures/ngram_fixture.py",
        ),
    )

    def prefilter(self):
        test = descriptor_call_test(self.config.owned_prefixes)
        return [[self.project.owned_tokens(), (test,)]]

    def begin(self, ctx: FileContext) -> None:
        self._active = is_test_file(relative_parts(ctx))

    def visit_Call(self, node: ast.Call, ctx: FileContext) -> None:
        if not self._active or len(node.args) != 1:
            return
        func = node.func
        if not (
            isinstance(func, ast.Attribute)
            and func.attr == "set"
            and isinstance(func.value, ast.Attribute)
            and func.value.attr.isupper()
        ):
            return
        registry = ctx.registry_of(func.value.value)
        if registry is None or registry.style != "descriptor":
            return
        key = func.value.attr
        if key in ctx.memo("env019-restored", ctx.tree, lambda: _restored_keys(ctx.tree)):
            return
        written = ctx.source.segment(func.value)
        ctx.report(
            self.code,
            node,
            f"{written}.set() in a test leaks into later tests and their subprocesses: use "
            f"`with {written}.override(...)` (Rule 3)",
            key=key,
        )
