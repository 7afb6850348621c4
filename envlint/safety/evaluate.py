"""The call site, evaluated: a whitelisted expression run against a stubbed ``os``."""

from __future__ import annotations

import ast
import copy
from typing import Any, Callable, Optional

from .models import HELPER_MODELS
from .outcomes import Outcome, Reader, _outcome

_STR_METHODS = frozenset({"lower", "upper", "strip", "lstrip", "rstrip", "casefold"})


_PURE_BUILTINS = {"int": int, "float": float, "str": str, "bool": bool}


_ALLOWED = (
    ast.Expression,
    ast.Call,
    ast.Attribute,
    ast.Name,
    ast.Constant,
    ast.Compare,
    ast.BoolOp,
    ast.UnaryOp,
    ast.Tuple,
    ast.List,
    ast.Set,
    ast.Subscript,
    ast.keyword,
    ast.IfExp,
    ast.Load,
    ast.And,
    ast.Or,
    ast.Not,
    ast.USub,
    ast.UAdd,
    ast.Eq,
    ast.NotEq,
    ast.In,
    ast.NotIn,
    ast.Lt,
    ast.LtE,
    ast.Gt,
    ast.GtE,
    ast.Is,
    ast.IsNot,
)


class _Environ:
    """``os.environ`` for one sample: only the key under test may be present."""

    def __init__(self, env: dict):
        self._env = env

    def get(self, key, default=None):
        return self._env.get(key, default)

    def __getitem__(self, key):
        return self._env[key]

    def __contains__(self, key):
        return key in self._env

    def keys(self):
        return self._env.keys()


class _Os:
    def __init__(self, env: dict):
        self.environ = _Environ(env)

    def getenv(self, key, default=None):
        return self.environ.get(key, default)


class NotModelled(Exception):
    """The expression uses something the evaluator will not execute."""


_HOLE = "__envlint_hole__"


def with_hole(expr: ast.AST, part: ast.AST, template: str = _HOLE) -> ast.AST:
    """A copy of ``expr`` with its sub-expression ``part`` replaced by ``template``
    (an expression of the name ``__envlint_hole__``, the value the rewrite reads)."""
    replacement = ast.parse(template, mode="eval").body
    if part is expr:
        return replacement

    class _Fill(ast.NodeTransformer):
        def visit(self, node):
            if getattr(node, "_envlint_part", False):
                return copy.deepcopy(replacement)
            return super().visit(node)

    part._envlint_part = True
    try:
        copied = copy.deepcopy(expr)
    finally:
        del part._envlint_part
    return _Fill().visit(copied)


def expression_reader(
    expr: ast.AST,
    key: str,
    resolve: Callable[[ast.AST], Optional[str]],
    helper_of: Callable[[str], Optional[str]],
    hole: Optional[Reader] = None,
) -> Reader:
    """A model of ``expr`` (which reads ``key``) as a function of the variable's value.

    ``resolve`` gives the qualified name of a Name at the expression's site;
    ``helper_of`` maps a qualified name to a HELPER_MODELS id (or None). Raises
    ``NotModelled`` when the expression is outside the whitelist.

    With ``hole`` (the model of the registry read), ``expr`` is a rewrite made by
    ``with_hole``: ``__envlint_hole__`` is the value ``hole`` gives, and the
    expression must not read the environment itself.
    """
    bindings: dict[str, str] = {}  # local name -> what it is ("os", "os.environ", ...)
    if hole is not None:
        bindings[_HOLE] = "hole"
    nodes = list(ast.walk(expr))
    for node in nodes:
        if not isinstance(node, _ALLOWED):
            raise NotModelled(type(node).__name__)
        if isinstance(node, ast.Name):
            if node.id == _HOLE and hole is not None:
                continue
            qualified = resolve(node)
            if qualified in ("os", "os.environ", "os.getenv"):
                bindings[node.id] = qualified
            elif qualified is not None and helper_of(qualified):
                bindings[node.id] = "helper:" + helper_of(qualified)
            elif (
                qualified is not None
                and qualified.startswith("builtins.")
                and qualified[len("builtins.") :] in _PURE_BUILTINS
            ):
                bindings[node.id] = qualified
            else:
                raise NotModelled(node.id)
    for node in nodes:
        if isinstance(node, ast.Attribute):
            _check_attribute(node, bindings)
    # Exactly one environment access: the one under test. Any other read (a
    # default taken from another variable, a presence test in the default) would
    # be modelled as unset, which is not what the program sees.
    accesses = sum(
        1
        for node in nodes
        if isinstance(node, ast.Name) and bindings.get(node.id, "").startswith(("os", "helper:"))
    )
    if accesses != (0 if hole is not None else 1):
        raise NotModelled("more than one environment access")
    code = compile(ast.fix_missing_locations(ast.Expression(body=expr)), "<envlint-model>", "eval")

    def read(value: Optional[str]) -> Outcome:
        env = {} if value is None else {key: value}
        namespace: dict[str, Any] = {}
        fake_os = _Os(env)
        for name, what in bindings.items():
            if what == "hole":
                outcome = hole(value)
                if outcome.raised:
                    return outcome
                namespace[name] = outcome.value
            elif what == "os":
                namespace[name] = fake_os
            elif what == "os.environ":
                namespace[name] = fake_os.environ
            elif what == "os.getenv":
                namespace[name] = fake_os.getenv
            elif what.startswith("helper:"):
                model = HELPER_MODELS[what[len("helper:") :]]
                namespace[name] = lambda *a, _m=model, **k: _m(env, *a, **k)
            else:
                namespace[name] = _PURE_BUILTINS[what[len("builtins.") :]]
        return _outcome(lambda: eval(code, {"__builtins__": {}}, namespace))  # noqa: S307

    return read


def _attribute_target(node: ast.AST, bindings: dict[str, str]) -> Optional[str]:
    """ "os" / "os.environ" / "os.getenv" / "os.environ.get" for a chain, else None."""
    if isinstance(node, ast.Name):
        what = bindings.get(node.id)
        return None if what == "hole" else what  # the rewrite's value is a computed value
    if isinstance(node, ast.Attribute):
        base = _attribute_target(node.value, bindings)
        if base == "os" and node.attr in ("environ", "getenv"):
            return f"os.{node.attr}"
        if base == "os.environ" and node.attr in ("get", "keys"):
            return f"os.environ.{node.attr}"
    return None


def _check_attribute(node: ast.Attribute, bindings: dict[str, str]) -> None:
    if _attribute_target(node, bindings) is not None:
        return
    if node.attr in _STR_METHODS and _attribute_target(node.value, bindings) is None:
        return  # a string method on a computed value: ``os.getenv(...).lower``
    raise NotModelled(node.attr)
