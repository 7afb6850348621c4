"""Where an unsafe rewrite goes, or whether there is none."""

from __future__ import annotations

import ast
from typing import Optional

from ...safety import differences
from .sites import _is_cast, _site_reader

_AGREEMENT_SAMPLES = {
    "bool": (("true", "1", "yes"), ("false", "0", "no")),
    "int": (("7",), ()),
    "float": (("0.5",), ()),
    "str": (("abc",), ()),
}


def _agrees(site, reader, kind: str) -> bool:
    """Whether a candidate computes *the value* (not something derived from it).

    For a bool it must map some true spelling to True and some false spelling
    to False, as the registry does (``== "1"`` does; ``not ...`` and ``!= "1"``
    invert); for other types it must give the registry's result for a value.
    """
    if reader is None:
        return False
    groups = _AGREEMENT_SAMPLES.get(kind, (("abc",), ()))
    return all(any(site(value).same_as(reader(value)) for value in group) for group in groups if group)


def _unsafe_target(ctx, access, candidates, reader, field) -> Optional[tuple[ast.AST, list[str]]]:
    """Where an unsafe rewrite goes, or None when no rewrite keeps the code's meaning.

    From the largest candidate inwards: a comparison or string method that
    computes the value (``os.getenv(K, "0") == "1"``) is replaced whole; a
    ``not`` that inverts it is kept (``not get_bool_env_var(K)`` becomes
    ``not envs.K.get()``); a comparison that uses the raw *string* some other
    way (``!= "1"``) cannot take a bool in its place, so there is no fix. Casts
    and the access itself always stand for the value.
    """
    for candidate in reversed(candidates):
        site = _site_reader(ctx, candidate, access.key)
        is_value = candidate is access.node or _is_cast(ctx, candidate)
        if is_value or (site is not None and _agrees(site, reader, field.kind)):
            diffs = differences(site, reader, access.key, field.kind) if site and reader else []
            return candidate, diffs
        if isinstance(candidate, ast.UnaryOp):
            continue  # keep the `not`, replace what it negates
        return None
    return None
