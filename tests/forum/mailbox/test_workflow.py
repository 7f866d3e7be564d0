"""The workflow table on its own: every move a secretary may make, and the ones refused."""

from __future__ import annotations

import pytest

from forum.mailbox import workflow
from forum.mailbox.models import Status
from forum.mailbox.workflow import InvalidTransition

ALLOWED = {
    (Status.RECEIVED, Status.ACCEPTED),
    (Status.RECEIVED, Status.DECLINED),
    (Status.ACCEPTED, Status.IN_PROGRESS),
    (Status.ACCEPTED, Status.WAITING),
    (Status.ACCEPTED, Status.DECLINED),
    (Status.IN_PROGRESS, Status.WAITING),
    (Status.WAITING, Status.IN_PROGRESS),
    (Status.REPLIED, Status.CLOSED),
}


@pytest.mark.parametrize("current", list(Status))
@pytest.mark.parametrize("target", list(Status))
def test_only_the_listed_moves_are_allowed(current: Status, target: Status) -> None:
    assert workflow.may_move(current, target) is ((current, target) in ALLOWED)
    if (current, target) not in ALLOWED:
        with pytest.raises(InvalidTransition):
            workflow.check_move(current, target)


def test_a_reply_needs_an_accepted_letter() -> None:
    with pytest.raises(InvalidTransition):
        workflow.check_reply(Status.RECEIVED)
    for status in (Status.ACCEPTED, Status.IN_PROGRESS, Status.WAITING, Status.REPLIED):
        workflow.check_reply(status)
    for status in workflow.CLOSED:
        with pytest.raises(InvalidTransition):
            workflow.check_reply(status)


def test_only_unanswered_letters_are_transferred() -> None:
    for status in (Status.REPLIED, *workflow.CLOSED):
        with pytest.raises(InvalidTransition):
            workflow.check_transfer(status)
    workflow.check_transfer(Status.WAITING)


def test_rating_closes_as_solved_or_not() -> None:
    assert workflow.after_rating(True) is Status.CLOSED
    assert workflow.after_rating(False) is Status.CLOSED_UNSOLVED


def test_waiting_pauses_the_clock_and_replied_stops_it() -> None:
    assert Status.WAITING not in workflow.CLOCK_RUNNING
    assert Status.REPLIED not in workflow.CLOCK_RUNNING
