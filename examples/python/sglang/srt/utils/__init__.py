import os
from contextlib import contextmanager


def get_bool_env_var(name: str, default: str = "false") -> bool:
    # FIXME: move your environment variable to sglang.srt.environ
    return os.getenv(name, default).lower() in ("true", "1")


@contextmanager
def temp_set_env(*, allow_sglang: bool = False, **env_vars):
    """Set variables for the duration of a block; sglang's own keys go through Envs."""
    if not allow_sglang:
        for key in env_vars:
            if key.startswith(("SGLANG_", "SGL_")):
                raise ValueError(f"{key}: use envs.{key}.override() for sglang variables")
    saved = {key: os.environ.get(key) for key in env_vars}
    try:
        os.environ.update({key: str(value) for key, value in env_vars.items()})
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
