"""Example server module with environment-variable convention violations."""

import os

from sglang.srt.environ import envs
from sglang.srt.utils import get_bool_env_var


def keep_alive_seconds() -> int:
    return int(os.getenv("SGLANG_TIMEOUT_KEEP_ALIVE", "5"))


def metrics_enabled() -> bool:
    return get_bool_env_var("SGLANG_ENABLE_METRICS")


def start() -> None:
    if envs.SGLANG_ENABLE_METRICS:
        print("metrics on")
    if not envs.SGLANG_DISABLE_HEALTH_CHECK.get():
        print("health checks on")
    print(envs.SGL_LOG_LEVEL.get(), os.getenv("CUDA_VISIBLE_DEVICES"))
    print(envs.SGLANG_TIMEOUT_KEEPALIVE.get())
