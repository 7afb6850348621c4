"""Module-style registries (vLLM, sglang diffusion): ``environment_variables = {"K": lambda: ...}``.

Keys come from the dict literal and from ``environment_variables["K"] = ...``
anywhere in the module; types and defaults from the ``TYPE_CHECKING`` stubs.
"""

from __future__ import annotations

import ast
from typing import Optional

from ..source import SourceFile
from .comments import _CommentMap
from .literals import _NO_VALUE, _int_enums, _literal
from .model import _ENV_PREFIX, DEFAULT_ENV_DICT, Field, Registry
from .verification import verified_methods

_ANNOTATION_KINDS = {"bool": "bool", "int": "int", "float": "float", "str": "str", "list": "list",
                     "dict": "json", "tuple": "tuple"}


def _annotation_kind(annotation: ast.AST) -> tuple[str, bool]:
    """``bool`` -> ("bool", False); ``str | None`` / ``Optional[str]`` -> ("str", True)."""
    optional = False
    node = annotation
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        sides = [node.left, node.right]
        non_none = [s for s in sides if not (isinstance(s, ast.Constant) and s.value is None)]
        optional = len(non_none) < len(sides)
        node = non_none[0] if len(non_none) == 1 else node
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        if node.value.id == "Optional":
            optional, node = True, node.slice
        elif node.value.id in ("list", "List"):
            return "list", optional
        elif node.value.id in ("dict", "Dict"):
            return "json", optional
        elif node.value.id == "Literal":
            return "str", optional
    if isinstance(node, ast.Name) and node.id in _ANNOTATION_KINDS:
        return _ANNOTATION_KINDS[node.id], optional
    return "unknown", optional


def _is_type_checking(test: ast.AST) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _parse_module(registry: Registry, tree: ast.Module, source: SourceFile) -> None:
    enums = _int_enums(tree)
    attributes: set[str] = set()
    dict_node: Optional[ast.Dict] = None
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            attributes.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                attributes.add((alias.asname or alias.name).split(".")[0])
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    attributes.add(target.id)
                    if target.id == DEFAULT_ENV_DICT and isinstance(node.value, ast.Dict):
                        dict_node = node.value
                        registry.dict_name = target.id
        elif isinstance(node, ast.If) and _is_type_checking(node.test):
            stub_comments = _CommentMap(source, node.lineno + 1, node.end_lineno)
            for stmt in node.body:
                if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                    kind, optional = _annotation_kind(stmt.annotation)
                    value = _literal(stmt.value, enums) if stmt.value is not None else _NO_VALUE
                    registry.stubs[stmt.target.id] = Field(
                        name=stmt.target.id,
                        kind=kind,
                        descriptor=None,
                        default=None if value is _NO_VALUE else value,
                        default_is_literal=value is not _NO_VALUE,
                        default_source=source.segment(stmt.value) if stmt.value else "",
                        alias=None,
                        line=stmt.target.lineno,
                        column=source.char_col(stmt.target.lineno, stmt.target.col_offset),
                        section=stub_comments.section_at(stmt.lineno),
                        description=stub_comments.description(stmt),
                        optional=optional,
                    )
    registry.module_attributes = frozenset(attributes)
    registry.verified_methods = verified_methods(tree, "module", registry.dict_name)
    if dict_node is None:
        return
    comments = _CommentMap(source, dict_node.lineno, dict_node.end_lineno)
    entries: list[tuple[ast.AST, ast.AST, ast.AST]] = []
    for key, value in zip(dict_node.keys, dict_node.values):
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            entries.append((key, value, key))
        else:
            registry.dynamic_keys = True
    # environment_variables["KEY"] = getter, anywhere in the module (loops included).
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if (
                    isinstance(target, ast.Subscript)
                    and isinstance(target.value, ast.Name)
                    and target.value.id == registry.dict_name
                ):
                    key = target.slice
                    if isinstance(key, ast.Constant) and isinstance(key.value, str):
                        entries.append((key, node.value, node))
                    else:
                        registry.dynamic_keys = True
    if registry.dynamic_keys:
        prefixes = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.JoinedStr) and node.values:
                head = node.values[0]
                if isinstance(head, ast.Constant) and isinstance(head.value, str):
                    if _ENV_PREFIX.match(head.value):
                        prefixes.add(head.value)
        registry.dynamic_prefixes = tuple(sorted(prefixes))
    for key, value, anchor in entries:
        registry.getter_values[key.value] = value
        if isinstance(value, ast.Lambda) and not value.args.args:
            registry.getters[key.value] = value.body
        else:
            registry.getters.pop(key.value, None)
        stub = registry.stubs.get(key.value)
        registry.fields[key.value] = Field(
            name=key.value,
            kind=stub.kind if stub else "unknown",
            descriptor=None,
            default=stub.default if stub else None,
            default_is_literal=stub.default_is_literal if stub else False,
            default_source=stub.default_source if stub else "",
            alias=None,
            line=key.lineno,
            column=source.char_col(key.lineno, key.col_offset),
            section=comments.section_at(key.lineno) if anchor is key else None,
            description=comments.description(anchor)
            if anchor is key
            else (stub.description if stub else ""),
            optional=stub.optional if stub else False,
        )
