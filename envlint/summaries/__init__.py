"""The project-wide analysis: wrappers and key constants of every module, computed once per run.

``envlint.keys`` resolves a key within one file; this package answers what a
file cannot know alone: that ``_get_env`` (defined two modules away) reads the
environment with its first argument, that ``DSV4_ENV`` imported from a
constants module is ``"SGLANG_DSV4_Q8KV8_PREFILL"``.

* ``model``: facts per module and the resolved ``ProjectSummary``;
* ``extract``: a module's facts from its own text;
* ``resolve``: the cross-module fixpoint (wrappers of wrappers, re-exports);
* ``evidence``: the byte-level tests that keep most modules unparsed;
* ``build``: which files, in which rounds, cached in ``.envlint_cache``.

``Project.summary`` builds it on first use. Its digest is part of the result
cache's fingerprint: a change to a wrapper or a constant anywhere changes what
other files' findings are, so their cached results must not be reused.
"""

from .model import KeyParam, ModuleFacts, ProjectSummary, Wrapper

__all__ = ["KeyParam", "ModuleFacts", "ProjectSummary", "Wrapper"]
