"""Property tests of the counting on random polls: each ranked method against a second, plainly
written implementation or against what must hold of any result."""

from __future__ import annotations

import itertools
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from voting.polls.counting import approval, plurality
from voting.polls.ranked import instant_runoff, pairwise, preferences, schulze, stv


@st.composite
def ranked_ballots(draw: st.DrawFn, *, complete: bool = False, options: int | None = None):  # type: ignore[no-untyped-def]
    """(number of options, ballots of ranks): each ballot ranks some options 1..k."""
    n = options or draw(st.integers(2, 5))
    ballots = []
    for _ in range(draw(st.integers(1, 25))):
        order = draw(st.permutations(range(n)))
        k = n if complete else draw(st.integers(1, n))
        ranks = [0] * n
        for place, option in enumerate(order[:k], start=1):
            ranks[option] = place
        ballots.append(ranks)
    return n, ballots


def _beat(d: list[list[int]], i: int, j: int) -> tuple[int, int]:
    return (d[i][j], d[j][i]) if d[i][j] > d[j][i] else (0, 0)


def _key(beat: tuple[int, int]) -> tuple[int, int]:
    return (beat[0], -beat[1])  # more winning votes, then fewer losing votes


def strongest_by_enumeration(d: list[list[int]], i: int, j: int) -> tuple[int, int]:
    """The strongest path from i to j, trying every simple path (the second implementation)."""
    n, best = len(d), (0, 0)
    others = [k for k in range(n) if k not in (i, j)]
    for length in range(len(others) + 1):
        for middle in itertools.permutations(others, length):
            path = [i, *middle, j]
            weakest = min((_beat(d, a, b) for a, b in itertools.pairwise(path)), key=_key)
            best = max(best, weakest, key=_key)
    return best


@settings(max_examples=150, deadline=None)
@given(ranked_ballots())
def test_schulze_paths_match_every_simple_path(poll) -> None:  # type: ignore[no-untyped-def]
    n, ballots = poll
    result = schulze(n, ballots)
    for i in range(n):
        for j in range(n):
            if i != j:
                assert result.p[i][j] == strongest_by_enumeration(result.d, i, j)
    assert sorted(o for place in result.ranking for o in place) == list(range(n))


@settings(max_examples=150, deadline=None)
@given(ranked_ballots())
def test_a_condorcet_winner_is_first_alone_in_schulze(poll) -> None:  # type: ignore[no-untyped-def]
    n, ballots = poll
    d = pairwise(n, ballots)
    winners = [i for i in range(n) if all(d[i][j] > d[j][i] for j in range(n) if j != i)]
    if winners:
        assert schulze(n, ballots).ranking[0] == winners


@settings(max_examples=150, deadline=None)
@given(ranked_ballots(complete=True))
def test_with_complete_rankings_run_off_and_one_seat_stv_agree(poll) -> None:  # type: ignore[no-untyped-def]
    """With every option ranked no ballot runs out, so the Droop quota for one seat is a
    majority of the ballots still counting, and both methods drop the same option each round."""
    n, ballots = poll
    prefs = [preferences(ranks) for ranks in ballots]
    assert instant_runoff(n, prefs).winner == stv(prefs, seats=1).winners[0]


@settings(max_examples=150, deadline=None)
@given(ranked_ballots())
def test_run_off_rounds_hold_together(poll) -> None:  # type: ignore[no-untyped-def]
    n, ballots = poll
    prefs = [preferences(ranks) for ranks in ballots]
    result = instant_runoff(n, prefs)
    eliminated = [r.eliminated for r in result.rounds if r.eliminated is not None]
    assert result.winner not in eliminated and len(set(eliminated)) == len(eliminated)
    firsts = plurality(n, [p[0] for p in prefs])
    majority = [o for o in range(n) if 2 * firsts[o] > len(prefs)]
    if majority:
        assert result.winner == majority[0] and len(result.rounds) == 1
    for r in result.rounds:
        assert sum(r.tallies.values()) + r.exhausted == len(prefs)


@settings(max_examples=150, deadline=None)
@given(ranked_ballots(), st.integers(1, 4))
def test_stv_elects_distinct_options_and_never_creates_weight(poll, seats: int) -> None:  # type: ignore[no-untyped-def]
    n, ballots = poll
    prefs = [preferences(ranks) for ranks in ballots]
    result = stv(prefs, seats)
    ranked_somewhere = {o for p in prefs for o in p}
    assert len(set(result.winners)) == len(result.winners) == min(seats, len(ranked_somewhere))
    assert all(sum(r.scores.values(), Fraction(0)) <= len(prefs) for r in result.rounds)
    first = result.rounds[0].scores
    # At most `seats` options can reach the quota at once, and one that does is elected.
    assert all(o in result.winners for o, score in first.items() if score >= result.quota)


@settings(max_examples=100, deadline=None)
@given(st.integers(2, 6).flatmap(lambda n: st.tuples(st.just(n), st.lists(st.integers(0, n - 1)))))
def test_approval_of_one_is_plurality(poll) -> None:  # type: ignore[no-untyped-def]
    n, choices = poll
    assert approval(n, [[c] for c in choices], limit=1) == plurality(n, choices)
