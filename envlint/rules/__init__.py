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
from .env008_removed_without_path import RemovedWithoutPath
from .env009_default_changed import DefaultChanged
from .env010_kind_changed import KindChanged
from .env011_boolean_verb import BooleanVerb
from .env012_foreign_key import ForeignKey
from .env013_registered_twice import RegisteredTwice
from .env014_default_type import DefaultOfWrongType
from .env015_outside_section import OutsideSection
from .env016_duplicates_cli_flag import DuplicatesCliFlag
from .env017_flag_forwarded import FlagForwardedToEnv
from .env018_second_registry import SecondRegistry
from .env019_test_set_without_restore import TestSetWithoutRestore

ALL_RULES: tuple[type[Rule], ...] = (
    RawEnvAccess,
    LegacyPrefix,
    DoubleNegative,
    DescriptorAsValue,
    TempSetEnvOwnedKey,
    UnknownRegistryAttribute,
    RegistryOutOfSync,
    # registry review (envlint.review): the registry itself, and how it changes
    RemovedWithoutPath,
    DefaultChanged,
    KindChanged,
    BooleanVerb,
    ForeignKey,
    RegisteredTwice,
    DefaultOfWrongType,
    OutsideSection,
    DuplicatesCliFlag,
    FlagForwardedToEnv,
    SecondRegistry,
    TestSetWithoutRestore,
)

RULES_BY_CODE = {rule.code: rule for rule in ALL_RULES}

__all__ = ["ALL_RULES", "RULES_BY_CODE", "Invalid", "Rule", "Valid"]
