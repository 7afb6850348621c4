"""Each rule's own VALID / INVALID examples (the ones ``envlint rule CODE`` documents)."""

from __future__ import annotations

import pytest

from envlint.engine import Linter
from envlint.rules import ALL_RULES

VALID = [(rule, i, ex) for rule in ALL_RULES for i, ex in enumerate(rule.VALID)]
INVALID = [(rule, i, ex) for rule in ALL_RULES for i, ex in enumerate(rule.INVALID)]


def with_base(project, root, example):
    """The project, compared with ``example.base`` (the registry at ``example.path`` at the base)."""
    if example.base is None:
        return project
    import dataclasses

    from envlint.registry import parse_registry
    from envlint.review.base import from_registries
    from envlint.source import SourceFile

    path = (root / example.path).resolve()
    spec = next(s for s in project.config.registries if s.path == path)
    registry = parse_registry(path, spec.style, spec.module, SourceFile.from_bytes(path, example.base.encode()))
    base = from_registries([registry], root, "the example's base", dict(example.moves))
    config = dataclasses.replace(project.config, review=base)
    return dataclasses.replace(project, config=config, _changes={})


def _findings(project, root, rule, example):
    project = with_base(project, root, example)
    linter = Linter(project, select=(rule.code,), ignore=())
    result = linter.check_bytes(root / example.path, example.code.encode(), example.path)
    assert result.error is None, result.error
    return [(f.line, f.column) for f in result.findings if f.code == rule.code]


@pytest.mark.parametrize("rule,index,example", VALID, ids=lambda v: getattr(v, "code", str(v)))
def test_valid_example(fixture_project, sglang_project, rule, index, example):
    assert _findings(fixture_project, sglang_project, rule, example) == []


@pytest.mark.parametrize("rule,index,example", INVALID, ids=lambda v: getattr(v, "code", str(v)))
def test_invalid_example(fixture_project, sglang_project, rule, index, example):
    assert _findings(fixture_project, sglang_project, rule, example) == list(example.findings)


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.code)
def test_every_rule_documents_itself(rule):
    text = rule.explanation()
    for heading in ("## What it does", "## Why is this bad", "## Example", "## Use instead", "## Fix safety"):
        assert heading in text, f"{rule.code} lacks {heading}"
    assert rule.VALID and rule.INVALID, f"{rule.code} needs examples of both kinds"
    assert rule.code.startswith("ENV") and len(rule.code) == 6
    if rule.about_change:
        # A rule about a change must show that it needs one, and what it flags against a base.
        assert any(ex.base is None for ex in rule.VALID), f"{rule.code}: show the rule silent without a base"
        assert all(ex.base is not None for ex in rule.INVALID)


FIXED = [(rule, i, ex) for rule in ALL_RULES for i, ex in enumerate(rule.INVALID) if ex.fixed]


@pytest.mark.parametrize("rule,index,example", FIXED, ids=lambda v: getattr(v, "code", str(v)))
def test_invalid_example_fix(tmp_path, sglang_project, rule, index, example):
    """Applying the example's fixes (unsafe ones included) gives exactly ``fixed``."""
    import shutil

    from envlint.fixer import Fixer
    from envlint.runner import prepare

    root = tmp_path / "project"
    shutil.copytree(sglang_project, root)
    target = root / example.path
    target.write_text(example.code)
    project, files = prepare([target])
    project = with_base(project, root, example)
    fixer = Fixer(project.config, files, select=(rule.code,), ignore=(), unsafe=True)
    report = fixer.run()
    assert fixer.write() == [] and report.errors == []
    assert target.read_text() == example.fixed
    fixes = [f.fix for f in Linter(project, select=(rule.code,), ignore=()).check_bytes(
        target, example.code.encode()).findings]
    # One fix may cover several findings (ENV008's deprecation entries): the others carry none.
    assert {f.applicability for f in fixes if f is not None} == {example.applicability}
