"""Decide whether a rewrite preserves behaviour, by modelling both sides exactly.

"Safe" has one meaning in envlint: for the variable unset and for **every string
value**, the rewritten code computes the same value (same type) and leaves
``os.environ`` the same as the original — except where the original raises for
that value: there the rewrite may return a value instead (a repaired crash
changes no working behaviour). Warnings and log lines may differ. This module
models

* the registry side: what ``envs.K.get()`` returns for a descriptor of one of
  sglang's canonical classes (``EnvBool``, ``EnvInt``, ``EnvFloat``, ``EnvStr``)
  with a literal default, or what a module-style registry's getter returns;
* the call-site side: what a raw read expression returns, by *evaluating* it
  with a stubbed ``os`` module. Only a whitelist of side-effect-free constructs
  is evaluated (string methods, ``int``/``float``/``str``/``bool``,
  comparisons, literal containers, the sglang helpers modelled below), so the
  evaluation is exact rather than a guess at what the code means;

and compares them over the **value classes** both sides distinguish
(``value_classes``): every spelling either side lists (the descriptor's
``true/1/yes/y/false/0/no/n``, a helper's ``on/off/t/f``, the literals the
expression compares with), each in lower, upper, title and mixed case and with
surrounding whitespace, the empty string, and values neither side knows. The
whitelisted constructs can only tell strings apart by comparing a lower-cased,
upper-cased or stripped form with a literal, or by ``int``/``float``; a class
holds strings no such test separates, so one member stands for all of it.
Integers and floats are unbounded: there the fixes accept only shapes whose
equality follows from the code (``int(raw)`` for ``EnvInt``), and the samples
settle the default and the edge cases.

Modules: ``outcomes`` (what a read gives), ``values`` (the value classes),
``models`` (the registry side and sglang's helpers), ``evaluate`` (the call site,
evaluated), ``reasons`` (comparing, and naming every difference).
"""

from __future__ import annotations

from .evaluate import NotModelled, expression_reader, with_hole
from .models import HELPER_MODELS, descriptor_reader
from .outcomes import Outcome, Reader
from .reasons import Difference, compare, describe, differences
from .values import (
    BOOL_FALSE,
    BOOL_SAMPLES,
    BOOL_TRUE,
    FLOAT_SAMPLES,
    HELPER_WORDS,
    INT_SAMPLES,
    OTHER_VALUES,
    SAMPLES,
    STR_SAMPLES,
    literal_words,
    samples_for,
    value_classes,
)

__all__ = [
    "BOOL_FALSE",
    "BOOL_SAMPLES",
    "BOOL_TRUE",
    "Difference",
    "FLOAT_SAMPLES",
    "HELPER_MODELS",
    "HELPER_WORDS",
    "INT_SAMPLES",
    "NotModelled",
    "OTHER_VALUES",
    "Outcome",
    "Reader",
    "SAMPLES",
    "STR_SAMPLES",
    "compare",
    "describe",
    "descriptor_reader",
    "differences",
    "expression_reader",
    "literal_words",
    "samples_for",
    "value_classes",
    "with_hole",
]
