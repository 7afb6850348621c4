"""Exact models of the registry read (``envs.K.get()``) and of sglang's env helpers."""

from __future__ import annotations

from typing import Any, Callable, Optional

from ..registry import Field
from ..registry.verification import GET_DEFAULT_ON_INVALID, GET_RAISES_ON_INVALID
from .outcomes import Outcome, Reader
from .values import BOOL_FALSE, BOOL_TRUE


def _parse_bool(value: str) -> bool:
    value = value.lower()
    if value in BOOL_TRUE:
        return True
    if value in BOOL_FALSE:
        return False
    raise ValueError(value)


_PARSERS: dict[str, Callable[[str], Any]] = {
    "EnvBool": _parse_bool,
    "EnvInt": int,
    "EnvFloat": float,
    "EnvStr": str,
}


def descriptor_reader(
    field: Field,
    verified: frozenset[str] = frozenset(_PARSERS),
    get_semantics: Optional[str] = GET_DEFAULT_ON_INVALID,
) -> tuple[Optional[Reader], Optional[str]]:
    """(model of ``envs.K.get()``, None) or (None, why it cannot be modelled).

    ``verified``: the descriptor classes whose ``parse`` in this registry was
    checked to be sglang's (see ``registry.verified_parsers``); ``get_semantics``:
    what this registry's ``EnvField.get`` does with a value ``parse`` rejects
    (``registry.get_semantics``; None when its code is not one envlint models).
    """
    if get_semantics not in (GET_DEFAULT_ON_INVALID, GET_RAISES_ON_INVALID):
        return None, "EnvField.get in this registry is not the code envlint models"
    parse = _PARSERS.get(field.descriptor or "")
    if parse is None:
        if field.alias:
            return None, f"{field.name} also reads its deprecated alias {field.alias}"
        return None, f"{field.descriptor} parses values its own way"
    if field.descriptor not in verified:
        return None, f"{field.descriptor}.parse in this registry is not the parser envlint models"
    if not field.default_is_literal or not field.default_is_plain:
        return None, f"the default of {field.name} is not a plain literal ({field.default_source})"
    default = field.default

    def read(value: Optional[str]) -> Outcome:
        if value is None:
            return Outcome(value=default)
        try:
            return Outcome(value=parse(value))
        except ValueError:
            if get_semantics == GET_RAISES_ON_INVALID:
                return Outcome(raised="ValueError")
            return Outcome(value=default)  # sglang warns and falls back to the default

    return read, None


def _srt_bool(env: dict, name: str, default: Any = "false") -> bool:
    value = env.get(name, default)
    value = value.lower()
    return value in ("true", "1")


def _srt_int(env: dict, name: str, default: Any = 0) -> Any:
    value = env.get(name)
    if value is None or not value.strip():
        return default
    try:
        return int(value)
    except ValueError:
        return default


def _diffusion_bool(env: dict, name: str, default: Any = "false") -> bool:
    value = str(env.get(name, default)).strip().lower()
    return value in {"1", "true", "yes", "y", "t", "on"}


# Semantics ids a HelperSpec can name, with the exact behaviour of sglang's helpers.
HELPER_MODELS: dict[str, Callable[..., Any]] = {
    "sglang-srt-bool": _srt_bool,
    "sglang-srt-int": _srt_int,
    "sglang-diffusion-bool": _diffusion_bool,
}
