"""Add and remove imports the way isort (profile black) would have written them.

A fix that introduces ``envs.K.get()`` needs ``from sglang.srt.environ import envs``;
one that replaces the last ``get_bool_env_var(...)`` leaves its import unused. This
package makes both edits as *text* edits on the import lines, so that

* every byte outside the import entries it adds or removes is unchanged (no
  blank line lost after ``from __future__ import annotations``, no comment moved);
* the new import lands where isort puts it: merged into an existing ``from
  <module> import ...`` when there is one, otherwise at its sorted place in its
  section (future, standard library, third party, first party, local), opening
  the section with a blank line when it is new — and always in an import block
  that runs before the code using it (never above a ``setattr(threading, ...)``
  that the imports after it depend on);
* a wrapped ``from`` import stays one name per line with a trailing comma, and a
  line that would grow past the import line length is wrapped that way.

Which imports became unused is known (the fix says which names it stopped
using), so nothing here walks the whole module with a codemod visitor (LibCST's
``RemoveImportsVisitor`` took 14 s of a 73 s run on sglang): one ``ast`` parse
finds the import statements and the names still read.

Modules: ``order`` (isort's sections and sort keys), ``text`` (positions, edits,
rendering), ``remove``, ``add``.
"""

from __future__ import annotations

import ast
from typing import Iterable, Optional

from ...findings import ImportRequest
from ..style import CodeStyle
from .add import _addition
from .order import _first_use
from .remove import _removal_edits
from .text import ImportEditError, _apply, _Lines, _newline

__all__ = ["ImportEditError", "update_imports"]


def update_imports(
    text: str,
    add: Iterable[ImportRequest],
    maybe_unused: Iterable[str],
    module: str,
    is_package: bool,
    protected: frozenset[str] = frozenset(),
    style: CodeStyle = CodeStyle(),
    touched: Iterable[tuple[int, int]] = (),
) -> str:
    """Add the imports a rewrite needs and drop the ones it left unused.

    ``touched`` are the (first, last) lines of the rewritten code: function-local
    imports are only considered there. ``protected`` names stay even when unused
    (other modules import them from this one); nothing is removed from an
    ``__init__.py`` (its imports may be public re-exports).
    """
    add = list(dict.fromkeys(add))
    unused = set(maybe_unused) - set(protected)
    if is_package:
        unused = set()
    if not add and not unused:
        return text
    touched = list(touched)
    anchor: Optional[int] = None
    anchor_gap = 0
    tree: Optional[ast.Module] = None
    if unused:
        tree = ast.parse(text)
        lines = _Lines(text)
        edits, anchors = _removal_edits(tree, lines, unused, touched, style)
        if edits:
            tree = None  # the text changes: parse again for the additions
            if anchors:
                first = anchors[0]
                shift = sum(len(e.text) - (e.end - e.start) for e in edits if e.start < first.start)
                newline = _newline(text)
                before = min(first.blank_before, first.kept)
                anchor = first.start + shift + before * len(newline)
                anchor_gap = max(0, first.blank_after - (first.kept - before))
            text = _apply(text, edits)
    if add:
        if tree is None:
            tree = ast.parse(text)
        lines = _Lines(text)
        for request in add:
            binding = request.asname or (request.name or request.module.partition(".")[0])
            limit = _first_use(tree, binding)
            edit = _addition(tree, lines, request, style, limit, anchor, anchor_gap)
            if edit is not None:
                text = _apply(text, [edit])
                anchor = None
                if request is not add[-1]:
                    tree = ast.parse(text)
                    lines = _Lines(text)
    return text
