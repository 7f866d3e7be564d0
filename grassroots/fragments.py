"""Rendered pieces of pages kept in this process's memory, so a popular page is drawn once per
change rather than once per reader.

Keys carry whatever makes the piece differ (a version number that every change to the content
raises, the language, the page), so nothing has to be invalidated: a changed thing simply has a
new key, and the old entry ages out. The cache is bounded by size, least recently used first,
and by age, which bounds staleness from anything the key does not carry (a renamed author).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Hashable


class FragmentCache:
    def __init__(self, max_bytes: int, max_age_seconds: float = 300.0) -> None:
        self.max_bytes = max_bytes
        self.max_age = max_age_seconds
        self._entries: OrderedDict[Hashable, tuple[float, str, int]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> str | None:
        if self.max_bytes <= 0:
            return None
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            stored_at, value, _size = entry
            if time.monotonic() - stored_at > self.max_age:
                self._remove(key)
                return None
            self._entries.move_to_end(key)
            return value

    def put(self, key: Hashable, value: str) -> None:
        size = len(value.encode())
        if self.max_bytes <= 0 or size > self.max_bytes // 4:
            return
        with self._lock:
            if key in self._entries:
                self._remove(key)
            self._entries[key] = (time.monotonic(), value, size)
            self._size += size
            while self._size > self.max_bytes:
                oldest = next(iter(self._entries))
                self._remove(oldest)

    def _remove(self, key: Hashable) -> None:
        _stored_at, _value, size = self._entries.pop(key)
        self._size -= size

    def __len__(self) -> int:
        return len(self._entries)
