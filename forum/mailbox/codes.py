"""Tracking codes: 16 characters from an alphabet without look-alikes (80 bits), shown in
groups of four. Only a digest is stored, so the table alone opens no letter."""

from __future__ import annotations

import hashlib
import secrets

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I
LENGTH = 16


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, LENGTH, 4))


def normalize(code: str) -> str:
    """What the person typed, without spaces, dashes or case; '' when it cannot be a code."""
    cleaned = "".join(ch for ch in code.upper() if ch not in " -\t")
    if len(cleaned) != LENGTH or any(ch not in ALPHABET for ch in cleaned):
        return ""
    return cleaned


def digest(code: str) -> str:
    return hashlib.sha256(normalize(code).encode()).hexdigest()
