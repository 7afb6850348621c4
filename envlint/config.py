"""``[tool.envlint]``: find it, validate it, and turn it into one frozen ``Config``.

Why strict validation: a misspelt key that is silently ignored is a linter that
silently checks something else than its user thinks. Every problem is a
``ConfigError`` with a one-line message naming the file; the CLI turns it into
exit code 2.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

from .autodetect import (
    DEFAULT_EXCLUDES,
    RegistrySpec,
    default_cli_sources,
    default_src,
    detect_profile,
    discover_registries,
    known_registry_at,
    registries_below,
)
from .paths import is_within, real_path
from .profiles import PROFILES, HelperSpec, KnownRegistry, Profile
from .suggest import did_you_mean

if TYPE_CHECKING:
    from .review.base import ReviewBase
from .source import DEFAULT_MAX_FILE_SIZE, SourceError, read_source_bytes

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python < 3.11 only
    import tomli as tomllib

STYLES = ("descriptor", "module")

class ConfigError(Exception):
    """Invalid configuration; ``str()`` is the one-line message shown to the user."""


@dataclass(frozen=True)
class Config:
    root: Path
    config_file: Optional[Path]
    profile: Profile
    registries: tuple[RegistrySpec, ...]
    owned_prefixes: tuple[str, ...]
    legacy_prefixes: tuple[tuple[str, str], ...]
    vendor_keys: tuple[str, ...]
    vendor_prefixes: tuple[str, ...]
    external_keys: tuple[str, ...]
    external_prefixes: tuple[str, ...]
    helpers: tuple[HelperSpec, ...]
    temp_set_env: tuple[str, ...]
    package_roots: tuple[str, ...]
    flag_writes: bool
    src: tuple[Path, ...]
    exclude: tuple[str, ...]
    select: tuple[str, ...] = ("ENV",)
    ignore: tuple[str, ...] = ()
    registries_configured: bool = False
    src_configured: bool = False
    root_marked: bool = True
    owned_prefixes_configured: bool = False
    # (normalized glob, code prefixes): see envlint.perfile
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # registry review: Rule 4's verbs, and the files defining the CLI flags
    boolean_verbs: tuple[str, ...] = ()
    cli_flag_sources: tuple[Path, ...] = ()
    cli_sources_configured: bool = False
    # the registries to compare with (--diff-base / --registry-base); a run input,
    # so kept out of repr() (the cache fingerprint) and of equality
    review: Optional["ReviewBase"] = field(default=None, repr=False, compare=False)
    max_file_size: int = DEFAULT_MAX_FILE_SIZE

    def with_discovered_registries(self, files: list[Path]) -> "Config":
        """Add known registry files found *below* the linted paths.

        The ancestor search in ``discover_registries`` finds a registry above or
        beside the linted path; this finds one nested deeper (a monorepo with
        ``third_party/sglang/python/sglang/srt/environ.py``), using the file
        list the run walks anyway. No-op when registries are configured.
        """
        if self.registries_configured:
            return self
        known = {spec.path for spec in self.registries}
        extra = []
        tails = tuple(entry.relative_path.rpartition("/")[2] for entry in self.profile.known_registries)
        for path in files:
            if path.name not in tails:
                continue  # cheap test first: resolve() only the few candidates
            resolved = real_path(path)
            spec = known_registry_at(resolved, self.profile)
            if spec is not None and resolved not in known:
                known.add(resolved)
                extra.append(spec)
        if not extra:
            return self
        registries = self.registries + tuple(extra)
        src = self.src if self.src_configured else default_src(self.root, registries, self.root_marked)
        cli_sources = self.cli_flag_sources
        if not self.cli_sources_configured:
            cli_sources = default_cli_sources(self.profile, src)
        return replace(self, registries=registries, src=src, cli_flag_sources=cli_sources)


# -- locating the configuration ----------------------------------------------------


def _read_toml(path: Path) -> dict:
    """A ``pyproject.toml``, every way it can be broken turned into one ``ConfigError`` line."""
    try:
        text = read_source_bytes(path).decode("utf-8")
        return tomllib.loads(text)
    except SourceError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        raise ConfigError(f"{path}: invalid TOML: not UTF-8 ({exc.reason}, line {line})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{path}: invalid TOML: values nested too deeply to read") from None


def find_project(start: Path) -> tuple[Path, Optional[Path], dict, bool]:
    """Walk up from ``start`` to the nearest ``pyproject.toml`` with ``[tool.envlint]``.

    Returns (project root, that pyproject or None, the table, whether the root
    is marked). Without one, the root is the nearest directory holding a
    ``pyproject.toml`` or ``.git`` (marked), else ``start`` itself (unmarked: it
    says nothing about where module names begin).
    """
    start = real_path(start)
    first = start if start.is_dir() else start.parent
    fallback: Optional[Path] = None
    for directory in (first, *first.parents):
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            data = _read_toml(candidate)
            tool = data.get("tool", {})
            if not isinstance(tool, dict):
                raise ConfigError(f"{candidate}: [tool] must be a table")
            table = tool.get("envlint")
            if table is not None:
                if not isinstance(table, dict):
                    raise ConfigError(f"{candidate}: [tool.envlint] must be a table")
                return directory, candidate, table, True
            if fallback is None:
                fallback = directory
        elif fallback is None and (directory / ".git").exists():
            fallback = directory
    return (fallback or first), None, {}, fallback is not None


# -- validation helpers ---------------------------------------------------------------

_KNOWN_KEYS = {
    "profile",
    "registries",
    "src",
    "exclude",
    "extend-exclude",
    "select",
    "ignore",
    "owned-prefixes",
    "legacy-prefixes",
    "vendor-keys",
    "vendor-prefixes",
    "external-keys",
    "external-prefixes",
    "extend-external-keys",
    "extend-external-prefixes",
    "helpers",
    "temp-set-env",
    "package-roots",
    "flag-writes",
    "per-file-ignores",
    "boolean-verbs",
    "cli-flag-sources",
    "max-file-size",
}


def _no_unknown_keys(where: str, table: str, entry: dict, known: set[str]) -> None:
    unknown = sorted(set(entry) - known)
    if unknown:
        raise ConfigError(
            f"{where}: {table}: unknown key {unknown[0]!r}{did_you_mean(unknown[0], sorted(known))}"
        )


def _string_list(where: str, key: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: '{key}' must be a list of strings")
    return tuple(value)


def _path_in_root(where: str, root: Path, key: str, value: str) -> Path:
    """A configured path, resolved; it must stay inside the project root.

    envlint reads registries and may rewrite them (``fix``): a configuration
    that points outside the root (``..``, an absolute path, a symlink that
    leads out) would let a checked-out repository make envlint touch files it
    does not own. ``root`` is already a real path.
    """
    if "\0" in value:
        raise ConfigError(f"{where}: {key} {value!r} contains a NUL byte")
    path = real_path(root / value)
    if not is_within(path, root):
        raise ConfigError(f"{where}: {key} {value!r} is outside the project root {root}")
    return path


def _module_from_path(path: Path, src_roots: tuple[Path, ...]) -> str:
    from .modules import module_name

    return module_name(path, src_roots)


def _parse_registries(
    where: str, root: Path, value: Any, src: tuple[Path, ...]
) -> tuple[RegistrySpec, ...]:
    if not isinstance(value, list):
        raise ConfigError(f"{where}: 'registries' must be a list")
    specs = []
    for entry in value:
        if isinstance(entry, str):
            entry = {"path": entry}
        if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
            raise ConfigError(
                f"{where}: each registry is a path or a table with a 'path' string"
            )
        _no_unknown_keys(where, "registry", entry, {"path", "style", "module"})
        path = _path_in_root(where, root, "registry", entry["path"])
        if not path.is_file():
            raise ConfigError(f"{where}: registry {entry['path']!r} does not exist")
        style = entry.get("style")
        if style is None:
            from .registry import detect_style
            from .source import SourceError

            try:
                style = detect_style(path)
            except SourceError as exc:
                raise ConfigError(f"{where}: registry {entry['path']!r}: {exc}") from None
            if style is None:
                raise ConfigError(
                    f"{where}: registry {entry['path']!r} defines neither an EnvField "
                    "class nor an environment_variables dict; set 'style'"
                )
        if style not in STYLES:
            raise ConfigError(
                f"{where}: registry style must be one of {', '.join(STYLES)}, not {style!r}"
            )
        module = entry.get("module")
        if module is not None and not isinstance(module, str):
            raise ConfigError(f"{where}: registry 'module' must be a string")
        specs.append(
            RegistrySpec(path=path, style=style, module=module or _module_from_path(path, src))
        )
    return tuple(specs)


def _parse_helpers(where: str, value: Any) -> tuple[HelperSpec, ...]:
    if not isinstance(value, list):
        raise ConfigError(f"{where}: 'helpers' must be a list of tables")
    helpers = []
    for entry in value:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise ConfigError(f"{where}: each helper is a table with a 'name' string")
        _no_unknown_keys(where, "helper", entry, {"name", "kind", "packages", "semantics"})
        kind = entry.get("kind", "bool")
        if kind not in ("bool", "int"):
            raise ConfigError(f"{where}: helper kind must be 'bool' or 'int', not {kind!r}")
        packages = _string_list(where, "helpers.packages", entry.get("packages", []))
        semantics = entry.get("semantics")
        from .safety import HELPER_MODELS

        if semantics is not None and (not isinstance(semantics, str) or semantics not in HELPER_MODELS):
            raise ConfigError(
                f"{where}: helper semantics must be one of {', '.join(sorted(HELPER_MODELS))}"
            )
        helpers.append(HelperSpec(entry["name"], kind, packages, semantics))
    return tuple(helpers)


def _parse_per_file_ignores(where: str, root: Path, value: Any) -> tuple:
    """``{"tests/*" = ["ENV001"]}`` -> ((normalized pattern, codes), ...), in file order."""
    from .perfile import normalize_pattern

    if not isinstance(value, dict):
        raise ConfigError(
            f"{where}: 'per-file-ignores' must be a table of glob = [codes], "
            'e.g. {"tests/*" = ["ENV001"]}'
        )
    rules = []
    for pattern, codes in value.items():
        codes = _string_list(where, f"per-file-ignores.{pattern}", codes)
        rules.append((normalize_pattern(pattern, root), tuple(c.strip() for c in codes)))
    return tuple(rules)


def load_config(paths: list[Path], overrides: Optional[dict] = None) -> Config:
    """Build the run's configuration for the given linted paths."""
    start = paths[0] if paths else Path(".")
    root, config_file, table, root_marked = find_project(start)
    where = str(config_file) if config_file else "[tool.envlint]"
    _no_unknown_keys(where, "[tool.envlint]", table, _KNOWN_KEYS)

    profile_name = table.get("profile")
    if profile_name is not None and (not isinstance(profile_name, str) or profile_name not in PROFILES):
        hint = did_you_mean(profile_name, sorted(PROFILES)) if isinstance(profile_name, str) else ""
        raise ConfigError(
            f"{where}: unknown profile {profile_name!r}{hint} (known: {', '.join(sorted(PROFILES))})"
        )

    def strings(key: str, default: tuple[str, ...]) -> tuple[str, ...]:
        return _string_list(where, key, table[key]) if key in table else default

    src = tuple(_path_in_root(where, root, "src", s) for s in strings("src", ()))
    src_configured = bool(src)
    registries_configured = "registries" in table
    configured = _parse_registries(where, root, table["registries"], src) if registries_configured else ()
    profile = PROFILES[profile_name] if profile_name else detect_profile(root, paths, configured)
    if registries_configured:
        registries = configured
    else:
        registries = discover_registries(profile, root, paths)
    exclude = DEFAULT_EXCLUDES + strings("extend-exclude", ())
    if "exclude" in table:
        exclude = strings("exclude", ()) + strings("extend-exclude", ())
    if not registries_configured and not registries:
        registries = registries_below(profile, root, exclude)
    if not src:
        src = default_src(root, registries, root_marked)

    legacy = profile.legacy_prefixes
    if "legacy-prefixes" in table:
        value = table["legacy-prefixes"]
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):
            raise ConfigError(f"{where}: 'legacy-prefixes' must map legacy to canonical prefix")
        legacy = tuple(value.items())

    flag_writes = table.get("flag-writes", profile.flag_writes)
    if not isinstance(flag_writes, bool):
        raise ConfigError(f"{where}: 'flag-writes' must be true or false")
    max_file_size = table.get("max-file-size", DEFAULT_MAX_FILE_SIZE)
    if isinstance(max_file_size, bool) or not isinstance(max_file_size, int) or max_file_size < 1:
        raise ConfigError(f"{where}: 'max-file-size' must be a positive number of bytes")

    if "cli-flag-sources" in table:
        cli_flag_sources = []
        for entry in strings("cli-flag-sources", ()):
            path = _path_in_root(where, root, "cli-flag-sources", entry)
            if not path.exists():
                raise ConfigError(f"{where}: cli-flag-sources: {entry!r} does not exist")
            cli_flag_sources.append(path)
        cli_sources = tuple(cli_flag_sources)
    else:
        cli_sources = default_cli_sources(profile, src)

    config = Config(
        root=root,
        config_file=config_file,
        profile=profile,
        registries=registries,
        owned_prefixes=strings("owned-prefixes", profile.owned_prefixes),
        owned_prefixes_configured="owned-prefixes" in table,
        legacy_prefixes=legacy,
        vendor_keys=strings("vendor-keys", profile.vendor_keys),
        vendor_prefixes=strings("vendor-prefixes", profile.vendor_prefixes),
        external_keys=strings("external-keys", profile.external_keys)
        + strings("extend-external-keys", ()),
        external_prefixes=strings("external-prefixes", profile.external_prefixes)
        + strings("extend-external-prefixes", ()),
        helpers=_parse_helpers(where, table["helpers"]) if "helpers" in table else profile.helpers,
        temp_set_env=strings("temp-set-env", profile.temp_set_env),
        package_roots=strings("package-roots", profile.package_roots),
        flag_writes=flag_writes,
        src=src,
        exclude=exclude,
        select=strings("select", ("ENV",)),
        ignore=strings("ignore", ()),
        registries_configured=registries_configured,
        src_configured=src_configured,
        root_marked=root_marked,
        per_file_ignores=_parse_per_file_ignores(where, root, table["per-file-ignores"])
        if "per-file-ignores" in table
        else (),
        boolean_verbs=strings("boolean-verbs", profile.boolean_verbs),
        cli_flag_sources=cli_sources,
        cli_sources_configured="cli-flag-sources" in table,
        max_file_size=max_file_size,
    )
    if overrides:
        config = replace(config, **overrides)
    return config


__all__ = [
    "Config",
    "ConfigError",
    "KnownRegistry",
    "RegistrySpec",
    "discover_registries",
    "find_project",
    "load_config",
]
