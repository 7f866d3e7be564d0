"""What changed between two versions of a text, marked for a page: removed text in <del>,
added text in <ins>. Chinese has no spaces, so the comparison is by character; long texts are
compared by line first so the cost stays bounded."""

from __future__ import annotations

from difflib import SequenceMatcher

from markupsafe import Markup, escape

CHARACTER_LIMIT = 5000


def text_diff(before: str, after: str) -> Markup:
    if len(before) + len(after) <= CHARACTER_LIMIT:
        return _marked(before, after)
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    pieces = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            pieces.append(escape("".join(old[i1:i2])))
        else:
            pieces.append(_marked("".join(old[i1:i2]), "".join(new[j1:j2])))
    return Markup("").join(pieces)


def _marked(before: str, after: str) -> Markup:
    pieces = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, before, after, autojunk=False).get_opcodes():
        if tag == "equal":
            pieces.append(escape(before[i1:i2]))
            continue
        if i2 > i1:
            pieces.append(Markup("<del>%s</del>") % before[i1:i2])
        if j2 > j1:
            pieces.append(Markup("<ins>%s</ins>") % after[j1:j2])
    return Markup("").join(pieces)
