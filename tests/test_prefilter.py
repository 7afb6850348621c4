"""The byte-level proof that lets ENV004/ENV006 skip a file (envlint.registry_uses).

Soundness on whole trees is tested in test_fixture_tree.py (with and without the
prefilter); these tests pin what the proof accepts and rejects, one shape each.
"""

from __future__ import annotations

import pytest

from envlint.engine import Linter

IMPORT = b"from sglang.srt.environ import envs\n"


@pytest.mark.parametrize(
    "body",
    [
        b"flag = envs.SGLANG_LOG_GC.get()\n",
        b"envs.SGLANG_LOG_GC.set(True)\nwith envs.SGLANG_IS_IN_CI.override(False):\n    pass\n",
        b"name = envs.SGLANG_LOG_GC . name\n",
        b"value = envs.helper_function()\n",  # not an upper-case attribute: no rule looks at it
    ],
)
def test_registered_descriptor_method_calls_need_no_parse(fixture_project, body):
    assert fixture_project.registry_use_check(IMPORT + body) is False


@pytest.mark.parametrize(
    "body",
    [
        b"if envs.SGLANG_LOG_GC:\n    pass\n",  # ENV004: the descriptor itself
        b"flag = envs.SGLANG_NOT_REGISTERED_ANYWHERE.get()\n",  # ENV006: unknown name
        b"flag = envs.SGL_LEGACY_NAME.get()\n",  # legacy prefix: parse and decide
        b"from sglang.srt.environ import envs as e\nif e.SGLANG_LOG_GC:\n    pass\n",  # an alias
    ],
)
def test_other_registry_uses_are_parsed(fixture_project, body):
    assert fixture_project.registry_use_check(IMPORT + body) is True


def test_a_file_that_cannot_reach_a_registry_needs_no_parse(fixture_project):
    # ``envs`` is a word here, but nothing imports a registry module.
    assert fixture_project.registry_use_check(b"envs = {}\nif envs.SGLANG_LOG_GC:\n    pass\n") is False


def test_the_answer_is_for_the_bytes_given_now(fixture_project):
    """Regression: the predicate once memoised its last answer by ``id(data)``, and
    CPython reuses the id of a freed buffer for the next file's bytes."""
    data = bytearray(IMPORT + b"if envs.SGLANG_LOG_GC:\n    pass\n")
    assert fixture_project.registry_use_check(data) is True
    data[:] = IMPORT + b"flag = envs.SGLANG_LOG_GC.get()\n"
    assert fixture_project.registry_use_check(data) is False


def test_env004_and_env006_share_one_check_evaluated_once_per_file(fixture_project, monkeypatch):
    linter = Linter(fixture_project, select=("ENV004", "ENV006"), ignore=())
    checks = {id(alternative) for rule in linter.rules for alternative in rule.prefilter()}
    assert checks == {id(fixture_project.registry_use_check)}

    calls = []
    original = fixture_project.registry_use_check
    monkeypatch.setattr(fixture_project, "registry_use_check", lambda data: calls.append(data) or original(data))
    linter = Linter(fixture_project, select=("ENV004", "ENV006"), ignore=())
    active = linter._prefilter.active(IMPORT + b"if envs.SGLANG_LOG_GC:\n    pass\n")
    assert [rule.code for rule in active] == ["ENV004", "ENV006"]
    assert len(calls) == 1
