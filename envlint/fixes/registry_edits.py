"""Turn ``RegistryEdit`` requests into text edits on a descriptor registry file.

* add-field: a new typed descriptor goes next to its closest relative, the way a
  reviewer would place it: beside the fields sharing most leading name tokens
  (``SGLANG_MORI_X`` beside ``SGLANG_MORI_NUM_MAX_DISPATCH_TOKENS_PER_RANK``, in
  alphabetical order when the neighbours are), else at the end of the section
  whose title shares a word with the name (``HEALTH_CHECK_TIMEOUT`` under "HTTP
  server and health"). Only a key nothing fits opens a section, named after its
  first word, after the last field, in the file's own comment style. The line
  is written like its neighbours (``    NAME = EnvBool(False)``); sharing only the
  project prefix (``SGLANG``) is no relation.
* add-deprecation: keeps an old name working after a rename, through whatever
  the registry already uses — a ``_print_deprecated_env(old, new)`` call next
  to the existing ones, or an entry in the ``_DEPRECATED_ENVS`` table.

Positions come from a fresh ``ast`` parse of the registry text being edited,
so several edits in one run compose.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from typing import Optional

from ..findings import Edit, RegistryEdit
from ..registry import Registry, _class_fields, descriptor_classes
from ..source import SourceFile

_BANNER = re.compile(r"^(\s*)#\s*([=\-#*~]{3,})\s*$")


class RegistryEditError(Exception):
    """The registry file does not offer what an edit needs (no deprecation mechanism, ...)."""


def _common_tokens(a: str, b: str) -> int:
    count = 0
    for x, y in zip(a.split("_"), b.split("_")):
        if x != y:
            break
        count += 1
    return count


def _registry_class(tree: ast.Module, registry: Registry) -> Optional[ast.ClassDef]:
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == registry.class_name:
            return node
    return None


def _words(text: str) -> set[str]:
    """Lower-case words of a name or a section title, plurals folded (``tokens`` ~ ``token``)."""
    words = set()
    for word in re.split(r"[^0-9A-Za-z]+", text.lower()):
        if len(word) > 3 and word.endswith("s"):
            word = word[:-1]
        if word:
            words.add(word)
    return words


_TITLE_NOISE = {"and", "the", "for", "of", "sglang", "sgl", "options", "other", "others", "test"}


def _closest(
    name: str, fields: list[tuple[ast.stmt, str, ast.Call]], registry: Registry, floor: int
) -> tuple[Optional[ast.stmt], Optional[ast.stmt]]:
    """(insert after this field, or before this one) for the key's closest relative:
    the fields sharing most leading name tokens (``SGLANG_MORI_*`` with
    ``SGLANG_MORI_NUM_MAX_DISPATCH_TOKENS_PER_RANK``), else the section whose title
    shares words with the name (``HEALTH_CHECK_TIMEOUT`` in "HTTP server and health").
    (None, None) when nothing fits."""
    scored = [(_common_tokens(name, field_name), stmt, field_name) for stmt, field_name, _ in fields]
    best = max((score for score, _, _ in scored), default=0)
    if best > floor:
        relatives = [(stmt, field_name) for score, stmt, field_name in scored if score == best]
        section = registry.fields[relatives[0][1]].section if relatives[0][1] in registry.fields else None
        group = [
            (stmt, field_name) for stmt, field_name in relatives
            if field_name in registry.fields and registry.fields[field_name].section == section
        ] or relatives
        names = [field_name for _, field_name in group]
        if names == sorted(names):
            earlier = [stmt for stmt, field_name in group if field_name < name]
            if not earlier:
                return None, group[0][0]
            return earlier[-1], None
        return group[-1][0], None
    key_words = _words(name) - _words(" ".join(p.rstrip("_") for p in ("SGLANG_", "SGL_")))
    best_section, best_score = None, 0
    for title in dict.fromkeys(f.section for f in registry.fields.values() if f.section):
        score = len(key_words & (_words(title) - _TITLE_NOISE))
        if score > best_score:
            best_section, best_score = title, score
    if best_section is None:
        return None, None
    members = [
        stmt
        for stmt, field_name, _ in fields
        if registry.fields.get(field_name) and registry.fields[field_name].section == best_section
    ]
    return (members[-1], None) if members else (None, None)


def _section_title(name: str, owned_prefixes: tuple[str, ...]) -> str:
    """A title for a new section, from the first token after the project prefix."""
    rest = name
    for prefix in sorted(owned_prefixes, key=len, reverse=True):
        if name.startswith(prefix):
            rest = name[len(prefix):]
            break
    token = rest.split("_")[0] or rest
    return token if len(token) <= 4 else token.title()


def add_field_edits(
    source: SourceFile,
    tree: ast.Module,
    registry: Registry,
    requests: list[RegistryEdit],
    owned_prefixes: tuple[str, ...],
) -> list[Edit]:
    """Edits that add each requested descriptor next to its closest relative.

    ``owned_prefixes`` (the configuration's) are too common to count as a
    shared name prefix: every owned key starts with one. A key nothing fits
    opens a section named after its first word (``SGLANG_MORI_X`` -> "Mori") at
    the end of the fields, in the file's own comment style.
    """
    class_node = _registry_class(tree, registry)
    if class_node is None:
        raise RegistryEditError(f"{registry.path.name} has no registry class to add fields to")
    bound = module_names(tree)
    for request in requests:
        if request.descriptor not in bound:
            # Not sglang's registry: the descriptor class a new key needs may not exist.
            raise RegistryEditError(
                f"{registry.path.name} defines no {request.descriptor}; register {request.name} by hand"
            )
    kinds = descriptor_classes(tree)
    fields = _class_fields(class_node, kinds)
    newline = source.newline
    body_indent = " " * (class_node.body[0].col_offset if class_node.body else 4)
    by_line: dict[int, list[str]] = defaultdict(list)
    orphans: dict[str, list[str]] = defaultdict(list)
    for request in sorted(requests, key=lambda r: r.name):
        line = f"{body_indent}{request.name} = {request.descriptor}({request.default_source}){newline}"
        # Sharing only the project prefix ("SGLANG") is not a match; a vendor
        # prefix ("MOONCAKE") is.
        floor = 1 if request.name.startswith(owned_prefixes) else 0
        after, before = _closest(request.name, fields, registry, floor)
        if after is not None:
            by_line[after.end_lineno + 1].append(line)
        elif before is not None:
            by_line[_comment_start(source, before.lineno)].append(line)
        else:
            orphans[_section_title(request.name, owned_prefixes)].append(line)
    if orphans:
        banner = _banner_line(source, class_node)
        last = fields[-1][0].end_lineno if fields else class_node.end_lineno
        header: list[str] = []
        for title, lines in orphans.items():
            header.append(newline)
            if banner:
                header += [banner + newline, f"{body_indent}# {title}{newline}", banner + newline]
            else:
                header.append(f"{body_indent}# {title}{newline}")
            header += lines
        by_line[last + 1].extend(header)
    return [Edit(line, 0, line, 0, "".join(texts)) for line, texts in sorted(by_line.items())]


def module_names(tree: ast.Module) -> set[str]:
    """Names the registry module binds at top level (classes, imports, assignments)."""
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((alias.asname or alias.name).partition(".")[0] for alias in node.names)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names
def _comment_start(source: SourceFile, lineno: int) -> int:
    """The first of the comment lines directly above ``lineno`` (its description)."""
    while lineno > 1 and source.line_text(lineno - 1).lstrip().startswith("#"):
        lineno -= 1
    return lineno


def _banner_line(source: SourceFile, class_node: ast.ClassDef) -> Optional[str]:
    for line in range(class_node.lineno + 1, class_node.end_lineno + 1):
        text = source.line_text(line)
        if _BANNER.match(text):
            return text
    return None


_INVERT = (
    'transform=lambda value: "false" if value.lower() in ("true", "1", "yes", "y") else "true"'
)


def deprecation_edit(
    source: SourceFile,
    tree: ast.Module,
    registry: Registry,
    old: str,
    new: str,
    invert: bool = False,
) -> Edit:
    """An entry that keeps ``old`` working for ``new`` (inverting the value if asked)."""
    newline = source.newline
    if invert and registry.deprecation_mechanism != "table":
        raise RegistryEditError("only a _DEPRECATED_ENVS table can invert a deprecated value")
    if registry.deprecation_mechanism == "table":
        for node in tree.body:
            target = node.targets[0] if isinstance(node, ast.Assign) else getattr(node, "target", None)
            if isinstance(target, ast.Name) and target.id == "_DEPRECATED_ENVS" and isinstance(
                node.value, ast.Dict
            ):
                values = node.value.values
                if values:
                    last = values[-1]
                    indent = " " * node.value.keys[-1].col_offset
                    line = last.end_lineno + 1
                    if not source.line_text(last.end_lineno).rstrip().endswith(","):
                        raise RegistryEditError("the _DEPRECATED_ENVS table's last entry has no trailing comma")
                    extra = f", {_INVERT}" if invert else ""
                    entry = f'{indent}"{old}": _DeprecatedEnv(replacement="{new}"{extra}),{newline}'
                    return Edit(line, 0, line, 0, entry)
        raise RegistryEditError("the _DEPRECATED_ENVS table is not a dict literal")
    if registry.deprecation_mechanism == "function":
        calls: list[ast.stmt] = []
        for node in ast.walk(tree):
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
                func = node.value.func
                if isinstance(func, ast.Name) and func.id == "_print_deprecated_env":
                    calls.append(node)
        if calls:
            last = max(calls, key=lambda c: c.end_lineno)
            indent = " " * last.col_offset
            args = f'"{old}", "{new}"' if registry.deprecation_old_first else f'"{new}", "{old}"'
            line = last.end_lineno + 1
            return Edit(line, 0, line, 0, f"{indent}_print_deprecated_env({args}){newline}")
    raise RegistryEditError(
        f"{registry.path.name} has no deprecation mechanism (_print_deprecated_env calls or a "
        "_DEPRECATED_ENVS table) to keep the old name working"
    )


def _parameters(tree: ast.Module, name: str) -> Optional[tuple[list[str], int]]:
    """(parameter names, how many are required) of function ``name`` or of class ``name``'s
    ``__init__`` (``self`` left out), defined at module level; None when not found."""
    for node in tree.body:
        function = None
        if isinstance(node, ast.FunctionDef) and node.name == name:
            function = node
        elif isinstance(node, ast.ClassDef) and node.name == name:
            function = next(
                (s for s in node.body if isinstance(s, ast.FunctionDef) and s.name == "__init__"), None
            )
            if function is None:
                return [], 0
        if function is not None:
            args = function.args
            positional = [a.arg for a in (*args.posonlyargs, *args.args)]
            if isinstance(node, ast.ClassDef) and positional:
                positional = positional[1:]
            required = len(positional) - len(args.defaults)
            required += sum(default is None for default in args.kw_defaults)
            return positional + [a.arg for a in args.kwonlyargs], required
    return None


def deprecation_block_edit(
    source: SourceFile,
    tree: ast.Module,
    registry: Registry,
    entries: list[tuple[str, Optional[str]]],
) -> Edit:
    """One insertion adding a deprecation entry for every (old, replacement or None).

    The form is the one the registry already uses: ``"OLD": _DeprecatedEnv()``
    / ``_DeprecatedEnv(replacement="NEW")`` in a ``_DEPRECATED_ENVS`` table, or
    ``_print_deprecated_env("OLD"[, "NEW"])`` next to the existing calls. One
    edit for all, because insertions at one point cannot be applied separately
    (registry review's ENV008 offers this for all of a registry's removals).
    """
    newline = source.newline
    if registry.deprecation_mechanism == "table":
        # The entries must construct: an edit that makes the registry raise at import
        # would break every environment.
        signature = _parameters(tree, "_DeprecatedEnv")
        if signature is None:
            raise RegistryEditError("_DeprecatedEnv is not defined in the registry file")
        names, required = signature
        if required or (any(new for _, new in entries) and "replacement" not in names):
            raise RegistryEditError("_DeprecatedEnv does not take the entries envlint would write")
        for node in tree.body:
            target = node.targets[0] if isinstance(node, ast.Assign) else getattr(node, "target", None)
            if isinstance(target, ast.Name) and target.id == "_DEPRECATED_ENVS" and isinstance(
                node.value, ast.Dict
            ) and node.value.values:
                last = node.value.values[-1]
                if not source.line_text(last.end_lineno).rstrip().endswith(","):
                    raise RegistryEditError("the _DEPRECATED_ENVS table's last entry has no trailing comma")
                indent = " " * node.value.keys[-1].col_offset
                lines = [
                    f'{indent}"{old}": _DeprecatedEnv('
                    + (f'replacement="{new}"' if new else "") + f"),{newline}"
                    for old, new in entries
                ]
                line = last.end_lineno + 1
                return Edit(line, 0, line, 0, "".join(lines))
        raise RegistryEditError("the _DEPRECATED_ENVS table is not a non-empty dict literal")
    if registry.deprecation_mechanism == "function":
        calls = [
            node for node in ast.walk(tree)
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Name) and node.value.func.id == "_print_deprecated_env"
        ]
        signature = _parameters(tree, "_print_deprecated_env")
        if calls and signature is not None:
            names, required = signature
            if required > 1 and any(new is None for _, new in entries):
                raise RegistryEditError(
                    "_print_deprecated_env needs a replacement: it has no form for a removal"
                )
            last = max(calls, key=lambda c: c.end_lineno)
            indent = " " * last.col_offset
            lines = []
            for old, new in entries:
                if new is None and not registry.deprecation_old_first:
                    raise RegistryEditError(
                        "_print_deprecated_env takes (new, old) here: it has no form for a removal"
                    )
                if new is None:
                    args = f'"{old}"'
                else:
                    args = f'"{old}", "{new}"' if registry.deprecation_old_first else f'"{new}", "{old}"'
                lines.append(f"{indent}_print_deprecated_env({args}){newline}")
            line = last.end_lineno + 1
            return Edit(line, 0, line, 0, "".join(lines))
    raise RegistryEditError(
        f"{registry.path.name} has no deprecation mechanism (_print_deprecated_env calls or a "
        "_DEPRECATED_ENVS table) to keep the old name working"
    )
