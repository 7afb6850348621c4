"""``--write``: replace the generated region of a page, and nothing else.

Everything outside ``<!-- envlint:begin -->`` ... ``<!-- envlint:end -->``
(the marker lines included) is kept byte for byte: the new page is the old
text sliced around the region, never re-serialised. The region gets the page's
own line breaks, and its headings nest below the heading above the begin
marker, so the page keeps one outline. Writing is atomic (a temporary file in
the same directory, then ``os.replace``) so an interrupted run never leaves a
half-written page, and keeps the page's permissions (``envlint.atomic``).
"""

from __future__ import annotations

from typing import Callable

from ..atomic import atomic_write
from . import DocsError
from .page import Page


def regenerate(page: Page, generate: Callable[[int], str]) -> str:
    """The page's new text; ``generate(level)`` renders the reference at heading ``level``."""
    begin, end = page.marker_region()
    newline = page.newline
    body = generate(page.heading_level_before(begin) + 1).replace("\n", newline)
    head = "".join(line + brk for line, brk in zip(page.lines[: begin + 1],
                                                   page.line_ends[: begin + 1]))
    tail = "".join(line + brk for line, brk in zip(page.lines[end:], page.line_ends[end:]))
    # Blank lines around the tables: a table runs on until a blank line in markdown.
    return head + newline + body + newline + tail


def write_text(page: Page, text: str) -> bool:
    """Write ``text`` over the page when it differs; True when the file changed."""
    if text == page.text:
        return False
    data = (b"\xef\xbb\xbf" if page.has_bom else b"") + text.encode("utf-8")
    try:
        atomic_write(page.path, data)  # a symlinked page stays a symlink
    except OSError as exc:
        raise DocsError(f"{page.path}: cannot write: {exc.strerror or exc}") from None
    return True
