"""Counting ranked ballots: Schulze, instant run-off, single transferable vote.

A ranked ballot gives each option a rank, 1 for the first choice, 0 for an option left out
(Belenios' format: [4,1,2,5,3] ranks option 1 first). Schulze reads ranks; run-off and STV
read the preference list the ranks make ([1,2,4,0,3]). Ties are never decided by chance:
the option listed first goes through, the one listed last goes out, and the round says so.

Schulze follows Belenios' method_schulze.ml (after CIVS' beatpath2.pm): a link from A to B is
the pair (ballots ranking A over B, ballots ranking B over A) where the first is larger;
links compare by winning votes, then fewer losing votes; the strongest paths come from
Floyd–Warshall. STV follows Belenios' method_stv.ml: Droop quota floor(n/(seats+1)) + 1, one
winner a round whose surplus moves on at (score - quota) / score, otherwise the lowest goes
out; here in exact fractions, never floats.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

Beat = tuple[int, int]  # (winning votes, losing votes)
NO_BEAT: Beat = (0, 0)


def preferences(ranks: Sequence[int]) -> list[int]:
    """The options in the order the ranks put them, unranked ones left out."""
    return [option for _rank, option in sorted((r, o) for o, r in enumerate(ranks) if r > 0)]


# ---------------------------------------------------------------- Schulze


def _stronger(a: Beat, b: Beat) -> bool:
    return a[0] > b[0] or (a[0] == b[0] and a[1] < b[1])


def pairwise(options: int, ballots: Sequence[Sequence[int]]) -> list[list[int]]:
    """d[i][j]: how many ballots rank i above j (an unranked option is below every ranked one)."""
    d = [[0] * options for _ in range(options)]
    for ranks in ballots:
        place = [r if r > 0 else options + 1 for r in ranks]
        for i in range(options):
            for j in range(options):
                if place[i] < place[j]:
                    d[i][j] += 1
    return d


def strongest_paths(d: Sequence[Sequence[int]]) -> list[list[Beat]]:
    n = len(d)
    p = [[(d[i][j], d[j][i]) if d[i][j] > d[j][i] else NO_BEAT for j in range(n)] for i in range(n)]
    for k in range(n):
        for i in range(n):
            for j in range(n):
                through = p[i][k] if _stronger(p[k][j], p[i][k]) else p[k][j]  # the weaker link
                if _stronger(through, p[i][j]):
                    p[i][j] = through
    return p


@dataclass(frozen=True)
class SchulzeResult:
    valid: int
    blank: int
    d: list[list[int]]
    p: list[list[Beat]]
    ranking: list[list[int]]  # places, best first; options tied share a place

    def as_dict(self) -> dict[str, Any]:
        return {"valid": self.valid, "blank": self.blank, "d": self.d,
                "p": [[list(beat) for beat in row] for row in self.p], "ranking": self.ranking}  # fmt: skip


def schulze(options: int, ballots: Sequence[Sequence[int]]) -> SchulzeResult:
    """Rank every option by its strongest paths; blank ballots are counted apart."""
    counted = [ranks for ranks in ballots if any(ranks)]
    d = pairwise(options, counted)
    p = strongest_paths(d)
    left, ranking = list(range(options)), []
    while left:
        unbeaten = [i for i in left if not any(_stronger(p[j][i], p[i][j]) for j in left)]
        ranking.append(unbeaten)
        left = [i for i in left if i not in unbeaten]
    return SchulzeResult(len(counted), len(ballots) - len(counted), d, p, ranking)


# ---------------------------------------------------------------- instant run-off


@dataclass(frozen=True)
class RunoffRound:
    tallies: dict[int, int]  # continuing option -> ballots counting for it
    exhausted: int  # ballots with none of the continuing options left
    eliminated: int | None = None
    tied: list[int] = field(default_factory=list)  # lowest options tied; the last listed went out
    winner: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"tallies": {str(k): v for k, v in self.tallies.items()}, "exhausted": self.exhausted,
                "eliminated": self.eliminated, "tied": self.tied, "winner": self.winner}  # fmt: skip


@dataclass(frozen=True)
class RunoffResult:
    rounds: list[RunoffRound]
    winner: int | None

    def as_dict(self) -> dict[str, Any]:
        return {"rounds": [r.as_dict() for r in self.rounds], "winner": self.winner}


def instant_runoff(options: int, ballots: Sequence[Sequence[int]]) -> RunoffResult:
    """Each round counts every ballot for its first continuing option; more than half of the
    ballots still counting wins, else the lowest goes out (the last listed, when tied)."""
    continuing, rounds = list(range(options)), []
    while continuing:
        tallies = dict.fromkeys(continuing, 0)
        for prefs in ballots:
            first = next((o for o in prefs if o in tallies), None)
            if first is not None:
                tallies[first] += 1
        active = sum(tallies.values())
        exhausted = len(ballots) - active
        if active == 0:
            rounds.append(RunoffRound(tallies, exhausted))
            return RunoffResult(rounds, None)
        top = max(continuing, key=lambda o: (tallies[o], -o))
        if 2 * tallies[top] > active or len(continuing) == 1:
            rounds.append(RunoffRound(tallies, exhausted, winner=top))
            return RunoffResult(rounds, top)
        low = min(tallies.values())
        lowest = [o for o in continuing if tallies[o] == low]
        out = lowest[-1]
        rounds.append(RunoffRound(tallies, exhausted, eliminated=out, tied=lowest if len(lowest) > 1 else []))
        continuing.remove(out)
    return RunoffResult(rounds, None)


# ---------------------------------------------------------------- single transferable vote


@dataclass(frozen=True)
class StvRound:
    scores: dict[int, Fraction]  # continuing option -> weight of the ballots it holds
    events: list[tuple[str, Any]]  # ("win", [x]) ("lose", x) ("tie_win", [x, y]) ("tie_lose", [x, y])

    def as_dict(self) -> dict[str, Any]:
        return {"scores": {str(k): str(v) for k, v in self.scores.items()},
                "events": [list(event) for event in self.events]}  # fmt: skip


@dataclass(frozen=True)
class StvResult:
    seats: int
    ballots: int
    quota: int
    rounds: list[StvRound]
    winners: list[int]

    @property
    def events(self) -> list[tuple[str, Any]]:
        return [event for r in self.rounds for event in r.events]

    def as_dict(self) -> dict[str, Any]:
        return {"seats": self.seats, "ballots": self.ballots, "quota": self.quota,
                "rounds": [r.as_dict() for r in self.rounds], "winners": self.winners}  # fmt: skip


Weighted = list[tuple[Fraction, list[int]]]


def _scores(weighted: Weighted) -> dict[int, Fraction]:
    scores: dict[int, Fraction] = {}
    for weight, prefs in weighted:
        for option in prefs:
            scores.setdefault(option, Fraction(0))
        if prefs:
            scores[prefs[0]] += weight
    return scores


def _stv_round(weighted: Weighted, quota: int) -> tuple[StvRound, Weighted]:
    scores = _scores(weighted)
    order = sorted(scores, key=lambda o: (-scores[o], o))  # most first, then as listed
    top, events = order[0], []
    if scores[top] >= quota:
        if scores[order[1]] == scores[top]:
            events.append(("tie_win", [top, order[1]]))
        events.append(("win", [top]))
        keep = (scores[top] - quota) / scores[top]
        moved = [(w * keep if prefs[0] == top else w, prefs) for w, prefs in weighted]
        out = top
    else:
        out = order[-1]
        if scores[order[-2]] == scores[out]:
            events.append(("tie_lose", [out, order[-2]]))
        events.append(("lose", out))
        moved = weighted
    rest = [(w, [o for o in prefs if o != out]) for w, prefs in moved]
    return StvRound(scores, events), [(w, prefs) for w, prefs in rest if prefs]


def stv(ballots: Sequence[Sequence[int]], seats: int) -> StvResult:
    """`ballots` are preference lists. Only options someone ranked take part; when no more of
    them are left than seats to fill, they all win."""
    quota = len(ballots) // (seats + 1) + 1
    weighted: Weighted = [(Fraction(1), list(prefs)) for prefs in ballots if prefs]
    rounds: list[StvRound] = []
    winners: list[int] = []
    while len(winners) < seats:
        scores = _scores(weighted)
        if len(scores) <= seats - len(winners):
            if scores:
                rounds.append(StvRound(scores, [("win", sorted(scores))]))
                winners += sorted(scores)
            break
        done, weighted = _stv_round(weighted, quota)
        rounds.append(done)
        winners += [x for kind, won in done.events if kind == "win" for x in won]
    return StvResult(seats, len(ballots), quota, rounds, winners)
