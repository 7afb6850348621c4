"""Recognise raw environment accesses, wherever their key comes from.

ENV001 (owned key accessed raw) and ENV002 (legacy ``SGL_*`` key) both need to
know "is this node an environment access, of which keys, doing what". The
answer is computed once per node here and memoised in the ``FileContext``.

Two steps. A *shape* is the syntax of an access with its key expression, in any
spelling of ``os`` the resolver understands (``import os as _os``,
``from os import environ, getenv``):

====================================  =========
``os.getenv(k[, d])``                 read
``os.environ.get(k[, d])``            read
``os.environ[k]``                     read / write / delete (by context)
``k in os.environ`` / ``not in``      presence check
``os.environ.pop(k[, d])``            delete
``os.environ.setdefault(k, v)``       write
``os.environ.update({k: v}, K=v)``    write, one access per key
``get_bool_env_var(k[, d])``          read through an sglang helper
``get_int_env_var(k[, d])``           read through an sglang helper
``monkeypatch.setenv(k, v)``          write (a test patch)
``monkeypatch.delenv(k)``             delete (a test patch)
``mock.patch.dict(os.environ, {k:v})`` write (a test patch), one access per key
``wrapper(k)``                        what the wrapper does (see ``envlint.summaries``)
====================================  =========

The summary extraction (``envlint.summaries.extract``) uses the shapes alone, to
find functions whose parameter is such a key. Then the key expression is
resolved (``envlint.keys``): a literal, a constant, a loop over a tuple of keys,
an f-string; each key it can name is one ``RawAccess``.

Keys written into a *copy* of the environment for a child process
(``env = os.environ.copy(); env["K"] = v``, ``{**os.environ, "K": v}``) are
recognised by ``child_env_writes``, driven from the statement that makes the
copy (see ENV001 for why they count).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterator, Optional

from .profiles import HelperSpec

if TYPE_CHECKING:
    from .context import FileContext
    from .summaries.model import KeyParam, Wrapper

_ENVIRON_METHODS = {"get", "pop", "setdefault", "update", "keys"}
_TEST_PATCHES = {"setenv": "write", "delenv": "delete"}


@dataclass(frozen=True)
class Shape:
    """An environment access with its key expression (not yet resolved)."""

    node: ast.AST  # the whole expression to report and (maybe) replace
    key_expr: ast.AST  # the expression naming the key (a keyword for ``update(K=v)``)
    operation: str  # getenv | environ.get | subscript | in | not in | pop | setdefault | update
    #                 | helper | setenv | delenv | patch.dict | child-env | wrapper
    access: str  # read | write | delete | check
    via: str  # how the user wrote it, for messages: "os.getenv()", "os.environ[...]"
    helper: Optional[HelperSpec] = None
    per_key: bool = False  # one of several keys of a dict (``update({...})``): report at the key


@dataclass(frozen=True)
class RawAccess:
    node: ast.AST  # the whole expression to report and (maybe) replace
    key: str  # for a dynamic key: its known prefix
    key_node: ast.AST  # the expression (or keyword) naming the key
    operation: str
    access: str
    via: str
    helper: Optional[HelperSpec] = None
    origin: Optional[str] = None  # where a non-literal key came from ("constant X", ...)
    dynamic: bool = False  # only a prefix of the key is known
    wrapper: Optional["Wrapper"] = None  # the project function the key was passed to
    per_key: bool = False

    @property
    def anchor(self) -> ast.AST:
        """Where the finding points: a key of a dict of keys, else the whole access."""
        return self.key_node if self.per_key else self.node


def _first_arg(call: ast.Call, keyword: str) -> Optional[ast.AST]:
    if call.args:
        first = call.args[0]
        return None if isinstance(first, ast.Starred) else first
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
    return None


def is_environ(ctx: "FileContext", expr: ast.AST) -> bool:
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute):
        # os.environ.keys()
        if expr.func.attr == "keys" and not expr.args:
            return is_environ(ctx, expr.func.value)
        return False
    # Spelt ``...environ`` or a name ``environ`` was imported as: checked before resolving,
    # since most subscripts and ``.get()`` calls are on something else entirely.
    if isinstance(expr, ast.Attribute):
        if expr.attr != "environ":
            return False
    elif not isinstance(expr, ast.Name) or expr.id not in ctx.environ_names:
        return False
    return ctx.qualified_name(expr) == "os.environ"


# -- shapes ------------------------------------------------------------------------------------


def access_shapes(ctx: "FileContext", node: ast.AST) -> Iterator[Shape]:
    """The raw accesses ``node`` is, with unresolved key expressions (no wrappers)."""
    cls = node.__class__
    if cls is ast.Call:
        yield from _call_shapes(ctx, node)
    elif cls is ast.Subscript:
        if is_environ(ctx, node.value):
            if isinstance(node.ctx, ast.Store):
                access = "write"
            elif isinstance(node.ctx, ast.Del):
                access = "delete"
            else:
                access = "read"
            yield Shape(node, node.slice, "subscript", access, "os.environ[...]")
    elif cls is ast.Compare:
        if len(node.ops) == 1 and isinstance(node.ops[0], (ast.In, ast.NotIn)):
            if is_environ(ctx, node.comparators[0]):
                operation = "in" if isinstance(node.ops[0], ast.In) else "not in"
                yield Shape(node, node.left, operation, "check", f"'{operation} os.environ'")


def _call_shapes(ctx: "FileContext", call: ast.Call) -> Iterator[Shape]:
    func = call.func
    if isinstance(func, ast.Attribute):
        name = func.attr
    elif isinstance(func, ast.Name):
        name = func.id
    else:
        return
    if name == "getenv":
        key_expr = _first_arg(call, "key")
        if key_expr is not None and ctx.qualified_name(func) == "os.getenv":
            yield Shape(call, key_expr, "getenv", "read", "os.getenv()")
        return
    if isinstance(func, ast.Attribute):
        if name in _ENVIRON_METHODS:
            if not is_environ(ctx, func.value):
                return
            if name == "update":
                yield from _dict_shapes(call, call.args, call.keywords, "update", "os.environ.update()")
                return
            access = {"get": "read", "pop": "delete", "setdefault": "write"}.get(name)
            key_expr = _first_arg(call, "key")
            if access is not None and key_expr is not None:
                operation = "environ.get" if name == "get" else name
                yield Shape(call, key_expr, operation, access, f"os.environ.{name}()")
            return
        if name in _TEST_PATCHES:
            key_expr = _first_arg(call, "name")
            if key_expr is not None and ctx.qualified_name(func.value) != "os":
                receiver = func.value.id if isinstance(func.value, ast.Name) else "monkeypatch"
                yield Shape(call, key_expr, name, _TEST_PATCHES[name], f"{receiver}.{name}()")
            return
        if name == "dict" and _is_mock_patch(func.value) and call.args:
            target = call.args[0]
            if is_environ(ctx, target) or (
                isinstance(target, ast.Constant) and target.value == "os.environ"
            ):
                keywords = [k for k in call.keywords if k.arg != "clear"]
                yield from _dict_shapes(call, call.args[1:], keywords, "patch.dict", "patch.dict(os.environ)")
            return
    key_expr = _first_arg(call, "name")
    if key_expr is None:
        return
    helper = ctx.helper(func)
    if helper is not None:
        yield Shape(call, key_expr, "helper", "read", f"{helper.name}()", helper)


def _is_mock_patch(expr: ast.AST) -> bool:
    """``patch`` / ``mock.patch`` / ``unittest.mock.patch`` (syntactically)."""
    if isinstance(expr, ast.Name):
        return expr.id == "patch"
    return isinstance(expr, ast.Attribute) and expr.attr == "patch"


def _dict_shapes(call, args, keywords, operation: str, via: str) -> Iterator[Shape]:
    for arg in args:
        if isinstance(arg, ast.Dict):
            for key_expr in arg.keys:
                if key_expr is not None:
                    yield Shape(call, key_expr, operation, "write", via, None, True)
    for keyword in keywords:
        if keyword.arg is not None:
            yield Shape(call, keyword, operation, "write", via, None, True)
        elif isinstance(keyword.value, ast.Dict):
            for key_expr in keyword.value.keys:
                if key_expr is not None:
                    yield Shape(call, key_expr, operation, "write", via, None, True)


# -- resolved accesses ---------------------------------------------------------------------------


def raw_accesses(ctx: "FileContext", node: ast.AST) -> tuple[RawAccess, ...]:
    return ctx.memo("raw-access", node, lambda: tuple(_find(ctx, node)))


def _find(ctx: "FileContext", node: ast.AST) -> Iterator[RawAccess]:
    for shape in access_shapes(ctx, node):
        yield from _resolve(ctx, shape)
    if node.__class__ is ast.Call:
        yield from _wrapper_accesses(ctx, node)


def _resolve(ctx: "FileContext", shape: Shape) -> Iterator[RawAccess]:
    key_expr = shape.key_expr
    if isinstance(key_expr, ast.keyword):  # update(K=v): the keyword names the key
        values = ((key_expr.arg, None, False),)
    else:
        values = [(v.key, v.origin, v.dynamic) for v in ctx.key_values(key_expr) if not v.from_parameter]
    for key, origin, dynamic in values:
        yield RawAccess(
            shape.node, key, key_expr, shape.operation, shape.access, shape.via, shape.helper, origin,
            dynamic, None, shape.per_key,
        )


def _wrapper_accesses(ctx: "FileContext", call: ast.Call) -> Iterator[RawAccess]:
    """A call of a project function that reads (or writes) the environment with its argument."""
    found = ctx.wrapper_call(call.func)
    if found is None:
        return
    wrapper, offset = found
    for param in wrapper.params:
        for key_expr in _arguments(call, param, offset):
            if param.many or param.star and isinstance(key_expr, ast.Starred):
                expr = key_expr.value if isinstance(key_expr, ast.Starred) else key_expr
                found = ctx.key_sequence(expr)
            else:
                found = [v for v in ctx.key_values(key_expr) if not v.from_parameter]
            for value in found:
                if value.dynamic and param.suffix:
                    continue  # an unknown middle part: nothing useful is known
                key = param.prefix + value.key + ("" if value.dynamic else param.suffix)
                yield RawAccess(
                    call,
                    key,
                    key_expr,
                    "wrapper",
                    param.access,
                    wrapper.display,
                    None,
                    value.origin,
                    value.dynamic,
                    wrapper,
                )


def _arguments(call: ast.Call, param: "KeyParam", offset: int) -> list[ast.AST]:
    """The argument expressions a call passes for ``param``."""
    args = call.args
    if param.star:
        start = param.position + offset
        return [a for a in args[start:]] if not any(isinstance(a, ast.Starred) for a in args[:start]) else []
    if param.position is not None:
        index = param.position + offset
        if index < len(args) and not any(isinstance(a, ast.Starred) for a in args[: index + 1]):
            return [args[index]]
    if param.name is not None:
        for keyword in call.keywords:
            if keyword.arg == param.name:
                return [keyword.value]
    return []


# -- keys written into a copy of the environment (a child process's env) -------------------------


def environ_copy(ctx: "FileContext", value: ast.AST) -> bool:
    """``os.environ.copy()``, ``dict(os.environ)``, ``copy.copy(os.environ)``, ``{**os.environ}``."""
    if isinstance(value, ast.Call):
        func = value.func
        if isinstance(func, ast.Attribute) and func.attr == "copy" and not value.args:
            return is_environ(ctx, func.value)
        if value.args and is_environ(ctx, value.args[0]):
            qualified = ctx.qualified_name(func) if isinstance(func, (ast.Name, ast.Attribute)) else None
            return qualified in ("builtins.dict", "copy.copy", "copy.deepcopy")
        return False
    if isinstance(value, ast.Dict):
        return any(k is None and is_environ(ctx, v) for k, v in zip(value.keys, value.values))
    return False


def child_env_writes(ctx: "FileContext", assign: ast.Assign) -> tuple[RawAccess, ...]:
    """Keys written into the environment copy ``assign`` makes, in the same scope.

    ``env = os.environ.copy()`` followed by ``env["K"] = v``, ``env.update(...)``
    or ``env.setdefault("K", v)`` anywhere in the same function (or module) body;
    literal keys of the copy's own ``{**os.environ, "K": v}`` count too.
    """
    return ctx.memo("child-env", assign, lambda: tuple(_child_env(ctx, assign)))


def _child_env(ctx: "FileContext", assign: ast.Assign) -> Iterator[RawAccess]:
    if len(assign.targets) != 1 or not isinstance(assign.targets[0], ast.Name):
        return
    if not environ_copy(ctx, assign.value):
        return
    name = assign.targets[0].id
    via = "a copy of os.environ"
    shapes: list[Shape] = []  # the copy's own literal keys are spread_env_writes'
    for node in same_scope_nodes(ctx.scope.node):
        cls = node.__class__
        if cls is ast.Subscript and isinstance(node.ctx, ast.Store):
            if isinstance(node.value, ast.Name) and node.value.id == name:
                shapes.append(Shape(node, node.slice, "child-env", "write", via))
        elif cls is ast.Call and isinstance(node.func, ast.Attribute):
            receiver = node.func.value
            if not (isinstance(receiver, ast.Name) and receiver.id == name):
                continue
            if node.func.attr == "update":
                shapes += _dict_shapes(node, node.args, node.keywords, "child-env", via)
            elif node.func.attr == "setdefault" and node.args:
                shapes.append(Shape(node, node.args[0], "child-env", "write", via))
    for shape in shapes:
        yield from _resolve(ctx, shape)


def spread_env_writes(ctx: "FileContext", node: ast.Dict) -> tuple[RawAccess, ...]:
    """The literal keys of ``{**os.environ, "K": v}``, wherever the dict goes."""
    if not environ_copy(ctx, node):
        return ()
    return tuple(a for shape in _spread_shapes(node) for a in _resolve(ctx, shape))


def _spread_shapes(node: ast.Dict) -> list[Shape]:
    return [
        Shape(key, key, "child-env", "write", "a copy of os.environ", None, True)
        for key in node.keys
        if key is not None
    ]


def same_scope_nodes(scope_node: ast.AST) -> Iterator[ast.AST]:
    """Nodes of a scope's body, not descending into nested functions, lambdas and classes."""
    body = scope_node.body if isinstance(getattr(scope_node, "body", None), list) else []
    stack = list(body)
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
                stack.append(child)
