"""Reading registries statically: fields, types, defaults, aliases, sections, comments."""

from __future__ import annotations

import textwrap
from pathlib import Path

from envlint.registry import detect_style, parse_registry


def _descriptor(project_root: Path):
    path = project_root / "python/sglang/srt/environ.py"
    return parse_registry(path, "descriptor", "sglang.srt.environ")


def _module(project_root: Path):
    path = project_root / "python/sglang/multimodal_gen/envs.py"
    return parse_registry(path, "module", "sglang.multimodal_gen.envs")


def test_descriptor_registry_identity(sglang_project):
    registry = _descriptor(sglang_project)
    assert registry.class_name == "Envs"
    assert registry.instance == "envs"
    assert registry.qualified_name == "sglang.srt.environ.envs"
    assert len(registry.fields) == 30


def test_descriptor_kinds_include_subclasses_defined_in_the_file(sglang_project):
    fields = _descriptor(sglang_project).fields
    assert fields["SGLANG_LOG_GC"].kind == "bool"
    assert fields["SGLANG_SCHEDULER_POLL_TIMEOUT"].kind == "float"
    assert fields["SGLANG_DISABLED_MODEL_ARCHS"].kind == "tuple"
    assert fields["SGLANG_EXTRA_CONFIG"].kind == "json"
    # EnvPath(EnvStr) is defined in the registry file itself.
    assert (fields["SGLANG_CACHE_DIR"].descriptor, fields["SGLANG_CACHE_DIR"].kind) == ("EnvPath", "str")
    # EnvBoolWithAlias(_DeprecatedEnvFallback, EnvBool): the kind comes from EnvBool.
    assert (fields["SGLANG_DSA_FUSE_TOPK"].descriptor, fields["SGLANG_DSA_FUSE_TOPK"].kind) == (
        "EnvBoolWithAlias",
        "bool",
    )


def test_descriptor_defaults(sglang_project):
    fields = _descriptor(sglang_project).fields
    assert fields["SGLANG_LOG_LEVEL"].default == "info"
    assert fields["SGLANG_SCHEDULER_MAX_RUNNING"].default is None
    assert fields["SGLANG_SCHEDULER_MAX_RUNNING"].default_is_literal
    assert fields["SGLANG_DISABLED_MODEL_ARCHS"].default == ()
    # An IntEnum member defined in the file is a literal.
    level = fields["SGLANG_TOOL_STRICT_LEVEL"]
    assert (level.default, level.default_source) == (0, "ToolStrictLevel.OFF")


def test_descriptor_aliases_keyword_and_positional(sglang_project):
    fields = _descriptor(sglang_project).fields
    assert fields["SGLANG_DSA_FUSE_TOPK"].alias == "SGLANG_NSA_FUSE_TOPK"
    assert fields["SGLANG_EPLB_CHUNK_SIZE"].alias == "SGLANG_EPLB_BATCH_CHUNK_SIZE"
    assert fields["SGLANG_LOG_GC"].alias is None


def test_sections_and_descriptions(sglang_project):
    fields = _descriptor(sglang_project).fields
    assert fields["SGLANG_LOG_GC"].section == "Logging"
    assert fields["SGLANG_LOG_GC"].description == "Log garbage-collection pauses."
    assert fields["SGLANG_LOG_LEVEL"].description == "one of debug, info, warning"
    assert fields["SGLANG_SCHEDULER_RECV_INTERVAL"].section == "Scheduler: recv interval"
    assert fields["SGLANG_SCHEDULER_RECV_INTERVAL"].description == ""
    assert fields["IS_H200"].section == "Vendor integrations"
    assert (fields["SGLANG_LOG_GC"].line, fields["SGLANG_LOG_GC"].column) == (145, 4)


def test_deprecations_from_print_deprecated_env(sglang_project):
    registry = _descriptor(sglang_project)
    assert registry.deprecation_mechanism == "function"
    assert registry.deprecations == {"SGLANG_LOG_GC_PAUSES": "SGLANG_LOG_GC", "SGLANG_REMOVED_KNOB": None}


def test_deprecation_table_and_new_first_helper(tmp_path):
    path = tmp_path / "environ.py"
    path.write_text(
        textwrap.dedent(
            '''
            class EnvField: ...
            class EnvBool(EnvField): ...
            class Envs:
                SGLANG_A = EnvBool(False)
            envs = Envs()
            _DEPRECATED_ENVS = {
                "SGLANG_OLD": _DeprecatedEnv(replacement="SGLANG_A"),
                "SGLANG_GONE": _DeprecatedEnv(note="removed"),
            }
            def _print_deprecated_env(new_name, old_name): ...
            _print_deprecated_env("SGLANG_NEWER", "SGLANG_OLDER")
            '''
        )
    )
    registry = parse_registry(path, "descriptor", "pkg.environ")
    assert registry.deprecation_mechanism == "table"
    assert registry.deprecations == {
        "SGLANG_OLD": "SGLANG_A",
        "SGLANG_GONE": None,
        "SGLANG_OLDER": "SGLANG_NEWER",
    }


def test_legacy_section_comments_without_banners(tmp_path):
    path = tmp_path / "environ.py"
    path.write_text(
        "class EnvField: ...\nclass EnvBool(EnvField): ...\nclass Envs:\n"
        "    # Model & File Download\n    SGLANG_USE_MODELSCOPE = EnvBool(False)\n\n"
        "    # Logging Options\n    SGLANG_LOG_GC = EnvBool(False)\n"
        "    # Time every request.\n    SGLANG_LOG_MS = EnvBool(False)\n"
    )
    fields = parse_registry(path, "descriptor", "pkg.environ").fields
    assert fields["SGLANG_USE_MODELSCOPE"].section == "Model & File Download"
    assert fields["SGLANG_LOG_GC"].section == "Logging Options"
    assert fields["SGLANG_LOG_GC"].description == ""
    assert fields["SGLANG_LOG_MS"].section == "Logging Options"
    assert fields["SGLANG_LOG_MS"].description == "Time every request."


def test_non_literal_default_keeps_source(tmp_path):
    path = tmp_path / "environ.py"
    path.write_text(
        "class EnvField: ...\nclass EnvStr(EnvField): ...\nclass Envs:\n"
        "    SGLANG_DIR = EnvStr(lambda: default_dir('x'))\n    SGLANG_BIG = EnvStr(2**31)\n"
    )
    fields = parse_registry(path, "descriptor", "pkg.environ").fields
    assert not fields["SGLANG_DIR"].default_is_literal
    assert fields["SGLANG_DIR"].default_source == "lambda: default_dir('x')"
    assert fields["SGLANG_BIG"].default == 2**31


def test_module_registry(sglang_project):
    registry = _module(sglang_project)
    assert registry.qualified_name == "sglang.multimodal_gen.envs"
    assert registry.dict_name == "environment_variables"
    assert set(registry.fields) == {
        "SGLANG_DIFFUSION_CACHE_ROOT",
        "SGLANG_DIFFUSION_STAGE_LOGGING",
        "SGLANG_DIFFUSION_ATTENTION_BACKEND",
        "LOCAL_RANK",
        "SGLANG_CACHE_DIT_ENABLED",
        "SGLANG_CACHE_DIT_FN",
        "SGLANG_CACHE_DIT_RDT",
        "SGLANG_CACHE_DIT_NO_STUB",
    }
    assert set(registry.stubs) - set(registry.fields) == {"SGLANG_DIFFUSION_REMOVED_KNOB"}
    assert set(registry.fields) - set(registry.stubs) == {"SGLANG_CACHE_DIT_NO_STUB"}
    assert not registry.dynamic_keys
    backend = registry.fields["SGLANG_DIFFUSION_ATTENTION_BACKEND"]
    assert (backend.kind, backend.optional, backend.default) == ("str", True, None)
    assert registry.fields["SGLANG_CACHE_DIT_RDT"].kind == "float"
    assert registry.fields["SGLANG_CACHE_DIT_FN"].section == "cache-dit"
    stage = registry.fields["SGLANG_DIFFUSION_STAGE_LOGGING"]
    assert (stage.section, stage.description) == (
        "Runtime Env Vars",
        "Log the time spent in each pipeline stage.",
    )
    assert "__getattr__" in registry.module_attributes


def test_module_registry_dynamic_keys(tmp_path):
    path = tmp_path / "envs.py"
    path.write_text(
        "environment_variables = {'VLLM_A': lambda: 1}\n"
        "environment_variables['VLLM_B'] = lambda: 2\n"
        "for key in ('VLLM_C',):\n    environment_variables[key] = lambda: 3\n"
    )
    registry = parse_registry(path, "module", "vllm.envs")
    assert set(registry.fields) == {"VLLM_A", "VLLM_B"}
    assert registry.dynamic_keys


def test_detect_style(sglang_project, tmp_path):
    assert detect_style(sglang_project / "python/sglang/srt/environ.py") == "descriptor"
    assert detect_style(sglang_project / "python/sglang/multimodal_gen/envs.py") == "module"
    other = tmp_path / "other.py"
    other.write_text("x = 1\n")
    assert detect_style(other) is None
