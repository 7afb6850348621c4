"""Profiles: vLLM's conventions on a vLLM-shaped tree, detection, and custom overrides."""

from __future__ import annotations

import json
import shutil

from markers import expected_findings

from conftest import FIXTURES

VLLM_PROJECT = FIXTURES / "vllm_project"


def test_vllm_findings_match_markers_exactly(run_cli):
    code, out, err = run_cli("check", "--no-cache", "--format", "json", ".", cwd=VLLM_PROJECT)
    got = {(f["path"], f["line"], f["column"], f["code"]) for f in json.loads(out)}
    assert got == expected_findings(VLLM_PROJECT)
    assert (code, err) == (1, "")


def test_vllm_profile_is_detected(fixture_project):
    from envlint.runner import load_project

    project = load_project([VLLM_PROJECT])
    assert project.config.profile.name == "vllm"
    assert [(r.module, r.style) for r in project.registries] == [("vllm.envs", "module")]
    assert fixture_project.config.profile.name == "sglang"


def test_an_explicit_profile_wins(tmp_path, run_cli):
    root = tmp_path / "proj"
    shutil.copytree(VLLM_PROJECT, root)
    (root / "pyproject.toml").write_text('[tool.envlint]\nprofile = "sglang"\n')
    code, out, err = run_cli("check", "--no-cache", "vllm/engine/core.py", cwd=root)
    # Under sglang's conventions VLLM_* is not owned, but SGLANG_LOG_GC is.
    assert out.splitlines() == [
        "vllm/engine/core.py:47:12: ENV001 raw read of SGLANG_LOG_GC via os.getenv(); register "
        "SGLANG_LOG_GC in a registry and use envs.SGLANG_LOG_GC.get()",
        "Found 1 finding.",
    ]


def test_vllm_fix_imports_the_registry_the_vllm_way(tmp_path, run_cli):
    root = tmp_path / "proj"
    shutil.copytree(VLLM_PROJECT, root)
    code, out, err = run_cli("fix", "vllm", cwd=root)
    assert err == ""
    assert out.splitlines()[-3:] == [
        "Fixed 4 findings in 2 files (ENV001: 4).",
        "4 left: ENV001: 1 (1 without a fix); ENV006: 1 (1 with unsafe fixes); "
        "ENV007: 2 (2 without a fix).",
        "Unsafe fixes change behaviour; review them with --unsafe-fixes --diff.",
    ]
    # `import os` went unused and was removed; the registry is imported as vLLM does.
    assert (root / "vllm/worker.py").read_text() == (
        "import vllm.envs as envs\n\n\ndef port_is_set() -> bool:\n"
        '    return envs.is_set("VLLM_PORT")  # expect: ENV001:12\n'
    )
    core = (root / "vllm/engine/core.py").read_text()
    assert "    return envs.VLLM_ENGINE_ITERATION_TIMEOUT_S  # expect: ENV001:16\n" in core
    assert "    return envs.VLLM_HOST_IP  # expect: ENV001:12\n" in core
    assert '    return not envs.is_set("VLLM_PORT")  # expect: ENV001:12\n' in core
    # Writes stay: under the vllm profile they are how settings reach child processes.
    assert '    os.environ["VLLM_HOST_IP"] = "10.0.0.1"\n' in core


def test_custom_configuration_without_a_profile_registry(tmp_path, run_cli):
    (tmp_path / "pyproject.toml").write_text(
        "[tool.envlint]\n"
        'owned-prefixes = ["ACME_"]\n'
        'extend-external-keys = ["ACME_LAUNCHER_ID"]\n'
        'registries = [{path = "acme/settings.py", style = "module", module = "acme.settings"}]\n'
    )
    (tmp_path / "acme").mkdir()
    (tmp_path / "acme/settings.py").write_text(
        "import os\nenvironment_variables = {'ACME_MODE': lambda: os.getenv('ACME_MODE', 'fast')}\n"
    )
    (tmp_path / "acme/run.py").write_text(
        "import os\nA = os.getenv('ACME_MODE', 'fast')\nB = os.getenv('ACME_LAUNCHER_ID')\n"
        "C = os.getenv('SGLANG_X')\n"
    )
    code, out, err = run_cli("check", "--no-cache", "acme/run.py", cwd=tmp_path)
    assert out.splitlines() == [
        "acme/run.py:2:5: ENV001 raw read of ACME_MODE via os.getenv(); use settings.ACME_MODE",
        "Found 1 finding (1 with unsafe fixes).",
    ]


def test_vllm_safe_fixes_preserve_behaviour(tmp_path, run_cli):
    """The differential proof of test_fix.py, for the vllm profile's safe rewrites (module-style
    reads and ``envs.is_set``): each fixed function behaves the same under every environment."""
    import json
    import os
    import subprocess
    import sys

    from test_fix import RUNNER

    root = tmp_path / "proj"
    shutil.copytree(VLLM_PROJECT, root)
    code, out, _ = run_cli("fix", "vllm", cwd=root)
    assert "Fixed 4 findings in 2 files (ENV001: 4)." in out.splitlines()
    rows = [{}]
    for timeout in ("0", "7", "-3", " 12 ", "+5", "1_000", "abc", ""):
        for host in ("", "10.0.0.2"):
            rows.append({"VLLM_ENGINE_ITERATION_TIMEOUT_S": timeout, "VLLM_HOST_IP": host})
    rows += [{"VLLM_PORT": "8000"}, {"VLLM_PORT": ""}, {"VLLM_USE_MODELSCOPE": "true"}]
    spec = {
        "modules": ["vllm.engine.core", "vllm.worker"],
        "functions": ["timeout", "host", "presence", "port_is_set"],
        "rows": rows,
    }

    def outcomes(tree):
        proc = subprocess.run(
            [sys.executable, str(RUNNER)], input=json.dumps(spec), capture_output=True, text=True,
            env={**os.environ, "PYTHONPATH": str(tree)}, check=True,
        )
        return json.loads(proc.stdout)

    before, after = outcomes(VLLM_PROJECT), outcomes(root)
    assert sorted(before) == [
        "vllm.engine.core.host", "vllm.engine.core.presence", "vllm.engine.core.timeout",
        "vllm.worker.port_is_set",
    ]
    assert after == before
    # not vacuous: the rewritten functions do read the environment
    assert len({r["outcome"] for r in before["vllm.engine.core.timeout"]}) > 3
