"""Imports a fix adds or removes: placed where isort puts them, nothing else touched.

Each case gives the exact expected text and checks it with the real formatters
(isort with profile black, black) under the same settings, so "passes the
project's formatters" is tested, not assumed.
"""

from __future__ import annotations

import black
import isort
import pytest

from envlint.findings import ImportRequest
from envlint.fixes.imports import update_imports
from envlint.fixes.style import CodeStyle, read_style

SRT = ImportRequest("sglang.srt.environ", "envs")
STYLE = CodeStyle(first_party=frozenset({"sglang"}))


def fixed(text: str, add=(SRT,), unused=(), style: CodeStyle = STYLE, module="sglang.srt.x") -> str:
    return update_imports(text, list(add), list(unused), module, False, frozenset(), style, [(1, 10_000)])


def passes_formatters(text: str, line_length: int = 88, **isort_settings) -> bool:
    sorted_ok = isort.check_code(
        text, profile="black", known_first_party=["sglang"], line_length=line_length, **isort_settings
    )
    return sorted_ok and black.format_str(text, mode=black.Mode(line_length=line_length)) == text


CASES = {
    # The import joins the first-party section, sorted; the blank line after
    # ``from __future__`` and between sections stays.
    "first party section": (
        "from __future__ import annotations\n\nimport os\n\nimport torch\n\n"
        "from sglang.srt.managers import scheduler\nfrom sglang.srt.utils import is_cuda\n\n\n"
        "def f():\n    return envs.X.get(), os, torch, scheduler, is_cuda\n",
        "from __future__ import annotations\n\nimport os\n\nimport torch\n\n"
        "from sglang.srt.environ import envs\n"
        "from sglang.srt.managers import scheduler\nfrom sglang.srt.utils import is_cuda\n\n\n"
        "def f():\n    return envs.X.get(), os, torch, scheduler, is_cuda\n",
    ),
    # A section of its own, after the third-party one.
    "new section": (
        "import argparse\n\nimport requests\n\nDIR = envs.X.get()\n",
        "import argparse\n\nimport requests\n\nfrom sglang.srt.environ import envs\n\nDIR = envs.X.get()\n",
    ),
    # Never above code the imports after it depend on: the block holding the
    # first-party imports is after the ``setattr`` workaround.
    "after a module-level workaround": (
        "import threading\n\n# Fix a bug of Python threading\n"
        'setattr(threading, "_register_atexit", lambda *args, **kwargs: None)\n\n'
        "import torch\n\nfrom sglang.srt.utils import is_cuda\n\n\n"
        "def f():\n    return envs.X.get(), torch, is_cuda\n",
        "import threading\n\n# Fix a bug of Python threading\n"
        'setattr(threading, "_register_atexit", lambda *args, **kwargs: None)\n\n'
        "import torch\n\nfrom sglang.srt.environ import envs\nfrom sglang.srt.utils import is_cuda\n\n\n"
        "def f():\n    return envs.X.get(), torch, is_cuda\n",
    ),
    # Merged into the existing import of the module, in isort's name order.
    "merge": (
        "from sglang.srt.environ import EnvField, temp_set_env\n\nX = (EnvField, temp_set_env, envs)\n",
        "from sglang.srt.environ import EnvField, envs, temp_set_env\n\nX = (EnvField, temp_set_env, envs)\n",
    ),
    "merge into a wrapped import": (
        "from sglang.srt.environ import (\n    EnvField,\n    temp_set_env,\n)\n\n"
        "X = (EnvField, temp_set_env, envs)\n",
        "from sglang.srt.environ import (\n    EnvField,\n    envs,\n    temp_set_env,\n)\n\n"
        "X = (EnvField, temp_set_env, envs)\n",
    ),
    # Too long for one line once merged: wrapped the way isort/black wrap it.
    "merge wraps": (
        "from sglang.srt.environ import EnvBoolWithAlias, EnvField, EnvIntWithAlias, temp_set_env\n\n"
        "X = (EnvBoolWithAlias, EnvField, EnvIntWithAlias, temp_set_env, envs)\n",
        "from sglang.srt.environ import (\n    EnvBoolWithAlias,\n    EnvField,\n    EnvIntWithAlias,\n"
        "    envs,\n    temp_set_env,\n)\n\n"
        "X = (EnvBoolWithAlias, EnvField, EnvIntWithAlias, temp_set_env, envs)\n",
    ),
    # A module docstring and no import yet: one blank line after the docstring,
    # two before the def.
    "first import": (
        '"""Doc."""\n\n\ndef f():\n    return envs.X.get()\n',
        '"""Doc."""\n\nfrom sglang.srt.environ import envs\n\n\ndef f():\n    return envs.X.get()\n',
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_added_import_is_where_isort_puts_it(name):
    before, expected = CASES[name]
    assert fixed(before) == expected
    assert passes_formatters(expected)


def test_the_last_import_of_a_section_goes_with_its_blank_line():
    before = (
        "import os\n\nfrom sglang.srt.utils import get_bool_env_var\n\n\n"
        "def f():\n    return envs.X.get(), os\n"
    )
    expected = "import os\n\nfrom sglang.srt.environ import envs\n\n\ndef f():\n    return envs.X.get(), os\n"
    assert fixed(before, unused=["get_bool_env_var"]) == expected
    assert passes_formatters(expected)


def test_a_name_leaves_a_wrapped_import_and_the_rest_stays():
    before = (
        "from sglang.srt.utils import (\n    configure_logger,\n    get_bool_env_var,\n    is_cuda,\n)\n\n"
        "X = (envs.X.get(), configure_logger, is_cuda)\n"
    )
    expected = (
        "from sglang.srt.environ import envs\nfrom sglang.srt.utils import (\n    configure_logger,\n"
        "    is_cuda,\n)\n\nX = (envs.X.get(), configure_logger, is_cuda)\n"
    )
    assert fixed(before, unused=["get_bool_env_var"]) == expected
    assert passes_formatters(expected)


def test_an_import_still_used_elsewhere_stays():
    before = "import os\n\nX = envs.X.get()\nY = os.sep\n"
    assert fixed(before, add=(), unused=["os"]) == before


def test_the_only_import_replaced_in_place():
    before = "import os\n\n# a comment\nX = envs.X.get()\n"
    assert (
        fixed(before, unused=["os"])
        == "from sglang.srt.environ import envs\n\n# a comment\nX = envs.X.get()\n"
    )


def test_a_function_local_import_the_rewrite_left_unused_goes():
    before = (
        "def f():\n    from sglang.srt.utils import get_bool_env_var\n\n    return envs.X.get()\n\n\n"
        "def g():\n    from sglang.srt.utils import get_bool_env_var\n\n    return get_bool_env_var('Y')\n"
    )
    text = update_imports(
        before, [], ["get_bool_env_var"], "sglang.srt.x", False, frozenset(), STYLE, [(4, 4)]
    )
    assert text == (
        "def f():\n\n    return envs.X.get()\n\n\n"
        "def g():\n    from sglang.srt.utils import get_bool_env_var\n\n    return get_bool_env_var('Y')\n"
    )


def test_style_is_read_from_black_ruff_and_isort_settings(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pyproject.toml").write_text(
        "[tool.black]\nline-length = 100\n\n[tool.isort]\nprofile = 'black'\nline_length = 60\n"
        "known_first_party = ['mylib']\nforce_sort_within_sections = true\n"
    )
    style = read_style(tmp_path, package_roots=("sglang",))
    assert (style.line_length, style.import_line_length) == (100, 60)
    assert {"sglang", "mylib", "pkg"} <= style.first_party
    assert style.force_sort_within_sections and not style.force_single_line
    (tmp_path / "pyproject.toml").write_text(
        "[tool.ruff]\nline-length = 120\n\n[tool.ruff.lint.isort]\nforce-single-line = true\n"
    )
    style = read_style(tmp_path)
    assert (style.line_length, style.import_line_length, style.force_single_line) == (120, 120, True)
    (tmp_path / "pyproject.toml").write_text("not toml [")
    assert read_style(tmp_path).line_length == 88


def test_import_line_length_and_single_line_style_are_followed():
    before = "from sglang.srt.environ import EnvField\n\nX = (EnvField, envs)\n"
    narrow = CodeStyle(first_party=frozenset({"sglang"}), import_line_length=40)
    expected = "from sglang.srt.environ import (\n    EnvField,\n    envs,\n)\n\nX = (EnvField, envs)\n"
    assert fixed(before, style=narrow) == expected
    assert isort.check_code(expected, profile="black", known_first_party=["sglang"], line_length=40)
    single = CodeStyle(first_party=frozenset({"sglang"}), force_single_line=True)
    expected = "from sglang.srt.environ import EnvField\nfrom sglang.srt.environ import envs\n\nX = (EnvField, envs)\n"
    assert fixed(before, style=single) == expected
    assert isort.check_code(expected, profile="black", known_first_party=["sglang"], force_single_line=True)


# -- rewritten statements keep to the line length, as black lays them out ---------------------

WRAPS = {
    "assignment grows past the limit": (
        "class A:\n    def f(self):\n        self.num_max_dispatch_tokens_per_rank = get_int_env_var(\n"
        '            "SGLANG_MOONCAKE_EP_NUM_MAX_DISPATCH_TOKENS_PER_RANK", 128\n        )\n',
        'get_int_env_var(\n            "SGLANG_MOONCAKE_EP_NUM_MAX_DISPATCH_TOKENS_PER_RANK", 128\n        )',
        "envs.SGLANG_MOONCAKE_EP_NUM_MAX_DISPATCH_TOKENS_PER_RANK.get()",
        "class A:\n    def f(self):\n        self.num_max_dispatch_tokens_per_rank = (\n"
        "            envs.SGLANG_MOONCAKE_EP_NUM_MAX_DISPATCH_TOKENS_PER_RANK.get()\n        )\n",
    ),
    "boolean split inside the parentheses": (
        'def f():\n    pad_output = not cutlass_fp8_supported and not get_bool_env_var("SGLANG_TORCH")\n',
        'get_bool_env_var("SGLANG_TORCH")',
        "envs.SGLANG_ENABLE_TORCH_COMPILE_AAAAAAAAAAAAAA.get()",
        "def f():\n    pad_output = (\n        not cutlass_fp8_supported\n"
        "        and not envs.SGLANG_ENABLE_TORCH_COMPILE_AAAAAAAAAAAAAA.get()\n    )\n",
    ),
    "an if condition": (
        'if get_bool_env_var("SGLANG_X") and xyz_long_name_here_to_make_it_long_enough:\n    pass\n',
        'get_bool_env_var("SGLANG_X")',
        "envs.SGLANG_X_LONGER_NAME_THAN_BEFORE.get()",
        "if (\n    envs.SGLANG_X_LONGER_NAME_THAN_BEFORE.get()\n"
        "    and xyz_long_name_here_to_make_it_long_enough\n):\n    pass\n",
    ),
    "call arguments": (
        'x = foo(a, get_bool_env_var("SGLANG_ENABLE_TORCH_COMPILE_AND_SOME_MORE_LONG"), b)\n',
        'get_bool_env_var("SGLANG_ENABLE_TORCH_COMPILE_AND_SOME_MORE_LONG")',
        "envs.SGLANG_ENABLE_TORCH_COMPILE_AND_SOME_MORE_LONG_NAME_HERE_TO_BREAK.get()",
        "x = foo(\n    a, envs.SGLANG_ENABLE_TORCH_COMPILE_AND_SOME_MORE_LONG_NAME_HERE_TO_BREAK.get(), b\n)\n",
    ),
    "a split statement that now fits is joined": (
        'value = int(\n    os.getenv("SGLANG_SOME_LONG_NAME_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", "1234567890")\n)\n',
        'os.getenv("SGLANG_SOME_LONG_NAME_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", "1234567890")',
        "envs.SGLANG_X.get()",
        "value = int(envs.SGLANG_X.get())\n",
    ),
    "an elif condition that now fits": (
        "class A:\n    def f(self, x):\n        if x:\n            pass\n        elif (\n"
        '            "SGLANG_MORI_FP8_DISP" in os.environ or "SGLANG_MORI_FP4_DISP" in os.environ\n'
        "        ):\n            pass\n",
        '"SGLANG_MORI_FP8_DISP" in os.environ',
        "envs.SGLANG_MORI_FP8_DISP.is_set()",
        "class A:\n    def f(self, x):\n        if x:\n            pass\n"
        "        elif envs.SGLANG_MORI_FP8_DISP.is_set() or "
        '"SGLANG_MORI_FP4_DISP" in os.environ:\n            pass\n',
    ),
    # sglang 0.5.23's shapes: a conditional expression, a comparison, an inner call
    # that black split only because the read was long.
    "a split conditional that now fits": (
        "def f(is_aiter_moe):\n    if is_aiter_moe:\n        return AITER_PADDING_SIZE\n    else:\n"
        "        return (\n            TRITON_PADDING_SIZE\n"
        '            if get_bool_env_var("SGLANG_MOE_PADDING", "false")\n            else 0\n        )\n',
        'get_bool_env_var("SGLANG_MOE_PADDING", "false")',
        "envs.SGLANG_MOE_PADDING.get()",
        "def f(is_aiter_moe):\n    if is_aiter_moe:\n        return AITER_PADDING_SIZE\n    else:\n"
        "        return TRITON_PADDING_SIZE if envs.SGLANG_MOE_PADDING.get() else 0\n",
    ),
    "a comparison split after its operator": (
        'def f():\n    return os.environ.get("SGLANG_HICACHE_HOST_MEM_BACKEND", "").lower() == (\n'
        '        "memfabric"\n    )\n',
        'os.environ.get("SGLANG_HICACHE_HOST_MEM_BACKEND", "")',
        "envs.SGLANG_HICACHE_HOST_MEM_BACKEND.get()",
        'def f():\n    return envs.SGLANG_HICACHE_HOST_MEM_BACKEND.get().lower() == ("memfabric")\n',
    ),
    "inner brackets joined inside an exploded call": (
        "class A:\n    def f(self):\n        if x:\n            y = Foo(\n                stage_slots=int(\n"
        "                    self.config.get(\n"
        '                        "stage_slots", os.getenv("SGLANG_EXPERT_STAGE_SLOTS", 8)\n'
        "                    )\n                ),\n                b=1,\n            )\n",
        'os.getenv("SGLANG_EXPERT_STAGE_SLOTS", 8)',
        "envs.SGLANG_EXPERT_STAGE_SLOTS.get()",
        "class A:\n    def f(self):\n        if x:\n            y = Foo(\n                stage_slots=int(\n"
        '                    self.config.get("stage_slots", envs.SGLANG_EXPERT_STAGE_SLOTS.get())\n'
        "                ),\n                b=1,\n            )\n",
    ),
    # sglang 0.5.5 ep_moe/layer.py: black gives the test its own parentheses, the
    # message stays on the closing line however long.
    "an assert with a long message": (
        "def f():\n    assert get_bool_env_var(\n"
        '        "SGLANG_DEEPEP_BF16_DISPATCH"\n'
        '    ), "W4AFP8 does not support FP8 dispatch; please set SGLANG_DEEPEP_BF16_DISPATCH=1."\n',
        'get_bool_env_var(\n        "SGLANG_DEEPEP_BF16_DISPATCH"\n    )',
        "envs.SGLANG_DEEPEP_BF16_DISPATCH.get()",
        "def f():\n    assert (\n        envs.SGLANG_DEEPEP_BF16_DISPATCH.get()\n"
        '    ), "W4AFP8 does not support FP8 dispatch; please set SGLANG_DEEPEP_BF16_DISPATCH=1."\n',
    ),
    "an assert that now fits": (
        "def f():\n    assert get_bool_env_var(\n"
        '        "SGLANG_DEEPEP_BF16_DISPATCH_AND_A_LONG_TAIL_TO_SPLIT"\n'
        '    ), "needs BF16 dispatch."\n',
        'get_bool_env_var(\n        "SGLANG_DEEPEP_BF16_DISPATCH_AND_A_LONG_TAIL_TO_SPLIT"\n    )',
        "envs.SGLANG_BF16.get()",
        'def f():\n    assert envs.SGLANG_BF16.get(), "needs BF16 dispatch."\n',
    ),
}


@pytest.mark.parametrize("name", sorted(WRAPS))
def test_a_rewritten_statement_is_laid_out_as_black_would(name):
    from envlint.fixes.wrap import apply_wrapped

    before, old, new, expected = WRAPS[name]
    assert black.format_str(before, mode=black.Mode()) == before  # the project is black-formatted
    start = before.index(old)
    text, _ = apply_wrapped(before, [(start, start + len(old), new)], 88)
    assert text == expected
    assert black.format_str(text, mode=black.Mode()) == text


def test_code_the_project_does_not_wrap_is_left_as_written():
    from envlint.fixes.wrap import apply_wrapped

    # Already too long before the rewrite, and split although it fit: not black's layout.
    for before, old in (
        ('x = aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa + get_int_env_var("SGLANG_LONGER_NAME_X", 5)\n',
         'get_int_env_var("SGLANG_LONGER_NAME_X", 5)'),
        ('x = int(\n    os.getenv("SGLANG_X", "5")\n)\n', 'os.getenv("SGLANG_X", "5")'),
    ):
        start = before.index(old)
        text, _ = apply_wrapped(before, [(start, start + len(old), "envs.SGLANG_X.get()")], 88)
        assert text == before.replace(old, "envs.SGLANG_X.get()")
