"""One cached result as stored text: sealed with a checksum, checked against a schema on the way out.

Why: the cache is a file on disk that other processes, disks and people can
damage. A damaged entry must never crash a run nor change what it reports, so
an entry is believed only when

* its checksum (sha256 over the run fingerprint, the entry key and the JSON
  text) matches: a flipped byte anywhere in the row, or a row copied under
  another key, is detected;
* its JSON has exactly the shape ``encode_result`` writes, every field of the
  right type, derived from the dataclasses in ``envlint.findings`` so a new
  field cannot be forgotten here.

Anything else is a cache miss: the file is checked again and the entry
rewritten. The checksum is not a signature: it detects damage, not a
deliberate forgery by someone who can write the cache and knows the
fingerprint (which includes envlint's own file times, see ``envlint.cache``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import typing
from functools import lru_cache
from typing import Optional, Union

from .findings import Edit, Finding, Fix, ImportRequest, RegistryEdit

_CHECK_LENGTH = 32  # hex digits of sha256 kept: 128 bits, far beyond chance collisions
_RESULT_KEYS = frozenset({"raw", "checked", "error", "parsed"})


class DamagedEntry(Exception):
    """A stored entry that is not exactly what envlint wrote; treated as a cache miss."""


def checksum(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.hexdigest()[:_CHECK_LENGTH]


def seal(fingerprint: str, key: str, result: dict) -> str:
    """The text stored for ``result``: its checksum, then its JSON."""
    text = json.dumps(result, separators=(",", ":"))
    return checksum(fingerprint, key, text) + text


def unseal(fingerprint: str, key: str, stored: object, validate: "typing.Callable[[object], None] | None" = None) -> dict:
    """The entry stored under ``key``; ``DamagedEntry`` unless intact and well-formed.

    ``validate`` checks the entry's shape (default: a file result, ``validate_result``);
    other entries (the project summary) bring their own."""
    if not isinstance(stored, str) or len(stored) <= _CHECK_LENGTH:
        raise DamagedEntry("not an envlint entry")
    check, text = stored[:_CHECK_LENGTH], stored[_CHECK_LENGTH:]
    if checksum(fingerprint, key, text) != check:
        raise DamagedEntry("checksum mismatch")
    try:
        result = json.loads(text)
    except (ValueError, RecursionError):
        raise DamagedEntry("not JSON") from None
    (validate or validate_result)(result)
    return result


# -- the schema ------------------------------------------------------------------------------


@lru_cache(maxsize=None)
def _layout(cls: type, omitted: tuple[str, ...]) -> tuple[tuple[tuple[str, object], ...], frozenset]:
    """(field name and type pairs, the set of names) of a dataclass, minus ``omitted``."""
    hints = typing.get_type_hints(cls)
    fields = tuple((f.name, hints[f.name]) for f in dataclasses.fields(cls) if f.name not in omitted)
    return fields, frozenset(name for name, _ in fields)


def _check(hint: object, value: object) -> None:
    """``value`` (parsed JSON) is what ``dataclasses.asdict`` + JSON make of type ``hint``."""
    _checker(hint)(value)


@lru_cache(maxsize=None)
def _checker(hint: object):
    """A function validating one JSON value against ``hint``, built once per type."""
    origin = typing.get_origin(hint)
    if origin is Union:
        inner = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        if len(inner) != 1:
            raise TypeError(f"unsupported type {hint}")
        check_inner = _checker(inner[0])

        def optional(value: object) -> None:
            if value is not None:
                check_inner(value)

        return optional
    if origin is tuple:
        args = typing.get_args(hint)
        if len(args) != 2 or args[1] is not Ellipsis:
            raise TypeError(f"unsupported type {hint}")
        check_item = _checker(args[0])

        def sequence(value: object) -> None:
            if not isinstance(value, list):
                raise DamagedEntry("expected a list")
            for item in value:
                check_item(item)

        return sequence
    if dataclasses.is_dataclass(hint):
        return lambda value: _check_record(hint, value, ())
    if hint in (int, bool, str):

        def exact(value: object) -> None:
            if type(value) is not hint:  # bool is not an int here, nor an int a bool
                raise DamagedEntry(f"expected {hint.__name__}")

        return exact
    raise TypeError(f"unsupported type {hint}")


def _check_record(cls: type, value: object, omitted: tuple[str, ...]) -> None:
    if not isinstance(value, dict):
        raise DamagedEntry(f"{cls.__name__}: expected an object")
    fields, names = _layout(cls, omitted)
    if value.keys() != names:
        raise DamagedEntry(f"{cls.__name__}: wrong keys")
    for name, hint in fields:
        _check(hint, value[name])


def validate_result(result: object) -> None:
    """Raise ``DamagedEntry`` unless ``result`` has exactly the shape ``encode_result`` gives."""
    if not isinstance(result, dict) or set(result) != _RESULT_KEYS:
        raise DamagedEntry("wrong keys")
    raw, checked = result["raw"], result["checked"]
    if not isinstance(raw, list) or not isinstance(checked, list):
        raise DamagedEntry("raw and checked must be lists")
    for item in raw:
        _check_record(Finding, item, ("path",))
    if any(type(index) is not int or not 0 <= index < len(raw) for index in checked):
        raise DamagedEntry("checked must index raw")
    if result["error"] is not None and type(result["error"]) is not str:
        raise DamagedEntry("error must be a string")
    if type(result["parsed"]) is not bool:
        raise DamagedEntry("parsed must be a bool")


# -- (de)serialising results ---------------------------------------------------------------


def _finding_to_dict(finding: Finding) -> dict:
    data = dataclasses.asdict(finding)
    data.pop("path")
    return data


def _fix_from_dict(data: Optional[dict]) -> Optional[Fix]:
    if data is None:
        return None
    return Fix(
        applicability=data["applicability"],
        description=data["description"],
        edits=tuple(Edit(**e) for e in data["edits"]),
        reason=data["reason"],
        add_imports=tuple(ImportRequest(**i) for i in data["add_imports"]),
        maybe_unused=tuple(data["maybe_unused"]),
        registry_edits=tuple(RegistryEdit(**r) for r in data["registry_edits"]),
    )


def _finding_from_dict(data: dict, path: str) -> Finding:
    return Finding(
        path=path,
        line=data["line"],
        column=data["column"],
        code=data["code"],
        end_line=data["end_line"],
        end_column=data["end_column"],
        message=data["message"],
        key=data["key"],
        fix=_fix_from_dict(data["fix"]),
        snippet=data["snippet"],
    )


def encode_result(
    raw: list[Finding], checked: list[Finding], error: Optional[str], parsed: bool
) -> dict:
    """``raw``: before ``# noqa`` (flake8 applies its own); ``checked``: after (envlint check).

    ``checked`` holds the very objects of ``raw``: positions are found by identity,
    in linear time (``raw.index`` made a file with 20,000 findings quadratic).
    """
    position = {id(finding): index for index, finding in enumerate(raw)}
    return {
        "raw": [_finding_to_dict(f) for f in raw],
        "checked": [position[id(f)] if id(f) in position else raw.index(f) for f in checked],
        "error": error,
        "parsed": parsed,
    }


def decode_findings(result: dict, path: str) -> tuple[list[Finding], list[Finding]]:
    """(findings before noqa, findings after noqa) of a result ``unseal`` accepted."""
    raw = [_finding_from_dict(item, path) for item in result["raw"]]
    return raw, [raw[index] for index in result["checked"]]
