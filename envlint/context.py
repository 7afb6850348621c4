"""``FileContext``: what a rule may ask while it looks at one file.

Rules never touch the resolver, the registries or offset arithmetic directly;
they ask the context ("what does this expression refer to?", "is this the
descriptor registry?") and report through it. That keeps each rule a short
list of node patterns and messages.
"""

from __future__ import annotations

import ast
import bisect
from pathlib import Path
from typing import Optional

from .findings import Finding, Fix
from .names import Resolver, Scope
from .profiles import HelperSpec
from .project import Project
from .registry import Registry
from .source import SourceFile


class FileContext:
    def __init__(
        self,
        project: Project,
        source: SourceFile,
        tree: ast.Module,
        display_path: str,
        module: str,
        own_registry: Optional[Registry],
    ):
        self.project = project
        self.config = project.config
        self.source = source
        self.tree = tree
        self.display_path = display_path
        self.module = module
        self.own_registry = own_registry
        self.resolver = Resolver(tree, module, source.path.name == "__init__.py")
        self.scope: Scope = self.resolver.module_scope
        self.parent: Optional[ast.AST] = None
        self.findings: list[Finding] = []
        self._cache: dict[tuple[str, int], object] = {}
        self._helper_names = frozenset(spec.name for spec in self.config.helpers)

    # -- facts about this file -----------------------------------------------------------

    @property
    def path(self) -> Path:
        return self.source.path

    @property
    def is_registry_file(self) -> bool:
        return self.own_registry is not None

    def memo(self, kind: str, node: ast.AST, compute):
        """Compute a per-node fact once even when several rules ask for it."""
        key = (kind, id(node))
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    def parent_of(self, node: ast.AST) -> Optional[ast.AST]:
        """The parent of a node, found within its innermost enclosing statement.

        Only fixes ask (a handful of nodes per file), so instead of a parent map of
        the whole tree, the statement holding the node is located by position and
        only its subtree is mapped.
        """
        parents = self._cache.setdefault(("parents", 0), {})
        key = id(node)
        if key not in parents:
            starts = self._cache.setdefault(("block starts", 0), {})
            parent, statement = _enclosing_statement(self.tree, node, starts)
            if statement is not None:
                parents[id(statement)] = parent
                for outer in ast.walk(statement):
                    for child in ast.iter_child_nodes(outer):
                        parents[id(child)] = outer
            parents.setdefault(key, None)
        return parents.get(key)

    # -- names -------------------------------------------------------------------------

    def qualified_name(self, expr: ast.AST) -> Optional[str]:
        return self.resolver.qualified_name(expr, self.scope)

    def registry_of(self, expr: ast.AST) -> Optional[Registry]:
        """The registry ``expr`` *is* (the ``envs`` instance, module, or ``Envs`` class)."""
        if not isinstance(expr, (ast.Name, ast.Attribute)):
            return None
        name = self.qualified_name(expr)
        return self.project.registry_named(name)

    def helper(self, func: ast.AST) -> Optional[HelperSpec]:
        """The env-reading helper ``func`` refers to, when it is the project's own.

        Matched on the *imported* name, so ``get_int_env_var as int_var`` counts
        and a local function that happens to share the name does not.
        """
        if isinstance(func, ast.Attribute):
            if func.attr not in self._helper_names:
                return None  # an attribute cannot rename what it reaches
        elif not isinstance(func, ast.Name):
            return None
        qualified = self.qualified_name(func)
        return self.helper_named(qualified) if qualified else None

    def helper_semantics(self, qualified: str) -> Optional[str]:
        """The ``envlint.safety.HELPER_MODELS`` id of the helper ``qualified`` names, if any."""
        spec = self.helper_named(qualified)
        return spec.semantics if spec else None

    def helper_named(self, qualified: str) -> Optional[HelperSpec]:
        best, best_length = None, -1
        for spec in self.config.helpers:
            length = spec.match_length(qualified)
            if length > best_length:
                best, best_length = spec, length
        return best

    def is_temp_set_env(self, func: ast.AST) -> bool:
        if not isinstance(func, (ast.Name, ast.Attribute)):
            return False
        qualified = self.qualified_name(func)
        if qualified is None:
            return False
        return (
            qualified.rpartition(".")[2] in self.config.temp_set_env
            and qualified.partition(".")[0] in self.config.package_roots
        )

    # -- reporting -------------------------------------------------------------------------

    def span(self, node: ast.AST) -> tuple[int, int, int, int]:
        """(line, col, end_line, end_col) with 0-based *character* columns."""
        source = self.source
        return (
            node.lineno,
            source.char_col(node.lineno, node.col_offset),
            node.end_lineno,
            source.char_col(node.end_lineno, node.end_col_offset),
        )

    def report(
        self,
        code: str,
        node: ast.AST,
        message: str,
        *,
        key: Optional[str] = None,
        fix: Optional[Fix] = None,
        span: Optional[tuple[int, int, int, int]] = None,
    ) -> None:
        line, col, end_line, end_col = span or self.span(node)
        self.findings.append(
            Finding(
                path=self.display_path,
                line=line,
                column=col + 1,
                code=code,
                end_line=end_line,
                end_column=end_col + 1,
                message=message,
                key=key,
                fix=fix,
                snippet=self.source.segment(node) if span is None else "",
            )
        )


def _enclosing_statement(
    tree: ast.Module, node: ast.AST, starts: Optional[dict[int, list]] = None
) -> tuple[ast.AST, Optional[ast.AST]]:
    """(its parent, the innermost statement whose span holds ``node``).

    Each block's statements are in source order and do not overlap, so the one
    that can hold ``node`` is found by bisecting their start positions (kept in
    ``starts`` per block): logarithmic per block, where a scan made a file with
    thousands of module-level findings quadratic.
    """
    position = (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))
    starts = {} if starts is None else starts
    parent, innermost = tree, None
    blocks = [(tree, tree.body)]
    while blocks:
        owner, statements = blocks.pop()
        keys = starts.get(id(statements))
        if keys is None:
            keys = starts[id(statements)] = [(s.lineno, s.col_offset) for s in statements]
        index = bisect.bisect_right(keys, position) - 1
        if index < 0:
            continue
        statement = statements[index]
        if statement is node or position < (statement.end_lineno, statement.end_col_offset):
            parent, innermost = owner, statement
            blocks = list(_blocks(statement))
    return parent, innermost


def _blocks(statement: ast.AST):
    """(owner, statement list) for every block nested in a compound statement."""
    for name in ("body", "orelse", "finalbody"):
        block = getattr(statement, name, None)
        if isinstance(block, list) and block:
            yield statement, block
    for nested in (*getattr(statement, "handlers", ()), *getattr(statement, "cases", ())):
        yield nested, nested.body
