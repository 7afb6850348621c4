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
``envs.DISABLE_X.set(a == b)``          ``envs.ENABLE_X.set(not (a == b))``
``envs.DISABLE_X.is_set()`` / clear()   renamed only
=====================================  ====================================

A ``set``/``override`` value is inverted only when it is provably a ``bool`` (a
constant, a comparison, ``not``, ``bool(...)``): ``not ("1" if c else "0")`` is
always ``False``. Any other use (such a value, the descriptor passed around, a use
outside the linted paths) blocks the whole fix: half an inversion is worse than none.

So does the key spelt in a string anywhere in the project (``os.environ["DISABLE_X"]``,
``get_bool_env_var("DISABLE_X")``): a raw access would keep the old name and meaning
while the registry's readers change. When every such access is being rewritten to the
registry in the same pass (ENV001), the inversion waits for the next pass, where those
accesses are uses it inverts; otherwise it is blocked with a note.
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
            elif _is_bool(ctx, value):
                flipped = f"not ({ctx.source.segment(value)})"
            else:
                self._report(ctx, node, None)  # a str or an unknown value: `not` would not invert it
                return
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


def _is_bool(ctx: FileContext, node: ast.AST) -> bool:
    """Whether ``node`` is provably a ``bool``, so that ``not`` inverts it."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, bool)
    if isinstance(node, (ast.Compare,)) or (isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not)):
        return True
    if isinstance(node, ast.BoolOp):
        return all(_is_bool(ctx, value) for value in node.values)
    if isinstance(node, ast.IfExp):
        return _is_bool(ctx, node.body) and _is_bool(ctx, node.orelse)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and len(node.args) == 1:
        return ctx.qualified_name(node.func) == "builtins.bool"
    return False


_WAIT = "raw accesses are being rewritten in this pass"


def _quoted_lines(text: str, key: str) -> list[int]:
    """Lines where ``key`` is spelt as a whole string literal ("KEY" or 'KEY')."""
    lines = []
    for quote in ('"', "'"):
        needle = f"{quote}{key}{quote}"
        start = text.find(needle)
        while start != -1:
            lines.append(text.count("\n", 0, start) + 1)
            start = text.find(needle, start + 1)
    return sorted(set(lines))


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
                        if problem != _WAIT:
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
        waiting = False
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
            quoted = _quoted_lines(data.decode("utf-8", errors="replace"), old)
            if quoted:
                rewritten = {
                    line
                    for f in self.chosen.get(path, ())
                    if f.code == "ENV001" and f.key == old
                    for line in range(f.line, f.end_line + 1)
                }
                missed = [line for line in quoted if line not in rewritten]
                if missed:
                    # No line number: lines move between passes, and the note is said once.
                    return {}, (
                        f"spelt as a string in {display_path(path)}, an access that would keep "
                        "the old name and meaning"
                    )
                waiting = True
            if not found:
                continue
            if path not in self.run_files:
                return {}, f"used in {display_path(path)}, outside this run"
            for finding in found:
                if finding.fix is None:
                    return {}, f"{display_path(path)}:{finding.line}: {_BLOCKER}"
            uses[path] = found
        if waiting:
            return {}, _WAIT
        return uses, None
