"""The fragment cache: bounded by size and age, least recently used out first."""

from __future__ import annotations

import time

from grassroots.fragments import FragmentCache


def test_keeps_and_returns_values() -> None:
    cache = FragmentCache(max_bytes=10_000)
    cache.put(("thread", 1, 0), "<ol>一楼</ol>")
    assert cache.get(("thread", 1, 0)) == "<ol>一楼</ol>"
    assert cache.get(("thread", 1, 1)) is None


def test_the_least_recently_used_goes_first_when_full() -> None:
    cache = FragmentCache(max_bytes=4 * 100)
    for key in "abcd":
        cache.put(key, "x" * 100)
    assert cache.get("a") is not None  # a is now the most recently used
    cache.put("e", "x" * 100)
    assert cache.get("b") is None
    assert {k for k in "acde" if cache.get(k) is not None} == set("acde")


def test_old_entries_expire_and_a_zero_size_cache_keeps_nothing() -> None:
    cache = FragmentCache(max_bytes=10_000, max_age_seconds=0.01)
    cache.put("k", "v")
    time.sleep(0.02)
    assert cache.get("k") is None and len(cache) == 0
    off = FragmentCache(max_bytes=0)
    off.put("k", "v")
    assert off.get("k") is None
