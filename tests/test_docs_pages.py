"""The README and docs/: every example output is what the command above it prints, the rules
page is generated from the rule docstrings, the README stays a five-minute read, links resolve."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import doc_examples  # noqa: E402

# Pages other branches write at the same time; they exist once those are merged.
WRITTEN_ELSEWHERE = {"docs/fixing.md", "docs/fix-guarantees.md", "docs/reliability.md", "docs/registry-review.md"}
README_BUDGET = 10_000


def test_every_page_is_what_its_commands_print():
    """`python scripts/doc_examples.py` regenerates the outputs; a difference is drift."""
    stale = doc_examples.stale_pages()
    assert sorted(str(path.relative_to(ROOT)) for path in stale) == []


def test_pages_have_examples_to_check():
    """Not vacuous: the pages do run commands, and the README shows the shipped example's
    fix summary (it once promised 'Fixed 20 findings in 4 files', which nothing printed)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme.count("```console run") >= 4
    assert "$ envlint fix examples/\n" in readme
    assert "Fixed 3 findings in 2 files (ENV001: 1, ENV004: 1, ENV005: 1).\n5 left: " in readme
    for page in ("checking.md", "fixes-and-safety.md", "ci.md", "configuration.md", "reference-pages.md"):
        assert " run\n$ " in (ROOT / "docs" / page).read_text(encoding="utf-8"), page


def test_a_drifted_output_is_detected(tmp_path, monkeypatch):
    page = tmp_path / "page.md"
    page.write_text("<!-- example: x -->\n```console run\n$ envlint rules\nENV001 made up\n```\n")
    monkeypatch.setattr(doc_examples, "ROOT", tmp_path)
    rendered = doc_examples.render(page)
    assert rendered != page.read_text() and "ENV001  raw-env-access" in rendered


def test_file_blocks_are_inputs_to_the_example(tmp_path, monkeypatch):
    page = tmp_path / "page.md"
    page.write_text(
        "<!-- example: x -->\n```python file=m.py\nimport os\nx = os.getenv('SGLANG_X')\n```\n"
        "```console run\n$ envlint check -q m.py\n```\n"
    )
    monkeypatch.setattr(doc_examples, "ROOT", tmp_path)
    assert doc_examples.render(page).endswith(
        "$ envlint check -q m.py\nm.py:2:5: ENV001 raw read of SGLANG_X via os.getenv(); register "
        "SGLANG_X in a registry and use envs.SGLANG_X.get()\n```\n"
    )


def test_rules_page_is_generated_from_every_code():
    from envlint.codes import ALL_CODES

    text = (ROOT / "docs/rules.md").read_text(encoding="utf-8")
    assert text == doc_examples.render_rules_page()
    for page in ALL_CODES:
        assert f"\n## {page.code} {page.name}\n" in text
        assert "### Why is this bad" in text


def test_readme_is_a_five_minute_read_with_the_two_commands_on_top():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme) <= README_BUDGET
    first_block = readme[readme.index("```bash\n") : readme.index("```\n", readme.index("```bash\n") + 8)]
    assert "pip install . && envlint check examples/" in first_block
    assert "pip install -e '.[test]' && python -m pytest" in first_block
    assert readme.index("```bash\n") < 1_000  # at the very top
    # CI's contract: .ci/run runs the README's test command verbatim.
    assert "pip install -e '.[test]' && python -m pytest\n" in (ROOT / ".ci/run").read_text()
    # How to install, prominently, and the name that must not be used.
    assert "**`envlint-ml`**" in readme[:2_000] and "`pip install envlint`" in readme[:2_000]


def _links(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"```.*?```", "", text, flags=re.S)  # not in code blocks
    return re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text)


@pytest.mark.parametrize("page", doc_examples.pages(), ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(page):
    missing = []
    for link in _links(page):
        if re.match(r"^[a-z]+:", link):
            continue  # http(s), mailto
        target = (page.parent / link).resolve()
        shown = target.relative_to(ROOT).as_posix() if target.is_relative_to(ROOT) else str(target)
        if not target.exists() and shown not in WRITTEN_ELSEWHERE:
            missing.append(link)
    assert missing == []
