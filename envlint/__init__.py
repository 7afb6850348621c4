"""envlint: lint and fix environment-variable conventions (sglang's Envs registry, vLLM's envs.py)."""

__version__ = "0.1.0"
