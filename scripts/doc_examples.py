"""Keep every example in the documentation true: run it, and regenerate the generated pages.

Why: an example output typed by hand drifts (the README once promised "Fixed 20 findings"
where the shipped example prints "Fixed 1 finding"). Here the documentation itself says
how each example is produced, this script produces it, and ``tests/test_docs_pages.py``
fails when a page differs from what the script would write.

In a markdown page:

* ``<!-- example: NAME -->`` starts an example: a fresh empty directory. ``copy=PATH``
  (repeatable, comma-separated) copies those paths of this repository into it first,
  e.g. ``<!-- example: shipped copy=examples -->``.
* A fenced block whose info string has ``file=PATH`` (```` ```python file=myapp/envs.py ````)
  is written to that path of the current example (the text a reader copies).
* A fenced block whose info string has ``run`` (```` ```console run ````) holds one or more
  commands, each on a line starting with ``$ ``, each followed by its output (stdout, then
  stderr). The commands run in the example's directory, in page order; ``envlint`` runs
  in-process, anything else (``flake8``) as a subprocess of this Python.

``docs/rules.md`` is generated whole from the rule pages (``envlint rule CODE``).

    python scripts/doc_examples.py            # rewrite every page that is out of date
    python scripts/doc_examples.py --check    # exit 1 and name the pages that are
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parent.parent
RULES_PAGE = ROOT / "docs/rules.md"
_EXAMPLE = re.compile(r"^<!-- example: (?P<name>[\w.-]+)(?P<options>(?: [\w-]+=\S+)*) -->\s*$")
_FENCE = re.compile(r"^(?P<fence>```+)(?P<info>.*)$")


def pages() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


@dataclass
class Example:
    directory: Path
    commands_run: int = 0


@dataclass
class Runner:
    """Runs a page's examples, each in its own temporary directory."""

    scratch: Path
    examples: dict[str, Example] = field(default_factory=dict)

    def start(self, name: str, copies: list[str]) -> Example:
        directory = self.scratch / f"{len(self.examples)}-{name}"
        directory.mkdir(parents=True)
        for relative in copies:
            source = ROOT / relative
            target = directory / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            if source.is_dir():
                ignore = shutil.ignore_patterns("__pycache__", ".envlint_cache")
                shutil.copytree(source, target, ignore=ignore)
            else:
                shutil.copy2(source, target)
        example = Example(directory)
        self.examples[name] = example
        return example


def run_command(command: str, cwd: Path) -> str:
    """A documented command's output as a reader sees it: stdout, then stderr.

    Absolute paths into the example's (temporary) directory are shown relative to it.
    """
    output = _run_command(command, cwd)
    for directory in {str(cwd), str(cwd.resolve())}:
        output = output.replace(directory + os.sep, "")
    return output


def _run_command(command: str, cwd: Path) -> str:
    argv = shlex.split(command)
    if argv[0] == "cat":
        return "".join((cwd / name).read_text(encoding="utf-8") for name in argv[1:])
    if argv[0] == "envlint":
        from envlint.cli import main

        out, err = io.StringIO(), io.StringIO()
        previous = Path.cwd()
        os.chdir(cwd)
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                main(argv[1:])
        finally:
            os.chdir(previous)
        return out.getvalue() + err.getvalue()
    done = subprocess.run(
        [sys.executable, "-m", argv[0], *argv[1:]], cwd=cwd, capture_output=True, text=True
    )
    return done.stdout + done.stderr


def _render_run_block(body: list[str], example: Optional[Example], where: str) -> list[str]:
    commands = [line[2:].rstrip("\n") for line in body if line.startswith("$ ")]
    if not commands:
        raise SystemExit(f"{where}: a `run` block needs a line starting with '$ '")
    if example is None:
        raise SystemExit(f"{where}: a `run` block outside an <!-- example: NAME --> section")
    out = []
    for command in commands:
        out.append(f"$ {command}\n")
        output = run_command(command, example.directory)
        if output and not output.endswith("\n"):
            output += "\n"
        out.append(output)
    return "".join(out).splitlines(keepends=True)


def render(path: Path) -> str:
    """The page with every ``run`` block's output regenerated (``file`` blocks are inputs)."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    out: list[str] = []
    with tempfile.TemporaryDirectory(prefix="envlint-docs-") as scratch:
        runner = Runner(Path(scratch))
        example: Optional[Example] = None
        index = 0
        while index < len(lines):
            line = lines[index]
            marker = _EXAMPLE.match(line)
            if marker:
                options = dict(o.split("=", 1) for o in marker.group("options").split())
                copies = [p for value in options.get("copy", "").split(",") if (p := value.strip())]
                example = runner.start(marker.group("name"), copies)
                out.append(line)
                index += 1
                continue
            fence = _FENCE.match(line)
            if not fence:
                out.append(line)
                index += 1
                continue
            close = next(
                (j for j in range(index + 1, len(lines)) if lines[j].rstrip() == fence.group("fence")),
                None,
            )
            if close is None:
                raise SystemExit(f"{path}:{index + 1}: unclosed code block")
            words = fence.group("info").split()
            body = lines[index + 1:close]
            where = f"{path.relative_to(ROOT)}:{index + 1}"
            out.append(line)
            files = [w.split("=", 1)[1] for w in words if w.startswith("file=")]
            if files and example is not None:
                target = example.directory / files[0]
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text("".join(body), encoding="utf-8")
                out.extend(body)
            elif "run" in words:
                out.extend(_render_run_block(body, example, where))
            else:
                out.extend(body)
            out.append(lines[close])
            index = close + 1
    return "".join(out)


def render_rules_page() -> str:
    """docs/rules.md: the index and every code's page, from the rule docstrings."""
    from envlint.codes import ALL_CODES

    head = [
        "# Rules\n\n",
        "<!-- Generated by `python scripts/doc_examples.py` from the rule docstrings "
        "(what `envlint rule CODE` prints); do not edit by hand. -->\n\n",
        "Every code envlint prints. `envlint rules` lists them; `envlint rule CODE` prints a page.\n\n",
        "| Code | Name | Summary | Reported by |\n|---|---|---|---|\n",
    ]
    for page in ALL_CODES:
        anchor = f"{page.code.lower()}-{page.name}"
        summary = page.summary.replace("*", "\\*")  # SGL_* is not emphasis
        head.append(f"| [{page.code}](#{anchor}) | {page.name} | {summary} | {page.reported_by} |\n")
    body = []
    for page in ALL_CODES:
        explanation = re.sub(r"^## ", "### ", page.explanation(), flags=re.M)
        summary = page.summary.replace("*", "\\*")
        body.append(f"\n## {page.code} {page.name}\n\n{summary}.\n\n{explanation}\n")
    return "".join(head) + "".join(body)


def stale_pages() -> dict[Path, str]:
    """Every page whose text differs from what this script generates, with that text."""
    wanted = {RULES_PAGE: render_rules_page()}
    for path in pages():
        if path != RULES_PAGE:
            wanted[path] = render(path)
    return {
        path: text for path, text in wanted.items()
        if not path.exists() or path.read_text(encoding="utf-8") != text
    }


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report stale pages, write nothing")
    args = parser.parse_args(argv)
    stale = stale_pages()
    for path, text in stale.items():
        shown = path.relative_to(ROOT)
        if args.check:
            print(f"{shown}: out of date (run python scripts/doc_examples.py)")
        else:
            path.write_text(text, encoding="utf-8")
            print(f"updated {shown}")
    return 1 if (stale and args.check) else 0


if __name__ == "__main__":
    sys.exit(main())
