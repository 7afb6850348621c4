"""``FileContext``: what a rule may ask while it looks at one file.

Rules never touch the resolver, the registries or offset arithmetic directly;
they ask the context ("what does this expression refer to?", "is this the
descriptor registry?") and report through it. That keeps each rule a short
list of node patterns and messages.
"""

from __future__ import annotations

import ast
import bisect
import functools
import re
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from .findings import Finding, Fix
from .keys import KeyResolver, KeyValue
from .names import Resolver, Scope
from .profiles import HelperSpec
from .project import Project
from .registry import Registry
from .source import SourceFile
from .testcode import is_test_file, relative_parts

if TYPE_CHECKING:
    from .summaries import Wrapper


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
        if ":=" not in source.text:
            self.resolver.assume_no_walrus()
        self.scope: Scope = self.resolver.module_scope
        self.parent: Optional[ast.AST] = None
        self.findings: list[Finding] = []
        self._cache: dict[tuple[str, int], object] = {}
        self._helper_names = frozenset(spec.name for spec in self.config.helpers)
        self._helper_aliases = _import_aliases(source.text, self._helper_names)
        # Local names that can be ``os.environ``: itself, and any ``environ as <alias>``.
        self.environ_names = frozenset({"environ"}) | _import_aliases(source.text, frozenset({"environ"}))
        self._keys: Optional[KeyResolver] = None
        self._evidence: Optional[bool] = None
        self._local_wrappers: Optional[dict[str, "Wrapper"]] = None
        self._facts = None  # this module's summary facts (envlint.summaries.extract), once
        # Whether other modules' facts (Project.summary) may be consulted: only when a rule
        # that depends on them runs, so other rules never pay for the project-wide analysis.
        self.summary_enabled = True

    # -- facts about this file -----------------------------------------------------------

    @property
    def path(self) -> Path:
        return self.source.path

    @property
    def is_registry_file(self) -> bool:
        return self.own_registry is not None

    @property
    def is_test_code(self) -> bool:
        """A test file (``envlint.testcode``): Rule 3 applies to it."""
        return is_test_file(relative_parts(self.path, self.config.root))

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
        elif func.id not in self._helper_names and func.id not in self._helper_aliases:
            return None  # neither a helper's name nor an ``import ... as`` of one
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

    # -- keys and wrappers (envlint.keys, envlint.summaries) ----------------------------------

    @property
    def has_evidence(self) -> bool:
        """Whether the file shows any environment use in its bytes (an owned token,
        ``getenv``, ``environ``, a helper's name, ``setenv``/``delenv``).

        Keys and wrappers that come from *other* modules are looked up only in
        such files: that is ENV001's documented scope, and what lets a run over a
        few unrelated files skip the project-wide analysis.
        """
        if self._evidence is None:
            data = self.source.text.encode("utf-8", "surrogatepass")
            self._evidence = self.project.evidence_check(data)
        return self._evidence

    @property
    def keys(self) -> KeyResolver:
        if self._keys is None:
            self._keys = KeyResolver(self.tree, self.module, self._imported_constant)
        return self._keys

    def _imported_constant(self, qualified: str):
        if not (self.summary_enabled and self.has_evidence):
            return None
        return self.project.summary.constant(qualified)

    def key_values(self, expr: ast.AST) -> tuple[KeyValue, ...]:
        """Every key ``expr`` (in the current scope) can name; see ``envlint.keys``."""
        return self.keys.values(expr, self.scope)

    def key_sequence(self, expr: ast.AST) -> tuple[KeyValue, ...]:
        """The keys of a tuple of keys ``expr`` holds (a literal or a constant)."""
        return self.keys.sequence(expr, self.scope)

    def wrapper(self, func: ast.AST) -> Optional["Wrapper"]:
        found = self.wrapper_call(func)
        return found[0] if found is not None else None

    def wrapper_call(self, func: ast.AST) -> Optional[tuple["Wrapper", int]]:
        """(the project wrapper ``func`` refers to, how many leading arguments it binds).

        The offset is 1 for an instance method called through its class
        (``Cls.method(obj, key)``). ``self.m(...)`` / ``cls.m(...)`` resolve in the
        enclosing class; other attribute calls on instances are not followed.
        """
        if isinstance(func, ast.Name):
            last = func.id
        elif isinstance(func, ast.Attribute):
            last = func.attr
        else:
            return None
        local = self.local_wrappers()
        if last not in self._wrapper_names(local):
            return None
        qualified = None
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in ("self", "cls"):
            class_name = self._enclosing_class()
            if class_name is None:
                return None
            qualified = f"{self.module}.{class_name}.{last}"
            through_class = False
        else:
            qualified = self.qualified_name(func)
            through_class = isinstance(func, ast.Attribute)
        if qualified is None:
            return None
        wrapper = local.get(qualified)
        if wrapper is None and not qualified.startswith(self.module + ".") and self._uses_summary():
            wrapper = self.project.summary.wrapper(qualified)
        if wrapper is None:
            return None
        offset = 1 if through_class and wrapper.binding == "method" else 0
        return wrapper, offset

    def _wrapper_names(self, local: dict) -> frozenset:
        names = self._cache.get(("wrapper-names", 0))
        if names is None:
            names = frozenset(q.rpartition(".")[2] for q in local)
            if self._uses_summary():
                names |= self.project.summary.wrapper_names()
            self._cache[("wrapper-names", 0)] = names
        return names

    def module_facts(self):
        """What this module states about itself (``summaries.extract``); None when its bytes
        show it defines no wrapper and no constant that needs its syntax tree."""
        if self._facts is None:
            data = self.source.text.encode("utf-8", "surrogatepass")
            self._facts = False
            if self.project.definition_check(data) == "parse":
                from .summaries.extract import extract

                try:
                    self._facts = extract(self)
                except (RecursionError, MemoryError, ValueError):
                    # A pathological tree (deep nesting, odd literals): the module
                    # states no facts rather than taking the run down.
                    self._facts = False
        return self._facts or None

    def local_wrappers(self) -> dict[str, "Wrapper"]:
        """This file's own wrappers, from its current text (not the copy on disk)."""
        if self._local_wrappers is None:
            self._local_wrappers = {}
            facts = self.module_facts()
            if facts is not None and facts.functions:
                from .summaries.model import ProjectSummary
                from .summaries.resolve import resolve_local

                summary = self.project.summary if self._uses_summary() else ProjectSummary()
                self._local_wrappers = resolve_local(facts, summary)
        return self._local_wrappers

    def _uses_summary(self) -> bool:
        return self.summary_enabled and self.has_evidence

    def _enclosing_class(self) -> Optional[str]:
        """The module-level class whose method the current scope is (or is nested in)."""
        scope = self.scope
        while scope is not None and scope.kind != "function":
            scope = scope.parent
        if scope is None or scope.parent is None or scope.parent.kind != "class":
            return None
        owner = scope.parent
        if owner.parent is None or owner.parent.kind != "module":
            return None
        return owner.node.name

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


def _import_aliases(text: str, names: frozenset) -> frozenset:
    """Local names bound by ``<name> as <alias>`` for any of ``names`` (an import's spelling)."""
    if not names or " as " not in text or not any(name in text for name in names):
        return frozenset()
    return frozenset(_alias_pattern(names).findall(text))


@functools.lru_cache(maxsize=8)
def _alias_pattern(names: frozenset):
    # No leading \b: a pattern that starts with a literal is scanned for much faster, and a
    # longer word ending in the name only adds a candidate that resolution then rejects.
    return re.compile(r"(?:" + "|".join(map(re.escape, sorted(names))) + r")\s+as\s+(\w+)")


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
