"""The words searched, marked in a title or in an excerpt of a post."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from markupsafe import Markup, escape

from .words import RUN, normalize

SNIPPET_CHARS = 120
_ELLIPSIS = Markup("…")


def highlight(value: str, words: Sequence[str]) -> Markup:
    """`value` escaped, with every occurrence of each of `words` (normalized) in <mark>."""
    return _marked(value, _spans(value, words), 0, len(value))


def snippet(value: str, words: Sequence[str], width: int = SNIPPET_CHARS) -> Markup:
    """About `width` characters of `value` around its first match, escaped and marked."""
    value = re.sub(r"\s+", " ", value).strip()
    spans = _spans(value, words)
    first = spans[0][0] if spans else 0
    start = max(0, min(first - width // 3, len(value) - width))
    end = min(len(value), start + width)
    cut_before = _ELLIPSIS if start else Markup()
    cut_after = _ELLIPSIS if end < len(value) else Markup()
    return cut_before + _marked(value, spans, start, end) + cut_after


def _marked(value: str, spans: list[tuple[int, int]], start: int, end: int) -> Markup:
    parts: list[str] = []
    position = start
    for span_start, span_end in spans:
        span_start, span_end = max(span_start, position), min(span_end, end)
        if span_start >= span_end:
            continue
        parts += [escape(value[position:span_start]), "<mark>", escape(value[span_start:span_end]), "</mark>"]
        position = span_end
    parts.append(escape(value[position:end]))
    # Every piece of the text is escaped above; joined as plain strings, since Markup.format
    # and Markup.join cost a fifth of a search's Python time.
    return Markup("".join(parts))  # noqa: S704


def _spans(value: str, words: Sequence[str]) -> list[tuple[int, int]]:
    """Where the words occur in `value`, in its own positions, sorted and merged."""
    folded, origins = _folded(value)
    found: list[tuple[int, int]] = []
    for word in filter(None, words):
        at = folded.find(word)
        while at >= 0:
            end = at + len(word)
            if _whole(folded, at, end):
                found.append((origins(at), origins(end - 1) + 1))
            at = folded.find(word, at + 1)
    return _merged(sorted(found))


def _folded(value: str) -> tuple[str, Any]:
    """`value` normalized, and how to find a normalized position's character in `value`."""
    folded = normalize(value)
    if len(folded) == len(value):
        # Almost always so (full-width forms fold one to one): positions are shared.
        return folded, lambda index: index
    pieces = [normalize(char) for char in value]
    origins = [index for index, piece in enumerate(pieces) for _ in piece]
    return "".join(pieces), origins.__getitem__


def _whole(folded: str, start: int, end: int) -> bool:
    """Letters and digits match whole words, as the index does; Chinese matches anywhere."""
    before = folded[start - 1 : start] + folded[start : start + 1]
    after = folded[end - 1 : end] + folded[end : end + 1]
    return not (_in_one_word(before) or _in_one_word(after))


def _in_one_word(pair: str) -> bool:
    match = RUN.fullmatch(pair)
    return len(pair) == 2 and match is not None and match.lastgroup == "latin"


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
