"""EnvField.get is verified, not assumed: what a read returns for a value parse() rejects.

Every safe read fix compares a raw read with ``envs.K.get()`` for every string, so a
registry whose ``get`` differs from the two shapes envlint models must make those fixes
unsafe, and the "raises" shape must be modelled as raising.
"""

from __future__ import annotations

import ast
import textwrap

import pytest

from envlint.registry import Field
from envlint.registry.verification import GET_DEFAULT_ON_INVALID, GET_RAISES_ON_INVALID, get_semantics
from envlint.safety.models import descriptor_reader

HEAD = "import os\nimport warnings\n\n\nclass EnvField:\n    def __init__(self, default):\n        self.default = default\n\n"
TAIL = "\n\nclass EnvInt(EnvField):\n    def parse(self, value):\n        return int(value)\n"

SGLANG_0_5_12 = """\
    def get(self):
        value = os.getenv(self.name)

        # Explicitly set to None
        if self._set_to_none:
            assert value == str(None)
            return None

        # Not set, return default
        if value is None:
            return self.default

        try:
            return self.parse(value)
        except ValueError as e:
            warnings.warn(f'Invalid value for {self.name}: {e}, using default "{self.default}"')
            return self.default
"""

SGLANG_0_5_23 = """\
    def _resolve_default(self):
        return self.default() if callable(self.default) else self.default

    def get(self):
        value = os.getenv(self.name)
        if self._set_to_none:
            assert value == str(None)
            return None
        if value is None:
            return self._resolve_default()
        try:
            return self.parse(value)
        except ValueError as e:
            default = self._resolve_default()
            warnings.warn(f"Invalid value for {self.name}: {e}, using default {default}")
            return default
"""

PLAIN = """\
    def get(self):
        value = os.getenv(self.name)
        return self.default if value is None else self.parse(value)
"""

PLAIN_STATEMENTS = """\
    def get(self):
        value = os.environ.get(self.name)
        if value is None:
            return self.default
        return self.parse(value)
"""

NOT_MODELLED = {
    "returns None for a bad value": """\
    def get(self):
        value = os.getenv(self.name)
        if value is None:
            return self.default
        try:
            return self.parse(value)
        except ValueError:
            return None
""",
    "strips first": """\
    def get(self):
        value = os.getenv(self.name)
        if value is None:
            return self.default
        return self.parse(value.strip())
""",
    "catches everything": """\
    def get(self):
        value = os.getenv(self.name)
        if value is None:
            return self.default
        try:
            return self.parse(value)
        except Exception:
            return self.default
""",
    "caches": """\
    def get(self):
        if self.name in CACHE:
            return CACHE[self.name]
        value = os.getenv(self.name)
        return self.default if value is None else self.parse(value)
""",
    "no get at all": "",
}


def _registry(get_code: str, tail: str = TAIL) -> ast.Module:
    return ast.parse(HEAD + get_code + tail)


@pytest.mark.parametrize(
    "code, expected",
    [
        (SGLANG_0_5_12, GET_DEFAULT_ON_INVALID),
        (SGLANG_0_5_23, GET_DEFAULT_ON_INVALID),
        (PLAIN, GET_RAISES_ON_INVALID),
        (PLAIN_STATEMENTS, GET_RAISES_ON_INVALID),
    ],
    ids=["sglang-0.5.12", "sglang-0.5.23", "plain-expression", "plain-statements"],
)
def test_the_modelled_shapes_are_recognised(code, expected):
    assert get_semantics(_registry(code)) == expected


@pytest.mark.parametrize("code", list(NOT_MODELLED.values()), ids=list(NOT_MODELLED))
def test_any_other_get_is_not_modelled(code):
    assert get_semantics(_registry(code)) is None


def test_a_descriptor_class_with_its_own_get_is_not_modelled():
    own = TAIL + "\n    def get(self):\n        return 0\n"
    assert get_semantics(_registry(SGLANG_0_5_12, own)) is None


def _field() -> Field:
    return Field(
        name="SGLANG_N", kind="int", descriptor="EnvInt", default=5, default_is_literal=True,
        default_source="5", alias=None, line=1, column=0, section=None, description="",
    )


def test_a_rejected_value_reads_as_the_default_or_raises_as_the_registry_says():
    sglang, _ = descriptor_reader(_field(), frozenset({"EnvInt"}), GET_DEFAULT_ON_INVALID)
    plain, _ = descriptor_reader(_field(), frozenset({"EnvInt"}), GET_RAISES_ON_INVALID)
    assert (sglang("abc").value, sglang("abc").raised) == (5, None)
    assert (plain("abc").value, plain("abc").raised) == (None, "ValueError")
    assert sglang("7").value == plain("7").value == 7
    assert sglang(None).value == plain(None).value == 5


def test_an_unmodelled_get_makes_the_read_unmodelled_with_its_reason():
    reader, reason = descriptor_reader(_field(), frozenset({"EnvInt"}), None)
    assert reader is None
    assert reason == "EnvField.get in this registry is not the code envlint models"


def test_a_fix_through_a_registry_with_an_unmodelled_get_is_unsafe(tmp_path, run_cli):
    """End to end: the same read is safe through sglang's get and unsafe through one that
    returns None for a value parse rejects."""
    import json

    for name, get_code, expected in (
        ("modelled", SGLANG_0_5_12, ("safe", None)),
        ("not-modelled", NOT_MODELLED["returns None for a bad value"],
         ("unsafe", "EnvField.get in this registry is not the code envlint models; "
                    "which values read differently is not known")),
    ):
        root = tmp_path / name
        (root / "python/sglang/srt").mkdir(parents=True)
        (root / "pyproject.toml").write_text("")
        registry = HEAD + "    def __set_name__(self, owner, name):\n        self.name = name\n\n" + get_code + TAIL
        registry += "\n\nclass Envs:\n    SGLANG_N = EnvInt(5)\n\n\nenvs = Envs()\n"
        (root / "python/sglang/srt/environ.py").write_text(registry)
        (root / "python/sglang/srt/server.py").write_text(
            textwrap.dedent('''\
                import os

                n = int(os.getenv("SGLANG_N", "5"))
                ''')
        )
        code, out, _ = run_cli("check", "--no-cache", "--format", "json", "python/sglang/srt/server.py", cwd=root)
        fix = json.loads(out)[0]["fix"]
        assert (fix["applicability"], fix["reason"]) == expected, name
