"""What the machine-readable formats say about envlint itself."""

from __future__ import annotations

from typing import Optional

from .. import __version__

NAME = "envlint"
# The distribution name (pip install envlint-ml): "envlint" on PyPI is another project,
# whose metadata must never be read for this one's.
DISTRIBUTION = "envlint-ml"
VERSION = __version__

_HOMEPAGE_LABELS = ("homepage", "home", "source", "repository")


def homepage() -> Optional[str]:
    """The project URL from the installed package's metadata (``[project.urls]``), if any.

    Read, not hard-coded, so SARIF's ``informationUri`` and reviewdog's source
    URL can never point anywhere the package itself does not declare.
    """
    from importlib import metadata  # ~10 ms to import: only the formats that need it pay

    try:
        meta = metadata.metadata(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return None
    for entry in meta.get_all("Project-URL") or []:
        label, _, url = entry.partition(",")
        if label.strip().lower() in _HOMEPAGE_LABELS and url.strip():
            return url.strip()
    return meta.get("Home-page") or None
