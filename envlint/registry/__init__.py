"""Read environment-variable registries statically: what keys exist, their types and defaults.

Two shapes exist side by side in sglang:

* descriptor style (``sglang/srt/environ.py``): ``class Envs`` whose attributes are
  ``EnvBool(False)``-like descriptors; an instance ``envs = Envs()``; callers read
  ``envs.KEY.get()``.
* module style (vLLM heritage, ``sglang/multimodal_gen/envs.py``, ``vllm/envs.py``):
  ``environment_variables = {"KEY": lambda: ...}`` plus a module ``__getattr__``;
  callers read ``envs.KEY`` and get the value.

The registry is never imported (importing sglang pulls in torch); it is parsed
with the stdlib ``ast``. Comments are not in the ``ast``, so section headers and
field descriptions are read from the raw lines around each statement.

This package: ``model`` (Field, Registry), ``descriptor`` and ``module_style``
(the two parsers), ``comments`` (sections, descriptions), ``literals`` (default
values), ``verification`` (is the registry's code the code envlint models).
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Optional

from ..source import SourceError, SourceFile
from .descriptor import _class_fields, _parse_descriptor, descriptor_classes
from .model import BASE_DESCRIPTOR_KINDS, DEFAULT_ENV_DICT, DeprecationEntry, Field, Registry
from .module_style import _parse_module
from .verification import verified_methods, verified_parsers

__all__ = [
    "BASE_DESCRIPTOR_KINDS",
    "DEFAULT_ENV_DICT",
    "DeprecationEntry",
    "Field",
    "Registry",
    "descriptor_classes",
    "detect_style",
    "parse_registry",
    "parse_source",
    "verified_methods",
    "verified_parsers",
]

def detect_style(path: Path) -> Optional[str]:
    """Guess a registry's style from its content (used when config omits ``style``).

    Raises ``SourceError`` when the file cannot be read or parsed.
    """
    tree = parse_source(SourceFile.read(path), path)
    kinds = descriptor_classes(tree)
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name not in kinds and _class_fields(node, kinds):
            return "descriptor"
    for node in tree.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == DEFAULT_ENV_DICT for t in targets):
                return "module"
    return None


def parse_registry(
    path: Path,
    style: str,
    module: str,
    source: Optional[SourceFile] = None,
    tree: Optional[ast.Module] = None,
) -> Registry:
    """Parse one registry file. Raises ``SourceError`` when it cannot be read or parsed."""
    if source is None:
        source = SourceFile.read(path)
    if tree is None:
        tree = parse_source(source, path)
    registry = Registry(path=path, style=style, module=module, tree=tree)
    try:
        if style == "descriptor":
            _parse_descriptor(registry, tree, source)
        else:
            _parse_module(registry, tree, source)
    except (RecursionError, MemoryError):
        raise SourceError("a default expression is nested too deeply to read") from None
    return registry


def parse_source(source: SourceFile, path: Path) -> ast.Module:
    """``ast.parse`` with every failure turned into a one-line ``SourceError``."""
    try:
        return ast.parse(source.text, filename=str(path))
    except SyntaxError as exc:
        where = f" (line {exc.lineno})" if exc.lineno else ""
        raise SourceError(f"cannot parse: {exc.msg}{where}") from None
    except ValueError as exc:
        raise SourceError(f"cannot parse: {exc}") from None
    except (RecursionError, MemoryError):
        raise SourceError("cannot parse: expression nested too deeply") from None
