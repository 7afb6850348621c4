"""Everything a run knows before looking at the first file: config, registries, key policy.

Loaded once per process (``envlint check``, each flake8 worker) and shared by
every file, so no registry is ever re-parsed per file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Optional

from .config import Config, ConfigError
from .paths import real_path
from .registry import Registry, parse_registry
from .source import SourceError, SourceFile, read_source_bytes

if TYPE_CHECKING:
    from .review.changes import RegistryChanges
    from .review.cliflags import CliFlag


_PREFIX = re.compile(r"^([A-Z][A-Z0-9]*_)[A-Z0-9]")


def infer_owned_prefixes(registries: list[Registry], config: Config) -> tuple[str, ...]:
    """The prefixes a registry owns, read from its keys (the generic profile).

    A first token (``MYAPP_``) that at least half of the registered keys share,
    and at least two: then ``os.getenv("MYAPP_NEW")`` is a raw read of an owned
    variable even before it is registered. External prefixes never count.
    """
    keys = [key for registry in registries for key in registry.fields]
    counts: dict[str, int] = {}
    for key in keys:
        match = _PREFIX.match(key)
        if match and not match.group(1).startswith(config.external_prefixes):
            counts[match.group(1)] = counts.get(match.group(1), 0) + 1
    return tuple(sorted(p for p, n in counts.items() if n >= 2 and 2 * n >= len(keys)))

if TYPE_CHECKING:
    from .summaries import ProjectSummary


@dataclass
class Project:
    config: Config
    registries: list[Registry]
    load_errors: list[tuple[Path, str]] = field(default_factory=list)
    _changes: dict[str, Optional["RegistryChanges"]] = field(default_factory=dict, repr=False)
    # Directories discovery could not list (set by runner.prepare): reported, never skipped.
    discovery_errors: list[tuple[Path, str]] = field(default_factory=list)
    _shown: dict[Path, str] = field(default_factory=dict, repr=False, compare=False)
    # Keep the project summary in ``.envlint_cache`` (set by ``envlint check`` and flake8).
    summary_cache: bool = False
    _summary: Optional["ProjectSummary"] = field(default=None, repr=False, compare=False)
    # (the directories a run was given, as (spelt, resolved); the files it discovered): the
    # summary reuses that walk for the packages it covers (summaries.build.summary_files).
    discovered: Optional[tuple[list[tuple[str, str]], list[Path]]] = field(
        default=None, repr=False, compare=False
    )
    summary_key: Optional[str] = field(default=None, repr=False, compare=False)

    @classmethod
    def load(cls, config: Config, contents: Optional[dict[Path, bytes]] = None) -> "Project":
        """Parse the configured registries; ``contents`` overrides files being rewritten."""
        registries, errors = [], []
        for spec in config.registries:
            try:
                if contents and spec.path in contents:
                    source = SourceFile.from_bytes(spec.path, contents[spec.path])
                else:
                    source = SourceFile.read(spec.path, config.max_file_size)
                registries.append(parse_registry(spec.path, spec.style, spec.module, source))
            except SourceError as exc:
                if config.registries_configured:
                    # The configuration points at it: a configuration error (exit 2).
                    where = config.config_file or "[tool.envlint]"
                    try:
                        shown = spec.path.relative_to(config.root).as_posix()
                    except ValueError:
                        shown = str(spec.path)
                    raise ConfigError(f"{where}: registry '{shown}': {exc}") from None
                errors.append((spec.path, f"registry not loaded: {exc}"))
        if config.profile.infer_owned_prefixes and not config.owned_prefixes_configured:
            config = replace(config, owned_prefixes=infer_owned_prefixes(registries, config))
        return cls(config=config, registries=registries, load_errors=errors)

    # -- registries ------------------------------------------------------------------

    def registry_named(self, qualified_name: Optional[str]) -> Optional[Registry]:
        """The registry an expression resolving to ``qualified_name`` refers to: its
        instance (``sglang.srt.environ.envs``), module, or class (``...environ.Envs``)."""
        if qualified_name is None:
            return None
        for registry in self.registries:
            if qualified_name == registry.qualified_name:
                return registry
        for registry in self.registries:
            if qualified_name == registry.class_qualified_name:
                return registry
        return None

    def governing_registry(self, module: str) -> Optional[Registry]:
        """Where a new key read by ``module`` belongs: the innermost registry package.

        Files under ``sglang.multimodal_gen`` belong to its module-style registry,
        everything else to the descriptor registry (``sglang.srt.environ``).
        """
        best: Optional[Registry] = None
        for registry in self.registries:
            package = registry.package
            if package and (module == package or module.startswith(package + ".")):
                if best is None or len(package) > len(best.package):
                    best = registry
        if best is not None:
            return best
        descriptors = [r for r in self.registries if r.style == "descriptor"]
        return descriptors[0] if descriptors else (self.registries[0] if self.registries else None)

    def renamed_to(self, key: str) -> Optional[tuple[Registry, str]]:
        """(registry, current name) when ``key`` is a deprecated name of a registered key.

        Both a ``*WithAlias(deprecated_name=...)`` descriptor and a deprecation
        entry with a replacement (``_DEPRECATED_ENVS`` / ``_print_deprecated_env``)
        make ``key`` a deprecated spelling of another variable.
        """
        for registry in self.registries:
            for entry in registry.fields.values():
                if entry.alias == key:
                    return registry, entry.name
            replacement = registry.deprecations.get(key)
            if replacement and replacement in registry.fields:
                return registry, replacement
        return None

    def registry_for_key(self, key: str, module: str) -> Optional[Registry]:
        """The registry holding ``key``; when several do, the one governing ``module``."""
        holders = [r for r in self.registries if key in r.fields]
        if not holders:
            return None
        if len(holders) == 1:
            return holders[0]
        governing = self.governing_registry(module)
        return governing if governing in holders else holders[0]

    def shown(self, path: Path) -> str:
        """A path as messages show it: relative to the project root.

        Not to the working directory: findings are cached, and a message must
        read the same whichever directory envlint or flake8 runs from. Memoized:
        messages name a registry once per finding.
        """
        shown = self._shown.get(path)
        if shown is None:
            try:
                shown = real_path(path).relative_to(real_path(self.config.root)).as_posix()
            except ValueError:
                shown = path.as_posix()
            self._shown[path] = shown
        return shown

    # -- registry review ---------------------------------------------------------------

    def registry_changes(self, registry: Registry) -> Optional["RegistryChanges"]:
        """How ``registry`` changed since the review base; None without a base for it.

        Computed once per run and registry (several rules ask).
        """
        base = self.config.review
        if base is None or not base.knows(registry.module):
            return None
        if registry.module not in self._changes:
            from .review.changes import compare
            from .review.snapshot import registry_state

            others = [r for r in self.registries if r.module != registry.module]

            def elsewhere(key: str) -> Optional[str]:
                return next((r.module for r in others if key in r.fields), None)

            self._changes[registry.module] = compare(
                base.snapshot.registries.get(registry.module),
                registry_state(registry, self.config.root),
                base.moves,
                elsewhere,
                self.canonical_name,
            )
        return self._changes[registry.module]

    @cached_property
    def _cli(self) -> tuple[dict[str, "CliFlag"], list[tuple[Path, str]]]:
        from .review.cliflags import read_flags

        return read_flags(self.config.cli_flag_sources)

    @property
    def cli_flags(self) -> dict[str, "CliFlag"]:
        """The project's command-line flags by dest (``grpc_port``), read once per process."""
        return self._cli[0]

    @cached_property
    def registry_file_bytes(self) -> tuple[bytes, ...]:
        """Each configured registry's bytes as on disk (b"" when unreadable), read once:
        the result cache's and the project summary's fingerprints both hash them."""
        contents = []
        for spec in self.config.registries:
            try:
                contents.append(read_source_bytes(spec.path, self.config.max_file_size))
            except SourceError:
                contents.append(b"")
        return tuple(contents)

    @cached_property
    def review_inputs_digest(self) -> str:
        """What registry files' findings depend on beyond the registries themselves: the
        review base and the CLI flag sources (their bytes; reading them is cheap)."""
        import hashlib

        from .review.cliflags import source_files

        digest = hashlib.sha256()
        review = self.config.review
        digest.update((review.digest if review is not None else "").encode())
        for path in source_files(self.config.cli_flag_sources):
            try:
                digest.update(read_source_bytes(path, self.config.max_file_size))
            except SourceError:
                digest.update(b"<unreadable>")
        return digest.hexdigest()

    # -- key policy --------------------------------------------------------------------

    def is_external(self, key: str) -> bool:
        config = self.config
        return key in config.external_keys or key.startswith(config.external_prefixes)

    def is_vendor(self, key: str) -> bool:
        config = self.config
        return key in config.vendor_keys or key.startswith(config.vendor_prefixes)

    def is_owned(self, key: str) -> bool:
        """Owned keys must go through a registry; external keys are read raw.

        Vendor aliases win over external prefixes (``HF_HUB_DISABLE_XET`` is owned
        although ``HF_HUB_*`` is external); external keys win over registration
        (``LOCAL_RANK`` stays raw even though a registry lists it).
        """
        if self.is_vendor(key):
            return True
        if self.is_external(key):
            return False
        if key.startswith(self.config.owned_prefixes):
            return True
        return any(key in r.fields for r in self.registries)

    def canonical_name(self, key: str) -> Optional[str]:
        """``SGLANG_X`` for a legacy ``SGL_X`` key; None when ``key`` is not legacy."""
        for legacy, canonical in self.config.legacy_prefixes:
            if key.startswith(legacy) and not key.startswith(canonical):
                return canonical + key[len(legacy):]
        return None

    # -- the project-wide analysis -------------------------------------------------------

    @property
    def summary(self) -> "ProjectSummary":
        """Wrappers and key constants of the whole project (``envlint.summaries``).

        Built on first use, so a run that never needs it (a few files without
        any environment access) never reads the rest of the project.
        """
        if self._summary is None:
            from .summaries.build import build_summary

            self._summary = build_summary(self, self.summary_cache)
        return self._summary

    @property
    def has_summary(self) -> bool:
        return self._summary is not None

    def adopt_summary(self, summary: "ProjectSummary") -> None:
        """Use a summary computed elsewhere (a cold run builds it from its own parse)."""
        self._summary = summary

    @cached_property
    def evidence_check(self) -> Callable[[bytes], bool]:
        """Whether a file's bytes show any environment use (``summaries.evidence``)."""
        from .summaries.evidence import evidence_pattern

        search = evidence_pattern(self).search
        return lambda data: search(data) is not None

    @cached_property
    def definition_check(self) -> Callable[[bytes], Optional[str]]:
        """What a module's bytes may define: "parse", "scan" or None (``summaries.evidence``)."""
        from .summaries.evidence import definition_test

        return definition_test(self)

    @cached_property
    def registry_use_check(self) -> Callable[[bytes], bool]:
        """The byte-level proof ENV004 and ENV006 share (``envlint.registry_uses``), built once."""
        from .registry_uses import uses_need_parsing

        return uses_need_parsing(self)

    def owned_tokens(self) -> tuple[str, ...]:
        """Byte-level evidence that a file may mention an owned key (for the prefilter).

        Prefixes lose their trailing underscore so that ``"SGLANG" "_X"`` (implicit
        concatenation) and ``"SGLANG\\x5fX"`` still match. A key whose *prefix*
        is spelt with escapes or split apart is the one thing the prefilter misses.
        """
        config = self.config
        prefixes = {p.rstrip("_") or p for p in (*config.owned_prefixes, *config.vendor_prefixes)}
        tokens = prefixes | set(config.vendor_keys)
        for registry in self.registries:
            for key in registry.fields:
                if not key.startswith(tuple(tokens)) and not self.is_external(key):
                    tokens.add(key)
        return tuple(sorted(tokens))

