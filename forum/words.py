"""Text as search sees it: folded to one form, split into the tokens it is indexed by.

Neither database's own tokenizer splits Chinese into words, so the application does: each run
of CJK characters becomes its overlapping two-character pieces (停车位 → 停车 车位), each run of
letters and digits one token, and a separator token stands where punctuation or space parted
two runs, so that no phrase matches across it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

# Stands between runs parted by punctuation or space. A user's own word spelled like this is
# stored as SEPARATOR + "0", so that searching for it finds only the posts that have it.
SEPARATOR = "qqsep"
MAX_TOKEN_CHARS = 64  # PostgreSQL drops words over 2047 bytes; both sides truncate alike

_CJK = (
    "\u1100-\u11ff"  # Hangul Jamo
    "\u3005-\u3007"  # 々 〆 〇
    "\u3041-\u3096\u309d-\u309f"  # Hiragana
    "\u30a1-\u30fa\u30fc-\u30ff\u31f0-\u31ff"  # Katakana, without the middle dot
    "\u3105-\u312f\u31a0-\u31bf"  # Bopomofo
    "\u3131-\u318e"  # Hangul compatibility jamo
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # Han
    "\ua960-\ua97f\uac00-\ud7a3\ud7b0-\ud7ff"  # Hangul
    "\U00020000-\U000323af"  # Han, supplementary planes
)
# Letters of any other script, and ASCII digits: other digits are not digits to PostgreSQL.
RUN = re.compile(rf"(?P<cjk>[{_CJK}]+)|(?P<latin>(?:[^\W\d_{_CJK}]|[0-9])+)")
ONE_CJK = re.compile(rf"[{_CJK}]")
# PostgreSQL's parser reads "1e5x" as the number 1e5 and the word x; split it the same way.
_NUMBER_HEAD = re.compile(r"[0-9]+e[0-9]+(?=[^0-9])")


def normalize(value: str) -> str:
    """NFKC and lower case: full-width ＴＥＳＴ is test, as people mean it."""
    return unicodedata.normalize("NFKC", value).lower()


def split_terms(value: str) -> list[str]:
    """The tokens `value` is indexed and searched by. Every token is a single token to both
    FTS5's unicode61 tokenizer and PostgreSQL's 'simple' parser, so positions agree."""
    tokens: list[str] = []
    previous_end, previous_cjk = -1, False
    for run in RUN.finditer(normalize(value)):
        cjk = run.lastgroup == "cjk"
        # Two letter runs never stand next to each other in a query phrase: no separator needed.
        if 0 <= previous_end < run.start() and (cjk or previous_cjk):
            tokens.append(SEPARATOR)
        tokens.extend(_cjk_pieces(run.group()) if cjk else _latin_tokens(run.group()))
        previous_end, previous_cjk = run.end(), cjk
    return tokens


def _cjk_pieces(run: str) -> list[str]:
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def _latin_tokens(run: str) -> list[str]:
    run = run[:MAX_TOKEN_CHARS]
    head = _NUMBER_HEAD.match(run)
    parts = [head.group(), run[head.end() :]] if head else [run]
    return [SEPARATOR + "0" if part == SEPARATOR else part for part in parts]


def surfaces(value: str) -> list[str]:
    """The stretches of `value` that space or punctuation part: the words of a query."""
    stretches: list[str] = []
    end = -1
    for run in RUN.finditer(value):
        if run.start() == end:
            stretches[-1] += run.group()
        else:
            stretches.append(run.group())
        end = run.end()
    return stretches


def stored_terms(tokens: Sequence[str]) -> str:
    """Tokens as forum_search.terms holds them: a space before and after each, so that a
    phrase is a plain substring of them (strpos on the column itself reads a row in half the
    time of strpos on the column padded by concatenation)."""
    return " " + " ".join(tokens) + " "
