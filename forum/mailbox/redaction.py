"""Personal details in a letter about to be published: mainland mobile numbers, 18-digit
resident ID numbers, and names the writer or the secretary marked. Pure functions: the
secretary is offered what was found and chooses what to remove."""

from __future__ import annotations

import re
from collections.abc import Iterable

MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)")
ID_NUMBER = re.compile(r"(?<![\dXx])\d{17}[\dXx](?![\dXx])")
NAME_SEPARATORS = re.compile(r"[,，、;；\s]+")
MASK = "***"


def split_names(text: str) -> list[str]:
    return [name for name in NAME_SEPARATORS.split(text) if name]


def find(texts: Iterable[str], names: Iterable[str] = ()) -> list[str]:
    """What looks personal in the texts, each once, in the order found: numbers first, then
    the marked names that actually occur."""
    texts = list(texts)
    found: dict[str, None] = {}
    for text in texts:
        for pattern in (ID_NUMBER, MOBILE):
            found.update((match.group(0), None) for match in pattern.finditer(text))
    for name in names:
        if any(name in text for text in texts):
            found[name] = None
    return list(found)


def redact(text: str, chosen: Iterable[str]) -> str:
    """Every occurrence of each chosen string masked, the longest first so a name inside
    another is not left half shown."""
    for item in sorted(set(chosen), key=len, reverse=True):
        if item:
            text = text.replace(item, MASK)
    return text
