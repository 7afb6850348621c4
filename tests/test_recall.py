"""Every raw access, wherever its key comes from (issue 13): constants, loops, wrappers.

One shape per test, with the exact findings (line, column, key) of ENV001 on a
file placed in the sglang fixture tree, and what must *not* be flagged next to
it. The fixture tree itself (tests/fixtures/sglang_project/python/sglang/srt/keys)
covers the cross-module shapes end to end; here each rule of resolution is
pinned down on its own.
"""

from __future__ import annotations

import textwrap

import pytest

from envlint.engine import Linter

PATH = "python/sglang/srt/example.py"


def _found(project, root, code: str, select=("ENV001",)):
    linter = Linter(project, select=select, ignore=())
    result = linter.check_bytes(root / PATH, textwrap.dedent(code).encode(), PATH)
    assert result.error is None, result.error
    return [(f.line, f.column, f.key) for f in result.findings]


@pytest.mark.parametrize(
    "code,expected",
    [
        pytest.param(
            """\
            import os
            KEY = "SGLANG_A"
            KEY = "SGLANG_B"
            value = os.getenv(KEY)
            """,
            [],
            id="a name bound twice is unknown",
        ),
        pytest.param(
            """\
            import os
            try:
                KEY = "SGLANG_A"
            except ImportError:
                KEY = "CUDA_HOME"
            value = os.getenv(KEY)
            """,
            [],
            id="bound in try and in except: unknown",
        ),
        pytest.param(
            """\
            import os
            KEY = "SGLANG_OUTER"

            def read():
                KEY = "CUDA_HOME"
                return os.getenv(KEY)
            """,
            [],
            id="a local binding shadows the module constant",
        ),
        pytest.param(
            """\
            import os
            KEY = "SGLANG_OUTER"

            def read():
                def inner():
                    return os.getenv(KEY)
                return inner
            """,
            [(6, 16, "SGLANG_OUTER")],
            id="a closure sees the module constant",
        ),
        pytest.param(
            """\
            import os
            def read(items):
                if (key := items[0]):
                    pass
                key = "SGLANG_A"
                return os.getenv(key)
            """,
            [],
            id="a walrus target is never a single known value",
        ),
        pytest.param(
            """\
            import os
            for name in ["SGLANG_A", "CUDA_HOME", "SGLANG_B"]:
                os.environ.get(name)
            """,
            [(3, 5, "SGLANG_A"), (3, 5, "SGLANG_B")],
            id="a module-level loop over a list",
        ),
        pytest.param(
            """\
            import os
            KEYS = {"SGLANG_A", "SGLANG_B"}
            present = [key in os.environ for key in sorted(KEYS)]
            """,
            [],
            id="a comprehension over a call of the constant is not followed",
        ),
        pytest.param(
            """\
            import os
            PREFIX = "SGLANG_"
            value = os.getenv(PREFIX + "A" + "_B")
            other = os.getenv(f"{PREFIX}{'C'}")
            """,
            [(3, 9, "SGLANG_A_B"), (4, 9, "SGLANG_C")],
            id="concatenations and f-strings of constants",
        ),
        pytest.param(
            """\
            import os
            value = os.getenv(f"SGLANG_{os.getpid()}")
            external = os.getenv(f"CUDA_{os.getpid()}")
            """,
            [(2, 9, "SGLANG_*")],
            id="a dynamic key with an owned prefix, not an external one",
        ),
        pytest.param(
            """\
            import os
            def read(suffix):
                return os.getenv("SGLANG_" + suffix)
            """,
            [],
            id="the unknown part is a parameter: the body of a wrapper",
        ),
        pytest.param(
            """\
            import os
            class Store:
                key = "SGLANG_STORE"
                def read(self):
                    return os.getenv(self.key), os.getenv(type(self).key)
            value = os.getenv(Store.key)
            """,
            [(6, 9, "SGLANG_STORE")],
            id="Class.attr is followed, self.attr is not",
        ),
        pytest.param(
            """\
            import os
            def read(name="SGLANG_DEFAULT_PARAMETER"):
                return os.getenv(name)
            """,
            [],
            id="a parameter's default is not a key at this site",
        ),
    ],
)
def test_key_resolution(fixture_project, sglang_project, code, expected):
    assert _found(fixture_project, sglang_project, code) == expected


@pytest.mark.parametrize(
    "code,expected",
    [
        pytest.param(
            """\
            import os
            def get(section, key):
                return os.environ.get(key)
            value = get("logging", key="SGLANG_BY_KEYWORD")
            other = get("logging", "SGLANG_BY_POSITION")
            """,
            [(4, 9, "SGLANG_BY_KEYWORD"), (5, 9, "SGLANG_BY_POSITION")],
            id="positional and keyword arguments",
        ),
        pytest.param(
            """\
            import os
            def any_set(names):
                return any(name in os.environ for name in names)
            on = any_set(("SGLANG_A", "CUDA_HOME", "SGLANG_B"))
            """,
            [(4, 6, "SGLANG_A"), (4, 6, "SGLANG_B")],
            id="a parameter that is a collection of keys",
        ),
        pytest.param(
            """\
            import os
            def _read(key):
                return os.getenv(key)
            def read_int(key, default):
                value = _read(key)
                return default if value is None else int(value)
            level = read_int("SGLANG_LEVEL", 0)
            """,
            [(7, 9, "SGLANG_LEVEL")],
            id="a wrapper of a wrapper",
        ),
        pytest.param(
            """\
            import os
            def flag(suffix):
                return os.getenv(f"SGLANG_FLAG_{suffix}") == "1"
            on = flag("FAST")
            """,
            [(4, 6, "SGLANG_FLAG_FAST")],
            id="a wrapper that adds the owned prefix",
        ),
        pytest.param(
            """\
            import os
            class Reader:
                def _get(self, key):
                    return os.getenv(key)
                @classmethod
                def get(cls, key):
                    return os.getenv(key)
                def configured(self):
                    return self._get("SGLANG_VIA_SELF"), Reader.get("SGLANG_VIA_CLASS")
            on_instance = Reader()._get("SGLANG_ON_INSTANCE")
            """,
            [(9, 16, "SGLANG_VIA_SELF"), (9, 46, "SGLANG_VIA_CLASS")],
            id="methods through self and the class, not through an instance",
        ),
        pytest.param(
            """\
            import os
            def _env_int(name, default):
                return int(os.environ.get(name, default))
            workers = _env_int("OMP_NUM_THREADS", 1)
            rebound = _env_int
            """,
            [],
            id="an external key through a wrapper",
        ),
        pytest.param(
            """\
            import os
            def set_env(key, value):
                os.environ[key] = value
            set_env("SGLANG_WRITTEN", "1")
            """,
            [(4, 1, "SGLANG_WRITTEN")],
            id="a writing wrapper",
        ),
        pytest.param(
            """\
            import os
            def read(key):
                key = key.upper()
                return os.getenv(key)
            value = read("SGLANG_REBOUND")
            """,
            [],
            id="a parameter rebound in the body is not followed",
        ),
    ],
)
def test_wrappers(fixture_project, sglang_project, code, expected):
    assert _found(fixture_project, sglang_project, code) == expected


def test_messages_name_the_wrapper_and_the_constant(fixture_project, sglang_project):
    linter = Linter(fixture_project, select=("ENV001",), ignore=())
    code = textwrap.dedent(
        """\
        import os
        KEY = "SGLANG_LOG_GC"
        def _first(*names):
            for name in names:
                if os.environ.get(name):
                    return name
        def pick(*names):
            return _first(*names)
        chosen = pick("SGLANG_A", KEY)
        """
    )
    result = linter.check_bytes(sglang_project / PATH, code.encode(), PATH)
    messages = [f.message for f in result.findings]
    assert messages == [
        "raw read of SGLANG_A via pick() (it reads the key with _first() → os.environ.get()); "
        "register SGLANG_A in Envs (python/sglang/srt/environ.py) and use envs.SGLANG_A.get()",
        "raw read of SGLANG_LOG_GC (constant KEY) via pick() (it reads the key with _first() → "
        "os.environ.get()); use envs.SGLANG_LOG_GC.get()",
    ]
    assert all(f.fix is None for f in result.findings)  # what pick() returns is not modelled


def test_a_configured_helper_is_a_helper_not_a_wrapper(fixture_project, sglang_project):
    """sglang's own get_bool_env_var reads os.environ with its parameter; its calls are
    reported once, as the helper (with the helper's fix), never also as a wrapper."""
    summary = fixture_project.summary
    assert not [q for q in summary.wrappers if q.endswith(".get_bool_env_var")]
    code = 'from sglang.srt.utils import get_bool_env_var\nflag = get_bool_env_var("SGLANG_LOG_GC")\n'
    linter = Linter(fixture_project, select=("ENV001",), ignore=())
    result = linter.check_bytes(sglang_project / PATH, code.encode(), PATH)
    assert [(f.line, f.column, f.message.split(";")[0]) for f in result.findings] == [
        (2, 8, "raw read of SGLANG_LOG_GC via get_bool_env_var()")
    ]


def test_the_fixture_projects_summary(fixture_project):
    summary = fixture_project.summary
    keys = "sglang.srt.keys"
    assert summary.constant(f"{keys}.constants.DSV4_ENV") == ("str", ("SGLANG_DSV4_PREFILL",))
    assert summary.constant(f"{keys}.constants.Store.default_env_var") == ("str", ("SGLANG_STORE_CONFIG",))
    assert summary.constant(f"{keys}.constants.DIAGNOSTIC_KEYS") == ("seq", ("SGLANG_DIAG_A", "SGLANG_DIAG_B"))
    assert summary.constant(f"{keys}.constants.EXTERNAL") is None  # not an owned key
    assert summary.constant(f"{keys}.constants.HINT") is None  # a message, not a key
    wrapper = summary.wrapper(f"{keys}.wrappers.resolve_mode")
    assert wrapper.chain == ("_first_set()",)
    assert [(p.position, p.star) for p in wrapper.params] == [(0, True)]
    assert summary.wrapper(f"{keys}.reexported_env_int") == summary.wrapper(f"{keys}.wrappers.env_int")
    assert summary.wrapper(f"{keys}.wrappers.flag").params[0].prefix == "SGLANG_FLAG_"
    assert summary.wrapper(f"{keys}.wrappers.EnvReader.static_get").binding == "staticmethod"


def test_the_summary_is_position_free(tmp_path, sglang_project):
    """Editing a wrapper's module without changing what it means keeps the digest (so
    other files' cached results stay valid); changing what it reads changes it."""
    import shutil

    from envlint.runner import load_project

    root = tmp_path / "project"
    shutil.copytree(sglang_project, root, ignore=shutil.ignore_patterns(".envlint_cache"))
    wrappers = root / "python/sglang/srt/keys/wrappers.py"
    before = load_project([root]).summary.digest
    wrappers.write_text("# a comment that moves every line\n\n" + wrappers.read_text())
    assert load_project([root]).summary.digest == before
    wrappers.write_text(wrappers.read_text().replace("raw = os.environ.get(name)", "raw = None"))
    assert load_project([root]).summary.digest != before


def test_test_patches_and_child_environments(fixture_project, sglang_project):
    code = """\
        import os
        import subprocess
        from unittest import mock

        def test_it(monkeypatch):
            monkeypatch.setenv("SGLANG_LOG_GC", "1")
            with mock.patch.dict(os.environ, {"SGLANG_IS_IN_CI": "1"}, clear=True):
                pass
            env = {**os.environ}
            env["SGLANG_LOG_MS"] = "1"
            env["SGLANG_LOG_LEVEL"] += "x"
            subprocess.run(["x"], env=env)
            settings = {}
            settings["SGLANG_NOT_AN_ENVIRONMENT"] = "1"
            os.putenv("SGLANG_PUTENV", "1")
        """
    assert _found(fixture_project, sglang_project, code) == [
        (6, 5, "SGLANG_LOG_GC"),
        (7, 39, "SGLANG_IS_IN_CI"),
        (10, 5, "SGLANG_LOG_MS"),
        (11, 5, "SGLANG_LOG_LEVEL"),
    ]


def test_env002_leaves_a_raw_access_to_env001_only_when_env001_runs(fixture_project, sglang_project):
    """One site, one finding. Fails before the merge: both codes reported the site."""
    code = 'import os\nvalue = os.getenv("SGL_CHUNK_SIZE")\n'
    both = _found(fixture_project, sglang_project, code, select=("ENV001", "ENV002"))
    assert both == [(2, 9, "SGL_CHUNK_SIZE")]
    alone = _found(fixture_project, sglang_project, code, select=("ENV002",))
    assert alone == [(2, 19, "SGL_CHUNK_SIZE")]


def test_a_legacy_key_without_a_descriptor_keeps_env002s_fix(fixture_project, sglang_project):
    """A presence check of an unregistered legacy key has no registry rewrite (nothing to
    call is_set() on); the merged finding carries ENV002's rename of the literal."""
    linter = Linter(fixture_project, select=("ENV001", "ENV002"), ignore=())
    code = 'import os\npresent = "SGL_NOT_REGISTERED" in os.environ\n'
    [finding] = linter.check_bytes(sglang_project / PATH, code.encode(), PATH).findings
    assert finding.code == "ENV001"
    assert finding.message.startswith(
        "raw presence check of SGL_NOT_REGISTERED via 'in os.environ'; SGL_NOT_REGISTERED is a "
        "legacy alias of SGLANG_NOT_REGISTERED;"
    )
    assert finding.fix.applicability == "unsafe"
    assert [e.content for e in finding.fix.edits] == ['"SGLANG_NOT_REGISTERED"']


@pytest.mark.parametrize(
    "manager",
    [
        "pytest.raises(RuntimeError)",
        "self.assertRaises(RuntimeError)",
        "self.assertRaisesRegex(RuntimeError, 'get')",
        "assert_throws('use .get()')",
        "contextlib.suppress(RuntimeError)",
    ],
)
def test_env004_is_silent_where_the_error_is_expected(fixture_project, sglang_project, manager):
    """Fails before the fix: sglang 0.5.12's own demonstration (assert_throws) was reported."""
    code = f"""\
        import contextlib
        import pytest
        from sglang.srt.environ import envs

        def test_raises(self):
            with {manager}:
                if envs.SGLANG_TEST_RETRACT:
                    pass
            if envs.SGLANG_LOG_GC:
                pass
        """
    assert _found(fixture_project, sglang_project, code, select=("ENV004",)) == [(9, 8, "SGLANG_LOG_GC")]


def test_env004_needs_an_attribute_the_registry_defines(fixture_project, sglang_project):
    """Fails before the fix: ENV004 and ENV006 both reported an unknown attribute."""
    code = "from sglang.srt.environ import envs\nif envs.SGLANG_EPLB_UNKNOWN_INTERVAL > 0:\n    pass\n"
    found = Linter(fixture_project, select=("ENV004", "ENV006"), ignore=()).check_bytes(
        sglang_project / PATH, code.encode(), PATH
    )
    assert [(f.code, f.line, f.column) for f in found.findings] == [("ENV006", 2, 4)]


def test_a_legacy_registry_entry_is_one_finding_not_two(tmp_path, sglang_project, run_cli):
    """sglang 0.5.5's diffusion registry read each legacy SGL_ key inside its own entry:
    ENV002 reported the entry and the read. Fails before the fix (two findings)."""
    import shutil

    root = tmp_path / "project"
    shutil.copytree(sglang_project, root, ignore=shutil.ignore_patterns(".envlint_cache"))
    registry = root / "python/sglang/multimodal_gen/envs.py"
    text = registry.read_text()
    text = text.replace("    LOCAL_RANK: int = 0\n", "    LOCAL_RANK: int = 0\n    SGL_DIFFUSION_LEVEL: str | None = None\n")
    anchor = '    "LOCAL_RANK": _lazy_int("LOCAL_RANK", 0),'
    assert anchor in text
    text = text.replace(
        anchor,
        '    "SGL_DIFFUSION_LEVEL": lambda: os.getenv("SGL_DIFFUSION_LEVEL") or os.getenv("SGL_OTHER"),\n' + anchor,
    )
    registry.write_text(text)
    code, out, _ = run_cli("check", "--select", "ENV002", "python/sglang/multimodal_gen/envs.py", cwd=root)
    found = [(line.split(": ")[0], " ".join(line.split()[2:5])) for line in out.splitlines()[:-1]]
    assert found == [
        ("python/sglang/multimodal_gen/envs.py:34:6", "registry key SGL_DIFFUSION_LEVEL"),
        # a read of another legacy key inside the entry is still its own finding
        ("python/sglang/multimodal_gen/envs.py:34:82", "legacy key SGL_OTHER"),
    ]
    assert out.splitlines()[-1] == "Found 2 findings (1 with unsafe fixes)."
    assert code == 1


def test_a_spread_environment_goes_anywhere(fixture_project, sglang_project):
    """Found on sglang 0.5.23 (test/hicache_spec_storage_common.py): the copy assigned to an
    attribute was missed while one assigned to a name was reported."""
    code = """\
        import os

        class Server:
            def launch(self):
                self.env = {**os.environ, "SGLANG_LOG_GC": "1"}
                plain = {**os.environ, "SGLANG_LOG_MS": "1"}
                return plain
        """
    assert _found(fixture_project, sglang_project, code) == [(5, 35, "SGLANG_LOG_GC"), (6, 32, "SGLANG_LOG_MS")]


def test_an_undefined_legacy_attribute_is_env006s(fixture_project, sglang_project):
    """sglang 0.5.5 rocm.py: envs.SGL_DIFFUSION_ATTENTION_BACKEND was reported by ENV002 and
    ENV006; the AttributeError is the problem to fix first. Fails before the fix."""
    code = "from sglang.srt.environ import envs\nvalue = envs.SGL_NOT_DEFINED_HERE.get()\n"
    linter = Linter(fixture_project, select=("ENV002", "ENV006"), ignore=())
    found = linter.check_bytes(sglang_project / PATH, code.encode(), PATH).findings
    assert [(f.code, f.line, f.column) for f in found] == [("ENV006", 2, 9)]
    alone = Linter(fixture_project, select=("ENV002",), ignore=()).check_bytes(sglang_project / PATH, code.encode(), PATH)
    assert [(f.code, f.line, f.column) for f in alone.findings] == [("ENV002", 2, 9)]
