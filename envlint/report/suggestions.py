"""Which fixes a review bot or code-scanning UI may offer as one-click replacements.

A suggestion is applied on its own, at one place. A fix that also edits a
registry (registering a new descriptor, renaming or inverting a flag across the
project) would leave the code broken if applied alone, so it is not offered;
``envlint fix`` applies those as a group. An import the replacement needs is
named in the note, and so is what an unsafe fix changes.
"""

from __future__ import annotations

from typing import Optional

from ..findings import Fix


def offered(fix: Optional[Fix]) -> Optional[Fix]:
    """``fix`` when its edits can be applied where they stand, else None."""
    if fix is None or fix.registry_edits or not fix.edits:
        return None
    return fix


def note(fix: Fix) -> str:
    """What a reviewer must know before accepting the replacement; "" when nothing."""
    parts = []
    if not fix.is_safe:
        parts.append(f"Unsafe fix: {fix.reason.rstrip('.')}." if fix.reason else "Unsafe fix.")
    if fix.add_imports:
        imports = ", ".join(f"`{request.statement()}`" for request in fix.add_imports)
        parts.append(f"Also add {imports}.")
    return " ".join(parts)
