"""ENV001: an owned environment variable accessed raw instead of through its registry."""

from __future__ import annotations

import ast
from dataclasses import replace
from typing import Optional

from ..accesses import RawAccess, child_env_writes, raw_accesses, spread_env_writes
from ..context import FileContext
from ..findings import UNSAFE
from ..fixes.accesses import access_fix
from ..registry import Registry
from ..summaries import evidence
from .base import Invalid, Rule, Valid
from .legacy_keys import legacy_literal_fix
from .raw_exceptions import helper_under_test, saved_for_restore

# Sites that name a key but are not a read the registry rewrite models.
_NO_FIX_OPERATIONS = frozenset({"setenv", "delenv", "patch.dict", "child-env"})
_CONSTANT_ORIGINS = ("constant ", "class attribute ")


def _words(names) -> tuple:
    """A token matching any of ``names`` as a word (none when there are none).

    A byte-level test: substrings first (fast), the word pattern only on a hit.
    """
    if not names:
        return ()
    substrings = evidence.minimal_tokens(names)
    pattern = evidence.names_pattern(names)

    def mentions(data: bytes) -> bool:
        return any(s in data for s in substrings) and pattern.search(data) is not None

    return (mentions,)


class RawEnvAccess(Rule):
    """
    ## What it does
    Flags reads and writes of project-owned environment variables that bypass the
    registry: `os.getenv("SGLANG_X")`, `os.environ.get(...)`, `os.environ[...]`,
    `"SGLANG_X" in os.environ`, `get_bool_env_var(...)`, `get_int_env_var(...)`,
    and writes through `os.environ[...] = v`, `del`, `.pop`, `.setdefault`, `.update`
    — wherever the key comes from:

    - a string literal at the site;
    - a constant: module level (`os.getenv(DSV4_ENV)`), a class attribute
      (`os.getenv(HiCache.default_env_var)`), a local name bound once, a constant
      imported from another module of the project; f-strings and `+`
      concatenations of those (`f"{PREFIX}LOG"`);
    - a loop or comprehension over a tuple, list or set of keys, or a constant
      holding one (`any(os.getenv(k) for k in DIAG_KEYS)`): one finding per key;
    - a *wrapper*: a function or method of the project whose parameter reaches an
      access, directly or through other wrappers (`*names` passed on included),
      in this module or another one (`_get_env("SGLANG_X", int, 0)`,
      `resolve_torch_compile_kwargs("SGLANG_A", "SGLANG_B")`). The finding is at
      the call that names the key and names the wrapper; the wrapper's own body
      is not a second finding. `self.m(...)`, `cls.m(...)` and `Cls.m(...)` are
      followed; a method called on an instance (`reader.read(...)`) is not;
    - a test patch: `monkeypatch.setenv/delenv(...)`,
      `mock.patch.dict(os.environ, {...})` (decorator or context manager);
    - a key placed in a child process's environment: in a copy of `os.environ`
      (`env = os.environ.copy(); env["K"] = v`, `.update`, `.setdefault`) or in
      `{**os.environ, "K": v}`.

    A key built at run time with an owned prefix (`os.getenv(f"SGLANG_{name}")`)
    is one finding (key `SGLANG_*`) without a fix: such a variable cannot be
    registered, overridden in a test or documented, and the conventions keep
    run-time names for the `temp_set_env(allow_sglang=True)` escape hatch. When
    the unknown part is a parameter of the enclosing function, that function is
    a wrapper and its calls are reported instead.

    Owned means: the `SGLANG_*` prefix, the legacy `SGL_*` prefix (ENV001 owns
    a raw access of a legacy key and says so; ENV002 then stays silent there),
    every key a registry defines, and the vendor aliases sglang centralises
    (`MOONCAKE_*`, `ASCEND_*`, `DEEP_NORMAL_*`, `IS_H200`,
    `USE_TRITON_W8A8_FP8_KERNEL`, `HF_HUB_DISABLE_XET`, `DISABLE_OPENAPI_DOC`).
    External and launcher keys (`CUDA_*`, `NCCL_*`, `TORCH_*`, `OMP_*`,
    `HF_HUB_*`, `RANK`, `MASTER_ADDR`, ...) are never flagged: reading them raw is
    correct. The registry files themselves are exempt; they are where raw
    access belongs.

    Writes — test patches and child environments included — are flagged only
    where the key's registry has a setter (descriptor style, `envs.X.set()` /
    `.override()`); a module-style registry (`sglang.multimodal_gen.envs`,
    `vllm.envs`) offers none.

    ## Why is this bad
    A raw read has its own idea of the type and the default. `get_bool_env_var`
    accepts "true"/"1" where `EnvBool` also accepts "yes"/"y"; an `os.getenv`
    default can disagree with the registry's. Tests cannot `override()` a value
    that is read raw, and `envlint docs` cannot document it. Moving the key into a
    constant or a helper changes none of that.

    Tests: Rule 3 says tests use `with envs.X.override(v):`, never mutate
    `os.environ` directly — `monkeypatch` and `patch.dict` restore the string,
    not the registry's explicit-`None` state, and bypass its type. Child
    processes: the conventions call `override` around `subprocess.Popen` "the
    supported way" to seed a child (it inherits the override); a key written
    into an environment copy is a second, untyped way.

    ## Example
    ```python
    if get_bool_env_var("SGLANG_ENABLE_TORCH_COMPILE"):
        ...
    timeout = int(os.getenv("SGLANG_SCHEDULER_RECV_INTERVAL", "1"))
    level = _get_env("SGLANG_KERNEL_API_LOGLEVEL", int, 0)
    monkeypatch.setenv("SGLANG_TEST_RETRACT", "1")
    ```

    ## Use instead
    ```python
    from sglang.srt.environ import envs

    if envs.SGLANG_ENABLE_TORCH_COMPILE.get():
        ...
    timeout = envs.SGLANG_SCHEDULER_RECV_INTERVAL.get()
    level = envs.SGLANG_KERNEL_API_LOGLEVEL.get()
    with envs.SGLANG_TEST_RETRACT.override(True):
        ...
    ```
    A key that is not registered yet gets a typed descriptor in `Envs` first.

    ## Exceptions
    Not reported, because the registry cannot express what the code does:

    - a read that saves a value only to write it back (`saved =
      os.environ.get(K)` ... `os.environ[K] = saved`) where writes are not
      flagged (a module-style registry has no setter and cannot say "unset");
    - a read, in a `test_*` function, of an unregistered key the same function
      sets: a test of the reading helper itself, with a synthetic key.

    A module that must not import the package at all (sglang's
    `srt/utils/stale_shm_cleanup.py` runs before it can) takes
    `# noqa: ENV001` with that reason on the line; no rule can tell.

    Scope of what comes from other modules: only in files that show some
    environment use (an owned key, `getenv`, `environ`, a helper's name,
    `setenv`, `delenv`). Not followed: a constant computed from another
    module's constant, a function that only passes its parameter on to a
    wrapper of another module, `self.attr` / `cls.attr` (a subclass or an
    instance may rebind them).

    ## Fix safety
    The fix is *safe* only when the rewritten code gives the same value (type
    included) for the variable unset and for every string a user can set, and
    leaves `os.environ` the same — except where the original raises and nothing
    around it catches the error (`os.environ["K"]` when unset: the rewrite
    returns the default, a repaired crash). Otherwise it is *unsafe*, and its
    reason names every value that reads differently (for example
    `os.environ.get("K")` returns the `str` as set where an `EnvBool` returns a
    `bool`; sglang's diffusion `get_bool_env_var` reads `on` and `t` as true,
    `EnvBool` does not). See docs/fixing.md.
    A key from a constant gets the same rewrite, made *unsafe*: rebinding the
    constant no longer changes what is read. Keys through a wrapper, a loop, a
    test patch, a child environment or a dynamic key get no fix: what a wrapper
    does with the value is not modelled. A legacy `SGL_*` key the registry has
    no descriptor for gets ENV002's rename of the literal.
    A write gets no fix where its `envs.K.set(...)` form is another finding:
    in test code (ENV019: the test must restore it, `with envs.K.override(...)`
    around the code that needs it) and when it copies a setting of the same
    name (ENV017: one knob, two names). A fix never trades one finding for
    another.
    """

    code = "ENV001"
    name = "raw-env-access"
    uses_summary = True
    summary = "Owned environment variable accessed raw instead of through its registry"

    VALID = (
        Valid('import os\nvisible = os.getenv("CUDA_VISIBLE_DEVICES")\n'),
        Valid('import os\nrank = int(os.environ["LOCAL_RANK"])\n'),
        Valid('import os\nname = "CUDA_HOME"\nvalue = os.getenv(name)\n'),
        Valid('import os\nvalue = os.getenv(f"{vendor}_HOME")\n'),
        Valid(
            "import os\n\ndef _env_int(name, default):\n"
            "    return int(os.environ.get(name, default))\n\n"
            'WORKERS = _env_int("OMP_NUM_THREADS", 1)\n'
        ),
        Valid(
            "import os\n\ndef flag(name):\n"
            '    return os.getenv(f"SGLANG_{name}")\n'
        ),
        Valid(
            "import os\n\nclass Platform:\n"
            '    control_var = "SGLANG_PLACEHOLDER"\n\n'
            "    def devices(self):\n        return os.environ.get(self.control_var)\n"
        ),
        Valid(
            "import os\n\ndef test_helper(monkeypatch):\n"
            '    monkeypatch.setenv("CUDA_LAUNCH_BLOCKING", "1")\n'
            "    env = dict(os.environ)\n"
            '    env["NCCL_DEBUG"] = "INFO"\n'
        ),
        Valid(
            "from sglang.srt.environ import envs\n"
            "if envs.SGLANG_ENABLE_TORCH_COMPILE.get():\n    pass\n"
        ),
        Valid('def f(os):\n    return os.getenv("SGLANG_LOG_GC")\n'),
        Valid('from mylib import get_bool_env_var\nflag = get_bool_env_var("SGLANG_LOG_GC")\n'),
        Valid('"""Set SGLANG_LOG_GC=1 to log GC pauses (os.getenv("SGLANG_LOG_GC"))."""\n'),
    )
    INVALID = (
        Invalid(
            'import os\nflag = os.getenv("SGLANG_LOG_GC")\n',
            findings=((2, 8),),
            fixed="from sglang.srt.environ import envs\n\nflag = envs.SGLANG_LOG_GC.get()\n",
            applicability="unsafe",  # None / a str before, a bool after
        ),
        Invalid(
            'import os\ninterval = int(os.getenv("SGLANG_SCHEDULER_RECV_INTERVAL", "1"))\n',
            findings=((2, 16),),
            fixed="from sglang.srt.environ import envs\n\n"
            "interval = envs.SGLANG_SCHEDULER_RECV_INTERVAL.get()\n",
            applicability="safe",
        ),
        Invalid(
            "from os import environ as env\nif env.get('SGLANG_USE_AITER'):\n    pass\n",
            findings=((2, 4),),
        ),
        Invalid(
            'from sglang.srt.utils import get_bool_env_var\n'
            'flag = get_bool_env_var("SGLANG_ENABLE_TORCH_COMPILE")\n',
            findings=((2, 8),),
        ),
        Invalid(
            'import os as _os\n_os.environ["MOONCAKE_PROTOCOL"] = "tcp"\n'
            'del _os.environ["IS_H200"]\nok = "SGLANG_TEST_RETRACT" in _os.environ\n',
            findings=((2, 1), (3, 5), (4, 6)),
        ),
        Invalid(
            'import os\nLOG_ENV = "SGLANG_LOG_GC"\nflag = os.getenv(LOG_ENV)\n',
            findings=((3, 8),),
            fixed='from sglang.srt.environ import envs\nLOG_ENV = "SGLANG_LOG_GC"\n'
            "flag = envs.SGLANG_LOG_GC.get()\n",
            applicability="unsafe",
            notes=("a constant key: the literal's fix, unsafe (rebinding LOG_ENV is no longer seen)",),
        ),
        Invalid(
            'import os\nKEYS = ("SGLANG_LOG_GC", "CUDA_HOME", "SGLANG_LOG_MS")\n'
            "on = any(os.getenv(key) for key in KEYS)\n",
            findings=((3, 10), (3, 10)),
            notes=("one finding per owned key of the tuple, at the access; no fix",),
        ),
        Invalid(
            "import os\n\ndef _get_env(key, type, default):\n"
            "    value = os.environ.get(key)\n"
            "    return default if value is None else type(value)\n\n"
            'LEVEL = _get_env("SGLANG_KERNEL_API_LOGLEVEL", int, 0)\n',
            findings=((7, 9),),
            notes=("at the call that names the key; the wrapper's body is not a finding",),
        ),
        Invalid(
            "def test_retract(monkeypatch):\n"
            '    monkeypatch.setenv("SGLANG_TEST_RETRACT", "1")\n',
            findings=((2, 5),),
        ),
        Invalid(
            "import os\nimport subprocess\n\ndef launch(cmd):\n"
            "    env = os.environ.copy()\n"
            '    env["SGLANG_LOG_GC"] = "1"\n'
            "    subprocess.Popen(cmd, env=env)\n",
            findings=((6, 5),),
        ),
        Invalid(
            'import os\nvalue = os.getenv(f"SGLANG_{suffix}")\n',
            findings=((2, 9),),
            notes=("a key built at run time with an owned prefix: one finding, no fix",),
        ),
    )

    def prefilter(self):
        # ``environ`` counts unless it is the registry module being imported
        # (``from sglang.srt.environ import envs``), which every sglang file does.
        # Keys and wrappers from other modules (envlint.summaries) add ways in, each
        # led by a direct token so that the summary is only built when a file shows
        # some environment use: a quoted owned key (or, rarer, a key constant) passed
        # to a wrapper; an access whose key is a constant (or a wrapper that adds an
        # owned prefix itself).
        project = self.project
        owned = project.owned_tokens()
        quoted_keys = [q + t for t in evidence.minimal_tokens(owned) for q in (b"'", b'"')]

        def quoted(data: bytes) -> bool:
            """A string literal that starts with an owned token (one test, not one per token)."""
            return any(q in data for q in quoted_keys)

        access_tokens = evidence.access_tokens(project)
        wrappers = lambda: _words(project.summary.wrapper_names())  # noqa: E731
        return [
            [owned, access_tokens],
            [owned, (quoted,), wrappers],
            [owned, wrappers, lambda: _words(project.summary.constant_names())],
            [
                access_tokens,
                lambda: _words(
                    project.summary.constant_names()
                    | project.summary.template_wrapper_names(project.is_owned)
                ),
            ],
        ]

    def focus_names(self, ctx: FileContext) -> frozenset[str]:
        """Test patches, and the name of every wrapper this file can call."""
        names = {"setenv", "delenv"}
        names.update(q.rpartition(".")[2] for q in ctx.local_wrappers())
        if ctx.has_evidence:
            names.update(self.project.summary.wrapper_names())
        return frozenset(names)

    def visit_Call(self, node: ast.Call, ctx: FileContext) -> None:
        self._check(node, ctx, raw_accesses(ctx, node))

    def visit_Subscript(self, node: ast.Subscript, ctx: FileContext) -> None:
        self._check(node, ctx, raw_accesses(ctx, node))

    def visit_Compare(self, node: ast.Compare, ctx: FileContext) -> None:
        self._check(node, ctx, raw_accesses(ctx, node))

    def visit_Assign(self, node: ast.Assign, ctx: FileContext) -> None:
        if isinstance(node.value, (ast.Call, ast.Dict)):
            self._check(node, ctx, child_env_writes(ctx, node))

    def visit_Dict(self, node: ast.Dict, ctx: FileContext) -> None:
        if None in node.keys:
            self._check(node, ctx, spread_env_writes(ctx, node))

    def reports(self, access: RawAccess, ctx: FileContext) -> bool:
        """Whether ENV001 reports this access (ENV002 leaves such sites to it)."""
        if ctx.is_registry_file or not self.project.is_owned(access.key):
            return False
        registry, _ = self._target(access.key, ctx)
        if access.access in ("write", "delete") and not self._reports_writes(registry):
            return False
        return not self._excepted(access, registry, ctx)

    def _check(self, node: ast.AST, ctx: FileContext, accesses) -> None:
        if ctx.is_registry_file or not accesses:
            return
        keys_at_site = len({a.key_node for a in accesses})
        for access in accesses:
            if not self.reports(access, ctx):
                continue
            registry, target = self._target(access.key, ctx)
            ctx.report(
                self.code,
                access.anchor,
                self._message(access, registry, target, ctx),
                key=access.key + ("*" if access.dynamic else ""),
                fix=self._fix(access, registry, target, ctx, single=keys_at_site == len(accesses)),
            )

    def _fix(self, access: RawAccess, registry, target: str, ctx: FileContext, single: bool):
        """The registry rewrite where the site names one key the oracle can model.

        Keys through a wrapper, a loop, a test patch or an environment copy get no
        fix: what the wrapper does with the value (its type, its default) is not
        modelled. A key from a constant gets the literal's fix, made unsafe.
        """
        if access.wrapper is not None or access.dynamic or access.operation in _NO_FIX_OPERATIONS:
            return None
        if access.origin is not None and not (single and access.origin.startswith(_CONSTANT_ORIGINS)):
            return None
        fix = access_fix(ctx, access, registry, target)
        canonical = self.project.canonical_name(access.key)
        if fix is None and canonical is not None and access.origin is None:
            return legacy_literal_fix(ctx, access.key_node, access.key, canonical)
        if fix is not None and access.origin is not None:
            reason = (
                f"the key comes from {access.origin}; the rewrite names {target} itself, so a "
                "rebinding of that name is no longer seen"
            )
            if fix.reason:
                reason = f"{fix.reason}; {reason}"
            fix = replace(fix, applicability=UNSAFE, reason=reason)
        return fix

    def _excepted(self, access: RawAccess, registry: Optional[Registry], ctx: FileContext) -> bool:
        """Reads that belong to a raw write sequence the registry cannot express."""
        if access.access != "read" or access.wrapper is not None:
            return False
        return saved_for_restore(ctx, access, self._reports_writes(registry)) or helper_under_test(
            ctx, access
        )

    def _reports_writes(self, registry: Optional[Registry]) -> bool:
        """Writes are flagged only where a registry offers a setter (descriptor style)."""
        if not self.config.flag_writes:
            return False
        return registry is None or registry.style == "descriptor"

    def _target(self, key: str, ctx: FileContext) -> tuple[Optional[Registry], str]:
        """(registry the access should go through, the key name to use there)."""
        project = self.project
        canonical = project.canonical_name(key)
        if canonical is not None:
            registry = project.registry_for_key(canonical, ctx.module)
            if registry is not None or project.registry_for_key(key, ctx.module) is None:
                return registry or project.governing_registry(ctx.module), canonical
        registry = project.registry_for_key(key, ctx.module)
        if registry is not None:
            return registry, key
        renamed = project.renamed_to(key)
        if renamed is not None:
            return renamed
        return project.governing_registry(ctx.module), key

    def _message(
        self, access: RawAccess, registry: Optional[Registry], target: str, ctx: FileContext
    ) -> str:
        verb = {
            "read": "raw read",
            "write": "raw write",
            "delete": "raw delete",
            "check": "raw presence check",
        }[access.access]
        if registry is None:
            where = "a registry"
        elif registry.style == "descriptor":
            where = f"{registry.class_name or 'Envs'} ({_display(registry, ctx)})"
        else:
            where = f"{registry.dict_name or 'the registry'} ({_display(registry, ctx)})"
        via = access.wrapper.describe() if access.wrapper is not None else access.via
        source = f" ({access.origin})" if access.origin else ""
        if access.dynamic:
            return (
                f"{verb} of {access.key}* (a key built at run time) via {via}; such a key cannot "
                f"be registered, overridden or documented: register each value it can take in "
                f"{where} and access them through the registry"
            )
        registered = registry is not None and target in registry.fields
        if access.operation in _NO_FIX_OPERATIONS:
            advice = self._patch_advice(access, target)
            if not registered:
                advice = f"register {target} in {where} and {advice}"
        else:
            use = replacement_text(access, registry, target)
            if not registered:
                advice = f"register {target} in {where}"
                if use is not None:
                    advice += f" and use {use}"
            elif use is None:
                advice = (
                    f"{_display(registry, ctx)} offers no is_set(); compare {access_name(registry)}.{target} "
                    "with its default instead"
                )
            elif target != access.key and self.project.canonical_name(access.key) != target:
                advice = f"{access.key} is a deprecated name of {target}: use {use}"
            else:
                advice = f"use {use}"
        if self.project.canonical_name(access.key) == target and target != access.key:
            advice = f"{access.key} is a legacy alias of {target}; {advice}"
        governing = self.project.governing_registry(ctx.module)
        if registry is not None and governing is not None and registry is not governing:
            advice += f" (from {registry.module})"
        return f"{verb} of {access.key}{source} via {via}; {advice}"

    @staticmethod
    def _patch_advice(access: RawAccess, target: str) -> str:
        """What tests and process launchers use instead (Rule 3 of the conventions)."""
        descriptor = f"envs.{target}"
        if access.operation == "child-env":
            return (
                f"start the child inside `with {descriptor}.override(...)` (it inherits the "
                "override)"
            )
        if access.operation == "delenv":
            return f"use {descriptor}.clear() (or override it) and restore it afterwards"
        return f"use `with {descriptor}.override(...)` in tests"


def access_name(registry: Optional[Registry]) -> str:
    """How messages name the registry in code: its own instance or module name, not sglang's."""
    if registry is None:
        return "envs"
    if registry.style == "module":
        return registry.module.rpartition(".")[2] or "envs"
    return registry.instance or "envs"


def replacement_text(access: RawAccess, registry: Optional[Registry], key: str) -> Optional[str]:
    """The registry API call that replaces ``access`` (shown in messages), or None if none."""
    name = access_name(registry)
    if registry is not None and registry.style == "module":
        if access.access == "check":
            if "is_set" in registry.module_attributes:
                prefix = "not " if access.operation == "not in" else ""
                return f'{prefix}{name}.is_set("{key}")'
            return None
        return f"{name}.{key}"
    descriptor = f"{name}.{key}"
    if access.access == "read":
        return f"{descriptor}.get()"
    if access.access == "check":
        return f"not {descriptor}.is_set()" if access.operation == "not in" else f"{descriptor}.is_set()"
    if access.access == "delete":
        return f"{descriptor}.clear()"
    return f"{descriptor}.set(...)"


def _display(registry: Registry, ctx: FileContext) -> str:
    return ctx.project.shown(registry.path)
