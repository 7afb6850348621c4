"""Any value under any ``[tool.envlint]`` key is a valid configuration or one ``ConfigError``.

Hypothesis writes the tables (every known key, plus unknown ones, with values of
every TOML type: strings with NUL bytes and ``..``, nested arrays and tables);
``load_config`` must return a Config or raise ConfigError, nothing else. TOML's
own decoding (bad UTF-8, deep nesting) has explicit tests in test_hostile_input.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from envlint import config as config_module
from envlint.config import _KNOWN_KEYS, ConfigError, load_config
from hostile import make_project

_TEXT = st.one_of(
    st.sampled_from(["", "..", "../outside", "/", "python", "python/sglang/srt/environ.py", "sglang",
                     "descriptor", "module", "bool", "int", "ENV", "SGLANG_", "a\0b", "*", "get_bool_env_var"]),
    st.text(max_size=8),
)
_SCALARS = st.one_of(_TEXT, st.integers(min_value=-(2**63), max_value=2**63 - 1), st.booleans(),
                     st.floats(allow_nan=False))
_VALUES = st.recursive(
    _SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(st.sampled_from(["path", "style", "module", "name", "kind", "packages",
                                         "semantics", "x"]), children, max_size=4),
    ),
    max_leaves=8,
)
_TABLES = st.dictionaries(st.one_of(st.sampled_from(sorted(_KNOWN_KEYS)), st.text(max_size=5)), _VALUES, max_size=4)


def test_random_tables_are_a_config_or_one_config_error(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("config"), {"good.py": "x = 1\n"})

    @settings(max_examples=300, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(_TABLES)
    def check(table):
        original = config_module._read_toml
        config_module._read_toml = lambda path: {"tool": {"envlint": table}}
        try:
            load_config([root])
        except ConfigError as exc:
            message = str(exc)
            assert "\n" not in message and message.startswith(str(root / "pyproject.toml"))
        finally:
            config_module._read_toml = original

    check()
