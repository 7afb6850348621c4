"""Property tests over generated programs (bounded for CI; ``scripts/fuzz.py`` runs any budget).

See ``tests/fuzzing.py`` for how programs are generated and injected. 200
programs run here (50 generated bases, 4 injected variants each, fixed seeds:
a failure reproduces with ``python scripts/fuzz.py --examples 200``).
"""

from __future__ import annotations

import warnings

import pytest

import fuzzing

EXAMPLES = 200


@pytest.fixture(scope="module")
def fuzz_project(tmp_path_factory):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)
        batch = fuzzing.programs(EXAMPLES)
    assert len(batch) == EXAMPLES
    return fuzzing.make_project(tmp_path_factory.mktemp("fuzz"), batch)


@pytest.fixture(autouse=True)
def _quiet_generated_code():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)
        yield


def test_the_injected_programs_hold_findings_of_every_rule(fuzz_project):
    findings, errors = fuzzing._check(fuzz_project, True)
    assert errors == []
    codes = {code for _, _, _, code, _ in findings}
    assert {"ENV001", "ENV002", "ENV004", "ENV005", "ENV006"} <= codes
    assert len(findings) > 2 * EXAMPLES


def test_check_equals_check_without_prefilter(fuzz_project):
    assert fuzzing.check_agrees_with_no_prefilter(fuzz_project) == []


def test_check_equals_flake8(fuzz_project):
    assert fuzzing.check_agrees_with_flake8(fuzz_project) == []


def test_unsafe_fixes_compile_and_a_second_fix_changes_nothing(fuzz_project):
    # Last: it rewrites the project the other tests read.
    assert fuzzing.fix_compiles_and_is_idempotent(fuzz_project) == []
