"""The one fix a legacy ``SGL_*`` key in a string literal gets, shared by ENV001 and ENV002.

A raw access of a legacy key is one problem reported once (by ENV001, which
owns raw accesses); when ENV001 has no registry rewrite to offer, it carries
this fix, which ENV002 offered before the two findings were merged.
"""

from __future__ import annotations

import ast
from typing import Optional

from ..context import FileContext
from ..findings import UNSAFE, Fix
from ..fixes.common import node_edit


def legacy_literal_fix(ctx: FileContext, node: ast.AST, key: str, canonical: str) -> Optional[Fix]:
    """Rename the key inside the string literal ``node`` (unsafe: it reads another variable)."""
    if not isinstance(node, ast.Constant):
        return None
    text = ctx.source.segment(node)
    return Fix(
        applicability=UNSAFE,
        description=f"Replace with {text.replace(key, canonical)}",
        edits=(node_edit(ctx, node, text.replace(key, canonical)),),
        reason=f"reads {canonical} instead of {key}; they agree only after the "
        "registry converted legacy variables at import",
    )
