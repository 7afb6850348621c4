"""Building blocks every fix needs: edits from nodes, the registry's name at a site, imports.

A fix is text edits plus metadata (imports to add, imports that may have become
unused, registry edits). Text edits keep everything outside the rewritten span
byte-identical; ``envlint.fixes.imports`` edits the import lines when the fixer
applies them.
"""

from __future__ import annotations

import ast
import io
import json
import tokenize
from typing import Any, Optional

from ..context import FileContext
from ..findings import Edit, ImportRequest
from ..registry import Registry
from .definitions import origin

# Parents in which a ``not x`` replacement needs no parentheses.
_LOW_PRECEDENCE_OK = (ast.If, ast.While, ast.Assert, ast.Return, ast.Assign, ast.AnnAssign,
                      ast.Expr, ast.BoolOp, ast.keyword, ast.IfExp, ast.comprehension)


def drops_comment(ctx: FileContext, node: ast.AST) -> bool:
    """Whether replacing ``node`` would delete a comment written inside it."""
    if node.lineno == node.end_lineno:
        return False  # a one-line expression ends before any trailing comment
    try:
        tokens = tokenize.generate_tokens(io.StringIO("(" + ctx.source.segment(node) + ")").readline)
        return any(token.type == tokenize.COMMENT for token in tokens)
    except (tokenize.TokenError, SyntaxError):
        return True


def node_edit(ctx: FileContext, node: ast.AST, content: str) -> Edit:
    line, col, end_line, end_col = ctx.span(node)
    return Edit(line, col, end_line, end_col, content)


def insert_after(ctx: FileContext, node: ast.AST, content: str) -> Edit:
    _, _, end_line, end_col = ctx.span(node)
    return Edit(end_line, end_col, end_line, end_col, content)


def negated(ctx: FileContext, node: ast.AST, text: str) -> str:
    """``not <text>`` as a replacement for ``node``, parenthesised where precedence needs it."""
    parent = ctx.parent_of(node)
    if isinstance(parent, ast.IfExp) and parent.test is not node:
        return f"(not {text})"
    if parent is None or isinstance(parent, _LOW_PRECEDENCE_OK):
        return f"not {text}"
    if isinstance(parent, ast.UnaryOp) and isinstance(parent.op, ast.Not):
        return f"not {text}"
    return f"(not {text})"


def literal(value: Any) -> Optional[str]:
    """Source text for a descriptor default (``True``, ``5``, ``"info"``, ``None``).

    Strings use double quotes, the style of sglang's registry (and black's). None
    when no literal reads back as exactly ``value`` (``nan``, ``inf``), so the
    fixer never writes a registry that fails to import.
    """
    if isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: keep it escaped
            text = json.dumps(value)
    else:
        text = repr(value)
    try:
        back = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return None
    if type(back) is not type(value) or repr(back) != repr(value):
        return None
    return text


_SECRET_WORDS = frozenset({"TOKEN", "SECRET", "PASSWORD", "PASSWD", "KEY", "CREDENTIAL", "CREDENTIALS"})


def looks_secret(name: str) -> bool:
    """Names whose values must not be exported or logged (sglang's ``secret=True``):
    one of the name's words is KEY, SECRET, TOKEN, PASSWORD (``HF_TOKEN``,
    ``OPENAI_API_KEY``) — whole words, so ``MAX_TOKENS`` and ``KEYS_PER_RANK`` are not."""
    return any(word in _SECRET_WORDS for word in name.upper().split("_"))


def registry_reference(
    ctx: FileContext, registry: Registry, site: Optional[ast.AST] = None
) -> Optional[tuple[str, tuple[ImportRequest, ...]]]:
    """How to name ``registry`` at the current site, and the import that makes it so.

    Reuses a binding the file already has (``envs``, ``envs as sglang_envs``,
    ``environ`` for ``environ.envs``); otherwise imports ``envs`` — or, when that
    name is taken at the site, ``<package>_envs`` (sglang itself uses
    ``from sglang.srt.environ import envs as srt_envs``). None when no name works
    — including module-level code that runs before the name would be bound.
    """
    scope = ctx.scope
    resolver = ctx.resolver
    at_module_level = scope is resolver.module_scope and site is not None
    target = registry.qualified_name
    attribute = target.rpartition(".")[2]
    roots = (*ctx.config.src, ctx.config.root)
    for name, value in resolver.module_scope.bindings.items():
        if not isinstance(value, str):
            continue
        if value != target and name == attribute and scope.lookup(name) == value:
            # ``from sglang.srt.utils import envs``: the registry, re-exported.
            value = target if origin(value, roots) == target else value
        visible = scope.lookup(name) in (target, resolver.module_scope.bindings[name])
        matches = (value == target and visible) or (
            registry.style == "descriptor"
            and f"{value}.{attribute}" == target
            and scope.lookup(name) == value
        )
        if not matches:
            continue
        if at_module_level and not _bound_before(ctx, name, site):
            return None  # the existing import comes after this code runs
        return (name if value == target else f"{name}.{attribute}"), ()
    if at_module_level and not _after_import_block(ctx, registry, site):
        return None
    import_as = (
        registry.style == "module" and ctx.config.profile.module_registry_import == "import-as"
    )
    if registry.style == "descriptor":
        module, name = registry.module, registry.instance or "envs"
    else:
        module, name = registry.package, attribute
    package_last = registry.package.rpartition(".")[2] or "registry"
    for local in (name, f"{package_last}_envs"):
        if local == name and _claimed_by_governing_registry(ctx, registry, name):
            continue
        if not scope.is_bound(local):
            if import_as:  # ``import vllm.envs as envs``
                return local, (ImportRequest(registry.module, None, local),)
            asname = None if local == name else local
            return local, (ImportRequest(module, name, asname),)
    return None


def _default_name(registry: Registry) -> str:
    if registry.style == "descriptor":
        return registry.instance or "envs"
    return registry.qualified_name.rpartition(".")[2]


def _claimed_by_governing_registry(ctx: FileContext, registry: Registry, name: str) -> bool:
    """Whether ``name`` is left to the registry that governs this module because the
    file reads keys of both: a multimodal_gen file reading diffusion and sglang.srt
    keys imports the diffusion registry as ``envs`` and sglang.srt's as ``srt_envs``,
    in ``check`` already — not one ``envs`` shadowing the other, and not a name
    ``fix`` would have to change between passes."""
    project = ctx.project
    governing = project.governing_registry(ctx.module)
    if governing is None or governing is registry or _default_name(governing) != name:
        return False
    return ctx.memo("governing-registry-read", ctx.tree, lambda: _reads_keys_of(ctx, governing))


def _reads_keys_of(ctx: FileContext, registry: Registry) -> bool:
    """Whether the file reads (by literal name) a key that goes through ``registry``.

    A syntactic scan for naming only: string literals in the places a raw read
    names its key (first argument, subscript, ``in`` test).
    """
    project = ctx.project
    for node in ast.walk(ctx.tree):
        if isinstance(node, ast.Call) and node.args:
            literal_node = node.args[0]
        elif isinstance(node, ast.Subscript):
            literal_node = node.slice
        elif isinstance(node, ast.Compare):
            literal_node = node.left
        else:
            continue
        if not (isinstance(literal_node, ast.Constant) and isinstance(literal_node.value, str)):
            continue
        key = literal_node.value
        if not project.is_owned(key):
            continue
        key = project.canonical_name(key) or key
        target = project.registry_for_key(key, ctx.module) or project.governing_registry(ctx.module)
        if target is registry:
            return True
    return False


def _import_lines(ctx: FileContext, name: str) -> list[int]:
    """Lines of the module-level imports that bind ``name``."""
    return _module_imports(ctx).get(name, [])


def _module_imports(ctx: FileContext) -> dict[str, list[int]]:
    """Bound name -> lines of the module-level imports binding it; one pass per file."""

    def compute() -> dict[str, list[int]]:
        lines: dict[str, list[int]] = {}
        for statement in ctx.tree.body:
            if isinstance(statement, (ast.Import, ast.ImportFrom)):
                for alias in statement.names:
                    bound = alias.asname or alias.name.split(".")[0]
                    lines.setdefault(bound, []).append(statement.lineno)
        return lines

    return ctx.memo("module imports", ctx.tree, compute)


def _bound_before(ctx: FileContext, name: str, site: ast.AST) -> bool:
    lines = _import_lines(ctx, name)
    return bool(lines) and min(lines) < site.lineno


def _after_import_block(ctx: FileContext, registry: Registry, site: ast.AST) -> bool:
    """Whether an import the fixer adds is sure to run before module-level ``site``.

    ``envlint.fixes.imports`` adds to the leading import block, or merges into an existing import
    from the same module wherever that is; both must come before the site.
    Both facts are computed once per file (once per registry), not per site.
    """
    last_leading, last_import_from = _import_layout(ctx, registry)
    return last_leading < site.lineno and last_import_from <= site.lineno


def _import_layout(ctx: FileContext, registry: Registry) -> tuple[int, int]:
    """(last line of the leading import block, line of the last ``from <registry> import``)."""

    def compute() -> tuple[int, int]:
        last_leading = 0
        for statement in ctx.tree.body:
            is_docstring = (
                isinstance(statement, ast.Expr)
                and isinstance(statement.value, ast.Constant)
                and isinstance(statement.value.value, str)
            )
            if isinstance(statement, (ast.Import, ast.ImportFrom)) or is_docstring:
                last_leading = statement.end_lineno
            else:
                break
        last_import_from = 0
        for statement in ctx.tree.body:
            if isinstance(statement, ast.ImportFrom):
                if ctx.resolver.import_base(statement) in (registry.module, registry.package):
                    last_import_from = statement.lineno
        return last_leading, last_import_from

    return ctx.memo("import layout", registry, compute)


def raises_are_caught(ctx: FileContext, node: ast.AST) -> bool:
    """Whether an exception ``node`` raises may be caught in its own function: it
    sits in the body of a ``try`` or of a ``with suppress(...)``. Such an exception
    is working behaviour, not a crash a rewrite may repair."""
    child = node
    parent = ctx.parent_of(node)
    while parent is not None and not isinstance(
        parent, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, ast.Module)
    ):
        if isinstance(parent, ast.Try) or type(parent).__name__ == "TryStar":
            if any(child is statement for statement in parent.body):
                return True
        if isinstance(parent, (ast.With, ast.AsyncWith)) and any(child is s for s in parent.body):
            for item in parent.items:
                call = item.context_expr
                func = call.func if isinstance(call, ast.Call) else None
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name == "suppress":
                    return True
        child, parent = parent, ctx.parent_of(parent)
    return False


def imported_names(ctx: FileContext, node: ast.AST) -> tuple[str, ...]:
    """Names used inside ``node`` that an import binds (at module level or in the
    enclosing function): imports a rewrite may leave unused."""
    module_bindings = ctx.resolver.module_scope.bindings
    names = {
        n.id
        for n in ast.walk(node)
        if isinstance(n, ast.Name)
        and (isinstance(module_bindings.get(n.id), str) or ctx.scope.lookup(n.id) is not None)
    }
    return tuple(sorted(names))


def is_pure_str_expression(node: ast.AST) -> bool:
    """A str whose evaluation has no effects: a literal, or an f-string of names."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.JoinedStr):
        return all(
            isinstance(part, ast.Constant)
            or (
                isinstance(part, ast.FormattedValue)
                and all(isinstance(n, (ast.Name, ast.Constant, ast.Load)) for n in ast.walk(part.value))
                and part.format_spec is None
            )
            for part in node.values
        )
    return False


def is_str_expression(ctx: FileContext, node: ast.AST) -> bool:
    """Statically a ``str``: a string literal, an f-string, or ``str(...)``."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return ctx.qualified_name(node.func) == "builtins.str"
    return False


def statement_alone_on_its_lines(ctx: FileContext, statement: ast.stmt) -> bool:
    """True when nothing else shares the statement's lines (a block may replace it)."""
    source = ctx.source
    first = source.line_text(statement.lineno)
    before = first[: source.char_col(statement.lineno, statement.col_offset)]
    last = source.line_text(statement.end_lineno)
    after = last[source.char_col(statement.end_lineno, statement.end_col_offset):]
    return not before.strip() and (not after.strip() or after.strip().startswith("#"))
