"""The project's command-line flags, read statically from its argument definitions.

Rule 6 of the conventions ("don't add an env var that duplicates an existing
CLI flag") needs the flags. They are read with ``ast``, never by importing
the project (``server_args.py`` imports torch). Three spellings count:

* ``parser.add_argument("--grpc-port", ...)``: every ``--long`` option string;
* fields of a class named ``ServerArgs`` (sglang up to 0.5.12, a dataclass
  whose fields ``add_cli_args`` turns into ``--field-name`` flags);
* fields annotated ``A[T, "help"]`` / ``A[T, Arg(...)]`` (or ``Annotated``),
  sglang 0.5.23's ``arg_groups/fields`` namespaces: ``--field-name``, or
  ``Arg(cli_name=...)`` and ``Arg(aliases=[...])``; ``Arg(no_cli=True)`` and
  ``Derived(...)`` fields are not flags.

A flag is identified by its *dest*, ``grpc_port`` for ``--grpc-port``.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional

FLAG_CLASSES = ("ServerArgs",)
_ANNOTATIONS = ("A", "Annotated")


@dataclass(frozen=True)
class CliFlag:
    name: str  # "--grpc-port"
    path: Path
    line: int

    @property
    def dest(self) -> str:
        return dest(self.name)


def dest(flag: str) -> str:
    """``--grpc-port`` -> ``grpc_port``."""
    return flag.lstrip("-").replace("-", "_").lower()


def _field_flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def _keyword(call: ast.Call, name: str) -> Optional[ast.AST]:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _annotated_flags(stmt: ast.AnnAssign, name: str) -> Optional[list[str]]:
    """Flags of an ``A[T, meta]`` field; None when the annotation is not that shape."""
    annotation = stmt.annotation
    if not (
        isinstance(annotation, ast.Subscript)
        and isinstance(annotation.value, ast.Name)
        and annotation.value.id in _ANNOTATIONS
        and isinstance(annotation.slice, ast.Tuple)
        and len(annotation.slice.elts) >= 2
    ):
        return None
    meta = annotation.slice.elts[1]
    if isinstance(meta, ast.Constant) and isinstance(meta.value, str):
        return [_field_flag(name)]
    if isinstance(meta, ast.Call) and isinstance(meta.func, ast.Name) and meta.func.id == "Arg":
        no_cli = _keyword(meta, "no_cli")
        if isinstance(no_cli, ast.Constant) and no_cli.value is True:
            return []
        cli_name = _keyword(meta, "cli_name")
        flags = [cli_name.value if isinstance(cli_name, ast.Constant) and isinstance(cli_name.value, str)
                 else _field_flag(name)]
        aliases = _keyword(meta, "aliases")
        if isinstance(aliases, (ast.List, ast.Tuple)):
            flags += [e.value for e in aliases.elts
                      if isinstance(e, ast.Constant) and isinstance(e.value, str) and e.value.startswith("--")]
        return flags
    return []  # Derived(...) and other metadata: not a command-line input


def flags_in(tree: ast.Module, path: Path) -> list[CliFlag]:
    found: list[CliFlag] = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, (ast.Attribute, ast.Name))
            and (node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id) == "add_argument"
        ):
            for arg in node.args:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and arg.value.startswith("--"):
                    found.append(CliFlag(arg.value, path, node.lineno))
        elif isinstance(node, ast.ClassDef):
            for stmt in node.body:
                if not (isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)):
                    continue
                name = stmt.target.id
                if name.startswith("_"):
                    continue
                flags = _annotated_flags(stmt, name)
                if flags is None and node.name in FLAG_CLASSES and not _is_classvar(stmt.annotation):
                    flags = [_field_flag(name)]
                for flag in flags or ():
                    found.append(CliFlag(flag, path, stmt.lineno))
    return found


def _is_classvar(annotation: ast.AST) -> bool:
    node = annotation.value if isinstance(annotation, ast.Subscript) else annotation
    return (isinstance(node, ast.Name) and node.id == "ClassVar") or (
        isinstance(node, ast.Attribute) and node.attr == "ClassVar"
    )


def source_files(sources: Iterable[Path]) -> list[Path]:
    """The Python files of the configured sources (a directory means its ``*.py``, recursively)."""
    files: list[Path] = []
    for source in sources:
        if source.is_dir():
            # os.walk, not rglob: a symlinked directory (a loop) is never followed.
            from ..discovery import walk_python_files

            files.extend(p for p in walk_python_files(source, source, ()) if p.is_file())
        elif source.is_file():
            files.append(source)
    return files


def read_flags(sources: Iterable[Path]) -> tuple[dict[str, CliFlag], list[tuple[Path, str]]]:
    """({dest: first flag defining it}, [(file, reason) for sources that cannot be read])."""
    from ..registry import parse_source
    from ..source import SourceError, SourceFile

    flags: dict[str, CliFlag] = {}
    errors: list[tuple[Path, str]] = []
    for path in source_files(sources):
        try:
            tree = parse_source(SourceFile.read(path), path)
        except SourceError as exc:
            errors.append((path, f"CLI flag source not read: {exc}"))
            continue
        for flag in flags_in(tree, path):
            flags.setdefault(flag.dest, flag)
    return flags, errors
