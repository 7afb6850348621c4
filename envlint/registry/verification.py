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
