"""ENV003's fix: ``DISABLE_X = EnvBool(True)`` -> ``ENABLE_X = EnvBool(False)``, every use inverted.

Always *unsafe*: the variable users set changes name and meaning
(``SGLANG_DISABLE_X=1`` means ``SGLANG_ENABLE_X=0``). Where the registry keeps
a ``_DEPRECATED_ENVS`` table, the fix adds an entry whose ``transform`` inverts
the old value; ``_print_deprecated_env`` copies values verbatim and cannot.

Uses are found project-wide with name resolution (a ``FlagUses`` pass over every
file that mentions the name) and rewritten:

=====================================  ====================================
``not envs.DISABLE_X.get()``            ``envs.ENABLE_X.get()``
``envs.DISABLE_X.get()``                ``not envs.ENABLE_X.get()``
``envs.DISABLE_X.override(True)``       ``envs.ENABLE_X.override(False)``
``envs.DISABLE_X.set(flag)``            ``envs.ENABLE_X.set(not (flag))``
``envs.DISABLE_X.is_set()`` / clear()   renamed only
=====================================  ====================================

Any other use (the descriptor passed around, a use outside the linted paths)
blocks the whole fix: half an inversion is worse than none.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Callable

from ..context import FileContext
from ..discovery import display_path
from ..engine import Linter
from ..findings import UNSAFE, Edit, Finding, Fix, RegistryEdit
from ..project import Project
from ..rules.base import Rule
from .common import negated, node_edit
from .references import attribute_mentions

_BLOCKER = "use that cannot be inverted mechanically"


class FlagUses(Rule):
    """Internal: reports each use of one flag with the edit that inverts it."""

    code = "ENV003"
    name = "flag-uses"
    summary = "internal"

    def __init__(self, project: Project, edit: RegistryEdit):
        super().__init__(project)
        self.old, self.new = edit.name, edit.new_name
        self.edit = edit

    def prefilter(self):
        return [[(self.old,)]]

    def visit_Attribute(self, node: ast.Attribute, ctx: FileContext) -> None:
        if node.attr != self.old:
            return
        registry = ctx.registry_of(node.value)
        if registry is None or registry.style != "descriptor":
            return
        base = ctx.source.segment(node.value)
        renamed = f"{base}.{self.new}"
        method = ctx.parent_of(node)
        call = ctx.parent_of(method) if isinstance(method, ast.Attribute) else None
        if not (isinstance(call, ast.Call) and call.func is method and not call.keywords):
            self._report(ctx, node, None)
            return
        if method.attr == "get" and not call.args:
            outer = ctx.parent_of(call)
            if isinstance(outer, ast.UnaryOp) and isinstance(outer.op, ast.Not):
                self._report(ctx, outer, node_edit(ctx, outer, f"{renamed}.get()"))
            else:
                self._report(ctx, call, node_edit(ctx, call, negated(ctx, call, f"{renamed}.get()")))
        elif method.attr in ("override", "set") and len(call.args) == 1:
            value = call.args[0]
            if isinstance(value, ast.Constant) and isinstance(value.value, bool):
                flipped = repr(not value.value)
            else:
                flipped = f"not ({ctx.source.segment(value)})"
            self._report(ctx, call, node_edit(ctx, call, f"{renamed}.{method.attr}({flipped})"))
        elif method.attr in ("is_set", "clear") and not call.args:
            self._report(ctx, call, node_edit(ctx, call, f"{renamed}.{method.attr}()"))
        else:
            self._report(ctx, node, None)

    def _report(self, ctx: FileContext, node: ast.AST, edit: Edit | None) -> None:
        fix = None
        if edit is not None:
            fix = Fix(
                UNSAFE, f"Invert as {self.new}", (edit,), reason="inverts a flag",
                registry_edits=(self.edit,),
            )
        ctx.report(self.code, node, _BLOCKER if fix is None else "use", key=self.old, fix=fix)


class InversionPlanner:
    def __init__(
        self,
        project: Project,
        run_files: set[Path],
        chosen: dict[Path, list[Finding]],
        read: Callable[[Path], bytes],
        project_files: Callable[[], list[Path]],
    ):
        """``project_files``: every file of the project, the run's own included."""
        self.project = project
        self.run_files = run_files
        self.chosen = chosen
        self.read = read
        self.project_files = project_files
        self.notes: list[str] = []

    def plan(self) -> tuple[set[RegistryEdit], dict[Path, list[Finding]]]:
        blocked: set[RegistryEdit] = set()
        extra: dict[Path, list[Finding]] = {}
        for findings in self.chosen.values():
            for finding in findings:
                for edit in finding.fix.registry_edits:
                    if edit.kind != "invert-flag":
                        continue
                    uses, problem = self._uses(edit)
                    if problem:
                        self.notes.append(f"{edit.name} not inverted: {problem}")
                        blocked.add(edit)
                        continue
                    for path, found in uses.items():
                        extra.setdefault(path, []).extend(found)
        return blocked, extra

    def _uses(self, edit: RegistryEdit):
        old = edit.name
        linter = Linter(self.project, rules=[FlagUses(self.project, edit)])
        uses: dict[Path, list[Finding]] = {}
        for path in self.project_files():
            data = self.read(path)
            if old.encode() not in data:
                continue
            result = linter.check_bytes(path, data, display_path(path))
            found = [f for f in result.findings if f.key == old]
            lines = {f.line for f in found}
            for line in attribute_mentions(data.decode("utf-8", errors="replace"), old):
                if line not in lines:
                    return {}, f"referenced at {display_path(path)}:{line} in a way envlint cannot rewrite"
            if not found:
                continue
            if path not in self.run_files:
                return {}, f"used in {display_path(path)}, outside this run"
            for finding in found:
                if finding.fix is None:
                    return {}, f"{display_path(path)}:{finding.line}: {_BLOCKER}"
            uses[path] = found
        return uses, None
