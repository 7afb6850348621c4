"""The pages of ENV101-ENV103, the codes ``envlint docs --check`` reports.

They are not rules of the linter (``check`` and flake8 never report them), but
a user who reads ``ENV102`` in a CI log runs ``envlint rule ENV102``: each code
gets the same kind of page a rule has, from the docstring of a small class.
"""

from __future__ import annotations

import inspect

from .drift import DEFAULT_DIFFERS, STALE, UNDOCUMENTED


class DocsCode:
    """A code of ``envlint docs --check``: its page is the docstring."""

    code: str
    name: str
    summary: str
    reported_by = "envlint docs --check PAGE"

    @classmethod
    def explanation(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or cls.summary)


class StaleEntry(DocsCode):
    """
    ## What it does

    Reports a variable that a reference page documents but no registry defines:
    a removed or renamed variable, a deprecated alias, or a name documented under
    its legacy prefix. The finding points at the name in the page's table.

    ## Why is this bad

    A user reads the page, sets the variable, and nothing happens: the program no
    longer reads it (or reads it under another name).

    ## Example

    ```markdown
    | Variable | Default |
    |---|---|
    | `MYAPP_OLD_TIMEOUT` | `30` |
    ```

    ## Use instead

    Document the variable the registry defines now, or drop the row;
    `envlint docs --write PAGE` regenerates the generated part of a page.

    ## Fix safety

    No automatic fix: only a person knows whether the row should be renamed or
    removed.
    """

    code = STALE
    name = "stale-reference-entry"
    summary = "A reference page documents a variable no registry defines"


class UndocumentedVariable(DocsCode):
    """
    ## What it does

    Reports a variable a registry defines that the reference page does not
    document. The page has no line for it, so the finding is at line 1, column 1
    of the page; the message names the registry line that defines it.

    ## Why is this bad

    The page is the reference users read; a variable missing from it can only be
    found by reading the registry's source.

    ## Example

    A registry defines `MYAPP_WORKERS = EnvInt(4)` and the page's table has no
    `MYAPP_WORKERS` row.

    ## Use instead

    Add a row, or regenerate the page's generated part with
    `envlint docs --write PAGE`.

    ## Fix safety

    `envlint docs --write PAGE` rewrites only the part of the page between
    `<!-- envlint:begin -->` and `<!-- envlint:end -->`; `check` and `fix` never
    touch a page.
    """

    code = UNDOCUMENTED
    name = "undocumented-variable"
    summary = "A registry defines a variable the reference page does not document"


class DefaultDiffers(DocsCode):
    """
    ## What it does

    Reports a documented default that is not the registry's literal default.
    Defaults are compared by meaning, not spelling: `true`/`1` for `True`,
    `"info"`/`info`, `Not set`/`-`/an empty cell for `None`, `0.5`/`.5`. A default
    the registry computes (`os.path.expanduser(...)`) is never compared.

    ## Why is this bad

    The page tells users what happens when they set nothing; a wrong default
    there is a wrong description of the program's behaviour.

    ## Example

    ```markdown
    | `MYAPP_WORKERS` | `8` |
    ```

    while the registry says `MYAPP_WORKERS = EnvInt(4)`.

    ## Use instead

    ```markdown
    | `MYAPP_WORKERS` | `4` |
    ```

    ## Fix safety

    No automatic fix for a hand-written page; `envlint docs --write PAGE`
    regenerates a generated one.
    """

    code = DEFAULT_DIFFERS
    name = "documented-default-differs"
    summary = "A reference page documents a default the registry does not set"


DOCS_CODES: tuple[type[DocsCode], ...] = (StaleEntry, UndocumentedVariable, DefaultDiffers)
