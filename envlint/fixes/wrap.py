"""Keep a rewritten statement within the line length, the way black would lay it out.

``envs.SGLANG_MOONCAKE_EP_NUM_MAX_DISPATCH_TOKENS_PER_RANK.get()`` is longer than
the read it replaces; a statement that fit on one line may not any more, and one
black had to split may now fit on one. Only statements holding a rewrite are
looked at, and only when black would lay them out differently *because of the
rewrite* (the statement fit before; it was split because it did not), so code
the project formats another way is left alone.

The layouts are black's for the statements rewrites produce:

* one line, when it fits (a split statement without a magic trailing comma
  is joined back);
* ``x = (`` / the value / ``)`` for an assignment or ``return`` whose value ends
  in empty brackets (``.get()``) or no brackets;
* ``x = call(`` / the arguments / ``)`` when the value ends in a call with
  arguments, the arguments one per line with a trailing comma if they do not fit;
* ``if (`` / the condition / ``):`` for ``if``/``elif``/``while``;
* inside the parentheses, a boolean expression too long for one line split
  before each ``and``/``or``.

Anything else (comments inside the statement, backslashes, strings spanning
lines, a value black would split elsewhere) is left as written.
"""

from __future__ import annotations

import ast
import bisect
import io
import re
import tokenize
from typing import Optional

_OPEN, _CLOSE = "([{", ")]}"


def _lines(text: str) -> list[str]:
    return re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$", text)


def apply_wrapped(
    text: str, spans: list[tuple[int, int, str]], line_length: int
) -> tuple[str, list[tuple[int, int]]]:
    """``text`` with the (start, end, content) spans replaced, every statement holding
    one laid out as black would, and the (first, last) lines each rewritten statement
    (or span) occupies in the result."""
    pieces = _replacements(text, spans, line_length)
    result, placed, shift, position = [], [], 0, 0
    for start, end, content in sorted(pieces):
        result.append(text[position:start])
        result.append(content)
        placed.append((start + shift, start + shift + len(content)))
        shift += len(content) - (end - start)
        position = end
    result.append(text[position:])
    joined = "".join(result)
    breaks = [m.end() for m in re.finditer(r"\r\n|\r|\n", joined)]
    touched = [
        (bisect.bisect_right(breaks, start) + 1, bisect.bisect_right(breaks, max(start, end - 1)) + 1)
        for start, end in placed
    ]
    return joined, touched


def _replacements(text: str, spans: list[tuple[int, int, str]], limit: int) -> list[tuple[int, int, str]]:
    """The spans, with those inside a statement black would now lay out otherwise
    merged into one replacement of the statement's lines."""
    if not spans:
        return []
    lines = _lines(text)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def line_of(offset: int) -> int:
        return bisect.bisect_right(starts, offset)

    def grows_long(start: int, end: int, content: str) -> bool:
        first, last = line_of(start), line_of(max(start, end - 1))
        head = text[starts[first - 1] : start]
        tail = text[end : starts[last]] if last <= len(lines) else text[end:]
        longest = max(len(x) for x in (head + content + tail).splitlines() or [""])
        return longest > limit or first != last or _may_join(lines, first, last)

    if not any(grows_long(*span) for span in spans):
        return list(spans)
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError):
        return list(spans)
    groups: dict[int, tuple[ast.stmt, list[tuple[int, int, str]]]] = {}
    loose = []
    for span in spans:
        first, last = line_of(span[0]), line_of(max(span[0], span[1] - 1))
        statement = _statement_at(tree, first, last)
        bounds = _header_span(statement, lines) if statement is not None else None
        if bounds is None:
            loose.append(span)
            continue
        groups.setdefault(id(statement), (statement, []))[1].append(span)
    for key, (statement, members) in list(groups.items()):
        if not any(grows_long(*m) for m in members) or any("\n" in m[2] or "\r" in m[2] for m in members):
            loose.extend(members)  # nothing to lay out, or a replacement laid out already
            del groups[key]
    out = list(loose)
    newline = re.search(r"\r\n|\r|\n", text)
    newline = newline.group(0) if newline else "\n"
    for statement, members in groups.values():
        first, last = _header_span(statement, lines)
        if any(line_of(s) < first or line_of(max(s, e - 1)) > last for s, e, _ in members):
            out.extend(members)
            continue
        seg_start, seg_end = starts[first - 1], starts[min(last, len(lines))]
        old = text[seg_start:seg_end]
        new = old
        for start, end, content in sorted(members, reverse=True):
            new = new[: start - seg_start] + content + new[end - seg_start :]
        laid_out = _layout(old, new, limit, newline)
        if laid_out is not None:
            out.append((seg_start, seg_end, laid_out))
            continue
        joined = None
        if len(members) == 1:
            start, end, content = members[0]
            line_first, line_last = line_of(start), line_of(max(start, end - 1))
            line_start, line_end = starts[line_first - 1], starts[min(line_last, len(lines))]
            old_line = text[line_start:line_end]
            new_line = old_line[: start - line_start] + content + old_line[end - line_start :]
            joined = _inner_join(lines, line_first, line_last, old_line, new_line, limit)
        if joined is None:
            out.extend(members)
        else:
            open_line, close_line, joined_text = joined
            out.append((starts[open_line - 1], starts[min(close_line, len(lines))], joined_text))
    return out


_CONTINUES = re.compile(r"(?:[(\[{,=+\-*/%&|^<>]|\b(?:and|or|not|if|else|in|is))\s*$")
_CONTINUED = re.compile(r"^\s*(?:[)\]}]|(?:and|or|if|else|for|in|not|is)\b|[+\-*/%&|^<>=])")


def _may_join(lines: list[str], first: int, last: int) -> bool:
    """A rewritten line inside a split statement (a continuation line, or one a
    continuation follows): black may lay it out differently now."""
    before = lines[first - 2].rstrip("\r\n") if first >= 2 else ""
    own = lines[first - 1] if first <= len(lines) else ""
    after = lines[last] if last < len(lines) else ""
    own_end = lines[last - 1].rstrip("\r\n") if last <= len(lines) else ""
    return bool(
        _CONTINUES.search(before)
        or _CONTINUED.match(own)
        or _CONTINUED.match(after)
        or _CONTINUES.search(own_end)
    )


def _inner_join(
    lines: list[str], first: int, last: int, old: str, new: str, limit: int
) -> Optional[tuple[int, int, str]]:
    """``x(`` / one body line / ``)`` around a rewritten line, joined when it fits now
    and did not before (black splits the innermost brackets that are too long, and
    joins them once they fit): (first line, last line, the joined line)."""
    if first < 2 or last >= len(lines) or first != last:
        return None
    opener = lines[first - 2].rstrip("\r\n")
    closer = lines[last].rstrip("\r\n")
    if not opener.endswith(tuple(_OPEN)) or not closer.lstrip()[:1] in tuple(_CLOSE):
        return None
    if _OPEN.index(opener[-1]) != _CLOSE.index(closer.lstrip()[0]):
        return None
    body_old, body_new = old.strip(), new.strip()
    if body_old.endswith(",") or body_new.endswith(","):
        return None  # a magic trailing comma keeps the brackets split
    if "#" in opener or "#" in closer or "#" in body_new:
        return None
    indent = len(closer) - len(closer.lstrip())
    if len(opener) - len(opener.lstrip()) != indent:
        return None
    joined_old = opener + body_old + closer.lstrip()
    joined_new = opener + body_new + closer.lstrip()
    if len(joined_old) <= limit or len(joined_new) > limit:
        return None  # it fit before (not black's split), or it still does not fit
    newline = lines[last][len(closer) :] or "\n"
    return first - 1, last + 1, joined_new + newline


def _statement_at(tree: ast.Module, first: int, last: int) -> Optional[ast.stmt]:
    """The innermost statement whose lines hold ``first``..``last``."""
    found = None
    body = tree.body
    while True:
        for statement in body:
            if statement.lineno <= first and last <= statement.end_lineno:
                found = statement
                break
        else:
            return found
        inner = [
            child
            for field in ("body", "orelse", "finalbody", "handlers")
            for child in getattr(found, field, None) or ()
        ]
        inner += [c for case in getattr(found, "cases", ()) for c in case.body]
        if not inner or not any(s.lineno <= first and last <= s.end_lineno for s in inner):
            return found
        body = inner


def _header_span(statement: ast.stmt, lines: list[str]) -> Optional[tuple[int, int]]:
    """Lines of the statement's own logical line (a compound statement: its header)."""
    if isinstance(statement, (ast.If, ast.While)):
        last = statement.test.end_lineno
        if last < len(lines) and lines[last].lstrip().startswith(")"):
            last += 1  # black's ``if (`` / condition / ``):``
        return statement.lineno, last
    if isinstance(statement, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Return, ast.Expr, ast.Assert)):
        return statement.lineno, statement.end_lineno
    return None


def _tokens(segment: str) -> Optional[list[tokenize.TokenInfo]]:
    try:
        return list(tokenize.generate_tokens(io.StringIO(segment).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return None


def _flat(segment: str) -> Optional[str]:
    """The statement on one line, as black writes it joined; None when black would not
    join it (a comment, a backslash, a magic trailing comma, a string over lines)."""
    tokens = _tokens(segment.strip("\r\n") + "\n")
    if tokens is None:
        return None
    pieces: list[str] = []
    previous = None
    depth = 0
    for index, token in enumerate(tokens):
        kind, string = token.type, token.string
        if kind == tokenize.COMMENT or "\\\n" in token.line:
            return None
        if kind == tokenize.STRING and "\n" in string:
            return None
        if kind in (tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER):
            continue
        if kind == tokenize.OP and string in _CLOSE:
            if previous is not None and previous.string == "," and depth:
                return None  # a magic trailing comma keeps the statement split
            depth -= 1
        if previous is not None:
            if previous.end[0] == token.start[0]:
                pieces.append(segment_between(previous, token))
            elif not (previous.string in _OPEN or string in _CLOSE):
                pieces.append(" ")
        pieces.append(string)
        if kind == tokenize.OP and string in _OPEN:
            depth += 1
        previous = token
    return "".join(pieces)


def segment_between(previous: tokenize.TokenInfo, token: tokenize.TokenInfo) -> str:
    """The original spacing between two tokens on one line."""
    return token.line[previous.end[1] : token.start[1]]


def _layout(old: str, new: str, limit: int, newline: str) -> Optional[str]:
    """The rewritten statement ``new`` laid out as black would, when black laid out
    ``old`` (its lines fit; it is split only because it had to be); else None."""
    indent = re.match(r"[ \t]*", old).group(0)
    old_flat = _flat(old)
    if old_flat is None:
        return None
    multi = len(_lines(old)) > 1
    old_statement = _parse_statement(old_flat)
    if old_statement is None:
        return None
    too_long = [line for line in _lines(old) if len(line.rstrip("\r\n")) > limit]
    if too_long and not (isinstance(old_statement, ast.Assert) and _only_message_lines(too_long, indent)):
        return None  # the project does not keep to the line length here
    old_flat = _without_redundant_parens(old_statement, old_flat)
    if multi and len(indent) + len(old_flat) <= limit:
        return None  # split although it fit: not black's layout
    flat = _flat(new)
    statement = _parse_statement(flat) if flat is not None else None
    if statement is None:
        return None
    flat = _without_redundant_parens(statement, flat)
    if len(indent) + len(flat) <= limit:
        return indent + flat + newline
    return _split(statement, indent, flat, limit, newline)


def _only_message_lines(lines: list[str], indent: str) -> bool:
    """Every line is an assert's closing ``), "message"``: black leaves a long message
    there (it does not split strings), so the statement is still black's layout."""
    return all(line.startswith(indent + "), ") for line in lines)


def _parse_statement(flat: str) -> Optional[ast.stmt]:
    """The one-line statement's node (a compound header gets a placeholder body)."""
    if flat.startswith("elif "):
        flat = flat[2:]  # an ``elif`` header parses as the ``if`` it is
    source = flat + ("\n    pass" if flat.rstrip().endswith(":") else "")
    try:
        body = ast.parse(source).body
    except (SyntaxError, ValueError):
        return None
    return body[0] if len(body) == 1 else None


def _without_redundant_parens(statement: ast.stmt, flat: str) -> str:
    """``x = (value)`` -> ``x = value``, ``if (test):`` -> ``if test:``: the parentheses
    black adds to split a statement are gone when it fits on one line."""
    if isinstance(statement, ast.Expr):
        return flat
    node = statement.test if isinstance(statement, (ast.If, ast.While)) else getattr(statement, "value", None)
    if node is None or isinstance(
        node, (ast.Tuple, ast.GeneratorExp, ast.Yield, ast.YieldFrom, ast.NamedExpr)
    ):
        return flat
    if isinstance(statement, (ast.If, ast.While)):
        keyword = flat[: flat.index(" ") + 1]
        inner = flat[len(keyword) :]
        if inner.startswith("(") and inner.endswith("):") and _last_call_opening(inner[:-1]) == 0:
            return keyword + inner[1:-2] + ":"
        return flat
    head, value = _head_and_value(flat, statement)
    if head is not None and value.startswith("(") and _last_call_opening(value) == 0:
        return head + value[1:-1]
    return flat


def _split(statement: ast.stmt, indent: str, flat: str, limit: int, newline: str) -> Optional[str]:
    inner = indent + "    "
    if isinstance(statement, (ast.If, ast.While)):
        keyword = flat[: flat.index(" ") + 1]
        condition = flat[len(keyword) :]
        if not condition.endswith(":"):
            return None
        body = _body(condition[:-1], statement.test, inner, limit, newline)
        return None if body is None else f"{indent}{keyword}({newline}{body}{indent}):{newline}"
    if isinstance(statement, ast.Assert):
        return _assert_split(statement, indent, flat, limit, newline)
    value = getattr(statement, "value", None)
    if value is None:
        return None
    head, body_text = _head_and_value(flat, statement)
    if head is None:
        return None
    ends_in_call = isinstance(value, ast.Call) and (value.args or value.keywords)
    if ends_in_call and not isinstance(statement, ast.Expr):
        # black splits at the call's own brackets when what precedes them fits
        opening = _last_call_opening(body_text)
        if opening is not None and len(indent) + len(head) + opening + 1 <= limit:
            return _call_split(
                indent, head + body_text[: opening + 1], body_text[opening + 1 : -1], limit, newline
            )
    if isinstance(statement, ast.Expr):
        if not ends_in_call:
            return None
        opening = _last_call_opening(body_text)
        if opening is None:
            return None
        return _call_split(indent, body_text[: opening + 1], body_text[opening + 1 : -1], limit, newline)
    if len(indent) + len(head) + 1 > limit:
        return None
    body = _body(body_text, value, inner, limit, newline)
    return None if body is None else f"{indent}{head}({newline}{body}{indent}){newline}"


def _assert_split(statement: ast.Assert, indent: str, flat: str, limit: int, newline: str) -> Optional[str]:
    """``assert test, msg`` too long: black puts the test in its own parentheses,
    ``assert (`` / test / ``), msg`` (the message stays on the closing line, however
    long). Only a test without brackets of its own to split at is laid out here."""
    source = flat + ("\n    pass" if flat.rstrip().endswith(":") else "")
    test = ast.get_source_segment(source, statement.test)
    if test is None or not flat.startswith("assert " + test):
        return None
    if isinstance(statement.test, ast.Call) and (statement.test.args or statement.test.keywords):
        return None  # black splits at the call's own brackets: not modelled
    if any(c in test for c in "([{") and not test.endswith("()"):
        return None
    rest = flat[len("assert " + test) :]  # "" or ", msg"
    inner = indent + "    "
    if len(inner) + len(test) > limit:
        return None
    return f"{indent}assert ({newline}{inner}{test}{newline}{indent}){rest}{newline}"


def _head_and_value(flat: str, statement: ast.stmt) -> tuple[Optional[str], str]:
    """``("x = ", "value")`` / ``("return ", "value")`` from the one-line statement."""
    if isinstance(statement, ast.Return):
        return ("return ", flat[len("return ") :]) if flat.startswith("return ") else (None, "")
    if isinstance(statement, ast.Expr):
        return "", flat
    match = re.search(r"\s(=|[-+*/%&|^@]=|//=|\*\*=|>>=|<<=)\s", flat)
    if match is None:
        return None, ""
    if isinstance(statement, ast.Assign) and len(statement.targets) > 1:
        return None, ""  # a = b = value: black's split of chained targets is not modelled
    return flat[: match.end()], flat[match.end() :]


def _body(text: str, node: ast.AST, inner: str, limit: int, newline: str) -> Optional[str]:
    """The contents of black's parentheses: one line, or a boolean split by operator."""
    if len(inner) + len(text) <= limit:
        return inner + text + newline
    if isinstance(node, ast.BoolOp):
        word = " and " if isinstance(node.op, ast.And) else " or "
        parts = _split_top_level(text, word)
        if len(parts) == len(node.values) and all(len(inner) + len(p) + 4 <= limit for p in parts):
            operator = word.strip()
            lines = [inner + parts[0] + newline] + [f"{inner}{operator} {p}{newline}" for p in parts[1:]]
            return "".join(lines)
    return None


def _split_top_level(text: str, separator: str) -> list[str]:
    """``text`` split at ``separator`` (``and``, ``or``, ``,``) outside brackets and strings;
    an empty last part (a trailing comma) is dropped."""
    separator = separator.strip()
    tokens = _tokens(text + "\n")
    if tokens is None:
        return [text]
    cuts, depth = [], 0
    for token in tokens:
        if token.type == tokenize.OP and token.string in _OPEN:
            depth += 1
        elif token.type == tokenize.OP and token.string in _CLOSE:
            depth -= 1
        elif depth == 0 and token.type in (tokenize.NAME, tokenize.OP) and token.string == separator:
            cuts.append(token.start[1])
    parts, start = [], 0
    for cut in cuts:
        parts.append(text[start:cut].strip())
        start = cut + len(separator)
    tail = text[start:].strip()
    if tail:
        parts.append(tail)
    return parts


def _last_call_opening(text: str) -> Optional[int]:
    """Index of the opening bracket matching ``text``'s final ``)``."""
    if not text.endswith(")"):
        return None
    tokens = _tokens(text + "\n")
    if tokens is None:
        return None
    stack = []
    pairs = {}
    for token in tokens:
        if token.type == tokenize.OP and token.string in _OPEN:
            stack.append(token.start[1])
        elif token.type == tokenize.OP and token.string in _CLOSE and stack:
            pairs[token.start[1]] = stack.pop()
    return pairs.get(len(text) - 1)


def _call_split(indent: str, head: str, arguments: str, limit: int, newline: str) -> Optional[str]:
    inner = indent + "    "
    if len(inner) + len(arguments) <= limit:
        return f"{indent}{head}{newline}{inner}{arguments}{newline}{indent}){newline}"
    parts = _split_top_level(arguments, ",")
    if any(len(inner) + len(p) + 1 > limit for p in parts):
        return None
    body = "".join(f"{inner}{p},{newline}" for p in parts)
    return f"{indent}{head}{newline}{body}{indent}){newline}"
