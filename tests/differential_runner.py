"""Run fixture case functions under a matrix of environments; print their outcomes as JSON.

Executed in a subprocess by test_fix.py, once for the original tree and once for
the fixed tree (``PYTHONPATH=<tree>/python``). For every (environment row,
case function) the ``sglang`` packages are imported afresh — so import-time
work such as the registry's legacy-name conversion sees that row's
environment — the case is called, and its value (or exception type) and the
resulting ``os.environ`` are recorded.

Input on stdin: {"modules": [...], "rows": [{KEY: value, ...}, ...]} and optionally
"functions": [...], the names to call where a module has them (default: every ``case_*``).
"""

import importlib
import json
import os
import sys
import warnings


def _fresh_import(name):
    package = name.partition(".")[0]  # sglang, vllm: the whole package is imported afresh
    for loaded in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
        del sys.modules[loaded]
    return importlib.import_module(name)


def _describe(value):
    return f"{type(value).__name__}:{value!r}"


def main():
    spec = json.load(sys.stdin)
    warnings.simplefilter("ignore")
    baseline = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "PYTHONPATH")}
    outcomes = {}
    for module_name in spec["modules"]:
        names = dir(_fresh_import(module_name))
        wanted = spec.get("functions")
        cases = sorted(n for n in names if (n in wanted if wanted else n.startswith("case_")))
        for case in cases:
            results = []
            for row in spec["rows"]:
                os.environ.clear()
                os.environ.update(baseline)
                os.environ.update(row)
                module = _fresh_import(module_name)
                try:
                    outcome = _describe(getattr(module, case)())
                except Exception as exc:  # the case's own behaviour is what we compare
                    outcome = f"raises:{type(exc).__name__}"
                environ = {k: v for k, v in os.environ.items() if k not in baseline}
                results.append({"outcome": outcome, "environ": environ})
            outcomes[f"{module_name}.{case}"] = results
    json.dump(outcomes, sys.stdout, sort_keys=True)


if __name__ == "__main__":
    main()
