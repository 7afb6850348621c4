"""All rules, in code order. Adding a rule: a module here plus one line below."""

from __future__ import annotations

from .base import Invalid, Rule, Valid
from .env001_raw_access import RawEnvAccess
from .env002_legacy_prefix import LegacyPrefix
from .env003_double_negative import DoubleNegative
from .env004_descriptor_as_value import DescriptorAsValue
from .env005_temp_set_env import TempSetEnvOwnedKey
from .env006_unknown_attribute import UnknownRegistryAttribute
from .env007_registry_out_of_sync import RegistryOutOfSync

ALL_RULES: tuple[type[Rule], ...] = (
    RawEnvAccess,
    LegacyPrefix,
    DoubleNegative,
    DescriptorAsValue,
    TempSetEnvOwnedKey,
    UnknownRegistryAttribute,
    RegistryOutOfSync,
)

RULES_BY_CODE = {rule.code: rule for rule in ALL_RULES}

__all__ = ["ALL_RULES", "RULES_BY_CODE", "Invalid", "Rule", "Valid"]
