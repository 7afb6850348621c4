"""The generic profile: a project with its own registry, and no sglang assumptions.

Two fixture projects: ``settings_app`` (a descriptor registry named ``Settings`` with
an instance ``settings``, no ``EnvStr``; ``profile = "generic"``) and ``envs_app`` (a
module registry in vLLM's shape; the profile is *detected* as generic because the
configured registry names no sglang key). Their expected findings are markers in the
fixtures. Nothing envlint prints for them may mention sglang's names or machinery.
"""

from __future__ import annotations

import json
import re
import shutil

import pytest

from conftest import FIXTURES
from markers import expected_findings

SETTINGS_APP = FIXTURES / "generic/settings_app"
ENVS_APP = FIXTURES / "generic/envs_app"
SGLANG_WORDS = re.compile(
    r"(?i:sglang)|\bSGL_|_print_deprecated_env|_DEPRECATED_ENVS|temp_set_env|\bEnvs\b|MOONCAKE|IS_H200"
    r"|EnvStr|envs\.MYAPP"
)


@pytest.mark.parametrize("root", [SETTINGS_APP, ENVS_APP], ids=lambda p: p.name)
def test_findings_match_markers_exactly(run_cli, root):
    code, out, err = run_cli("check", "--no-cache", "--format", "json", ".", cwd=root)
    assert (code, err) == (1, "")
    assert {(f["path"], f["line"], f["column"], f["code"]) for f in json.loads(out)} == expected_findings(root)


def test_profiles_and_owned_prefixes(fixture_project):
    from envlint.runner import load_project

    explicit = load_project([SETTINGS_APP])
    assert explicit.config.profile.name == "generic"
    assert explicit.config.owned_prefixes == ("MYAPP_",)  # read from the registry's keys
    detected = load_project([ENVS_APP])
    assert detected.config.profile.name == "generic"
    assert detected.config.owned_prefixes == ("ACME_",)
    assert fixture_project.config.profile.name == "sglang"


def test_configured_owned_prefixes_win_over_the_registrys(tmp_path, run_cli):
    root = tmp_path / "app"
    shutil.copytree(ENVS_APP, root)
    (root / "pyproject.toml").write_text(
        '[tool.envlint]\nregistries = ["acme/envs.py"]\nowned-prefixes = ["OTHER_"]\n'
    )
    code, out, _ = run_cli("check", "-q", "--select", "ENV001", "acme", cwd=root)
    # ACME_TIMEOUT is not registered and ACME_ is no longer owned: only registered keys count.
    assert [line.split(" ")[0] for line in out.splitlines()] == ["acme/server.py:5:15:", "acme/server.py:6:8:"]


def test_messages_name_the_projects_registry(run_cli):
    _, out, _ = run_cli("check", "-q", "--no-cache", "src/myapp", cwd=SETTINGS_APP)
    assert out.splitlines() == [
        "src/myapp/server.py:7:16: ENV001 raw read of MYAPP_WORKERS via os.getenv(); use settings.MYAPP_WORKERS.get()",
        "src/myapp/server.py:11:12: ENV001 raw read of MYAPP_DEBUG via os.environ.get(); use settings.MYAPP_DEBUG.get()",
        "src/myapp/server.py:15:12: ENV001 raw read of MYAPP_TIMEOUT via os.getenv(); register MYAPP_TIMEOUT in "
        "Settings (src/myapp/settings.py) and use settings.MYAPP_TIMEOUT.get()",
        "src/myapp/server.py:19:8: ENV004 settings.MYAPP_DEBUG is the descriptor, not its value: its truth test "
        "raises RuntimeError; use settings.MYAPP_DEBUG.get()",
        "src/myapp/server.py:20:15: ENV006 settings.MYAPP_WORKRS is not defined in Settings (src/myapp/settings.py): "
        "AttributeError at run time; did you mean MYAPP_WORKERS?",
        "src/myapp/server.py:21:5: ENV001 raw write of MYAPP_DEBUG via os.environ[...]; use settings.MYAPP_DEBUG.set(...)",
        "src/myapp/settings.py:41:5: ENV003 MYAPP_DISABLE_CACHE = EnvBool(True) is a double negative (call sites read "
        "`if not settings.MYAPP_DISABLE_CACHE.get()`); use MYAPP_ENABLE_CACHE = EnvBool(False) and invert the call sites",
    ]


def test_no_fix_registers_a_key_with_a_class_the_registry_lacks(tmp_path, run_cli):
    """sglang's registry has EnvStr; this one does not: registering MYAPP_TIMEOUT as EnvStr
    would break the registry at import, so no fix is offered and the key is left to the user."""
    code, out, _ = run_cli("check", "--no-cache", "--format", "json", "src/myapp/server.py", cwd=SETTINGS_APP)
    timeout = [f for f in json.loads(out) if f["key"] == "MYAPP_TIMEOUT"]
    assert [(f["line"], f["fix"]) for f in timeout] == [(15, None)]


def test_registry_edits_refuse_a_missing_descriptor_class():
    """The safety net below the rules: the registry editor itself refuses such an edit."""
    import ast

    from envlint.findings import RegistryEdit
    from envlint.fixes.registry_edits import RegistryEditError, add_field_edits
    from envlint.registry import parse_registry
    from envlint.source import SourceFile

    path = SETTINGS_APP / "src/myapp/settings.py"
    registry = parse_registry(path, "descriptor", "myapp.settings")
    source = SourceFile.read(path)
    request = RegistryEdit("add-field", str(path), "MYAPP_TIMEOUT", "EnvStr", '"30"')
    with pytest.raises(RegistryEditError, match="settings.py defines no EnvStr; register MYAPP_TIMEOUT by hand"):
        add_field_edits(source, ast.parse(source.text), registry, [request], ("MYAPP_",))
    fine = RegistryEdit("add-field", str(path), "MYAPP_RETRIES", "EnvInt", "3")
    assert add_field_edits(source, ast.parse(source.text), registry, [fine], ("MYAPP_",))


def _every_output(run_cli, root) -> dict[str, str]:
    """What a user of this project can see: every format, statistics, fixes, notes, docs."""
    outputs = {}

    def run(name, *args):
        code, out, err = run_cli(*args, cwd=root)
        assert code in (0, 1), (name, err)
        outputs[name] = out + err

    for fmt in ("text", "json", "github", "rdjson"):
        run(f"check {fmt}", "check", "--no-cache", "--format", fmt, ".")
    _, out, _ = run_cli("check", "--no-cache", "--format", "sarif", ".", cwd=root)
    # The tool's rule catalogue is documentation (rule pages use sglang examples); the
    # results are about this project.
    outputs["check sarif"] = json.dumps(json.loads(out)["runs"][0]["results"])
    run("statistics", "check", "--no-cache", "--statistics", ".")
    run("statistics json", "check", "--no-cache", "--statistics", "--format", "json", ".")
    run("fix --diff", "fix", "--diff", ".")
    run("unsafe --diff --show-fixes", "fix", "--unsafe-fixes", "--diff", "--show-fixes", ".")
    run("baseline", "baseline", "-o", "baseline.json", ".")
    outputs["baseline file"] = (root / "baseline.json").read_text()
    run("docs", "docs", ".")
    run("fix", "fix", "--unsafe-fixes", ".")  # writes: last
    run("check after fix", "check", "--no-cache", ".")
    return outputs


# Names the fixtures' own code uses (a diff shows them as context): not envlint's words.
FIXTURE_TOKENS = ("IS_H200", "MOONCAKE_PROTOCOL", "SGL_BAR", "SGL_X", "temp_set_env")


def _without_fixture_tokens(text: str) -> str:
    for token in FIXTURE_TOKENS:
        text = text.replace(token, "")
    return text


@pytest.mark.parametrize("source", [SETTINGS_APP, ENVS_APP], ids=lambda p: p.name)
def test_no_sglang_words_in_any_output(tmp_path, run_cli, source):
    root = tmp_path / source.name
    shutil.copytree(source, root)
    outputs = {name: _without_fixture_tokens(text) for name, text in _every_output(run_cli, root).items()}
    assert all(outputs.values())  # every command said something
    leaks = {name: SGLANG_WORDS.findall(text) for name, text in outputs.items() if SGLANG_WORDS.search(text)}
    assert leaks == {}
    # The fixed files mention none either (imports, new registry entries, renames).
    for path in root.rglob("*.py"):
        assert not SGLANG_WORDS.search(_without_fixture_tokens(path.read_text())), path


def test_the_sglang_profile_still_flags_sglangs_keys_in_the_same_code(tmp_path, run_cli):
    """The words the generic profile drops are sglang's conventions, not lost features."""
    root = tmp_path / "app"
    shutil.copytree(ENVS_APP, root)
    (root / "pyproject.toml").write_text('[tool.envlint]\nprofile = "sglang"\nregistries = ["acme/envs.py"]\n')
    _, out, _ = run_cli("check", "-q", "--select", "ENV001,ENV002", "acme/server.py", cwd=root)
    assert "ENV001 raw read of IS_H200" in out and "SGL_X is a legacy alias of SGLANG_X" in out
