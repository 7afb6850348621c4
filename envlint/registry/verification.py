"""Does the registry's own code do what envlint's model of it assumes?

Safe fixes rest on a model of ``EnvField.parse`` and of the ``is_set`` / ``set``
/ ``clear`` methods. These functions compare the registry's code with the
modelled code, statement by statement; anything else makes the fixes unsafe.
"""

from __future__ import annotations

import ast
from typing import Optional

from .model import DEFAULT_ENV_DICT

def _method(classes: dict[str, ast.ClassDef], class_name: str, method: str) -> Optional[ast.FunctionDef]:
    node = classes.get(class_name)
    if node is None:
        return None
    for stmt in node.body:
        if isinstance(stmt, ast.FunctionDef) and stmt.name == method:
            return stmt
    return None


def _returns(function: ast.FunctionDef) -> list[ast.AST]:
    return [n.value for n in ast.walk(function) if isinstance(n, ast.Return)]


def _assigns(function: ast.FunctionDef) -> list[ast.Assign]:
    return [n for n in ast.walk(function) if isinstance(n, (ast.Assign, ast.AugAssign, ast.AnnAssign))]


def _is_call_on(node: Optional[ast.AST], builtin: str, param: str) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == builtin
        and len(node.args) == 1
        and not node.keywords
        and isinstance(node.args[0], ast.Name)
        and node.args[0].id == param
    )


def _strings(node: ast.AST) -> Optional[frozenset[str]]:
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)) and all(
        isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts
    ):
        return frozenset(e.value for e in node.elts)
    return None


def verified_parsers(tree: ast.Module) -> frozenset[str]:
    """The base descriptor classes whose ``parse`` does exactly what sglang's does.

    envlint models ``envs.K.get()`` by these semantics; a registry whose
    ``EnvInt.parse`` is ``int(value, 0)`` (or strips, or accepts "on") must not
    be trusted to behave like the model.
    """
    from ..safety import BOOL_FALSE, BOOL_TRUE  # the canonical spellings

    classes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
    verified = set()
    for name, builtin in (("EnvInt", "int"), ("EnvFloat", "float")):
        parse = _method(classes, name, "parse")
        if parse is not None and len(parse.args.args) == 2 and not _assigns(parse):
            param = parse.args.args[1].arg
            returns = _returns(parse)
            if returns and all(_is_call_on(r, builtin, param) for r in returns):
                verified.add(name)
    parse = _method(classes, "EnvStr", "parse")
    if parse is not None and len(parse.args.args) == 2 and not _assigns(parse):
        param = parse.args.args[1].arg
        returns = _returns(parse)
        if returns and all(isinstance(r, ast.Name) and r.id == param for r in returns):
            verified.add("EnvStr")
    parse = _method(classes, "EnvBool", "parse")
    if parse is not None and len(parse.args.args) == 2:
        param = parse.args.args[1].arg
        assigns = _assigns(parse)
        lowered = len(assigns) == 1 and ast.dump(assigns[0]) == ast.dump(
            ast.parse(f"{param} = {param}.lower()").body[0]
        )
        truthy, falsy, shapes_ok = None, None, lowered
        for node in ast.walk(parse):
            if isinstance(node, ast.If):
                test, body = node.test, node.body
                if not (
                    isinstance(test, ast.Compare)
                    and isinstance(test.left, ast.Name)
                    and test.left.id == param
                    and len(test.ops) == 1
                    and isinstance(test.ops[0], ast.In)
                    and len(body) == 1
                    and isinstance(body[0], ast.Return)
                    and isinstance(body[0].value, ast.Constant)
                ):
                    shapes_ok = False
                    continue
                values = _strings(test.comparators[0])
                if body[0].value.value is True:
                    truthy = values
                elif body[0].value.value is False:
                    falsy = values
        returns = _returns(parse)
        if (
            shapes_ok
            and truthy == BOOL_TRUE
            and falsy == BOOL_FALSE
            and all(isinstance(r, ast.Constant) and isinstance(r.value, bool) for r in returns)
        ):
            verified.add("EnvBool")
    return frozenset(verified)


# What envlint's write, delete and presence-check fixes assume each API method does,
# with the parameter names as placeholders: sglang's EnvField (0.5.x) and vLLM's
# module-level ``is_set``. Alternatives list the accepted bodies (docstrings aside).
_DESCRIPTOR_METHODS = {
    "is_set": (["return {self}.name in os.environ"],),
    "set": (
        ["{self}._set_to_none = {arg} is None", "os.environ[{self}.name] = str({arg})"],
        ["os.environ[{self}.name] = str({arg})"],
    ),
    "clear": (
        ["os.environ.pop({self}.name, None)", "{self}._set_to_none = False"],
        ["os.environ.pop({self}.name, None)"],
    ),
}
_MODULE_IS_SET = (
    ["return {arg} in os.environ"],
    # vLLM: registered names only; fixes only ever ask about registered names
    [
        "if {arg} in {dict}:\n    return {arg} in os.environ",
        "raise AttributeError(f'module {{__name__!r}} has no attribute {{{arg}!r}}')",
    ],
)


def _body_matches(function: ast.FunctionDef, alternatives, **names: str) -> bool:
    body = function.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # a docstring
    written = [ast.dump(statement) for statement in body]
    for alternative in alternatives:
        expected = [ast.dump(ast.parse(line.format(**names)).body[0]) for line in alternative]
        if written == expected:
            return True
    return False


def verified_methods(tree: ast.Module, style: str, dict_name: Optional[str] = None) -> frozenset[str]:
    """The registry API methods whose code is exactly what envlint's fixes assume.

    ``"K" in os.environ`` becomes ``envs.K.is_set()``, ``os.environ["K"] = v``
    becomes ``envs.K.set(v)``, ``os.environ.pop("K", None)`` becomes
    ``envs.K.clear()``: equivalent only when those methods do what sglang's do.
    A registry whose method differs (logs, converts, validates) gets unsafe fixes.
    """
    verified = set()
    if style == "descriptor":
        classes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
        for name, alternatives in _DESCRIPTOR_METHODS.items():
            method = _method(classes, "EnvField", name)
            params = [a.arg for a in method.args.args] if method is not None else []
            if method is None or len(params) != (2 if name == "set" else 1):
                continue
            arg = params[1] if name == "set" else ""
            if _body_matches(method, alternatives, self=params[0], arg=arg):
                verified.add(name)
        return frozenset(verified)
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == "is_set" and len(node.args.args) == 1:
            arg = node.args.args[0].arg
            if _body_matches(node, _MODULE_IS_SET, arg=arg, dict=dict_name or DEFAULT_ENV_DICT):
                verified.add("is_set")
    return frozenset(verified)


def _raises_only(function: Optional[ast.FunctionDef]) -> bool:
    """The body is a single ``raise`` (a docstring aside): calling it always raises."""
    if function is None or function.decorator_list:
        return False
    body = function.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    return len(body) == 1 and isinstance(body[0], ast.Raise) and body[0].exc is not None


def _bases(classes: dict[str, ast.ClassDef], name: str) -> list[str]:
    """``name`` and its base classes defined in the file, in method resolution order
    (depth first, left to right: enough for the single-inheritance chains of EnvField)."""
    order, pending = [], [name]
    while pending:
        current = pending.pop(0)
        if current in order or current not in classes:
            continue
        order.append(current)
        pending[:0] = [b.id for b in classes[current].bases if isinstance(b, ast.Name)]
    return order


def truthiness_raising(tree: ast.Module, registry_class: Optional[str]) -> frozenset[str]:
    """The descriptor classes whose truth test (``__bool__``) and ``len()`` (``__len__``)
    always raise, as sglang's ``EnvField`` does on purpose.

    For those, ``if envs.K:`` fails in every environment, so adding ``.get()``
    repairs a crash (ENV004's fix is safe). Checked on the registry's own code: the
    first class in each descriptor's bases that defines ``__bool__`` / ``__len__``
    must do nothing but raise, no class in the chain may define ``__get__`` (then
    ``envs.K`` would not be the descriptor object), and the registry class must not
    redefine attribute access.
    """
    classes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
    registry = classes.get(registry_class or "")
    if registry is not None and any(
        isinstance(s, ast.FunctionDef) and s.name in ("__getattr__", "__getattribute__")
        for s in registry.body
    ):
        return frozenset()
    raising = set()
    for name in classes:
        chain = _bases(classes, name)
        if "EnvField" not in chain:
            continue
        if any(_method(classes, c, "__get__") is not None for c in chain):
            continue
        ok = True
        for dunder in ("__bool__", "__len__"):
            owner = next((c for c in chain if _method(classes, c, dunder) is not None), None)
            if owner is None or not _raises_only(_method(classes, owner, dunder)):
                ok = False
        if ok:
            raising.add(name)
    return frozenset(raising)


# -- EnvField.get: what a read returns for a value parse() rejects --------------------------

# The two behaviours envlint models: sglang's (warn, then the default) and a plain one
# whose ``get`` lets parse's ValueError propagate.
GET_DEFAULT_ON_INVALID = "default-on-invalid"
GET_RAISES_ON_INVALID = "raises-on-invalid"


def get_semantics(tree: ast.Module) -> Optional[str]:
    """How ``EnvField.get`` treats the variable, when its code is one envlint models.

    Every safe read fix compares a raw read with ``envs.K.get()`` for *every* value,
    so the values ``parse`` rejects matter: sglang's ``get`` returns the default
    (with a warning), a plain one raises. Matched on the code, statement by statement
    (comments, warning texts and the explicit-None branch aside): reads
    ``os.getenv(self.name)`` (or ``os.environ.get``), returns the default when it
    is None, else ``self.parse(value)``, and either catches ``ValueError`` to return
    the default or does not catch at all. Anything else: None, and read fixes
    through this registry are unsafe.
    """
    classes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
    method = _method(classes, "EnvField", "get")
    if method is None or method.decorator_list or len(method.args.args) != 1:
        return None
    if any(
        _method(classes, name, "get") is not None
        for name in ("EnvBool", "EnvInt", "EnvFloat", "EnvStr")
    ):
        return None  # a descriptor class reads its own way
    this = method.args.args[0].arg
    defaults = _default_expressions(classes, this)
    body = list(method.body)
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    if not body or not _reads_variable(body[0], this):
        return None
    value = body[0].targets[0].id
    rest = [s for s in body[1:] if not _explicit_none_branch(s, this)]
    parse = f"{this}.parse({value})"
    if len(rest) == 1 and isinstance(rest[0], ast.Return) and rest[0].value is not None:
        # return self.default if value is None else self.parse(value)
        expr = rest[0].value
        if (
            isinstance(expr, ast.IfExp)
            and _is_none_test(expr.test, value)
            and _dump(expr.body) in defaults
            and _dump(expr.orelse) == _dump_text(parse)
        ):
            return GET_RAISES_ON_INVALID
        return None
    if len(rest) != 2 or not _returns_default_when_unset(rest[0], value, defaults):
        return None
    last = rest[1]
    if isinstance(last, ast.Return) and last.value is not None and _dump(last.value) == _dump_text(parse):
        return GET_RAISES_ON_INVALID
    if (
        isinstance(last, ast.Try)
        and not last.orelse
        and not last.finalbody
        and len(last.body) == 1
        and isinstance(last.body[0], ast.Return)
        and last.body[0].value is not None
        and _dump(last.body[0].value) == _dump_text(parse)
        and len(last.handlers) == 1
        and _catches_value_error_and_returns_default(last.handlers[0], defaults)
    ):
        return GET_DEFAULT_ON_INVALID
    return None


def _dump(node: ast.AST) -> str:
    return ast.dump(node)


def _dump_text(expression: str) -> str:
    return ast.dump(ast.parse(expression, mode="eval").body)


def _default_expressions(classes: dict[str, ast.ClassDef], this: str) -> set[str]:
    """``self.default``, and ``self._resolve_default()`` when that is sglang's resolver
    (a callable default is called; envlint models literal defaults only)."""
    found = {_dump_text(f"{this}.default")}
    resolver = _method(classes, "EnvField", "_resolve_default")
    if resolver is not None and len(resolver.args.args) == 1:
        own = resolver.args.args[0].arg
        accepted = (
            [f"return {own}.default() if callable({own}.default) else {own}.default"],
            [f"return {own}.default"],
        )
        if _body_matches(resolver, accepted):
            found.add(_dump_text(f"{this}._resolve_default()"))
    return found


def _reads_variable(statement: ast.stmt, this: str) -> bool:
    """``value = os.getenv(self.name)`` or ``value = os.environ.get(self.name)``."""
    if not (
        isinstance(statement, ast.Assign)
        and len(statement.targets) == 1
        and isinstance(statement.targets[0], ast.Name)
    ):
        return False
    return _dump(statement.value) in (
        _dump_text(f"os.getenv({this}.name)"),
        _dump_text(f"os.environ.get({this}.name)"),
    )


def _is_none_test(test: ast.AST, value: str) -> bool:
    return _dump(test) == _dump_text(f"{value} is None")


def _explicit_none_branch(statement: ast.stmt, this: str) -> bool:
    """``if self._set_to_none: ... return None``: the state ``envs.K.set(None)`` makes,
    which envlint's model leaves out (stated in docs/fixing.md)."""
    return (
        isinstance(statement, ast.If)
        and _dump(statement.test) == _dump_text(f"{this}._set_to_none")
        and not statement.orelse
        and isinstance(statement.body[-1], ast.Return)
        and isinstance(statement.body[-1].value, ast.Constant)
        and statement.body[-1].value.value is None
        and all(isinstance(s, (ast.Assert, ast.Return)) for s in statement.body)
    )


def _returns_default_when_unset(statement: ast.stmt, value: str, defaults: set[str]) -> bool:
    return (
        isinstance(statement, ast.If)
        and _is_none_test(statement.test, value)
        and not statement.orelse
        and len(statement.body) == 1
        and isinstance(statement.body[0], ast.Return)
        and statement.body[0].value is not None
        and _dump(statement.body[0].value) in defaults
    )


def _catches_value_error_and_returns_default(handler: ast.ExceptHandler, defaults: set[str]) -> bool:
    """``except ValueError: [warnings.warn(...)] return <default>`` (a local holding the
    default is fine: ``default = self._resolve_default()`` ... ``return default``)."""
    if not (isinstance(handler.type, ast.Name) and handler.type.id == "ValueError"):
        return False
    *effects, last = handler.body
    held: set[str] = set()
    for statement in effects:
        if (
            isinstance(statement, ast.Assign)
            and len(statement.targets) == 1
            and isinstance(statement.targets[0], ast.Name)
            and _dump(statement.value) in defaults
        ):
            held.add(statement.targets[0].id)
        elif not (
            isinstance(statement, ast.Expr)
            and isinstance(statement.value, ast.Call)
            and isinstance(statement.value.func, ast.Attribute)
            and isinstance(statement.value.func.value, ast.Name)
            and statement.value.func.value.id in ("warnings", "logger", "logging")
        ):
            return False
    return (
        isinstance(last, ast.Return)
        and last.value is not None
        and (_dump(last.value) in defaults or (isinstance(last.value, ast.Name) and last.value.id in held))
    )
