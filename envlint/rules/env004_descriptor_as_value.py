"""ENV004: a registry descriptor used where its value is meant (missing ``.get()``)."""

from __future__ import annotations

import ast
from typing import Optional

from ..context import FileContext
from ..findings import SAFE, UNSAFE, Fix
from ..fixes.common import insert_after, raises_are_caught
from .expected_errors import expects_exception
from ..registry import Registry
from .base import Invalid, Rule, Valid

_ORDERING = (ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE)
_VALUE_BUILTINS = {"builtins.bool": "bool()", "builtins.len": "len()"}


class DescriptorAsValue(Rule):
    """
    ## What it does
    Flags `envs.SGLANG_FOO` (a descriptor of a descriptor-style registry) where
    its *value* is meant: any truth test (`if`, `while`, `assert`, `x if c else
    y`, a comprehension condition, a `case ... if` guard, `not`, an operand of
    `and` / `or`),
    `bool(...)`, `len(...)`, and comparisons (`==`, `!=`, `<`, `<=`, `>`, `>=`).

    Attributes of a module-style registry (`from sglang.multimodal_gen import
    envs`) are values already and are never flagged; neither is an attribute the
    registry does not define (it raises `AttributeError` first: ENV006), nor
    code where the `RuntimeError` is expected — inside `with pytest.raises(...)`,
    `self.assertRaises(...)`, sglang's `assert_throws(...)` (any context manager
    whose name says it expects a raise or a throw), `contextlib.suppress` of
    `RuntimeError`/`Exception`, or a `try` whose handler names `RuntimeError`.
    A blanket `except Exception` is no such expectation: it would swallow the
    crash silently, so the use is still reported.

    ## Why is this bad
    `envs.SGLANG_FOO` is the descriptor object. Its `__bool__` and `__len__`
    raise `RuntimeError` on purpose, so `if envs.SGLANG_FOO:` crashes at run
    time; a comparison silently compares the descriptor and is always false.

    ## Example
    ```python
    if envs.SGLANG_ENABLE_TORCH_COMPILE:
        ...
    ```

    ## Use instead
    ```python
    if envs.SGLANG_ENABLE_TORCH_COMPILE.get():
        ...
    ```

    ## Fix safety
    *Safe* where the original raises in every environment: a truth test, `not`,
    `bool()` or `len()` of the descriptor, when envlint has verified in the
    registry's own code that the descriptor's `__bool__` / `__len__` do nothing
    but raise (sglang's `EnvField`) and no `try` around the expression catches
    the error. Adding `.get()` then repairs a crash and changes no working
    behaviour. *Unsafe* otherwise: a comparison with the descriptor is always
    false rather than raising, the last operand of `x or envs.K` is returned
    rather than tested, and a registry whose `__bool__` envlint cannot verify
    may not raise — there `.get()` changes what the code computes.
    """

    code = "ENV004"
    name = "descriptor-used-as-value"
    summary = "Registry descriptor used as a value; call .get()"

    VALID = (
        Valid(
            "from sglang.srt.environ import envs\n"
            "if envs.SGLANG_ENABLE_TORCH_COMPILE.get():\n    pass\n"
            "with envs.SGLANG_TEST_RETRACT.override(True):\n    pass\n"
        ),
        Valid(
            "from sglang.multimodal_gen import envs\n"
            "if envs.SGLANG_CACHE_DIT_ENABLED:\n    pass\n",
            path="python/sglang/multimodal_gen/runtime/cache.py",
        ),
        Valid(
            "def run(envs):\n    if envs.SGLANG_ENABLE_TORCH_COMPILE:\n        pass\n"
        ),
        Valid(
            "from sglang.srt.environ import envs\n"
            "stack.enter_context(envs.SGLANG_TEST_RETRACT.override(True))\n"
            "field = envs.SGLANG_TEST_RETRACT\n"
        ),
        Valid(
            "import pytest\nfrom sglang.srt.environ import envs\n\n"
            "def test_truth_test_raises():\n"
            "    with pytest.raises(RuntimeError):\n"
            "        if envs.SGLANG_TEST_RETRACT:\n            pass\n"
            "    try:\n        bool(envs.SGLANG_LOG_GC)\n"
            "    except RuntimeError:\n        pass\n"
        ),
        Valid(
            "from sglang.srt.environ import envs\n"
            "if envs.SGLANG_NOT_DEFINED_ANYWHERE:  # ENV006's: AttributeError comes first\n"
            "    pass\n"
        ),
    )
    INVALID = (
        Invalid(
            "from sglang.srt.environ import envs\n"
            "if envs.SGLANG_ENABLE_TORCH_COMPILE:\n    pass\n",
            findings=((2, 4),),
            fixed="from sglang.srt.environ import envs\n"
            "if envs.SGLANG_ENABLE_TORCH_COMPILE.get():\n    pass\n",
            applicability="safe",
        ),
        Invalid(
            "from sglang.srt.environ import envs\n"
            "level = envs.SGLANG_TEST_MAX_RETRY == 3\n",
            findings=((2, 9),),
            fixed="from sglang.srt.environ import envs\n"
            "level = envs.SGLANG_TEST_MAX_RETRY.get() == 3\n",
            applicability="unsafe",
        ),
        Invalid(
            "from sglang.srt.environ import envs as sglang_envs\n"
            "ok = not sglang_envs.SGLANG_LOG_GC or len(sglang_envs.SGLANG_CACHE_DIR) > 0\n",
            findings=((2, 10), (2, 43)),
        ),
        Invalid(
            "from sglang.srt import environ\n"
            "assert environ.envs.SGLANG_TEST_MAX_RETRY == 3\n",
            findings=((2, 8),),
        ),
        Invalid(
            "from sglang.srt.environ import envs\n"
            "try:\n    enabled = bool(envs.SGLANG_LOG_GC)\n"
            "except Exception:\n    enabled = False\n",
            findings=((3, 20),),
            notes=("a blanket except swallows the crash: still reported",),
        ),
    )

    def prefilter(self):
        # Files whose every registry use is `envs.KNOWN.get()`-shaped cannot
        # hold a finding (envlint.registry_uses); the rest are parsed.
        if not any(r.style == "descriptor" for r in self.project.registries):
            return []
        return [self.project.registry_use_check]

    def _descriptor(self, expr: ast.AST, ctx: FileContext) -> Optional[Registry]:
        """The descriptor registry when ``expr`` is ``<registry>.<ENV_NAME>`` it defines.

        An attribute the registry does not define is no descriptor: using it
        raises ``AttributeError`` first, which is ENV006's finding, not this one.
        """
        if not isinstance(expr, ast.Attribute) or not expr.attr.isupper():
            return None
        registry = ctx.registry_of(expr.value)
        if registry is None or registry.style != "descriptor" or not registry.defines(expr.attr):
            return None
        return registry

    def _check(self, expr: ast.AST, ctx: FileContext, context: str) -> None:
        registry = self._descriptor(expr, ctx)
        if registry is None or expects_exception(ctx, expr):
            return
        written = ctx.source.segment(expr)
        ctx.report(
            self.code,
            expr,
            f"{written} is the descriptor, not its value: {context}; use {written}.get()",
            key=expr.attr,
            fix=_get_fix(ctx, expr, registry, written, context),
        )

    def visit_If(self, node: ast.If, ctx: FileContext) -> None:
        self._check(node.test, ctx, "its truth test raises RuntimeError")

    visit_While = visit_If
    visit_IfExp = visit_If

    def visit_Assert(self, node: ast.Assert, ctx: FileContext) -> None:
        self._check(node.test, ctx, "its truth test raises RuntimeError")

    def visit_match_case(self, node, ctx: FileContext) -> None:
        if node.guard is not None:
            self._check(node.guard, ctx, "its truth test raises RuntimeError")

    def visit_comprehension(self, node: ast.comprehension, ctx: FileContext) -> None:
        for condition in node.ifs:
            self._check(condition, ctx, "its truth test raises RuntimeError")

    def visit_BoolOp(self, node: ast.BoolOp, ctx: FileContext) -> None:
        operator = "and" if isinstance(node.op, ast.And) else "or"
        for value in node.values:
            self._check(value, ctx, f"as an operand of `{operator}` its truth test raises RuntimeError")

    def visit_UnaryOp(self, node: ast.UnaryOp, ctx: FileContext) -> None:
        if isinstance(node.op, ast.Not):
            self._check(node.operand, ctx, "`not` on it raises RuntimeError")

    def visit_Call(self, node: ast.Call, ctx: FileContext) -> None:
        if len(node.args) != 1 or not isinstance(node.func, ast.Name):
            return
        if node.func.id not in ("bool", "len"):
            return
        builtin = _VALUE_BUILTINS.get(ctx.qualified_name(node.func))
        if builtin is not None:
            self._check(node.args[0], ctx, f"{builtin} on it raises RuntimeError")

    def visit_Compare(self, node: ast.Compare, ctx: FileContext) -> None:
        if not all(isinstance(op, _ORDERING) for op in node.ops):
            return
        for operand in (node.left, *node.comparators):
            self._check(operand, ctx, "a comparison with it compares the descriptor object")


def _truth_tested(ctx: FileContext, node: ast.AST) -> bool:
    """Whether Python takes the truth value (``__bool__``) of ``node`` whenever it
    evaluates it: an ``if``/``while``/``assert`` test, a conditional expression's
    test, ``not``, ``bool()``, a comprehension or ``case`` guard, or an ``and``/``or``
    operand — the last operand only when the whole ``and``/``or`` is itself tested
    (otherwise its value is returned, not tested)."""
    parent = ctx.parent_of(node)
    if isinstance(parent, (ast.If, ast.While, ast.IfExp, ast.Assert)):
        return parent.test is node
    if isinstance(parent, ast.comprehension):
        return node in parent.ifs
    if type(parent).__name__ == "match_case":
        return parent.guard is node
    if isinstance(parent, ast.UnaryOp) and isinstance(parent.op, ast.Not):
        return True
    if isinstance(parent, ast.Call) and parent.args == [node] and isinstance(parent.func, ast.Name):
        return ctx.qualified_name(parent.func) in _VALUE_BUILTINS
    if isinstance(parent, ast.BoolOp):
        return node is not parent.values[-1] or _truth_tested(ctx, parent)
    return False


def _get_fix(ctx: FileContext, expr: ast.Attribute, registry: Registry, written: str, context: str) -> Fix:
    """``.get()`` appended. Safe where the original raises in every environment: the
    descriptor's ``__bool__``/``__len__`` raise (verified on the registry's code),
    Python calls one of them whenever it evaluates the expression, and no ``try``
    around it catches the error. A comparison with the descriptor does not raise
    (it is always false), so adding ``.get()`` there changes behaviour."""
    field = registry.fields.get(expr.attr)
    raises = field is not None and field.descriptor in registry.truthiness_raises and (
        _truth_tested(ctx, expr) or _len_argument(ctx, expr)
    )
    reason = None
    if not raises:
        if "comparison" in context:
            reason = f"in the original, {context}; with .get() it reads the variable's value"
        elif field is None or field.descriptor not in registry.truthiness_raises:
            reason = (
                f"envlint could not verify in {registry.path.name} that the truth test of "
                f"{written} raises; with .get() it reads the variable's value"
            )
        else:
            reason = (
                f"{written} is the last operand of `and`/`or`: its value is used, not tested, "
                "so the original does not always raise; with .get() it reads the variable's value"
            )
    elif raises_are_caught(ctx, expr):
        reason = (
            f"in the original, {context}, and a try block around it may depend on that; "
            "with .get() it reads the variable's value"
        )
    return Fix(
        applicability=UNSAFE if reason else SAFE,
        description=f"Replace with `{written}.get()`",
        edits=(insert_after(ctx, expr, ".get()"),),
        reason=reason,
    )


def _len_argument(ctx: FileContext, node: ast.AST) -> bool:
    parent = ctx.parent_of(node)
    return (
        isinstance(parent, ast.Call)
        and parent.args == [node]
        and isinstance(parent.func, ast.Name)
        and ctx.qualified_name(parent.func) == "builtins.len"
    )

