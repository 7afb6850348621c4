"""The fix for a raw read: proven safe, or unsafe with the differences named."""

from __future__ import annotations

import ast
from typing import Optional

from ...accesses import RawAccess
from ...context import FileContext
from ...findings import SAFE, UNSAFE, Fix, RegistryEdit
from ...registry import Field, Registry
from ...safety import NotModelled, Reader, descriptor_reader, differences, expression_reader
from ..common import looks_secret, registry_reference
from .implied import _implied_field
from .sites import _candidates, _fix, _site_reader
from .unsafe import _unsafe_target


def _registry_reader(
    ctx: FileContext, registry: Registry, field: Field
) -> tuple[Optional[Reader], Optional[str]]:
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
        if field is None:
            return None
        arguments = field.default_source
        if registry.supports_secret and looks_secret(key):
            arguments += ", secret=True"  # never exported or logged
        registry_edits = (RegistryEdit("add-field", str(registry.path), key, field.descriptor, arguments),)
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
