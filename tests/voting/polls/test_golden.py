"""Golden tests: Belenios' published test vectors, ballots and reference results as they ship.

Schulze: glondu/belenios, tests/tool/demo-nh.sh (the third question, 60 ballots of ranks, its
`schulze.reference`: raw matrix, beatpaths and winners). STV: glondu/belenios,
tests/tool/demo-stv.sh (50 ballots of ranks over 5 options, 2 seats, its `result.reference`:
the processed ballots, the events and the winners). The ballots below are copied from those
scripts' `votes.txt`; the expected values from their reference files.
"""

from __future__ import annotations

from voting.polls.ranked import instant_runoff, preferences, schulze, stv

# demo-nh.sh, question 3: how many voters sent each ballot of ranks.
SCHULZE_VOTES = [([1, 2, 3], 23), ([2, 1, 3], 2), ([3, 1, 2], 17), ([2, 3, 1], 10), ([3, 2, 1], 8)]
SCHULZE_REFERENCE = {
    "valid": 60,
    "blank": 0,
    "raw": [[0, 33, 25], [27, 0, 42], [35, 18, 0]],
    "beatpaths": [
        [[33, 27], [33, 27], [33, 27]],
        [[35, 25], [33, 27], [42, 18]],
        [[35, 25], [33, 27], [33, 27]],
    ],
    "winners": [[1], [2], [0]],
}

# demo-stv.sh, votes.txt, in the order the script casts them.
STV_VOTES = [
    [4, 1, 2, 5, 3], [2, 4, 5, 3, 1], [3, 5, 1, 4, 2], [3, 4, 2, 1, 5], [5, 3, 2, 4, 1],
    [5, 3, 4, 1, 2], [5, 4, 2, 1, 3], [4, 3, 1, 5, 2], [3, 2, 5, 4, 1], [5, 3, 2, 4, 1],
    [5, 4, 1, 2, 3], [5, 1, 4, 3, 2], [2, 1, 3, 5, 4], [1, 5, 2, 3, 4], [5, 1, 3, 2, 4],
    [2, 5, 4, 3, 1], [5, 4, 2, 3, 1], [5, 1, 2, 3, 4], [4, 3, 5, 2, 1], [1, 2, 3, 5, 4],
    [5, 4, 2, 1, 3], [3, 1, 5, 4, 2], [1, 5, 4, 2, 3], [5, 4, 1, 3, 2], [5, 4, 3, 2, 1],
    [4, 2, 5, 3, 1], [3, 5, 2, 1, 4], [2, 5, 4, 3, 1], [1, 3, 2, 4, 5], [4, 2, 1, 5, 3],
    [4, 3, 5, 2, 1], [2, 5, 3, 1, 4], [1, 2, 3, 4, 5], [4, 1, 5, 2, 3], [1, 3, 2, 4, 5],
    [3, 1, 2, 5, 4], [5, 1, 3, 2, 4], [5, 4, 3, 1, 2], [3, 5, 2, 4, 1], [3, 5, 2, 1, 4],
    [5, 4, 3, 1, 2], [3, 2, 5, 4, 1], [2, 5, 1, 4, 3], [5, 3, 2, 1, 4], [2, 3, 5, 4, 1],
    [3, 5, 2, 4, 1], [2, 3, 5, 1, 4], [4, 1, 3, 5, 2], [1, 4, 2, 3, 5], [2, 4, 5, 1, 3],
]  # fmt: skip
STV_REFERENCE_BALLOTS = [
    [0,1,2,3,4],[0,1,2,4,3],[0,2,1,3,4],[0,2,1,3,4],[0,2,3,1,4],[0,2,3,4,1],[0,3,4,2,1],[1,0,2,4,3],
    [1,2,0,4,3],[1,2,3,4,0],[1,2,4,0,3],[1,3,2,4,0],[1,3,2,4,0],[1,3,4,0,2],[1,4,0,3,2],[1,4,2,0,3],
    [1,4,3,2,0],[2,0,4,3,1],[2,1,4,0,3],[2,3,4,1,0],[2,4,0,3,1],[2,4,1,0,3],[2,4,3,1,0],[3,0,1,4,2],
    [3,0,2,4,1],[3,0,4,1,2],[3,2,0,1,4],[3,2,0,4,1],[3,2,0,4,1],[3,2,1,4,0],[3,2,4,1,0],[3,2,4,1,0],
    [3,4,1,2,0],[3,4,2,1,0],[3,4,2,1,0],[4,0,1,3,2],[4,0,3,1,2],[4,0,3,2,1],[4,0,3,2,1],[4,1,0,3,2],
    [4,1,0,3,2],[4,1,3,0,2],[4,2,0,3,1],[4,2,0,3,1],[4,2,1,3,0],[4,2,1,3,0],[4,2,3,1,0],[4,3,1,0,2],
    [4,3,1,0,2],[4,3,2,1,0],
]  # fmt: skip
STV_REFERENCE_EVENTS = [("lose", 2), ("win", [4]), ("lose", 0), ("win", [3])]
STV_REFERENCE_WINNERS = [4, 3]


def test_schulze_matches_belenios_demo_nh() -> None:
    ballots = [ranks for ranks, voters in SCHULZE_VOTES for _ in range(voters)]
    result = schulze(3, ballots)
    assert (result.valid, result.blank) == (SCHULZE_REFERENCE["valid"], SCHULZE_REFERENCE["blank"])
    assert result.d == SCHULZE_REFERENCE["raw"]
    assert [[list(beat) for beat in row] for row in result.p] == SCHULZE_REFERENCE["beatpaths"]
    assert result.ranking == SCHULZE_REFERENCE["winners"]


def test_stv_reads_ranks_into_the_reference_preference_lists() -> None:
    assert sorted(preferences(ranks) for ranks in STV_VOTES) == STV_REFERENCE_BALLOTS
    assert preferences([4, 1, 2, 5, 3]) == [1, 2, 4, 0, 3]  # method_stv.ml's own example


def test_stv_matches_belenios_demo_stv() -> None:
    result = stv([preferences(ranks) for ranks in STV_VOTES], seats=2)
    assert result.quota == 50 // 3 + 1
    assert result.events == STV_REFERENCE_EVENTS
    assert result.winners == STV_REFERENCE_WINNERS


def test_schulze_wikipedia_example_of_45_voters() -> None:
    """The example of https://en.wikipedia.org/wiki/Schulze_method (options A..E, 45 voters):
    the winner is E, and the full order E > A > C > B > D."""
    a, b, c, d, e = range(5)
    groups = [
        ([a, c, b, e, d], 5), ([a, d, e, c, b], 5), ([b, e, d, a, c], 8), ([c, a, b, e, d], 3),
        ([c, a, e, b, d], 7), ([c, b, a, d, e], 2), ([d, c, e, b, a], 7), ([e, b, a, d, c], 8),
    ]  # fmt: skip
    ballots = []
    for order, voters in groups:
        ranks = [0] * 5
        for place, option in enumerate(order, start=1):
            ranks[option] = place
        ballots += [ranks] * voters
    result = schulze(5, ballots)
    assert result.d[a][b] == 20 and result.d[b][a] == 25  # the article's matrix d, one pair
    assert result.ranking == [[e], [a], [c], [b], [d]]


def test_instant_runoff_tennessee_example() -> None:
    """Wikipedia's "Tennessee capital" example (https://en.wikipedia.org/wiki/Instant-runoff_voting):
    Memphis 42 %, Nashville 26 %, Chattanooga 15 %, Knoxville 17 %, each ranking by distance.
    Chattanooga goes out first, then Nashville, and Knoxville wins with 58 %."""
    memphis, nashville, chattanooga, knoxville = range(4)
    ballots = (
        [[memphis, nashville, chattanooga, knoxville]] * 42
        + [[nashville, chattanooga, knoxville, memphis]] * 26
        + [[chattanooga, knoxville, nashville, memphis]] * 15
        + [[knoxville, chattanooga, nashville, memphis]] * 17
    )
    result = instant_runoff(4, ballots)
    assert [r.eliminated for r in result.rounds] == [chattanooga, nashville, None]
    assert result.winner == knoxville
    assert result.rounds[1].tallies == {memphis: 42, nashville: 26, knoxville: 32}
