"""``envlint docs``: which registries to document, and the three modes (print, check, write).

The registries are the ones ``envlint check`` would use for the same paths
(configured, or discovered), unless ``--registry`` names files. A registry that
cannot be read is an error here, not a note: a reference that silently leaves
out a registry would be wrong.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional, Sequence

from ..config import Config, load_config
from ..discovery import display_path
from ..modules import module_name
from ..registry import Registry, detect_style, parse_registry
from ..report import format_text
from ..source import SourceError
from . import DocsError
from .drift import check_page
from .model import Reference, build_reference
from .page import Page
from .render import render_json, render_markdown
from .write import regenerate, write_text


def _load_named(path: Path, config: Config) -> Registry:
    """A registry named with ``--registry``: as configured, else its style detected."""
    if not path.is_file():
        raise DocsError(f"{path}: {'not a file' if path.exists() else 'no such file'}")
    resolved = path.resolve()
    spec = next((s for s in config.registries if s.path == resolved), None)
    module = spec.module if spec else module_name(resolved, config.src)
    try:
        style = spec.style if spec else detect_style(resolved)
        if style is None:
            parse_registry(resolved, "module", module)  # unreadable or not Python: say so
            raise DocsError(
                f"{path}: not a registry: defines neither an EnvField class nor an "
                "environment_variables dict"
            )
        return parse_registry(resolved, style, module)
    except SourceError as exc:
        raise DocsError(f"{path}: {exc}") from None


def load_references(
    paths: Sequence[Path], registry_paths: Sequence[Path]
) -> tuple[Config, list[Reference]]:
    if registry_paths:
        for path in paths:  # only locate the configuration, but must exist all the same
            if not path.exists():
                raise DocsError(f"{path}: no such file or directory")
        config = load_config(list(paths))
        registries = [_load_named(path, config) for path in registry_paths]
    else:
        from ..runner import prepare

        project, _ = prepare(list(paths))
        config = project.config
        if project.load_errors:
            path, reason = project.load_errors[0]
            raise DocsError(f"{display_path(path)}: {reason}")
        if not project.registries:
            raise DocsError(
                "no environment-variable registry found; name one with --registry or in "
                "[tool.envlint] registries"
            )
        registries = project.registries
    return config, [build_reference(registry, config.root) for registry in registries]


def run_docs(
    paths: Sequence[Path],
    registry_paths: Sequence[Path],
    output_format: Optional[str],
    check: Optional[Path],
    write: Optional[Path],
) -> int:
    """Print the reference, or check or update a page; returns the exit code."""
    if output_format is not None and (check or write):
        raise DocsError("--format applies to the printed reference, not to --check or --write")
    page = Page.read(check or write) if (check or write) else None
    config, references = load_references(paths, registry_paths)
    if page is None:
        render = render_json if output_format == "json" else render_markdown
        sys.stdout.write(render(references))
        return 0
    shown = display_path(page.path)
    if write is not None:
        text = regenerate(page, lambda level: render_markdown(references, level))
        if write_text(page, text):
            print(f"envlint: updated {shown}", file=sys.stderr)
        return 0
    rows = page.rows()
    if not rows:
        print(f"envlint: {shown}: no table on the page documents a variable", file=sys.stderr)
    findings = check_page(shown, rows, references, config.legacy_prefixes)
    sys.stdout.write(format_text(findings))
    return 1 if findings else 0
