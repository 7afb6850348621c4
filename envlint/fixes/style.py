"""The code style a fixed file must keep: line length and import layout, read from the project.

``envlint fix`` output should pass the formatters the project already runs. The
settings that decide where an import goes and how long a line may be are read
from ``pyproject.toml`` at the project root:

* ``[tool.black] line-length``, else ``[tool.ruff] line-length``, else 88 (black's
  default) — the length of rewritten code lines;
* ``[tool.isort]`` (``line_length``, ``known_first_party``, ``known_third_party``,
  ``known_local_folder``, ``force_sort_within_sections``, ``force_single_line``,
  ``src_paths``), else ``[tool.ruff.lint.isort]`` / ``[tool.ruff.isort]`` (the same
  keys spelt with dashes) — where an added import goes. isort's ``profile =
  "black"`` is assumed throughout (one name per line in wrapped imports, trailing
  comma, parentheses); it is also what a project without any configuration gets,
  with line length 88 (sglang's and vLLM's wheels carry no ``pyproject.toml``).

First-party packages are the profile's package roots, the configured ones, and
every top-level package found in the source roots (isort's ``src_paths``
default is the project root, where it finds the package the same way).

A broken or odd ``pyproject.toml`` never stops a fix: unreadable settings fall
back to the defaults (``envlint``'s own configuration errors are reported by
``envlint.config``).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Optional

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

DEFAULT_LINE_LENGTH = 88


@dataclass(frozen=True)
class CodeStyle:
    """How fixed code must look to pass the project's black/isort (or ruff) settings."""

    line_length: int = DEFAULT_LINE_LENGTH
    import_line_length: int = DEFAULT_LINE_LENGTH
    first_party: frozenset[str] = frozenset()
    third_party: frozenset[str] = frozenset()
    local_folder: frozenset[str] = frozenset()
    force_sort_within_sections: bool = False
    force_single_line: bool = False


def _table(data: dict, *path: str) -> dict:
    for part in path:
        data = data.get(part) if isinstance(data, dict) else None
        if data is None:
            return {}
    return data if isinstance(data, dict) else {}


def _setting(tables: Iterable[dict], *names: str) -> Any:
    """The first value any of ``tables`` gives for one of ``names`` (``_``/``-`` spellings)."""
    for table in tables:
        for name in names:
            for spelling in (name, name.replace("_", "-")):
                if spelling in table:
                    return table[spelling]
    return None


def _positive_int(value: Any) -> Optional[int]:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _names(value: Any) -> frozenset[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return frozenset()
    return frozenset(v for v in value if isinstance(v, str))


def _top_level_packages(directory: Path) -> set[str]:
    """Packages and modules directly inside ``directory`` (what isort's src_paths finds)."""
    found = set()
    try:
        entries = list(directory.iterdir())
    except OSError:
        return found
    for entry in entries:
        name = entry.name
        if entry.suffix == ".py" and entry.stem.isidentifier():
            found.add(entry.stem)
        elif name.isidentifier() and entry.is_dir() and not name.startswith("."):
            if (entry / "__init__.py").is_file() or any(entry.glob("*.py")):
                found.add(name)
    return found


def read_style(
    root: Path,
    config_file: Optional[Path] = None,
    package_roots: Iterable[str] = (),
    src: Iterable[Path] = (),
) -> CodeStyle:
    """The project's style, from ``config_file`` (or ``root/pyproject.toml``)."""
    path = config_file or root / "pyproject.toml"
    data: dict = {}
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError):
        data = {}
    black = _table(data, "tool", "black")
    ruff = _table(data, "tool", "ruff")
    isort_tables = [
        _table(data, "tool", "isort"),
        _table(data, "tool", "ruff", "lint", "isort"),
        _table(data, "tool", "ruff", "isort"),
    ]
    code_length = (
        _positive_int(_setting([black], "line_length"))
        or _positive_int(_setting([ruff], "line_length"))
        or DEFAULT_LINE_LENGTH
    )
    import_length = (
        _positive_int(_setting(isort_tables[:1], "line_length"))
        or _positive_int(_setting([ruff], "line_length"))
        or code_length
    )
    first_party = set(package_roots) | set(_names(_setting(isort_tables, "known_first_party")))
    source_roots = [Path(p) for p in src] or [root]
    for value in _names(_setting(isort_tables, "src_paths", "src")):
        source_roots.append(root / value)
    for directory in source_roots:
        first_party |= _top_level_packages(directory)
    return CodeStyle(
        line_length=code_length,
        import_line_length=import_length,
        first_party=frozenset(first_party),
        third_party=_names(_setting(isort_tables, "known_third_party")),
        local_folder=_names(_setting(isort_tables, "known_local_folder")),
        force_sort_within_sections=_setting(isort_tables, "force_sort_within_sections") is True,
        force_single_line=_setting(isort_tables, "force_single_line") is True,
    )
