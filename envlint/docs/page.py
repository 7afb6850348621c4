"""Reading a markdown reference page: its variable tables, its markers, its headings.

Real pages differ (sglang's diffusion page: "Environment Variable | Default |
Description"; a container page: "变量名称 | 释义 | 示例"; envlint's own: "Name |
Type | Default | ..."), so a table is read by its header, not by its position:

* a *reference table* has a header naming the variable (variable, env, name,
  key, 变量) or its default (default, 默认);
* the variable column is the first header naming the variable, else the first
  column; a row documents the variable written there, as the first code span
  (``SGLANG_X``) or as the whole cell (SGLANG_X), upper case;
* the default column is the first header naming the default; its value is the
  first code span of the cell, else the cell's text.

Anything in fenced code blocks is not part of the page. Positions are 1-based
lines and 1-based character columns, as in every envlint finding.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Optional

from . import DocsError

BEGIN_MARKER = "<!-- envlint:begin -->"
END_MARKER = "<!-- envlint:end -->"

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_ATX_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]|$)")
_SETEXT_UNDERLINE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_DELIMITER_CELL = re.compile(r"^:?-+:?$")
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_VARIABLE = re.compile(r"^[A-Z_][A-Z0-9_]*$")
_NAME_HEADER = re.compile(r"variable|env|name|key|变量", re.IGNORECASE)
_DEFAULT_HEADER = re.compile(r"default|默认", re.IGNORECASE)
_BEGIN = re.compile(r"^\s*<!--\s*envlint:begin\s*-->\s*$")
_END = re.compile(r"^\s*<!--\s*envlint:end\s*-->\s*$")


@dataclass(frozen=True)
class Cell:
    raw: str  # as written, ``\\|`` still escaped
    start: int  # 0-based character offset of ``raw`` in its line

    @property
    def text(self) -> str:
        return self.raw.replace("\\|", "|")


@dataclass(frozen=True)
class DocumentedDefault:
    text: str
    column: int


@dataclass(frozen=True)
class Row:
    """One table row that documents a variable."""

    name: str
    line: int
    column: int
    default: Optional[DocumentedDefault]  # None: the table has no default column


@dataclass
class Page:
    path: Path
    text: str
    has_bom: bool
    lines: list[str]  # without line breaks
    line_ends: list[str]  # the break after each line ("" after the last)

    @classmethod
    def read(cls, path: Path) -> "Page":
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise DocsError(f"{path}: no such file") from None
        except OSError as exc:
            raise DocsError(f"{path}: cannot read: {exc.strerror or exc}") from None
        has_bom = data.startswith(b"\xef\xbb\xbf")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise DocsError(f"{path}:{line}: not UTF-8 text") from None
        lines = _LINE_BREAK.split(text)
        line_ends = _LINE_BREAK.findall(text) + [""]
        return cls(path, text, has_bom, lines, line_ends)

    @property
    def newline(self) -> str:
        """The page's line break, for text written into it."""
        return self.line_ends[0] or "\n"

    def outside_code(self) -> Iterator[int]:
        """Indexes of the lines that are not inside a fenced code block (fences excluded)."""
        fence: Optional[str] = None
        for index, line in enumerate(self.lines):
            match = _FENCE.match(line)
            if fence is None:
                if match:
                    fence = match.group(1)
                else:
                    yield index
            elif match and _closes(fence, match.group(1), line[match.end() :]):
                fence = None

    # -- tables -------------------------------------------------------------------

    def rows(self) -> list[Row]:
        """Every row of every reference table, in page order."""
        visible = list(self.outside_code())
        found: list[Row] = []
        position = 0
        while position + 1 < len(visible):
            header_index, delimiter_index = visible[position], visible[position + 1]
            header = split_row(self.lines[header_index])
            delimiter = split_row(self.lines[delimiter_index])
            if (
                delimiter_index != header_index + 1
                or not header
                or len(header) != len(delimiter)
                or not all(_DELIMITER_CELL.match(c.raw) for c in delimiter)
            ):
                position += 1
                continue
            position += 2
            body = []
            while position < len(visible) and visible[position] == visible[position - 1] + 1:
                cells = split_row(self.lines[visible[position]])
                if not cells:
                    break
                body.append((visible[position], cells))
                position += 1
            found += _table_rows([c.text for c in header], body)
        return found

    # -- markers and headings ------------------------------------------------------

    def marker_region(self) -> tuple[int, int]:
        """Line indexes of the begin and end markers; DocsError unless exactly one pair."""
        begins = [i for i in self.outside_code() if _BEGIN.match(self.lines[i])]
        ends = [i for i in self.outside_code() if _END.match(self.lines[i])]
        if not begins or not ends:
            raise DocsError(
                f"{self.path}: no generated region; add a line {BEGIN_MARKER} and a line "
                f"{END_MARKER} where the reference goes"
            )
        if len(begins) > 1 or len(ends) > 1:
            extra = (begins[1:] or ends[1:])[0]
            raise DocsError(
                f"{self.path}:{extra + 1}: more than one envlint marker; a page has one "
                "generated region"
            )
        if ends[0] < begins[0]:
            raise DocsError(f"{self.path}:{ends[0] + 1}: {END_MARKER} comes before {BEGIN_MARKER}")
        return begins[0], ends[0]

    def heading_level_before(self, index: int) -> int:
        """Level of the last heading above line ``index`` (0 when there is none)."""
        level = 0
        previous = ""
        for i in self.outside_code():
            if i >= index:
                break
            line = self.lines[i]
            atx = _ATX_HEADING.match(line)
            setext = _SETEXT_UNDERLINE.match(line)
            if atx:
                level = len(atx.group(1))
            elif setext and previous.strip() and "|" not in previous:
                level = 1 if setext.group(1)[0] == "=" else 2
            previous = line
        return level


def _closes(fence: str, candidate: str, rest: str) -> bool:
    """A fence closes with the same character, at least as long, and nothing after it."""
    return candidate[0] == fence[0] and len(candidate) >= len(fence) and not rest.strip()


def split_row(line: str) -> list[Cell]:
    """The cells of a table row; empty when the line has no unescaped ``|``."""
    pipes = [i for i, ch in enumerate(line) if ch == "|" and (i == 0 or line[i - 1] != "\\")]
    if not pipes:
        return []
    bounds = [-1] + pipes + [len(line)]
    cells = []
    for left, right in zip(bounds, bounds[1:]):
        segment = line[left + 1 : right]
        stripped = segment.strip()
        cells.append(Cell(stripped, left + 1 + (len(segment) - len(segment.lstrip()))))
    if not line[: pipes[0]].strip():
        cells.pop(0)
    if cells and not line[pipes[-1] + 1 :].strip():
        cells.pop()
    return cells


def _code_span(raw: str) -> Optional[tuple[str, int]]:
    """The first code span's content (GitHub's trimming rules) and where it starts."""
    match = _CODE_SPAN.search(raw)
    if match is None:
        return None
    content, start = match.group(2), match.start(2)
    if content.startswith(" ") and content.endswith(" ") and content.strip():
        content, start = content[1:-1], start + 1
    return content, start


def _variable(cell: Cell) -> Optional[tuple[str, int]]:
    span = _code_span(cell.raw)
    if span is not None:
        content, start = span
        name = content.strip()
        if _VARIABLE.match(name):
            return name, cell.start + start + (len(content) - len(content.lstrip()))
        return None
    bare = _LINK.sub(r"\1", cell.raw).strip("*").strip()
    if _VARIABLE.match(bare):
        return bare, cell.start + cell.raw.index(bare)
    return None


def _default(cell: Cell) -> DocumentedDefault:
    span = _code_span(cell.raw)
    if span is not None:
        return DocumentedDefault(span[0].replace("\\|", "|"), cell.start + span[1] + 1)
    return DocumentedDefault(cell.text.strip("*").strip(), cell.start + 1)


def _table_rows(header: list[str], body: list[tuple[int, list[Cell]]]) -> list[Row]:
    names = [i for i, text in enumerate(header) if _NAME_HEADER.search(text)]
    defaults = [i for i, text in enumerate(header) if _DEFAULT_HEADER.search(text)]
    if not names and not defaults:
        return []
    name_column = names[0] if names else 0
    default_column = next((i for i in defaults if i != name_column), None)
    rows = []
    for index, cells in body:
        if name_column >= len(cells):
            continue
        variable = _variable(cells[name_column])
        if variable is None:
            continue
        default = None
        if default_column is not None and default_column < len(cells):
            default = _default(cells[default_column])
        rows.append(Row(variable[0], index + 1, variable[1] + 1, default))
    return rows
