"""Example registry: sglang's Envs descriptor API in miniature."""

import os
import warnings
from typing import Any


class EnvField:
    def __init__(self, default: Any):
        self.default = default

    def __set_name__(self, owner, name):
        self.name = name

    def parse(self, value: str) -> Any:
        return value

    def get(self) -> Any:
        value = os.getenv(self.name)
        if value is None:
            return self.default
        try:
            return self.parse(value)
        except ValueError as e:
            warnings.warn(f'Invalid value for {self.name}: {e}, using default "{self.default}"')
            return self.default

    def set(self, value: Any) -> None:
        os.environ[self.name] = str(value)

    def is_set(self) -> bool:
        return self.name in os.environ

    def clear(self) -> None:
        os.environ.pop(self.name, None)

    def __bool__(self):
        raise RuntimeError("Please use `envs.YOUR_FLAG.get()` instead of `envs.YOUR_FLAG`")

    def __len__(self):
        raise RuntimeError("Please use `envs.YOUR_FLAG.get()` instead of `envs.YOUR_FLAG`")


class EnvBool(EnvField):
    def parse(self, value: str) -> bool:
        value = value.lower()
        if value in ["true", "1", "yes", "y"]:
            return True
        if value in ["false", "0", "no", "n"]:
            return False
        raise ValueError(f'"{value}" is not a valid boolean value')


class EnvInt(EnvField):
    def parse(self, value: str) -> int:
        return int(value)


class EnvStr(EnvField):
    pass


class Envs:
    # ===================================================================
    # Server
    # ===================================================================
    # Seconds an idle HTTP connection is kept open.
    SGLANG_TIMEOUT_KEEP_ALIVE = EnvInt(5)
    SGLANG_ENABLE_METRICS = EnvBool(False)
    SGLANG_DISABLE_HEALTH_CHECK = EnvBool(True)
    SGL_LOG_LEVEL = EnvStr("info")

    # ===================================================================
    # Tests
    # ===================================================================
    SGLANG_TEST_RETRACT = EnvBool(False)


envs = Envs()
