"""Counting ballots: pure functions over plain data, shared by the site and the verifier.

A ballot marks every listed candidate approve (赞成), disapprove (不赞成) or abstain (弃权), and
may write in another person only in the place of a candidate it disapproves (投不赞成票者可以另选
他人). A ballot approving more people than there are seats, write-ins included, is invalid.
Invalid ballots still count among those present, so they work against every candidate.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from voting.rules import MajorityBase, Rules

WRITE_IN = "write-in:"  # how a written-in person is named among the contenders


class Mark(enum.StrEnum):
    APPROVE = "approve"
    DISAPPROVE = "disapprove"
    ABSTAIN = "abstain"


class Outcome(enum.StrEnum):
    COMPLETE = "complete"  # every seat filled
    FURTHER_ROUND = "further_round"  # fewer passed than seats: 另行选举 for the rest
    RUNOFF = "runoff"  # a tie across the last seat: re-vote between the tied only
    NO_QUORUM = "no_quorum"  # too few present: nobody is elected
    VOID = "void"  # more ballots than voters: 选举无效，应当重新选举


MARKS = frozenset(mark.value for mark in Mark)


def ballot_problem(
    ballot: Mapping[str, Any], candidates: Sequence[str], seats: int, keyset: frozenset[str] | None = None
) -> str | None:
    """Why a ballot is not valid, or None. Used by the cast (to refuse) and the tally, which
    passes `keyset`, frozenset(candidates), made once for all the ballots."""
    marks, write_ins = ballot.get("marks"), ballot.get("write_ins", {})
    if not isinstance(marks, dict) or not isinstance(write_ins, dict):
        return "malformed"
    wanted = frozenset(candidates) if keyset is None else keyset
    if (
        marks.keys() != wanted
        or len(marks) != len(candidates)
        or not all(isinstance(m, str) for m in marks.values())
        or not MARKS.issuperset(marks.values())
    ):
        return "marks"
    for replaced, name in write_ins.items():
        if marks.get(replaced) != Mark.DISAPPROVE or not isinstance(name, str) or not name.strip():
            return "write_in"
    approvals = list(marks.values()).count(Mark.APPROVE.value) + len(write_ins)
    return "too_many" if approvals > seats else None


@dataclass
class Count:
    approve: int = 0
    disapprove: int = 0
    abstain: int = 0


@dataclass
class Result:
    outcome: Outcome
    seats: int
    present: int
    expected: int
    voted: int
    ballots: int
    valid: int = 0
    invalid: int = 0
    base: int = 0
    counts: dict[str, Count] = field(default_factory=dict)
    write_ins: dict[str, int] = field(default_factory=dict)
    elected: list[str] = field(default_factory=list)
    runoff: list[str] = field(default_factory=list)
    seats_left: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "outcome": str(self.outcome),
            "seats": self.seats,
            "present": self.present,
            "expected": self.expected,
            "voted": self.voted,
            "ballots": self.ballots,
            "valid": self.valid,
            "invalid": self.invalid,
            "base": self.base,
            "counts": {key: vars(count) for key, count in self.counts.items()},
            "write_ins": dict(self.write_ins),
            "elected": list(self.elected),
            "runoff": list(self.runoff),
            "seats_left": self.seats_left,
        }


def tally(
    *,
    rules: Rules,
    seats: int,
    candidates: Sequence[str],
    ballots: Sequence[Mapping[str, Any]],
    present: int,
    expected: int,
    voted: int,
) -> Result:
    """Count the ballots and decide who is elected under `rules`."""
    result = Result(Outcome.COMPLETE, seats, present, expected, voted, len(ballots))
    result.counts = {key: Count() for key in candidates}
    if len(ballots) > voted:
        result.outcome = Outcome.VOID
        return result
    if not rules.quorum_met(present=present, expected=expected):
        result.outcome = Outcome.NO_QUORUM
        return result
    _count_ballots(result, ballots, candidates)
    result.base = {
        MajorityBase.PRESENT: present,
        MajorityBase.ROLL: expected,
        MajorityBase.VALID: result.valid,
    }[rules.majority_base]
    _decide(result, rules)
    return result


def _count_ballots(result: Result, ballots: Sequence[Mapping[str, Any]], candidates: Sequence[str]) -> None:
    keyset = frozenset(candidates)
    marked: Counter[tuple[str, str]] = Counter()  # (candidate, mark) → ballots
    for ballot in ballots:
        if ballot_problem(ballot, candidates, result.seats, keyset) is not None:
            result.invalid += 1
            continue
        result.valid += 1
        marked.update(ballot["marks"].items())
        for name in ballot.get("write_ins", {}).values():
            person = name.strip()
            result.write_ins[person] = result.write_ins.get(person, 0) + 1
    for (key, mark), number in marked.items():
        setattr(result.counts[key], str(mark), number)


def approvals_of(result: Result) -> dict[str, int]:
    """Every contender's approvals: listed candidates by key, written-in people by name."""
    approvals = {key: count.approve for key, count in result.counts.items()}
    approvals.update({WRITE_IN + name: number for name, number in result.write_ins.items()})
    return approvals


def _decide(result: Result, rules: Rules) -> None:
    approvals = approvals_of(result)
    passing = [key for key, number in approvals.items() if rules.passes(approvals=number, base=result.base)]
    passing.sort(key=lambda key: -approvals[key])
    if len(passing) <= result.seats:
        # Never filled from below the threshold: the seats left go to a further round.
        result.elected = passing
        result.seats_left = result.seats - len(passing)
        result.outcome = Outcome.COMPLETE if result.seats_left == 0 else Outcome.FURTHER_ROUND
        return
    last = approvals[passing[result.seats - 1]]
    if approvals[passing[result.seats]] != last:
        result.elected = passing[: result.seats]
        return
    # A tie across the last seat: those above it are elected, the tied go to a re-vote.
    result.elected = [key for key in passing if approvals[key] > last]
    result.runoff = [key for key in passing if approvals[key] == last]
    result.seats_left = result.seats - len(result.elected)
    result.outcome = Outcome.RUNOFF
