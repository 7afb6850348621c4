"""Built-in profiles: the conventions of a codebase family, as data.

A profile answers the questions every rule asks: which environment-variable
names does the project own, which are external (set by launchers, drivers, the
OS) and must be read raw, where do registries usually live, which helper
functions read the environment. ``[tool.envlint]`` can override any of it.

The sglang lists come from the specification (sglang's env-var conventions,
Rule 1 decision table and "Out of scope"), extended with launcher/driver
families seen in sglang deployments (the container reference page).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True)
class KnownRegistry:
    """A registry location a profile can discover without configuration."""

    relative_path: str  # posix path relative to a search base
    style: str  # "descriptor" or "module"
    module: str  # dotted module name of the file


@dataclass(frozen=True)
class HelperSpec:
    """A function that reads one environment variable by literal name.

    ``kind`` is the type it returns ("bool" or "int"). ``packages`` limits the
    match to helpers imported from (or defined in) these packages (dotted
    prefixes), so an unrelated ``get_bool_env_var`` from another library is not
    mistaken for it; the longest matching prefix wins. ``semantics`` names the
    exact behaviour (an ``envlint.safety.HELPER_MODELS`` id) so fixes can prove
    equivalence; without it, fixes of the helper's reads are never "safe".
    """

    name: str
    kind: str
    packages: tuple[str, ...]
    semantics: Optional[str] = None

    def match_length(self, qualified: str) -> int:
        """Length of the package prefix that makes ``qualified`` this helper, or -1."""
        if qualified.rpartition(".")[2] != self.name:
            return -1
        if not self.packages:
            return 0
        lengths = [
            len(p) for p in self.packages if qualified == p or qualified.startswith(p + ".")
        ]
        return max(lengths, default=-1)


@dataclass(frozen=True)
class Profile:
    name: str
    owned_prefixes: tuple[str, ...]
    legacy_prefixes: tuple[tuple[str, str], ...]  # (legacy, canonical)
    vendor_keys: tuple[str, ...]
    vendor_prefixes: tuple[str, ...]
    external_keys: tuple[str, ...]
    external_prefixes: tuple[str, ...]
    helpers: tuple[HelperSpec, ...]
    temp_set_env: tuple[str, ...]  # names of the test helper that rejects owned keys
    package_roots: tuple[str, ...]  # top-level packages of the linted project
    known_registries: tuple[KnownRegistry, ...]
    flag_writes: bool = True  # report os.environ writes of owned keys (ENV001)
    # How fixes import a module-style registry: "from" gives
    # ``from sglang.multimodal_gen import envs``; "import-as" gives
    # ``import vllm.envs as envs`` (vLLM's own spelling).
    module_registry_import: str = "from"
    # Without configured owned-prefixes, take them from the registry's keys.
    infer_owned_prefixes: bool = False
    # Rule 4's verbs: the second word of a new boolean key (ENV011)
    boolean_verbs: tuple[str, ...] = ()
    # Where the project's command-line flags are defined (ENV016), relative to a
    # source root; a directory means its *.py files
    cli_flag_sources: tuple[str, ...] = ()
    # Rule 1's decision table: a registry holds only the project's own keys, so an
    # external one registered there is a finding (ENV012). vLLM registers
    # launcher variables in envs.py on purpose.
    registries_hold_only_owned_keys: bool = False


# Launcher, driver and OS variables: never flagged, even when a registry mentions them.
_COMMON_EXTERNAL_KEYS = (
    "RANK",
    "LOCAL_RANK",
    "WORLD_SIZE",
    "LOCAL_WORLD_SIZE",
    "NODE_RANK",
    "MASTER_ADDR",
    "MASTER_PORT",
    "HOME",
    "PATH",
    "USER",
    "TMPDIR",
    "PWD",
    "LD_LIBRARY_PATH",
    "LD_PRELOAD",
    "PYTHONPATH",
    "PYTEST_CURRENT_TEST",
    "CI",
    "ETCD_ENDPOINTS",
    "NATS_SERVER",
)
_COMMON_EXTERNAL_PREFIXES = (
    "CUDA_",
    "NCCL_",
    "TORCH_",
    "TORCHINDUCTOR_",
    "PYTORCH_",
    "OMP_",
    "MKL_",
    "KMP_",
    "HF_",
    "TRANSFORMERS_",
    "TRITON_",
    "GLOO_",
    "NVSHMEM_",
    "NVIDIA_",
    "MACA_",
    "HIP_",
    "ROCM_",
    "HSA_",
    "XDG_",
    "RUSTUP_",
    "PYTEST_",
    "UCX_",
)

SGLANG = Profile(
    name="sglang",
    owned_prefixes=("SGLANG_", "SGL_"),
    legacy_prefixes=(("SGL_", "SGLANG_"),),
    # Rule 1 decision table: upstream/vendor aliases sglang centralizes in Envs.
    vendor_keys=(
        "IS_H200",
        "USE_TRITON_W8A8_FP8_KERNEL",
        "HF_HUB_DISABLE_XET",
        "DISABLE_OPENAPI_DOC",
    ),
    vendor_prefixes=("MOONCAKE_", "ASCEND_", "DEEP_NORMAL_"),
    external_keys=_COMMON_EXTERNAL_KEYS,
    external_prefixes=_COMMON_EXTERNAL_PREFIXES,
    helpers=(
        # sglang/srt/utils/common.py: "true"/"1" are true, anything else false.
        HelperSpec("get_bool_env_var", "bool", ("sglang",), "sglang-srt-bool"),
        HelperSpec("get_int_env_var", "int", ("sglang",), "sglang-srt-int"),
        # sglang/multimodal_gen/runtime/utils/common.py: also yes/y/t/on, stripped.
        HelperSpec(
            "get_bool_env_var", "bool", ("sglang.multimodal_gen",), "sglang-diffusion-bool"
        ),
    ),
    temp_set_env=("temp_set_env",),
    package_roots=("sglang",),
    known_registries=(
        KnownRegistry("sglang/srt/environ.py", "descriptor", "sglang.srt.environ"),
        KnownRegistry("python/sglang/srt/environ.py", "descriptor", "sglang.srt.environ"),
        KnownRegistry("sglang/multimodal_gen/envs.py", "module", "sglang.multimodal_gen.envs"),
        KnownRegistry(
            "python/sglang/multimodal_gen/envs.py", "module", "sglang.multimodal_gen.envs"
        ),
    ),
    boolean_verbs=("ENABLE", "DISABLE", "USE", "FORCE", "LOG", "TEST", "DEBUG", "OPT"),
    # server_args.py: add_argument names and ServerArgs fields (sglang <= 0.5.12);
    # arg_groups/fields: the A[T, ...] namespaces ServerArgs is assembled from (0.5.23)
    cli_flag_sources=("sglang/srt/server_args.py", "sglang/srt/arg_groups/fields"),
    registries_hold_only_owned_keys=True,
)

VLLM = Profile(
    name="vllm",
    owned_prefixes=("VLLM_",),
    legacy_prefixes=(),
    vendor_keys=(),
    vendor_prefixes=(),
    external_keys=_COMMON_EXTERNAL_KEYS + ("CUDA_HOME",),
    external_prefixes=_COMMON_EXTERNAL_PREFIXES,
    helpers=(),
    temp_set_env=(),
    package_roots=("vllm",),
    known_registries=(KnownRegistry("vllm/envs.py", "module", "vllm.envs"),),
    # vLLM hands settings to child processes through os.environ: writes are fine.
    flag_writes=False,
    module_registry_import="import-as",
)

# Any project with its own registry: no sglang or vLLM assumptions. The registry's
# own shapes decide: its style (descriptor class or module dict), its class and
# instance names, its deprecation mechanism, and (unless ``owned-prefixes`` is
# configured) the prefixes it owns (see ``envlint.project.infer_owned_prefixes``).
GENERIC = Profile(
    name="generic",
    owned_prefixes=(),
    legacy_prefixes=(),
    vendor_keys=(),
    vendor_prefixes=(),
    external_keys=_COMMON_EXTERNAL_KEYS,
    external_prefixes=_COMMON_EXTERNAL_PREFIXES,
    helpers=(),
    temp_set_env=(),
    package_roots=(),
    known_registries=(),
    infer_owned_prefixes=True,
)

PROFILES = {SGLANG.name: SGLANG, VLLM.name: VLLM, GENERIC.name: GENERIC}
