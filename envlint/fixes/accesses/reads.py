"""The fix for a raw read: proven safe, or unsafe with every difference named."""

from __future__ import annotations

import ast
from typing import Optional

from ...accesses import RawAccess
from ...context import FileContext
from ...findings import SAFE, UNSAFE, Fix, RegistryEdit
from ...registry import Field, Registry
from ...safety import (
    HELPER_WORDS,
    NotModelled,
    Reader,
    compare,
    descriptor_reader,
    expression_reader,
    literal_words,
    value_classes,
)
from ..common import looks_secret, raises_are_caught, registry_reference
from .implied import _implied_field
from .sites import _candidates, _fix, _site_reader
from .unsafe import _HOLE, _rewritten_reader, _unsafe_target

# Said when a side is not modelled: the reason cannot list the values that differ.
UNKNOWN_VALUES = "which values read differently is not known"


def _registry_reader(
    ctx: FileContext, registry: Registry, field: Field
) -> tuple[Optional[Reader], Optional[str]]:
    if registry.style == "descriptor":
        return descriptor_reader(field, registry.verified_parsers, registry.get_semantics)
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

    For ``EnvBool`` the value classes cover every string, so any expression is
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


def _words(
    ctx: FileContext, access: RawAccess, top: ast.AST, registry: Registry, field: Field
) -> tuple[str, ...]:
    """The spellings either side lists: the site's literals, its helper's words, and
    the literals of a module-style registry's getter."""
    words = list(literal_words(top))
    if access.helper is not None and access.helper.semantics:
        words += HELPER_WORDS.get(access.helper.semantics, ())
    if registry.style == "module":
        words += literal_words(registry.getters.get(field.name))
        getter = registry.getters.get(field.name)
        if getter is not None:
            for node in ast.walk(getter):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                    semantics = ctx.helper_semantics(
                        registry.resolver.module_scope.lookup(node.func.id) or ""
                    )
                    words += HELPER_WORDS.get(semantics or "", ())
    return tuple(w for w in dict.fromkeys(words) if w not in (access.key, field.name))


def _registry_defines(registry: Registry, descriptor: Optional[str]) -> bool:
    """Whether the registry module binds ``descriptor``: a project's own registry may have
    no ``EnvStr``, and registering a key with it would break the registry at import."""
    from ..registry_edits import module_names

    return registry.tree is None or descriptor in module_names(registry.tree)


def _read_fix(ctx: FileContext, access: RawAccess, registry: Registry, key: str) -> Optional[Fix]:
    reference = registry_reference(ctx, registry, access.node)
    if reference is None:
        return None
    name, imports = reference
    candidates = _candidates(ctx, access.node)
    field = registry.fields.get(key)
    registry_edits: tuple[RegistryEdit, ...] = ()
    why_not = None
    type_note = None
    if field is None:
        if registry.style != "descriptor":
            return None
        implied = _implied_field(ctx, access, candidates, key)
        if implied is None:
            return None
        field, type_note = implied
        if not _registry_defines(registry, field.descriptor):
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
    words = _words(ctx, access, candidates[-1], registry, field)
    values = value_classes(words, field.kind)
    repairs = not raises_are_caught(ctx, access.node)
    if reader is not None and not why_not:
        # The largest candidate whose replacement is proven to leave the whole
        # expression computing the same value: the candidate reads the value the
        # way the descriptor parses it (its shape), and the whole expression
        # agrees on every value class (which settles the defaults).
        site_top = _site_reader(ctx, candidates[-1], access.key)
        for candidate in reversed(candidates):
            if not _proven_shape(ctx, candidate, access, field.kind):
                continue
            site = _site_reader(ctx, candidate, access.key)
            rewritten = _rewritten_reader(ctx, candidates[-1], candidate, _HOLE, access.key, reader)
            if site_top is not None and rewritten is not None:
                equal = not compare(site_top, rewritten, values, repairs)
            else:
                equal = site is not None and not compare(site, reader, values, repairs)
            if equal:
                return _fix(ctx, SAFE, candidate, replacement, imports, registry_edits, None)
    unsafe = _unsafe_target(ctx, access, candidates, reader, field, values, repairs)
    if unsafe is None:
        return None
    target, template, diffs = unsafe
    reasons = [r for r in (why_not, *diffs, type_note) if r]
    unmodelled = reader is None or _site_reader(ctx, candidates[-1], access.key) is None
    if not diffs and not why_not:
        if reader is None:
            reasons.insert(0, f"envlint cannot model {field.name}'s registry read")
        elif unmodelled:
            reasons.insert(0, f"envlint cannot model {ctx.source.segment(candidates[-1])}")
        else:
            reasons.insert(
                0, f"equal on every value class, but {field.descriptor} values are not all sampled"
            )
            unmodelled = True
    if unmodelled:
        reasons.append(UNKNOWN_VALUES)
    if not repairs:
        reasons.append("the original may raise inside a try block, which the rewrite would change")
    text = template.replace(_HOLE, replacement)
    return _fix(ctx, UNSAFE, target, text, imports, registry_edits, "; ".join(reasons))
