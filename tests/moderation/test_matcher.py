"""Watched words (moderation/matcher.py): folding, the matching rules, masking, and the automaton
against a brute-force reference on random texts."""

from __future__ import annotations

import random
import sys
import unicodedata
from itertools import chain

import pytest

from moderation import matcher
from moderation.matcher import DEFAULT_MASK, Match, WordMatcher, clean_word, fold, is_cjk, replace

INVISIBLE = "".join(
    chr(cp)
    for lo, hi in [
        (0xAD, 0xAD),
        (0x34F, 0x34F),
        (0x61C, 0x61C),
        (0x180E, 0x180E),
        (0x200B, 0x200F),
        (0x202A, 0x202E),
        (0x2060, 0x2064),
        (0x2066, 0x2069),
        (0xFE00, 0xFE0F),
        (0xFEFF, 0xFEFF),
        (0xE0001, 0xE0001),
        (0xE0020, 0xE007F),
        (0xE0100, 0xE01EF),
    ]
    for cp in range(lo, hi + 1)
)


def spans(found: list[Match[str]]) -> list[tuple[int, int, str, str]]:
    return [(m.start, m.end, m.word, m.payload) for m in found]


def words_found(words: list[str], text: str) -> list[str]:
    return [m.word for m in WordMatcher((w, "hold") for w in words).find(text)]


# ---------------------------------------------------------------- fold


def test_fold_common_text_is_folded_in_place() -> None:
    folded, index = fold("这是ＴＥＳＴ，Ｗｉｆｉ１２３。")
    assert folded == "这是test,wifi123。"
    assert index == range(len("这是ＴＥＳＴ，Ｗｉｆｉ１２３。"))
    assert fold("Hello") == ("hello", range(5))


def test_fold_removes_invisible_characters_and_keeps_the_index() -> None:
    text = "测\u200b试\u00adte\ufeffst"
    folded, index = fold(text)
    assert folded == "测试test"
    assert list(index) == [0, 2, 4, 5, 7, 8]
    for char in INVISIBLE:
        assert fold(f"a{char}测")[0] == "a测", hex(ord(char))


def test_fold_expansions_share_the_original_index() -> None:
    folded, index = fold("ﬁ㍿ß")
    assert folded == "fi株式会社ss"
    assert list(index) == [0, 0, 1, 1, 1, 1, 2, 2]


def test_fold_is_per_character_so_lengths_cannot_cancel_out() -> None:
    # Whole-text NFKC composes e + U+0301 into é and expands ﬁ into fi: same length, shifted index.
    folded, index = fold("e\u0301ﬁ")
    assert folded == "e\u0301fi"
    assert list(index) == [0, 1, 2, 2]


def reference_fold(text: str) -> tuple[str, list[int]]:
    folded = ""
    index: list[int] = []
    for i, char in enumerate(text):
        if char in INVISIBLE:
            continue
        f = unicodedata.normalize("NFKC", char).casefold()
        folded += f
        index += [i] * len(f)
    return folded, index


FOLD_ALPHABET = "测试内容abcＡＢＣ１2 ，。\u200b\u200d\ufeffﬁßİ…①㍿e\u0301\u1100\u1161한あ😀"


def test_fold_matches_the_reference_on_random_texts() -> None:
    rng = random.Random(7)
    for _ in range(500):
        text = "".join(rng.choices(FOLD_ALPHABET, k=rng.randint(0, 120)))
        folded, index = fold(text)
        assert (folded, list(index)) == reference_fold(text), repr(text)


def test_fold_falls_back_when_the_odd_pattern_misses_a_character(monkeypatch: pytest.MonkeyPatch) -> None:
    # The table's record of odd characters is shared between threads; if it were ever behind,
    # fold must notice rather than return a shifted index.
    monkeypatch.setattr(matcher._FOLD_TABLE, "odd_pattern", lambda: matcher.re.compile("(?!)"))
    text = "这是测\u200b试内容…ＴＥＳＴ"
    folded, index = fold(text)
    assert (folded, list(index)) == reference_fold(text)


# ---------------------------------------------------------------- clean_word


@pytest.mark.parametrize("word", ["", " ", "\t\n", "\u3000", "\u00a0 "])
def test_clean_word_rejects_empty_words(word: str) -> None:
    with pytest.raises(ValueError, match="empty"):
        clean_word(word)


@pytest.mark.parametrize("word", ["\u200b", "\u200b\u200d\ufeff", " \u00ad "])
def test_clean_word_rejects_words_of_invisible_characters(word: str) -> None:
    with pytest.raises(ValueError, match="invisible"):
        clean_word(word)


def test_clean_word_returns_the_folded_word() -> None:
    assert clean_word(" ＴｅＳＴ ") == "test"
    assert clean_word("测\u200b试") == "测试"
    assert clean_word("[a-z]+") == "[a-z]+"


# ---------------------------------------------------------------- find


def test_chinese_word_is_found_inside_text() -> None:
    found = WordMatcher([("测试", "hold")]).find("这是测试内容")
    assert spans(found) == [(2, 4, "测试", "hold")]


def test_zero_width_space_inside_a_word_does_not_hide_it() -> None:
    found = WordMatcher([("测试", "hold")]).find("这是测\u200b试内容")
    assert spans(found) == [(2, 5, "测试", "hold")]


def test_full_width_letters_are_found() -> None:
    assert spans(WordMatcher([("test", "hold")]).find("ＴＥＳＴ")) == [(0, 4, "test", "hold")]


def test_case_is_folded() -> None:
    assert words_found(["TeSt"], "a TEST and a test") == ["test", "test"]
    assert words_found(["straße"], "STRASSE") == ["strasse"]
    assert words_found(["ΣΟΦΙΑ"], "σοφια") == ["σοφια"]


@pytest.mark.parametrize("text", ["testing", "contest", "test1", "1test", "testé", "Жtest", "ｔｅｓｔｉｎｇ"])
def test_latin_word_is_not_found_inside_a_longer_word(text: str) -> None:
    assert words_found(["test"], text) == []


@pytest.mark.parametrize(
    "text", ["test", "a test.", "测试test内容", "(test)", "test，好", "te\u200bst!", "test_", "あtestア"]
)
def test_latin_word_is_found_between_non_letters_or_cjk(text: str) -> None:
    assert words_found(["test"], text) == ["test"]


def test_cjk_word_with_latin_letters_matches_anywhere() -> None:
    assert words_found(["a测试"], "ba测试c") == ["a测试"]


def test_only_letter_or_digit_ends_need_a_boundary() -> None:
    assert words_found(["#tag"], "x#tag") == ["#tag"]
    assert words_found(["#tag"], "x#tags") == []
    assert words_found(["v1.0"], "v1.0") == ["v1.0"]


def test_overlapping_words_are_all_found() -> None:
    found = WordMatcher([("测试", "a"), ("试内", "b"), ("这是测试内容", "c"), ("内容", "d")]).find(
        "这是测试内容"
    )
    assert spans(found) == [
        (0, 6, "这是测试内容", "c"),
        (2, 4, "测试", "a"),
        (3, 5, "试内", "b"),
        (4, 6, "内容", "d"),
    ]


@pytest.mark.parametrize("word", [".*", "(", "[a-z]+", "\\d", "a|b", "^$", "?", ")(", "\\", "*", "{2}"])
def test_regex_metacharacters_are_literal(word: str) -> None:
    m = WordMatcher([(word, "hold")])
    assert m.find("abc 123 xyz 测试") == []
    assert [x.word for x in m.find(f"测试{word}内容")] == [word]


def test_same_word_with_two_payloads_is_reported_twice_and_exact_duplicates_once() -> None:
    m = WordMatcher([("Test", "hold"), ("test", "block"), ("ＴＥＳＴ", "hold")])
    assert len(m) == 2
    assert [x.payload for x in m.find("a test")] == ["hold", "block"]


def test_words_that_fold_to_nothing_are_skipped() -> None:
    m = WordMatcher([("", "a"), ("  ", "b"), ("\u200b", "c"), ("测试", "d")])
    assert len(m) == 1
    assert [x.payload for x in m.find("测试 ")] == ["d"]


def test_empty_matcher_and_empty_text() -> None:
    assert WordMatcher([]).find("这是测试内容") == []
    assert WordMatcher([("测试", "a")]).find("") == []


def test_matches_from_expanded_characters_cover_the_whole_character() -> None:
    # ㍿ folds to 株式会社: 会社 is inside it, so the whole ㍿ is the match.
    assert spans(WordMatcher([("会社", "a")]).find("这㍿好")) == [(1, 2, "会社", "a")]


# ---------------------------------------------------------------- replace


def test_replace_masks_zero_width_characters_inside_a_match() -> None:
    text = "这是测\u200b试内容\u200b"
    m = WordMatcher([("测试", "hold")])
    assert replace(text, m.find(text)) == "这是＊＊内容\u200b"


def test_replace_merges_overlapping_matches() -> None:
    text = "这是测试内容，测试。"
    m = WordMatcher([("测试", "a"), ("试内", "b")])
    assert replace(text, m.find(text)) == "这是＊＊容，＊＊。"


def test_replace_masks_touching_matches_separately_and_takes_a_mask() -> None:
    text = "测试内容"
    m = WordMatcher([("测试", "a"), ("内容", "b")])
    assert replace(text, m.find(text), mask="*") == "**"
    assert replace(text, []) == text
    assert DEFAULT_MASK == "＊＊"


def test_replace_full_width_and_latin() -> None:
    text = "Ｔｅｓｔ and te\u200bst, not testing"
    m = WordMatcher([("test", "a")])
    assert replace(text, m.find(text)) == "＊＊ and ＊＊, not testing"


# ---------------------------------------------------------------- is_cjk


def test_is_cjk_covers_every_named_cjk_character() -> None:
    prefixes = ("CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY IDEOGRAPH", "HIRAGANA", "KATAKANA", "HANGUL")
    missing = [
        hex(cp)
        for cp in range(0x80, sys.maxunicode + 1)
        if unicodedata.name(chr(cp), "").startswith(prefixes) and not is_cjk(chr(cp))
    ]
    assert missing == []
    assert not any(is_cjk(c) for c in "azAZ09éßΣЖ١ก，。 ")
    assert all(is_cjk(c) for c in "测試あアｱ한々〇𠀀")


# ---------------------------------------------------------------- against brute force


def reference_is_cjk(char: str) -> bool:
    name = unicodedata.name(char, "")
    return name.startswith(("CJK UNIFIED IDEOGRAPH", "HIRAGANA", "KATAKANA", "HANGUL"))


def reference_find(pairs: list[tuple[str, int]], text: str) -> list[tuple[int, int, str, int]]:
    """Every word at every position of the folded text, with the boundary rules spelt out."""
    folded, index = reference_fold(text)

    def joins(char: str) -> bool:
        return char.isalnum() and not reference_is_cjk(char)

    found = []
    for word, payload in pairs:
        w = reference_fold(word)[0].strip()
        if not w:
            continue
        cjk = any(reference_is_cjk(c) for c in w)
        for start in range(len(folded) - len(w) + 1):
            end = start + len(w)
            if folded[start:end] != w:
                continue
            if not cjk and w[0].isalnum() and start > 0 and joins(folded[start - 1]):
                continue
            if not cjk and w[-1].isalnum() and end < len(folded) and joins(folded[end]):
                continue
            found.append((index[start], index[end - 1] + 1, w, payload))
    return sorted(found)


# Few characters, so that words recur; Chinese, Latin in both widths and cases, digits, spaces,
# punctuation (regex metacharacters included), invisible characters and characters that expand.
ALPHABET = "测试内容好人这是tesTＳａ1１ ，.*\u200bﬁ…"


def test_find_matches_brute_force_on_random_texts() -> None:
    rng = random.Random(2024)
    pairs = [("".join(rng.choices(ALPHABET, k=rng.randint(1, 4))), i) for i in range(300)]
    m = WordMatcher(pairs)
    total = 0
    for _ in range(200):
        text = "".join(rng.choices(ALPHABET, k=rng.randint(0, 80)))
        found = sorted((x.start, x.end, x.word, x.payload) for x in m.find(text))
        assert found == reference_find(pairs, text), repr(text)
        total += len(found)
    assert total > 1000  # the comparison is not vacuous


def test_find_is_ordered_by_start_then_end() -> None:
    rng = random.Random(5)
    pairs = [("".join(rng.choices("测试内容ab ", k=rng.randint(1, 3))), i) for i in range(100)]
    m = WordMatcher(pairs)
    for _ in range(50):
        found = m.find("".join(rng.choices("测试内容ab ", k=60)))
        assert [(x.start, x.end) for x in found] == sorted((x.start, x.end) for x in found)


def test_remembered_transitions_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(WordMatcher, "MEMO_LIMIT", 10)
    rng = random.Random(3)
    pairs = [("".join(rng.choices(ALPHABET, k=3)), i) for i in range(50)]
    m = WordMatcher(pairs)
    for _ in range(30):
        text = "".join(rng.choices(ALPHABET, k=50))
        assert sorted((x.start, x.end, x.word, x.payload) for x in m.find(text)) == reference_find(
            pairs, text
        )
    assert sum(map(len, m._delta)) - sum(map(len, m._goto)) <= 11


def test_folding_a_folded_word_changes_nothing() -> None:
    # Callers store clean_word's result and build the matcher from it, which folds it again. Fold
    # works character by character, so checking characters is enough; beyond plane 2 (and the
    # tags and variation selectors of plane 14) there are only ideographs, private use and unassigned
    # code points, none of which folding changes.
    fold_char = matcher._fold_char
    changed = []
    for cp in chain(range(0xD800), range(0xE000, 0x30000), range(0xE0000, 0xE0200)):
        once = fold_char(chr(cp))
        if "".join(map(fold_char, once)) != once:
            changed.append(hex(cp))
    assert changed == []
