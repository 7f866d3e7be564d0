"""Watched words: find them in a text, however it is disguised, and mask them.

Why not split the text into words and look each one up? Chinese (and Japanese) is written without
spaces, so 测试 inside 这是测试内容 is never a "word" of its own: a word containing a CJK character
must match anywhere. Latin words still need edges, or "test" would fire inside "contest"; so they
match only where no other Latin letter or digit touches them.

Why normalise first? Because the cheapest ways round a filter are invisible: 测\u200b试 (a
zero-width space in the middle), ＴＥＳＴ (full-width letters), TeSt. Both the watched words and the
text are folded the same way (NFKC, case folding, invisible characters removed) before matching,
and each folded character remembers which original character it came from, so a match can be
masked in the text as it was written, zero-width characters inside it included.

Why Aho–Corasick? A post is checked against every watched word on every write. Looping over 5,000
words with `in`, or one regular expression alternating them, costs time in proportion to the
number of words; the automaton reads the folded text once, whatever the number of words (see
bench/screening.py for the figures).

Public API:

    fold(text) -> (folded, index)       index[i] is the position in `text` of folded[i]
    clean_word(word) -> folded word      raises ValueError, with the reason, for an unusable word
    WordMatcher(pairs).find(text) -> list[Match]
    replace(text, matches, mask) -> text with every match masked
"""

from __future__ import annotations

import re
import threading
import unicodedata
from bisect import bisect_right
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, repeat
from typing import Generic, TypeVar

__all__ = ["DEFAULT_MASK", "Match", "WordMatcher", "clean_word", "fold", "is_cjk", "replace"]

P = TypeVar("P")

DEFAULT_MASK = "＊＊"

# Characters that render as nothing (or only steer layout) and so can be slipped inside a word
# unseen. Besides the usual zero-width and bidi controls: the other bidi marks (U+061C, the
# isolates U+2066..U+2069), variation selectors and tag characters, which change nothing visible
# after most characters.
_INVISIBLE_CHARS = (
    "\u00ad"  # soft hyphen
    "\u034f"  # combining grapheme joiner
    "\u061c"  # Arabic letter mark
    "\u180e"  # Mongolian vowel separator
    "\u200b-\u200f"  # zero-width space, non-joiner, joiner; LRM, RLM
    "\u202a-\u202e"  # bidi embeddings and overrides
    "\u2060-\u2064"  # word joiner, invisible operators
    "\u2066-\u2069"  # bidi isolates
    "\ufe00-\ufe0f"  # variation selectors
    "\ufeff"  # byte order mark / zero-width no-break space
    "\U000e0001\U000e0020-\U000e007f"  # tags
    "\U000e0100-\U000e01ef"  # variation selectors supplement
)
_INVISIBLE = re.compile(f"[{_INVISIBLE_CHARS}]")

# Han (with radicals, 々 〇 and the like, compatibility ideographs and the supplementary-plane
# extensions), Hiragana, Katakana and Hangul. Sorted, so that a code point can be placed by bisection.
_CJK_RANGES: tuple[tuple[int, int], ...] = (
    (0x1100, 0x11FF),  # Hangul Jamo
    (0x2E80, 0x2FDF),  # CJK and Kangxi radicals
    (0x3005, 0x3007),  # 々 〆 〇
    (0x3021, 0x302F),  # Hangzhou numerals, ideographic and Hangul tone marks
    (0x3031, 0x3035),  # kana repeat marks
    (0x3038, 0x303C),
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x3130, 0x318F),  # Hangul compatibility Jamo
    (0x31A0, 0x31BF),  # Bopomofo extended
    (0x31F0, 0x31FF),  # Katakana phonetic extensions
    (0x3400, 0x4DBF),  # extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xA960, 0xA97F),  # Hangul Jamo extended A
    (0xAC00, 0xD7FF),  # Hangul syllables, Jamo extended B
    (0xF900, 0xFAFF),  # compatibility ideographs
    (0xFF66, 0xFFDC),  # half-width Katakana and Hangul (NFKC widens them, but words may not be folded)
    (0x1AFF0, 0x1B16F),  # kana extended B, supplement, extended A, small kana
    (0x20000, 0x3FFFF),  # extensions B onwards, compatibility supplement
)
_CJK_STARTS = tuple(start for start, _ in _CJK_RANGES)


def is_cjk(char: str) -> bool:
    """Whether `char` (one character) is Han, Hiragana, Katakana or Hangul."""
    cp = ord(char)
    if cp < 0x1100:  # all of ASCII and Latin, the common case, without a bisection
        return False
    i = bisect_right(_CJK_STARTS, cp) - 1
    return i >= 0 and cp <= _CJK_RANGES[i][1]


def _is_word_char(char: str) -> bool:
    """A letter or digit that joins up with a Latin word: CJK characters are letters to
    `isalnum()`, but they sit next to Latin words without a space ("测试test内容")."""
    return char.isalnum() and not is_cjk(char)


@lru_cache(maxsize=65_536)
def _fold_char(char: str) -> str:
    if _INVISIBLE.match(char):
        return ""
    return unicodedata.normalize("NFKC", char).casefold()


class _FoldTable(dict[int, str]):
    """A `str.translate` table, filled in as characters are first met.

    A character that folds to exactly one character maps to it. Any other ("odd": invisible, or
    "…" -> "...") maps to its fold followed by two NULs, two characters at least: so a translated
    text is as long as the original exactly when no character in it is odd, and then it is the
    folded text, position for position. Odd characters are also remembered, for `odd_pattern`.
    """

    # Distinct characters met, before starting again: a bound on memory, never reached by real text.
    LIMIT = 100_000
    MARK = "\0\0"

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._odd: set[str] = set()  # bounded by Unicode: some 6,000 characters
        self._pattern: re.Pattern[str] | None = None

    def __missing__(self, code_point: int) -> str:
        char = chr(code_point)
        folded = _fold_char(char)
        if len(folded) == 1:
            value = folded
        else:
            value = folded + self.MARK
            with self._lock:
                if char not in self._odd:
                    self._odd.add(char)
                    self._pattern = None
        if len(self) >= self.LIMIT:
            self.clear()
        self[code_point] = value
        return value

    def odd_pattern(self) -> re.Pattern[str]:
        """Matches one of the odd characters met so far."""
        with self._lock:
            if self._pattern is None:
                chars = "".join(re.escape(c) for c in sorted(self._odd))
                self._pattern = re.compile(f"[{chars}]" if chars else "(?!)")
            return self._pattern


_FOLD_TABLE = _FoldTable()


def fold(text: str) -> tuple[str, Sequence[int]]:
    """Fold `text` for matching: NFKC character by character, case folding, invisible characters
    removed. Returns the folded text and, for each folded character, the index in `text` of the
    character it came from: `folded[i]` comes from `text[index[i]]`. One character may fold to
    several (ﬁ -> fi, ß -> ss, ㍿ -> 株式会社: they share an index) or to none (U+200B).

    NFKC applies to each character on its own, so that the index stays exact: e + U+0301 stays two
    characters rather than composing into é.

    The index is a `range` when every character folds to exactly one (almost every post, full-width
    punctuation included): then folding is one pass in C and the index costs nothing. Otherwise it
    is a list.
    """
    if text.isascii():
        return text.lower(), range(len(text))
    # Neither NFKC over the whole text (which composes across characters, and takes ~0.3 ms on a
    # 2,000-character Chinese post with full-width punctuation) nor the test
    # len(NFKC(text).casefold()) == len(text): "e\u0301ﬁ" composes two characters into é and
    # expands one into fi, keeping its length with a shifted index.
    marked = text.translate(_FOLD_TABLE)
    if len(marked) == len(text):
        return marked, range(len(text))
    # Some characters are odd. Translating the text has just shown every one of its characters to
    # the table, so the odd pattern finds them all, and between them `marked` is the folded text.
    parts: list[str] = []
    index: list[int] = []
    done = 0  # text[:done] is folded
    at_marked = 0  # where text[done:] starts in `marked`
    for odd in _FOLD_TABLE.odd_pattern().finditer(text):
        at = odd.start()
        if at > done:
            parts.append(marked[at_marked : at_marked + at - done])
            index += range(done, at)
        folded = _fold_char(odd[0])
        parts.append(folded)
        index += repeat(at, len(folded))
        at_marked += at - done + len(folded) + len(_FoldTable.MARK)
        done = at + 1
    # Every odd character lengthens `marked`, so one the pattern missed (it cannot, but the table is
    # shared between threads) would leave more of `marked` than of `text`.
    if len(marked) - at_marked != len(text) - done:
        folds = list(map(_fold_char, text))
        return "".join(folds), list(chain.from_iterable(map(repeat, range(len(text)), map(len, folds))))
    parts.append(marked[at_marked:])
    index += range(done, len(text))
    return "".join(parts), index


def _fold_word(word: str) -> str:
    # Surrounding spaces are never meant: " test " is the word "test". Spaces inside are kept.
    return fold(word)[0].strip()


def clean_word(word: str) -> str:
    """The folded form of `word`, as the matcher will look for it; ValueError, whose message is the
    reason, when nothing would be left to match."""
    if not word or word.isspace():
        raise ValueError("the word is empty")
    folded = _fold_word(word)
    if not folded:
        raise ValueError("the word is made only of invisible characters")
    return folded


@dataclass(frozen=True, slots=True)
class Match(Generic[P]):
    """A watched word found in a text. `start` and `end` (exclusive) are positions in the text as
    written, and cover any invisible characters inside the match; `word` is the word as folded, and
    `payload` what it was given with."""

    start: int
    end: int
    word: str
    payload: P


@dataclass(frozen=True, slots=True)
class _Entry(Generic[P]):
    length: int  # in folded characters
    word: str
    payload: P
    # Whether a Latin letter or digit in the text just before (after) the match rules it out.
    check_before: bool
    check_after: bool


class WordMatcher(Generic[P]):
    """Finds watched words in texts. Build it once from `(word, payload)` pairs (the payload is
    returned with each match, e.g. the action to take) and reuse it: building is the slow part.

    Words are folded like texts; words that fold to nothing are skipped (check them with
    `clean_word` where they are entered). A word given twice with different payloads is reported
    once for each payload. One matcher may serve several threads at once.

    Which matches count: a word containing a CJK character matches anywhere. Otherwise, at each end
    of the word that is a letter or digit, the text must not continue with a letter or digit that
    is not CJK: "test" is found in "a test." and "测试test内容", not in "testing" or "contest";
    "#tag" may follow anything. Other characters are literal (".*" is two characters, not a
    pattern). Overlapping matches are all reported.
    """

    # Remembered transitions (see `_step`), before starting again: a bound on memory (tens of MB).
    MEMO_LIMIT = 500_000

    def __init__(self, pairs: Iterable[tuple[str, P]]) -> None:
        # The trie, one dict of edges per state: state 0 is the root.
        goto: list[dict[str, int]] = [{}]
        own: list[list[_Entry[P]]] = [[]]
        self._size = 0
        for word, payload in pairs:
            folded = _fold_word(word)
            if not folded:
                continue
            state = 0
            for char in folded:
                nxt = goto[state].get(char)
                if nxt is None:
                    nxt = len(goto)
                    goto[state][char] = nxt
                    goto.append({})
                    own.append([])
                state = nxt
            if any(e.payload == payload for e in own[state]):
                continue
            cjk = any(is_cjk(c) for c in folded)
            entry = _Entry(
                len(folded),
                folded,
                payload,
                check_before=not cjk and folded[0].isalnum(),
                check_after=not cjk and folded[-1].isalnum(),
            )
            own[state].append(entry)
            self._size += 1

        # Failure links, breadth first so that a state's link (always shallower) is done before it.
        # Output links are flattened: each state's outputs are its own words followed by those of
        # its failure state, so that `find` needs one lookup per character to know if any word ends.
        fail = [0] * len(goto)
        outputs: list[tuple[_Entry[P], ...]] = [()] * len(goto)
        queue = deque(goto[0].values())
        for child in queue:
            outputs[child] = tuple(own[child])
        while queue:
            state = queue.popleft()
            for char, child in goto[state].items():
                queue.append(child)
                link = fail[state]
                while link and char not in goto[link]:
                    link = fail[link]
                target = goto[link].get(char, 0)
                fail[child] = target
                outputs[child] = tuple(own[child]) + outputs[target]
        self._goto = goto
        self._fail = fail
        self._outputs = outputs
        self._reset_memo()

    def _reset_memo(self) -> None:
        # `_delta[state]` holds the trie's edges and, as they are met, the transitions that follow
        # failure links, remembered. Replaced whole, never emptied in place, so that a `find` in
        # another thread carries on with the table it started with.
        self._delta = [dict(edges) for edges in self._goto]
        self._memo = 0

    def __len__(self) -> int:
        """The number of (word, payload) pairs that can match."""
        return self._size

    @property
    def states(self) -> int:
        """The size of the automaton (the trie's nodes, root included)."""
        return len(self._goto)

    def find(self, text: str) -> list[Match[P]]:
        """Every watched word in `text`, in order of start, then end, positions in the text as
        written."""
        folded, index = fold(text)
        delta = self._delta
        outputs = self._outputs
        ends: list[tuple[int, int]] = []  # (position after the last character, state)
        state = 0
        # The hot loop, a third faster than following failure links here: after the first few
        # posts nearly every transition is remembered, so a character costs two subscripts.
        for i, char in enumerate(folded, 1):
            try:
                state = delta[state][char]
            except KeyError:
                state = self._step(delta, state, char)
            if outputs[state]:
                ends.append((i, state))
        if not ends:
            return []
        matches: list[Match[P]] = []
        last = len(folded)
        for end, state in ends:
            for entry in outputs[state]:
                start = end - entry.length
                if entry.check_before and start > 0 and _is_word_char(folded[start - 1]):
                    continue
                if entry.check_after and end < last and _is_word_char(folded[end]):
                    continue
                matches.append(Match(index[start], index[end - 1] + 1, entry.word, entry.payload))
        matches.sort(key=lambda m: (m.start, m.end))
        return matches

    def _step(self, delta: list[dict[str, int]], state: int, char: str) -> int:
        """The automaton's transition from `state` on `char` when no edge is remembered: follow
        failure links to the longest suffix that can take `char`, and remember where it led."""
        link = state
        while True:
            nxt = delta[link].get(char)
            if nxt is not None:  # an edge, or a transition remembered from `link`: both are right
                break
            if link == 0:
                nxt = 0
                break
            link = self._fail[link]
        delta[state][char] = nxt
        self._memo += 1
        if self._memo > self.MEMO_LIMIT:
            self._reset_memo()
        return nxt


def replace(text: str, matches: Iterable[Match[P]], mask: str = DEFAULT_MASK) -> str:
    """`text` with each match replaced by `mask`; overlapping matches are masked as one span (so
    测试 and 试内 in 测试内容 give "＊＊容"), touching ones each get a mask. `matches` must come from
    `find(text)` on this same text: their positions are in it."""
    spans = sorted((m.start, m.end) for m in matches)
    if not spans:
        return text
    pieces: list[str] = []
    done = 0  # text[:done] is already in pieces
    span_start, span_end = spans[0]
    for start, end in spans[1:]:
        if start < span_end:
            span_end = max(span_end, end)
            continue
        pieces += (text[done:span_start], mask)
        done = span_end
        span_start, span_end = start, end
    pieces += (text[done:span_start], mask, text[span_end:])
    return "".join(pieces)
