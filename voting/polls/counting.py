"""Counting a single-choice or multiple-choice poll: options by index, ballots as plain data."""

from __future__ import annotations

from collections.abc import Iterable, Sequence


def plurality(options: int, choices: Iterable[int]) -> list[int]:
    """How many ballots chose each option; each ballot is the index of its one choice."""
    counts = [0] * options
    for choice in choices:
        counts[choice] += 1
    return counts


def approval(options: int, ballots: Iterable[Sequence[int]], limit: int) -> list[int]:
    """How many ballots chose each option, each ballot choosing at most `limit` distinct
    options (the cast refuses more; a stored ballot breaking it is a bug, not a vote)."""
    counts = [0] * options
    for chosen in ballots:
        if len(set(chosen)) != len(chosen) or len(chosen) > limit:
            raise ValueError("a ballot breaks the poll's limit")
        for choice in chosen:
            counts[choice] += 1
    return counts


def leaders(counts: Sequence[int]) -> list[int]:
    """The options with the most votes (all of them when tied); none when nobody voted."""
    top = max(counts, default=0)
    return [index for index, number in enumerate(counts) if number == top] if top else []
