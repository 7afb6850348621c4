"""Descriptor-style registries: ``class Envs`` of ``EnvBool(False)``-like fields.

Also reads what such a registry does about renames (``_DEPRECATED_ENVS`` tables,
``_print_deprecated_env`` calls), whether it enumerates its own fields, and
whether ``EnvField`` takes ``secret=``.
"""

from __future__ import annotations

import ast
import re
from typing import Optional

from ..source import SourceFile
from .comments import _CommentMap
from .literals import _NO_VALUE, _int_enums, _literal
from .model import BASE_DESCRIPTOR_KINDS, DeprecationEntry, Field, Registry
from .verification import _method, get_semantics, truthiness_raising, verified_methods, verified_parsers

def descriptor_classes(tree: ast.Module) -> dict[str, str]:
    """Every EnvField class the file knows, with the kind it parses to.

    Subclasses defined in the file (``EnvBoolWithAlias(_DeprecatedEnvFallback,
    EnvBool)``) inherit the kind of their first base that is a descriptor.
    """
    kinds = dict(BASE_DESCRIPTOR_KINDS)
    classes = [node for node in tree.body if isinstance(node, ast.ClassDef)]
    changed = True
    while changed:
        changed = False
        for node in classes:
            if node.name in kinds and node.name not in BASE_DESCRIPTOR_KINDS:
                continue
            base_kinds = [
                kinds[b.id] for b in node.bases if isinstance(b, ast.Name) and b.id in kinds
            ]
            if base_kinds and node.name not in kinds:
                known = [k for k in base_kinds if k != "unknown"]
                kinds[node.name] = known[0] if known else "unknown"
                changed = True
    return kinds


def _descriptor_call(value: Optional[ast.AST], kinds: dict[str, str]) -> Optional[ast.Call]:
    if (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Name)
        and value.func.id in kinds
        and value.func.id != "EnvField"
    ):
        return value
    return None


def _class_fields(node: ast.ClassDef, kinds: dict[str, str]) -> list[tuple[ast.stmt, str, ast.Call]]:
    found = []
    for stmt in node.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target, value = stmt.targets[0], stmt.value
        elif isinstance(stmt, ast.AnnAssign):
            target, value = stmt.target, stmt.value
        else:
            continue
        call = _descriptor_call(value, kinds)
        if isinstance(target, ast.Name) and call is not None:
            found.append((stmt, target.id, call))
    return found


def _parse_descriptor(registry: Registry, tree: ast.Module, source: SourceFile) -> None:
    kinds = descriptor_classes(tree)
    enums = _int_enums(tree)
    best: Optional[tuple[ast.ClassDef, list]] = None
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name not in kinds:
            fields = _class_fields(node, kinds)
            if fields and (best is None or len(fields) > len(best[1])):
                best = (node, fields)
    if best is None:
        return
    class_node, fields = best
    registry.class_name = class_node.name
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Name)
            and node.value.func.id == class_node.name
        ):
            registry.instance = node.targets[0].id
    comments = _CommentMap(source, class_node.lineno + 1, class_node.end_lineno)
    for stmt, name, call in fields:
        default_node = call.args[0] if call.args else _keyword(call, "default")
        alias_node = call.args[1] if len(call.args) > 1 else _keyword(call, "deprecated_name")
        value = _literal(default_node, enums) if default_node is not None else None
        is_literal = default_node is None or value is not _NO_VALUE
        target = stmt.targets[0] if isinstance(stmt, ast.Assign) else stmt.target
        registry.fields[name] = Field(
            name=name,
            kind=kinds[call.func.id],
            descriptor=call.func.id,
            default=None if value is _NO_VALUE else value,
            default_is_literal=is_literal,
            default_source=source.segment(default_node) if default_node is not None else "",
            alias=alias_node.value
            if isinstance(alias_node, ast.Constant) and isinstance(alias_node.value, str)
            else None,
            line=target.lineno,
            column=source.char_col(target.lineno, target.col_offset),
            section=comments.section_at(stmt.lineno),
            description=comments.description(stmt),
            # An IntEnum member has an int's value but not its type.
            default_is_plain=default_node is None or not _is_enum_member(default_node, enums),
        )
    _parse_deprecations(registry, tree)
    registry.verified_parsers = verified_parsers(tree)
    registry.verified_methods = verified_methods(tree, "descriptor")
    registry.truthiness_raises = truthiness_raising(tree, class_node.name)
    registry.get_semantics = get_semantics(tree)
    registry.enumerates_fields = _enumerates(tree, {class_node.name, registry.instance or "envs"})
    init = _method({n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}, "EnvField", "__init__")
    registry.supports_secret = init is not None and any(
        a.arg == "secret" for a in (*init.args.args, *init.args.kwonlyargs)
    )


def _is_enum_member(node: ast.AST, enums: dict[str, dict[str, int]]) -> bool:
    return (
        isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in enums
    )



def _enumerates(tree: ast.Module, names: set[str]) -> bool:
    """Whether the module lists the registry's descriptors (``vars(Envs)``, ``Envs.__dict__``)."""
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, (ast.Name, ast.Attribute))
            and (node.func.id if isinstance(node.func, ast.Name) else node.func.attr)
            in ("vars", "dir", "getmembers")
            and node.args
            and isinstance(node.args[0], ast.Name)
            and node.args[0].id in names
        ):
            return True
        if (
            isinstance(node, ast.Attribute)
            and node.attr == "__dict__"
            and isinstance(node.value, ast.Name)
            and node.value.id in names
        ):
            return True
    return False


def _keyword(call: ast.Call, name: str) -> Optional[ast.AST]:
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    return None


_FLAG = re.compile(r"--[a-z0-9][a-z0-9-]*")


def _flag_in(node: Optional[ast.AST]) -> Optional[str]:
    """The first ``--flag`` a deprecation message names (string pieces joined)."""
    if node is None:
        return None
    text = " ".join(
        n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    )
    match = _FLAG.search(text)
    return match.group(0) if match else None


def _parse_deprecations(registry: Registry, tree: ast.Module) -> None:
    """Renames the registry already handles: a deprecation table or helper calls.

    sglang 0.5.x keeps ``_DEPRECATED_ENVS = {"OLD": _DeprecatedEnv(replacement=...)}``;
    the conventions document ``_print_deprecated_env("OLD", "NEW")`` and
    ``_warn_deprecated_env_to_cli_flag("OLD", "Please use '--flag' instead.")``.
    ``registry.deprecations`` holds the table and function entries (old ->
    replacement); ``registry.deprecation_entries`` holds every form with its line.
    """
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == "_print_deprecated_env":
            names = [a.arg for a in node.args.args]
            registry.deprecation_old_first = not (names and names[0].startswith("new"))
    old_first = registry.deprecation_old_first
    entries = registry.deprecation_entries

    def record(name: str, replacement: Optional[str], mechanism: str, line: int, flag=None) -> None:
        entries.setdefault(name, DeprecationEntry(name, replacement, mechanism, line, flag))

    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            target = node.targets[0] if isinstance(node, ast.Assign) else node.target
            if not isinstance(target, ast.Name) or not isinstance(node.value, ast.Dict):
                continue
            if target.id == "_DEPRECATED_ENVS":
                registry.deprecation_mechanism = "table"
                for key, value in zip(node.value.keys, node.value.values):
                    if isinstance(key, ast.Constant) and isinstance(key.value, str):
                        replacement = None
                        if isinstance(value, ast.Call):
                            rep = _keyword(value, "replacement")
                            if rep is None and value.args:
                                rep = value.args[0]
                            if isinstance(rep, ast.Constant) and isinstance(rep.value, str):
                                replacement = rep.value
                        registry.deprecations[key.value] = replacement
                        record(key.value, replacement, "table", key.lineno, _flag_in(value))
            elif "deprecat" in target.id.lower():
                for key, value in zip(node.value.keys, node.value.values):
                    if (
                        isinstance(key, ast.Constant)
                        and isinstance(key.value, str)
                        and isinstance(value, ast.Constant)
                        and isinstance(value.value, str)
                    ):
                        record(key.value, value.value, "mapping", key.lineno)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id == "_print_deprecated_env":
                args = [a.value for a in node.args if isinstance(a, ast.Constant)]
                if args and all(isinstance(a, str) for a in args):
                    if registry.deprecation_mechanism is None:
                        registry.deprecation_mechanism = "function"
                    if len(args) == 1:
                        registry.deprecations[args[0]] = None
                        record(args[0], None, "function", node.lineno)
                    else:
                        old, new = (args[0], args[1]) if old_first else (args[1], args[0])
                        registry.deprecations[old] = new
                        record(old, new, "function", node.lineno)
            elif node.func.id == "_warn_deprecated_env_to_cli_flag" and node.args:
                first = node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    record(first.value, None, "cli-flag", node.lineno, _flag_in(node))
