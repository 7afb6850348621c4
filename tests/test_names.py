"""The per-file import tracker: what names refer to, scope by scope."""

from __future__ import annotations

import ast
import textwrap

import pytest

from envlint.modules import module_name, resolve_relative
from envlint.names import Resolver, children_with_scopes


def _resolve_all(code: str, module: str = "pkg.sub.mod", is_package: bool = False):
    """{expression source: qualified name} for every Name/Attribute load, per scope."""
    tree = ast.parse(textwrap.dedent(code))
    resolver = Resolver(tree, module, is_package)
    found = {}
    stack = [(tree, resolver.module_scope)]
    scoped = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, ast.ListComp,
              ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.comprehension)
    while stack:
        node, scope = stack.pop()
        if isinstance(node, ast.Expr) and isinstance(node.value, (ast.Name, ast.Attribute)):
            found[f"{ast.unparse(node.value)}@{node.lineno}"] = resolver.qualified_name(node.value, scope)
        if isinstance(node, scoped):
            stack.extend(children_with_scopes(node, scope, resolver))
        else:
            stack.extend((child, scope) for child in ast.iter_child_nodes(node))
    return found


def test_import_forms():
    found = _resolve_all(
        """
        import os
        import os as _os
        import os.path
        from os import environ, getenv as ge
        from sglang.srt.environ import envs as E
        os.environ
        _os.getenv
        environ
        ge
        E.SGLANG_X
        """
    )
    assert found["os.environ@7"] == "os.environ"
    assert found["_os.getenv@8"] == "os.getenv"
    assert found["environ@9"] == "os.environ"
    assert found["ge@10"] == "os.getenv"
    assert found["E.SGLANG_X@11"] == "sglang.srt.environ.envs.SGLANG_X"


@pytest.mark.parametrize(
    "module,is_package,level,target,expected",
    [
        ("sglang.srt.utils.common", False, 1, "environ", "sglang.srt.utils.environ"),
        ("sglang.srt.utils.common", False, 2, "environ", "sglang.srt.environ"),
        ("sglang.srt.utils", True, 1, "common", "sglang.srt.utils.common"),
        ("sglang.srt.utils", True, 2, None, "sglang.srt"),
        ("top", False, 2, "x", None),
    ],
)
def test_relative_imports(module, is_package, level, target, expected):
    assert resolve_relative(module, is_package, level, target) == expected


def test_relative_import_resolution_in_file():
    found = _resolve_all("from ..environ import envs\nenvs\n", module="sglang.srt.managers.x")
    assert found["envs@2"] == "sglang.srt.environ.envs"


def test_shadowing_rules():
    found = _resolve_all(
        """
        from sglang.srt.environ import envs

        def parameter(envs):
            envs

        def assigned():
            envs
            envs = 1

        def untouched():
            envs

        class Holder:
            envs = None
            envs

            def method(self):
                envs

        def uses_global():
            global envs
            envs
        """
    )
    assert found["envs@5"] is None  # parameter
    assert found["envs@8"] is None  # local assignment anywhere in the function
    assert found["envs@12"] == "sglang.srt.environ.envs"
    assert found["envs@16"] is None  # the class attribute, inside the class body
    assert found["envs@19"] == "sglang.srt.environ.envs"  # methods skip the class body
    assert found["envs@23"] == "sglang.srt.environ.envs"


def test_conflicting_module_bindings_are_unknown():
    found = _resolve_all(
        """
        try:
            from sglang.srt.environ import envs
        except ImportError:
            envs = None
        envs
        """
    )
    assert found["envs@6"] is None


def test_module_level_definitions_are_qualified():
    found = _resolve_all("envs = Envs()\nenvs\ndef helper(): ...\nhelper\n", module="sglang.srt.environ")
    assert found["envs@2"] == "sglang.srt.environ.envs"
    assert found["helper@4"] == "sglang.srt.environ.helper"


def test_builtins_and_star_imports():
    found = _resolve_all("from os import *\nlen\nenviron\nunknown_name\n")
    assert found["len@2"] == "builtins.len"
    assert found["environ@3"] == "os.environ"
    assert found["unknown_name@4"] is None


def test_module_name_with_namespace_packages(tmp_path):
    file = tmp_path / "python/sglang/srt/layers/attn.py"
    file.parent.mkdir(parents=True)
    file.write_text("")
    assert module_name(file, (tmp_path / "python", tmp_path)) == "sglang.srt.layers.attn"
    init = tmp_path / "python/sglang/__init__.py"
    init.write_text("")
    assert module_name(init, (tmp_path / "python",)) == "sglang"


def test_module_name_falls_back_to_init_files(tmp_path):
    file = tmp_path / "pkg/sub/mod.py"
    file.parent.mkdir(parents=True)
    (tmp_path / "pkg/__init__.py").write_text("")
    (tmp_path / "pkg/sub/__init__.py").write_text("")
    assert module_name(file, ()) == "pkg.sub.mod"


def test_module_level_global_is_a_no_op():
    found = _resolve_all("import os\nglobal os, args\nargs = None\nos\n")
    assert found["os@4"] == "os"


def test_annotation_without_value_does_not_rebind():
    found = _resolve_all(
        'from sglang.srt.environ import envs\nenvs: "Envs"\nenvs\n'
        "def f():\n    envs: int\n    envs\n"
    )
    assert found["envs@3"] == "sglang.srt.environ.envs"
    assert found["envs@6"] is None  # inside a function the annotation makes it local
