"""Run the rules over one file: prefilter the bytes, parse once, walk once, dispatch.

Why the stdlib ``ast`` and not LibCST for *finding* problems: measured on the
sglang 0.5.23 source (2 cores), ``ast.parse`` runs at ~150,000 lines/s and
LibCST's parser at ~16,000. The files that can contain a finding hold ~440,000
lines; parsing them with LibCST alone takes longer than ruff needs for the whole
tree. ``ast`` also is the tree flake8 hands to plugins. Fixes do not need a
concrete syntax tree either: ``ast`` positions are exact, so a fix is a text edit
of one expression's span, and every other byte stays (docs/how-it-works.md).

Per file:

1. prefilter: each rule declares byte tokens without which it cannot fire; a
   file containing none of them is never decoded or parsed;
2. decode (PEP 263, BOM) and ``ast.parse``; failures become a one-line error;
3. a single iterative walk that tracks scopes and calls each interested
   rule's ``visit_<NodeType>``;
4. ``# noqa`` filtering, exactly as flake8 does it.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Optional

from .context import FileContext
from .findings import Finding
from .focus import focus_for
from .modules import module_name
from .names import SCOPE_NODES, children_with_scopes
from .paths import real_path
from .noqa import file_is_ignored, filter_suppressed
from .project import Project
from .registry import parse_registry, parse_source
from .rules import ALL_RULES, Rule
from .source import SourceError, SourceFile

# Nodes whose children are evaluated in another scope (see names.children_with_scopes).
_SCOPED = (*SCOPE_NODES, ast.comprehension)


def is_selected(code: str, select: Iterable[str], ignore: Iterable[str]) -> bool:
    """flake8's decision: the longest matching prefix wins; a tie means ignored."""
    selected = max((len(p) for p in select if code.startswith(p)), default=-1)
    ignored = max((len(p) for p in ignore if code.startswith(p)), default=-1)
    return selected >= 0 and selected > ignored


@dataclass
class FileResult:
    path: Path
    display_path: str
    findings: list[Finding] = field(default_factory=list)  # after ``# noqa``
    error: Optional[str] = None
    parsed: bool = False
    # What the cache stores: findings before ``# noqa``, and whether noqa can apply.
    raw_findings: list[Finding] = field(default_factory=list)
    mentions_noqa: bool = False
    # The module's summary facts (JSON), when the run asked for them (envlint.summaries).
    facts: Optional[dict] = None


def _token(token):
    """A prefilter token: a substring (str), a regular expression (compiled, bytes), or a
    byte-level test (a callable)."""
    return token.encode() if isinstance(token, str) else token


def _interned(interned: dict, group: tuple) -> tuple:
    """One shared object per group content, without the substrings another one implies.

    A group holds when any token is in the file: ``SGLANG`` adds nothing to ``SGL``,
    and a repeated token nothing at all (each is a scan of the whole file)."""
    if group not in interned:
        kept: list = []
        # Plain substrings first (shortest first), patterns and tests after: they cost more.
        for token in sorted(group, key=lambda t: (0, len(t)) if isinstance(t, bytes) else (1, 0)):
            if isinstance(token, bytes) and any(isinstance(k, bytes) and k in token for k in kept):
                continue
            if token not in kept:
                kept.append(token)
        interned[group] = tuple(kept)
    return interned[group]


class _Prefilter:
    """Which rules can possibly fire on a file, decided from its raw bytes."""

    def __init__(self, rules: list[Rule]):
        self._rules = []
        # Equal groups become one object, so that ``active`` evaluates each once per file.
        interned: dict[tuple, tuple] = {}
        for rule in rules:
            alternatives = [
                alternative
                if callable(alternative)
                else [
                    group if callable(group) else _interned(interned, tuple(_token(t) for t in group))
                    for group in alternative
                ]
                for alternative in rule.prefilter()
            ]
            self._rules.append((rule, alternatives))
        self._lazy: dict[int, tuple] = {}

    def _group(self, group) -> tuple:
        """A token group; a lazy one (a callable) is computed on first use, once."""
        if not callable(group):
            return group
        tokens = self._lazy.get(id(group))
        if tokens is None:
            tokens = self._lazy[id(group)] = tuple(_token(t) for t in group())
        return tokens

    def active(self, data: bytes, present: Optional[dict] = None) -> list[Rule]:
        """The rules that can fire; ``present`` (if given) receives every token's outcome."""
        present = {} if present is None else present

        def has(token) -> bool:
            """Each token, and each rule's own test, is evaluated once per file."""
            found = present.get(token)
            if found is None:
                if isinstance(token, bytes):
                    found = token in data
                elif callable(token):  # a rule's own byte-level test
                    found = token(data)
                else:
                    found = token.search(data) is not None
                present[token] = found
            return found

        lazy = self._lazy
        # Each group's outcome, once per file: rules share groups (the owned tokens, the
        # access tokens), and a group of thirty tokens is thirty calls to ``has``.
        groups: dict[int, bool] = {}

        def group_holds(group) -> bool:
            found = groups.get(id(group))
            if found is None:
                found = groups[id(group)] = any(has(t) for t in self._group(group))
            return found

        def holds(alternative) -> bool:
            if callable(alternative):
                return has(alternative)
            # A lazy group already known to be empty can never hold: skip the scans before it.
            if any(lazy.get(id(group)) == () for group in alternative if callable(group)):
                return False
            return all(map(group_holds, alternative))

        return [rule for rule, alternatives in self._rules if any(map(holds, alternatives))]


class Linter:
    """The rules of one run, bound to a project, ready to check any number of files."""

    def __init__(
        self,
        project: Project,
        select: Optional[Iterable[str]] = None,
        ignore: Optional[Iterable[str]] = None,
        use_prefilter: bool = True,
        rules: Optional[list[Rule]] = None,
    ):
        """``rules`` replaces the rule set (the fixer's internal use-collectors)."""
        self.project = project
        config = project.config
        select = tuple(select) if select is not None else config.select
        ignore = tuple(ignore) if ignore is not None else config.ignore
        self.select, self.ignore = select, ignore
        self.rules: list[Rule] = rules if rules is not None else [
            cls(project) for cls in ALL_RULES if is_selected(cls.code, select, ignore)
        ]
        active = frozenset(rule.code for rule in self.rules)
        for rule in self.rules:
            rule.active_codes = active
        self.uses_summary = any(rule.uses_summary for rule in self.rules)
        self.use_prefilter = use_prefilter
        self._prefilter = _Prefilter(self.rules)
        self._evidence_tokens: Optional[list] = None
        self._registry_names: Optional[set[str]] = None
        self._dispatch_cache: dict[tuple[str, ...], dict[type, list[Callable]]] = {}

    def summary_changed(self) -> None:
        """Forget what was derived from the project summary (the prefilter's name tokens)."""
        self._prefilter = _Prefilter(self.rules)

    # -- public entry points ----------------------------------------------------------

    def check_bytes(
        self,
        path: Path,
        data: bytes,
        display_path: Optional[str] = None,
        facts: bool = False,
        rules: Optional[list[Rule]] = None,
    ) -> FileResult:
        """Check one file's raw content; ``facts``: also extract its summary facts;
        ``rules``: the file's active rules when the caller already has them (``active_rules``)."""
        result = FileResult(path, display_path or str(path))
        spec = self._registry_spec(path)
        if rules is None:
            rules = self._active_rules(data, spec)
        try:
            # Decoding is cheap, so undecodable files are reported even when the
            # prefilter skips them; parsing is what the prefilter saves.
            source = SourceFile.from_bytes(path, data)
        except SourceError as exc:
            result.error = str(exc)
            return result
        if not rules and not facts:
            return result
        return self._check_source(result, source, None, rules, spec, apply_noqa=True, facts=facts)

    def check_text(
        self,
        path: Path,
        text: str,
        display_path: Optional[str] = None,
        tree: Optional[ast.Module] = None,
        apply_noqa: bool = True,
    ) -> FileResult:
        """Check text already decoded (and maybe parsed) by a host such as flake8."""
        result = FileResult(path, display_path or str(path))
        spec = self._registry_spec(path)
        rules = self._active_rules(text.encode("utf-8", errors="surrogatepass"), spec)
        if not rules:
            return result
        source = SourceFile.from_text(path, text)
        return self._check_source(result, source, tree, rules, spec, apply_noqa)

    def _active_rules(self, data: bytes, spec, present: Optional[dict] = None) -> list[Rule]:
        if spec is not None or not self.use_prefilter:
            return self.rules
        return self._prefilter.active(data, present)

    def active_rules(self, path: Path, data: bytes, present: dict) -> list[Rule]:
        """The rules that can fire on a file; ``present`` receives the prefilter's token tests."""
        return self._active_rules(data, self._registry_spec(path), present)

    def evidence(self, data: bytes, present: dict) -> bool:
        """Whether the bytes show environment use (``FileContext.has_evidence``'s question),
        reusing what the prefilter already tested."""
        tokens = self._evidence_tokens
        if tokens is None:
            from .summaries.evidence import access_tokens

            project = self.project
            tokens = self._evidence_tokens = [
                _token(t) for t in (*project.owned_tokens(), *access_tokens(project))
            ]
        for token in tokens:
            found = present.get(token)
            if found is None:
                found = token in data if isinstance(token, bytes) else token.search(data) is not None
            if found:
                return True
        return False

    def _check_source(
        self,
        result: FileResult,
        source: SourceFile,
        tree: Optional[ast.Module],
        rules: list[Rule],
        spec,
        apply_noqa: bool,
        facts: bool = False,
    ) -> FileResult:
        path = source.path
        if tree is None:
            try:
                tree = parse_source(source, path)
            except SourceError as exc:
                result.error = str(exc)
                return result
        result.parsed = True
        result.mentions_noqa = "noqa" in source.text.lower()
        if apply_noqa and result.mentions_noqa and file_is_ignored(source.text) and not facts:
            return result
        own_registry = None
        if spec is not None:
            own_registry = parse_registry(spec.path, spec.style, spec.module, source, tree)
        ctx = FileContext(
            self.project,
            source,
            tree,
            result.display_path,
            spec.module if spec else module_name(path, self.project.config.src),
            own_registry,
        )
        ctx.summary_enabled = self.uses_summary
        if facts and spec is None:
            found = ctx.module_facts()
            result.facts = found.to_json() if found is not None else None
        if not rules or (apply_noqa and result.mentions_noqa and file_is_ignored(source.text)):
            return result
        for rule in rules:
            rule.begin(ctx)
        # Registry files are walked whole; elsewhere only the statements that can
        # hold a finding (see envlint.focus), unless focusing is switched off.
        focus = None
        if self.use_prefilter and spec is None:
            extra = frozenset().union(*(rule.focus_names(ctx) for rule in rules))
            focus = focus_for(self.project, ctx, extra)
        too_deep = self._walk(ctx, self._dispatch(rules), focus)
        if too_deep:
            # Reported, never a traceback: the rest of the file is still checked.
            lines = ", ".join(map(str, sorted(set(too_deep))[:5]))
            result.error = (
                f"cannot check line{'s' * (len(set(too_deep)) > 1)} {lines}: "
                "expression nested too deeply for Python's recursion limit"
            )
        result.raw_findings = sorted(ctx.findings)
        findings = ctx.findings
        if apply_noqa:
            findings = filter_suppressed(findings, source.text, tree)
        result.findings = sorted(findings)
        return result

    # -- internals ------------------------------------------------------------------------

    def _registry_spec(self, path: Path):
        names = self._registry_names
        if names is None:
            names = self._registry_names = {spec.path.name for spec in self.project.config.registries}
        if path.name not in names:
            return None  # cheap test first: resolve only the few candidates
        resolved = real_path(path)
        for spec in self.project.config.registries:
            if spec.path == resolved:
                return spec
        return None

    def _dispatch(self, rules: list[Rule]) -> dict[type, list[Callable]]:
        key = tuple(rule.code for rule in rules)
        table = self._dispatch_cache.get(key)
        if table is None:
            table = {}
            for rule in rules:
                for node_type, method in rule.visitors().items():
                    table.setdefault(getattr(ast, node_type), []).append(method)
            self._dispatch_cache[key] = table
        return table

    @staticmethod
    def _walk(ctx: FileContext, dispatch: dict[type, list[Callable]], focus=None) -> list[int]:
        """Visit the tree without recursion; return the lines a rule could not follow.

        The walk itself is a loop, so no depth of nesting stops it. Rules and
        the helpers they call (``ast.fix_missing_locations``, ``compile``, the
        safety models) may recurse; on a legal but absurdly deep expression
        (``not not ... x``, 1,000 deep) that is a ``RecursionError``, which
        costs only the finding at that node, never the file or the run.
        """
        too_deep: list[int] = []
        resolver = ctx.resolver
        covers = focus.covers if focus is not None else None
        statement = ast.stmt
        stack: list[tuple[ast.AST, object, Optional[ast.AST]]] = [
            (ctx.tree, resolver.module_scope, None)
        ]
        get = dispatch.get
        iter_children = ast.iter_child_nodes
        pop, push = stack.pop, stack.append
        while stack:
            node, scope, parent = pop()
            if covers is not None and isinstance(node, statement) and not covers(node):
                continue
            handlers = get(node.__class__)
            if handlers:
                ctx.scope, ctx.parent = scope, parent
                for handler in handlers:
                    try:
                        handler(node, ctx)
                    except RecursionError:
                        too_deep.append(getattr(node, "lineno", 0))
            if isinstance(node, _SCOPED):
                for child, child_scope in children_with_scopes(node, scope, resolver):
                    push((child, child_scope, node))
            else:
                for child in iter_children(node):
                    push((child, scope, node))
        return too_deep
