"""The letter's workflow as data: which status may follow which, and who moves it. Pure: no
database, so the whole table is tested on its own (tests/forum/mailbox/test_workflow.py)."""

from __future__ import annotations

from grassroots.errors import Conflict
from grassroots.i18n import gettext as _

from .models import Status

# Moves a secretary makes with a status change. Replying (to REPLIED) is its own act.
SECRETARY_MOVES: dict[Status, frozenset[Status]] = {
    Status.RECEIVED: frozenset({Status.ACCEPTED, Status.DECLINED}),
    Status.ACCEPTED: frozenset({Status.IN_PROGRESS, Status.WAITING, Status.DECLINED}),
    Status.IN_PROGRESS: frozenset({Status.WAITING}),
    Status.WAITING: frozenset({Status.IN_PROGRESS}),
    Status.REPLIED: frozenset({Status.CLOSED}),  # closed by the secretary: solved is not known
    Status.CLOSED: frozenset(),
    Status.CLOSED_UNSOLVED: frozenset(),
    Status.DECLINED: frozenset(),
}

# A reply may be sent once the letter was accepted, and again after a reply.
REPLYABLE = frozenset({Status.ACCEPTED, Status.IN_PROGRESS, Status.WAITING, Status.REPLIED})
# A letter may be passed to another organization until it is answered.
TRANSFERABLE = frozenset({Status.RECEIVED, Status.ACCEPTED, Status.IN_PROGRESS, Status.WAITING})
# The writer may write again while the letter is open or just answered.
WRITER_MAY_ANSWER = frozenset({Status.ACCEPTED, Status.IN_PROGRESS, Status.WAITING, Status.REPLIED})
# The clock runs in these; a reply stops it, waiting pauses it.
CLOCK_RUNNING = frozenset({Status.RECEIVED, Status.ACCEPTED, Status.IN_PROGRESS})
CLOSED = frozenset({Status.CLOSED, Status.CLOSED_UNSOLVED, Status.DECLINED})
# Reasons are required where the writer must be told why.
NEEDS_REASON = frozenset({Status.DECLINED, Status.WAITING})


class InvalidTransition(Conflict):
    pass


def may_move(current: Status, target: Status) -> bool:
    return target in SECRETARY_MOVES[current]


def check_move(current: Status, target: Status) -> None:
    """Raises InvalidTransition unless a secretary may move a letter from `current` to `target`."""
    if not may_move(current, target):
        raise InvalidTransition(_("A letter cannot go from this status to that one."))


def check_reply(current: Status) -> None:
    if current not in REPLYABLE:
        raise InvalidTransition(_("Accept the letter before replying to it."))


def check_transfer(current: Status) -> None:
    if current not in TRANSFERABLE:
        raise InvalidTransition(_("Only a letter not yet answered can be transferred."))


def after_rating(solved: bool) -> Status:
    """The writer rated the reply: closed, solved or not."""
    return Status.CLOSED if solved else Status.CLOSED_UNSOLVED
