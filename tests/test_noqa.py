"""``# noqa`` semantics, pinned to flake8's."""

from __future__ import annotations

import pytest

from envlint.findings import Finding
from envlint.noqa import file_is_ignored, filter_suppressed, is_suppressed


@pytest.mark.parametrize(
    "comment,code,suppressed",
    [
        ("# noqa", "ENV001", True),
        ("# NOQA", "ENV004", True),
        ("# noqa: ENV001", "ENV001", True),
        ("# noqa:ENV001,E501", "ENV001", True),
        ("# noqa: E501 ENV001", "ENV001", True),
        ("# noqa: ENV", "ENV004", True),  # prefix, as flake8 does
        ("# noqa: ENV00", "ENV004", True),
        ("# noqa: ENV002", "ENV001", False),
        ("# noqa: E501", "ENV001", False),
        ("# noqa: env001", "ENV001", False),  # flake8 compares codes case-sensitively
        ("# no qa", "ENV001", False),
        ("x = 1", "ENV001", False),
    ],
)
def test_inline(comment, code, suppressed):
    assert is_suppressed(code, f"value = compute()  {comment}\n") is suppressed


def _finding(line: int, code: str = "ENV001") -> Finding:
    return Finding("f.py", line, 1, code, line, 2, "m")


def test_multiline_string_shares_one_noqa():
    text = 'x = f("""\nSGLANG\n""")  # noqa: ENV001\ny = 1\n'
    kept = filter_suppressed([_finding(1), _finding(2), _finding(4)], text)
    assert kept == [_finding(4)]


def test_bracketed_lines_do_not_share_noqa():
    # Inside brackets every physical line ends with an NL token: flake8 maps them separately.
    text = "x = f(\n    1,\n)  # noqa\n"
    kept = filter_suppressed([_finding(1), _finding(3)], text)
    assert kept == [_finding(1)]


def test_backslash_continuation_shares_noqa():
    text = "x = 1 + \\\n    2  # noqa\n"
    assert filter_suppressed([_finding(1)], text) == []


def test_file_level():
    assert file_is_ignored("import os\n# flake8: noqa\n")
    assert file_is_ignored("  # FLAKE8=NOQA\n")
    assert not file_is_ignored("x = 1  # flake8: noqa\n")  # must start the line
    assert not file_is_ignored("# flake8 is great\n")
