"""Look-alikes of safe rewrites that are not safe: each one was once marked safe.

Found by an adversarial review that ran code before and after ``envlint fix``.
Every test builds a small project on the fix fixture's registry, checks the
verdict envlint gives, and where a fix is still offered as safe, runs both
versions under the harness to show they behave the same.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from test_fix import FIX_PROJECT, RUNNER, envlint

REGISTRY = "python/sglang/srt/environ.py"


def project(tmp_path: Path, files: dict[str, str], fields: str = "", before_class: str = "") -> Path:
    root = tmp_path / "proj"
    shutil.copytree(FIX_PROJECT, root, ignore=shutil.ignore_patterns("cases", "cases.py", "unprovable_cases.py"))
    registry = root / REGISTRY
    text = registry.read_text()
    if fields:
        text = text.replace("    SGLANG_IS_IN_CI = EnvBool(False)\n", "    SGLANG_IS_IN_CI = EnvBool(False)\n" + fields)
    if before_class:
        text = text.replace("class Envs:", before_class + "\n\nclass Envs:")
    registry.write_text(text)
    (root / "python/sglang/srt/probe").mkdir()
    (root / "python/sglang/srt/probe/__init__.py").write_text("")
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    return root


def verdicts(root: Path, target: str = "python/sglang/srt/probe") -> dict:
    """line (and (line, column)) -> (applicability or None, reason) of the findings in ``target``."""
    proc = envlint("check", "--no-cache", "--format", "json", target, cwd=root)
    found: dict = {}
    for finding in json.loads(proc.stdout):
        fix = finding["fix"]
        verdict = (fix["applicability"], fix["reason"]) if fix else (None, None)
        found[(finding["line"], finding["column"])] = verdict
        found.setdefault(finding["line"], verdict)
    return found


def run_cases(tree: Path, module: str, rows: list[dict]) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree / "python")}
    proc = subprocess.run(
        [sys.executable, str(RUNNER)],
        input=json.dumps({"modules": [module], "rows": rows}),
        capture_output=True, text=True, env=env, check=True,
    )
    return json.loads(proc.stdout)


def fixed_copy(root: Path, *args: str) -> Path:
    after = root.parent / "after"
    shutil.copytree(root, after)
    proc = envlint("fix", *args, "python", cwd=after)
    assert "Traceback" not in proc.stderr, proc.stderr
    return after


def test_a_default_read_from_another_variable_is_not_safe(tmp_path):
    code = (
        "import os\n\n\ndef case_nested():\n"
        '    return os.getenv("SGLANG_LOG_LEVEL", os.getenv("SGLANG_OLD_LOG_LEVEL", "info"))\n\n\n'
        "def case_presence_in_default():\n"
        '    return int(os.environ.get("SGLANG_SCHEDULER_RECV_INTERVAL", "1" if "SGLANG_FAST" not in os.environ else "5"))\n'
    )
    root = project(tmp_path, {"python/sglang/srt/probe/reads.py": code})
    found = verdicts(root)
    # The outer reads depend on a second variable: not modelled, never safe.
    assert found[(5, 12)][0] != "safe" and found[(9, 16)][0] != "safe"
    # The inner read on its own is an ordinary, provable one.
    assert found[(5, 42)] == ("safe", None)
    after = fixed_copy(root)
    assert '    return os.getenv("SGLANG_LOG_LEVEL", envs.SGLANG_OLD_LOG_LEVEL.get())\n' in (
        after / "python/sglang/srt/probe/reads.py"
    ).read_text()
    rows = [{}, {"SGLANG_OLD_LOG_LEVEL": "debug"}, {"SGLANG_FAST": "1"}, {"SGLANG_LOG_LEVEL": "x"}]
    module = "sglang.srt.probe.reads"
    assert run_cases(root, module, rows) == run_cases(after, module, rows)


def test_registering_a_key_is_unsafe_when_the_registry_lists_its_descriptors(tmp_path):
    code = 'import os\nTOKEN = os.getenv("SGLANG_PRIVATE_HF_TOKEN")\nMODE = os.getenv("SGLANG_NEW_MODE", "fast")\n'
    lister = "def exportable():\n    return [v for v in vars(Envs).values()]\n"
    root = project(tmp_path, {"python/sglang/srt/probe/reads.py": code}, before_class="")
    registry = root / REGISTRY
    registry.write_text(registry.read_text() + "\n\n" + lister)
    found = verdicts(root)
    assert found[2][0] == found[3][0] == "unsafe"
    assert "visible to code that lists Envs's descriptors" in found[3][1]


def test_secret_looking_keys_are_registered_as_secret(tmp_path):
    registry_text = (FIX_PROJECT / REGISTRY).read_text().replace(
        "    def __init__(self, default: Any):", "    def __init__(self, default: Any, secret: bool = False):"
    )
    root = project(tmp_path, {"python/sglang/srt/probe/reads.py": 'import os\nT = os.getenv("SGLANG_HUB_TOKEN")\n'})
    (root / REGISTRY).write_text(registry_text)
    after = fixed_copy(root)
    assert "    SGLANG_HUB_TOKEN = EnvStr(None, secret=True)\n" in (after / REGISTRY).read_text()


def test_no_registry_edit_that_would_not_import(tmp_path):
    code = (
        'import os\nA = float(os.getenv("SGLANG_PROBE_NAN", "nan"))\n'
        'B = int(os.getenv("SGLANG_A.B", "5"))\nC = os.getenv("SGLANG_FOO-BAR", "x")\n'
        'D = os.getenv("SGLANG_PROBE_SURROGATE", "\\ud800")\nE = int(os.getenv("SGLANG_PROBE_FINE", "5"))\n'
    )
    root = project(tmp_path, {"python/sglang/srt/probe/reads.py": code})
    found = verdicts(root)
    assert found[3] == found[4] == (None, None)  # not attribute names: no envs.X to write
    after = fixed_copy(root)
    registry = (after / REGISTRY).read_text()
    # float("nan") has no literal: the string read is registered, the cast stays.
    assert '    SGLANG_PROBE_NAN = EnvStr("nan")\n' in registry
    assert "    return" not in (after / "python/sglang/srt/probe/reads.py").read_text()
    assert 'A = float(envs.SGLANG_PROBE_NAN.get())' in (after / "python/sglang/srt/probe/reads.py").read_text()
    assert "SGLANG_A.B" not in registry and "SGLANG_FOO-BAR" not in registry
    # A surrogate default is written escaped, and does not block the other edits.
    assert '    SGLANG_PROBE_SURROGATE = EnvStr("\\ud800")\n' in registry
    assert "    SGLANG_PROBE_FINE = EnvInt(5)\n" in registry
    compile(registry, "environ.py", "exec")


def test_a_binding_made_later_in_the_module_is_not_used_earlier(tmp_path):
    code = (
        'import os\n\nBATCH = int(os.getenv("SGLANG_SCHEDULER_BATCH", "8"))\n\n'
        "from sglang.srt.environ import envs as _envs\n\nLEVEL = _envs.SGLANG_LOG_LEVEL.get()\n"
    )
    root = project(tmp_path, {"python/sglang/srt/probe/late.py": code})
    assert verdicts(root)[3] == (None, None)


def test_an_unsafe_fix_keeps_a_not_and_leaves_string_comparisons_alone(tmp_path):
    code = (
        "import os\n\nfrom sglang.srt.utils import get_bool_env_var\n\n\ndef case_not_helper():\n"
        '    return not get_bool_env_var("SGLANG_ENABLE_SPEC_V2", default="true")\n\n\n'
        "def case_not_equal():\n"
        '    return os.getenv("SGLANG_TEST_RETRACT", "0") != "1"\n'
    )
    root = project(tmp_path, {"python/sglang/srt/probe/notdrop.py": code})
    assert verdicts(root)[11] == (None, None)
    after = fixed_copy(root, "--unsafe-fixes")
    text = (after / "python/sglang/srt/probe/notdrop.py").read_text()
    assert "    return not envs.SGLANG_ENABLE_SPEC_V2.get()\n" in text
    assert '    return os.getenv("SGLANG_TEST_RETRACT", "0") != "1"\n' in text


def test_setdefault_with_a_computed_value_is_unsafe(tmp_path):
    code = (
        "import os\n\n\ndef port():\n    return 1234\n\n\ndef case():\n"
        '    os.environ.setdefault("SGLANG_LOG_LEVEL", str(port()))\n'
        '    os.environ.setdefault("SGLANG_MODEL_NAME", "fixed")\n'
    )
    root = project(tmp_path, {"python/sglang/srt/probe/writes.py": code})
    found = verdicts(root)
    assert found[9][0] == "unsafe" and "evaluates its value" in found[9][1]
    assert found[10] == ("safe", None)


def test_proofs_that_sampling_cannot_give(tmp_path):
    code = (
        "import os\n\n\ndef case_enum():\n"
        '    return int(os.getenv("SGLANG_TOOL_STRICT_LEVEL", "0"))\n\n\n'
        "def case_int_of_float():\n"
        '    return int(float(os.getenv("SGLANG_CHUNKED_PREFIX_CACHE_THRESHOLD", "8192")))\n\n\n'
        "def case_negative_zero():\n"
        '    return float(os.getenv("SGLANG_PROBE_ZERO", "-0.0"))\n'
    )
    root = project(tmp_path, {"python/sglang/srt/probe/proofs.py": code}, fields="    SGLANG_PROBE_ZERO = EnvFloat(0.0)\n")
    found = verdicts(root)
    assert "not a plain literal" in found[5][1]  # an IntEnum member is not an int
    assert found[9][0] == "unsafe"  # int(float(...)) loses precision above 2**53
    assert found[13][0] == "unsafe"  # -0.0 is not 0.0


def test_shadowed_builtins_are_not_the_builtins(tmp_path):
    files = {
        "python/sgl_util.py": 'def str(x):\n    return "from-sgl_util"\n',
        "python/sglang/srt/probe/shadow.py": (
            'import os\nfrom sgl_util import str\nA = os.getenv("SGLANG_LOG_LEVEL", str("info"))\n'
        ),
        "python/sglang/srt/probe/star.py": (
            'import os\nfrom sgl_util import *\nB = float(os.getenv("SGLANG_SCHEDULER_POLL_TIMEOUT", "0.5"))\n'
        ),
        "python/sglang/srt/probe/walrus.py": (
            'import os\n(int := float)\nC = int(os.getenv("SGLANG_SCHEDULER_BATCH", "8"))\n'
        ),
    }
    root = project(tmp_path, files)
    for name in ("shadow", "star", "walrus"):
        assert verdicts(root, f"python/sglang/srt/probe/{name}.py")[3][0] != "safe", name


def test_a_registry_whose_parse_differs_is_not_modelled(tmp_path):
    root = project(tmp_path, {"python/sglang/srt/probe/p.py": 'import os\nX = int(os.getenv("SGLANG_SCHEDULER_BATCH", "8"))\n'})
    registry = root / REGISTRY
    registry.write_text(registry.read_text().replace("        return int(value)\n", "        return int(value, 0)\n"))
    assert verdicts(root)[2] == (
        "unsafe",
        "EnvInt.parse in this registry is not the parser envlint models; "
        "which values read differently is not known",
    )


def test_a_module_attribute_shadowing_a_getter(tmp_path):
    envs_path = FIX_PROJECT / "python/sglang/multimodal_gen/envs.py"
    text = envs_path.read_text().replace(
        "environment_variables: dict[str, Callable[[], Any]] = {",
        'SGLANG_PROBE_MOD = "stale"\n\nenvironment_variables: dict[str, Callable[[], Any]] = {\n'
        '    "SGLANG_PROBE_MOD": lambda: os.getenv("SGLANG_PROBE_MOD", "a"),',
    )
    root = project(
        tmp_path,
        {
            "python/sglang/multimodal_gen/envs.py": text,
            "python/sglang/multimodal_gen/probe_mod.py": 'import os\nX = os.getenv("SGLANG_PROBE_MOD", "a")\n',
        },
    )
    found = verdicts(root, "python/sglang/multimodal_gen/probe_mod.py")
    assert found[2] == (
        "unsafe",
        "a module-level name SGLANG_PROBE_MOD in the registry shadows its getter; "
        "which values read differently is not known",
    )


def test_an_import_other_modules_reexport_is_kept(tmp_path):
    files = {
        "python/sglang/srt/probe/reexport.py": (
            "from sglang.srt.utils import get_int_env_var\n"
            'BATCH = get_int_env_var("SGLANG_SCHEDULER_BATCH", 8)\n'
        ),
        "python/sglang/srt/probe/user.py": "from sglang.srt.probe.reexport import get_int_env_var\n",
    }
    root = project(tmp_path, files)
    after = fixed_copy(root)
    text = (after / "python/sglang/srt/probe/reexport.py").read_text()
    assert text == (
        "from sglang.srt.environ import envs\n"
        "from sglang.srt.utils import get_int_env_var\n"
        "BATCH = envs.SGLANG_SCHEDULER_BATCH.get()\n"
    )


def test_a_key_registered_for_one_file_fixes_the_others_in_the_same_run(tmp_path):
    files = {
        "python/sglang/srt/probe/a.py": 'import os\nA = int(os.getenv("SGLANG_PROBE_NEW", "5"))\n',
        "python/sglang/srt/probe/b.py": 'import os\nB = "SGLANG_PROBE_NEW" in os.environ\n',
    }
    root = project(tmp_path, files)
    after = fixed_copy(root)
    assert "envs.SGLANG_PROBE_NEW.is_set()" in (after / "python/sglang/srt/probe/b.py").read_text()
    again = envlint("fix", "--diff", "python", cwd=after)
    assert (again.returncode, again.stdout) == (0, "")


def test_a_write_to_a_legacy_descriptor_is_not_rewritten_to_its_old_name(tmp_path):
    code = (
        "import os\n\nfrom sglang.srt.environ import envs\n\n\ndef case():\n"
        '    os.environ["SGL_KERNEL_CACHE_SIZE"] = "256"\n'
        "    return envs.SGL_KERNEL_CACHE_SIZE.get()\n"
    )
    root = project(tmp_path, {"python/sglang/srt/probe/legacy.py": code})
    after = fixed_copy(root, "--unsafe-fixes")
    outcome = run_cases(after, "sglang.srt.probe.legacy", [{}])
    assert "AttributeError" not in json.dumps(outcome)


def test_safe_fixes_here_still_behave_the_same(tmp_path):
    """The positive side: what stays safe in these probes is equivalent when run."""
    code = (
        "import os\n\n\ndef case_fixed_setdefault():\n"
        '    os.environ.setdefault("SGLANG_MODEL_NAME", "fixed")\n'
        '    return os.environ.get("SGLANG_MODEL_NAME")\n\n\n'
        "def case_int():\n"
        '    return int(os.getenv("SGLANG_SCHEDULER_BATCH", "8"))\n'
    )
    root = project(tmp_path, {"python/sglang/srt/probe/ok.py": code})
    after = fixed_copy(root)
    assert "envs.SGLANG_SCHEDULER_BATCH.get()" in (after / "python/sglang/srt/probe/ok.py").read_text()
    rows = [{}, {"SGLANG_MODEL_NAME": "m"}, {"SGLANG_SCHEDULER_BATCH": "12"}, {"SGLANG_SCHEDULER_BATCH": " 7 "}]
    assert run_cases(root, "sglang.srt.probe.ok", rows) == run_cases(after, "sglang.srt.probe.ok", rows)


def _writes_probe(tmp_path: Path, replace: tuple[str, str]) -> dict:
    code = (
        "import os\n\n\ndef case():\n"
        '    os.environ["SGLANG_LOG_LEVEL"] = "debug"\n'  # 5: set()
        '    os.environ.pop("SGLANG_MODEL_NAME", None)\n'  # 6: clear()
        '    return "SGLANG_LOG_GC" in os.environ\n'  # 7: is_set()
    )
    root = project(tmp_path, {"python/sglang/srt/probe/writes.py": code})
    registry = root / REGISTRY
    text = registry.read_text()
    assert replace[0] in text
    registry.write_text(text.replace(*replace))
    return verdicts(root)


def test_writes_deletes_and_checks_are_safe_only_with_sglangs_own_methods(tmp_path):
    found = _writes_probe(tmp_path / "same", ("", ""))
    assert (found[5], found[6], found[7]) == (("safe", None),) * 3
    # A registry whose EnvField.set() does more than store str(value) (here: lower-cases it)
    found = _writes_probe(
        tmp_path / "set",
        ("os.environ[self.name] = str(value)", "os.environ[self.name] = str(value).lower()"),
    )
    assert found[5] == (
        "unsafe",
        "EnvField.set() in environ.py is not the code envlint models, so the rewrite is not "
        "proven equivalent",
    )
    assert (found[6][0], found[7][0]) == ("safe", "safe")
    found = _writes_probe(tmp_path / "is_set", ("return self.name in os.environ", "return bool(os.environ.get(self.name))"))
    assert (found[5][0], found[6][0], found[7][0]) == ("safe", "safe", "unsafe")
    assert found[7][1].startswith("EnvField.is_set() in environ.py is not the code envlint models")
    found = _writes_probe(tmp_path / "clear", ("os.environ.pop(self.name, None)", "os.environ[self.name] = ''"))
    assert (found[5][0], found[6][0], found[7][0]) == ("safe", "unsafe", "safe")


def test_module_registry_is_set_must_be_name_in_environ(tmp_path):
    import ast

    from envlint.registry import verified_methods

    vllm = (
        "def is_set(name: str):\n"
        '    """Check if an environment variable is explicitly set."""\n'
        "    if name in environment_variables:\n"
        "        return name in os.environ\n"
        '    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")\n'
    )
    assert verified_methods(ast.parse(vllm), "module", "environment_variables") == {"is_set"}
    assert verified_methods(ast.parse("def is_set(key):\n    return key in os.environ\n"), "module") == {"is_set"}
    truthy = "def is_set(name):\n    return bool(os.environ.get(name))\n"  # "" counts as unset
    assert verified_methods(ast.parse(truthy), "module") == frozenset()


# -- safe over every value (issue 12, part 1) -------------------------------------------------


def test_a_helper_with_wider_spellings_is_unsafe_and_says_which(tmp_path):
    code = (
        "from sglang.multimodal_gen.runtime.utils.common import get_bool_env_var\n\n\n"
        "def case_wide():\n"
        '    return get_bool_env_var("SGLANG_LOG_GC")\n'
    )
    root = project(tmp_path, {"python/sglang/srt/probe/wide.py": code})
    applicability, reason = verdicts(root)[5]
    assert applicability == "unsafe"
    # The values the diffusion helper reads as True and EnvBool does not:
    assert reason == (
        "SGLANG_LOG_GC='true' (any case, surrounded by whitespace), '1' (surrounded by whitespace), "
        "'yes' (any case, surrounded by whitespace), 'y' (any case, surrounded by whitespace), "
        "'t' (any case, with or without surrounding whitespace), 'on' (any case, with or without "
        "surrounding whitespace): True before, False after"
    )
    after = fixed_copy(root, "--unsafe-fixes")
    rows = [{"SGLANG_LOG_GC": v} for v in ("on", " true ", "T", "yes", "0")] + [{}]
    before_run = run_cases(root, "sglang.srt.probe.wide", rows)
    after_run = run_cases(after, "sglang.srt.probe.wide", rows)
    results = [r["sglang.srt.probe.wide.case_wide"] for r in (before_run, after_run)]
    changed = [row for row, a, b in zip(rows, *results) if a != b]
    assert changed == rows[:3]  # exactly the values the reason names


def test_a_crash_repaired_is_safe_unless_something_catches_it(tmp_path):
    code = (
        "import os\n\n\ndef case_key():\n"
        '    return os.environ["SGLANG_LOG_LEVEL"]\n\n\n'  # 5: KeyError when unset
        "def case_caught():\n    try:\n"
        '        return os.environ["SGLANG_LOG_LEVEL"]\n'  # 10
        "    except KeyError:\n        return None\n\n\n"
        "def case_delete():\n"
        '    del os.environ["SGLANG_MODEL_NAME"]\n'  # 16
    )
    root = project(tmp_path, {"python/sglang/srt/probe/crash.py": code})
    found = verdicts(root)
    assert found[5] == ("safe", None) and found[16] == ("safe", None)
    assert found[10][0] == "unsafe" and "try block" in found[10][1]


def test_descriptor_truth_tests_are_safe_only_where_they_always_raise(tmp_path):
    code = (
        "from sglang.srt.environ import envs\n\n\ndef case():\n"
        "    if envs.SGLANG_LOG_GC:\n"  # 5: __bool__ raises: safe
        "        pass\n"
        "    same = envs.SGLANG_TEST_MAX_RETRY == 3\n"  # 7: always False, no raise
        "    either = same or envs.SGLANG_LOG_MS\n"  # 8: returned, not tested
        "    return not envs.SGLANG_IS_IN_CI and either\n"  # 9: `not` raises
    )
    root = project(tmp_path, {"python/sglang/srt/probe/truth.py": code})
    found = verdicts(root)
    assert found[5] == ("safe", None) and found[9] == ("safe", None)
    assert found[7][0] == "unsafe" and "compares the descriptor" in found[7][1]
    assert found[8][0] == "unsafe" and "last operand" in found[8][1]
    # A registry whose __bool__ does not raise: nothing is verified, nothing safe.
    registry = root / REGISTRY
    registry.write_text(registry.read_text().replace(
        '    def __bool__(self):\n        raise RuntimeError("Please use `envs.YOUR_FLAG.get()` instead of `envs.YOUR_FLAG`")',
        "    def __bool__(self):\n        return True",
    ))
    assert verdicts(root)[5][0] == "unsafe"


def test_temp_set_env_fix_is_safe_only_with_the_helper_verified(tmp_path):
    code = (
        "from sglang.srt.utils import temp_set_env\n\n\ndef case():\n"
        '    with temp_set_env(SGLANG_TEST_RETRACT="1"):\n'
        "        pass\n"
        '    context = temp_set_env(SGLANG_LOG_GC="1")\n'  # 7: not entered here
        "    return context\n"
    )
    root = project(tmp_path, {"python/sglang/srt/probe/tse.py": code})
    found = verdicts(root)
    assert found[5] == ("safe", None)
    assert found[7][0] == "unsafe" and "only when the context is entered" in found[7][1]
    helper = root / "python/sglang/srt/utils/common.py"
    helper.write_text(helper.read_text().replace('key.startswith("SGLANG_") or ', ""))
    assert verdicts(root)[5] == (
        "unsafe",
        "temp_set_env refuses only keys starting with SGL_; the rewrite runs the block with the override",
    )


# -- unsafe fixes change only what their reason says (part 2) ----------------------------------


def _listing_registry(root: Path) -> None:
    """Make registration unsafe, as in sglang: the registry lists its descriptors."""
    registry = root / REGISTRY
    registry.write_text(registry.read_text() + "\n\ndef exportable():\n    return [v for v in vars(Envs).values()]\n")


def test_an_unsafe_fix_keeps_the_transformations_around_the_read(tmp_path):
    code = (
        "import os\n\n\ndef case_mode():\n"
        '    return os.environ.get("SGLANG_NEW_MODE", "auto").lower()\n\n\n'
        "def case_name():\n"
        '    return os.getenv("SGLANG_MODEL_NAME", "Llama").strip()\n'
    )
    root = project(tmp_path, {"python/sglang/srt/probe/keep.py": code})
    _listing_registry(root)
    found = verdicts(root)
    assert found[5] == (
        "unsafe",
        "registering SGLANG_NEW_MODE makes it visible to code that lists Envs's descriptors "
        "(such as an export of the variables that are set)",
    )
    assert found[9] == ("unsafe", "SGLANG_MODEL_NAME unset: 'Llama' before, raises AttributeError after")
    text = (fixed_copy(root, "--unsafe-fixes") / "python/sglang/srt/probe/keep.py").read_text()
    assert '    return envs.SGLANG_NEW_MODE.get().lower()\n' in text
    assert '    return envs.SGLANG_MODEL_NAME.get().strip()\n' in text


def test_a_flag_is_registered_as_envbool_and_stored_in_environ_as_a_string(tmp_path):
    code = (
        "import os\n\n\ndef case_flag():\n"
        '    return os.getenv("SGLANG_NEW_FLAG", "0") == "1"\n\n\n'
        "def case_mode():\n"
        '    return os.getenv("SGLANG_NEW_WAY") == "auto"\n\n\n'
        "def case_copy():\n"
        '    os.environ["CUDA_MODULE_LOADING"] = os.getenv("SGLANG_USE_AITER", "0")\n'
        '    return os.environ["CUDA_MODULE_LOADING"]\n'
    )
    root = project(tmp_path, {"python/sglang/srt/probe/flags.py": code})
    _listing_registry(root)
    found = verdicts(root)
    listing = "registering {} makes it visible to code that lists Envs's descriptors"
    assert found[5][0] == "unsafe"
    assert found[5][1].startswith(listing.format("SGLANG_NEW_FLAG"))
    # Only the spellings EnvBool reads as true and ``== "1"`` does not differ.
    assert found[5][1].endswith(
        "SGLANG_NEW_FLAG='true' (any case), 'yes' (any case), 'y' (any case): False before, True after"
    )
    assert found[9][1].endswith(
        "; SGLANG_NEW_WAY is not registered as EnvBool: `os.getenv(\"SGLANG_NEW_WAY\") == \"auto\"` "
        "is False for '1', not a yes/no reading of the value"
    )
    after = fixed_copy(root, "--unsafe-fixes")
    registry = (after / REGISTRY).read_text()
    assert "    SGLANG_NEW_FLAG = EnvBool(False)\n" in registry
    assert "    SGLANG_NEW_WAY = EnvStr(None)\n" in registry
    text = (after / "python/sglang/srt/probe/flags.py").read_text()
    assert "    return envs.SGLANG_NEW_FLAG.get()\n" in text
    assert '    return envs.SGLANG_NEW_WAY.get() == "auto"\n' in text
    assert '    os.environ["CUDA_MODULE_LOADING"] = "1" if envs.SGLANG_USE_AITER.get() else "0"\n' in text
    # Runs in every environment (a bool stored in os.environ would raise TypeError).
    rows = [{}, {"SGLANG_USE_AITER": "true"}, {"SGLANG_USE_AITER": "0"}]
    outcome = run_cases(after, "sglang.srt.probe.flags", rows)["sglang.srt.probe.flags.case_copy"]
    assert [r["outcome"] for r in outcome] == ["str:'0'", "str:'1'", "str:'0'"]


def test_two_registries_in_one_file_never_bind_the_same_name(tmp_path):
    code = (
        "import os\n\n\ndef case():\n"
        '    return os.getenv("SGLANG_CACHE_DIT_RDT", "0.24"), os.getenv("SGLANG_LOG_LEVEL", "info")\n'
    )
    root = project(tmp_path, {"python/sglang/multimodal_gen/probe_two.py": code})
    # check already names the registries apart, so fix applies exactly what check says
    proc = envlint("check", "--no-cache", "--format", "json", "python/sglang/multimodal_gen/probe_two.py", cwd=root)
    fixes = [(f["fix"]["message"], f["fix"]["imports"]) for f in json.loads(proc.stdout)]
    assert fixes == [
        ("Replace with `envs.SGLANG_CACHE_DIT_RDT`", ["from sglang.multimodal_gen import envs"]),
        (
            "Replace with `srt_envs.SGLANG_LOG_LEVEL.get()`",
            ["from sglang.srt.environ import envs as srt_envs"],
        ),
    ]
    after = fixed_copy(root, "--unsafe-fixes")
    text = (after / "python/sglang/multimodal_gen/probe_two.py").read_text()
    assert "from sglang.multimodal_gen import envs\n" in text
    assert "from sglang.srt.environ import envs as srt_envs\n" in text
    outcome = run_cases(after, "sglang.multimodal_gen.probe_two", [{}])
    assert "raises" not in json.dumps(outcome)


def test_a_fixed_file_gains_no_pyflakes_message(tmp_path):
    code = (
        "def case():\n"
        "    from sglang.srt.utils import get_int_env_var\n\n"
        '    return get_int_env_var("SGLANG_SCHEDULER_BATCH", 8)\n'
    )
    root = project(tmp_path, {"python/sglang/srt/probe/local.py": code})
    text = (fixed_copy(root) / "python/sglang/srt/probe/local.py").read_text()
    assert text == (
        "from sglang.srt.environ import envs\n\n\ndef case():\n\n"
        "    return envs.SGLANG_SCHEDULER_BATCH.get()\n"
    )


def test_pyflakes_vetoes_a_rewrite_that_would_shadow_a_name(tmp_path, monkeypatch):
    from envlint.fixes.verify import new_problems

    before = "import os\n\n\ndef f():\n    return os.sep\n"
    after = "import os\nfrom x import os\n\n\ndef f():\n    return os.sep\n"
    assert new_problems(before, after, "f.py") == ["redefinition of unused os"]
    assert new_problems(before, "def f():\n    return envs.X.get()\n", "f.py") == ["undefined name envs"]
    assert new_problems("import os\nos\n", "import os\n", "f.py") == ["unused import os"]
    assert new_problems(after, after, "f.py") == []


def test_check_and_fix_agree_on_where_a_key_goes(tmp_path):
    """A key read in sglang.srt and in multimodal_gen, registered nowhere: check
    points the srt read to sglang.srt's Envs (a fix) and the multimodal_gen read to
    the diffusion registry (no fix). Registering it in Envs would make the next run
    rewrite the multimodal_gen read into Envs — not what check said — so neither
    changes, a note says why, and a second run changes nothing."""
    files = {
        "python/sglang/srt/probe/a.py": 'import os\nA = int(os.getenv("SGLANG_PROBE_SHARED", "5"))\n',
        "python/sglang/multimodal_gen/probe_b.py": 'import os\nB = int(os.getenv("SGLANG_PROBE_SHARED", "5"))\n',
    }
    root = project(tmp_path, files)
    assert verdicts(root, "python/sglang/multimodal_gen/probe_b.py")[2] == (None, None)
    assert verdicts(root, "python/sglang/srt/probe/a.py")[2][0] == "safe"
    after = root.parent / "after"
    shutil.copytree(root, after)
    proc = envlint("fix", "python", cwd=after)
    assert "SGLANG_PROBE_SHARED: also read where check points to another registry" in proc.stderr
    for relative, text in files.items():
        assert (after / relative).read_text() == text
    assert "SGLANG_PROBE_SHARED" not in (after / REGISTRY).read_text()
    again = envlint("fix", "--diff", "python", cwd=after)
    assert (again.returncode, again.stdout) == (0, "")


# -- registry edits a reviewer accepts (part 4) -------------------------------------------------


def test_new_keys_go_next_to_their_closest_relatives(tmp_path):
    code = (
        "import os\n"
        'A = int(os.getenv("SGLANG_SCHEDULER_AAA_STEPS", "3"))\n'  # a SCHEDULER relative
        'B = os.getenv("SGLANG_PROBE_STORAGE_ROOT", "/data")\n'  # "Storage" section title
        'C = os.getenv("SGLANG_ZEBRA_MODE", "x")\n'  # nothing fits: a "Zebra" section
        'D = os.getenv("SGLANG_MOONCAKE_EP_NUM_MAX_DISPATCH_TOKENS_PER_RANK", "8")\n'
        'E = os.getenv("SGLANG_PROBE_API_KEY")\n'
    )
    root = project(tmp_path, {"python/sglang/srt/probe/new.py": code})
    registry = root / REGISTRY
    registry.write_text(registry.read_text().replace(
        "    def __init__(self, default: Any):", "    def __init__(self, default: Any, secret: bool = False):"
    ))
    text = (fixed_copy(root) / REGISTRY).read_text()
    assert (
        "    SGLANG_SCHEDULER_BATCH = EnvInt(8)\n    SGLANG_SCHEDULER_AAA_STEPS = EnvInt(3)\n" in text
    )
    assert '    SGL_KERNEL_CACHE_SIZE = EnvInt(128)\n    SGLANG_PROBE_STORAGE_ROOT = EnvStr("/data")\n' in text
    assert (
        "    # ===================================================================\n"
        "    # Zebra\n"
        "    # ===================================================================\n"
        '    SGLANG_ZEBRA_MODE = EnvStr("x")\n'
    ) in text
    # Whole words only: TOKENS is not TOKEN; KEY is a secret.
    assert '    SGLANG_MOONCAKE_EP_NUM_MAX_DISPATCH_TOKENS_PER_RANK = EnvStr("8")\n' in text
    assert "    SGLANG_PROBE_API_KEY = EnvStr(None, secret=True)\n" in text
    assert "Migrated" not in text


def test_a_subscript_read_of_a_new_key_is_registered_without_a_default(tmp_path):
    code = 'import os\n\n\ndef case_dtype():\n    return os.environ["SGLANG_PROBE_DTYPE"].lower()\n'
    root = project(tmp_path, {"python/sglang/srt/probe/sub.py": code})
    assert verdicts(root)[5] == ("safe", None)  # unset: KeyError before, AttributeError after
    after = fixed_copy(root)
    assert "    SGLANG_PROBE_DTYPE = EnvStr(None)\n" in (after / REGISTRY).read_text()
    text = (after / "python/sglang/srt/probe/sub.py").read_text()
    assert "    return envs.SGLANG_PROBE_DTYPE.get().lower()\n" in text
    rows = [{"SGLANG_PROBE_DTYPE": "FP8"}, {"SGLANG_PROBE_DTYPE": " bf16 "}]
    assert run_cases(root, "sglang.srt.probe.sub", rows) == run_cases(after, "sglang.srt.probe.sub", rows)


def test_the_registry_reached_through_a_reexport_is_reused(tmp_path):
    """``from sglang.srt.utils import envs`` (a star re-export of the registry) is the
    registry: no second import binding it as ``srt_envs``."""
    files = {
        "python/sglang/srt/probe/helpers/__init__.py": "from .inner import *  # noqa: F403\n",
        "python/sglang/srt/probe/helpers/inner.py": "from sglang.srt.environ import envs  # noqa: F401\n",
        "python/sglang/srt/probe/user.py": (
            "import os\n\nfrom sglang.srt.probe.helpers import envs\n\n\ndef case_level():\n"
            '    return os.getenv("SGLANG_LOG_LEVEL", "info"), envs.SGLANG_LOG_GC.get()\n'
        ),
    }
    root = project(tmp_path, files)
    text = (fixed_copy(root) / "python/sglang/srt/probe/user.py").read_text()
    assert text == (
        "from sglang.srt.probe.helpers import envs\n\n\ndef case_level():\n"
        "    return envs.SGLANG_LOG_LEVEL.get(), envs.SGLANG_LOG_GC.get()\n"
    )


def test_an_import_is_protected_only_when_imported_from_this_very_module(tmp_path):
    """``from sglang.srt.utils import get_int_env_var`` elsewhere does not make every
    module named ``utils`` a re-exporter: the import a rewrite left unused goes."""
    files = {
        "python/sglang/srt/probe/utils.py": (
            "from sglang.srt.utils import get_int_env_var\n\n\ndef case_batch():\n"
            '    return get_int_env_var("SGLANG_SCHEDULER_BATCH", 8)\n'
        ),
        "python/sglang/srt/probe/other.py": "from sglang.srt.utils import get_int_env_var  # noqa: F401\n",
    }
    root = project(tmp_path, files)
    text = (fixed_copy(root) / "python/sglang/srt/probe/utils.py").read_text()
    assert text == (
        "from sglang.srt.environ import envs\n\n\ndef case_batch():\n"
        "    return envs.SGLANG_SCHEDULER_BATCH.get()\n"
    )
