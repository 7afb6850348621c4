"""Decide whether a rewrite preserves behaviour, by modelling both sides exactly.

"Safe" has one meaning in envlint: for the variable unset and for every value its
descriptor parses, the rewritten expression computes the same value (same type,
same exception) and leaves ``os.environ`` the same. This module models

* the registry side: what ``envs.K.get()`` returns for a descriptor of one of
  sglang's canonical classes (``EnvBool``, ``EnvInt``, ``EnvFloat``, ``EnvStr``)
  with a literal default, or what a module-style registry's getter returns;
* the call-site side: what a raw read expression returns, by *evaluating* it
  with a stubbed ``os`` module. Only a whitelist of side-effect-free constructs
  is evaluated (string methods, ``int``/``float``/``str``/``bool``,
  comparisons, literal containers, the sglang helpers modelled below), so the
  evaluation is exact rather than a guess at what the code means;

and compares them over the sample matrix of the descriptor's type. For
``EnvBool`` the matrix is *every* value it parses (each case variant of
true/1/yes/y/false/0/no/n), so a "safe" bool rewrite is proven, not sampled.
The test suite's differential harness re-checks every safe fixture by running
both programs for real.
"""

from __future__ import annotations

import ast
import itertools
from dataclasses import dataclass
from typing import Any, Callable, Optional

from .registry import Field

# -- outcomes ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What evaluating a read produced: a value or the name of the exception raised."""

    value: Any = None
    raised: Optional[str] = None

    def same_as(self, other: "Outcome") -> bool:
        if self.raised or other.raised:
            return self.raised == other.raised
        a, b = self.value, other.value
        if type(a) is not type(b):
            return False
        if isinstance(a, float):
            return repr(a) == repr(b)  # nan equals nan; -0.0 does not equal 0.0
        return a == b

    def describe(self) -> str:
        return f"raises {self.raised}" if self.raised else repr(self.value)


Reader = Callable[[Optional[str]], Outcome]


def _outcome(function: Callable[[], Any]) -> Outcome:
    try:
        return Outcome(value=function())
    except Exception as exc:  # the modelled code's own exception is the result
        return Outcome(raised=type(exc).__name__)


# -- the values a descriptor parses ------------------------------------------------------


def _case_variants(word: str) -> list[str]:
    options = [(c.lower(), c.upper()) if c.isalpha() else (c,) for c in word]
    return sorted({"".join(p) for p in itertools.product(*options)} - {word})


_BOOL_WORDS = ("true", "1", "yes", "y", "false", "0", "no", "n")
# Canonical EnvBool spellings (a registry whose EnvBool.parse uses others is not modelled).
BOOL_TRUE = frozenset({"true", "1", "yes", "y"})
BOOL_FALSE = frozenset({"false", "0", "no", "n"})
# Every value EnvBool parses: the words as written first (readable reasons), then
# every other upper/lower-case spelling of them.
BOOL_SAMPLES = _BOOL_WORDS + tuple(v for word in _BOOL_WORDS for v in _case_variants(word))
INT_SAMPLES = (
    "0", "1", "-1", "7", "42", "-12", "+5", " 8 ", "007", "1_000", "2147483648",
    "9007199254740993", "-0", "123456789012345678901234567890",
)
FLOAT_SAMPLES = (
    "0", "0.5", "-1.25", "3", "1e-3", "inf", "-inf", " 2.5 ", "nan", "1_0.5", "-0.0",
    "9007199254740993", "1e308", "5e-324",
)
STR_SAMPLES = ("", "abc", "None", "0", "true", " spaced ", "üñí")

SAMPLES = {"bool": BOOL_SAMPLES, "int": INT_SAMPLES, "float": FLOAT_SAMPLES, "str": STR_SAMPLES}


def samples_for(kind: str) -> tuple[Optional[str], ...]:
    """Unset (None) first, then the values a descriptor of ``kind`` parses."""
    return (None, *SAMPLES.get(kind, STR_SAMPLES))


# -- the registry side -----------------------------------------------------------------


def _parse_bool(value: str) -> bool:
    value = value.lower()
    if value in BOOL_TRUE:
        return True
    if value in BOOL_FALSE:
        return False
    raise ValueError(value)


_PARSERS: dict[str, Callable[[str], Any]] = {
    "EnvBool": _parse_bool,
    "EnvInt": int,
    "EnvFloat": float,
    "EnvStr": str,
}


def descriptor_reader(
    field: Field, verified: frozenset[str] = frozenset(_PARSERS)
) -> tuple[Optional[Reader], Optional[str]]:
    """(model of ``envs.K.get()``, None) or (None, why it cannot be modelled).

    ``verified``: the descriptor classes whose ``parse`` in this registry was
    checked to be sglang's (see ``registry.verified_parsers``).
    """
    parse = _PARSERS.get(field.descriptor or "")
    if parse is None:
        if field.alias:
            return None, f"{field.name} also reads its deprecated alias {field.alias}"
        return None, f"{field.descriptor} parses values its own way"
    if field.descriptor not in verified:
        return None, f"{field.descriptor}.parse in this registry is not the parser envlint models"
    if not field.default_is_literal or not field.default_is_plain:
        return None, f"the default of {field.name} is not a plain literal ({field.default_source})"
    default = field.default

    def read(value: Optional[str]) -> Outcome:
        if value is None:
            return Outcome(value=default)
        try:
            return Outcome(value=parse(value))
        except ValueError:
            return Outcome(value=default)  # sglang warns and falls back to the default

    return read, None


# -- the call-site side: helpers ----------------------------------------------------------


def _srt_bool(env: dict, name: str, default: Any = "false") -> bool:
    value = env.get(name, default)
    value = value.lower()
    return value in ("true", "1")


def _srt_int(env: dict, name: str, default: Any = 0) -> Any:
    value = env.get(name)
    if value is None or not value.strip():
        return default
    try:
        return int(value)
    except ValueError:
        return default


def _diffusion_bool(env: dict, name: str, default: Any = "false") -> bool:
    value = str(env.get(name, default)).strip().lower()
    return value in {"1", "true", "yes", "y", "t", "on"}


# Semantics ids a HelperSpec can name, with the exact behaviour of sglang's helpers.
HELPER_MODELS: dict[str, Callable[..., Any]] = {
    "sglang-srt-bool": _srt_bool,
    "sglang-srt-int": _srt_int,
    "sglang-diffusion-bool": _diffusion_bool,
}


# -- the call-site side: evaluating a raw read expression ---------------------------------

_STR_METHODS = frozenset({"lower", "upper", "strip", "lstrip", "rstrip", "casefold"})
_PURE_BUILTINS = {"int": int, "float": float, "str": str, "bool": bool}
_ALLOWED = (
    ast.Expression, ast.Call, ast.Attribute, ast.Name, ast.Constant, ast.Compare, ast.BoolOp,
    ast.UnaryOp, ast.Tuple, ast.List, ast.Set, ast.Subscript, ast.keyword, ast.IfExp,
    ast.Load, ast.And, ast.Or, ast.Not, ast.USub, ast.UAdd, ast.Eq, ast.NotEq, ast.In,
    ast.NotIn, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Is, ast.IsNot,
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


def expression_reader(
    expr: ast.AST,
    key: str,
    resolve: Callable[[ast.AST], Optional[str]],
    helper_of: Callable[[str], Optional[str]],
) -> Reader:
    """A model of ``expr`` (which reads ``key``) as a function of the variable's value.

    ``resolve`` gives the qualified name of a Name at the expression's site;
    ``helper_of`` maps a qualified name to a HELPER_MODELS id (or None). Raises
    ``NotModelled`` when the expression is outside the whitelist.
    """
    bindings: dict[str, str] = {}  # local name -> what it is ("os", "os.environ", ...)
    nodes = list(ast.walk(expr))
    for node in nodes:
        if not isinstance(node, _ALLOWED):
            raise NotModelled(type(node).__name__)
        if isinstance(node, ast.Name):
            qualified = resolve(node)
            if qualified in ("os", "os.environ", "os.getenv"):
                bindings[node.id] = qualified
            elif qualified is not None and helper_of(qualified):
                bindings[node.id] = "helper:" + helper_of(qualified)
            elif (
                qualified is not None
                and qualified.startswith("builtins.")
                and qualified[len("builtins."):] in _PURE_BUILTINS
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
    if accesses != 1:
        raise NotModelled("more than one environment access")
    code = compile(ast.fix_missing_locations(ast.Expression(body=expr)), "<envlint-model>", "eval")

    def read(value: Optional[str]) -> Outcome:
        env = {} if value is None else {key: value}
        namespace: dict[str, Any] = {}
        fake_os = _Os(env)
        for name, what in bindings.items():
            if what == "os":
                namespace[name] = fake_os
            elif what == "os.environ":
                namespace[name] = fake_os.environ
            elif what == "os.getenv":
                namespace[name] = fake_os.getenv
            elif what.startswith("helper:"):
                model = HELPER_MODELS[what[len("helper:"):]]
                namespace[name] = lambda *a, _m=model, **k: _m(env, *a, **k)
            else:
                namespace[name] = _PURE_BUILTINS[what[len("builtins."):]]
        return _outcome(lambda: eval(code, {"__builtins__": {}}, namespace))  # noqa: S307

    return read


def _attribute_target(node: ast.AST, bindings: dict[str, str]) -> Optional[str]:
    """"os" / "os.environ" / "os.getenv" / "os.environ.get" for a chain, else None."""
    if isinstance(node, ast.Name):
        return bindings.get(node.id)
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


# -- comparing -----------------------------------------------------------------------------


def differences(
    before: Reader, after: Reader, key: str, kind: str, limit: int = 3
) -> list[str]:
    """Human-readable differences over the sample matrix (empty: equivalent)."""
    found = []
    for value in samples_for(kind):
        old, new = before(value), after(value)
        if not old.same_as(new):
            label = f"{key} unset" if value is None else f"{key}={value!r}"
            found.append(f"{label}: {old.describe()} before, {new.describe()} after")
            if len(found) >= limit:
                break
    return found
