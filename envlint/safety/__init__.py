"""Decide whether a rewrite preserves behaviour, by modelling both sides exactly.

"Safe" has one meaning in envlint: for the variable unset and for every value its
descriptor parses, the rewritten expression computes the same value (same type,
same exception) and leaves ``os.environ`` the same. This module models

* the registry side: what ``envs.K.get()`` returns for a descriptor of one of
  sglang's canonical classes (``EnvBool``, ``EnvInt``, ``EnvFloat``, ``EnvStr``)
  with a literal default, or what a module-style registry's getter returns;
* the call-site side: what a raw read expression returns, by *evaluating* it
  with a stubbed ``os`` module. Only a whitelist of side-effect-free constructs
  is evaluated (string methods, ``int``/``float``/``str``/``bool``,
  comparisons, literal containers, the sglang helpers modelled below), so the
  evaluation is exact rather than a guess at what the code means;

and compares them over the sample matrix of the descriptor's type. For
``EnvBool`` the matrix is *every* value it parses (each case variant of
true/1/yes/y/false/0/no/n), so a "safe" bool rewrite is proven, not sampled.
The test suite's differential harness re-checks every safe fixture by running
both programs for real.

Modules: ``outcomes`` (what a read gives), ``values`` (the samples), ``models``
(the registry side and sglang's helpers), ``evaluate`` (the call site,
evaluated), ``reasons`` (comparing the two).
"""

from __future__ import annotations

from .evaluate import NotModelled, expression_reader
from .models import HELPER_MODELS, descriptor_reader
from .outcomes import Outcome, Reader
from .reasons import differences
from .values import (
    BOOL_FALSE,
    BOOL_SAMPLES,
    BOOL_TRUE,
    FLOAT_SAMPLES,
    INT_SAMPLES,
    SAMPLES,
    STR_SAMPLES,
    samples_for,
)

__all__ = [
    "BOOL_FALSE",
    "BOOL_SAMPLES",
    "BOOL_TRUE",
    "FLOAT_SAMPLES",
    "HELPER_MODELS",
    "INT_SAMPLES",
    "NotModelled",
    "Outcome",
    "Reader",
    "SAMPLES",
    "STR_SAMPLES",
    "descriptor_reader",
    "differences",
    "expression_reader",
    "samples_for",
]
