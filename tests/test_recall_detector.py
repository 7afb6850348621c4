"""The independent detector behind the ENV001 recall figures (scripts/recall_detector.py).

The recall on the corpora is only as good as the detector, so it is pinned down
here on a small project written for it: each shape of issue 13 once (a literal,
a module constant, an imported constant, a class attribute, a local, a loop
over keys, an f-string, a wrapper in another module, a chain of wrappers, a
child environment), and envlint must report exactly the sites it finds.
"""

from __future__ import annotations

import json
import shutil
import sys
import textwrap
from pathlib import Path

from conftest import SGLANG_PROJECT

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

from corpus import _registry_keys, reported_kind  # noqa: E402
from recall_detector import detect  # noqa: E402

FILES = {
    "sglang/srt/keys.py": """\
        STORE = "SGLANG_STORE_CONFIG"
        """,
    "sglang/srt/wrap.py": """\
        import os


        def read(name, default=None):
            return os.getenv(name, default)


        def read_all(*names):
            return [read(name) for name in names]
        """,
    "sglang/srt/use.py": """\
        import os
        import subprocess

        from sglang.srt.keys import STORE
        from sglang.srt.wrap import read, read_all

        LOCAL = "SGLANG_MODULE_CONSTANT"


        class Config:
            KEY = "SGLANG_CLASS_KEY"

            def load(self):
                return os.environ.get(Config.KEY)


        def main(suffix):
            literal = os.getenv("SGLANG_LITERAL")
            constant = os.environ[LOCAL]
            imported = os.environ.get(STORE)
            name = "SGLANG_LOCAL_NAME"
            local = name in os.environ
            looped = [os.getenv(key) for key in ("SGLANG_LOOP_A", "SGLANG_LOOP_B")]
            formatted = os.getenv(f"SGLANG_{'FORMATTED'}")
            wrapped = read("SGLANG_VIA_WRAPPER", "1")
            chained = read_all("SGLANG_CHAIN_A", "SGLANG_CHAIN_B")
            external = os.getenv("HOME")
            env = os.environ.copy()
            env["SGLANG_CHILD"] = "1"
            subprocess.run(["true"], env=env)
            return literal, constant, imported, local, looped, formatted, wrapped, chained, external
        """,
}

EXPECTED = [
    ("sglang/srt/use.py", 14, "SGLANG_CLASS_KEY", "read"),
    ("sglang/srt/use.py", 18, "SGLANG_LITERAL", "read"),
    ("sglang/srt/use.py", 19, "SGLANG_MODULE_CONSTANT", "read"),
    ("sglang/srt/use.py", 20, "SGLANG_STORE_CONFIG", "read"),
    ("sglang/srt/use.py", 22, "SGLANG_LOCAL_NAME", "check"),
    ("sglang/srt/use.py", 23, "SGLANG_LOOP_A", "read"),
    ("sglang/srt/use.py", 23, "SGLANG_LOOP_B", "read"),
    ("sglang/srt/use.py", 24, "SGLANG_FORMATTED", "read"),
    ("sglang/srt/use.py", 25, "SGLANG_VIA_WRAPPER", "read"),
    ("sglang/srt/use.py", 26, "SGLANG_CHAIN_A", "read"),
    ("sglang/srt/use.py", 26, "SGLANG_CHAIN_B", "read"),
    ("sglang/srt/use.py", 29, "SGLANG_CHILD", "child-env"),
]


def _project(tmp_path: Path) -> Path:
    """A copy of the fixture's registries plus the files above; returns the ``python`` root."""
    shutil.copy(SGLANG_PROJECT / "pyproject.toml", tmp_path / "pyproject.toml")
    root = tmp_path / "python"
    (root / "sglang" / "srt").mkdir(parents=True)
    shutil.copy(SGLANG_PROJECT / "python/sglang/srt/environ.py", root / "sglang/srt/environ.py")
    for relative, text in FILES.items():
        (root / relative).write_text(textwrap.dedent(text))
    return root


def test_the_detector_finds_every_shape(tmp_path):
    root = _project(tmp_path)
    assert sorted(detect(root, "sglang", "sglang")) == EXPECTED


def test_envlint_reports_the_sites_the_detector_finds(tmp_path, run_cli):
    root = _project(tmp_path)
    registries = _registry_keys(root, "sglang")
    detected = {
        (f"python/{path}", line, key)
        for path, line, key, kind in detect(root, "sglang", "sglang")
        if reported_kind(kind, key, path, "sglang", registries)
    }
    code, out, err = run_cli("check", "--no-cache", "--select", "ENV001", "--format", "json", ".", cwd=tmp_path)
    assert code == 1, err
    reported = {(f["path"], f["line"], f["key"]) for f in json.loads(out)}
    assert reported == detected
