"""Fixes for ENV001: raw reads, presence checks, writes and deletes -> the registry API.

The rewrite target is chosen by proof, not by pattern: for a read, envlint
climbs from the raw access through the expressions that merely transform its
value (``int(...)``, ``.lower()``, ``== "1"``, ``not``) and replaces the
*largest* one whose value equals ``envs.K.get()`` for every sample (see
``envlint.safety``). ``int(os.getenv("K", "5")) > 0`` becomes
``envs.K.get() > 0``. When no candidate is equivalent the fix is unsafe and its
reason lists the values that would change.
"""

from __future__ import annotations

import ast
from keyword import iskeyword
from typing import Optional

from ..accesses import RawAccess
from ..context import FileContext
from ..findings import SAFE, UNSAFE, Fix, RegistryEdit
from ..registry import Field, Registry
from ..safety import (
    NotModelled,
    Reader,
    descriptor_reader,
    differences,
    expression_reader,
)
from .common import (
    drops_comment,
    imported_names,
    is_pure_str_expression,
    literal,
    looks_secret,
    is_str_expression,
    negated,
    node_edit,
    registry_reference,
    statement_alone_on_its_lines,
)

_CASTS = {"builtins.int": "EnvInt", "builtins.float": "EnvFloat", "builtins.str": "EnvStr"}
_STR_METHODS = {"lower", "upper", "strip", "lstrip", "rstrip", "casefold"}
_KIND_OF_VALUE = {bool: ("bool", "EnvBool"), int: ("int", "EnvInt"), float: ("float", "EnvFloat"),
                  str: ("str", "EnvStr")}


def access_fix(ctx: FileContext, access: RawAccess, registry: Optional[Registry], key: str) -> Optional[Fix]:
    """The fix for one ENV001 finding, or None when envlint cannot offer one."""
    if registry is None or not key.isidentifier() or iskeyword(key):
        return None  # envs.<key> must be an attribute name
    if registry.style == "descriptor" and registry.fields.get(key) is not None and (
        ctx.project.canonical_name(key) is not None
    ):
        return None  # a legacy SGL_ descriptor is itself to be renamed (ENV002)
    builder = {
        "read": _read_fix,
        "check": _check_fix,
        "write": _write_fix,
        "delete": _delete_fix,
    }[access.access]
    return builder(ctx, access, registry, key)


# -- reads ---------------------------------------------------------------------------------


def _candidates(ctx: FileContext, node: ast.AST) -> list[ast.AST]:
    """``node`` and the enclosing expressions that only transform its value, innermost first."""
    found = [node]
    current = node
    while True:
        parent = ctx.parent_of(current)
        if parent is None:
            break
        if _is_cast(ctx, parent) and parent.args == [current] and not parent.keywords:
            current = parent
        elif isinstance(parent, ast.Attribute) and parent.attr in _STR_METHODS:
            call = ctx.parent_of(parent)
            if not (isinstance(call, ast.Call) and call.func is parent and not call.args):
                break
            current = call
        elif isinstance(parent, ast.Compare) and all(
            _is_literal(operand) for operand in (parent.left, *parent.comparators) if operand is not current
        ):
            current = parent
        elif isinstance(parent, ast.UnaryOp) and isinstance(parent.op, ast.Not):
            current = parent
        else:
            break
        found.append(current)
    return found


def _is_literal(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return all(isinstance(e, ast.Constant) for e in node.elts)
    return False


def _site_reader(ctx: FileContext, node: ast.AST, key: str) -> Optional[Reader]:
    try:
        return expression_reader(node, key, ctx.qualified_name, ctx.helper_semantics)
    except NotModelled:
        return None


def _registry_reader(ctx: FileContext, registry: Registry, field: Field) -> tuple[Optional[Reader], Optional[str]]:
    if registry.style == "descriptor":
        return descriptor_reader(field, registry.verified_parsers)
    if field.name in registry.module_attributes:
        return None, f"a module-level name {field.name} in the registry shadows its getter"
    getter = registry.getters.get(field.name)
    if getter is None or registry.tree is None:
        return None, f"the registry's getter for {field.name} is not a plain lambda"
    scope = registry.resolver.module_scope
    try:
        reader = expression_reader(getter, field.name, lambda n: scope.lookup(n.id), ctx.helper_semantics)
    except NotModelled as exc:
        return None, f"the registry computes {field.name} with {exc}, which envlint does not model"
    return reader, None


def _registry_defines(registry: Registry, descriptor: Optional[str]) -> bool:
    """Whether the registry module binds ``descriptor``: a project's own registry may have
    no ``EnvStr``, and registering a key with it would break the registry at import."""
    from .registry_edits import module_names

    return registry.tree is None or descriptor in module_names(registry.tree)


def _implied_field(ctx: FileContext, access: RawAccess, candidates: list[ast.AST], key: str) -> Optional[Field]:
    """The descriptor a read of an unregistered key implies: type and default as written.

    Only a helper (its kind) or a typed cast (``int(...)``, ``float(...)``) or a
    plain string read implies a type; comparisons and other idioms do not.
    """
    typed = [access.node] + [
        c for c in candidates[1:]
        if isinstance(c, ast.Call) and isinstance(c.func, ast.Name)
        and ctx.qualified_name(c.func) in _CASTS
    ]
    for candidate in reversed(typed):
        reader = _site_reader(ctx, candidate, access.key)
        if reader is None:
            continue
        unset = reader(None)
        if unset.raised:
            continue
        value = unset.value
        if access.helper is not None:
            kind = access.helper.kind
            descriptor = "EnvBool" if kind == "bool" else "EnvInt"
            if value is not None and type(value) is not (bool if kind == "bool" else int):
                continue
        elif value is None:
            kind, descriptor = "str", "EnvStr"
        elif type(value) in _KIND_OF_VALUE:
            kind, descriptor = _KIND_OF_VALUE[type(value)]
        else:
            continue
        source = literal(value)
        if source is None:
            continue  # nan, inf: no literal to write into the registry
        return Field(
            name=key, kind=kind, descriptor=descriptor, default=value, default_is_literal=True,
            default_source=source, alias=None, line=0, column=0, section=None, description="",
        )
    return None


def _proven_shape(ctx: FileContext, candidate: ast.AST, access: RawAccess, kind: str) -> bool:
    """Whether sampling is a proof for this candidate, not just evidence.

    For ``EnvBool`` every parsed value is in the sample, so any expression is
    proven by evaluating it. Integers and floats are unbounded: only the shapes
    that apply the descriptor's own conversion to the raw string are accepted —
    ``int(raw)`` for ``EnvInt``, ``float(raw)`` for ``EnvFloat``, the raw string
    for ``EnvStr``, sglang's ``get_int_env_var`` — where equality for every
    value follows from the code, and the samples only settle the default.
    """
    if kind == "bool":
        return True
    if candidate is access.node:
        return kind == "str" or (kind == "int" and access.helper is not None and access.helper.kind == "int")
    builtin = {"int": "builtins.int", "float": "builtins.float"}.get(kind)
    return (
        builtin is not None
        and isinstance(candidate, ast.Call)
        and isinstance(candidate.func, ast.Name)
        and candidate.args == [access.node]
        and ctx.qualified_name(candidate.func) == builtin
    )


def _read_fix(ctx: FileContext, access: RawAccess, registry: Registry, key: str) -> Optional[Fix]:
    reference = registry_reference(ctx, registry, access.node)
    if reference is None:
        return None
    name, imports = reference
    candidates = _candidates(ctx, access.node)
    field = registry.fields.get(key)
    registry_edits: tuple[RegistryEdit, ...] = ()
    why_not = None
    if field is None:
        if registry.style != "descriptor":
            return None
        field = _implied_field(ctx, access, candidates, key)
        if field is None or not _registry_defines(registry, field.descriptor):
            return None
        arguments = field.default_source
        if registry.supports_secret and looks_secret(key):
            arguments += ", secret=True"  # never exported or logged
        registry_edits = (
            RegistryEdit("add-field", str(registry.path), key, field.descriptor, arguments),
        )
        if registry.enumerates_fields:
            why_not = (
                f"registering {key} makes it visible to code that lists {registry.class_name}'s "
                "descriptors (such as an export of the variables that are set)"
            )
    replacement = f"{name}.{key}.get()" if registry.style == "descriptor" else f"{name}.{key}"
    reader, reader_problem = _registry_reader(ctx, registry, field)
    why_not = why_not or reader_problem
    if key != access.key:
        why_not = (
            f"reads {key} where the code read {access.key}; they agree only after "
            f"the registry converts legacy variables at import"
        )
    if why_not:
        reader_for_proof = None
    else:
        reader_for_proof = reader
    # The largest equivalent candidate wins.
    for candidate in reversed(candidates):
        site = _site_reader(ctx, candidate, access.key)
        if site is None or reader_for_proof is None:
            continue
        if _proven_shape(ctx, candidate, access, field.kind) and not differences(
            site, reader_for_proof, access.key, field.kind
        ):
            return _fix(ctx, SAFE, candidate, replacement, imports, registry_edits, None)
    unsafe = _unsafe_target(ctx, access, candidates, reader, field)
    if unsafe is None:
        return None
    target, diffs = unsafe
    reason = why_not or "; ".join(diffs) or f"envlint cannot model {ctx.source.segment(target)}"
    return _fix(ctx, UNSAFE, target, replacement, imports, registry_edits, reason)


_AGREEMENT_SAMPLES = {
    "bool": (("true", "1", "yes"), ("false", "0", "no")),
    "int": (("7",), ()),
    "float": (("0.5",), ()),
    "str": (("abc",), ()),
}


def _agrees(site, reader, kind: str) -> bool:
    """Whether a candidate computes *the value* (not something derived from it).

    For a bool it must map some true spelling to True and some false spelling
    to False, as the registry does (``== "1"`` does; ``not ...`` and ``!= "1"``
    invert); for other types it must give the registry's result for a value.
    """
    if reader is None:
        return False
    groups = _AGREEMENT_SAMPLES.get(kind, (("abc",), ()))
    return all(
        any(site(value).same_as(reader(value)) for value in group) for group in groups if group
    )


def _unsafe_target(ctx, access, candidates, reader, field) -> Optional[tuple[ast.AST, list[str]]]:
    """Where an unsafe rewrite goes, or None when no rewrite keeps the code's meaning.

    From the largest candidate inwards: a comparison or string method that
    computes the value (``os.getenv(K, "0") == "1"``) is replaced whole; a
    ``not`` that inverts it is kept (``not get_bool_env_var(K)`` becomes
    ``not envs.K.get()``); a comparison that uses the raw *string* some other
    way (``!= "1"``) cannot take a bool in its place, so there is no fix. Casts
    and the access itself always stand for the value.
    """
    for candidate in reversed(candidates):
        site = _site_reader(ctx, candidate, access.key)
        is_value = candidate is access.node or _is_cast(ctx, candidate)
        if is_value or (site is not None and _agrees(site, reader, field.kind)):
            diffs = differences(site, reader, access.key, field.kind) if site and reader else []
            return candidate, diffs
        if isinstance(candidate, ast.UnaryOp):
            continue  # keep the `not`, replace what it negates
        return None
    return None


def _is_cast(ctx: FileContext, node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and ctx.qualified_name(node.func) in (*_CASTS, "builtins.bool")
    )


def _fix(ctx, applicability, node, replacement, imports, registry_edits, reason) -> Fix:
    if applicability == SAFE and drops_comment(ctx, node):
        applicability, reason = UNSAFE, "the rewrite would delete a comment inside the expression"
    return Fix(
        applicability=applicability,
        description=f"Replace with `{replacement}`",
        edits=(node_edit(ctx, node, replacement),),
        reason=reason,
        add_imports=imports,
        maybe_unused=imported_names(ctx, node),
        registry_edits=registry_edits,
    )


# -- presence checks, writes, deletes --------------------------------------------------------


def _check_fix(ctx: FileContext, access: RawAccess, registry: Registry, key: str) -> Optional[Fix]:
    if key not in registry.fields:
        return None
    reference = registry_reference(ctx, registry, access.node)
    if reference is None:
        return None
    name, imports = reference
    if registry.style == "descriptor":
        call = f"{name}.{key}.is_set()"
    elif "is_set" in registry.module_attributes:
        call = f'{name}.is_set("{key}")'
    else:
        return None
    text = negated(ctx, access.node, call) if access.operation == "not in" else call
    reason = None
    if key != access.key:
        reason = f"checks {key} where the code checked {access.key}"
    else:
        reason = _unverified(registry, "is_set")
    return _fix(ctx, UNSAFE if reason else SAFE, access.node, text, imports, (), reason)


def _unverified(registry: Registry, *methods: str) -> Optional[str]:
    """Why the rewrite is not proven, when it relies on a registry method envlint could
    not verify is sglang's (``Registry.verified_methods``); None when all are."""
    for method in methods:
        if method not in registry.verified_methods:
            owner = "EnvField." if registry.style == "descriptor" else ""
            return (
                f"{owner}{method}() in {registry.path.name} is not the code envlint models, "
                "so the rewrite is not proven equivalent"
            )
    return None


def _statement_of(ctx: FileContext, access: RawAccess) -> Optional[ast.stmt]:
    """The statement that *is* this access (``os.environ[K] = v``, ``del``, a bare call)."""
    parent = ctx.parent_of(access.node)
    if isinstance(parent, ast.Assign) and parent.targets == [access.node]:
        return parent
    if isinstance(parent, ast.Delete) and parent.targets == [access.node]:
        return parent
    if isinstance(parent, ast.Expr):
        return parent
    return None


def _statement_target(ctx: FileContext, access: RawAccess, registry: Registry, key: str):
    """(statement, registry name, imports) for a write/delete fix, or None when there is none.

    Writes and deletes have a fix only as whole statements, on registered keys of a
    descriptor registry (the only kind with ``set()``/``clear()``).
    """
    if registry.style != "descriptor" or key not in registry.fields or access.operation == "update":
        return None
    statement = _statement_of(ctx, access)
    reference = registry_reference(ctx, registry, access.node)
    if statement is None or reference is None:
        return None
    return (statement, *reference)


def _write_fix(ctx: FileContext, access: RawAccess, registry: Registry, key: str) -> Optional[Fix]:
    target = _statement_target(ctx, access, registry, key)
    if target is None:
        return None
    statement, name, imports = target
    if isinstance(statement, ast.Assign):
        value = statement.value
        text = f"{name}.{key}.set({ctx.source.segment(value)})"
    elif access.operation == "setdefault" and len(access.node.args) == 2:
        if not statement_alone_on_its_lines(ctx, statement):
            return None
        value = access.node.args[1]
        line = ctx.source.line_text(statement.lineno)
        indent = line[: len(line) - len(line.lstrip())]
        step = "\t" if "\t" in indent else "    "
        newline = ctx.source.newline
        text = (
            f"if not {name}.{key}.is_set():{newline}{indent}{step}"
            f"{name}.{key}.set({ctx.source.segment(value)})"
        )
    else:
        return None
    reason = None
    if key != access.key:
        reason = f"sets {key} where the code set {access.key}"
    elif not is_str_expression(ctx, value):
        reason = (
            "set() stores str(value); os.environ only accepts str and raises TypeError "
            "for anything else"
        )
    elif access.operation == "setdefault" and not is_pure_str_expression(value):
        reason = (
            "setdefault() always evaluates its value; the rewrite evaluates it only when "
            f"{key} is unset"
        )
    else:
        reason = _unverified(registry, "set", *(("is_set",) if access.operation == "setdefault" else ()))
    return _fix(ctx, UNSAFE if reason else SAFE, statement, text, imports, (), reason)


def _delete_fix(ctx: FileContext, access: RawAccess, registry: Registry, key: str) -> Optional[Fix]:
    target = _statement_target(ctx, access, registry, key)
    if target is None:
        return None
    statement, name, imports = target
    text = f"{name}.{key}.clear()"
    reason = None
    if key != access.key:
        reason = f"clears {key} where the code removed {access.key}"
    elif isinstance(statement, ast.Delete) or (
        access.operation == "pop" and len(access.node.args) + len(access.node.keywords) < 2
    ):
        reason = f"the original raises KeyError when {key} is unset; clear() does not"
    else:
        reason = _unverified(registry, "clear")
    return _fix(ctx, UNSAFE if reason else SAFE, statement, text, imports, (), reason)
