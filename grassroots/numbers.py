"""Whole numbers as people and browsers send them: in a form field, a query string, a path."""

from __future__ import annotations


def to_int(raw: str, *, digits: int = 18) -> int | None:
    """The number `raw` spells in ASCII digits (spaces around it allowed), or None. Not
    `str.isdigit()`, which also takes '²' (that `int()` then refuses: a 500) and '١٢' (that
    `int()` reads); and at most `digits` of them, so that no database integer overflows."""
    raw = raw.strip()
    if not raw or not raw.isascii() or not raw.isdigit() or len(raw) > digits:
        return None
    return int(raw)
