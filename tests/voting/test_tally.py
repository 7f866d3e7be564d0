"""The tally: rule cases one by one, then random elections against a second, plain count."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from voting import verifier
from voting.rules import PARTY, MajorityBase, Rules, general
from voting.tally import Outcome, ballot_problem, tally


def ballot(approve: str = "", disapprove: str = "", **write_ins: str) -> dict[str, Any]:
    """Candidates a..e; those not named abstain."""
    marks = {key: "abstain" for key in "abcde"}
    marks.update({key: "approve" for key in approve})
    marks.update({key: "disapprove" for key in disapprove})
    return {"marks": marks, "write_ins": write_ins}


def count(
    ballots: list[dict[str, Any]],
    *,
    seats: int = 3,
    present: int | None = None,
    expected: int | None = None,
    voted: int | None = None,
    rules: Rules = PARTY,
):  # type: ignore[no-untyped-def]
    present = len(ballots) if present is None else present
    return tally(
        rules=rules,
        seats=seats,
        candidates=list("abcde"),
        ballots=ballots,
        present=present,
        expected=present if expected is None else expected,
        voted=len(ballots) if voted is None else voted,
    )


def test_more_approvals_than_seats_makes_a_ballot_invalid_write_ins_included() -> None:
    assert ballot_problem(ballot("abc"), list("abcde"), 3) is None
    assert ballot_problem(ballot("abc", "d", d="张三"), list("abcde"), 3) == "too_many"
    assert ballot_problem(ballot("", "abcde"), list("abcde"), 3) is None


def test_a_write_in_only_in_place_of_a_disapproved_candidate() -> None:
    assert ballot_problem(ballot("a", d="张三"), list("abcde"), 3) == "write_in"
    assert ballot_problem(ballot("a", "d", d="张三"), list("abcde"), 3) is None


def test_a_ballot_must_mark_every_candidate_and_nobody_else() -> None:
    missing = ballot("a")
    del missing["marks"]["e"]
    assert ballot_problem(missing, list("abcde"), 3) == "marks"
    assert ballot_problem({"marks": {**ballot()["marks"], "z": "approve"}}, list("abcde"), 3) == "marks"
    assert ballot_problem({"marks": {**ballot()["marks"], "a": "yes"}}, list("abcde"), 3) == "marks"


def test_invalid_ballots_count_against_the_candidates() -> None:
    # 4 present: a has 2 approvals and 2 invalid ballots: exactly half, not elected.
    result = count([ballot("a"), ballot("a"), ballot("abcd"), ballot("abcd")])
    assert (result.valid, result.invalid) == (2, 2)
    assert result.elected == []


def test_exactly_half_of_those_present_is_not_enough() -> None:
    result = count([ballot("a")] * 20 + [ballot("b")] * 20, present=40)
    assert result.elected == [] and result.outcome is Outcome.FURTHER_ROUND
    result = count([ballot("a")] * 21 + [ballot("b")] * 19, present=40)
    assert result.elected == ["a"]


def test_most_approvals_win_when_more_pass_than_seats() -> None:
    # 9 present: a 6, b 7, c 5 approvals all pass; two seats go to b and a.
    ballots = [ballot("ab")] * 4 + [ballot("bc")] * 3 + [ballot("ac")] * 2
    result = count(ballots, seats=2)
    assert result.outcome is Outcome.COMPLETE
    assert result.elected == ["b", "a"]


def test_a_tie_at_the_last_seat_calls_a_revote_between_the_tied_only() -> None:
    # 9 present: a 8, b 8, c 5, d 5 all pass; c and d tie for the third seat.
    ballots = [ballot("abc")] * 4 + [ballot("abd")] * 4 + [ballot("cd")]
    result = count(ballots, seats=3)
    assert result.outcome is Outcome.RUNOFF
    assert result.elected == ["a", "b"]
    assert sorted(result.runoff) == ["c", "d"] and result.seats_left == 1


def test_seats_left_when_fewer_pass_go_to_a_further_round() -> None:
    result = count([ballot("a")] * 3 + [ballot("b")] * 2, seats=3)
    assert result.outcome is Outcome.FURTHER_ROUND
    assert result.elected == ["a"] and result.seats_left == 2


def test_below_quorum_nothing_is_elected() -> None:
    result = count([ballot("a")] * 40, present=40, expected=50)
    assert result.outcome is Outcome.NO_QUORUM and result.elected == []


def test_more_ballots_than_voters_voids_the_election() -> None:
    result = count([ballot("a")] * 5, voted=4)
    assert result.outcome is Outcome.VOID and result.elected == []


def test_a_written_in_person_may_be_elected() -> None:
    result = count([ballot("", "e", e="  张三 ")] * 3, seats=1)
    assert result.write_ins == {"张三": 3}
    assert result.elected == ["write-in:张三"]


def test_general_rules_count_against_the_valid_ballots() -> None:
    rules = general(majority_base=MajorityBase.VALID, quorum_num=0, quorum_den=1, margin_percent=0)
    # 10 present, 4 valid ballots: 3 approvals are a majority of the valid ballots only.
    result = count([ballot("a")] * 3 + [ballot("b")], present=10, voted=4, rules=rules)
    assert result.elected == ["a"]
    assert count([ballot("a")] * 3 + [ballot("b")], present=10, voted=4).elected == []


# ---------------------------------------------------------------- a second, plain count


def plain_tally(
    seats: int, candidates: list[str], ballots: list[dict[str, Any]], present: int, expected: int, voted: int
) -> tuple[str, list[str], list[str]]:
    """The party rules written out longhand, without sharing anything with voting.tally."""
    if len(ballots) > voted:
        return "void", [], []
    if not 5 * present > 4 * expected:
        return "no_quorum", [], []
    votes: dict[str, int] = dict.fromkeys(candidates, 0)
    for b in ballots:
        yes = [c for c in candidates if b["marks"][c] == "approve"]
        written = [n.strip() for c, n in b["write_ins"].items() if b["marks"][c] == "disapprove"]
        if len(yes) + len(written) > seats:
            continue
        for c in yes:
            votes[c] += 1
        for n in written:
            votes["write-in:" + n] = votes.get("write-in:" + n, 0) + 1
    winners = [c for c in votes if votes[c] * 2 > present]
    if len(winners) <= seats:
        return ("complete" if len(winners) == seats else "further_round"), sorted(winners), []
    ranked = sorted(winners, key=lambda c: votes[c], reverse=True)
    cut = votes[ranked[seats - 1]]
    if votes[ranked[seats]] == cut:
        return (
            "runoff",
            sorted(c for c in winners if votes[c] > cut),
            sorted(c for c in winners if votes[c] == cut),
        )
    return "complete", sorted(ranked[:seats]), []


names = st.sampled_from(["张三", "李四", " 王五"])


@st.composite
def elections(draw: st.DrawFn) -> tuple[int, list[str], list[dict[str, Any]], int, int, int]:
    candidates = [f"c{i}" for i in range(draw(st.integers(1, 5)))]
    seats = draw(st.integers(1, len(candidates)))
    ballots = []
    for _ in range(draw(st.integers(0, 25))):
        marks = {c: draw(st.sampled_from(["approve", "disapprove", "abstain"])) for c in candidates}
        refused = [c for c in candidates if marks[c] == "disapprove"]
        write_ins = {c: draw(names) for c in refused if draw(st.booleans())}
        ballots.append({"marks": marks, "write_ins": write_ins})
    present = draw(st.integers(len(ballots), len(ballots) + 5))
    expected = draw(st.integers(max(present - 3, 1), present + 10))
    voted = draw(st.sampled_from([len(ballots), max(len(ballots) - 1, 0)]))
    return seats, candidates, ballots, present, expected, voted


@settings(max_examples=300, deadline=None)
@given(elections())
def test_tally_agrees_with_a_plain_count(
    election: tuple[int, list[str], list[dict[str, Any]], int, int, int],
) -> None:
    seats, candidates, ballots, present, expected, voted = election
    result = tally(
        rules=PARTY,
        seats=seats,
        candidates=candidates,
        ballots=ballots,
        present=present,
        expected=expected,
        voted=voted,
    )
    assert (str(result.outcome), sorted(result.elected), sorted(result.runoff)) == plain_tally(
        seats, candidates, ballots, present, expected, voted
    )


@settings(max_examples=200, deadline=None)
@given(elections(), st.sampled_from(list(MajorityBase)))
def test_the_standalone_verifier_recounts_the_same(
    election: tuple[int, list[str], list[dict[str, Any]], int, int, int], base: MajorityBase
) -> None:
    seats, candidates, ballots, present, expected, voted = election
    rules = general(majority_base=base, quorum_num=3, quorum_den=4, margin_percent=0)
    result = tally(
        rules=rules,
        seats=seats,
        candidates=candidates,
        ballots=ballots,
        present=present,
        expected=expected,
        voted=voted,
    ).as_dict()
    record = {
        "election": {
            "rules": rules.as_config(),
            "seats": seats,
            "candidates": [{"key": c} for c in candidates],
        },
        "counts": {"present": present, "expected": expected, "voted": voted, "ballots": len(ballots)},
        "ballots": [{"receipt": str(i), "ballot": b} for i, b in enumerate(ballots)],
    }
    recount = verifier.count(record)
    for key in ("outcome", "valid", "invalid", "base", "counts", "write_ins", "seats_left"):
        assert recount[key] == result[key], key
    assert sorted(recount["elected"]) == sorted(result["elected"])
    assert sorted(recount["runoff"]) == sorted(result["runoff"])
