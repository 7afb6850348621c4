"""Fixes for ENV001: raw reads, presence checks, writes and deletes -> the registry API.

The rewrite target is chosen by proof, not by pattern: for a read, envlint
climbs from the raw access through the expressions that merely transform its
value (``int(...)``, ``.lower()``, ``== "1"``, ``not``) and replaces the
*largest* one whose replacement by ``envs.K.get()`` leaves the expression's
value the same for every value class (see ``envlint.safety``). ``int(os.getenv("K", "5")) > 0`` becomes
``envs.K.get() > 0``. When no candidate is equivalent the fix is unsafe and its
reason lists the values that would change.

Modules: ``sites`` (the candidates around a read and their models), ``reads``
(the read fix), ``implied`` (the descriptor a new key gets), ``unsafe`` (where an
unsafe rewrite goes), ``statements`` (presence checks, writes, deletes).
"""

from __future__ import annotations

from keyword import iskeyword
from typing import Optional

from ...accesses import RawAccess
from ...context import FileContext
from ...findings import Fix
from ...registry import Registry
from .reads import _read_fix
from .statements import _check_fix, _delete_fix, _write_fix


def access_fix(ctx: FileContext, access: RawAccess, registry: Optional[Registry], key: str) -> Optional[Fix]:
    """The fix for one ENV001 finding, or None when envlint cannot offer one."""
    if registry is None or not key.isidentifier() or iskeyword(key):
        return None  # envs.<key> must be an attribute name
    if (
        registry.style == "descriptor"
        and registry.fields.get(key) is not None
        and (ctx.project.canonical_name(key) is not None)
    ):
        return None  # a legacy SGL_ descriptor is itself to be renamed (ENV002)
    builder = {
        "read": _read_fix,
        "check": _check_fix,
        "write": _write_fix,
        "delete": _delete_fix,
    }[access.access]
    return builder(ctx, access, registry, key)
