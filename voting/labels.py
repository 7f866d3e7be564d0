"""How elections read on the page: translated names of phases, marks and outcomes, what happens
next, and the numbers behind the results chart (drawn as SVG by the server, no script)."""

from __future__ import annotations

from typing import Any

from grassroots.i18n import gettext as _

from .models import Phase
from .rules import MajorityBase, Rules
from .tally import WRITE_IN


def phase_label(phase: str) -> str:
    return {
        Phase.DRAFT: _("Being prepared"),
        Phase.NOMINATION: _("Nomination"),
        Phase.REVIEW: _("Review of nominees"),
        Phase.PUBLICITY: _("Candidates in publicity"),
        Phase.VOTING: _("Voting"),
        Phase.CLOSED: _("Voting closed, not yet counted"),
        Phase.TALLIED: _("Counted, awaiting publication"),
        Phase.PUBLISHED: _("Result published"),
    }.get(phase, phase)  # type: ignore[call-overload]


def next_step(phase: str) -> str:
    return {
        Phase.DRAFT: _("Nomination opens when the secretary opens it."),
        Phase.NOMINATION: _("Members nominate until the window ends; the counts are published then."),
        Phase.REVIEW: _("The secretary reviews each nominee's qualification and fixes the candidate list."),
        Phase.PUBLICITY: _(
            "The candidates are in publicity; voting opens after it, confirmed by two officials."
        ),
        Phase.VOTING: _("Voters check in, then vote. Voting closes by itself at its end."),
        Phase.CLOSED: _("The ballots are published; the secretary counts them next."),
        Phase.TALLIED: _("The result is published once a second official confirms it."),
        Phase.PUBLISHED: _("Anyone can check the result with the record and the verifier."),
    }.get(phase, "")  # type: ignore[call-overload]


def mark_label(mark: str) -> str:
    return {"approve": _("Approve"), "disapprove": _("Disapprove"), "abstain": _("Abstain")}.get(mark, mark)


def outcome_label(outcome: str) -> str:
    return {
        "complete": _("Every seat is filled."),
        "further_round": _("Fewer passed than there are seats: the seats left go to a further round."),
        "runoff": _("A tie at the last seat: a re-vote between the tied candidates only."),
        "no_quorum": _("Too few were present: nobody is elected."),
        "void": _("More ballots than voters: the election is void and must be held again."),
    }.get(outcome, outcome)


def rule_lines(rules: Rules, result: dict[str, Any]) -> dict[str, str]:
    """The quorum and the majority this result was decided by, with the numbers they came to."""
    expected, base = result["expected"], result["base"]
    strict = rules.quorum_strict
    # The fewest present that meet the quorum, and the fewest approvals that elect.
    needed = (
        (rules.quorum_num * expected) // rules.quorum_den + 1
        if strict
        else -(-rules.quorum_num * expected // rules.quorum_den)
    )
    fraction = f"{rules.quorum_num}%" if rules.quorum_den == 100 else f"{rules.quorum_num}/{rules.quorum_den}"
    quorum = (
        _(
            "Quorum: more than %(fraction)s of %(expected)d expected, so %(needed)d present.",
            fraction=fraction,
            expected=expected,
            needed=needed,
        )
        if strict
        else _(
            "Quorum: at least %(fraction)s of %(expected)d expected, so %(needed)d present.",
            fraction=fraction,
            expected=expected,
            needed=needed,
        )
    )
    of = {
        MajorityBase.PRESENT: _("those present"),
        MajorityBase.ROLL: _("those expected"),
        MajorityBase.VALID: _("the valid ballots"),
    }[rules.majority_base]
    majority = _(
        "Elected: approved by more than half of %(of)s (%(base)d), so by %(needed)d.",
        of=of, base=base, needed=base // 2 + 1,
    )  # fmt: skip
    return {"quorum": quorum, "majority": majority}


def contender_name(key: str, names: dict[str, str]) -> str:
    if key.startswith(WRITE_IN):
        return _("%(name)s (written in)", name=key.removeprefix(WRITE_IN))
    return names.get(key, key)


BAR_WIDTH = 300  # the chart's bars, in SVG units; the SVG scales to the screen


def chart(result: dict[str, Any], names: dict[str, str]) -> list[dict[str, Any]]:
    """One bar per contender: approvals against the majority base, and where half of it is."""
    base = max(result.get("base") or 0, 1)
    rows = [(key, count["approve"]) for key, count in result.get("counts", {}).items()]
    rows += [(WRITE_IN + name, number) for name, number in result.get("write_ins", {}).items()]
    rows.sort(key=lambda row: -row[1])
    return [
        {
            "name": contender_name(key, names),
            "approvals": number,
            "width": min(BAR_WIDTH, BAR_WIDTH * number // base),
            "elected": key in result.get("elected", []),
            "y": 28 * index,
        }
        for index, (key, number) in enumerate(rows)
    ]


HELPERS = {
    "phase_label": phase_label,
    "next_step": next_step,
    "mark_label": mark_label,
    "outcome_label": outcome_label,
    "contender_name": contender_name,
    "half_x": BAR_WIDTH // 2,
    "bar_width": BAR_WIDTH,
}
