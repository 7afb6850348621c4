import os


def get_bool_env_var(name: str, default: str = "false") -> bool:
    # FIXME: move your environment variable to sglang.srt.environ
    return os.getenv(name, default).lower() in ("true", "1")


def temp_set_env(*, allow_sglang: bool = False, **env_vars):
    """Stand-in for sglang's helper (which rejects SGLANG_* keys)."""
    raise NotImplementedError
