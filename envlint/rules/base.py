"""The shape every rule has: code, explanation, examples, prefilter tokens, node visitors.

Modelled on fixit 2 and ruff: a rule is a small class whose docstring is its
documentation (What it does / Why is this bad / Example / Use instead / Fix
safety; ``envlint rule CODE`` prints it) and whose ``VALID`` / ``INVALID``
examples are executed by the test suite, so the documentation cannot drift
from the behaviour.

A rule handles ``ast`` node types through methods named ``visit_<NodeType>``;
the engine walks each file once and dispatches to every interested rule. A
``begin`` hook runs once per file before the walk (file-level checks such as a
registry's own definitions).
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Optional

if TYPE_CHECKING:
    from ..context import FileContext
    from ..project import Project


@dataclass(frozen=True)
class Valid:
    """Code that must produce no finding of this rule.

    ``base``: for registry-review rules about changes, the registry file's
    code at the review base (same path); ``moves``: (old, new) renames whose
    call sites moved, as ``--diff-base`` reads them from the diff.
    """

    code: str
    path: str = "python/sglang/srt/example.py"
    base: Optional[str] = None
    moves: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Invalid:
    """Code that must produce exactly ``findings`` [(line, column), ...] of this rule.

    ``fixed`` is the expected result of applying the finding's fix (safe and
    unsafe alike); None when the rule offers no fix for this example.
    """

    code: str
    findings: tuple[tuple[int, int], ...]
    fixed: Optional[str] = None
    path: str = "python/sglang/srt/example.py"
    applicability: Optional[str] = None  # expected applicability of the fix
    notes: tuple[str, ...] = field(default=())
    base: Optional[str] = None  # as for Valid
    moves: tuple[tuple[str, str], ...] = ()


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]  # kebab-case slug, e.g. "raw-env-access"
    summary: ClassVar[str]  # one line, shown by ``envlint rules``
    VALID: ClassVar[tuple[Valid, ...]] = ()
    INVALID: ClassVar[tuple[Invalid, ...]] = ()
    # A rule about a *change* (registry review against a base): silent without a
    # base, and its findings are about the change, so ``--diff-base`` keeps them
    # even when they point at an unchanged line (a removal points at the base's).
    about_change: ClassVar[bool] = False
    # Whether the rule's findings depend on other modules (``Project.summary``): the run
    # then builds the summary, and its digest becomes part of the result cache's key.
    uses_summary: ClassVar[bool] = False

    def __init__(self, project: "Project"):
        self.project = project
        self.config = project.config
        # The codes of every rule of the same run (set by the Linter), so a rule can
        # leave a site to the rule that owns it (one site, one finding).
        self.active_codes: frozenset[str] = frozenset({self.code})

    @classmethod
    def explanation(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or cls.summary)

    def prefilter(self) -> list[list[tuple[str, ...]]]:
        """Byte-level preconditions: a list of alternatives, each a list of groups.

        The rule can only fire in a file where, for at least one alternative,
        every group has at least one of its tokens present in the raw bytes. A
        token is a substring (``str``) or a compiled ``bytes`` regular expression.
        An alternative may also be a callable ``(bytes) -> bool``: a rule's own
        byte-level proof that it cannot fire (see ``envlint.registry_uses``). A
        group may be a callable returning the group's tokens: it is called once,
        the first time a file satisfies the groups before it (tokens that need
        the project summary are computed only when some file needs them).
        Soundness matters more than tightness: a token list that misses a
        spelling silently loses findings. Registry files are always checked, so
        this default (no alternative) is right for a rule about registries alone.
        """
        return []

    def begin(self, ctx: "FileContext") -> None:
        """Called once per file before the walk."""

    def focus_names(self, ctx: "FileContext") -> frozenset[str]:
        """Local names, beyond ``os``/registries/helpers, whose lines the walk must visit.

        The engine walks only statements that mention a focus name
        (``envlint.focus``); a rule that reports through other names (a
        project wrapper's name, ``monkeypatch.setenv``) adds them here.
        """
        return frozenset()

    def visitors(self) -> dict[str, object]:
        """{"Call": bound method, ...} for every ``visit_<NodeType>`` method."""
        return {
            name[len("visit_"):]: getattr(self, name)
            for name in dir(self)
            if name.startswith("visit_") and callable(getattr(self, name))
        }
