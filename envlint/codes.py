"""Every code envlint can print, its page, and the validation of code selectors.

Why one catalogue: a user who reads a code anywhere (``check``, flake8,
``docs --check``) runs ``envlint rule CODE``; ``envlint rules`` lists them all;
and a selector (``--select``, ``ignore = [...]``, per-file ignores) that matches
no code is a mistake to report, not a run that silently checks nothing. The
test suite asserts that every ``ENVnnn`` the package mentions is catalogued
here, so a new code cannot ship without its page.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Callable, Iterable, Optional

from .docs.codes import DOCS_CODES
from .rules import ALL_RULES
from .suggest import did_you_mean

CONFIG_ERROR = "ENV000"


class ConfigurationError:
    """
    ## What it does

    Under flake8, reports that envlint could not read its configuration
    (`[tool.envlint]` in the nearest `pyproject.toml`): a TOML syntax error, an
    unknown key, an unknown code in `select`, `ignore` or `per-file-ignores`, a
    registry file that does not exist. The finding is at line 1 of every file
    checked, and its message is the one line `envlint check` prints for the same
    problem (where it exits with code 2 instead).

    ## Why is this bad

    Without its configuration envlint cannot know which variables the project
    owns or where its registry is, so it checks nothing else.

    ## Example

    ```toml
    [tool.envlint]
    selct = ["ENV001"]
    ```

    ## Use instead

    ```toml
    [tool.envlint]
    select = ["ENV001"]
    ```

    ## Fix safety

    No automatic fix: the configuration is the user's to correct.
    """

    code = CONFIG_ERROR
    name = "configuration-error"
    summary = "envlint's configuration cannot be used (flake8 only; envlint check exits 2)"
    reported_by = "flake8"

    @classmethod
    def explanation(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or cls.summary)


@dataclass(frozen=True)
class CodePage:
    code: str
    name: str
    summary: str
    reported_by: str
    _explanation: Callable[[], str]

    def explanation(self) -> str:
        return self._explanation()

    def render(self) -> str:
        """What ``envlint rule CODE`` prints."""
        return f"# {self.code} ({self.name})\n\n{self.summary}\n\n{self.explanation()}"


def _page(entry, reported_by: Optional[str] = None) -> CodePage:
    return CodePage(
        entry.code,
        entry.name,
        entry.summary,
        reported_by or entry.reported_by,
        entry.explanation,
    )


RULE_CODES: tuple[str, ...] = tuple(rule.code for rule in ALL_RULES)
ALL_CODES: tuple[CodePage, ...] = tuple(
    sorted(
        [_page(rule, "envlint check, envlint fix, flake8") for rule in ALL_RULES]
        + [_page(code) for code in DOCS_CODES]
        + [_page(ConfigurationError)],
        key=lambda page: page.code,
    )
)
PAGES: dict[str, CodePage] = {page.code: page for page in ALL_CODES}


def page(code: str) -> Optional[CodePage]:
    return PAGES.get(code.strip().upper())


def selector_problem(selector: str) -> Optional[str]:
    """Why ``selector`` selects no rule of the linter, or None when it selects some.

    A selector is a code or a code prefix (``ENV``, ``ENV00``, ``ENV004``), as in
    flake8 and ruff. Codes ``check`` cannot report (``docs --check``'s) are named
    as such.
    """
    if selector and any(code.startswith(selector) for code in RULE_CODES):
        return None
    other = [c.code for c in ALL_CODES if c.code.startswith(selector)] if selector else []
    if other:
        first = PAGES[other[0]]
        return (
            f"{selector!r} selects no rule of envlint check: {', '.join(other)} "
            f"{'is' if len(other) == 1 else 'are'} reported by {first.reported_by}"
        )
    hint = did_you_mean(selector, ("ENV",) + RULE_CODES)
    return f"unknown rule code or prefix {selector!r}{hint or ' (envlint rules lists the codes)'}"


def validate_selectors(selectors: Iterable[str], where: str) -> None:
    """Raise ``ValueError("<where>: <problem>")`` for the first selector that selects nothing."""
    for selector in selectors:
        problem = selector_problem(selector)
        if problem is not None:
            raise ValueError(f"{where}: {problem}")


def check_config_codes(config) -> None:
    """Every code in ``[tool.envlint]`` ``select``, ``ignore`` and ``per-file-ignores`` selects
    a rule; otherwise a ``ConfigError`` naming the file and the key (exit code 2)."""
    from .config import ConfigError

    where = str(config.config_file) if config.config_file else "[tool.envlint]"
    try:
        validate_selectors(config.select, f"{where}: 'select'")
        validate_selectors(config.ignore, f"{where}: 'ignore'")
        for _, codes in config.per_file_ignores:
            validate_selectors(codes, f"{where}: 'per-file-ignores'")
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


__all__ = [
    "ALL_CODES",
    "CONFIG_ERROR",
    "CodePage",
    "PAGES",
    "RULE_CODES",
    "check_config_codes",
    "page",
    "selector_problem",
    "validate_selectors",
]
